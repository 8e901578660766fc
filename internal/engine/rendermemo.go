package engine

import (
	"hash/maphash"
	"slices"
	"strconv"
	"sync"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
)

// A run renders the same objects again and again: every overlay of a base
// puts out the base's objects, most of them unchanged (kubeflow/manifests:
// 4,683 objects from its builds, 2,167 different). What the rules find in
// a rendered object depends only on its text and the name it is shown
// under (checkFile reads nothing else), so renderedMemo keeps checkFile's
// answer for each rendered text of the run, before placement: each copy is
// then placed through its own build's locator, as if checked anew.

// renderedMemo is checkFile's results by rendered text, for one run.
type renderedMemo struct {
	mu   sync.Mutex
	m    map[memoKey]memoResult
	size int // bytes of the texts kept for
}

// memoKey is a 128-bit hash (two seeds, random per process) of a file's
// name and text, length-prefixed: the texts themselves would double what
// the run holds (every rendered object, kept until the run ends), and only
// a hash collision could give a text another's answer.
type memoKey [2]uint64

var memoSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

func keyOfFile(f *scan.File) memoKey {
	var k memoKey
	n := strconv.Itoa(len(f.Path)) + ":"
	for i := range k {
		var h maphash.Hash
		h.SetSeed(memoSeeds[i])
		h.WriteString(n)
		h.WriteString(f.Path)
		h.Write(f.Data)
		k[i] = h.Sum64()
	}
	return k
}

type memoResult struct {
	findings  []checks.Finding
	documents int
	skipped   []annotate.Skipped
}

// maxMemoBytes bounds the text the memo answers for (a bound on its entries
// that grows with what they hold); past it, objects are checked every time.
const maxMemoBytes = 64 << 20

// check is e.checkFile(f) through the memo (m nil: no memo). The findings
// returned are the caller's to change (place does).
func (m *renderedMemo) check(e *Engine, f *scan.File) fileResult {
	if m == nil {
		return e.checkFile(f)
	}
	key := keyOfFile(f)
	m.mu.Lock()
	r, ok := m.m[key]
	m.mu.Unlock()
	if ok {
		return fileResult{findings: cloneFindings(r.findings), documents: r.documents, skipped: slices.Clone(r.skipped)}
	}
	res := e.checkFile(f)
	m.mu.Lock()
	if _, had := m.m[key]; !had && m.size+len(f.Data) <= maxMemoBytes {
		m.m[key] = memoResult{findings: cloneFindings(res.findings), documents: res.documents, skipped: slices.Clone(res.skipped)}
		m.size += len(f.Data)
	}
	m.mu.Unlock()
	return res
}

// cloneFindings copies findings and their fixes' edits.
func cloneFindings(fs []checks.Finding) []checks.Finding {
	if fs == nil {
		return nil
	}
	out := slices.Clone(fs)
	for i := range out {
		if out[i].Fixes == nil {
			continue
		}
		out[i].Fixes = slices.Clone(out[i].Fixes)
		for j := range out[i].Fixes {
			out[i].Fixes[j].Edits = slices.Clone(out[i].Fixes[j].Edits)
		}
	}
	return out
}
