package checks

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/checks/yamledit"
	"github.com/kubeready/kubeready/scan"
)

// ingressClassAnnotation is the legacy way to pick an ingress controller.
const ingressClassAnnotation = "kubernetes.io/ingress.class"

// convertIngress moves an Ingress from extensions/v1beta1 or
// networking.k8s.io/v1beta1 to networking.k8s.io/v1 (facts: ingress-v1beta1):
// spec.backend becomes spec.defaultBackend; each backend's serviceName and
// servicePort become service.name and service.port.number (or .name for a
// named port); each path without a pathType gets ImplementationSpecific,
// the behaviour v1beta1 had. The kubernetes.io/ingress.class annotation is
// kept: moving it to spec.ingressClassName is offered as a second,
// unsafe fix, because that field names an IngressClass object that may not
// exist.
func convertIngress(c *conv) {
	spec := c.block(c.root, "spec")
	if spec == nil {
		return
	}
	backends, paths := 0, 0
	if exists(spec, "backend") {
		if b := c.block(spec, "backend"); b != nil && exists(b, "serviceName") {
			backends += c.ingressBackend(b, "defaultBackend")
		} else {
			c.RenameKey(spec, "backend", "defaultBackend")
		}
		c.note("rename spec.backend to spec.defaultBackend")
	}
	for _, rule := range c.seqItems(spec, "rules") {
		for _, p := range c.seqItems(c.block(rule, "http"), "paths") {
			if b := c.block(p, "backend"); b != nil {
				backends += c.ingressBackend(b, "")
			}
			if !has(p, "pathType") {
				switch {
				case exists(p, "pathType"):
					c.Put(p, yamledit.Scalar("pathType", "ImplementationSpecific"), yamledit.AtEnd, "")
				case exists(p, "path"):
					c.Insert(p, yamledit.After, "path", []yamledit.Item{yamledit.Scalar("pathType", "ImplementationSpecific")})
				default:
					c.Insert(p, yamledit.AtEnd, "", []yamledit.Item{yamledit.Scalar("pathType", "ImplementationSpecific")})
				}
				paths++
			}
		}
	}
	if backends > 0 {
		c.note("write %s as service.name and service.port", plural(backends, "backend"))
	}
	if paths > 0 {
		c.note("add pathType: ImplementationSpecific to %s", plural(paths, "path"))
	}
	meta := c.block(c.root, "metadata")
	ann := c.block(meta, "annotations")
	class := scan.MapGet(ann, ingressClassAnnotation)
	if class == nil || class.Kind != yaml.ScalarNode || exists(spec, "ingressClassName") {
		return
	}
	c.hasAlt = true
	if !c.alt {
		c.note("keep the %s annotation", ingressClassAnnotation)
		return
	}
	c.Insert(spec, yamledit.Before, spec.Content[0].Value, []yamledit.Item{yamledit.Scalar("ingressClassName", c.Raw(class))})
	if len(ann.Content) == 2 {
		c.Delete(meta, "annotations")
	} else {
		c.Delete(ann, ingressClassAnnotation)
	}
	c.note("move the %s annotation to spec.ingressClassName", ingressClassAnnotation)
	c.risk("spec.ingressClassName names an IngressClass object, which must exist in the cluster (the annotation named the class directly); check that IngressClass %q exists and that the controller reads spec.ingressClassName", class.Value)
}

// ingressBackend rewrites one v1beta1 backend {serviceName, servicePort} as
// {service: {name, port: {number | name}}} and returns 1, or 0 when it is a
// resource backend. rename, if set, is the backend's new key.
func (c *conv) ingressBackend(b *yaml.Node, rename string) int {
	if !exists(b, "serviceName") {
		if !has(b, "resource") {
			c.Fail("line %d: backend without serviceName", b.Line)
		}
		return 0
	}
	port := scan.MapGet(b, "servicePort")
	if port == nil || port.Kind != yaml.ScalarNode {
		c.Fail("line %d: backend without servicePort", b.Line)
		return 0
	}
	var p yamledit.Item
	switch {
	case port.Tag == "!!int":
		p = yamledit.Moved(b, "servicePort", "number")
	case port.Tag == "!!str" && port.Value != "" && strings.Trim(port.Value, "0123456789") == "":
		num := strings.TrimLeft(port.Value, "0")
		if num == "" {
			num = "0"
		}
		p = yamledit.Moved(b, "servicePort", "number").WithValue(num)
		c.risk("servicePort %q was a string, which v1beta1 read as a port name; kubeready wrote it as port number %s", port.Value, num)
	case port.Tag == "!!str":
		p = yamledit.Moved(b, "servicePort", "name")
	default:
		c.Fail("line %d: servicePort is neither a number nor a name", port.Line)
		return 0
	}
	c.ReplaceAs(b, []string{"serviceName", "servicePort"}, []yamledit.Item{
		yamledit.Group("service", yamledit.Moved(b, "serviceName", "name"), yamledit.Group("port", p)),
	}, rename)
	return 1
}
