package checks

import (
	"slices"

	"github.com/kubeready/kubeready/checks/yamledit"
)

// ApplyEdits applies edits to data, the content of one file, and returns the
// new content; data is not modified (see yamledit.Apply for the order and
// the errors). This is the one applier behind --fix, --format patch, GitHub
// suggestions and SARIF fixes.
func ApplyEdits(data []byte, edits []Edit) ([]byte, error) { return yamledit.Apply(data, edits) }

// Conflicts reports whether two fixes cannot be applied together: an edit of
// one overlaps an edit of the other, or both touch the same offset and one
// of them only inserts there (so the order of the two texts is ambiguous).
// Identical edits do not conflict.
func Conflicts(a, b Fix) bool {
	for _, x := range a.Edits {
		for _, y := range b.Edits {
			if x.Path != y.Path || x == y {
				continue
			}
			if x.Start < y.End && y.Start < x.End {
				return true
			}
			if x.Start == y.Start && (x.Start == x.End || y.Start == y.End) {
				return true
			}
		}
	}
	return false
}

// PickFixes chooses, in the order given, the fixes that can be applied
// together: a fix that conflicts with one already picked is left out. A fix
// with exactly the edits of one already picked is a duplicate: it counts as
// picked but adds no edits. It returns the index of every picked fix, the
// index of every fix left out, and the edits to apply.
func PickFixes(fixes []Fix) (picked, left []int, edits []Edit) {
	var chosen []Fix
next:
	for i, f := range fixes {
		for _, c := range chosen {
			if slices.Equal(c.Edits, f.Edits) {
				picked = append(picked, i)
				continue next
			}
		}
		for _, c := range chosen {
			if Conflicts(c, f) {
				left = append(left, i)
				continue next
			}
		}
		chosen = append(chosen, f)
		picked = append(picked, i)
		for _, e := range f.Edits {
			if !slices.Contains(edits, e) {
				edits = append(edits, e)
			}
		}
	}
	return picked, left, edits
}

// ApplyFixes applies to data, the content of one file, the fixes PickFixes
// chooses among fixes (in the order given), and returns the new content, the
// index of every fix applied and of every fix left out. It is the
// pick-then-apply step of --fix and of the fixes a report carries.
func ApplyFixes(data []byte, fixes []Fix) (out []byte, picked, left []int, err error) {
	picked, left, edits := PickFixes(fixes)
	out, err = ApplyEdits(data, edits)
	if err != nil {
		return nil, nil, nil, err
	}
	return out, picked, left, nil
}
