package checks

import (
	_ "embed"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

//go:embed data/apis.yaml
var apisYAML []byte

// Removal is one row of the removal table: kinds of one group/version that
// the API server stopped serving at Removed.
type Removal struct {
	APIVersion   string        `yaml:"apiVersion"`
	Kinds        []string      `yaml:"kinds"`
	Deprecated   string        `yaml:"deprecated"`
	Removed      string        `yaml:"removed"`
	Replacements []Replacement `yaml:"replacements"`
	Note         string        `yaml:"note"`
	Source       string        `yaml:"source"`
	// Convert names the converter (convert.go) that moves an object to the
	// replacement; empty means kubeready offers no fix.
	Convert string `yaml:"convert"`
}

// Replacement is an API version that serves the same kind, from Since on.
type Replacement struct {
	APIVersion string `yaml:"apiVersion"`
	Since      string `yaml:"since"`
}

// APITable is the embedded removal table.
type APITable struct {
	NewestRelease string    `yaml:"newest_release"`
	Removals      []Removal `yaml:"removals"`

	byKey map[string]*Removal
}

// APIs is the removal table, loaded once from the embedded data.
var APIs = loadAPIs(apisYAML)

func loadAPIs(data []byte) *APITable {
	var t APITable
	if err := yaml.Unmarshal(data, &t); err != nil {
		panic(fmt.Sprintf("checks/data/apis.yaml: %v", err))
	}
	t.byKey = map[string]*Removal{}
	for i := range t.Removals {
		r := &t.Removals[i]
		for _, k := range r.Kinds {
			t.byKey[r.APIVersion+"\x00"+k] = r
		}
	}
	return &t
}

// Newest is the newest Kubernetes release the facts cover.
func (t *APITable) Newest() Version { return MustVersion(t.NewestRelease) }

// Find returns the row for apiVersion and kind, or nil when that pair was
// never removed (or is not a built-in API at all).
func (t *APITable) Find(apiVersion, kind string) *Removal {
	return t.byKey[apiVersion+"\x00"+kind]
}

// Served reports whether the target serves apiVersion/kind, as far as the
// removal table knows: custom resources are always served.
func (t *APITable) Served(apiVersion, kind string, target Version) bool {
	r := t.Find(apiVersion, kind)
	return r == nil || target.Less(MustVersion(r.Removed))
}

// Replacement picks the replacement to recommend at target: the newest one
// the target serves, else the first one with the release that serves it.
func (r *Removal) Replacement(target Version) (Replacement, bool) {
	if len(r.Replacements) == 0 {
		return Replacement{}, false
	}
	for i := len(r.Replacements) - 1; i >= 0; i-- {
		rep := r.Replacements[i]
		if (rep.Since == "" || target.AtLeast(MustVersion(rep.Since))) && APIs.Served(rep.APIVersion, "", target) {
			if other := APIs.Find(rep.APIVersion, r.Kinds[0]); other == nil || target.Less(MustVersion(other.Removed)) {
				return rep, true
			}
		}
	}
	return r.Replacements[len(r.Replacements)-1], true
}

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
		msg := fmt.Sprintf("%s %s is not served by Kubernetes %s: it was removed in %s. %s",
			d.Sig.Kind, d.Sig.APIVersion, env.Target, r.Removed, r.advice(env.Target))
		f := rule.Finding(d, env, d.Sig.APIVersionPos, msg)
		f.URL, f.ObjectLevel = r.Source, true
		f.Fixes = fixesFor(d, env, r)
		return []Finding{f}
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
		msg := fmt.Sprintf("%s %s is deprecated since %s and removed in %s. %s",
			d.Sig.Kind, d.Sig.APIVersion, r.Deprecated, r.Removed, r.advice(env.Target))
		f := rule.Finding(d, env, d.Sig.APIVersionPos, msg)
		f.URL, f.ObjectLevel = r.Source, true
		f.Fixes = fixesFor(d, env, r)
		return []Finding{f}
	},
}
