package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestProgress: --progress draws on stderr (inputs done of the 6 to run: the base is built through its overlay
// ) and clears its line; stdout holds the report alone. Without
// it, stderr that is not a terminal gets no progress.
func TestProgress(t *testing.T) {
	var out, errOut bytes.Buffer
	code := Run(context.Background(), []string{"--progress", "testdata/helm/kustomize-overlay"}, strings.NewReader(""), &out, &errOut)
	if code != ExitFindings {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	if s := errOut.String(); !strings.Contains(s, "/6)") || !strings.Contains(s, "\r") {
		t.Errorf("stderr has no progress:\n%q", s)
	}
	if strings.Contains(out.String(), "\r") || !strings.Contains(out.String(), "3 findings") {
		t.Errorf("stdout:\n%q", out.String())
	}
	out.Reset()
	errOut.Reset()
	Run(context.Background(), []string{"testdata/helm/kustomize-overlay"}, strings.NewReader(""), &out, &errOut)
	if strings.Contains(errOut.String(), "\r") {
		t.Errorf("progress without --progress on a buffer: %q", errOut.String())
	}
}

// TestProgressDelay: a bar with a delay draws nothing before it passes.
func TestProgressDelay(t *testing.T) {
	var w bytes.Buffer
	p := newProgress(&w, time.Hour)
	p.Start(3)
	p.Begin("k")
	p.Done()
	p.finish()
	if w.Len() != 0 {
		t.Errorf("drew %q before the delay", w.String())
	}
}
