package checks

import (
	"slices"
	"testing"
)

// Every add-on of data/addons.yaml has a step in data/upgradeorder.yaml, the
// steps have a known phase in order (before, control plane, after), and
// eks-addon-version findings name their add-on.
func TestUpgradeOrder(t *testing.T) {
	phases := []string{PhaseBefore, PhaseControlPlane, PhaseAfter}
	last := 0
	for _, s := range Data.UpgradeOrder {
		i := slices.Index(phases, s.Phase)
		if i < last || s.Title == "" || s.Do == "" || s.Source == "" {
			t.Errorf("step %+v: phase out of order or a field missing", s)
		}
		last = max(last, i)
	}
	for _, a := range Data.Addons {
		f := Finding{Rule: eksAddonVersion.ID, Message: a.Component + " image x:v1 is 1.0.0: ..."}
		if AddonOf(f) != a.Component || StepOf(f) < 0 {
			t.Errorf("add-on %s has no upgrade step", a.Component)
		}
	}
	if got := AddonOf(Finding{Rule: eksALBEndpointSlices.ID}); got != "aws-load-balancer-controller" || StepOf(Finding{Rule: eksALBEndpointSlices.ID}) != 1 {
		t.Errorf("eks-alb-endpointslices: add-on %q", got)
	}
	if AddonOf(Finding{Rule: "api-removed", Message: "kube-proxy image"}) != "" {
		t.Error("an API finding is about no add-on")
	}
}
