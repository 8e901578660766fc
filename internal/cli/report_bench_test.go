package cli

import (
	"context"
	"io"
	"testing"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/internal/engine"
	"github.com/kubeready/kubeready/internal/sharedref"
)

// BenchmarkPlanReport times the report step of the upgrade plan of
// ../shared/corpus/kubeflow-manifests with --current 1.24 --target 1.29:
// the scan (five hops) runs once, outside the timer; each iteration renders
// the Markdown and the HTML report from its findings. Issue 19's target:
// under a second after the scan.
func BenchmarkPlanReport(b *testing.B) {
	benchPlanReport(b, sharedref.Path(b, "corpus", "kubeflow-manifests"))
}

func benchPlanReport(b *testing.B, dir string) {
	opts, _, ok := ParseFlags([]string{"--config", "none", "--current", "1.24", "--target", "1.29", "--format", "html", dir}, io.Discard, io.Discard)
	if !ok {
		b.Fatal("flags")
	}
	rep := &annotate.Report{Target: opts.Engine.Env.Target.String(), Platform: opts.Engine.Env.Platform}
	engine.Run(context.Background(), opts.Engine, opts.Paths, nil, rep)
	b.Logf("%d findings, %d files, %d documents", len(rep.Findings), rep.Stats.Files, rep.Stats.Documents)
	if len(rep.Findings) == 0 {
		b.Fatal("no findings: the benchmark would time an empty report")
	}
	for _, format := range []string{"markdown", "html"} {
		b.Run(format, func(b *testing.B) {
			r, err := annotate.New(format, annotate.Options{Stdout: io.Discard, Version: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := r.Report(context.Background(), rep); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
