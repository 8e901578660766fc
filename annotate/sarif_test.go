package annotate

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/sarifcheck"
)

// sampleReport has what SARIF must express: fixes (safe, unsafe, an
// insertion, a deletion), a suppressed finding, run errors, odd paths.
func sampleReport() *Report {
	return &Report{
		Target: "1.25", Platform: "eks",
		Findings: []checks.Finding{
			{Rule: "api-removed", Severity: checks.Error, File: "deploy/cron job.yaml", Line: 2, Column: 1, EndLine: 2,
				Message:    "CronJob batch/v1beta1 is not served by Kubernetes 1.25: it was removed in 1.25. Use batch/v1.",
				URL:        "https://kubernetes.io/docs/reference/using-api/deprecation-guide/#cronjob-v125",
				APIVersion: "batch/v1beta1", Kind: "CronJob", Name: "nightly", Namespace: "ops",
				Fixes: []checks.Fix{{Description: "Change apiVersion to batch/v1", Safe: true,
					Edits: []checks.Edit{{Path: "deploy/cron job.yaml", Start: 13, End: 26, New: "batch/v1"}}}}},
			{Rule: "api-removed", Severity: checks.Error, File: "deploy/ingress.yaml", Line: 1, Column: 1,
				Message: "Ingress extensions/v1beta1 is not served by Kubernetes 1.25: it was removed in 1.22. Use networking.k8s.io/v1",
				URL:     "https://kubernetes.io/docs/reference/using-api/deprecation-guide/#ingress-v122",
				Kind:    "Ingress", APIVersion: "extensions/v1beta1", Name: "web",
				Fixes: []checks.Fix{{Description: "Convert to networking.k8s.io/v1", Safe: false, Reason: "ingressClassName is not moved",
					Edits: []checks.Edit{{Start: 12, End: 30, New: "networking.k8s.io/v1"}, {Start: 200, End: 200, New: "        pathType: ImplementationSpecific\n"}, {Start: 300, End: 340}}}}},
			{Rule: "api-deprecated", Severity: checks.Warning, File: "ñame/ü.yaml", Line: 27, Column: 3, EndLine: 30,
				Message: "HorizontalPodAutoscaler autoscaling/v2beta2 is deprecated since 1.23 and removed in 1.26. Use autoscaling/v2.",
				URL:     "https://kubernetes.io/docs/reference/using-api/deprecation-guide/#horizontalpodautoscaler-v126", Kind: "HorizontalPodAutoscaler"},
			{Rule: "api-deprecated", Severity: checks.Warning, File: "suppressed.yaml", Line: 5, Column: 1, Suppressed: true, Justification: "retired with the old cluster",
				Message: "PodSecurityPolicy policy/v1beta1 is deprecated.", URL: "https://kubernetes.io/docs/concepts/security/pod-security-policy/"},
			{Rule: "invalid-yaml", Severity: checks.Error, File: "<stdin>", Line: 3, Column: 1, Message: "invalid YAML: mapping values are not allowed here"},
		},
		Errors: []RunError{{File: "missing.yaml", Message: "no such file or directory"}, {Message: "listing the pull request's files: HTTP 502"}},
		Stats:  Stats{Files: 4, Documents: 5},
	}
}

func sarifOf(t *testing.T, r *Report, root string) []byte {
	t.Helper()
	return sarifVersion(t, r, root, "v0.3.0")
}

