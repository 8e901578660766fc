package checks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/scan"
)

// TestFixes checks that each fix turns the input into exactly the expected
// bytes, that the result no longer triggers the rule, and the safe flag.
func TestFixes(t *testing.T) {
	cases := []struct {
		name, rule, target string
		src, want          string
		safe               bool
		reason             string // a substring of Fix.Reason for unsafe fixes
	}{
		{
			name: "aws-auth username", rule: "eks-aws-auth-quoting", target: "1.25", safe: true,
			src: `apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/admin
      username: {{SessionName}}   # who
      groups:
        - system:masters
`,
			want: `apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/admin
      username: "{{SessionName}}"   # who
      groups:
        - system:masters
`,
		},
		{
			name: "aws-auth CRLF, strip chomping, group item and compound value", rule: "eks-aws-auth-quoting", target: "1.25", safe: true,
			src:  "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: aws-auth\r\n  namespace: kube-system\r\ndata:\r\n  mapUsers: |-\r\n    - userarn: arn:aws:iam::111122223333:user/ops\r\n      username: {{AccountID}}-{{SessionName}}\r\n      groups:\r\n        - {{SessionName}}\r\n",
			want: "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: aws-auth\r\n  namespace: kube-system\r\ndata:\r\n  mapUsers: |-\r\n    - userarn: arn:aws:iam::111122223333:user/ops\r\n      username: \"{{AccountID}}-{{SessionName}}\"\r\n      groups:\r\n        - \"{{SessionName}}\"\r\n",
		},
		{
			name: "registry", rule: "legacy-registry", target: "1.25", safe: true,
			src:  "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: \"k8s.gcr.io/pause:3.2\" # pinned\n    - {name: b, image: k8s.gcr.io/busybox}\n",
			want: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: \"registry.k8s.io/pause:3.2\" # pinned\n    - {name: b, image: registry.k8s.io/busybox}\n",
		},
		{
			name: "seccomp pod annotation into an existing securityContext", rule: "seccomp-annotation", target: "1.27", safe: true,
			src: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      labels:
        app: web
      annotations:
        prometheus.io/scrape: "true"
        seccomp.security.alpha.kubernetes.io/pod: runtime/default
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
        - name: web
          image: nginx
`,
			want: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      labels:
        app: web
      annotations:
        prometheus.io/scrape: "true"
    spec:
      securityContext:
        seccompProfile:
          type: RuntimeDefault
        runAsNonRoot: true
      containers:
        - name: web
          image: nginx
`,
		},
		{
			name: "seccomp container annotation, only annotation, no securityContext, 4-space indent", rule: "seccomp-annotation", target: "1.25", safe: true,
			src: `apiVersion: batch/v1
kind: CronJob
metadata:
    name: report
spec:
    jobTemplate:
        spec:
            template:
                metadata:
                    annotations:
                        container.seccomp.security.alpha.kubernetes.io/report: localhost/profiles/report.json
                spec:
                    containers:
                        -   name: report
                            image: report:1
`,
			want: `apiVersion: batch/v1
kind: CronJob
metadata:
    name: report
spec:
    jobTemplate:
        spec:
            template:
                metadata:
                spec:
                    containers:
                        -   name: report
                            securityContext:
                              seccompProfile:
                                type: Localhost
                                localhostProfile: profiles/report.json
                            image: report:1
`,
		},
		{
			name: "seccomp on a bare Pod is unsafe", rule: "seccomp-annotation", target: "1.27", safe: false, reason: "Pod",
			src:  "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: unconfined\nspec:\n  containers:\n    - name: a\n      image: a\n",
			want: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  securityContext:\n    seccompProfile:\n      type: Unconfined\n  containers:\n    - name: a\n      image: a\n",
		},
		{
			name: "aws-ebs provisioner is unsafe", rule: "eks-ebs-csi", target: "1.25", safe: false, reason: "immutable",
			src:  "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: gp2\nprovisioner: 'kubernetes.io/aws-ebs'\nparameters:\n  type: gp2\n",
			want: "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: gp2\nprovisioner: 'ebs.csi.aws.com'\nparameters:\n  type: gp2\n",
		},
		{
			name: "beta node label", rule: "beta-node-labels", target: "1.25", safe: true,
			src:  "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: a}\nspec:\n  template:\n    spec:\n      nodeSelector:\n        beta.kubernetes.io/os: linux\n      containers: [{name: a, image: a}]\n",
			want: "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: a}\nspec:\n  template:\n    spec:\n      nodeSelector:\n        kubernetes.io/os: linux\n      containers: [{name: a, image: a}]\n",
		},
		{
			name: "PreferClose", rule: "service-preferclose", target: "1.34", safe: true,
			src:  "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  trafficDistribution: PreferClose\n",
			want: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  trafficDistribution: PreferSameZone\n",
		},
		{
			name: "CIDR with host bits", rule: "strict-ip-cidr", target: "1.36", safe: true,
			src:  "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: n}\nspec:\n  ingress:\n    - from:\n        - ipBlock:\n            cidr: 10.1.2.3/8\n",
			want: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: n}\nspec:\n  ingress:\n    - from:\n        - ipBlock:\n            cidr: 10.0.0.0/8\n",
		},
		{
			name: "clusterIP with leading zeros is unsafe", rule: "strict-ip-cidr", target: "1.36", safe: false, reason: "immutable",
			src:  "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  clusterIP: 010.000.000.005\n",
			want: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  clusterIP: 10.0.0.5\n",
		},
		{
			name: "clusterName", rule: "metadata-clustername", target: "1.25", safe: true,
			src:  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  clusterName: prod # old\n  namespace: x\ndata: {}\n",
			want: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: x\ndata: {}\n",
		},
		{
			name: "PSA version", rule: "psa-labels", target: "1.25", safe: false, reason: "restricted",
			src:  "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n  labels:\n    pod-security.kubernetes.io/enforce-version: \"1.25\"\n",
			want: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n  labels:\n    pod-security.kubernetes.io/enforce-version: \"v1.25\"\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, fs := runRules(t, c.src, c.target, PlatformEKS, c.rule)
			if len(fs) == 0 {
				t.Fatal("no finding")
			}
			got := string(f.Data)
			for _, fd := range fs {
				if len(fd.Fixes) != 1 {
					t.Fatalf("finding at %d:%d has %d fixes, want 1", fd.Line, fd.Column, len(fd.Fixes))
				}
				fix := fd.Fixes[0]
				if fix.Safe != c.safe || (c.reason != "" && !strings.Contains(fix.Reason, c.reason)) || (!fix.Safe && fix.Reason == "") {
					t.Errorf("fix %q: safe=%v reason=%q, want safe=%v reason containing %q", fix.Description, fix.Safe, fix.Reason, c.safe, c.reason)
				}
				for _, e := range fix.Edits {
					if e.Path != "test.yaml" {
						t.Errorf("edit path %q", e.Path)
					}
				}
			}
			// Apply every finding's fix, last in the file first (they never overlap here).
			var all Fix
			for _, fd := range fs {
				all.Edits = append(all.Edits, fd.Fixes[0].Edits...)
			}
			got = apply(t, f.Data, all)
			if got != c.want {
				t.Errorf("fixed file:\n%s\nwant:\n%s", got, c.want)
			}
			if _, again := runRules(t, got, c.target, PlatformEKS, c.rule); len(again) > 0 {
				t.Errorf("the fixed file still has findings: %s", brief(again))
			}
		})
	}
}

