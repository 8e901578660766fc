package checks

import (
	"strconv"
	"strings"
)

// ImageRef is a container image reference split into its parts.
type ImageRef struct {
	// Host is the registry host ("" when the reference names none, which
	// means Docker Hub).
	Host string
	// Repository is the path after the host, such as
	// amazon/aws-load-balancer-controller.
	Repository string
	Tag        string
	Digest     string
}

// ParseImage splits an image reference. It never fails: a malformed
// reference gives whatever parts it has.
func ParseImage(s string) ImageRef {
	var r ImageRef
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s, r.Digest = s[:i], s[i+1:]
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 && !strings.Contains(s[i+1:], "/") {
		s, r.Tag = s[:i], s[i+1:]
	}
	if i := strings.IndexByte(s, '/'); i >= 0 {
		first := s[:i]
		if strings.ContainsAny(first, ".:") || first == "localhost" {
			r.Host, s = first, s[i+1:]
		}
	}
	r.Repository = s
	return r
}

// Name is the last element of the repository path.
func (r ImageRef) Name() string {
	return r.Repository[strings.LastIndexByte(r.Repository, '/')+1:]
}

// Release is a dotted release number such as 2.4.7, read from an image tag.
type Release struct {
	Major, Minor, Patch int
}

// ParseRelease reads the leading MAJOR.MINOR[.PATCH] of s, after an
// optional "v": "v1.25.6-minimal-eksbuild.2" is 1.25.6. ok is false when s
// does not start that way.
func ParseRelease(s string) (rel Release, ok bool) {
	s = strings.TrimPrefix(s, "v")
	var nums [3]int
	n := 0
	for n < 3 {
		j := 0
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == 0 || j > 9 {
			break
		}
		nums[n], _ = strconv.Atoi(s[:j])
		n++
		s = s[j:]
		if len(s) == 0 || s[0] != '.' {
			break
		}
		s = s[1:]
	}
	if n < 2 {
		return Release{}, false
	}
	return Release{nums[0], nums[1], nums[2]}, true
}

// MustRelease parses a release known to be valid (table data).
func MustRelease(s string) Release {
	r, ok := ParseRelease(s)
	if !ok {
		panic("checks: bad release " + s)
	}
	return r
}

// Less reports whether r is older than o.
func (r Release) Less(o Release) bool {
	if r.Major != o.Major {
		return r.Major < o.Major
	}
	if r.Minor != o.Minor {
		return r.Minor < o.Minor
	}
	return r.Patch < o.Patch
}

func (r Release) String() string {
	return strconv.Itoa(r.Major) + "." + strconv.Itoa(r.Minor) + "." + strconv.Itoa(r.Patch)
}