func sarifVersion(t *testing.T, r *Report, root, version string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := (SARIF{W: &b, Version: version, Root: root}).Report(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	sch := sarifcheck.Schema(t)
	cases := map[string]*Report{
		"sample": sampleReport(),
		"empty":  {Target: "1.25"},
	}
	for name, r := range cases {
		t.Run(name, func(t *testing.T) {
			sarifcheck.Validate(t, sch, sarifOf(t, r, "/work/repo"))
		})
	}
}

// TestSARIFSchemaCatchesMistakes makes sure the validation above can fail.
func TestSARIFSchemaCatchesMistakes(t *testing.T) {
	sch := sarifcheck.Schema(t)
	bad := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"a","message":{"text":"m"},
		"suppressions":[{"kind":"inSource","status":null}]}]}]}`
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	if sch.Validate(inst) == nil {
		t.Fatal("a suppression with status null validated; the schema check is not working")
	}
}

func TestSARIFContent(t *testing.T) {
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Version string
					Rules   []struct {
						ID      string
						HelpURI string
						Help    struct{ Text, Markdown string }
						Default struct{ Level string } `json:"defaultConfiguration"`
					}
				}
			}
			OriginalURIBaseIDs map[string]struct{ URI string } `json:"originalUriBaseIds"`
			Invocations        []struct {
				ExecutionSuccessful bool
				Notifications       []json.RawMessage `json:"toolExecutionNotifications"`
			}
			Results []struct {
				RuleID    string
				RuleIndex int
				Level     string
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI, URIBaseID string }
						Region           struct{ StartLine, StartColumn, EndLine int }
					}
				}
				PartialFingerprints map[string]string
				Fixes               []struct {
					Description     struct{ Text string }
					ArtifactChanges []struct {
						ArtifactLocation struct{ URI string }
						Replacements     []struct {
							DeletedRegion   map[string]int
							InsertedContent *struct{ Text string }
						}
					}
				}
				Suppressions []struct{ Kind, Status, Justification string }
			}
		}
	}
	out := sarifOf(t, sampleReport(), "/work/repo")
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if got := run.OriginalURIBaseIDs["%SRCROOT%"].URI; got != "file:///work/repo/" {
		t.Errorf("%%SRCROOT%% = %q", got)
	}
	if len(run.Tool.Driver.Rules) != len(checks.Rules()) {
		t.Errorf("%d rules, want every registered rule (%d)", len(run.Tool.Driver.Rules), len(checks.Rules()))
	}
	for _, r := range run.Tool.Driver.Rules {
		if r.Help.Text == "" || r.HelpURI == "" || r.Default.Level == "" {
			t.Errorf("rule %s lacks help text, a help URI or a level", r.ID)
		}
	}
	if len(run.Results) != 5 {
		t.Fatalf("%d results, want 5 (suppressed ones included)", len(run.Results))
	}
	r0 := run.Results[0]
	if run.Tool.Driver.Rules[r0.RuleIndex].ID != r0.RuleID {
		t.Errorf("ruleIndex %d does not point at %s", r0.RuleIndex, r0.RuleID)
	}
	loc := r0.Locations[0].PhysicalLocation
	if loc.ArtifactLocation.URI != "deploy/cron%20job.yaml" || loc.ArtifactLocation.URIBaseID != "%SRCROOT%" || loc.Region.StartLine != 2 {
		t.Errorf("location = %+v", loc)
	}
	if r0.PartialFingerprints[fingerprintKey] == "" {
		t.Error("no partial fingerprint")
	}
	if len(r0.Fixes) != 1 || r0.Fixes[0].ArtifactChanges[0].Replacements[0].DeletedRegion["byteOffset"] != 13 ||
		r0.Fixes[0].ArtifactChanges[0].Replacements[0].DeletedRegion["byteLength"] != 13 ||
		r0.Fixes[0].ArtifactChanges[0].Replacements[0].InsertedContent.Text != "batch/v1" {
		t.Errorf("fix = %+v", r0.Fixes)
	}
	r1 := run.Results[1]
	if !strings.HasSuffix(r1.Message.Text, ".") {
		t.Errorf("message %q does not end with a period", r1.Message.Text)
	}
	reps := r1.Fixes[0].ArtifactChanges[0].Replacements
	if len(reps) != 3 || reps[1].DeletedRegion["byteLength"] != 0 || reps[2].InsertedContent != nil {
		t.Errorf("insertion and deletion = %+v", reps)
	}
	if r1.Fixes[0].ArtifactChanges[0].ArtifactLocation.URI != "deploy/ingress.yaml" {
		t.Errorf("edit without a path should name the finding's file")
	}
	if got := run.Results[3].Suppressions; len(got) != 1 || got[0].Kind != "inSource" || got[0].Status != "accepted" || got[0].Justification != "retired with the old cluster" {
		t.Errorf("suppressed finding: suppressions = %+v", got)
	}
	if run.Results[0].Suppressions != nil {
		t.Error("unsuppressed finding has suppressions")
	}
	if run.Results[2].Level != "warning" || run.Results[2].Locations[0].PhysicalLocation.Region.EndLine != 30 {
		t.Errorf("result 2 = %+v", run.Results[2])
	}
	if inv := run.Invocations[0]; inv.ExecutionSuccessful || len(inv.Notifications) != 2 {
		t.Errorf("invocation = %+v", inv)
	}
}

func TestToolVersion(t *testing.T) {
	for in, want := range map[string][2]string{
		"v0.3.0": {"0.3.0", "0.3.0"}, "1.2.3-rc.1": {"1.2.3", "1.2.3-rc.1"}, "dev": {"0.0.0", "0.0.0-dev"}, "": {"0.0.0", ""},
	} {
		n, s := toolVersion(in)
		if n != want[0] || s != want[1] {
			t.Errorf("toolVersion(%q) = %q, %q; want %q, %q", in, n, s, want[0], want[1])
		}
	}
}

func TestFingerprintsStable(t *testing.T) {
	a := checks.Finding{Rule: "api-removed", File: "a.yaml", Line: 3, Kind: "CronJob", Name: "x", Message: "m"}
	moved := a
	moved.Line = 40
	other := a
	other.Name = "y"
	fps := Fingerprints([]checks.Finding{a, other})
	fps2 := Fingerprints([]checks.Finding{moved, other})
	if fps[0] != fps2[0] {
		t.Error("fingerprint changed when only the line moved")
	}
	if fps[0] == fps[1] {
		t.Error("different objects share a fingerprint")
	}
	dup := Fingerprints([]checks.Finding{a, a})
	if dup[0] == dup[1] {
		t.Error("identical findings in one file share a fingerprint; the occurrence number should tell them apart")
	}
}

// TestSARIFMultitool runs Microsoft's SARIF Multitool with GitHub's rules
// on kubeready's SARIF when .ci/run has installed it.
func TestSARIFMultitool(t *testing.T) {
	if os.Getenv(sarifcheck.MultitoolEnv) == "" {
		t.Skipf("%s is not set (.ci/run installs the SARIF Multitool and sets it)", sarifcheck.MultitoolEnv)
	}
	t.Run("sample", func(t *testing.T) { sarifcheck.Multitool(t, sarifOf(t, sampleReport(), t.TempDir())) })
	t.Run("empty-dev", func(t *testing.T) {
		sarifcheck.Multitool(t, sarifVersion(t, &Report{Target: "1.25"}, t.TempDir(), "dev"))
	})
}
