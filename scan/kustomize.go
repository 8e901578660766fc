package scan

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// KustomizeBuild is what building one kustomization produced.
type KustomizeBuild struct {
	// Files holds one entry per object of the build, in build order.
	Files []*Rendered
	// Problems are remote bases left out and build errors.
	Problems []Problem
}

// BuildKustomization builds the kustomization in dir with kustomize's API
// (krusty), offline: the file system it sees is the disk, read-only, and
// every kustomization it reads is first stripped of entries that are not
// local (remote bases, URLs), each reported as a problem. Plugins, exec
// functions and Helm inflation stay disabled. Each object of the build is
// traced to the resource file (or the patch) it came from.
func BuildKustomization(dir string) *KustomizeBuild {
	res := &KustomizeBuild{}
	origin := &Origin{Kustomization: dir}
	abs, err := filepath.Abs(dir)
	if err != nil {
		res.Problems = append(res.Problems, Problem{Kind: ProblemBuildError, File: dir, Pos: Pos{Line: 1, Col: 1}, Message: err.Error(), Origin: origin})
		return res
	}
	kfs := &kustomizeFS{FileSystem: filesys.MakeFsOnDisk(), root: abs, userRoot: dir, origin: origin, boundary: boundaryOf(abs)}
	opts := krusty.MakeDefaultOptions()
	opts.LoadRestrictions = types.LoadRestrictionsRootOnly
	opts.PluginConfig = types.DisabledPluginConfig()
	m, err := krusty.MakeKustomizer(opts).Run(kfs, abs)
	res.Problems = append(res.Problems, kfs.problems...)
	if err != nil {
		file, pos := kfs.errorPos(err)
		res.Problems = append(res.Problems, Problem{Kind: ProblemBuildError, File: file, Pos: pos,
			Message: "kustomization does not build: " + kfs.userPaths(err.Error()), Origin: origin})
		return res
	}
	type obj struct {
		data   []byte
		origin string // resource file, relative to dir
		genIn  string // kustomization that generated it
	}
	var objs []obj
	for _, r := range m.Resources() {
		o, _ := r.GetOrigin()
		var ob obj
		if o != nil {
			ob.origin, ob.genIn = o.Path, o.ConfiguredIn
		}
		objs = append(objs, ob)
	}
	if err := m.RemoveOriginAnnotations(); err == nil {
		_ = m.RemoveTransformerAnnotations()
	}
	for i, r := range m.Resources() {
		data, err := r.AsYAML()
		if err != nil {
			continue
		}
		objs[i].data = data
	}
	for _, ob := range objs {
		if ob.data == nil {
			continue
		}
		src := ""
		switch {
		case ob.origin != "":
			src = filepath.Join(dir, filepath.FromSlash(ob.origin))
		case ob.genIn != "":
			src = filepath.Join(dir, filepath.FromSlash(ob.genIn))
		default:
			src = kfs.rootFile
		}
		f := NewFile(src, ob.data)
		f.Origin = origin
		loc := &kustomizeLocator{kfs: kfs, src: src, generated: ob.origin == "", out: f}
		res.Files = append(res.Files, newRendered(f, loc))
	}
	return res
}

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

	mu       sync.Mutex
	rootFile string
	problems []Problem
	// kusts are the kustomizations read, in reading order (the root first).
	kusts []*kustFile
	files map[string]*yaml.Node // resource files parsed for tracing
}

// kustFile is one kustomization read during a build.
type kustFile struct {
	path string // as the user sees it
	dir  string // absolute
	root *yaml.Node
	file *File
}

var (
	errReadOnly = errors.New("kubeready builds kustomizations read-only")
	errOutside  = errors.New("outside the repository: kubeready reads nothing outside the tree it scans")
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
	if wd, err := os.Getwd(); err == nil && within(wd, abs) {
		return wd
	}
	return abs
}

