package checks

import (
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/checks/yamledit"
	"github.com/kubeready/kubeready/scan"
)

// convertEndpointSlice moves an EndpointSlice from discovery.k8s.io/v1beta1
// to v1 (facts: endpointslice-discovery-v1beta1). Each endpoint's topology
// map goes: kubernetes.io/hostname → nodeName (unless nodeName is set, as
// the API server's conversion does), topology.kubernetes.io/zone → zone.
// Other topology keys have nowhere to go: v1 has deprecatedTopology, but the
// API server drops it on writes through v1, so writing them there would only
// look like it kept them. They are dropped and the fix is unsafe.
func convertEndpointSlice(c *conv) {
	var dropped []string
	n := 0
	for _, ep := range c.seqItems(c.root, "endpoints") {
		if !exists(ep, "topology") {
			continue
		}
		topo := scan.MapGet(ep, "topology")
		var items []yamledit.Item
		if topo.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(topo.Content); i += 2 {
				k, v := topo.Content[i], topo.Content[i+1]
				switch k.Value {
				case "kubernetes.io/hostname":
					if !has(ep, "nodeName") {
						items = append(items, yamledit.Scalar("nodeName", c.Raw(v)))
					}
				case "topology.kubernetes.io/zone":
					items = append(items, yamledit.Scalar("zone", c.Raw(v)))
				default:
					if !slices.Contains(dropped, k.Value) {
						dropped = append(dropped, k.Value)
					}
				}
			}
		} else if !scan.IsNull(topo) {
			c.Fail("line %d: topology is not a mapping", topo.Line)
			return
		}
		c.Replace(ep, []string{"topology"}, items)
		n++
	}
	if n > 0 {
		c.note("move endpoints[].topology hostname and zone to nodeName and zone")
	}
	if len(dropped) > 0 {
		c.risk("topology keys %s are dropped: discovery.k8s.io/v1 cannot store them (deprecatedTopology is read-only)", strings.Join(dropped, ", "))
	}
}

// convertEvent moves an Event from events.k8s.io/v1beta1 to v1 (facts:
// event-events-v1beta1). The fields are the same, but v1 validates new
// Events strictly: eventTime, action, reason, reportingController,
// reportingInstance and type Normal or Warning are required, and the
// deprecated* fields must be unset. An Event missing a required field is
// not converted (kubeready cannot invent them); deprecated* fields are
// dropped, which makes the fix unsafe.
func convertEvent(c *conv) {
	for _, f := range []string{"eventTime", "action", "reason", "reportingController", "reportingInstance"} {
		if v := scan.MapGet(c.root, f); !has(c.root, f) || v.Kind == yaml.ScalarNode && v.Value == "" {
			c.Fail("events.k8s.io/v1 requires %s", f)
			return
		}
	}
	if t := valueAt(c.root, "type"); t != "Normal" && t != "Warning" {
		c.Fail("events.k8s.io/v1 requires type Normal or Warning")
		return
	}
	if s := c.block(c.root, "series"); s != nil {
		n, err := strconv.Atoi(valueAt(s, "count"))
		if err != nil || n < 2 || !has(s, "lastObservedTime") {
			c.Fail("events.k8s.io/v1 requires series.count >= 2 and series.lastObservedTime")
			return
		}
	}
	var gone []string
	for _, f := range []string{"deprecatedSource", "deprecatedFirstTimestamp", "deprecatedLastTimestamp", "deprecatedCount"} {
		if exists(c.root, f) {
			gone = append(gone, f)
		}
	}
	if len(gone) > 0 {
		c.Replace(c.root, gone, nil)
		c.note("drop %s", strings.Join(gone, ", "))
		c.risk("events.k8s.io/v1 rejects %s on new Events, so the fix drops them", strings.Join(gone, ", "))
	}
}

