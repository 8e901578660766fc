package checks

import (
	"strings"
	"testing"

	"github.com/kubeready/kubeready/scan"
)

func TestRemovalTable(t *testing.T) {
	if len(APIs.Removals) < 40 {
		t.Fatalf("only %d rows", len(APIs.Removals))
	}
	seen := map[string]bool{}
	for _, r := range APIs.Removals {
		where := r.APIVersion + " " + strings.Join(r.Kinds, ",")
		if !strings.HasPrefix(r.Source, "https://") {
			t.Errorf("%s: no source URL", where)
		}
		removed, err := ParseVersion(r.Removed)
		if err != nil {
			t.Errorf("%s: removed %q: %v", where, r.Removed, err)
			continue
		}
		if r.Deprecated != "" && removed.Less(MustVersion(r.Deprecated)) {
			t.Errorf("%s: deprecated %s after removed %s", where, r.Deprecated, r.Removed)
		}
		// a migration path exists before the removal: some replacement is served by then
		if len(r.Replacements) > 0 {
			first := r.Replacements[0]
			if first.Since != "" && removed.Less(MustVersion(first.Since)) {
				t.Errorf("%s: first replacement %s served only from %s, after the removal", where, first.APIVersion, first.Since)
			}
		}
		for _, k := range r.Kinds {
			if seen[r.APIVersion+"/"+k] {
				t.Errorf("%s/%s listed twice", r.APIVersion, k)
			}
			seen[r.APIVersion+"/"+k] = true
		}
	}
	// every 1.25 removal from the facts is there
	for _, k := range []string{"batch/v1beta1/CronJob", "discovery.k8s.io/v1beta1/EndpointSlice", "events.k8s.io/v1beta1/Event",
		"autoscaling/v2beta1/HorizontalPodAutoscaler", "policy/v1beta1/PodDisruptionBudget", "policy/v1beta1/PodSecurityPolicy",
		"node.k8s.io/v1beta1/RuntimeClass", "extensions/v1beta1/ThirdPartyResource"} {
		if !seen[k] {
			t.Errorf("%s missing", k)
		}
	}
}

func TestAPIRules(t *testing.T) {
	tests := []struct {
		target, apiVersion, kind string
		want                     string // rule ID or ""
		msgHas                   string
	}{
		{"1.25", "batch/v1beta1", "CronJob", "api-removed", "removed in 1.25. Use batch/v1."},
		{"1.24", "batch/v1beta1", "CronJob", "api-deprecated", "deprecated since 1.21 and removed in 1.25"},
		{"1.20", "batch/v1beta1", "CronJob", "", ""},
		{"1.25", "batch/v1", "CronJob", "", ""},
		{"1.25", "policy/v1beta1", "PodSecurityPolicy", "api-removed", "no successor API"},
		{"1.25", "policy/v1beta1", "PodDisruptionBudget", "api-removed", "Use policy/v1."},
		{"1.25", "autoscaling/v2beta2", "HorizontalPodAutoscaler", "api-deprecated", "removed in 1.26"},
		{"1.26", "autoscaling/v2beta2", "HorizontalPodAutoscaler", "api-removed", "autoscaling/v2"},
		{"1.27", "flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", "api-removed", "Use flowcontrol.apiserver.k8s.io/v1beta3."},
		{"1.30", "flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", "api-removed", "Use flowcontrol.apiserver.k8s.io/v1."},
		{"1.25", "flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", "api-deprecated", "Use flowcontrol.apiserver.k8s.io/v1beta2."},
		{"1.34", "admissionregistration.k8s.io/v1beta1", "ValidatingAdmissionPolicy", "api-removed", "admissionregistration.k8s.io/v1"},
		{"1.36", "storage.k8s.io/v1beta1", "VolumeAttributesClass", "api-deprecated", "removed in 1.37"},
		{"1.25", "extensions/v1beta1", "ThirdPartyResource", "api-removed", "CustomResourceDefinition"},
		{"1.25", "apps/v1beta1", "ReplicaSet", "api-removed", "never served ReplicaSet"},
		{"1.25", "cert-manager.io/v1alpha2", "Certificate", "", ""},
		{"1.25", "kustomize.config.k8s.io/v1beta1", "Kustomization", "", ""},
		{"1.25", "eksctl.io/v1alpha5", "ClusterConfig", "", ""},
		{"1.25", "extensions/v1beta1", "MadeUp", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.target+"/"+tt.apiVersion+"/"+tt.kind, func(t *testing.T) {
			f := scan.NewFile("x.yaml", []byte("apiVersion: "+tt.apiVersion+"\nkind: "+tt.kind+"\nmetadata:\n  name: n\n"))
			docs, _ := scan.Parse(f)
			env := Env{Target: MustVersion(tt.target), Platform: PlatformEKS}
			got := Check(docs[0], env, []*Rule{apiRemoved, apiDeprecated})
			if tt.want == "" {
				if len(got) != 0 {
					t.Errorf("unexpected %v", got)
				}
				return
			}
			if len(got) != 1 || got[0].Rule != tt.want || !strings.Contains(got[0].Message, tt.msgHas) {
				t.Fatalf("got %+v, want %s with %q", got, tt.want, tt.msgHas)
			}
			if got[0].Line != 1 || got[0].Column != 1 || got[0].Name != "n" || !strings.HasPrefix(got[0].URL, "https://") {
				t.Errorf("position/identity wrong: %+v", got[0])
			}
		})
	}
}

func TestPanickingRuleBecomesInternalError(t *testing.T) {
	boom := &Rule{ID: "boom", Severity: Warning, Check: func(*Rule, *scan.Document, Env) []Finding { panic("kaput") }}
	docs, _ := scan.Parse(scan.NewFile("x.yaml", []byte("apiVersion: batch/v1beta1\nkind: CronJob\n")))
	got := Check(docs[0], Env{Target: MustVersion("1.25")}, []*Rule{boom, apiRemoved})
	if len(got) != 2 || got[0].Rule != "internal-error" || !strings.Contains(got[0].Message, "boom") || got[1].Rule != "api-removed" {
		t.Errorf("got %+v", got)
	}
}

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]string{"1.25": "1.25", "v1.25": "1.25", "1.25.3": "1.25", "v1.29.0-eks-1": "1.29", " 1.30 ": "1.30"} {
		v, err := ParseVersion(in)
		if err != nil || v.String() != want {
			t.Errorf("ParseVersion(%q) = %v, %v", in, v, err)
		}
	}
	for _, in := range []string{"", "1", "one.two", "1.25.x.y", "1.-2", "1.25.beta"} {
		if _, err := ParseVersion(in); err == nil {
			t.Errorf("ParseVersion(%q) accepted", in)
		}
	}
}
