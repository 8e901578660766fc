package cli

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/internal/testfs"
)

// TestSuppress runs the CLI at target 1.25 on one file per case and checks
// which findings a kubeready:ignore comment marks.
func TestSuppress(t *testing.T) {
	const hpa = "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\n"
	for _, tc := range []struct {
		name, file string
		// want lists every finding as "line rule" plus " suppressed: reason"
		// when it is suppressed.
		want []string
	}{
		{"no comment", cronJobV1beta1,
			[]string{"1 api-removed"}},
		{"on the finding's line", strings.Replace(cronJobV1beta1, "batch/v1beta1", "batch/v1beta1 # kubeready:ignore api-removed moved in PR 12", 1),
			[]string{"1 api-removed suppressed: moved in PR 12"}},
		{"on the object's first line", "kind: CronJob # kubeready:ignore api-removed  kept for the 1.24 fleet\napiVersion: batch/v1beta1\n",
			[]string{"2 api-removed suppressed: kept for the 1.24 fleet"}},
		{"in a comment above the first key", "# Nightly job.\n# kubeready:ignore api-removed legacy\n\n" + cronJobV1beta1,
			[]string{"4 api-removed suppressed: legacy"}},
		{"on the --- marker", hpa + "--- # kubeready:ignore api-removed\n" + cronJobV1beta1,
			[]string{"1 api-deprecated", "6 api-removed suppressed: "}},
		{"below the marker", hpa + "---\n#kubeready:ignore api-removed tight\n" + cronJobV1beta1,
			[]string{"1 api-deprecated", "7 api-removed suppressed: tight"}},
		{"several rules", "# kubeready:ignore api-deprecated,api-removed both\n" + cronJobV1beta1 + "---\n" + hpa,
			[]string{"2 api-removed suppressed: both", "9 api-deprecated"}},
		{"several rules with spaces", "# kubeready:ignore api-deprecated, api-removed both\n" + cronJobV1beta1,
			[]string{"2 api-removed suppressed: both"}},
		{"each document has its own header", cronJobV1beta1 + "# kubeready:ignore api-deprecated\n---\n" + hpa,
			[]string{"1 api-removed", "9 api-deprecated"}},
		{"unknown rule beside a known one", "# kubeready:ignore no-such-rule,api-removed typo\n" + cronJobV1beta1,
			[]string{"2 api-removed suppressed: typo"}},
		{"unknown rule alone", "# kubeready:ignore api-remove typo\n" + cronJobV1beta1,
			[]string{"2 api-removed"}},
		{"another rule", "# kubeready:ignore api-deprecated\n" + cronJobV1beta1,
			[]string{"2 api-removed"}},
		{"no rule", "# kubeready:ignore\n" + cronJobV1beta1,
			[]string{"2 api-removed"}},
		{"not in the header", cronJobV1beta1 + "  # kubeready:ignore api-removed too late\n",
			[]string{"1 api-removed"}},
		{"a List's header covers its items", "# kubeready:ignore api-removed\napiVersion: v1\nkind: List\nitems:\n- apiVersion: batch/v1beta1\n  kind: CronJob\n  metadata: {name: a}\n",
			[]string{"5 api-removed suppressed: "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			testfs.WriteFiles(t, dir, map[string]string{"m.yaml": tc.file})
			rep, code, stderr := runJSON(t, "--config", "none", "--target", "1.25", filepath.Join(dir, "m.yaml"))
			var got []string
			visibleErrors := 0
			for _, f := range rep.Findings {
				s := fmt.Sprintf("%d %s", f.Line, f.Rule)
				if f.Suppressed {
					s += " suppressed: " + f.Justification
				} else if f.Severity.String() == "error" {
					visibleErrors++
				}
				got = append(got, s)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("findings %q\nwant     %q\n(stderr %s)", got, tc.want, stderr)
			}
			// suppressed findings do not count for the exit code
			if wantCode := map[bool]int{true: ExitFindings, false: ExitClean}[visibleErrors > 0]; code != wantCode {
				t.Errorf("exit %d, want %d", code, wantCode)
			}
		})
	}
}

// Suppressed findings are in JSON (above) but not in the text output.
func TestSuppressedNotInText(t *testing.T) {
	dir := t.TempDir()
	testfs.WriteFiles(t, dir, map[string]string{"m.yaml": "# kubeready:ignore api-removed\n" + cronJobV1beta1})
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"--config", "none", filepath.Join(dir, "m.yaml")}, nil, &stdout, &stderr)
	if code != ExitClean || strings.Contains(stdout.String(), "api-removed") || !strings.Contains(stdout.String(), "no findings") {
		t.Errorf("exit %d, output %q", code, stdout.String())
	}
}
