package checks

import (
	"strings"
	"testing"
)

// TestRules runs one rule on small inputs and compares "line:col rule
// severity" of its findings. Golden cases under testdata/cases cover the
// real-world shapes and the messages; these cover the edges.
func TestRules(t *testing.T) {
	cases := []struct {
		name, rule, target, platform string
		src                          string
		want                         string
	}{
		// psp-rbac
		{"psp use", "psp-rbac", "1.25", "", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules:\n  - apiGroups: [apps]\n    resources: [deployments]\n    verbs: [get]\n  - apiGroups: [policy]\n    resources: [podsecuritypolicies]\n    resourceNames: [restricted]\n    verbs: [use]\n",
			"8:5 psp-rbac warning\n"},
		{"psp wildcard verb, extensions", "psp-rbac", "1.25", "", "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules:\n- {apiGroups: [extensions], resources: [podsecuritypolicies], verbs: ['*']}\n",
			"5:3 psp-rbac warning\n"},
		{"psp read-only", "psp-rbac", "1.25", "", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules:\n  - apiGroups: [policy]\n    resources: [podsecuritypolicies]\n    verbs: [get, list]\n", ""},
		{"psp before 1.25", "psp-rbac", "1.24", "", "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules:\n- {apiGroups: [policy], resources: [podsecuritypolicies], verbs: [use]}\n", ""},
		{"psp in a RoleBinding", "psp-rbac", "1.25", "", "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: r}\nrules:\n- {apiGroups: [policy], resources: [podsecuritypolicies], verbs: [use]}\n", ""},

		// psa-labels
		{"psa bad values and key", "psa-labels", "1.25", "", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n  labels:\n    pod-security.kubernetes.io/enforce: Restricted\n    pod-security.kubernetes.io/enforce-version: v1.25.0\n    pod-security.kubernetes.io/warn: baseline\n    pod-security.kubernetes.io/warn-version: latest\n    pod-security.kubernetes.io/audit-version: v1.25\n    pod-security.kubernetes.io/enforcement: restricted\n",
			"6:41 psa-labels error\n7:49 psa-labels error\n11:5 psa-labels warning\n"},
		{"psa on a ConfigMap", "psa-labels", "1.25", "", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\n  labels:\n    pod-security.kubernetes.io/enforce: bogus\n", ""},

		// seccomp-annotation
		{"seccomp 1.25 warning, 1 container covered by field", "seccomp-annotation", "1.25", "", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    metadata:\n      annotations:\n        seccomp.security.alpha.kubernetes.io/pod: runtime/default\n        container.seccomp.security.alpha.kubernetes.io/b: unconfined\n    spec:\n      containers:\n        - name: a\n          image: a\n        - name: b\n          image: b\n          securityContext:\n            seccompProfile: {type: Unconfined}\n",
			"8:9 seccomp-annotation warning\n"},
		{"seccomp 1.27 error", "seccomp-annotation", "1.27", "", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: docker/default\nspec:\n  containers: [{name: a, image: a}]\n",
			"6:5 seccomp-annotation error\n"},
		{"seccomp field already set", "seccomp-annotation", "1.27", "", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: runtime/default\nspec:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n  containers: [{name: a, image: a}]\n", ""},
		{"seccomp before 1.25", "seccomp-annotation", "1.24", "", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: runtime/default\nspec:\n  containers: [{name: a, image: a}]\n", ""},

		// apparmor-annotation, legacy-pod-annotation
		{"apparmor", "apparmor-annotation", "1.30", "", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    container.apparmor.security.beta.kubernetes.io/a: runtime/default\nspec:\n  containers: [{name: a, image: a}]\n",
			"6:5 apparmor-annotation warning\n"},
		{"apparmor field set", "apparmor-annotation", "1.30", "", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    container.apparmor.security.beta.kubernetes.io/a: runtime/default\nspec:\n  containers: [{name: a, image: a, securityContext: {appArmorProfile: {type: RuntimeDefault}}}]\n", ""},
		{"apparmor before 1.30", "apparmor-annotation", "1.29", "", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    container.apparmor.security.beta.kubernetes.io/a: runtime/default\nspec:\n  containers: [{name: a, image: a}]\n", ""},
		{"critical-pod", "legacy-pod-annotation", "1.25", "", "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nspec:\n  template:\n    metadata:\n      annotations:\n        scheduler.alpha.kubernetes.io/critical-pod: ''\n    spec:\n      containers: [{name: a, image: a}]\n",
			"8:9 legacy-pod-annotation warning\n"},

		// intree-volume-removed
		{"volumes at 1.25", "intree-volume-removed", "1.25", "generic", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: a}]\n  volumes:\n    - name: f\n      flocker: {datasetName: x}\n    - name: g\n      glusterfs: {endpoints: e, path: p}\n    - name: e\n      awsElasticBlockStore: {volumeID: v}\n    - name: c\n      cephfs: {monitors: [m]}\n",
			"8:7 intree-volume-removed error\n10:7 intree-volume-removed warning\n12:7 intree-volume-removed warning\n"},
		{"volumes at 1.31", "intree-volume-removed", "1.31", "generic", "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\nspec:\n  capacity: {storage: 1Gi}\n  rbd: {monitors: [m], image: i}\n---\napiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv2}\nspec:\n  cinder: {volumeID: v}\n",
			"6:3 intree-volume-removed error\n12:3 intree-volume-removed warning\n"},
		{"aws-ebs left to eks-ebs-csi on eks", "intree-volume-removed", "1.27", "eks", "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: gp2}\nprovisioner: kubernetes.io/aws-ebs\n", ""},
		{"aws-ebs on generic", "intree-volume-removed", "1.27", "generic", "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: gp2}\nprovisioner: kubernetes.io/aws-ebs\n",
			"4:14 intree-volume-removed warning\n"},
		{"csi provisioner", "intree-volume-removed", "1.36", "generic", "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: gp3}\nprovisioner: ebs.csi.aws.com\n", ""},

		// gitrepo-volume
		{"gitRepo 1.25", "gitrepo-volume", "1.25", "", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: a}]\n  volumes:\n    - name: src\n      gitRepo: {repository: 'https://example.com/r.git'}\n",
			"8:7 gitrepo-volume warning\n"},
		{"gitRepo 1.33", "gitrepo-volume", "1.33", "", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: a}]\n  volumes:\n    - name: src\n      gitRepo: {repository: 'https://example.com/r.git'}\n",
			"8:7 gitrepo-volume error\n"},

		// dockershim-socket
		{"docker.sock by hostPath and mount", "dockershim-socket", "1.24", "", "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: a\n          volumeMounts:\n            - {name: sock, mountPath: /var/run/docker.sock}\n            - {name: run, mountPath: /host/run/dockershim.sock, subPath: dockershim.sock}\n            - {name: logs, mountPath: /var/lib/docker/containers}\n      volumes:\n        - name: sock\n          hostPath: {path: /var/run/docker.sock, type: Socket}\n        - name: run\n          hostPath: {path: /var/run}\n        - name: logs\n          hostPath: {path: /var/lib/docker/containers}\n",
			"12:38 dockershim-socket error\n16:28 dockershim-socket error\n20:28 dockershim-socket warning\n"},
		{"containerd socket mounted at docker.sock", "dockershim-socket", "1.24", "", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: a\n      volumeMounts: [{name: s, mountPath: /var/run/docker.sock}]\n  volumes:\n    - {name: s, hostPath: {path: /run/containerd/containerd.sock}}\n", ""},
		{"docker.sock before 1.24", "dockershim-socket", "1.23", "", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: a}]\n  volumes:\n    - {name: s, hostPath: {path: /var/run/docker.sock}}\n", ""},

		// legacy-registry, ingress-nginx-retired
		{"registry", "legacy-registry", "1.25", "", "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      initContainers: [{name: i, image: k8s.gcr.io/busybox}]\n      containers: [{name: a, image: registry.k8s.io/pause:3.9}, {name: b, image: gcr.io/k8s-gcr-io/x}]\n",
			"7:41 legacy-registry warning\n"},
		{"ingress-nginx", "ingress-nginx-retired", "1.25", "", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers:\n        - name: controller\n          image: registry.k8s.io/ingress-nginx/controller:v1.9.4@sha256:5b161f051d017e55d358435f295f5e9a297e66158f136321d9b04520ec6c48a3\n        - name: other\n          image: registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.4.0\n",
			"9:18 ingress-nginx-retired warning\n"},

		// eks-alb-endpointslices
		{"alb v2.4.6 with flag", "eks-alb-endpointslices", "1.25", "eks", albDeployment("v2.4.6", "--enable-endpoint-slices=true"),
			"14:11 eks-alb-endpointslices error\n"},
		{"alb v2.4.6 bare flag", "eks-alb-endpointslices", "1.25", "eks", albDeployment("v2.4.6", "--enable-endpoint-slices"),
			"14:11 eks-alb-endpointslices error\n"},
		{"alb v2.4.6 flag false", "eks-alb-endpointslices", "1.25", "eks", albDeployment("v2.4.6", "--enable-endpoint-slices=false"), ""},
		{"alb v2.4.7 with flag", "eks-alb-endpointslices", "1.25", "eks", albDeployment("v2.4.7", "--enable-endpoint-slices=true"), ""},
		{"alb v2.4.6 at 1.24", "eks-alb-endpointslices", "1.24", "eks", albDeployment("v2.4.6", "--enable-endpoint-slices=true"), ""},
		{"alb on generic", "eks-alb-endpointslices", "1.25", "generic", albDeployment("v2.4.6", "--enable-endpoint-slices=true"), ""},
		{"alb digest, chart label", "eks-alb-endpointslices", "1.25", "eks", strings.Replace(albDeployment("v2.4.6", "--enable-endpoint-slices=true"), ":v2.4.6", "@sha256:0123", 1),
			"14:11 eks-alb-endpointslices error\n"},
		{"flux HelmRelease 1.4.7", "eks-alb-endpointslices", "1.25", "eks", "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: alb, namespace: kube-system}\nspec:\n  chart:\n    spec:\n      chart: aws-load-balancer-controller\n      version: 1.4.7\n      sourceRef: {kind: HelmRepository, name: eks}\n  values:\n    clusterName: prod\n    enableEndpointSlices: true\n",
			"12:27 eks-alb-endpointslices error\n"},
		{"flux HelmRelease 1.4.7, tag pinned to v2.4.7", "eks-alb-endpointslices", "1.25", "eks", "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: alb}\nspec:\n  chart:\n    spec: {chart: aws-load-balancer-controller, version: 1.4.7}\n  values:\n    image: {tag: v2.4.7}\n    enableEndpointSlices: true\n", ""},
		{"flux HelmRelease 1.4.8", "eks-alb-endpointslices", "1.25", "eks", "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: alb}\nspec:\n  chart:\n    spec: {chart: aws-load-balancer-controller, version: 1.4.8}\n  values:\n    enableEndpointSlices: true\n", ""},
		{"flux HelmRelease range", "eks-alb-endpointslices", "1.25", "eks", "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: alb}\nspec:\n  chart:\n    spec: {chart: aws-load-balancer-controller, version: 1.4.x}\n  values:\n    enableEndpointSlices: true\n", ""},
		{"flux HelmRelease string true", "eks-alb-endpointslices", "1.25", "eks", "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: alb}\nspec:\n  chart:\n    spec: {chart: aws-load-balancer-controller, version: 1.4.7}\n  values:\n    enableEndpointSlices: \"true\"\n", ""},
		{"argo values string", "eks-alb-endpointslices", "1.25", "eks", "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: alb}\nspec:\n  source:\n    repoURL: https://aws.github.io/eks-charts\n    chart: aws-load-balancer-controller\n    targetRevision: 1.4.6\n    helm:\n      values: |\n        clusterName: prod\n        enableEndpointSlices: true\n",
			"12:31 eks-alb-endpointslices error\n"},
		{"argo parameters", "eks-alb-endpointslices", "1.25", "eks", "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: alb}\nspec:\n  sources:\n    - chart: aws-load-balancer-controller\n      targetRevision: 1.4.7\n      helm:\n        parameters:\n          - name: enableEndpointSlices\n            value: \"true\"\n",
			"11:20 eks-alb-endpointslices error\n"},

		// eks-aws-auth-quoting
		{"aws-auth node roles only", "eks-aws-auth-quoting", "1.25", "eks", awsAuth("    - groups:\n      - system:bootstrappers\n      - system:nodes\n      rolearn: arn:aws:iam::111122223333:role/ng\n      username: system:node:{{EC2PrivateDNSName}}\n"), ""},
		{"aws-auth quoted forms", "eks-aws-auth-quoting", "1.25", "eks", awsAuth("    - rolearn: arn:aws:iam::111122223333:role/a\n      username: \"{{SessionName}}\"\n      groups: ['{{SessionName}}']\n    - rolearn: arn:aws:iam::111122223333:role/b\n      username: admin:{{SessionName}}\n"), ""},
		{"aws-auth bad username and group", "eks-aws-auth-quoting", "1.25", "eks", awsAuth("    - rolearn: arn:aws:iam::111122223333:role/a\n      username: {{SessionName}}\n      groups:\n        - {{SessionName}}\n"),
			"9:17 eks-aws-auth-quoting error\n11:11 eks-aws-auth-quoting error\n"},
		{"aws-auth unparsable block", "eks-aws-auth-quoting", "1.25", "eks", awsAuth("    - rolearn: arn:aws:iam::111122223333:role/a\n      username: {{AccountID}}-{{SessionName}}\n"),
			"9:17 eks-aws-auth-quoting error\n"},
		{"aws-auth broken otherwise", "eks-aws-auth-quoting", "1.25", "eks", awsAuth("    - rolearn: arn:aws:iam::111122223333:role/a\n      username: [x\n"),
			"8:5 eks-aws-auth-quoting error\n"},
		{"aws-auth without a namespace (applied with -n)", "eks-aws-auth-quoting", "1.25", "eks", strings.Replace(awsAuth("    - username: {{SessionName}}\n"), "  namespace: kube-system\n", "", 1),
			"7:17 eks-aws-auth-quoting error\n"},
		{"aws-auth elsewhere", "eks-aws-auth-quoting", "1.25", "eks", strings.Replace(awsAuth("    - username: {{SessionName}}\n"), "kube-system", "default", 1), ""},
		{"aws-auth before 1.25", "eks-aws-auth-quoting", "1.24", "eks", awsAuth("    - username: {{SessionName}}\n"), ""},

		// eks-ebs-csi
		{"ebs", "eks-ebs-csi", "1.23", "eks", "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\nspec:\n  awsElasticBlockStore: {volumeID: vol-1}\n---\napiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: gp2}\nprovisioner: kubernetes.io/aws-ebs\n---\napiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: gp3}\nprovisioner: ebs.csi.aws.com\n",
			"5:3 eks-ebs-csi warning\n10:14 eks-ebs-csi warning\n"},
		{"ebs before 1.23", "eks-ebs-csi", "1.22", "eks", "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: gp2}\nprovisioner: kubernetes.io/aws-ebs\n", ""},

		// eks-addon-version
		{"addons at 1.25", "eks-addon-version", "1.25", "eks", addons("v1.24.3", "v1.21.2-eksbuild.2", "v1.8.0-eksbuild.1", "v1.7.5", "v2.4.6", "v2.3.1"),
			"7:14 eks-addon-version warning\n9:14 eks-addon-version warning\n11:14 eks-addon-version warning\n13:14 eks-addon-version error\n15:14 eks-addon-version warning\n17:14 eks-addon-version error\n"},
		{"addons fit 1.25", "eks-addon-version", "1.25", "eks", addons("v1.25.3", "v1.24.10-minimal-eksbuild.2", "v1.9.3-eksbuild.3", "v1.12.6-eksbuild.2", "v2.4.7", "v2.5.1"), ""},
		{"addons at 1.26", "eks-addon-version", "1.26", "eks", addons("v1.26.1", "v1.25.6-minimal-eksbuild.2", "1.9.3", "v1.11.4", "v2.4.7", "latest"),
			"13:14 eks-addon-version error\n"},
		{"kube-proxy skew 3 from 1.28", "eks-addon-version", "1.28", "eks", addons("v1.28.0", "v1.25.16-minimal-eksbuild.8", "v1.10.1", "v1.15.0", "v2.6.0", "v2.6.0"), ""},
		{"kube-proxy newer than control plane", "eks-addon-version", "1.28", "eks", addons("v1.28.0", "v1.29.0-minimal-eksbuild.1", "v1.10.1", "v1.15.0", "v2.6.0", "v2.6.0"),
			"9:14 eks-addon-version warning\n"},

		// beta-node-labels
		{"beta labels everywhere", "beta-node-labels", "1.25", "", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      nodeSelector:\n        beta.kubernetes.io/arch: amd64\n      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n              - matchExpressions:\n                  - {key: failure-domain.beta.kubernetes.io/zone, operator: In, values: [a]}\n        podAntiAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution:\n            - weight: 1\n              podAffinityTerm:\n                topologyKey: failure-domain.beta.kubernetes.io/region\n      topologySpreadConstraints:\n        - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule}\n      containers: [{name: a, image: a}]\n",
			"8:9 beta-node-labels warning\n14:27 beta-node-labels warning\n19:30 beta-node-labels warning\n"},
		{"beta labels in StorageClass and PV", "beta-node-labels", "1.25", "", "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: s}\nprovisioner: ebs.csi.aws.com\nallowedTopologies:\n  - matchLabelExpressions:\n      - key: failure-domain.beta.kubernetes.io/zone\n        values: [us-east-1a]\n",
			"7:14 beta-node-labels warning\n"},

		// metadata-clustername
		{"clusterName", "metadata-clustername", "1.25", "", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  clusterName: prod\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  clusterName: prod\n",
			"5:3 metadata-clustername warning\n"},

		// Service rules, IPs, Endpoints, ServiceAccount
		{"topology hints", "topology-aware-hints", "1.27", "", "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  annotations:\n    service.kubernetes.io/topology-aware-hints: auto\n", "6:5 topology-aware-hints warning\n"},
		{"topology mode", "topology-aware-hints", "1.27", "", "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  annotations:\n    service.kubernetes.io/topology-mode: Auto\n", ""},
		{"externalIPs", "service-external-ips", "1.36", "", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  externalIPs:\n    - 203.0.113.10\n", "5:3 service-external-ips warning\n"},
		{"strict ips", "strict-ip-cidr", "1.36", "", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  clusterIP: None\n  loadBalancerSourceRanges: [10.0.0.0/8, 192.168.1.1/24, '2001:db8::1/64']\n  externalIPs: [203.0.113.010]\n---\napiVersion: v1\nkind: Endpoints\nmetadata: {name: s}\nsubsets:\n  - addresses: [{ip: 10.0.0.1}, {ip: 10.00.0.2}]\n",
			"6:42 strict-ip-cidr error\n6:58 strict-ip-cidr error\n7:17 strict-ip-cidr error\n13:38 strict-ip-cidr error\n"},
		{"endpoints", "endpoints-deprecated", "1.33", "", "apiVersion: v1\nkind: Endpoints\nmetadata: {name: s}\nsubsets: []\n", "2:1 endpoints-deprecated info\n"},
		{"mountable secrets", "enforce-mountable-secrets", "1.32", "", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: s\n  annotations:\n    kubernetes.io/enforce-mountable-secrets: \"true\"\n", "6:5 enforce-mountable-secrets warning\n"},

		// kube-proxy-ipvs
		{"ipvs in config", "kube-proxy-ipvs", "1.35", "", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kube-proxy-config, namespace: kube-system}\ndata:\n  config: |-\n    apiVersion: kubeproxy.config.k8s.io/v1alpha1\n    kind: KubeProxyConfiguration\n    mode: \"ipvs\"\n    ipvs:\n      scheduler: rr\n",
			"8:11 kube-proxy-ipvs warning\n"},
		{"ipvs in args", "kube-proxy-ipvs", "1.35", "", "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: kube-proxy, namespace: kube-system}\nspec:\n  template:\n    spec:\n      containers:\n        - name: kube-proxy\n          image: k\n          command: [kube-proxy, --proxy-mode=ipvs]\n",
			"10:33 kube-proxy-ipvs warning\n"},
		{"iptables", "kube-proxy-ipvs", "1.35", "", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kube-proxy-config, namespace: kube-system}\ndata:\n  config: |-\n    mode: \"iptables\"\n", ""},

		// eks-al2-ami, eks-p2-instance, eks-anonymous-binding
		{"AL2 in eksctl and Karpenter", "eks-al2-ami", "1.33", "eks", "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: c, region: us-east-1}\nmanagedNodeGroups:\n  - name: ng-1\n    amiFamily: AmazonLinux2\n  - name: ng-2\n    amiFamily: AmazonLinux2023\n---\napiVersion: karpenter.k8s.aws/v1\nkind: EC2NodeClass\nmetadata: {name: default}\nspec:\n  amiSelectorTerms:\n    - alias: al2@latest\n",
			"6:16 eks-al2-ami error\n15:14 eks-al2-ami error\n"},
		{"AL2 at 1.32", "eks-al2-ami", "1.32", "eks", "apiVersion: karpenter.k8s.aws/v1beta1\nkind: EC2NodeClass\nmetadata: {name: default}\nspec:\n  amiFamily: AL2\n", "5:14 eks-al2-ami warning\n"},
		{"p2", "eks-p2-instance", "1.25", "eks", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  nodeSelector:\n    node.kubernetes.io/instance-type: p2.xlarge\n  containers: [{name: a, image: a}]\n---\napiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: gpu}\nspec:\n  template:\n    spec:\n      requirements:\n        - {key: karpenter.k8s.aws/instance-family, operator: In, values: [p2]}\n        - {key: node.kubernetes.io/instance-type, operator: In, values: [p2.xlarge, p3.2xlarge]}\n",
			"6:5 eks-p2-instance error\n16:17 eks-p2-instance error\n"},
		{"anonymous", "eks-anonymous-binding", "1.32", "eks", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects:\n  - {kind: Group, name: system:unauthenticated, apiGroup: rbac.authorization.k8s.io}\n  - {kind: Group, name: system:authenticated, apiGroup: rbac.authorization.k8s.io}\n",
			"6:25 eks-anonymous-binding error\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			platform := c.platform
			if platform == "" {
				platform = PlatformEKS
			}
			_, fs := runRules(t, c.src, c.target, platform, c.rule)
			if got := brief(fs); got != c.want {
				t.Errorf("got:\n%swant:\n%s", got, c.want)
				for _, f := range fs {
					t.Log(f.Message)
				}
			}
			for _, f := range fs {
				if f.Message == "" || f.URL == "" || f.File != "test.yaml" {
					t.Errorf("incomplete finding %+v", f)
				}
			}
		})
	}
}

