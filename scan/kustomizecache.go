package scan

import (
	"os"
	"path/filepath"
	"sync"

	"go.yaml.in/yaml/v3"
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
	mu       sync.Mutex
	real     map[string]realPath
	files    map[servedKey]servedFile
	rewrites map[rewriteKey]*rewritten
	// texts is resourceYAML's output by object tree (kustomizeyaml.go),
	// textBytes their size.
	texts     map[treeKey][]byte
	textBytes int
}

// rewriteKey names one kustomization file as one kind of build reads it:
// the file, the path users see it by, whether it is the build's root, and
// the tree the build may read (which entries are left out depends on it).
type rewriteKey struct {
	path, user, boundary string
	root                 bool
}

// rewritten is what kustomizeFS.rewrite made of a kustomization file, for
// kustomizeFS.record to enter into this build and, from the cache, into
// later builds of the run: the rewritten text, the parsed (and rewritten)
// mapping, read only from then on, and what the build learns from it
// (resource files, problems, whether it may change a CRD schema). Whether entries exist, and the patches read to
// tell whether it touches CRDs, are as they were when first read: the tree
// does not change during a run; the file itself is checked (st).
type rewritten struct {
	st        os.FileInfo
	data, out []byte
	root      *yaml.Node
	resources []string
	problems  []Problem // without Origin: the build's is set when served
	touches   bool
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
	return &BuildCache{real: map[string]realPath{}, files: map[servedKey]servedFile{}, rewrites: map[rewriteKey]*rewritten{}, texts: map[treeKey][]byte{}}
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
	if !ok || !sameFile(f.st, st) {
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

// maxRewrites bounds the kustomizations kept (a run reads each of its
// kustomizations; they are small, and a larger tree is served as read).
const maxRewrites = 1 << 14

// rewrite returns the rewrite kept for key when the file still has the
// size, time and inode of st.
func (c *BuildCache) rewrite(key rewriteKey, st os.FileInfo) (*rewritten, bool) {
	if c == nil || st == nil {
		return nil, false
	}
	c.mu.Lock()
	r, ok := c.rewrites[key]
	c.mu.Unlock()
	if !ok || !sameFile(r.st, st) {
		return nil, false
	}
	return r, true
}

// keepRewrite records a rewrite read when the file was r.st.
func (c *BuildCache) keepRewrite(key rewriteKey, r *rewritten) {
	if c == nil || r.st == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, had := c.rewrites[key]; had || len(c.rewrites) < maxRewrites {
		c.rewrites[key] = r
	}
}

// sameFile reports whether a and b are the same file with the same size and
// modification time.
func sameFile(a, b os.FileInfo) bool {
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}
