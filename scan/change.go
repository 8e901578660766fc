package scan

import (
	"bytes"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bluekeyes/go-gitdiff/gitdiff"
	"github.com/kubeready/kubeready/internal/paths"
)

// LineRange is an inclusive range of 1-based lines.
type LineRange struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// FileChange is what a change did to one file.
type FileChange struct {
	// Path is the file's path in the new tree, slash-separated and relative
	// to the change's root (the repository root).
	Path string
	// OldPath is the path before a rename, or "".
	OldPath string
	// Lines are the added or modified lines of the new file, in order. With
	// Whole set they are ignored.
	Lines []LineRange
	// Whole means every line counts as changed (a new file, or a change
	// whose hunks are unknown, as pre-commit's file lists).
	Whole bool
	// Hunks are the new-file line ranges of the diff's hunks, context
	// included: where GitHub accepts review comments.
	Hunks []LineRange
}

// HasLine reports whether line is added or modified by the change.
func (fc *FileChange) HasLine(line int) bool {
	if fc.Whole {
		return true
	}
	i := sort.Search(len(fc.Lines), func(i int) bool { return fc.Lines[i].End >= line })
	return i < len(fc.Lines) && fc.Lines[i].Start <= line
}

// Overlaps reports whether any line in [start, end] is added or modified.
func (fc *FileChange) Overlaps(start, end int) bool {
	if fc.Whole {
		return true
	}
	i := sort.Search(len(fc.Lines), func(i int) bool { return fc.Lines[i].End >= start })
	return i < len(fc.Lines) && fc.Lines[i].Start <= end
}

// InHunk reports whether line lies inside one of the diff's hunks (context
// lines included), where a review comment may be placed.
func (fc *FileChange) InHunk(line int) bool {
	if fc.Whole {
		return true
	}
	for _, h := range fc.Hunks {
		if h.Start <= line && line <= h.End {
			return true
		}
	}
	return false
}

// Change is a set of changed files with their changed lines. It comes from
// `--base`, `--diff`, a pre-commit file list, or a pull request's files.
type Change struct {
	// Root is the directory the paths are relative to.
	Root  string
	files map[string]*FileChange
	// Skipped lists files of the change that are not scanned, with the reason.
	Skipped []Skip
}

// NewChange makes an empty change rooted at root.
func NewChange(root string) *Change {
	return &Change{Root: root, files: map[string]*FileChange{}}
}

// Add records a changed file (replacing an earlier record of the same path).
func (c *Change) Add(fc *FileChange) {
	sort.Slice(fc.Lines, func(i, j int) bool { return fc.Lines[i].Start < fc.Lines[j].Start })
	c.files[fc.Path] = fc
}

// Files returns the changed files sorted by path.
func (c *Change) Files() []*FileChange {
	out := make([]*FileChange, 0, len(c.files))
	for _, fc := range c.files {
		out = append(out, fc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Lookup finds the change record of a path as the user gave it (relative to
// the working directory, or absolute), or nil when the file is unchanged.
func (c *Change) Lookup(p string) *FileChange {
	if c == nil {
		return nil
	}
	if fc := c.files[filepath.ToSlash(filepath.Clean(p))]; fc != nil && c.Root == "" {
		return fc
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil
	}
	rel, ok := paths.Rel(c.rootAbs(), abs)
	if !ok {
		return nil
	}
	return c.files[filepath.ToSlash(rel)]
}

// PathFor turns a root-relative path of the change into the path the user
// would type from the working directory.
func (c *Change) PathFor(rel string) string {
	abs := filepath.Join(c.rootAbs(), filepath.FromSlash(rel))
	wd, err := filepath.Abs(".")
	if err != nil {
		return abs
	}
	if r, err := filepath.Rel(wd, abs); err == nil {
		return r
	}
	return abs
}

func (c *Change) rootAbs() string {
	root := c.Root
	if root == "" {
		root = "."
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return root
	}
	return abs
}

// ParseDiff reads a unified diff (as `git diff`, `git format-patch` or a
// pull request's .diff produce) into a Change rooted at root. Deleted and
// binary files are skipped with a reason; a path that is absolute or climbs
// out of the root is refused with an error naming it and never read.
func ParseDiff(r io.Reader, root string) (*Change, []error) {
	c := NewChange(root)
	data, err := io.ReadAll(r)
	if err != nil {
		return c, []error{fmt.Errorf("reading diff: %w", err)}
	}
	files, _, err := gitdiff.Parse(bytes.NewReader(data))
	if err != nil {
		return c, []error{fmt.Errorf("reading diff: %w", err)}
	}
	// git's own headers are parsed without their a/ b/ prefixes; a plain
	// unified diff keeps them, and they are dropped here as `patch -p1` would.
	strip := func(s string) string { return s }
	if !bytes.HasPrefix(data, []byte("diff --git ")) && !bytes.Contains(data, []byte("\ndiff --git ")) {
		strip = stripPrefix
	}
	var errs []error
	for _, f := range files {
		name := strip(f.NewName)
		if name == "/dev/null" {
			name = ""
		}
		if f.IsDelete || name == "" {
			continue
		}
		clean, err := safeRelPath(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if f.IsBinary {
			c.Skipped = append(c.Skipped, Skip{Path: c.PathFor(clean), Reason: "binary file in the diff"})
			continue
		}
		fc := &FileChange{Path: clean}
		if f.IsRename || f.IsCopy {
			fc.OldPath = strip(f.OldName)
		}
		if f.IsNew {
			fc.Whole = true
		}
		fc.Lines, fc.Hunks = fragmentLines(f.TextFragments)
		c.Add(fc)
	}
	return c, errs
}

// fragmentLines returns the added lines and the hunk ranges of a file's
// fragments, in new-file line numbers.
func fragmentLines(frags []*gitdiff.TextFragment) (added, hunks []LineRange) {
	for _, frag := range frags {
		line := int(frag.NewPosition)
		if frag.NewLines > 0 {
			hunks = append(hunks, LineRange{Start: line, End: line + int(frag.NewLines) - 1})
		}
		for _, l := range frag.Lines {
			switch l.Op {
			case gitdiff.OpAdd:
				if n := len(added); n > 0 && added[n-1].End == line-1 {
					added[n-1].End = line
				} else {
					added = append(added, LineRange{Start: line, End: line})
				}
				line++
			case gitdiff.OpContext:
				line++
			}
		}
	}
	return added, hunks
}

// stripPrefix removes the a/ or b/ prefix of a plain unified diff's names.
func stripPrefix(name string) string {
	for _, p := range []string{"a/", "b/"} {
		if strings.HasPrefix(name, p) {
			return name[len(p):]
		}
	}
	return name
}

// safeRelPath cleans a path from a diff and refuses absolute paths and paths
// that climb out of the root.
func safeRelPath(name string) (string, error) {
	if path.IsAbs(name) || filepath.IsAbs(name) || filepath.VolumeName(name) != "" {
		return "", fmt.Errorf("diff names an absolute path %q: refused, not read", name)
	}
	clean := path.Clean(filepath.ToSlash(name))
	if !paths.Within(filepath.FromSlash(clean), ".") {
		return "", fmt.Errorf("diff names a path outside the repository %q: refused, not read", name)
	}
	return clean, nil
}
