package annotate

import (
	"context"
	"io"
	"testing"

	"github.com/kubeready/kubeready/annotate/internal/reporttest"
)

// Benchmarks for the reporters on a large run: 5,000 findings in ~700 files.

func BenchmarkSARIF5000(b *testing.B) {
	r := &Report{Target: "1.25", Findings: reporttest.ManyFindings(5000)}
	b.ReportAllocs()
	for b.Loop() {
		if err := (SARIF{W: io.Discard, Version: "1.0.0"}).Report(context.Background(), r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFingerprints5000(b *testing.B) {
	fs := reporttest.ManyFindings(5000)
	b.ReportAllocs()
	for b.Loop() {
		_ = Fingerprints(fs)
	}
}
