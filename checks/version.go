package checks

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a Kubernetes minor release, such as 1.25.
type Version struct {
	Major, Minor int
}

// ParseVersion reads "1.25", "v1.25" or "1.25.3" (the patch is ignored).
func ParseVersion(s string) (Version, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "v")
	parts := strings.Split(t, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("version %q: want MAJOR.MINOR such as 1.25", s)
	}
	var nums [3]int
	for i, p := range parts {
		if i == 2 {
			// the patch may carry a suffix such as 3-eks-1: keep its digits
			p = p[:len(p)-len(strings.TrimLeft(p, "0123456789"))]
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return Version{}, fmt.Errorf("version %q: want MAJOR.MINOR such as 1.25", s)
		}
		nums[i] = n
	}
	return Version{Major: nums[0], Minor: nums[1]}, nil
}

// MustVersion parses a version that is known to be valid (table data).
func MustVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// IsZero reports whether v is unset.
func (v Version) IsZero() bool { return v == Version{} }

// Less reports whether v is older than w.
func (v Version) Less(w Version) bool {
	if v.Major != w.Major {
		return v.Major < w.Major
	}
	return v.Minor < w.Minor
}

// previous is the minor release before v (1.25 → 1.24); false for x.0.
func (v Version) previous() (Version, bool) {
	if v.Minor == 0 {
		return Version{}, false
	}
	return Version{Major: v.Major, Minor: v.Minor - 1}, true
}

// AtLeast reports whether v is w or newer.
func (v Version) AtLeast(w Version) bool { return !v.Less(w) }
