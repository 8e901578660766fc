package checks

import (
	"sort"
	"strings"
)

// ServedAPIVersions lists what an API server of the target version serves by
// default, as Helm's .Capabilities.APIVersions holds it: every group/version
// ("policy/v1") and every group/version/Kind ("policy/v1/PodDisruptionBudget"),
// sorted. It is the stable built-ins of data/served.yaml plus the rows of the
// removal table the target has not removed yet; alpha versions, and beta
// versions that are off by default, are left out.
func ServedAPIVersions(target Version) []string {
	set := map[string]bool{}
	add := func(apiVersion, kind string) {
		set[apiVersion] = true
		set[apiVersion+"/"+kind] = true
	}
	served := Served()
	for _, r := range served.Stable {
		if target.Less(MustVersion(r.Since)) {
			continue
		}
		for _, k := range r.Kinds {
			add(r.APIVersion, k)
		}
	}
	for _, r := range APIs.Removals {
		if target.AtLeast(MustVersion(r.Removed)) || isAlpha(r.APIVersion) {
			continue
		}
		for _, k := range r.Kinds {
			if since, ok := served.prereleaseSince(r.APIVersion, k); ok {
				if since == "never" || target.Less(MustVersion(since)) {
					continue
				}
			}
			add(r.APIVersion, k)
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// isAlpha reports whether a group/version is an alpha version (v1alpha1).
func isAlpha(apiVersion string) bool {
	v := apiVersion[strings.LastIndex(apiVersion, "/")+1:]
	return strings.Contains(v, "alpha")
}
