package checks

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

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
		pairs(scan.MapGet(root, "spec"), func(k, _ *yaml.Node) {
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
		if p := Data.VolumeByProvisioner(scalar(v)); p != nil {
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
			f := r.Finding(d, env, pos(u.at), msg)
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

var eksEBSCSI = &Rule{
	ID: "eks-ebs-csi", Title: "In-tree EBS volume needs the EBS CSI driver", Severity: Warning, Since: "1.23", Platform: PlatformEKS,
	Rationale: "EKS 1.23 turned on CSI migration for EBS: kubernetes.io/aws-ebs StorageClasses and awsElasticBlockStore " +
		"volumes are served by the Amazon EBS CSI driver (ebs.csi.aws.com). EKS does not block the upgrade when the driver " +
		"is missing; provisioning, attaching and mounting fail afterwards. Upstream removed the in-tree code in 1.27.",
	Fix: "Install the aws-ebs-csi-driver add-on with its IAM role before upgrading, and create ebs.csi.aws.com " +
		"StorageClasses (gp3 by default) for new volumes.",
	Example: "kind: StorageClass\nprovisioner: kubernetes.io/aws-ebs\n",
	Source:  "https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi-migration-faq.html",
	Kinds:   volumeKinds,
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		var out []Finding
		for _, u := range volumeUses(d) {
			if u.plugin.EKS != r.ID {
				continue
			}
			msg := fmt.Sprintf("%s, which EKS serves through CSI migration from 1.23: volume operations fail unless the "+
				"Amazon EBS CSI driver (ebs.csi.aws.com) is installed with its IAM role. Install the driver before upgrading", u.what)
			if d.Sig.Kind == "StorageClass" {
				msg += " and use provisioner ebs.csi.aws.com for new volumes."
			} else {
				msg += "."
			}
			f := r.Finding(d, env, pos(u.at), msg)
			if d.Sig.Kind == "StorageClass" {
				if e, ok := replaceScalar(d.File, u.at, "ebs.csi.aws.com"); ok {
					f.Fixes = []Fix{{Description: "Set provisioner to ebs.csi.aws.com", Reason: ebsFixReason(d), Edits: []Edit{e}}}
				}
			}
			out = append(out, f)
		}
		return out
	},
}

// ebsFixReason explains why switching a StorageClass to the CSI provisioner
// is not safe, naming any parameter that changes meaning.
func ebsFixReason(d *scan.Document) string {
	reason := "A StorageClass's provisioner is immutable: a live cluster rejects this change, so create a new StorageClass " +
		"(or delete and re-create this one; existing volumes keep working)."
	root, _ := d.Node()
	params := scan.MapGet(root, "parameters")
	if scan.MapGet(params, "type") == nil {
		reason += " Without parameters.type the CSI driver creates gp3 volumes where the in-tree plugin created gp2."
	}
	for _, z := range []string{"zone", "zones"} {
		if scan.MapGet(params, z) != nil {
			reason += " The CSI driver does not accept parameters." + z + "; use allowedTopologies instead."
		}
	}
	return reason
}

var gitRepoVolume = &Rule{
	ID: "gitrepo-volume", Title: "gitRepo volume, disabled from 1.33", Severity: Warning, Since: always,
	SeverityAt: stepped(step{always, Warning}, step{"1.33", Error}),
	Rationale: "gitRepo volumes have been deprecated since 1.11. Kubernetes 1.33 turns them off by default (feature gate " +
		"GitRepoVolumeDriver) and 1.36 locks them off: the API still accepts the pod but the kubelet refuses to run it. " +
		"EKS does not let you re-enable kubelet feature gates.",
	Fix:     "Clone the repository in an init container into an emptyDir volume, or run a git-sync sidecar.",
	Example: "volumes:\n  - name: src\n    gitRepo:\n      repository: https://example.com/repo.git\n",
	Source:  "https://github.com/kubernetes/kubernetes/pull/129923",
	Kinds:   PodSpecKinds,
	Check: podCheck(func(r *Rule, d *scan.Document, env Env, p *PodSpec) []Finding {
		var out []Finding
		for _, v := range p.Volumes {
			if v.Source != "gitRepo" {
				continue
			}
			var msg string
			if env.Target.AtLeast(Version{1, 33}) {
				msg = fmt.Sprintf("Volume %s is a gitRepo volume: Kubernetes 1.33 disables them (1.36 for good), so the kubelet refuses to run this pod. "+
					"Clone the repository in an init container into an emptyDir instead.", v.Name)
			} else {
				msg = fmt.Sprintf("Volume %s is a gitRepo volume, deprecated and disabled from Kubernetes 1.33, where the kubelet refuses to run this pod. "+
					"Clone the repository in an init container into an emptyDir instead.", v.Name)
			}
			out = append(out, r.Finding(d, env, pos(v.SourceKey), msg))
		}
		return out
	}),
}

// dockerSocket reports whether a path names the Docker or dockershim socket.
func dockerSocket(p string) bool {
	return strings.Contains(p, "docker.sock") || strings.Contains(p, "dockershim.sock")
}

var dockershimSocket = &Rule{
	ID: "dockershim-socket", Title: "Mounts the Docker socket, gone with dockershim", Severity: Error, Since: "1.24",
	Rationale: "Kubernetes 1.24 removed dockershim; EKS nodes from 1.24 run containerd only, so /var/run/docker.sock " +
		"does not exist. Pods that mount it (image builds, monitoring and logging agents) fail to start or cannot reach " +
		"Docker; /var/lib/docker is empty, so agents reading container logs there see nothing.",
	Fix: "Use containerd-aware tooling: the agent's containerd mode (/run/containerd/containerd.sock), kaniko or " +
		"BuildKit for image builds, and /var/log/pods for container logs.",
	Example: "volumes:\n  - name: docker\n    hostPath:\n      path: /var/run/docker.sock\n",
	Source:  "https://docs.aws.amazon.com/eks/latest/userguide/dockershim-deprecation.html",
	Kinds:   PodSpecKinds,
	Check: podCheck(func(r *Rule, d *scan.Document, env Env, p *PodSpec) []Finding {
		var out []Finding
		reported := map[string]bool{}
		containerd := map[string]bool{}
		for _, v := range p.Volumes {
			if v.Source != "hostPath" {
				continue
			}
			pathNode := scan.MapGet(v.SourceValue, "path")
			path := scalar(pathNode)
			switch {
			case dockerSocket(path):
				reported[v.Name] = true
				out = append(out, r.Finding(d, env, pos(pathNode), fmt.Sprintf("hostPath %s is the Docker socket, which does not exist "+
					"from Kubernetes 1.24 (EKS nodes run containerd only): the pod fails to start or cannot reach Docker. "+
					"Use containerd-aware tooling (/run/containerd/containerd.sock, kaniko or BuildKit for builds).", path)))
			case path == "/var/lib/docker" || strings.HasPrefix(path, "/var/lib/docker/"):
				f := r.Finding(d, env, pos(pathNode), fmt.Sprintf("hostPath %s exists only on Docker nodes: from Kubernetes 1.24 "+
					"(containerd) it is empty, so an agent reading container logs there sees nothing. Read /var/log/pods instead.", path))
				f.Severity = Warning
				out = append(out, f)
			case strings.HasSuffix(path, "containerd.sock"):
				containerd[v.Name] = true
			}
		}
		for _, c := range p.Containers {
			for _, m := range items(scan.MapGet(c.Node, "volumeMounts")) {
				mp := scan.MapGet(m, "mountPath")
				name := str(scan.MapGet(m, "name"))
				if !dockerSocket(scalar(mp)) || reported[name] || containerd[name] {
					continue
				}
				out = append(out, r.Finding(d, env, pos(mp), fmt.Sprintf("Container %s mounts volume %s at %s, where it expects the "+
					"Docker socket, which nothing serves from Kubernetes 1.24 (containerd only). Use containerd-aware tooling instead.", c.Name, name, scalar(mp))))
			}
		}
		return out
	}),
}
