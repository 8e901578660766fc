package checks

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"

	"go.yaml.in/yaml/v3"
)

// The embedded tables of checks/data, each built from
// shared/reference/upgrade-facts.yaml with a source URL per row: the API
// removal table (APIs), the APIs a release serves (Served), and the rule
// tables (Data). This file holds every //go:embed and every loader.
var (
	//go:embed data/apis.yaml
	apisYAML []byte
	//go:embed data/served.yaml
	servedYAML []byte
	//go:embed data/volumes.yaml
	volumesYAML []byte
	//go:embed data/addons.yaml
	addonsYAML []byte
	//go:embed data/nodelabels.yaml
	nodeLabelsYAML []byte
	//go:embed data/images.yaml
	imagesYAML []byte
	//go:embed data/annotations.yaml
	annotationsYAML []byte
	//go:embed data/nodeflags.yaml
	nodeFlagsYAML []byte
	//go:embed data/upgradeorder.yaml
	upgradeOrderYAML []byte
	//go:embed data/thirdparty.yaml
	thirdPartyYAML []byte
)

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
	mustLoad("apis.yaml", data, &t)
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
// that both the target and the release before it serve (EKS, like
// Kubernetes, upgrades the control plane one minor version at a time, so that
// is the cluster being upgraded: an object moved to it works before and after
// the upgrade), else the newest one the target serves, else the first one
// with the release that serves it.
func (r *Removal) Replacement(target Version) (Replacement, bool) {
	if len(r.Replacements) == 0 {
		return Replacement{}, false
	}
	if prev, ok := target.previous(); ok {
		for i := len(r.Replacements) - 1; i >= 0; i-- {
			if rep := r.Replacements[i]; r.servedAt(rep, target) && r.servedAt(rep, prev) {
				return rep, true
			}
		}
	}
	if rep, ok := r.NewestReplacement(target); ok {
		return rep, true
	}
	return r.Replacements[len(r.Replacements)-1], true
}

// NewestReplacement is the newest replacement the target serves.
func (r *Removal) NewestReplacement(target Version) (Replacement, bool) {
	for i := len(r.Replacements) - 1; i >= 0; i-- {
		if rep := r.Replacements[i]; r.servedAt(rep, target) {
			return rep, true
		}
	}
	return Replacement{}, false
}

// servedAt reports whether v serves the replacement rep of r's kinds.
func (r *Removal) servedAt(rep Replacement, v Version) bool {
	if rep.Since != "" && v.Less(MustVersion(rep.Since)) || !APIs.Served(rep.APIVersion, "", v) {
		return false
	}
	other := APIs.Find(rep.APIVersion, r.Kinds[0])
	return other == nil || v.Less(MustVersion(other.Removed))
}

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
	mustLoad("served.yaml", data, &t)
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

// VolumePlugin is one in-tree volume plugin: its pod volume and
// PersistentVolume field, its StorageClass provisioner, and when it went.
type VolumePlugin struct {
	Field       string `yaml:"field"`
	Provisioner string `yaml:"provisioner"`
	Deprecated  string `yaml:"deprecated"`
	Removed     string `yaml:"removed"`
	// CSI is the driver CSI migration hands the type to after removal; empty
	// when the volume simply stops working.
	CSI string `yaml:"csi"`
	// Instead names an out-of-tree replacement for plugins without migration.
	Instead string `yaml:"instead"`
	// EKS is the rule that reports this plugin on the eks platform instead.
	EKS    string `yaml:"eks"`
	Source string `yaml:"source"`
}

// Addon is one version constraint on a cluster add-on image.
type Addon struct {
	Component string `yaml:"component"`
	// Repositories are image repository paths without the registry host.
	Repositories []string `yaml:"repositories"`
	// Check is "minimum", "same-minor" or "skew".
	Check    string   `yaml:"check"`
	Minimum  string   `yaml:"minimum"`
	Older    int      `yaml:"older"`
	From     string   `yaml:"from"`
	Severity Severity `yaml:"severity"`
	Why      string   `yaml:"why"`
	Source   string   `yaml:"source"`
}

