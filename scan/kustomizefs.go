package scan

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/kubeready/kubeready/internal/paths"
	"go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// kustomizeFS is the disk, read-only, with every kustomization file
// rewritten on read: entries that are not local files are dropped (and
// reported), and the root asks kustomize to keep origin annotations.
type kustomizeFS struct {
	filesys.FileSystem
	root, userRoot string
	origin         *Origin
	// boundary is the tree the build may read: the git repository holding
	// the kustomization, else the working directory when it holds it, else
	// the kustomization's own directory.
	boundary string

	// cache is what this run's builds share (kustomizecache.go), or nil.
	cache *BuildCache

	realOnce sync.Once
	realRoot string // root with symbolic links resolved

	boundaryOnce sync.Once
	realBoundary string          // boundary with symbolic links resolved
	insideMemo   map[string]bool // inside's answers, by absolute path

	mu       sync.Mutex
	rootFile string
	problems []Problem
	// kusts are the kustomizations read, in reading order (the root first).
	kusts []*kustFile
	files map[string]*yaml.Node // resource files parsed for tracing
	// resources are the files (absolute, cleaned) the kustomizations read
	// so far name as resources: their objects get the field sourceKey
	// (kustomizesource.go).
	resources map[string]bool
	// issued are the source markers this build wrote (issue).
	issued map[string]bool
	// crdTouched is set once a kustomization of the build may change a
	// CustomResourceDefinition's schema (kustomizecrd.go): from then on
	// resource files keep their schemas.
	crdTouched bool
}

// kustFile is one kustomization read during a build.
type kustFile struct {
	path string // as the user sees it
	dir  string // absolute
	root *yaml.Node
	file *File
}

var (
	errReadOnly   = errors.New("kubeready builds kustomizations read-only")
	errNotRegular = errors.New("not a regular file: kubeready reads only regular files")
	errOutside    = errors.New("outside the repository: kubeready reads nothing outside the tree it scans")
)

// boundaryOf finds the tree a build of the kustomization in abs may read.
func boundaryOf(abs string) string {
	for d := abs; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	if wd, err := os.Getwd(); err == nil && paths.Within(abs, wd) {
		return wd
	}
	return abs
}

// inside reports whether p (after following links) lies in the boundary.
// Answers are kept for the build: kustomize asks about the same paths
// many times (Exists, IsDir, ReadFile, CleanedAbs).
func (k *kustomizeFS) inside(p string) bool {
	abs, err := filepath.Abs(p)
	if err != nil {
		return false
	}
	k.mu.Lock()
	in, ok := k.insideMemo[abs]
	k.mu.Unlock()
	if ok {
		return in
	}
	real := abs
	if r, err := k.cache.evalSymlinks(abs); err == nil {
		real = r
	}
	k.boundaryOnce.Do(func() {
		k.realBoundary = k.boundary
		if r, err := k.cache.evalSymlinks(k.boundary); err == nil {
			k.realBoundary = r
		}
	})
	in = paths.Within(real, k.realBoundary)
	k.mu.Lock()
	if k.insideMemo == nil {
		k.insideMemo = map[string]bool{}
	}
	k.insideMemo[abs] = in
	k.mu.Unlock()
	return in
}

func (k *kustomizeFS) Open(p string) (filesys.File, error) {
	if !k.inside(p) {
		return nil, fmt.Errorf("%s: %w", k.relToUser(p), errOutside)
	}
	return k.FileSystem.Open(p)
}

func (k *kustomizeFS) IsDir(p string) bool  { return k.inside(p) && k.FileSystem.IsDir(p) }
func (k *kustomizeFS) Exists(p string) bool { return k.inside(p) && k.FileSystem.Exists(p) }

func (k *kustomizeFS) ReadDir(p string) ([]string, error) {
	if !k.inside(p) {
		return nil, fmt.Errorf("%s: %w", k.relToUser(p), errOutside)
	}
	return k.FileSystem.ReadDir(p)
}

func (k *kustomizeFS) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	if !k.inside(p) {
		return "", "", fmt.Errorf("%s: %w", k.relToUser(p), errOutside)
	}
	if k.cache == nil {
		return k.FileSystem.CleanedAbs(p)
	}
	// kyaml's fsOnDisk.CleanedAbs, with the link walk from the run's cache
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", "", fmt.Errorf("abs path error on '%s' : %v", p, err)
	}
	real, err := k.cache.evalSymlinks(abs)
	if err != nil {
		return "", "", fmt.Errorf("evalsymlink failure on '%s' : %w", p, err)
	}
	if k.FileSystem.IsDir(real) {
		return filesys.ConfirmedDir(real), "", nil
	}
	d := filepath.Dir(real)
	if d == real || !k.FileSystem.IsDir(d) {
		return "", "", fmt.Errorf("evalsymlink failure on '%s' : not in a directory", p)
	}
	return filesys.ConfirmedDir(d), filepath.Base(real), nil
}

