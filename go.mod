module github.com/kubeready/kubeready

go 1.26.8

require (
	github.com/bluekeyes/go-gitdiff v0.9.0
	github.com/sourcegraph/conc v0.3.0
	go.uber.org/goleak v1.3.0
	go.yaml.in/yaml/v3 v3.0.6
)

require (
	go.uber.org/atomic v1.7.0 // indirect
	go.uber.org/multierr v1.9.0 // indirect
)