// NodeLabel is a deprecated beta node label and its GA name.
type NodeLabel struct {
	Beta       string `yaml:"beta"`
	GA         string `yaml:"ga"`
	Deprecated string `yaml:"deprecated"`
	Source     string `yaml:"source"`
}

// Registry is an image registry host that is frozen, and its successor.
type Registry struct {
	Host        string `yaml:"host"`
	Replacement string `yaml:"replacement"`
	Frozen      string `yaml:"frozen"`
	Source      string `yaml:"source"`
}

// RetiredImage is an image repository whose project no longer ships fixes.
type RetiredImage struct {
	Repository string `yaml:"repository"`
	Project    string `yaml:"project"`
	Retired    string `yaml:"retired"`
	Source     string `yaml:"source"`
}

// PodAnnotation is a pod annotation that no longer has any effect.
type PodAnnotation struct {
	Key     string `yaml:"key"`
	Since   string `yaml:"since"`
	Instead string `yaml:"instead"`
	Source  string `yaml:"source"`
}

// KubeletFlag is a kubelet flag the target no longer has.
type KubeletFlag struct {
	Flag string `yaml:"flag"`
	// Config is the same setting as a KubeletConfiguration key.
	Config  string `yaml:"config"`
	Removed string `yaml:"removed"`
	Why     string `yaml:"why"`
	Source  string `yaml:"source"`
}

// Tables holds the rule data tables of checks/data.
type Tables struct {
	Volumes        []VolumePlugin
	Addons         []Addon
	NodeLabels     []NodeLabel
	Registries     []Registry
	Retired        []RetiredImage
	PodAnnotations []PodAnnotation
	KubeletFlags   []KubeletFlag
	// UpgradeOrder is the order EKS documents for one control-plane update
	// (upgrade_order.go).
	UpgradeOrder []UpgradeStep
}

// Data is the rule data, loaded once from the embedded tables.
var Data = loadTables()

func loadTables() *Tables {
	var t Tables
	var vol struct {
		Plugins []VolumePlugin `yaml:"plugins"`
	}
	var add struct {
		Addons []Addon `yaml:"addons"`
	}
	var lab struct {
		Labels []NodeLabel `yaml:"labels"`
	}
	var img struct {
		Registries []Registry     `yaml:"registries"`
		Retired    []RetiredImage `yaml:"retired"`
	}
	var ann struct {
		Pod []PodAnnotation `yaml:"pod"`
	}
	mustLoad("volumes.yaml", volumesYAML, &vol)
	mustLoad("addons.yaml", addonsYAML, &add)
	mustLoad("nodelabels.yaml", nodeLabelsYAML, &lab)
	mustLoad("images.yaml", imagesYAML, &img)
	mustLoad("annotations.yaml", annotationsYAML, &ann)
	var flags struct {
		Flags []KubeletFlag `yaml:"flags"`
	}
	mustLoad("nodeflags.yaml", nodeFlagsYAML, &flags)
	t.KubeletFlags = flags.Flags
	var order struct {
		Steps []UpgradeStep `yaml:"steps"`
	}
	mustLoad("upgradeorder.yaml", upgradeOrderYAML, &order)
	t.UpgradeOrder = order.Steps
	t.Volumes, t.Addons, t.NodeLabels = vol.Plugins, add.Addons, lab.Labels
	t.Registries, t.Retired, t.PodAnnotations = img.Registries, img.Retired, ann.Pod
	return &t
}

// mustLoad decodes the embedded table name into v, strictly (an unknown
// field is an error); a table that does not decode is a build defect, so it
// panics.
func mustLoad(name string, data []byte, v any) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		panic(fmt.Sprintf("checks/data/%s: %v", name, err))
	}
}

// VolumeByField returns the in-tree plugin with the given volume field, or nil.
func (t *Tables) VolumeByField(field string) *VolumePlugin {
	return first(t.Volumes, func(v *VolumePlugin) bool { return v.Field == field })
}

// VolumeByProvisioner returns the in-tree plugin with the given StorageClass
// provisioner, or nil.
func (t *Tables) VolumeByProvisioner(p string) *VolumePlugin {
	return first(t.Volumes, func(v *VolumePlugin) bool { return v.Provisioner != "" && v.Provisioner == p })
}
