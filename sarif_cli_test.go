package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
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
	for _, dir := range cases {
		var args []string
		if b, err := os.ReadFile(filepath.Join(dir, "args")); err == nil {
			args = strings.Fields(string(b))
		}
		out := func(format string) []byte {
			var stdout, stderr bytes.Buffer
			a := append(append([]string{"--format", format}, args...), dir+"/")
			if code := run(context.Background(), a, strings.NewReader(""), &stdout, &stderr); code == exitError && stdout.Len() == 0 {
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
	}
	t.Run("multitool", func(t *testing.T) {
		if os.Getenv(sarifcheck.MultitoolEnv) == "" {
			t.Skipf("%s is not set (.ci/run installs the SARIF Multitool and sets it)", sarifcheck.MultitoolEnv)
		}
		sarifcheck.Multitool(t, logs...)
	})
}
