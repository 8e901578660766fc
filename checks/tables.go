package checks

import (
	"bytes"
	_ "embed"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// The rule tables, each built from shared/reference/upgrade-facts.yaml with
// a source URL per row.
var (
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
)

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
	Component string   `yaml:"component"`
	Images    []string `yaml:"images"`
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

// Tables holds the rule data tables of checks/data.
type Tables struct {
	Volumes        []VolumePlugin
	Addons         []Addon
	NodeLabels     []NodeLabel
	Registries     []Registry
	Retired        []RetiredImage
	PodAnnotations []PodAnnotation
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
	t.Volumes, t.Addons, t.NodeLabels = vol.Plugins, add.Addons, lab.Labels
	t.Registries, t.Retired, t.PodAnnotations = img.Registries, img.Retired, ann.Pod
	return &t
}

func mustLoad(name string, data []byte, v any) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		panic(fmt.Sprintf("checks/data/%s: %v", name, err))
	}
}

// VolumeByField returns the in-tree plugin with the given volume field, or nil.
func (t *Tables) VolumeByField(field string) *VolumePlugin {
	for i := range t.Volumes {
		if t.Volumes[i].Field == field {
			return &t.Volumes[i]
		}
	}
	return nil
}

// VolumeByProvisioner returns the in-tree plugin with the given StorageClass
// provisioner, or nil.
func (t *Tables) VolumeByProvisioner(p string) *VolumePlugin {
	for i := range t.Volumes {
		if t.Volumes[i].Provisioner != "" && t.Volumes[i].Provisioner == p {
			return &t.Volumes[i]
		}
	}
	return nil
}
