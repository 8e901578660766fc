package main

import (
	"runtime/debug"
	"testing"
)

func TestVersionOf(t *testing.T) {
	proxy := &debug.BuildInfo{Main: debug.Module{Path: "github.com/kubeready/kubeready", Version: "v0.3.1"}}
	checkout := &debug.BuildInfo{Main: debug.Module{Path: "github.com/kubeready/kubeready", Version: "v0.3.2-0.20261202093000-da04e4d1a2b3+dirty"},
		Settings: []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "da04e4d1a2b3"}}}
	devel := &debug.BuildInfo{Main: debug.Module{Path: "github.com/kubeready/kubeready", Version: "(devel)"}}
	for _, tc := range []struct {
		name    string
		stamped string
		bi      *debug.BuildInfo
		ok      bool
		want    string
	}{
		{"release (stamped)", "v1.2.0", checkout, true, "v1.2.0"},
		{"go install @v0.3.1", "dev", proxy, true, "v0.3.1"},
		{"checkout build", "dev", checkout, true, "dev"},
		{"-buildvcs=false checkout build", "dev", devel, true, "dev"},
		{"no build info", "dev", nil, false, "dev"},
	} {
		if got := versionOf(tc.stamped, tc.bi, tc.ok); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
