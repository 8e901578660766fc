package cli

import (
	"io"
	"strings"
	"testing"
)

// TestParseFlagsWith: a configuration read from bytes (the Action's base
// commit's .kubeready.yaml) fills in the flags as a file would, the
// command line still wins, and its paths go through the same checks.
func TestParseFlagsWith(t *testing.T) {
	dir := t.TempDir()
	c, err := ParseConfig(".kubeready.yaml (base commit abc)", dir, []byte("fail-on: warning\nscope: lines\ndisable: [api-deprecated]\n"))
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	opts, _, ok := ParseFlagsWith([]string{"--scope", "all", "--", "."}, c, io.Discard, &stderr)
	if !ok {
		t.Fatalf("ParseFlagsWith: %s", stderr.String())
	}
	if opts.FailOn != "warning" || opts.Engine.Scope != "all" || !opts.Engine.Disabled("api-deprecated") || opts.Config != c {
		t.Errorf("fail-on %q, scope %q, disabled %v", opts.FailOn, opts.Engine.Scope, opts.Engine.Disabled("api-deprecated"))
	}
	opts, _, ok = ParseFlagsWith([]string{"--", "."}, nil, io.Discard, &stderr)
	if !ok || opts.Config != nil || opts.FailOn != "error" {
		t.Errorf("nil configuration: ok %v, config %v, fail-on %q", ok, opts.Config, opts.FailOn)
	}
	if _, err := ParseConfig("x", dir, []byte("helm-values: ../../etc/passwd\n")); err == nil || !strings.Contains(err.Error(), "outside the repository") {
		t.Errorf("a values file outside: %v", err)
	}
	if _, err := ParseConfig("x", dir, []byte(strings.Repeat("#", maxConfigSize+1))); err == nil {
		t.Error("an oversized configuration was read")
	}
}
