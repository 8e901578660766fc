package checks

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed data/served.yaml
var servedYAML []byte

// ServedRow is one row of data/served.yaml: kinds of a group/version and
// the first release that serves them by default ("never" for APIs that are
// off by default).
type ServedRow struct {
	APIVersion string   `yaml:"apiVersion"`
	Kinds      []string `yaml:"kinds"`
	Since      string   `yaml:"since"`
	Source     string   `yaml:"source"`
}

// ServedTable is the embedded list of built-in APIs and when they are served.
type ServedTable struct {
	Stable     []ServedRow `yaml:"stable"`
	Prerelease []ServedRow `yaml:"prerelease"`
}

// Served returns the table of built-in APIs, parsed from the embedded data
// on first use (only runs that render charts need it, so plain runs do not
// pay for it at start-up).
var Served = sync.OnceValue(func() *ServedTable { return loadServed(servedYAML) })

func loadServed(data []byte) *ServedTable {
	var t ServedTable
	if err := yaml.Unmarshal(data, &t); err != nil {
		panic(fmt.Sprintf("checks/data/served.yaml: %v", err))
	}
	return &t
}

// prereleaseSince returns the prerelease row for apiVersion/kind, if any.
func (t *ServedTable) prereleaseSince(apiVersion, kind string) (string, bool) {
	for _, r := range t.Prerelease {
		if r.APIVersion != apiVersion {
			continue
		}
		for _, k := range r.Kinds {
			if k == kind {
				return r.Since, true
			}
		}
	}
	return "", false
}

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