// within reports whether path p is root or lies under it.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// inside reports whether p (after following links) lies in the boundary.
func (k *kustomizeFS) inside(p string) bool {
	abs, err := filepath.Abs(p)
	if err != nil {
		return false
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	b := k.boundary
	if real, err := filepath.EvalSymlinks(b); err == nil {
		b = real
	}
	return within(b, abs)
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
	return k.FileSystem.CleanedAbs(p)
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
	data, err := k.FileSystem.ReadFile(p)
	if err != nil || !isKustomizationName(filepath.Base(p)) {
		return data, err
	}
	return k.rewrite(p, data)
}

// remoteEntry matches kustomize's remote forms: URLs, git/ssh specs and
// bare host paths (github.com/org/repo//dir?ref=x).
var remoteEntry = regexp.MustCompile(`^(?:[a-z][a-z0-9+.-]*://|git@|git::|gh:|github\.com/|gitlab\.com/|bitbucket\.org/|[a-z0-9.-]+\.[a-z]{2,}/[^/]+/)`)

// rewrite drops the non-local entries of a kustomization and, for the root,
// asks for origin annotations.
func (k *kustomizeFS) rewrite(p string, data []byte) ([]byte, error) {
	user := k.relToUser(p)
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return data, nil // kustomize reports it
	}
	root := doc.Content[0]
	dir := filepath.Dir(p)
	kf := &kustFile{path: user, dir: dir, file: NewFile(user, data)}
	k.mu.Lock()
	isRoot := len(k.kusts) == 0
	if isRoot {
		k.rootFile = user
	}
	k.mu.Unlock()
	for _, field := range []string{"resources", "bases", "components"} {
		seq := MapGet(root, field)
		if seq == nil || seq.Kind != yaml.SequenceNode {
			continue
		}
		kept := seq.Content[:0:0]
		for _, it := range seq.Content {
			entry := filepath.Join(dir, it.Value)
			if it.Kind != yaml.ScalarNode || k.Exists(entry) {
				kept = append(kept, it)
				continue
			}
			pr := Problem{File: user, Pos: Pos{Line: it.Line, Col: it.Column}, Origin: k.origin}
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
			k.mu.Lock()
			k.problems = append(k.problems, pr)
			k.mu.Unlock()
		}
		seq.Content = kept
	}
	kf.root = root
	k.mu.Lock()
	k.kusts = append(k.kusts, kf)
	k.mu.Unlock()
	if isRoot {
		bm := MapGet(root, "buildMetadata")
		if bm == nil {
			root.Content = append(root.Content,
				&yaml.Node{Kind: yaml.ScalarNode, Value: "buildMetadata"},
				&yaml.Node{Kind: yaml.SequenceNode})
			bm = root.Content[len(root.Content)-1]
		}
		if bm.Kind == yaml.SequenceNode {
			for _, want := range []string{types.OriginAnnotations} {
				found := false
				for _, it := range bm.Content {
					found = found || it.Value == want
				}
				if !found {
					bm.Content = append(bm.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: want})
				}
			}
		}
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return data, nil
	}
	return out, nil
}

// errorPos places a build error: on the line of the kustomization that
// names the path the error is about, else on line 1 of the root.
func (k *kustomizeFS) errorPos(err error) (string, Pos) {
	msg := err.Error()
	k.mu.Lock()
	defer k.mu.Unlock()
	for i := len(k.kusts) - 1; i >= 0; i-- {
		kf := k.kusts[i]
		f := kf.file
		for l := 1; l <= f.Lines(); l++ {
			line := strings.TrimSpace(string(f.Line(l)))
			line = strings.TrimSpace(strings.TrimPrefix(line, "- "))
			if i := strings.Index(line, ": "); i >= 0 && !strings.HasPrefix(line, "-") {
				line = strings.TrimSpace(line[i+2:])
			}
			if len(line) > 2 && strings.Contains(msg, line) && !strings.HasSuffix(line, ":") {
				return kf.path, Pos{Line: l, Col: 1}
			}
		}
	}
	if k.rootFile != "" {
		return k.rootFile, Pos{Line: 1, Col: 1}
	}
	return filepath.Join(k.userRoot, "kustomization.yaml"), Pos{Line: 1, Col: 1}
}

