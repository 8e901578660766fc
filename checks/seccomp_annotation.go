package checks

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/checks/yamledit"
	"github.com/kubeready/kubeready/scan"
)

// Seccomp alpha annotation keys: one for the pod, one prefix per container.
const (
	seccompPodKey       = "seccomp.security.alpha.kubernetes.io/pod"
	seccompContainerKey = "container.seccomp.security.alpha.kubernetes.io/"
)

var seccompAnnotation = &Rule{
	ID: "seccomp-annotation", Title: "Seccomp profile set by an alpha annotation", Severity: Warning, Since: "1.25",
	SeverityAt: stepped(step{"1.25", Warning}, step{"1.27", Error}),
	Rationale: "The seccomp.security.alpha.kubernetes.io annotations were replaced by securityContext.seccompProfile in 1.19. " +
		"From 1.25 the kubelet ignores them and only the API server's copy into the field at pod creation keeps them " +
		"working; 1.27 removes that copy, so pods that only carry the annotation run without the intended seccomp profile, silently.",
	Fix: "Set securityContext.seccompProfile on the pod (for .../pod) or on the container (for container.seccomp...), " +
		"runtime/default and docker/default as {type: RuntimeDefault}, unconfined as {type: Unconfined}, " +
		"localhost/<path> as {type: Localhost, localhostProfile: <path>}; then remove the annotation.",
	Example: "spec:\n  template:\n    metadata:\n      annotations:\n        seccomp.security.alpha.kubernetes.io/pod: runtime/default\n",
	Source:  "https://github.com/kubernetes/kubernetes/blob/master/CHANGELOG/CHANGELOG-1.27.md",
	Kinds:   PodSpecKinds,
	Check: podCheck(func(r *Rule, d *scan.Document, env Env, p *PodSpec) []Finding {
		var out []Finding
		scan.Pairs(p.Annotations, func(k, v *yaml.Node) {
			var host *yaml.Node // the mapping whose securityContext takes the profile
			var where string
			switch {
			case k.Value == seccompPodKey:
				host, where = p.Spec, p.Path+".securityContext.seccompProfile"
			case strings.HasPrefix(k.Value, seccompContainerKey):
				name := k.Value[len(seccompContainerKey):]
				if c := p.Container(name); c != nil {
					host, where = c.Node, fmt.Sprintf("securityContext.seccompProfile of container %s", name)
				} else {
					where = fmt.Sprintf("securityContext.seccompProfile of a container (none is named %s)", name)
				}
			default:
				return
			}
			if host != nil && scan.MapPath(host, "securityContext", "seccompProfile") != nil {
				return // the field is set: the annotation is redundant, not relied on
			}
			var msg string
			if env.Target.AtLeast(Version{1, 27}) {
				msg = fmt.Sprintf("Annotation %s does nothing from Kubernetes 1.27: the pod runs without this seccomp profile. Set %s instead.", k.Value, where)
			} else {
				msg = fmt.Sprintf("Annotation %s is ignored by the kubelet from Kubernetes 1.25 and dropped entirely in 1.27, "+
					"where the pod silently runs without this seccomp profile. Set %s instead.", k.Value, where)
			}
			f := r.Finding(d, env, scan.PosOf(k), msg)
			if host != nil {
				if fix, ok := seccompFix(d, p, host, k, v); ok {
					f.Fixes = []Fix{fix}
				}
			}
			out = append(out, f)
		})
		return out
	}),
}

// seccompProfile maps an alpha annotation value to seccompProfile fields.
func seccompProfile(v string) ([]string, bool) {
	switch {
	case v == "runtime/default" || v == "docker/default":
		return []string{"type: RuntimeDefault"}, true
	case v == "unconfined":
		return []string{"type: Unconfined"}, true
	case strings.HasPrefix(v, "localhost/") && len(v) > len("localhost/"):
		p := v[len("localhost/"):]
		if yamledit.PlainSafe(p) {
			return []string{"type: Localhost", "localhostProfile: " + p}, true
		}
		return []string{"type: Localhost", "localhostProfile: " + yamledit.DoubleQuote(p)}, true
	}
	return nil, false
}

// seccompFix moves one annotation into securityContext.seccompProfile of
// host (the pod spec or a container): it deletes the annotation's line and
// inserts the field, in the file's indentation and line breaks. ok is false
// when the layout is not plain block style, where a text edit could go wrong.
func seccompFix(d *scan.Document, p *PodSpec, host, k, v *yaml.Node) (Fix, bool) {
	f := d.File
	profile, ok := seccompProfile(scan.ScalarValue(v))
	if !ok || !yamledit.BlockMapping(f, p.Annotations) || !yamledit.StartsLine(f, k) || scan.LastLine(v) != k.Line {
		return Fix{}, false
	}
	br := f.LineBreak()
	var edits []Edit

	// Remove the annotation; with it the annotations key when it was the only one.
	if len(p.Annotations.Content) == 2 {
		ak, _ := scan.MapEntry(p.Meta, "annotations")
		if ak == nil || !yamledit.StartsLine(f, ak) {
			return Fix{}, false
		}
		edits = append(edits, yamledit.DeleteLines(f, ak.Line, k.Line))
	} else {
		edits = append(edits, yamledit.DeleteLines(f, k.Line, k.Line))
	}

	// Insert the field.
	step := 2
	sk, sc := scan.MapEntry(host, "securityContext")
	switch {
	case sc != nil:
		if !yamledit.BlockMapping(f, sc) || !yamledit.StartsLine(f, sc.Content[0]) || sc.Content[0].Line <= sk.Line {
			return Fix{}, false
		}
		if s := sc.Content[0].Column - sk.Column; s > 0 {
			step = s
		}
		first := sc.Content[0]
		block := append([]string{"seccompProfile:"}, yamledit.IndentLines(profile, step)...)
		edits = append(edits, Edit{Path: f.Path, Start: f.LineStart(first.Line), End: f.LineStart(first.Line), New: yamledit.IndentText(block, first.Column-1, br)})
	default:
		if host.Kind != yaml.MappingNode || host.Style&yaml.FlowStyle != 0 {
			return Fix{}, false
		}
		var anchor *yaml.Node
		for i := 0; i < len(host.Content); i += 2 {
			if yamledit.StartsLine(f, host.Content[i]) {
				anchor = host.Content[i]
				break
			}
		}
		if anchor == nil {
			return Fix{}, false
		}
		block := append([]string{"securityContext:", strings.Repeat(" ", step) + "seccompProfile:"}, yamledit.IndentLines(profile, 2*step)...)
		edits = append(edits, Edit{Path: f.Path, Start: f.LineStart(anchor.Line), End: f.LineStart(anchor.Line), New: yamledit.IndentText(block, anchor.Column-1, br)})
	}
	if edits[1].Start < edits[0].End && edits[1].Start > edits[0].Start {
		return Fix{}, false // the insertion point lies inside the deleted lines
	}
	if edits[1].Start < edits[0].Start {
		edits[0], edits[1] = edits[1], edits[0]
	}
	fix := Fix{
		Description: fmt.Sprintf("Move %s to securityContext.seccompProfile (%s)", k.Value, profile[0]),
		Safe:        true,
		Edits:       edits,
	}
	switch d.Sig.Kind {
	case "Pod":
		fix.Safe, fix.Reason = false, "A Pod's securityContext cannot be changed in place: the Pod must be deleted and created again."
	case "Job":
		fix.Safe, fix.Reason = false, "A Job's pod template is immutable: the Job must be deleted and created again."
	}
	return fix, true
}
