package engine

import (
	"context"
	"os"
	"path/filepath"

	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/git"
	"github.com/kubeready/kubeready/scan"
)

// The context stage: set rules on partial runs. A run is partial when it
// checks part of a tree: a change (--base, --diff, the Action's scope:
// files or lines) or files named one by one (pre-commit). The set rules
// (drain-no-pdb, drain-pdb-blocks) judge a workload against the
// PodDisruptionBudgets and HorizontalPodAutoscalers of the whole tree: a
// PDB in an unchanged file still covers a changed Deployment. So on a
// partial run the plain manifest files of the repository are read too,
// for the set rules only; nothing is reported on them. When there is no
// repository to read (no .git above the working directory), kubeready does
// not guess: the rules that conclude from an absence (drain-no-pdb) are
// not reported.

// absenceRules conclude from something missing in the run, which a
// partial run cannot know.
var absenceRules = map[string]bool{"drain-no-pdb": true}

// partialRun reports whether the run checks part of a tree.
func partialRun(change *scan.Change, scope string, paths []string) bool {
	if change != nil && scope != ScopeAll {
		return true
	}
	if len(paths) == 0 {
		return false
	}
	for _, p := range paths {
		if p == "-" {
			return true
		}
		if st, err := os.Stat(p); err != nil || !st.IsDir() {
			return true
		}
	}
	return false
}

// contextTree is the repository a partial run reads for the set rules, or
// "" when there is none.
func contextTree() string {
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	return git.Root(wd)
}

// contextDocs reads the plain manifest files of tree that inputs do not
// hold, and returns their documents the set rules read (within the limits;
// files that do not read or parse are passed over: they are not this
// run's to report).
func (e *Engine) contextDocs(ctx context.Context, tree string, inputs []scan.Input) []*scan.Document {
	have := map[string]bool{}
	for _, in := range inputs {
		if abs, err := filepath.Abs(in.Path); err == nil {
			have[abs] = true
		}
	}
	d := scan.Discover([]string{tree})
	var out []*scan.Document
	for _, in := range d.Inputs {
		if ctx.Err() != nil {
			return out
		}
		if in.Kind != scan.InputFile || have[in.Path] {
			continue
		}
		if abs, err := filepath.Abs(in.Path); err != nil || have[abs] {
			continue
		}
		f, problem, err := e.read(in)
		if err != nil || problem != nil {
			continue
		}
		docs, _, _ := scan.ParseN(f, e.limits.MaxDocuments)
		for _, doc := range docs {
			if doc.Sig.IsObject() && !doc.SigOnly && checks.WantsSet(doc.Sig.Kind, e.rules) {
				out = append(out, doc.Detached())
			}
		}
	}
	return out
}
