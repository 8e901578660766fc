package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kubeready/kubeready/scan"
)

// ThirdPartyAPI is one row of data/thirdparty.yaml, or of apis: in
// .kubeready.yaml (a team's own custom resources): kinds of one
// group/version, its lifecycle and what replaces it. Rows of the embedded
// table count in the project's releases (Project set); rows of the
// configuration count in Kubernetes versions, like the built-in removal
// table, so that they take part in the upgrade plan.
type ThirdPartyAPI struct {
	APIVersion string   `yaml:"apiVersion"`
	Kinds      []string `yaml:"kinds"` // empty: every kind of the group/version
	// Project names whose releases Deprecated, Removed and Since count;
	// empty for a configuration row (Kubernetes versions).
	Project     string `yaml:"project"`
	Deprecated  string `yaml:"deprecated"`
	Removed     string `yaml:"removed"`
	Since       string `yaml:"since"` // release serving the replacement, for a move
	Replacement string `yaml:"replacement"`
	Note        string `yaml:"note"`
	Source      string `yaml:"source"`
	// Convert is "swap" when the replacement has the same schema.
	Convert string `yaml:"convert"`
}

// ThirdPartyAPIs is the embedded table of projects' custom resource APIs.
var ThirdPartyAPIs = loadThirdParty(thirdPartyYAML)

func loadThirdParty(data []byte) []ThirdPartyAPI {
	var t struct {
		APIs []ThirdPartyAPI `yaml:"apis"`
	}
	mustLoad("thirdparty.yaml", data, &t)
	return t.APIs
}

// matches reports whether the row covers apiVersion and kind.
func (a *ThirdPartyAPI) matches(apiVersion, kind string) bool {
	return a.APIVersion == apiVersion && (len(a.Kinds) == 0 || slices.Contains(a.Kinds, kind))
}

// findThirdParty returns the row for apiVersion and kind: the configuration's
// first (a team knows its own resources best), then the embedded table's.
func findThirdParty(apiVersion, kind string, custom []ThirdPartyAPI) *ThirdPartyAPI {
	for _, rows := range [][]ThirdPartyAPI{custom, ThirdPartyAPIs} {
		for i := range rows {
			if rows[i].matches(apiVersion, kind) {
				return &rows[i]
			}
		}
	}
	return nil
}

// verdict is a row's severity and message at target; ok is false when the
// row does not apply there (a configuration row not yet deprecated).
func (a *ThirdPartyAPI) verdict(kind string, target Version) (sev Severity, msg string, ok bool) {
	obj := kind + " " + a.APIVersion
	switch {
	case a.Project == "" && a.Removed != "" && target.AtLeast(MustVersion(a.Removed)):
		sev, msg = Error, fmt.Sprintf("%s is not served on Kubernetes %s: this repository's configuration removes it in %s.", obj, target, a.Removed)
	case a.Project == "" && a.Deprecated != "" && target.AtLeast(MustVersion(a.Deprecated)):
		sev, msg = Warning, fmt.Sprintf("%s is deprecated from Kubernetes %s on (this repository's configuration)", obj, a.Deprecated)
		if a.Removed != "" {
			msg += fmt.Sprintf(" and removed in %s", a.Removed)
		}
		msg += "."
	case a.Project == "":
		return 0, "", false
	case a.Removed != "":
		sev, msg = Error, fmt.Sprintf("%s is not served by %s %s and later", obj, a.Project, a.Removed)
		if a.Deprecated != "" {
			msg += fmt.Sprintf(" (deprecated in %s)", a.Deprecated)
		}
		msg += ": applying it fails on every supported release."
	case a.Deprecated != "":
		sev, msg = Warning, fmt.Sprintf("%s is deprecated since %s %s.", obj, a.Project, a.Deprecated)
	default:
		sev, msg = Info, fmt.Sprintf("%s has a stable successor: %s serves %s", obj, a.Project, a.Replacement)
		if a.Since != "" {
			msg += " from " + a.Since
		}
		msg += "."
	}
	if a.Replacement != "" && sev != Info {
		msg += " Use " + a.Replacement + "."
	}
	if a.Note != "" {
		msg += " " + a.Note
	}
	return sev, msg, true
}

var apiThirdParty = &Rule{
	ID: "api-third-party", Title: "Custom resource API version its project (or this repository) no longer serves",
	Severity: Error, Since: always,
	Rationale: "Operators remove old versions of their custom resources as Kubernetes removes built-in ones: cert-manager 1.6 " +
		"stopped serving v1alpha2, v1alpha3 and v1beta1, Istio 1.6 dropped its v1alpha1 security policies, and stable " +
		"successors such as Istio's v1 (1.22) exist for the rest. A manifest at a version its operator no longer serves " +
		"fails to apply. Teams list their own CRDs' versions under apis: in .kubeready.yaml, in Kubernetes versions.",
	Fix:     "Move the object to the replacement version (cmctl convert for cert-manager), then upgrade the operator.",
	Example: "apiVersion: cert-manager.io/v1alpha2\nkind: Certificate\n",
	Source:  "https://cert-manager.io/docs/releases/upgrading/remove-deprecated-apis/",
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		if !strings.Contains(d.Sig.APIVersion, ".") { // core and built-in groups without a dot are never custom
			return nil
		}
		row := findThirdParty(d.Sig.APIVersion, d.Sig.Kind, env.CustomAPIs)
		if row == nil {
			return nil
		}
		sev, msg, ok := row.verdict(d.Sig.Kind, env.Target)
		if !ok {
			return nil
		}
		f := r.Finding(d, env, d.Sig.APIVersionPos, msg)
		f.Severity, f.ObjectLevel = sev, true
		if row.Source != "" {
			f.URL = row.Source
		}
		if row.Convert == "swap" && row.Replacement != "" {
			f.Fixes = fixesFor(d, env, &Removal{APIVersion: row.APIVersion, Kinds: []string{d.Sig.Kind},
				Replacements: []Replacement{{APIVersion: row.Replacement}}, Convert: "swap"})
		}
		return []Finding{f}
	},
}

// CheckThirdPartyAPI validates a configuration row (apis: in
// .kubeready.yaml): a group/version with a dot, Kubernetes versions that
// parse, removal after deprecation, at least one of them.
func CheckThirdPartyAPI(a ThirdPartyAPI) error {
	if !strings.Contains(a.APIVersion, ".") || !strings.Contains(a.APIVersion, "/") {
		return fmt.Errorf("apiVersion %q: want group/version of a custom resource, such as example.com/v1alpha1", a.APIVersion)
	}
	if a.Deprecated == "" && a.Removed == "" {
		return fmt.Errorf("%s: give deprecated, removed or both (Kubernetes versions)", a.APIVersion)
	}
	var dep, rem Version
	var err error
	if a.Deprecated != "" {
		if dep, err = ParseVersion(a.Deprecated); err != nil {
			return fmt.Errorf("%s: deprecated: %v", a.APIVersion, err)
		}
	}
	if a.Removed != "" {
		if rem, err = ParseVersion(a.Removed); err != nil {
			return fmt.Errorf("%s: removed: %v", a.APIVersion, err)
		}
	}
	if !dep.IsZero() && !rem.IsZero() && rem.Less(dep) {
		return fmt.Errorf("%s: removed %s is before deprecated %s", a.APIVersion, rem, dep)
	}
	return nil
}
