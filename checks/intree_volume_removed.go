package checks

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

var intreeVolumeRemoved = &Rule{
	ID: "intree-volume-removed", Title: "In-tree volume plugin removed or deprecated at the target", Severity: Error, Since: always,
	Rationale: "Removing an in-tree volume plugin never removes its API field: the manifest still applies, and the pod " +
		"fails at mount time (\"no volume plugin matched\"). Plugins covered by CSI migration keep working only when " +
		"their CSI driver is installed. 1.25 removed flocker, quobyte and storageos; 1.26 glusterfs and cinder; 1.31 cephfs and rbd.",
	Fix:     "Move the data to a CSI driver (or, for migrated plugins, install the CSI driver and use its provisioner for new volumes) before upgrading.",
	Example: "kind: StorageClass\nprovisioner: kubernetes.io/glusterfs\n",
	Source:  "https://kubernetes.io/docs/concepts/storage/volumes/",
	Kinds:   volumeKinds,
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		var out []Finding
		for _, u := range volumeUses(d) {
			pl := u.plugin
			if pl.EKS != "" && env.Platform == PlatformEKS {
				continue // reported by the EKS rule for it
			}
			var msg string
			sev := Warning
			broken := "pods that use it fail to start (no volume plugin matches)"
			if d.Sig.Kind == "StorageClass" {
				broken = "volumes of this class can no longer be provisioned or mounted"
			}
			switch {
			case env.Target.AtLeast(MustVersion(pl.Removed)) && pl.CSI == "":
				sev = Error
				msg = fmt.Sprintf("%s, which Kubernetes %s removed: %s. Move the data to a CSI driver%s before upgrading.",
					u.what, pl.Removed, broken, insteadText(pl))
			case env.Target.AtLeast(MustVersion(pl.Removed)):
				msg = fmt.Sprintf("%s, whose code Kubernetes %s removed: it keeps working only through CSI migration to %s, "+
					"so that driver must be installed. Use %s for new volumes.", u.what, pl.Removed, pl.CSI, pl.CSI)
			case pl.Deprecated != "" && env.Target.AtLeast(MustVersion(pl.Deprecated)):
				after := broken
				if pl.CSI != "" {
					after = "it works only through CSI migration to " + pl.CSI
				}
				msg = fmt.Sprintf("%s, deprecated since Kubernetes %s and removed in %s, where %s. Plan the move to a CSI driver%s now.",
					u.what, pl.Deprecated, pl.Removed, after, insteadText(pl))
			default:
				continue
			}
			f := r.Finding(d, env, scan.PosOf(u.at), msg)
			f.Severity, f.URL = sev, pl.Source
			out = append(out, f)
		}
		return out
	},
}

func insteadText(pl *VolumePlugin) string {
	if pl.Instead == "" {
		return ""
	}
	return " (" + pl.Instead + ")"
}

// volumeKinds are the kinds whose Node the volume rules read.
var volumeKinds = append([]string{"PersistentVolume", "StorageClass"}, PodSpecKinds...)

// volumeUse is one place a document uses an in-tree volume type: a pod
// volume, a PersistentVolume source or a StorageClass provisioner.
type volumeUse struct {
	plugin *VolumePlugin
	// at is the node the finding sits on: the volume type key, or the
	// provisioner value.
	at *yaml.Node
	// what names the use for messages: "Volume data uses glusterfs".
	what string
}

// volumeUses lists the in-tree volume types a document uses.
func volumeUses(d *scan.Document) []volumeUse {
	var out []volumeUse
	switch d.Sig.Kind {
	case "PersistentVolume":
		if d.Sig.APIVersion != "v1" {
			return nil
		}
		root, _ := d.Node()
		scan.Pairs(scan.MapGet(root, "spec"), func(k, _ *yaml.Node) {
			if p := Data.VolumeByField(k.Value); p != nil {
				out = append(out, volumeUse{p, k, fmt.Sprintf("PersistentVolume %s uses the in-tree %s plugin", d.Sig.Name, k.Value)})
			}
		})
	case "StorageClass":
		if apiGroup(d.Sig.APIVersion) != "storage.k8s.io" {
			return nil
		}
		root, _ := d.Node()
		v := scan.MapGet(root, "provisioner")
		if p := Data.VolumeByProvisioner(scan.ScalarValue(v)); p != nil {
			out = append(out, volumeUse{p, v, fmt.Sprintf("StorageClass provisioner %s is the in-tree %s plugin", p.Provisioner, p.Field)})
		}
	default:
		p := PodSpecOf(d)
		if p == nil {
			return nil
		}
		for _, vol := range p.Volumes {
			if pl := Data.VolumeByField(vol.Source); pl != nil {
				out = append(out, volumeUse{pl, vol.SourceKey, fmt.Sprintf("Volume %s uses the in-tree %s plugin", vol.Name, vol.Source)})
			}
		}
	}
	return out
}
