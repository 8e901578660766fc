package engine

import (
	"os"
	"runtime/debug"
)

// The garbage collector's settings unless GOGC or GOMEMLIMIT set them: a
// scan is a short batch job that allocates parse trees quickly, so the heap
// may grow to 5x the live data (gcPercent) before a collection, which halves
// GC work and lets two workers scale; the soft memoryLimit caps that growth,
// so a scan of tens of thousands of manifests (whose workloads the set
// rules hold until the end) stays well inside a CI runner.
const (
	gcPercent   = 400
	memoryLimit = 200 << 20
)

// TuneGC applies gcPercent and memoryLimit where the environment does not
// choose. Benchmarks call it too, to measure what the binary does.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
