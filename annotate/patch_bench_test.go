package annotate

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkUnifiedDiff diffs a 5,000-line file against itself with 20 lines
// changed throughout, the shape a fixed manifest set has.
func BenchmarkUnifiedDiff(b *testing.B) {
	var old, new strings.Builder
	for i := range 5000 {
		line := fmt.Sprintf("  key%d: value %d\n", i, i)
		old.WriteString(line)
		if i%250 == 0 {
			line = fmt.Sprintf("  key%d: changed %d\n", i, i)
		}
		new.WriteString(line)
	}
	o, n := []byte(old.String()), []byte(new.String())
	b.SetBytes(int64(len(o)))
	for b.Loop() {
		if UnifiedDiff("f.yaml", o, n) == "" {
			b.Fatal("no diff")
		}
	}
}