// parsed reads and parses a file of the build once (nil when it does not
// parse as YAML).
func (k *kustomizeFS) parsed(p string) *File {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	return NewFile(p, data)
}

// kustomizeLocator places positions of one object of a build.
type kustomizeLocator struct {
	kfs       *kustomizeFS
	src       string // the resource file (or generating kustomization)
	generated bool
	out       *File

	once sync.Once
	srcF *File
	docs []*Document
}

func (l *kustomizeLocator) init() {
	l.once.Do(func() {
		l.srcF = l.kfs.parsed(l.src)
		if l.srcF != nil {
			l.docs, _ = Parse(l.srcF)
		}
	})
}

// sourceDoc finds the document of the resource file the object came from:
// the only object of its kind, or the one whose name the output's name
// contains (name prefixes and suffixes are added by kustomize).
func (l *kustomizeLocator) sourceDoc(sig Signature) *Document {
	var cands []*Document
	for _, d := range l.docs {
		if d.Sig.Kind == sig.Kind {
			cands = append(cands, d)
		}
	}
	if len(cands) == 1 {
		return cands[0]
	}
	var best *Document
	for _, d := range cands {
		if d.Sig.Name != "" && strings.Contains(sig.Name, d.Sig.Name) && (best == nil || len(d.Sig.Name) > len(best.Sig.Name)) {
			best = d
		}
	}
	return best
}

func (l *kustomizeLocator) locate(d *Document, q Query) Location {
	p := q.Pos
	l.init()
	first := Location{File: l.src, Pos: Pos{Line: 1, Col: 1}}
	if d == nil {
		first.Note = "(kubeready could not trace the line in the kustomization)"
		return first
	}
	root, err := d.Node()
	if err != nil || root == nil {
		first.Note = "(kubeready could not trace the line in the kustomization)"
		return first
	}
	path, _, value, isKey := nodePath(root, p)
	if path == nil {
		first.Note = "(kubeready could not trace the line in the kustomization)"
		return first
	}
	keys := make([]string, len(path))
	for i, el := range path {
		if el.isIndex {
			keys[i] = fmt.Sprint(el.index)
		} else {
			keys[i] = el.key
		}
	}
	if !isKey {
		value = nil
	}
	if l.generated {
		if loc, ok := l.kfs.generatorPos(l.src, d.Sig.Name); ok {
			return loc
		}
		first.Note = "(object generated by the kustomization)"
		return first
	}
	var srcNode *yaml.Node
	var sd *Document
	if sd = l.sourceDoc(d.Sig); sd != nil {
		if sroot, err := sd.Node(); err == nil {
			srcNode = lookupPath(sroot, keys)
			if srcNode != nil && sameValue(valueOf(sroot, keys), value) {
				return Location{File: l.src, Pos: PosOf(srcNode), Exact: true}
			}
		}
	}
	// The value differs from the resource file: a patch set it.
	if loc, ok := l.kfs.patchPos(d.Sig, keys, value); ok {
		return loc
	}
	if srcNode != nil {
		return Location{File: l.src, Pos: PosOf(srcNode), Note: "(the kustomization changes this value; kubeready could not find the patch)"}
	}
	if sd != nil {
		return Location{File: l.src, Pos: Pos{Line: sd.StartLine, Col: 1}, Note: "(set by the kustomization; kubeready could not trace the line)"}
	}
	first.Note = "(kubeready could not trace the line in the kustomization)"
	return first
}

func (l *kustomizeLocator) edit(start, end int) (string, int, int, bool) {
	return "", 0, 0, false
}

