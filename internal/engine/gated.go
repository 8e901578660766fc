package engine

import (
	"slices"

	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
)

// gatedFindings reports the chart's gated literal apiVersion lines
// (scan.Chart.GatedAPIs) that the target does not serve and that no render
// took: a render that took one gave an api-removed finding on the same
// template file for the same API, found in rendered.
func (e *Engine) gatedFindings(c *scan.Chart, rendered []checks.Finding) []checks.Finding {
	if !slices.Contains(e.rules, checks.HelmGatedAPI) { // disabled, or not at this target

		return nil
	}
	took := map[string]bool{}
	for _, f := range rendered {
		if f.Rule == "api-removed" {
			took[f.File+"\x00"+f.APIVersion+"\x00"+f.Kind] = true
		}
	}
	var out []checks.Finding
	for _, g := range c.GatedAPIs() {
		if took[g.File+"\x00"+g.APIVersion+"\x00"+g.Kind] {
			continue
		}
		if f, ok := checks.GatedAPIFinding(g, e.env); ok {
			out = append(out, f)
		}
	}
	return out
}