// TestNoFixWhereUnsure checks layouts where a text edit could go wrong get
// the finding without a fix.
func TestNoFixWhereUnsure(t *testing.T) {
	cases := []struct{ name, rule, target, src string }{
		{"aws-auth in a double-quoted string (kubectl -o json)", "eks-aws-auth-quoting", "1.25",
			`{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "aws-auth", "namespace": "kube-system"}, "data": {"mapRoles": "- rolearn: arn:aws:iam::1:role/a\n  username: {{SessionName}}\n"}}`},
		{"aws-auth flow entry", "eks-aws-auth-quoting", "1.25",
			"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: |\n    - {rolearn: arn:aws:iam::1:role/a, username: {{SessionName}}}\n"},
		{"seccomp in flow annotations", "seccomp-annotation", "1.27",
			"apiVersion: v1\nkind: Pod\nmetadata: {name: p, annotations: {seccomp.security.alpha.kubernetes.io/pod: runtime/default}}\nspec:\n  containers: [{name: a, image: a}]\n"},
		{"seccomp with unknown value", "seccomp-annotation", "1.27",
			"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: mystery\nspec:\n  containers: [{name: a, image: a}]\n"},
		{"registry in a block scalar", "legacy-registry", "1.25",
			"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: >-\n        k8s.gcr.io/pause:3.2\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, fs := runRules(t, c.src, c.target, PlatformEKS, c.rule)
			if len(fs) == 0 {
				t.Fatal("no finding")
			}
			for _, fd := range fs {
				if len(fd.Fixes) != 0 {
					t.Errorf("finding at %d:%d has a fix %+v, want none", fd.Line, fd.Column, fd.Fixes)
				}
			}
		})
	}
}

// TestFixesOnFixtures applies, one at a time, every fix kubeready offers on
// the golden fixtures: the result must still parse, and the rule must report
// one finding fewer.
func TestFixesOnFixtures(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("..", "testdata", "cases", "*"))
	fixes := 0
	for _, dir := range dirs {
		target, platform := "1.25", PlatformEKS
		if b, err := os.ReadFile(filepath.Join(dir, "args")); err == nil {
			args := strings.Fields(string(b))
			for i := 0; i+1 < len(args); i++ {
				switch args[i] {
				case "--target":
					target = args[i+1]
				case "--platform":
					platform = args[i+1]
				}
			}
		}
		_ = filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
			if err != nil || e.IsDir() || !scan.IsManifestName(p) {
				return err
			}
			data, _ := os.ReadFile(p)
			if _, perrs := scan.Parse(scan.NewFile(p, data)); len(perrs) > 0 {
				return nil
			}
			_, fs := runRules(t, string(data), target, platform)
			for _, fd := range fs {
				for _, fix := range fd.Fixes {
					fixes++
					fixed := apply(t, data, fix)
					if _, perrs := scan.Parse(scan.NewFile(p, []byte(fixed))); len(perrs) > 0 {
						t.Errorf("%s:%d %s: fix %q breaks the file: %v", p, fd.Line, fd.Rule, fix.Description, perrs[0])
						continue
					}
					_, after := runRules(t, fixed, target, platform, fd.Rule)
					if n := len(only(fs, fd.Rule)); len(after) != n-1 {
						t.Errorf("%s:%d %s: fix %q leaves %d findings of the rule, want %d", p, fd.Line, fd.Rule, fix.Description, len(after), n-1)
					}
				}
			}
			return nil
		})
	}
	if fixes < 10 {
		t.Errorf("only %d fixes on the fixtures; the test would not catch much", fixes)
	}
}
