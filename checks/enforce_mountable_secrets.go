package checks

var enforceMountableSecrets = &Rule{
	ID: "enforce-mountable-secrets", Title: "ServiceAccount uses the deprecated enforce-mountable-secrets annotation", Severity: Warning, Since: "1.32",
	Rationale: "Kubernetes 1.32 deprecated the kubernetes.io/enforce-mountable-secrets ServiceAccount annotation, to be " +
		"removed in a later release; the recommended isolation is a namespace per trust boundary.",
	Fix:     "Put the secrets the service account must not reach in another namespace, then remove the annotation.",
	Example: "kind: ServiceAccount\nmetadata:\n  annotations:\n    kubernetes.io/enforce-mountable-secrets: \"true\"\n",
	Source:  "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-extended.html",
	Kinds:   []string{"ServiceAccount"},
	Check: v1AnnotationCheck("kubernetes.io/enforce-mountable-secrets", "Annotation kubernetes.io/enforce-mountable-secrets is deprecated from Kubernetes 1.32 "+
		"and will be removed. Isolate the secrets in a namespace of their own instead."),
}