// albDeployment is the aws-load-balancer-controller Deployment as the
// eks-charts chart renders it, trimmed, with image tag and the flag line.
func albDeployment(tag, flag string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: aws-load-balancer-controller
  namespace: kube-system
  labels: {helm.sh/chart: aws-load-balancer-controller-1.4.7}
spec:
  template:
    spec:
      containers:
      - name: aws-load-balancer-controller
        args:
        - --cluster-name=prod
        - ` + flag + `
        image: "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon/aws-load-balancer-controller:` + tag + `"
`
}

// awsAuth is an aws-auth ConfigMap with the given mapRoles lines.
func awsAuth(mapRoles string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n" + mapRoles
}

// addons is a Pod running one container per add-on, images at lines 7, 9,
// ... 17 (cluster-autoscaler, kube-proxy, coredns, vpc-cni, two ALBCs).
func addons(ca, proxy, dns, cni, alb, alb2 string) string {
	return `apiVersion: v1
kind: Pod
metadata: {name: addons}
spec:
  containers:
    - name: ca
      image: registry.k8s.io/autoscaling/cluster-autoscaler:` + ca + `
    - name: kp
      image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/kube-proxy:` + proxy + `
    - name: dns
      image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/coredns:` + dns + `
    - name: cni
      image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:` + cni + `
    - name: alb
      image: public.ecr.aws/eks/aws-load-balancer-controller:` + alb + `
    - name: alb2
      image: public.ecr.aws/eks/aws-load-balancer-controller:` + alb2 + `
`
}
