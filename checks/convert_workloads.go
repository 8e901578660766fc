package checks

import (
	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/checks/yamledit"
	"github.com/kubeready/kubeready/scan"
)

// convertWorkload moves a Deployment, DaemonSet, StatefulSet or ReplicaSet
// from extensions/v1beta1, apps/v1beta1 or apps/v1beta2 to apps/v1:
//   - spec.selector is required in apps/v1: it is written from the pod
//     template labels, which is what the old versions defaulted it to;
//   - extensions/v1beta1 and apps/v1beta1 also defaulted empty object labels
//     to the template labels: they are written out too;
//   - spec.templateGeneration and spec.rollbackTo no longer exist;
//   - defaults that differ in apps/v1 make the fix unsafe unless the
//     manifest sets the field (facts: deployment-v116, daemonset-v116,
//     statefulset-v116; kubernetes pkg/apis/{extensions,apps}/*/defaults.go).
func convertWorkload(c *conv) {
	spec := c.block(c.root, "spec")
	if spec == nil {
		c.Fail("no spec")
		return
	}
	tlabels := scan.MapGet(c.block(c.block(spec, "template"), "metadata"), "labels")
	if tlabels != nil && (tlabels.Kind != yaml.MappingNode || len(tlabels.Content) == 0) {
		tlabels = nil
	}
	if !has(spec, "selector") {
		if tlabels == nil {
			c.Fail("no pod template labels to write spec.selector from")
			return
		}
		c.Put(spec, yamledit.Group("selector", yamledit.Group("matchLabels", c.scalarCopies(tlabels)...)), yamledit.Before, "template")
		c.note("add spec.selector from the pod template labels")
	}
	if (c.From == "extensions/v1beta1" || c.From == "apps/v1beta1") && tlabels != nil {
		meta := c.block(c.root, "metadata")
		if labels := scan.MapGet(meta, "labels"); meta != nil && (labels == nil || len(labels.Content) == 0) {
			c.Put(meta, yamledit.Group("labels", c.scalarCopies(tlabels)...), yamledit.AtEnd, "")
			c.note("copy the pod template labels to metadata.labels, as %s did by default", c.From)
		}
	}
	if exists(spec, "templateGeneration") {
		c.Delete(spec, "templateGeneration")
		c.note("drop spec.templateGeneration")
	}
	if exists(spec, "rollbackTo") {
		c.Delete(spec, "rollbackTo")
		c.note("drop spec.rollbackTo")
		c.risk("spec.rollbackTo asked for a rollback, which apps/v1 cannot express (use kubectl rollout undo)")
	}
	workloadDefaults(c, spec)
}

// workloadDefaults marks the fix unsafe for each default that apps/v1
// changes and the manifest leaves unset.
func workloadDefaults(c *conv, spec *yaml.Node) {
	switch c.Kind {
	case "Deployment":
		strategy := scan.MapGet(spec, "strategy")
		ru := scan.MapGet(strategy, "rollingUpdate")
		t := valueAt(strategy, "type")
		switch c.From {
		case "extensions/v1beta1":
			if !has(spec, "progressDeadlineSeconds") {
				c.risk("spec.progressDeadlineSeconds defaults to 600 in apps/v1, so a rollout stuck for 10 minutes is reported as failed (extensions/v1beta1 had no deadline)")
			}
			if !has(spec, "revisionHistoryLimit") {
				c.risk("spec.revisionHistoryLimit defaults to 10 in apps/v1 (extensions/v1beta1 kept every old ReplicaSet)")
			}
			if (t == "" || t == "RollingUpdate" || ru != nil) && (!has(ru, "maxSurge") || !has(ru, "maxUnavailable")) {
				c.risk("rolling updates default to maxSurge and maxUnavailable 25%% in apps/v1 (extensions/v1beta1: 1)")
			}
		case "apps/v1beta1":
			if !has(spec, "revisionHistoryLimit") {
				c.risk("spec.revisionHistoryLimit defaults to 10 in apps/v1 (apps/v1beta1: 2)")
			}
		}
	case "DaemonSet":
		if c.From == "extensions/v1beta1" && valueAt(scan.MapGet(spec, "updateStrategy"), "type") == "" {
			c.risk("spec.updateStrategy defaults to RollingUpdate in apps/v1, so pods are replaced as soon as the template changes (extensions/v1beta1: OnDelete); set updateStrategy.type: OnDelete to keep that")
		}
	case "StatefulSet":
		if c.From == "apps/v1beta1" && valueAt(scan.MapGet(spec, "updateStrategy"), "type") == "" {
			c.risk("spec.updateStrategy defaults to RollingUpdate in apps/v1, so pods are replaced as soon as the template changes (apps/v1beta1: OnDelete); set updateStrategy.type: OnDelete to keep that")
		}
	}
}
