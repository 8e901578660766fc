package checks

// registry lists every rule in the order `kubeready rules` prints them: API
// versions, then Kubernetes changes by theme, then the EKS rules, then the
// node-drain readiness checks, then the rules the engine reports itself.
// Add a new rule here, then regenerate docs/rules.md with `go generate ./internal/cli`
// (TestRulesDoc fails while it is out of date).
var registry = []*Rule{
	apiRemoved,
	apiDeprecated,
	apiThirdParty,
	helmStoredRelease,

	pspRBAC,
	psaLabels,
	seccompAnnotation,
	appArmorAnnotation,
	legacyPodAnnotation,
	intreeVolumeRemoved,
	gitRepoVolume,
	dockershimSocket,
	dockerDataDir,
	legacyRegistry,
	ingressNginxRetired,
	betaNodeLabels,
	metadataClusterName,
	topologyAwareHints,
	enforceMountableSecrets,
	endpointsDeprecated,
	servicePreferClose,
	kubeProxyIPVS,
	serviceExternalIPs,
	strictIPCIDR,

	eksALBEndpointSlices,
	eksAWSAuthQuoting,
	eksEBSCSI,
	eksAddonVersion,
	eksP2Instance,
	eksAnonymousBinding,
	eksAL2AMI,
	eksKubeletFlagRemoved,
	eksBootstrapShAL2023,
	eksFluentdContainerInsights,

	drainSingleReplica,
	drainNoPDB,
	drainNoReadinessProbe,
	drainPDBBlocks,

	HelmDependencyMissing,
	HelmRenderError,
	HelmReleaseManifest,
	HelmGatedAPI,
	HelmRemoteChart,
	KustomizeBuildError,
	KustomizeRemoteResource,

	InvalidYAML,
	FileTooLarge,
	LimitExceeded,
	FileUnreadable,
	InternalError,
}