// valueOf walks keys from root and returns the value reached.
func valueOf(root *yaml.Node, keys []string) *yaml.Node {
	n := root
	for _, k := range keys {
		if n == nil {
			return nil
		}
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		switch n.Kind {
		case yaml.MappingNode:
			n = MapGet(n, k)
		case yaml.SequenceNode:
			n = lookupPath(n, []string{k})
		default:
			return nil
		}
	}
	return n
}

// sameValue reports whether a source value matches the rendered one: equal
// scalars, or both present when not scalars.
func sameValue(src, rendered *yaml.Node) bool {
	if rendered == nil || src == nil {
		return rendered == nil
	}
	if rendered.Kind == yaml.ScalarNode || src.Kind == yaml.ScalarNode {
		return rendered.Kind == src.Kind && rendered.Value == src.Value
	}
	return true
}

// patch is one patch of a kustomization.
type patch struct {
	kf     *kustFile
	file   *File      // the patch text (a file, or the kustomization for inline patches)
	root   *yaml.Node // the patch's root nodes, lines in file terms
	target *yaml.Node // the target selector, if any
	shift  Pos        // added to positions of an inline patch
}

// patches lists every patch of the build, the latest applied first: the
// root kustomization's, then those of its bases.
func (k *kustomizeFS) patches() []patch {
	k.mu.Lock()
	kusts := append([]*kustFile{}, k.kusts...)
	k.mu.Unlock()
	var out []patch
	for _, kf := range kusts {
		for _, field := range []string{"patches", "patchesJson6902", "patchesStrategicMerge"} {
			seq := MapGet(kf.root, field)
			if seq == nil || seq.Kind != yaml.SequenceNode {
				continue
			}
			for i := len(seq.Content) - 1; i >= 0; i-- {
				it := seq.Content[i]
				var target *yaml.Node
				var pathN, inline *yaml.Node
				switch it.Kind {
				case yaml.ScalarNode: // patchesStrategicMerge: a file or inline text
					if k.Exists(filepath.Join(kf.dir, it.Value)) {
						pathN = it
					} else {
						inline = it
					}
				case yaml.MappingNode:
					target = MapGet(it, "target")
					pathN = MapGet(it, "path")
					inline = MapGet(it, "patch")
				}
				switch {
				case pathN != nil:
					p := filepath.Join(kf.dir, pathN.Value)
					if !k.inside(p) {
						continue
					}
					data, err := os.ReadFile(p)
					if err != nil {
						continue
					}
					f := NewFile(k.relToUser(p), data)
					for _, r := range parseAll(data) {
						out = append(out, patch{kf: kf, file: f, root: r, target: target})
					}
				case inline != nil && inline.Kind == yaml.ScalarNode:
					shift := Pos{}
					if inline.Style == yaml.LiteralStyle || inline.Style == yaml.FoldedStyle {
						// Content starts on the next line, indented.
						line := kf.file.Line(inline.Line + 1)
						ind := len(line) - len(strings.TrimLeft(string(line), " "))
						shift = Pos{Line: inline.Line, Col: ind}
					} else {
						shift = Pos{Line: inline.Line - 1, Col: -1}
					}
					for _, r := range parseAll([]byte(inline.Value)) {
						out = append(out, patch{kf: kf, file: kf.file, root: r, target: target, shift: shift})
					}
				}
			}
		}
	}
	return out
}

// parseAll parses every document of a YAML stream.
func parseAll(data []byte) []*yaml.Node {
	var out []*yaml.Node
	for _, c := range Split(data) {
		n, err := parseChunk(c)
		if err == nil && n != nil {
			out = append(out, n)
		}
	}
	return out
}

// at converts a position in a patch's text to one in its file.
func (p patch) at(n *yaml.Node) Location {
	if p.shift.Col < 0 {
		// An inline patch in a quoted or plain scalar: only the line of the
		// patch entry is known.
		return Location{File: p.file.Path, Pos: Pos{Line: p.shift.Line + 1, Col: 1}, Note: "(in the inline patch on this line)"}
	}
	return Location{File: p.file.Path, Pos: Pos{Line: n.Line + p.shift.Line, Col: n.Column + p.shift.Col}}
}

