package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/internal/sarifcheck"
)

// TestSARIFFromCLI runs `kubeready --format sarif` on every golden case and
// checks the log against the SARIF 2.1.0 schema (and with the SARIF
// Multitool when .ci/run installed it).
func TestSARIFFromCLI(t *testing.T) {
	sch := sarifcheck.Schema(t)
	cases, err := filepath.Glob("testdata/cases/*")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	var all bytes.Buffer
	for _, dir := range cases {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"--format", "sarif", dir}, strings.NewReader(""), &stdout, &stderr)
		if code == exitError {
			t.Fatalf("%s: exit %d: %s", dir, code, stderr.String())
		}
		sarifcheck.Validate(t, sch, stdout.Bytes())
		var log struct {
			Runs []struct {
				Results []struct {
					RuleID string `json:"ruleId"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(stdout.Bytes(), &log); err != nil {
			t.Fatal(err)
		}
		if (code == exitFindings) != (len(log.Runs[0].Results) > 0) {
			t.Errorf("%s: exit %d with %d results", dir, code, len(log.Runs[0].Results))
		}
		if all.Len() == 0 {
			all.Write(stdout.Bytes())
		}
	}
	t.Run("multitool", func(t *testing.T) { sarifcheck.Multitool(t, all.Bytes()) })
}
