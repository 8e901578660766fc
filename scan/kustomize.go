package scan

import (
	"path/filepath"
	"regexp"
	"strings"

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
	// Failed is set when kustomize could not build it at all (a
	// kustomize-build-error among Problems says why).
	Failed bool
	// Read are the directories (absolute, links resolved) of the
	// kustomizations the build read: an included one missing here was
	// left out (outside the repository, say) and is not in Files.
	Read []string
}

// Reads reports whether the build read the kustomization in dir.
func (b *KustomizeBuild) Reads(dir string) bool {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	for _, r := range b.Read {
		if r == abs {
			return true
		}
	}
	return false
}

// BuildKustomization builds the kustomization in dir with kustomize's API
// (krusty), offline: the file system it sees is the disk, read-only, and
// every kustomization it reads is first stripped of entries that are not
// local (remote bases, URLs), each reported as a problem. Plugins, exec
// functions and Helm inflation stay disabled. Each object of the build is
// traced to the resource file (or the patch) it came from.
func BuildKustomization(dir string) *KustomizeBuild { return BuildKustomizationWith(dir, nil) }

// BuildKustomizationWith is BuildKustomization sharing cache with the
// other builds of a run (nil: none).
func BuildKustomizationWith(dir string, cache *BuildCache) *KustomizeBuild {
	res := &KustomizeBuild{}
	origin := &Origin{Kustomization: dir}
	abs, err := filepath.Abs(dir)
	if err != nil {
		res.Problems = append(res.Problems, Problem{Kind: ProblemBuildError, File: dir, Pos: Pos{Line: 1, Col: 1}, Message: err.Error(), Origin: origin})
		res.Failed = true
		return res
	}
	kfs := &kustomizeFS{FileSystem: filesys.MakeFsOnDisk(), root: abs, userRoot: dir, origin: origin, boundary: boundaryOf(abs), cache: cache}
	opts := krusty.MakeDefaultOptions()
	opts.LoadRestrictions = types.LoadRestrictionsRootOnly
	opts.PluginConfig = types.DisabledPluginConfig()
	// As `kustomize build` without --reorder: a kustomization's
	// sortOptions when it has them, else the legacy order, and no warning
	// about a CLI flag kubeready does not have.
	opts.Reorder = krusty.ReorderOptionUnspecified
	m, err := krusty.MakeKustomizer(opts).Run(kfs, abs)
	res.Problems = append(res.Problems, kfs.problems...)
	for _, kf := range kfs.kusts {
		d := kf.dir
		if real, err := cache.evalSymlinks(d); err == nil {
			d = real
		}
		res.Read = append(res.Read, d)
	}
	if err != nil {
		file, pos := kfs.errorPos(err)
		res.Problems = append(res.Problems, Problem{Kind: ProblemBuildError, File: file, Pos: pos,
			Message: "kustomization does not build: " + kfs.userPaths(scrubPointers(scrubSources(err.Error()))), Origin: origin})
		res.Failed = true
		return res
	}
	type obj struct {
		data   []byte
		origin string // resource file, relative to dir
		genIn  string // kustomization that generated it
		// src and generated come from sourceKey (kustomizesource.go),
		// src as the user names it
		src       string
		generated bool
		annotated bool // the marker is an annotation (a generated object's)
	}
	var objs []obj
	for _, r := range m.Resources() {
		var ob obj
		v, found := takeSource(r.YNode())
		if !found {
			v, found = r.GetAnnotations()[sourceKey]
			ob.annotated = found
		}
		if src, gen, ok := parseSource(v, found); ok && kfs.issuedSource(v) {
			ob.src, ob.generated = src, gen
		} else if o, _ := r.GetOrigin(); o != nil {
			ob.origin, ob.genIn = o.Path, o.ConfiguredIn
		}
		objs = append(objs, ob)
	}
	if err := m.RemoveOriginAnnotations(); err == nil {
		_ = m.RemoveTransformerAnnotations()
	}
	for i, r := range m.Resources() {
		if objs[i].annotated {
			ann := r.GetAnnotations()
			delete(ann, sourceKey)
			_ = r.SetAnnotations(ann)
		}
		data, err := cache.resourceYAML(r)
		if err != nil {
			continue
		}
		objs[i].data = data
	}
	for _, ob := range objs {
		if ob.data == nil {
			continue
		}
		src, generated := "", ob.origin == ""
		switch {
		case ob.src != "":
			src, generated = ob.src, ob.generated
		case ob.origin != "":
			src = filepath.Join(dir, filepath.FromSlash(ob.origin))
		case ob.genIn != "":
			src = filepath.Join(dir, filepath.FromSlash(ob.genIn))
		default:
			src = kfs.rootFile
		}
		f := NewFile(src, ob.data)
		f.Origin = origin
		loc := &kustomizeLocator{kfs: kfs, src: src, generated: generated, out: f}
		res.Files = append(res.Files, newRendered(f, loc))
	}
	return res
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

// goPointer matches a Go struct printed with %v whose first field is a
// pointer (kustomize's "merging from generator &{0xc000123 <nil>}"): an
// address differs from run to run.
var goPointer = regexp.MustCompile(` ?&\{0x[0-9a-f]+(?: [^{}]*)?\}`)

// scrubPointers removes printed Go pointers from a kustomize message, so
// the same build gives the same message in every run.
func scrubPointers(msg string) string { return goPointer.ReplaceAllString(msg, "") }
