package engine

import (
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/testfs"
	"github.com/kubeready/kubeready/scan"
)

// TestMain runs the tests from the module root, where testdata/ is, and
// checks that no test leaves a goroutine behind.
func TestMain(m *testing.M) {
	testfs.ChdirModuleRoot()
	goleak.VerifyTestMain(m)
}

// panicReader fails the way a bug in reading or parsing would.
type panicReader struct{}

func (panicReader) Read([]byte) (int, error) { panic("reader exploded") }

// TestPanicIsolation: a rule that panics on one document gives one
// internal-error finding naming the file and the rule, a panic while
// reading one input gives one naming that input; everything else is still
// reported, and the exit code is 2.
func TestPanicIsolation(t *testing.T) {
	env := checks.Env{Target: checks.MustVersion("1.25"), Platform: checks.PlatformEKS}
	fragile := &checks.Rule{ID: "fragile", Kinds: []string{"CronJob"},
		Check: func(r *checks.Rule, d *scan.Document, env checks.Env) []checks.Finding {
			if d.Sig.Name == "nightly-report" {
				panic("index out of range")
			}
			return nil
		}}

	e := New(Config{Env: env, Workers: 2, Stdin: panicReader{}, Limits: DefaultLimits})
	e.AddRule(fragile)
	findings := e.Scan(context.Background(), []scan.Input{
		{Path: "testdata/cases/api-removed/cronjob.yaml"}, {Path: scan.StdinPath}, {Path: "testdata/cases/formats/list.yaml"},
	}).Findings
	var got []string
	for _, f := range findings {
		got = append(got, f.File+" "+f.Rule+" "+f.Message)
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"testdata/cases/api-removed/cronjob.yaml internal-error rule fragile failed on this document: index out of range",
		"testdata/cases/api-removed/cronjob.yaml api-removed CronJob batch/v1beta1",        // same document, other rule
		"testdata/cases/api-removed/cronjob.yaml api-removed PodDisruptionBudget",          // same file, other document
		"<stdin> internal-error kubeready failed on this file: reader exploded",            // the reader
		"testdata/cases/formats/list.yaml api-removed CronJob batch/v1beta1 is not served", // other files
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in\n%s", want, all)
		}
	}
	// the exit code of such a run (2) is the CLI's: internal/cli TestExitCodeInternalError
}
