package checks

import (
	"slices"
	"strings"
	"testing"
)

func TestServedAPIVersions(t *testing.T) {
	tests := []struct {
		target string
		has    []string
		hasNot []string
	}{
		{"1.20", []string{"policy/v1beta1", "policy/v1beta1/PodDisruptionBudget", "policy/v1beta1/PodSecurityPolicy", "batch/v1beta1/CronJob", "networking.k8s.io/v1/Ingress", "v1", "v1/Pod"},
			[]string{"policy/v1", "policy/v1/PodDisruptionBudget", "batch/v1/CronJob", "autoscaling/v2", "flowcontrol.apiserver.k8s.io/v1beta2"}},
		{"1.21", []string{"policy/v1/PodDisruptionBudget", "policy/v1beta1/PodDisruptionBudget", "batch/v1/CronJob", "discovery.k8s.io/v1"}, nil},
		{"1.25", []string{"policy/v1", "policy/v1/PodDisruptionBudget", "batch/v1/CronJob", "autoscaling/v2", "autoscaling/v2beta2", "flowcontrol.apiserver.k8s.io/v1beta2", "storage.k8s.io/v1beta1/CSIStorageCapacity"},
			[]string{"policy/v1beta1", "policy/v1beta1/PodSecurityPolicy", "batch/v1beta1", "extensions/v1beta1", "networking.k8s.io/v1beta1",
				"flowcontrol.apiserver.k8s.io/v1beta3", "flowcontrol.apiserver.k8s.io/v1alpha1", "storage.k8s.io/v1alpha1", "kubescheduler.config.k8s.io/v1beta2"}},
		{"1.26", []string{"flowcontrol.apiserver.k8s.io/v1beta3"}, []string{"autoscaling/v2beta2"}},
		{"1.30", []string{"admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy", "flowcontrol.apiserver.k8s.io/v1"},
			[]string{"admissionregistration.k8s.io/v1beta1/ValidatingAdmissionPolicy"}},
		{"1.32", []string{"flowcontrol.apiserver.k8s.io/v1"}, []string{"flowcontrol.apiserver.k8s.io/v1beta3"}},
		{"1.34", []string{"resource.k8s.io/v1/ResourceClaim"}, []string{"resource.k8s.io/v1beta1", "resource.k8s.io/v1beta2", "networking.k8s.io/v1beta1/ServiceCIDR"}},
	}
	for _, tt := range tests {
		got := ServedAPIVersions(MustVersion(tt.target))
		if !slices.IsSorted(got) {
			t.Errorf("%s: not sorted", tt.target)
		}
		for _, h := range tt.has {
			if !slices.Contains(got, h) {
				t.Errorf("%s does not serve %s", tt.target, h)
			}
		}
		for _, h := range tt.hasNot {
			if slices.Contains(got, h) {
				t.Errorf("%s serves %s", tt.target, h)
			}
		}
	}
}

// TestServedData checks every row of data/served.yaml: a source, a valid
// version, and prerelease rows that belong to the removal table.
func TestServedData(t *testing.T) {
	for _, r := range Served().Stable {
		if !strings.HasPrefix(r.Source, "https://") || len(r.Kinds) == 0 {
			t.Errorf("stable %s: needs kinds and a source URL", r.APIVersion)
		}
		if _, err := ParseVersion(r.Since); err != nil {
			t.Errorf("stable %s: since %q: %v", r.APIVersion, r.Since, err)
		}
		if isAlpha(r.APIVersion) || strings.Contains(r.APIVersion, "beta") {
			t.Errorf("stable %s is not a stable version", r.APIVersion)
		}
	}
	for _, r := range Served().Prerelease {
		if !strings.HasPrefix(r.Source, "https://") {
			t.Errorf("prerelease %s: no source URL", r.APIVersion)
		}
		if r.Since != "never" {
			if _, err := ParseVersion(r.Since); err != nil {
				t.Errorf("prerelease %s: since %q: %v", r.APIVersion, r.Since, err)
			}
		}
		for _, k := range r.Kinds {
			if APIs.Find(r.APIVersion, k) == nil {
				t.Errorf("prerelease %s %s is not in the removal table", r.APIVersion, k)
			}
		}
	}
}