func (k *kustomizeFS) Glob(pattern string) ([]string, error) {
	all, err := k.FileSystem.Glob(pattern)
	var out []string
	for _, p := range all {
		if k.inside(p) {
			out = append(out, p)
		}
	}
	return out, err
}

func (k *kustomizeFS) Walk(p string, fn filepath.WalkFunc) error {
	if !k.inside(p) {
		return fmt.Errorf("%s: %w", k.relToUser(p), errOutside)
	}
	return k.FileSystem.Walk(p, fn)
}

func (k *kustomizeFS) Create(string) (filesys.File, error) { return nil, errReadOnly }
func (k *kustomizeFS) Mkdir(string) error                  { return errReadOnly }
func (k *kustomizeFS) MkdirAll(string) error               { return errReadOnly }
func (k *kustomizeFS) RemoveAll(string) error              { return errReadOnly }
func (k *kustomizeFS) WriteFile(string, []byte) error      { return errReadOnly }

// relToUser turns an absolute path under the build into the path the user
// would write, relative to the directory they gave.
func (k *kustomizeFS) relToUser(abs string) string {
	rel, err := filepath.Rel(k.root, abs)
	if err != nil {
		return abs
	}
	if !filepath.IsLocal(rel) && k.root != "" {
		// kustomize names files by their real path: a root reached through
		// a symbolic link is compared as it really is
		k.realOnce.Do(func() { k.realRoot, _ = filepath.EvalSymlinks(k.root) })
		if k.realRoot != "" && k.realRoot != k.root {
			if r, err := filepath.Rel(k.realRoot, abs); err == nil && len(r) < len(rel) {
				rel = r
			}
		}
	}
	return filepath.Join(k.userRoot, rel)
}

// userPaths replaces absolute paths of the build in a message by the
// user's paths.
func (k *kustomizeFS) userPaths(msg string) string {
	parent := filepath.Dir(k.root)
	msg = strings.ReplaceAll(msg, k.root+string(filepath.Separator), filepath.Clean(k.userRoot)+string(filepath.Separator))
	msg = strings.ReplaceAll(msg, k.root, filepath.Clean(k.userRoot))
	if parent != "/" && parent != "." {
		msg = strings.ReplaceAll(msg, parent+string(filepath.Separator), filepath.Join(k.userRoot, "..")+string(filepath.Separator))
	}
	return msg
}

// ReadFile reads a file; a kustomization is rewritten on the way.
func (k *kustomizeFS) ReadFile(p string) ([]byte, error) {
	if !k.inside(p) {
		return nil, fmt.Errorf("%s: %w", k.relToUser(p), errOutside)
	}
	// a named pipe or a device would block the build or never end
	st, err := os.Stat(p)
	if err == nil && !st.Mode().IsRegular() && !st.IsDir() {
		return nil, fmt.Errorf("%s: %w", k.relToUser(p), errNotRegular)
	}
	kustomization := isKustomizationName(filepath.Base(p))
	k.mu.Lock()
	res := !kustomization && k.resources[filepath.Clean(p)]
	strip := !k.crdTouched
	k.mu.Unlock()
	var key servedKey
	if res {
		key = servedKey{path: filepath.Clean(p), value: "r:" + filepath.ToSlash(k.relToUser(p)), strip: strip}
		k.issue(key.value)
	}
	if res && st != nil {
		if data, ok := k.cache.served(key, st); ok {
			return data, nil
		}
	}
	if kustomization {
		rk := k.rewriteKey(p)
		r, ok := k.cache.rewrite(rk, st)
		if !ok {
			data, err := k.FileSystem.ReadFile(p)
			if err != nil {
				return data, err
			}
			if r = k.rewrite(p, data, rk.root); r == nil {
				return data, nil // kustomize reports it
			}
			if st != nil {
				r.st = st
				k.cache.keepRewrite(rk, r)
			}
		}
		return k.record(p, r), nil
	}
	data, err := k.FileSystem.ReadFile(p)
	if err != nil {
		return data, err
	}
	if res {
		out := annotateSourcesCached(key.path, data, key.value, strip)
		if st != nil {
			k.cache.keep(key, st, out)
		}
		return out, nil
	}
	return data, nil
}

