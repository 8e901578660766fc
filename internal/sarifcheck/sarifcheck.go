// Package sarifcheck checks SARIF logs in tests: against the SARIF 2.1.0
// JSON schema (testdata/sarif-2.1.0.json, a copy of ../shared/sarif's: see
// testdata/PROVENANCE.md), and with Microsoft's SARIF Multitool
// using GitHub's rules when .ci/run has installed it.
package sarifcheck

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schema is the SARIF 2.1.0 schema, embedded so that a test in any package
// (whatever its working directory) finds it without ../shared.
//
//go:embed testdata/sarif-2.1.0.json
var schema []byte

// Schema compiles the in-repository SARIF 2.1.0 schema.
func Schema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("sarif-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// Validate fails the test when data is not a SARIF 2.1.0 log by the schema.
func Validate(t testing.TB, sch *jsonschema.Schema, data []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("SARIF is not JSON: %v", err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("SARIF does not validate against the 2.1.0 schema: %v\n%s", err, data)
	}
}

// MultitoolEnv names the environment variable that holds the path of the
// SARIF Multitool binary.
const MultitoolEnv = "KUBEREADY_SARIF_MULTITOOL"

// Multitool runs Microsoft's SARIF Multitool with GitHub's rules (Gh;Sarif)
// on the logs, in one run of the tool, and fails the test on every result
// it reports (its exit code is 0 either way). It skips when MultitoolEnv is
// unset.
func Multitool(t testing.TB, logs ...[]byte) {
	t.Helper()
	tool := os.Getenv(MultitoolEnv)
	if tool == "" {
		t.Skipf("%s is not set (.ci/run installs the SARIF Multitool and sets it)", MultitoolEnv)
	}
	dir := t.TempDir()
	args := []string{"validate"}
	for i, data := range logs {
		in := filepath.Join(dir, fmt.Sprintf("in%03d.sarif", i))
		if err := os.WriteFile(in, data, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, in)
	}
	check := filepath.Join(dir, "check.sarif")
	cmd := exec.Command(tool, append(args, "--rule-kind", "Gh;Sarif", "--output", check, "--log", "ForceOverwrite")...)
	cmd.Env = append(os.Environ(), "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("SARIF Multitool: %v\n%s", err, out)
	}
	b, err := os.ReadFile(check)
	if err != nil {
		t.Fatalf("SARIF Multitool wrote no log: %v\n%s", err, out)
	}
	var res struct {
		Runs []struct {
			Results []struct {
				RuleID  string `json:"ruleId"`
				Level   string `json:"level"`
				Message struct {
					ID        string   `json:"id"`
					Arguments []string `json:"arguments"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	for _, run := range res.Runs {
		for _, r := range run.Results {
			where := ""
			if len(r.Locations) > 0 {
				where = r.Locations[0].PhysicalLocation.ArtifactLocation.URI + ": "
			}
			t.Errorf("SARIF Multitool: %s%s %s %s %v", where, r.RuleID, r.Level, r.Message.ID, r.Message.Arguments)
		}
	}
}
