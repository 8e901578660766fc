package checks

import (
	"strings"
	"testing"

	"github.com/kubeready/kubeready/scan"
)

func doc(t *testing.T, text string) *scan.Document {
	t.Helper()
	docs, errs := scan.Parse(scan.NewFile("x.yaml", []byte(text)))
	if len(errs) > 0 || len(docs) != 1 {
		t.Fatalf("parse: %v", errs)
	}
	return docs[0]
}

func TestReleaseManifestFinding(t *testing.T) {
	env := Env{Target: MustVersion("1.25"), Platform: PlatformEKS}
	tests := []struct {
		text string
		want bool
	}{
		{"apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n", true},
		{"apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n", false},
		{"apiVersion: example.com/v1\nkind: Widget\n", false},
		{"kind: PodDisruptionBudget\n", false},
	}
	for _, tt := range tests {
		f, ok := ReleaseManifestFinding(doc(t, tt.text), env, MustVersion("1.20"))
		if ok != tt.want {
			t.Errorf("%q: got %v, want %v", tt.text, ok, tt.want)
			continue
		}
		if ok {
			if f.Rule != HelmReleaseManifest.ID || f.Severity != Warning || f.Line != 1 || !f.ObjectLevel {
				t.Errorf("finding %+v", f)
			}
			for _, s := range []string{"1.20", "policy/v1beta1", "mapkubeapis", "chart itself is ready"} {
				if !strings.Contains(f.Message, s) {
					t.Errorf("message does not say %q: %s", s, f.Message)
				}
			}
		}
	}
}

func TestRenderRulesRegistered(t *testing.T) {
	for _, id := range []string{"helm-dependency-missing", "helm-render-error", "helm-release-manifest", "kustomize-build-error", "kustomize-remote-resource"} {
		r := Lookup(id)
		if r == nil {
			t.Errorf("%s is not registered", id)
			continue
		}
		if r.Check != nil || r.Title == "" || r.Rationale == "" || r.Fix == "" || !strings.HasPrefix(r.Source, "https://") {
			t.Errorf("%s: engine-reported rules need metadata and no Check", id)
		}
	}
	if HelmDependencyMissing.Severity != Warning || HelmRenderError.Severity != Error || HelmReleaseManifest.Severity != Warning {
		t.Error("severities differ from the issue")
	}
}
