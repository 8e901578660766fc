package checks

import "strings"

// UpgradeStep is one step of one control-plane update as EKS documents it
// (data/upgradeorder.yaml): an add-on to update before or after the control
// plane, or the control plane and the nodes themselves.
type UpgradeStep struct {
	Component string `yaml:"component"`
	Title     string `yaml:"title"`
	// Phase is PhaseBefore, PhaseControlPlane or PhaseAfter.
	Phase  string `yaml:"phase"`
	Do     string `yaml:"do"`
	Source string `yaml:"source"`
}

// Phases of an upgrade step.
const (
	PhaseBefore       = "before"
	PhaseControlPlane = "control-plane"
	PhaseAfter        = "after"
)

// AddonOf names the cluster add-on a finding is about, as data/addons.yaml
// and data/upgradeorder.yaml name it ("vpc-cni"), or "" for a finding
// about no add-on. eks-addon-version messages start with the component.
func AddonOf(f Finding) string {
	switch f.Rule {
	case eksALBEndpointSlices.ID:
		return albName
	case eksAddonVersion.ID:
		for _, a := range Data.Addons {
			if strings.HasPrefix(f.Message, a.Component+" image ") {
				return a.Component
			}
		}
	}
	return ""
}

// StepOf returns the index in Data.UpgradeOrder of the first step of the
// add-on a finding is about, or -1.
func StepOf(f Finding) int {
	c := AddonOf(f)
	if c == "" {
		return -1
	}
	for i, s := range Data.UpgradeOrder {
		if s.Component == c {
			return i
		}
	}
	return -1
}
