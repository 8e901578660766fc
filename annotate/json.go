package annotate

import (
	"context"
	"encoding/json"
	"io"

	"github.com/kubeready/kubeready/checks"
)

// JSON writes the whole report as one JSON object (schema in README.md).
// Suppressed findings are included, marked "suppressed": true.
type JSON struct {
	W io.Writer
}

// Report implements Reporter.
func (j JSON) Report(_ context.Context, r *Report) error {
	out := *r
	if out.Findings == nil {
		out.Findings = []checks.Finding{}
	}
	if out.Errors == nil {
		out.Errors = []RunError{}
	}
	enc := json.NewEncoder(j.W)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