// remoteEntry matches kustomize's remote forms: URLs, git/ssh specs and
// bare host paths (github.com/org/repo//dir?ref=x).
var remoteEntry = regexp.MustCompile(`^(?:[a-z][a-z0-9+.-]*://|git@|git::|gh:|github\.com/|gitlab\.com/|bitbucket\.org/|[a-z0-9.-]+\.[a-z]{2,}/[^/]+/)`)

// rewriteKey is the cache key of the kustomization file p in this build.
func (k *kustomizeFS) rewriteKey(p string) rewriteKey {
	k.mu.Lock()
	isRoot := len(k.kusts) == 0
	k.mu.Unlock()
	return rewriteKey{path: filepath.Clean(p), user: k.relToUser(p), boundary: k.boundary, root: isRoot}
}

// record enters into this build what the rewrite r of the kustomization p
// found (made by this build or an earlier one of the run), and returns the
// rewritten text.
func (k *kustomizeFS) record(p string, r *rewritten) []byte {
	user := k.relToUser(p)
	kf := &kustFile{path: user, dir: filepath.Dir(p), root: r.root, file: NewFile(user, r.data)}
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.kusts) == 0 {
		k.rootFile = user
	}
	if len(r.resources) > 0 && k.resources == nil {
		k.resources = map[string]bool{}
	}
	for _, res := range r.resources {
		k.resources[res] = true
	}
	for _, pr := range r.problems {
		pr.Origin = k.origin
		k.problems = append(k.problems, pr)
	}
	k.kusts = append(k.kusts, kf)
	k.crdTouched = k.crdTouched || r.touches
	k.issueLocked("g:" + filepath.ToSlash(user))
	return r.out
}

// issue records a source marker this build wrote (kustomizesource.go):
// only those are believed when read back. A patch is hostile input like
// any file, and one that sets the marker itself would otherwise make the
// tracer read whatever file it names.
func (k *kustomizeFS) issue(value string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.issueLocked(value)
}

func (k *kustomizeFS) issueLocked(value string) {
	if k.issued == nil {
		k.issued = map[string]bool{}
	}
	k.issued[value] = true
}

// issuedSource reports whether this build wrote the marker value.
func (k *kustomizeFS) issuedSource(value string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.issued[value]
}

// rewrite drops the non-local entries of a kustomization (a problem for
// each) and annotates its generators (kustomizesource.go); for the root it
// adds an empty buildMetadata. It changes nothing in the build: record
// does, from what it returns, nil when the file is left to kustomize as it
// is.
func (k *kustomizeFS) rewrite(p string, data []byte, isRoot bool) *rewritten {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	user := k.relToUser(p)
	root := doc.Content[0]
	dir := filepath.Dir(p)
	r := &rewritten{data: data, root: root}
	for _, field := range []string{"resources", "bases", "components"} {
		seq := MapGet(root, field)
		if seq == nil || seq.Kind != yaml.SequenceNode {
			continue
		}
		kept := seq.Content[:0:0]
		for _, it := range seq.Content {
			entry := filepath.Join(dir, it.Value)
			if it.Kind != yaml.ScalarNode || k.Exists(entry) {
				if it.Kind == yaml.ScalarNode && field != "components" && !k.FileSystem.IsDir(entry) {
					r.resources = append(r.resources, filepath.Clean(entry))
				}
				kept = append(kept, it)
				continue
			}
			pr := Problem{File: user, Pos: Pos{Line: it.Line, Col: it.Column}}
			switch {
			case k.FileSystem.Exists(entry):
				pr.Kind = ProblemBuildError
				pr.Message = fmt.Sprintf("%s entry %s is outside the repository: kubeready reads nothing outside the tree it scans, so it was left out and not checked", field, it.Value)
			case remoteEntry.MatchString(it.Value):
				pr.Kind = ProblemRemoteResource
				pr.Message = fmt.Sprintf("%s entry %s is remote: kubeready builds offline and never fetches it, so the objects it contributes were left out and not checked", field, it.Value)
			default:
				pr.Kind = ProblemBuildError
				pr.Message = fmt.Sprintf("%s entry %s does not exist; the kustomization was built without it", field, it.Value)
			}
			r.problems = append(r.problems, pr)
		}
		seq.Content = kept
	}
	r.touches = k.touchesCRDs(root, dir)
	annotateGenerators(root, filepath.ToSlash(user))
	if isRoot && MapGet(root, "buildMetadata") == nil {
		// An empty buildMetadata asks for nothing, but keeps a root whose
		// entries were all left out (each reported above) from failing as
		// "kustomization.yaml is empty" on top.
		root.Content = append(root.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Value: "buildMetadata"},
			&yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle})
	}
	r.out = data
	if out, err := yaml.Marshal(&doc); err == nil {
		r.out = out
	}
	return r
}