// matches reports whether a patch applies to an object: its target (kind,
// name as a regular expression or part of the name) or, for a strategic
// merge patch without target, its own kind and name.
func (p patch) matches(sig Signature) bool {
	kind, name := "", ""
	if p.target != nil {
		if k := MapGet(p.target, "kind"); k != nil {
			kind = k.Value
		}
		if n := MapGet(p.target, "name"); n != nil {
			name = n.Value
		}
	} else if p.root.Kind == yaml.MappingNode {
		if k := MapGet(p.root, "kind"); k != nil {
			kind = k.Value
		}
		if n := MapGet(MapGet(p.root, "metadata"), "name"); n != nil {
			name = n.Value
		}
	}
	if kind != "" && kind != sig.Kind {
		return false
	}
	if name == "" || strings.Contains(sig.Name, name) {
		return true
	}
	re, err := regexp.Compile("^(?:" + name + ")$")
	return err == nil && re.MatchString(sig.Name)
}

// patchPos finds the patch that set the value at keys.
func (k *kustomizeFS) patchPos(sig Signature, keys []string, rendered *yaml.Node) (Location, bool) {
	for _, p := range k.patches() {
		if !p.matches(sig) {
			continue
		}
		switch p.root.Kind {
		case yaml.SequenceNode: // JSON 6902
			for _, op := range p.root.Content {
				verb, ptr := MapGet(op, "op"), MapGet(op, "path")
				if verb == nil || ptr == nil || (verb.Value != "add" && verb.Value != "replace" && verb.Value != "copy" && verb.Value != "move") {
					continue
				}
				opKeys := pointerKeys(ptr.Value)
				if len(opKeys) > len(keys) || !hasPrefix(keys, opKeys) {
					continue
				}
				vk, v := MapEntry(op, "value")
				if v == nil {
					return p.at(ptr), true
				}
				rest := keys[len(opKeys):]
				if len(rest) == 0 {
					if sameValue(v, rendered) {
						return p.at(vk), true
					}
					continue
				}
				if n := lookupPath(v, rest); n != nil && sameValue(valueOf(v, rest), rendered) {
					return p.at(n), true
				}
			}
		case yaml.MappingNode: // strategic merge
			if n := lookupPath(p.root, keys); n != nil && sameValue(valueOf(p.root, keys), rendered) {
				return p.at(n), true
			}
		}
	}
	return Location{}, false
}

// pointerKeys splits a JSON pointer (/spec/template/0) into keys.
func pointerKeys(ptr string) []string {
	ptr = strings.TrimPrefix(ptr, "/")
	if ptr == "" {
		return nil
	}
	parts := strings.Split(ptr, "/")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
	}
	return parts
}

// generatorPos finds the generator entry (configMapGenerator,
// secretGenerator) whose name the generated object's name contains.
func (k *kustomizeFS) generatorPos(kustPath, name string) (Location, bool) {
	k.mu.Lock()
	kusts := append([]*kustFile{}, k.kusts...)
	k.mu.Unlock()
	for _, kf := range kusts {
		if filepath.Clean(kf.path) != filepath.Clean(kustPath) {
			continue
		}
		for _, field := range []string{"configMapGenerator", "secretGenerator"} {
			seq := MapGet(kf.root, field)
			if seq == nil || seq.Kind != yaml.SequenceNode {
				continue
			}
			for _, it := range seq.Content {
				kn, n := MapEntry(it, "name")
				if n != nil && n.Value != "" && strings.Contains(name, n.Value) {
					return Location{File: kf.path, Pos: PosOf(kn)}, true
				}
			}
		}
	}
	return Location{}, false
}
