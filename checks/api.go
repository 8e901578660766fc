package checks

import (
	"fmt"

	"github.com/kubeready/kubeready/scan"
)

// advice says what to move to, in one sentence.
func (r *Removal) advice(target Version) string {
	rep, ok := r.Replacement(target)
	if !ok {
		if r.Note != "" {
			return r.Note
		}
		return "There is no replacement API."
	}
	s := "Use " + rep.APIVersion
	if rep.Since != "" && target.Less(MustVersion(rep.Since)) {
		s += fmt.Sprintf(" (served from %s, so upgrade to %s first)", rep.Since, rep.Since)
	}
	s += "."
	if newest, ok := r.NewestReplacement(target); ok && newest != rep {
		s += fmt.Sprintf(" Kubernetes %s serves it too, so the object works before and after the upgrade; %s is served from %s on.",
			prevOf(target), newest.APIVersion, newest.Since)
	}
	if r.Note != "" {
		s += " " + r.Note
	}
	return s
}

var apiRemoved = &Rule{
	ID: "api-removed", Title: "API version no longer served by the target version", Severity: Error, Since: "1.8",
	Rationale: "Once the API server stops serving a group/version, every request naming it fails " +
		"(\"no matches for kind\"): kubectl apply, Helm and GitOps tools can no longer create or update the object.",
	Fix:     "Move the object to the replacement API version, applying any field changes it needs, before upgrading the control plane.",
	Example: "apiVersion: batch/v1beta1\nkind: CronJob\n",
	Source:  "https://kubernetes.io/docs/reference/using-api/deprecation-guide/",
	Check: func(rule *Rule, d *scan.Document, env Env) []Finding {
		r := APIs.Find(d.Sig.APIVersion, d.Sig.Kind)
		if r == nil || env.Target.Less(MustVersion(r.Removed)) {
			return nil
		}
		return apiFinding(rule, d, env, r, fmt.Sprintf("%s %s is not served by Kubernetes %s: it was removed in %s.",
			d.Sig.Kind, d.Sig.APIVersion, env.Target, r.Removed))
	},
}

var apiDeprecated = &Rule{
	ID: "api-deprecated", Title: "API version deprecated, removed in a later version", Severity: Warning, Since: "1.8",
	Rationale: "The target still serves this API version but warns on every request; a later upgrade will remove it.",
	Fix:       "Move the object to the replacement API version now, while both are served.",
	Example:   "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\n",
	Source:    "https://kubernetes.io/docs/reference/using-api/deprecation-guide/",
	Check: func(rule *Rule, d *scan.Document, env Env) []Finding {
		r := APIs.Find(d.Sig.APIVersion, d.Sig.Kind)
		if r == nil || r.Deprecated == "" || env.Target.AtLeast(MustVersion(r.Removed)) || env.Target.Less(MustVersion(r.Deprecated)) {
			return nil
		}
		return apiFinding(rule, d, env, r, fmt.Sprintf("%s %s is deprecated since %s and removed in %s.",
			d.Sig.Kind, d.Sig.APIVersion, r.Deprecated, r.Removed))
	},
}

// apiFinding is the finding of an API rule for a document whose apiVersion
// row r names: what happens (what), then what to move to, at the apiVersion
// line, for the whole object, with the conversion fixes.
func apiFinding(rule *Rule, d *scan.Document, env Env, r *Removal, what string) []Finding {
	msg := what + " " + r.advice(env.Target)
	if c := caveats[r.Convert]; c != nil {
		if s := c(d); s != "" {
			msg += " " + s
		}
	}
	f := rule.Finding(d, env, d.Sig.APIVersionPos, msg)
	f.URL, f.ObjectLevel = r.Source, true
	f.Fixes = fixesFor(d, env, r)
	return []Finding{f}
}

// prevOf is the release before target, the one an upgrade to target starts from.
func prevOf(target Version) Version {
	p, _ := target.previous()
	return p
}
