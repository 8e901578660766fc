package annotate

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Formats are the names of the CLI's output formats (--format), in the
// order the usage text lists them; New makes the reporter for each.
var Formats = []string{"text", "json", "sarif", "patch", "markdown", "html"}

// Options carries what the reporters New makes need.
type Options struct {
	// Stdout gets the report.
	Stdout io.Writer
	// Log gets the patch's one-line summary, apart from the diff; nil for
	// none.
	Log io.Writer
	// Color paints the text output's severities (for a terminal).
	Color bool
	// Version is kubeready's version, for SARIF's tool.
	Version string
	// Root is the absolute directory finding paths are relative to, for
	// SARIF's %SRCROOT%; empty leaves it undefined.
	Root string
}

// New returns the reporter for the format called name, one of Formats.
func New(name string, o Options) (Reporter, error) {
	switch name {
	case "text":
		return Text{W: o.Stdout, Color: o.Color}, nil
	case "json":
		return JSON{W: o.Stdout}, nil
	case "sarif":
		return SARIF{W: o.Stdout, Version: o.Version, Root: o.Root}, nil
	case "patch":
		return Patch{W: o.Stdout, Log: o.Log}, nil
	case "markdown":
		return markdownReporter{w: o.Stdout, m: Markdown{Version: o.Version, Budget: fileBudget, PR: FileLinks{}}}, nil
	case "html":
		return HTML{W: o.Stdout, Version: o.Version, Links: FileLinks{}}, nil
	}
	return nil, fmt.Errorf("format %q: want %s", name, oneOf(Formats))
}

// oneOf lists names as a choice: "a, b or c".
func oneOf(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// fileBudget is the size budget of a Markdown report written to a file
// (--format markdown): no GitHub limit applies.
const fileBudget = 1 << 30

// markdownReporter writes the Markdown summary (the upgrade plan, with a
// current version) as --format markdown.
type markdownReporter struct {
	w io.Writer
	m Markdown
}

// Report implements Reporter.
func (r markdownReporter) Report(_ context.Context, rep *Report) error {
	_, err := io.WriteString(r.w, r.m.Render(rep))
	return err
}
