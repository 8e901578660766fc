package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/internal/sarifcheck"
)

// TestSARIFFromCLI runs `kubeready --format sarif` on every golden case
// (with the case's args), checks the log against the SARIF 2.1.0 schema,
// and checks it holds one result per finding of `--format json` (suppressed
// ones included). The SARIF Multitool checks the logs too when .ci/run
// installed it.
func TestSARIFFromCLI(t *testing.T) {
	sch := sarifcheck.Schema(t)
	cases, err := filepath.Glob("testdata/cases/*")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	var logs [][]byte
	var names []string
	for _, dir := range cases {
		var args []string
		if b, err := os.ReadFile(filepath.Join(dir, "args")); err == nil {
			args = strings.Fields(string(b))
		}
		if i := slices.Index(args, "--format"); i >= 0 && i+1 < len(args) && args[i+1] != "patch" {
			args = slices.Delete(slices.Clone(args), i, i+2) // a case about another report: its findings in SARIF
		}
		if slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--format") || strings.HasPrefix(a, "--fix") }) {
			continue // a case about the patch output, or about writing fixes
		}
		inputs := []string{dir + "/"}
		if b, err := os.ReadFile(filepath.Join(dir, "paths")); err == nil {
			inputs = strings.Fields(string(b))
		}
		out := func(format string) []byte {
			var stdout, stderr bytes.Buffer
			a := append(append([]string{"--format", format}, args...), inputs...)
			if code := Run(context.Background(), a, strings.NewReader(""), &stdout, &stderr); code == ExitError && stdout.Len() == 0 {
				t.Fatalf("%s: exit %d: %s", dir, code, stderr.String())
			}
			return stdout.Bytes()
		}
		sarif := out("sarif")
		sarifcheck.Validate(t, sch, sarif)
		var log struct {
			Runs []struct {
				Results []json.RawMessage `json:"results"`
			} `json:"runs"`
		}
		var js struct {
			Findings []json.RawMessage `json:"findings"`
		}
		if err := json.Unmarshal(sarif, &log); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out("json"), &js); err != nil {
			t.Fatal(err)
		}
		if len(log.Runs[0].Results) != len(js.Findings) {
			t.Errorf("%s: %d SARIF results, %d JSON findings", dir, len(log.Runs[0].Results), len(js.Findings))
		}
		logs = append(logs, sarif)
		names = append(names, filepath.Base(dir))
	}
	if len(logs) < len(cases)-2 {
		t.Errorf("only %d of %d cases checked", len(logs), len(cases))
	}
	t.Run("multitool", func(t *testing.T) {
		if os.Getenv(sarifcheck.MultitoolEnv) == "" {
			t.Skipf("%s is not set (.ci/run installs the SARIF Multitool and sets it)", sarifcheck.MultitoolEnv)
		}
		t.Logf("cases: %s", strings.Join(names, " "))
		sarifcheck.Multitool(t, logs...)
	})
}
