package engine

import (
	"reflect"
	"testing"

	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
)

const memoCronJob = `apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 1 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: job
            image: k8s.gcr.io/busybox:1.36
          restartPolicy: Never
`

// TestRenderedMemo: a rendered text checked again (another overlay's copy
// of a base object) gets the answer checkFile gives, as its own to change;
// the same text under another name is checked under that name.
func TestRenderedMemo(t *testing.T) {
	e := newEngine(checks.Env{Target: checks.MustVersion("1.25"), Platform: checks.PlatformEKS}, 1, nil)
	e.limits = DefaultLimits
	m := &renderedMemo{m: map[memoKey]memoResult{}}
	want := e.checkFile(scan.NewFile("base/cron.yaml", []byte(memoCronJob)))
	if len(want.findings) == 0 || len(want.findings[0].Fixes) == 0 {
		t.Fatalf("the fixture gives no finding with a fix: %+v", want.findings)
	}
	first := m.check(e, scan.NewFile("base/cron.yaml", []byte(memoCronJob)))
	// what place does to the first copy
	for i := range first.findings {
		first.findings[i].File, first.findings[i].Message = "overlays/a/cron.yaml", "changed"
		for j := range first.findings[i].Fixes {
			for k := range first.findings[i].Fixes[j].Edits {
				first.findings[i].Fixes[j].Edits[k].New = "changed"
			}
		}
	}
	second := m.check(e, scan.NewFile("base/cron.yaml", []byte(memoCronJob)))
	if !reflect.DeepEqual(second.findings, want.findings) || second.documents != want.documents {
		t.Errorf("the memo's answer differs from checkFile's:\n got %+v\nwant %+v", second.findings, want.findings)
	}
	other := m.check(e, scan.NewFile("other/cron.yaml", []byte(memoCronJob)))
	for _, f := range other.findings {
		if f.File != "other/cron.yaml" {
			t.Errorf("the same text under another name answered for %s: %+v", f.File, f)
		}
	}
	if len(m.m) != 2 {
		t.Errorf("%d texts kept, want 2", len(m.m))
	}
}
