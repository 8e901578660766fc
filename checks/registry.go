package checks

// registry lists every rule in the order `kubeready rules` prints them.
// Add a new rule here and in docs/rules.md (a test keeps them in step).
var registry = []*Rule{
	apiRemoved,
	apiDeprecated,
	HelmDependencyMissing,
	HelmRenderError,
	HelmReleaseManifest,
	KustomizeBuildError,
	KustomizeRemoteResource,
	InvalidYAML,
	InternalError,
}
