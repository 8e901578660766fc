package annotate

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestNewMakesEveryFormat checks that each name in Formats, and no other,
// gives its reporter with the options wired in, and that the reporter runs.
func TestNewMakesEveryFormat(t *testing.T) {
	var out, log bytes.Buffer
	o := Options{Stdout: &out, Log: &log, Color: true, Version: "v1.2.3", Root: "/repo"}
	want := map[string]Reporter{
		"text":     Text{W: &out, Color: true},
		"json":     JSON{W: &out},
		"sarif":    SARIF{W: &out, Version: "v1.2.3", Root: "/repo"},
		"patch":    Patch{W: &out, Log: &log},
		"markdown": markdownReporter{w: &out, m: Markdown{Version: "v1.2.3", Budget: fileBudget, PR: FileLinks{}}},
		"html":     HTML{W: &out, Version: "v1.2.3", Links: FileLinks{}},
	}
	if len(Formats) != len(want) {
		t.Errorf("Formats = %v, want %d names", Formats, len(want))
	}
	for _, name := range Formats {
		r, err := New(name, o)
		if err != nil {
			t.Fatalf("New(%q): %v", name, err)
		}
		if r != want[name] {
			t.Errorf("New(%q) = %#v, want %#v", name, r, want[name])
		}
		out.Reset()
		if err := r.Report(context.Background(), &Report{Target: "1.25"}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if name != "patch" && out.Len() == 0 {
			t.Errorf("%s wrote nothing", name)
		}
	}
}

func TestNewUnknownFormat(t *testing.T) {
	r, err := New("xml", Options{})
	if r != nil || err == nil {
		t.Fatalf("New(xml) = %v, %v; want an error", r, err)
	}
	if want := `format "xml": want text, json, sarif, patch, markdown or html`; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	for _, name := range Formats {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not list %s", err, name)
		}
	}
}

func TestFileLinks(t *testing.T) {
	for _, tc := range []struct {
		path       string
		start, end int
		want       string
	}{
		{"deploy/app.yaml", 12, 0, "deploy/app.yaml#L12"},
		{"deploy/app.yaml", 3, 7, "deploy/app.yaml#L3-L7"},
		{"a dir/x#y.yaml", 1, 1, "a%20dir/x%23y.yaml#L1"},
		{"deploy/app.yaml", 0, 0, "deploy/app.yaml"},
		{"/abs/app.yaml", 1, 0, ""},
		{"../out.yaml", 1, 0, ""},
	} {
		if got := (FileLinks{}).BlobURL(tc.path, tc.start, tc.end); got != tc.want {
			t.Errorf("BlobURL(%q, %d, %d) = %q, want %q", tc.path, tc.start, tc.end, got, tc.want)
		}
	}
}