// convertFlowControl moves a FlowSchema or PriorityLevelConfiguration to the
// replacement flowcontrol.apiserver.k8s.io version (facts: flowcontrol-*).
// From v1beta3 on, spec.limited.assuredConcurrencyShares is named
// nominalConcurrencyShares. Up to v1beta3 a value of 0 meant the default,
// 30; v1 keeps an explicit 0, so the fix writes 30 to keep the behaviour.
func convertFlowControl(c *conv) {
	if c.Kind != "PriorityLevelConfiguration" {
		return
	}
	limited := c.block(c.block(c.root, "spec"), "limited")
	if limited == nil {
		return
	}
	key := "nominalConcurrencyShares"
	if exists(limited, "assuredConcurrencyShares") {
		key = "assuredConcurrencyShares"
	}
	v := scan.MapGet(limited, key)
	if strings.HasSuffix(c.To, "/v1") && v != nil && v.Tag == "!!int" && strings.Trim(v.Value, "0") == "" {
		c.SetScalar(v, "30")
		c.note("write 30 for %s: 0, which meant the default (30) before v1 and would mean 0 in v1", key)
	}
	if key == "assuredConcurrencyShares" && (strings.HasSuffix(c.To, "/v1beta3") || strings.HasSuffix(c.To, "/v1")) {
		c.RenameKey(limited, key, "nominalConcurrencyShares")
		c.note("rename spec.limited.assuredConcurrencyShares to nominalConcurrencyShares")
	}
}

// convertWebhook moves a Mutating or ValidatingWebhookConfiguration from
// admissionregistration.k8s.io/v1beta1 to v1 (facts: webhookconfig-v1beta1).
// v1 changes three defaults (failurePolicy Ignore → Fail, matchPolicy
// Exact → Equivalent, timeoutSeconds 30 → 10): the fix writes the v1beta1
// values where the manifest relied on them. admissionReviewVersions becomes
// required (v1beta1 sent v1beta1 reviews). sideEffects becomes required and
// may only be None or NoneOnDryRun: where it was unset (Unknown) or Unknown
// or Some, the fix writes None and is unsafe, since only the webhook's
// author knows whether that is true. Duplicate webhook names (v1 requires
// unique ones) are not converted.
func convertWebhook(c *conv) {
	ws := c.seqItems(c.root, "webhooks")
	seen := map[string]bool{}
	for _, w := range ws {
		if name := valueAt(w, "name"); seen[name] {
			c.Fail("webhook name %q is used twice", name)
			return
		} else {
			seen[name] = true
		}
	}
	pinned, sideEffects := false, false
	for _, w := range ws {
		var add []yamledit.Item
		switch se := scan.MapGet(w, "sideEffects"); {
		case !has(w, "sideEffects"):
			if exists(w, "sideEffects") {
				c.Put(w, yamledit.Scalar("sideEffects", "None"), yamledit.AtEnd, "")
			} else {
				add = append(add, yamledit.Scalar("sideEffects", "None"))
			}
			sideEffects = true
		case se.Value != "None" && se.Value != "NoneOnDryRun":
			c.SetValue(se, "None")
			sideEffects = true
		}
		for _, d := range [][2]string{
			{"admissionReviewVersions", "[v1beta1]"},
			{"failurePolicy", "Ignore"},
			{"matchPolicy", "Exact"},
			{"timeoutSeconds", "30"},
		} {
			if !has(w, d[0]) {
				pinned = true
				if exists(w, d[0]) {
					c.Put(w, yamledit.Scalar(d[0], d[1]), yamledit.AtEnd, "")
				} else {
					add = append(add, yamledit.Scalar(d[0], d[1]))
				}
			}
		}
		if len(add) > 0 {
			c.Insert(w, yamledit.AtEnd, "", add)
		}
	}
	if pinned {
		c.note("write the v1beta1 defaults v1 changes (admissionReviewVersions, failurePolicy, matchPolicy, timeoutSeconds) where they were unset")
	}
	if sideEffects {
		c.note("set sideEffects: None")
		c.risk("admissionregistration.k8s.io/v1 accepts only sideEffects None or NoneOnDryRun; kubeready wrote None where it was unset, Unknown or Some: confirm the webhook has no side effects (or use NoneOnDryRun)")
	}
}
