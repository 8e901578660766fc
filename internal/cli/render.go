package cli

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/engine"
	"github.com/kubeready/kubeready/scan"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// renderFlags are the command-line flags for rendering.
type renderFlags struct {
	values, set stringList
	current     string
	timeout     time.Duration
	fetch       bool
}

// addRenderFlags registers --helm-values, --helm-set and --current.
func addRenderFlags(fs *flag.FlagSet) *renderFlags {
	rf := &renderFlags{}
	fs.Var(&rf.values, "helm-values", "values `file` for every chart rendered, as helm template --values (repeatable)")
	fs.Var(&rf.set, "helm-set", "`key=value` for every chart rendered, as helm template --set (repeatable)")
	fs.DurationVar(&rf.timeout, "helm-timeout", 30*time.Second, "stop rendering one chart after this `duration` (0: no limit) with a helm-render-error finding")
	fs.BoolVar(&rf.fetch, "fetch-charts", false, "download the remote charts GitOps files declare (Argo CD, Flux, helmfile) at their pinned version, through Helm's own downloaders, verified by digest when given, cached in the user cache directory, at most 32 MiB each; without it nothing touches the network")
	fs.StringVar(&rf.current, "current", "", "Kubernetes `version` the cluster runs now (default: one minor below --target; none to skip): charts that read .Capabilities are also rendered at it, to find installed releases that helm upgrade cannot map")
	return rf
}

// config checks the render flags against the target; src names where a
// flag's value came from (the flag, or a line of .kubeready.yaml).
func (rf *renderFlags) config(target checks.Version, src func(flagName string) string) (engine.Render, error) {
	c := engine.Render{Chart: scan.ChartOptions{ValuesFiles: rf.values, Set: rf.set}, Timeout: rf.timeout, FetchCharts: rf.fetch}
	if err := c.Chart.Validate(); err != nil {
		return c, err
	}
	// A values file named on the command line (or by the Action's
	// helm-values input) may lie anywhere, but it must be a small regular
	// file: /dev/stdin or a FIFO would block, /dev/zero never ends.
	for _, vf := range rf.values {
		if err := regularInside(vf, "", maxValuesSize); err != nil {
			return c, fmt.Errorf("--helm-values %s: %v", vf, err)
		}
	}
	switch rf.current {
	case "none":
		return c, nil
	case "":
		c.Current = checks.Version{Major: target.Major, Minor: target.Minor - 1}
	default:
		v, err := checks.ParseVersion(rf.current)
		if err != nil {
			return c, fmt.Errorf("%s: %v", src("current"), err)
		}
		if !v.Less(target) {
			return c, fmt.Errorf("%s %s: want a version older than --target %s", src("current"), v, target)
		}
		c.Current = v
	}
	return c, nil
}

// plan is the version the upgrade plan starts from: --current (or current:
// in .kubeready.yaml) when given as a version; zero for the default (one
// minor below the target, a plan of one hop) and for none.
func (rf *renderFlags) plan(r engine.Render) checks.Version {
	if rf.current == "" || rf.current == "none" {
		return checks.Version{}
	}
	return r.Current
}
