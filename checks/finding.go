// Package checks holds kubeready's rules: pure functions from a document to
// findings, their metadata, and the data tables they read.
package checks

import (
	"fmt"
	"strings"

	"github.com/kubeready/kubeready/checks/yamledit"
	"github.com/kubeready/kubeready/scan"
)

// Severity orders findings: Info < Warning < Error.
type Severity int

// Severities, lowest first.
const (
	Info Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "info"
}

// MarshalText writes the severity as its name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// ParseSeverity reads "error", "warning" or "info".
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(s) {
	case "error":
		return Error, nil
	case "warning":
		return Warning, nil
	case "info":
		return Info, nil
	}
	return Info, fmt.Errorf("unknown severity %q (want error, warning or info)", s)
}

// Finding is one problem at one place: plain data that reporters render and
// never re-decide.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	EndLine  int      `json:"endLine,omitempty"`
	Message  string   `json:"message"`
	URL      string   `json:"url"`

	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Name       string `json:"name,omitempty"`
	Namespace  string `json:"namespace,omitempty"`

	// Rendered says which chart and template (or kustomization) produced the
	// object, when it came from rendering; File and Line are then the
	// template's (or values file's) place.
	Rendered *scan.Origin `json:"rendered,omitempty"`

	// Hop is the first control-plane version of the upgrade plan (one minor
	// at a time from --current to --target) whose upgrade this finding
	// blocks at its severity: the target when the plan is one hop.
	Hop string `json:"hop,omitempty"`

	// Fixes are edits that resolve the finding, best first.
	Fixes []Fix `json:"fixes,omitempty"`

	// InChangedFile and InChangedLines say whether the finding's file, and
	// its line (or, for object-level findings, its document), is part of the
	// change being checked. Without a change, every finding is in it.
	InChangedFile  bool `json:"inChangedFile"`
	InChangedLines bool `json:"inChangedLines"`
	// DocStart and DocEnd are the file lines of the finding's document, for
	// object-level findings whose scope is the whole object.
	DocStart int `json:"-"`
	DocEnd   int `json:"-"`
	// ObjectLevel marks findings about the object as a whole (api-removed):
	// they count as changed when any line of the document changed.
	ObjectLevel bool `json:"-"`

	// Suppressed is set when an inline `# kubeready:ignore` comment silences
	// it; Justification is the reason the comment gives (SARIF's
	// suppression justification).
	Suppressed    bool   `json:"suppressed,omitempty"`
	Justification string `json:"justification,omitempty"`
}

// Fix is one way to resolve a finding: a verb phrase and non-overlapping
// byte-range edits. Safe fixes keep the object's behaviour; others say why not.
type Fix struct {
	Description string `json:"description"`
	Safe        bool   `json:"safe"`
	Reason      string `json:"reason,omitempty"`
	Edits       []Edit `json:"edits"`
}

// Edit replaces bytes [Start, End) of the file at Path with New. It is the
// edit type of the YAML text editor (yamledit), which makes them.
type Edit = yamledit.Edit

// Less orders findings by file, line, column, rule, then message, so output
// is deterministic whatever order the workers finish in.
func Less(a, b Finding) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	if a.Column != b.Column {
		return a.Column < b.Column
	}
	if a.Rule != b.Rule {
		return a.Rule < b.Rule
	}
	return a.Message < b.Message
}
