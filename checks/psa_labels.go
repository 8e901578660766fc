package checks

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/checks/yamledit"
	"github.com/kubeready/kubeready/scan"
)

// psaPrefix starts every Pod Security Admission namespace label.
const psaPrefix = "pod-security.kubernetes.io/"

// psaModes are the label key suffixes that take a level; each also has a
// -version key.
var psaModes = []string{"enforce", "audit", "warn"}

// psaLevels are the Pod Security Standards levels (case-sensitive).
var psaLevels = map[string]bool{"privileged": true, "baseline": true, "restricted": true}

// psaVersion is a valid version label value besides "latest".
var psaVersion = regexp.MustCompile(`^v1\.(0|[1-9][0-9]*)$`)

// psaVersionLike reads the minor out of values people write for a version:
// 1.25, v1.25.0, V1.25.
var psaVersionLike = regexp.MustCompile(`^[vV]?1\.(0|[1-9][0-9]*)(\.[0-9]+)?$`)

var psaLabels = &Rule{
	ID: "psa-labels", Title: "Invalid Pod Security Admission namespace label", Severity: Error, Since: "1.23",
	Rationale: "Pod Security Admission (on by default from 1.23, the replacement for PodSecurityPolicy in 1.25) reads six " +
		"namespace labels. The API server rejects a namespace created with an invalid level or version; a namespace that " +
		"already carries one is enforced at restricted/latest while audit and warn fall back to privileged. A misspelt key " +
		"is silently ignored (reported as a warning), so the intended policy never applies.",
	Fix: "Use the keys pod-security.kubernetes.io/{enforce,audit,warn}[-version], the levels privileged, baseline or " +
		"restricted, and versions latest or v1.<minor> (v1.25, not 1.25 or v1.25.0).",
	Example: "kind: Namespace\nmetadata:\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n    pod-security.kubernetes.io/enforce-version: v1.25.0\n",
	Source:  "https://kubernetes.io/docs/concepts/security/pod-security-admission/",
	Kinds:   []string{"Namespace"},
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		if d.Sig.APIVersion != "v1" {
			return nil
		}
		root, _ := d.Node()
		var out []Finding
		scan.Pairs(scan.MapPath(root, "metadata", "labels"), func(k, v *yaml.Node) {
			key := k.Value
			if !strings.HasPrefix(key, psaPrefix) {
				return
			}
			suffix := key[len(psaPrefix):]
			mode, isVersion := strings.CutSuffix(suffix, "-version")
			if !validMode(mode) {
				f := r.Finding(d, env, scan.PosOf(k), fmt.Sprintf("Label %s is not a Pod Security Admission key, so it is ignored and "+
					"no policy applies through it. Use pod-security.kubernetes.io/enforce, audit or warn (each with an optional -version key).", key))
				f.Severity = Warning
				out = append(out, f)
				return
			}
			val := scan.ScalarValue(v)
			existing := "and a namespace that already has it is enforced at restricted/latest"
			if mode != "enforce" {
				existing = "and on a namespace that already has it " + mode + " checks nothing"
			}
			switch {
			case isVersion && val != "latest" && !psaVersion.MatchString(val):
				f := r.Finding(d, env, scan.PosOf(v), fmt.Sprintf("%s %q is not a valid version: the API server rejects the namespace, "+
					"%s. Use latest or v1.<minor>, such as v1.25.", key, val, existing))
				if m := psaVersionLike.FindStringSubmatch(val); m != nil {
					if e, ok := yamledit.ReplaceScalar(d.File, v, "v1."+m[1]); ok {
						f.Fixes = []Fix{{Description: fmt.Sprintf("Set %s to v1.%s", key, m[1]), Reason: psaFixReason, Edits: []Edit{e}}}
					}
				}
				out = append(out, f)
			case !isVersion && !psaLevels[val]:
				f := r.Finding(d, env, scan.PosOf(v), fmt.Sprintf("%s %q is not a valid level: the API server rejects the namespace, "+
					"%s. Use privileged, baseline or restricted (lower case).", key, val, existing))
				if low := strings.ToLower(val); psaLevels[low] {
					if e, ok := yamledit.ReplaceScalar(d.File, v, low); ok {
						f.Fixes = []Fix{{Description: fmt.Sprintf("Set %s to %s", key, low), Reason: psaFixReason, Edits: []Edit{e}}}
					}
				}
				out = append(out, f)
			}
		})
		return out
	},
}

// psaFixReason says why a corrected PSA label is not a behaviour-preserving fix.
const psaFixReason = "A namespace that already carries the invalid value is enforced at restricted/latest (enforce) " +
	"or checked at privileged (audit, warn) today; the corrected value changes what is enforced there."

func validMode(m string) bool {
	for _, x := range psaModes {
		if m == x {
			return true
		}
	}
	return false
}
