package checks

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

// PodSpecKinds are the built-in kinds that carry a pod spec. Rules that read
// pod specs list them in Rule.Kinds.
var PodSpecKinds = []string{"Pod", "PodTemplate", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "ReplicationController", "Job", "CronJob"}

// podSpecPaths says where each kind keeps its pod template: the keys from the
// object root to the mapping that holds the pod's metadata and spec.
var podSpecPaths = map[string][]string{
	"Pod":                   nil,
	"PodTemplate":           {"template"},
	"Deployment":            {"spec", "template"},
	"ReplicaSet":            {"spec", "template"},
	"StatefulSet":           {"spec", "template"},
	"DaemonSet":             {"spec", "template"},
	"ReplicationController": {"spec", "template"},
	"Job":                   {"spec", "template"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template"},
}

// podSpecGroups are the API groups in which those kinds are the built-in
// ones; a custom resource that happens to be called Job is not read.
var podSpecGroups = map[string]bool{"": true, "apps": true, "extensions": true, "batch": true}

// PodSpec is the pod spec of one object with the nodes around it, each with
// its file position.
type PodSpec struct {
	// Path is where the spec sits in the object, such as spec.template.spec.
	Path string
	// Template is the mapping that holds the pod's metadata and spec (the
	// object root for a Pod).
	Template *yaml.Node
	// Meta is the pod's metadata mapping and Spec its spec mapping; Meta is
	// nil when the template has no metadata.
	Meta, Spec *yaml.Node
	// Labels and Annotations are the pod's label and annotation mappings, or nil.
	Labels, Annotations *yaml.Node
	// Containers lists containers, then init containers, then ephemeral
	// containers, each in file order.
	Containers []Container
	// Volumes are the pod's volumes in file order.
	Volumes []Volume
}

// Container is one entry of containers, initContainers or ephemeralContainers.
type Container struct {
	// List is "containers", "initContainers" or "ephemeralContainers".
	List string
	// Name is the container's name ("" when absent).
	Name string
	// Node is the container's mapping.
	Node *yaml.Node
	// Image is the image reference, and ImageNode its value node (nil when absent).
	Image     string
	ImageNode *yaml.Node
}

// Volume is one entry of a pod's volumes.
type Volume struct {
	// Name is the volume's name ("" when absent).
	Name string
	// Node is the volume's mapping.
	Node *yaml.Node
	// Source is the key naming the volume type (hostPath, awsElasticBlockStore,
	// ...); SourceKey and SourceValue are its nodes. Source is "" when the
	// volume has no key besides name.
	Source                 string
	SourceKey, SourceValue *yaml.Node
}

// PodSpecOf returns the pod spec of a document, or nil when the document is
// not one of PodSpecKinds in a built-in API group or has no pod spec. It
// parses the document's Node.
func PodSpecOf(d *scan.Document) *PodSpec {
	path, ok := podSpecPaths[d.Sig.Kind]
	if !ok || !podSpecGroups[apiGroup(d.Sig.APIVersion)] {
		return nil
	}
	root, err := d.Node()
	if err != nil || root == nil {
		return nil
	}
	tmpl := root
	for _, k := range path {
		tmpl = scan.MapGet(tmpl, k)
	}
	spec := scan.MapGet(tmpl, "spec")
	if spec == nil || spec.Kind != yaml.MappingNode {
		return nil
	}
	p := &PodSpec{Path: strings.Join(append(path[:len(path):len(path)], "spec"), "."), Template: tmpl, Spec: spec}
	if m := scan.MapGet(tmpl, "metadata"); m != nil && m.Kind == yaml.MappingNode {
		p.Meta = m
		p.Labels = scan.MappingOrNil(scan.MapGet(m, "labels"))
		p.Annotations = scan.MappingOrNil(scan.MapGet(m, "annotations"))
	}
	for _, list := range []string{"containers", "initContainers", "ephemeralContainers"} {
		for _, c := range scan.Items(scan.MapGet(spec, list)) {
			if c.Kind != yaml.MappingNode {
				continue
			}
			ct := Container{List: list, Node: c, Name: scan.StringValue(scan.MapGet(c, "name"))}
			if img := scan.MapGet(c, "image"); img != nil && img.Kind == yaml.ScalarNode {
				ct.Image, ct.ImageNode = img.Value, img
			}
			p.Containers = append(p.Containers, ct)
		}
	}
	for _, v := range scan.Items(scan.MapGet(spec, "volumes")) {
		if v.Kind != yaml.MappingNode {
			continue
		}
		vol := Volume{Node: v, Name: scan.StringValue(scan.MapGet(v, "name"))}
		for i := 0; i+1 < len(v.Content); i += 2 {
			if k := v.Content[i].Value; k != "name" {
				vol.Source, vol.SourceKey, vol.SourceValue = k, v.Content[i], scan.Deref(v.Content[i+1])
				break
			}
		}
		p.Volumes = append(p.Volumes, vol)
	}
	return p
}

// Container returns the container named name, or nil.
func (p *PodSpec) Container(name string) *Container {
	return first(p.Containers, func(c *Container) bool { return c.Name == name })
}

// Volume returns the volume named name, or nil.
func (p *PodSpec) Volume(name string) *Volume {
	return first(p.Volumes, func(v *Volume) bool { return v.Name == name })
}

// first returns the first element of s that ok accepts, or nil.
func first[T any](s []T, ok func(*T) bool) *T {
	for i := range s {
		if ok(&s[i]) {
			return &s[i]
		}
	}
	return nil
}

// apiGroup is the group of an apiVersion: "" for the core group ("v1").
func apiGroup(apiVersion string) string {
	if i := strings.LastIndexByte(apiVersion, '/'); i >= 0 {
		return apiVersion[:i]
	}
	return ""
}

// podCheck adapts a check of one pod spec into a rule's Check: documents
// that hold no pod spec give no finding.
func podCheck(check func(r *Rule, d *scan.Document, env Env, p *PodSpec) []Finding) func(*Rule, *scan.Document, Env) []Finding {
	return func(r *Rule, d *scan.Document, env Env) []Finding {
		p := PodSpecOf(d)
		if p == nil {
			return nil
		}
		return check(r, d, env, p)
	}
}
