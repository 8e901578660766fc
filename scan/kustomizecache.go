package scan

import (
	"os"
	"path/filepath"
	"sync"
)

// BuildCache is what the kustomize builds of one run share. A run builds
// overlays of the same bases again and again (kubeflow/manifests: 126
// builds read its 386 kustomizations 1,101 times), and each build asks the
// disk the same questions: where a path really leads (a symbolic-link walk,
// one lstat per path element) and what a resource file holds (read, hashed
// and served annotated, kustomizesource.go). The cache keeps those answers
// for the run: links resolved, and each resource file's annotated bytes
// with the size, modification time and inode they were read at, so a file
// is read once per run unless it changes. The containment checks are still
// made by each build against its own boundary (kustomizefs.go), from the
// cached real paths. A cache is for one run over a tree that does not
// change meanwhile; the zero value is not usable, nil means no cache.
type BuildCache struct {
	mu    sync.Mutex
	real  map[string]realPath
	files map[servedKey]servedFile
}

type realPath struct {
	path string
	err  error
}

// servedKey names one resource file as one build serves it: the file,
// the source annotation it gets and whether CRD schemas are left out.
type servedKey struct {
	path, value string
	strip       bool
}

type servedFile struct {
	st   os.FileInfo // as it was read (os.SameFile tells the inode)
	data []byte
}

// NewBuildCache returns an empty cache for one run's builds.
func NewBuildCache() *BuildCache {
	return &BuildCache{real: map[string]realPath{}, files: map[servedKey]servedFile{}}
}

// maxRealPaths bounds the resolved-link memo (entries, not bytes: paths
// are short); past it, answers are computed and not kept.
const maxRealPaths = 1 << 18

// evalSymlinks is filepath.EvalSymlinks, remembered for the run.
func (c *BuildCache) evalSymlinks(p string) (string, error) {
	if c == nil {
		return filepath.EvalSymlinks(p)
	}
	c.mu.Lock()
	r, ok := c.real[p]
	c.mu.Unlock()
	if ok {
		return r.path, r.err
	}
	real, err := filepath.EvalSymlinks(p)
	c.mu.Lock()
	if len(c.real) < maxRealPaths {
		c.real[p] = realPath{real, err}
	}
	c.mu.Unlock()
	return real, err
}

// served returns the bytes a build served for key when the file still has
// the size, time and inode of st.
func (c *BuildCache) served(key servedKey, st os.FileInfo) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	f, ok := c.files[key]
	c.mu.Unlock()
	if !ok || !os.SameFile(f.st, st) || f.st.Size() != st.Size() || !f.st.ModTime().Equal(st.ModTime()) {
		return nil, false
	}
	return f.data, true
}

// keep records the bytes served for key, read when the file was st. The
// bytes are sourceCache's (annotateSourcesCached), so keeping them costs
// nothing more while that cache holds them; past sourceCacheMax bytes
// nothing is kept here either.
func (c *BuildCache) keep(key servedKey, st os.FileInfo, data []byte) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, had := c.files[key]; !had && sourceCacheFull() {
		return
	}
	c.files[key] = servedFile{st: st, data: data}
}
