package checks

import (
	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/checks/yamledit"
)

// convertHPAv2beta1 moves a HorizontalPodAutoscaler from autoscaling/v2beta1
// to autoscaling/v2, reshaping each metric source the way the API server's
// own conversion does (facts: hpa-autoscaling-v2beta1; kubernetes
// pkg/apis/autoscaling/v2beta1/conversion.go):
//
//	resource, containerResource: targetAverageUtilization N → target {type: Utilization, averageUtilization: N}
//	                             targetAverageValue Q → target {type: AverageValue, averageValue: Q}
//	pods:     metricName, selector → metric {name, selector}; targetAverageValue → target {type: AverageValue, averageValue}
//	object:   target → describedObject; metricName, selector → metric;
//	          targetValue → target {type: Value, value}, or with averageValue {type: AverageValue, averageValue(, value)}
//	external: metricName, metricSelector → metric {name, selector};
//	          targetValue → target {type: Value, value(, averageValue)}, else {type: AverageValue, averageValue}
//
// A manifest with a status (in the v2beta1 shape) is not converted.
func convertHPAv2beta1(c *conv) {
	if has(c.root, "status") {
		c.Fail("status is in the v2beta1 shape")
		return
	}
	n := 0
	for _, m := range c.seqItems(c.block(c.root, "spec"), "metrics") {
		for _, key := range []string{"resource", "containerResource", "pods", "object", "external"} {
			src := c.block(m, key)
			if src == nil {
				continue
			}
			switch key {
			case "resource", "containerResource":
				hpaResource(c, src)
			case "pods":
				hpaPods(c, src)
			case "object":
				hpaObject(c, src)
			case "external":
				hpaExternal(c, src)
			}
			n++
		}
	}
	if n > 0 {
		c.note("reshape %s to the metric/target form", plural(n, "metric"))
	}
}

// targetItems builds the kids of a v2 target: its type, then each v2beta1
// field present, moved under its v2 name.
func targetItems(src *yaml.Node, typ string, fields ...[2]string) (kids []yamledit.Item, keys []string) {
	kids = []yamledit.Item{yamledit.Scalar("type", typ)}
	for _, f := range fields {
		if has(src, f[0]) {
			kids = append(kids, yamledit.Moved(src, f[0], f[1]))
			keys = append(keys, f[0])
		}
	}
	return kids, keys
}

func hpaResource(c *conv, src *yaml.Node) {
	typ := "AverageValue"
	if has(src, "targetAverageUtilization") {
		typ = "Utilization"
	} else if !has(src, "targetAverageValue") {
		c.Fail("line %d: metric without a target", src.Line)
		return
	}
	kids, keys := targetItems(src, typ, [2]string{"targetAverageUtilization", "averageUtilization"}, [2]string{"targetAverageValue", "averageValue"})
	c.Replace(src, keys, []yamledit.Item{yamledit.Group("target", kids...)})
}

// metricItems builds the v2 metric identifier from a metric name and an
// optional selector field.
func metricItems(src *yaml.Node, selector string) (kids []yamledit.Item, keys []string) {
	kids, keys = []yamledit.Item{yamledit.Moved(src, "metricName", "name")}, []string{"metricName"}
	if has(src, selector) {
		kids = append(kids, yamledit.Moved(src, selector, "selector"))
		keys = append(keys, selector)
	}
	return kids, keys
}

func hpaPods(c *conv, src *yaml.Node) {
	if !has(src, "metricName") || !has(src, "targetAverageValue") {
		c.Fail("line %d: pods metric without metricName or targetAverageValue", src.Line)
		return
	}
	metric, keys := metricItems(src, "selector")
	target, tkeys := targetItems(src, "AverageValue", [2]string{"targetAverageValue", "averageValue"})
	c.Replace(src, append(keys, tkeys...), []yamledit.Item{yamledit.Group("metric", metric...), yamledit.Group("target", target...)})
}

func hpaObject(c *conv, src *yaml.Node) {
	if !has(src, "target") || !has(src, "metricName") || !has(src, "targetValue") && !has(src, "averageValue") {
		c.Fail("line %d: object metric without target, metricName or a target value", src.Line)
		return
	}
	metric, keys := metricItems(src, "selector")
	var target []yamledit.Item
	var tkeys []string
	if has(src, "averageValue") {
		target, tkeys = targetItems(src, "AverageValue", [2]string{"averageValue", "averageValue"}, [2]string{"targetValue", "value"})
	} else {
		target, tkeys = targetItems(src, "Value", [2]string{"targetValue", "value"})
	}
	keys = append(append([]string{"target"}, keys...), tkeys...)
	c.Replace(src, keys, []yamledit.Item{yamledit.Moved(src, "target", "describedObject"), yamledit.Group("metric", metric...), yamledit.Group("target", target...)})
}

func hpaExternal(c *conv, src *yaml.Node) {
	if !has(src, "metricName") || !has(src, "targetValue") && !has(src, "targetAverageValue") {
		c.Fail("line %d: external metric without metricName or a target value", src.Line)
		return
	}
	metric, keys := metricItems(src, "metricSelector")
	typ := "AverageValue"
	if has(src, "targetValue") {
		typ = "Value"
	}
	target, tkeys := targetItems(src, typ, [2]string{"targetValue", "value"}, [2]string{"targetAverageValue", "averageValue"})
	c.Replace(src, append(keys, tkeys...), []yamledit.Item{yamledit.Group("metric", metric...), yamledit.Group("target", target...)})
}
