package scan

import (
	"bytes"

	chart "helm.sh/helm/v4/pkg/chart/v2"
)

// Capabilities describe the cluster a chart is rendered for.
type Capabilities struct {
	// KubeVersion is the version, such as "1.25".
	KubeVersion string
	// APIVersions are the group/versions (and group/version/Kinds) served.
	APIVersions []string
}

// usesCapabilities reports whether any template of the chart or its
// subcharts reads .Capabilities.
func usesCapabilities(ch *chart.Chart) bool {
	for _, t := range ch.Templates {
		if bytes.Contains(t.Data, []byte(".Capabilities")) {
			return true
		}
	}
	for _, sub := range ch.Dependencies() {
		if usesCapabilities(sub) {
			return true
		}
	}
	return false
}

// UsesCapabilities reports whether any template of the chart reads
// .Capabilities, so that rendering it for another version may differ.
func (c *Chart) UsesCapabilities() bool { return c.usesCaps }
