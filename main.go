// Command kubeready finds Kubernetes upgrade blockers (removed APIs and EKS
// gotchas) in manifests, with the exact line and how to fix them.
//
// main only wires the ways in: the GitHub Action (internal/action) when the
// runner starts it, else the command line (internal/cli). Both run the one
// pipeline, internal/engine: scan → checks → annotate.
package main

import (
	"context"
	"os"
	"runtime/debug"

	"github.com/kubeready/kubeready/internal/action"
	"github.com/kubeready/kubeready/internal/cli"
	"github.com/kubeready/kubeready/internal/engine"
	"github.com/kubeready/kubeready/internal/logsink"
)

// version is stamped at build time with -ldflags "-X main.version=..."
// (releases); see versionOf for the other builds.
var version = "dev"

// versionOf is the version kubeready reports: the stamped one; else the
// module version of `go install github.com/kubeready/kubeready@vX` (a build
// from the module proxy, which carries no VCS information); else "dev", a
// build from a checkout (whose pseudo-version Go derives from the commit
// says nothing a user can install).
func versionOf(stamped string, bi *debug.BuildInfo, ok bool) string {
	if stamped != "dev" && stamped != "" {
		return stamped
	}
	if !ok || bi.Main.Version == "" || bi.Main.Version == "(devel)" {
		return "dev"
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			return "dev"
		}
	}
	return bi.Main.Version
}

func main() {
	engine.TuneGC()
	// Libraries log, and print, through one writer that no repository
	// content can turn into a workflow command (internal/logsink): the
	// process's stdout and stderr are theirs, kubeready writes to copies.
	libs := logsink.Install(os.Stderr)
	stdout, stderr, endCapture := logsink.Capture(libs)
	bi, ok := debug.ReadBuildInfo()
	cli.Version = versionOf(version, bi, ok)
	var code int
	if action.Mode(os.Args[1:], os.Getenv) {
		code = action.Run(context.Background(), os.Getenv, stdout)
	} else {
		code = cli.Run(context.Background(), os.Args[1:], os.Stdin, stdout, stderr)
	}
	endCapture()
	os.Exit(code)
}
