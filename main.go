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

	"github.com/kubeready/kubeready/internal/action"
	"github.com/kubeready/kubeready/internal/cli"
	"github.com/kubeready/kubeready/internal/engine"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	engine.TuneGC()
	cli.Version = version
	if action.Mode(os.Args[1:], os.Getenv) {
		os.Exit(action.Run(context.Background(), os.Getenv, os.Stdout))
	}
	os.Exit(cli.Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
