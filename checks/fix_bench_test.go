package checks

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/scan"
)

// BenchmarkFixesFor measures building (and verifying) the fix of one
// document: the cost a removed API adds to its finding.
func BenchmarkFixesFor(b *testing.B) {
	for _, name := range []string{"cronjob", "hpa-v2beta1", "ingress", "corpus-guestbook-all-in-one"} {
		data, err := os.ReadFile("testdata/fixes/" + name + ".yaml")
		if err != nil {
			b.Fatal(err)
		}
		env := Env{Target: MustVersion("1.25"), Platform: PlatformEKS}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				docs, _ := scan.Parse(scan.NewFile("x.yaml", data))
				n := 0
				for _, d := range docs {
					if r := APIs.Find(d.Sig.APIVersion, d.Sig.Kind); r != nil {
						n += len(fixesFor(d, env, r))
					}
				}
				if n == 0 {
					b.Fatal("no fixes")
				}
			}
		})
	}
}

// BenchmarkApplyEdits applies 1,000 scattered edits to a 1 MB file.
func BenchmarkApplyEdits(b *testing.B) {
	data := []byte(strings.Repeat("apiVersion: batch/v1beta1\n", 40000))
	var edits []Edit
	for i := 999; i >= 0; i-- {
		at := i*1000 + 12
		edits = append(edits, Edit{Start: at, End: at + 13, New: "batch/v1"})
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ApplyEdits(data, edits); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPickFixes picks among 500 fixes, a tenth of them conflicting.
func BenchmarkPickFixes(b *testing.B) {
	var fixes []Fix
	for i := range 500 {
		at := i * 100
		if i%10 == 0 {
			at -= 50
		}
		fixes = append(fixes, Fix{Description: fmt.Sprint(i), Edits: []Edit{{Path: "f", Start: at + 60, End: at + 70, New: "x"}}})
	}
	for b.Loop() {
		PickFixes(fixes)
	}
}
