package scan

import (
	"fmt"
	"strings"

	"github.com/bluekeyes/go-gitdiff/gitdiff"
)

// ParsePatch reads the hunks of one file as a pull request's file list
// gives them (GitHub's `patch` field: `@@` hunks without file headers) into
// the FileChange of path, a slash-separated path relative to the
// repository root. An empty patch gives a change with no lines (a pure
// rename or mode change). A path that is absolute or climbs out of the
// root is refused, as in ParseDiff.
func ParsePatch(path, patch string) (*FileChange, error) {
	clean, err := safeRelPath(path)
	if err != nil {
		return nil, err
	}
	fc := &FileChange{Path: clean}
	if strings.TrimSpace(patch) == "" {
		return fc, nil
	}
	if !strings.HasSuffix(patch, "\n") {
		patch += "\n"
	}
	// A header with placeholder names makes the hunks a patch go-gitdiff
	// reads; the real path never passes through the header, so names with
	// spaces or tabs cannot confuse it.
	files, _, err := gitdiff.Parse(strings.NewReader("--- a/f\n+++ b/f\n" + patch))
	if err != nil {
		return nil, fmt.Errorf("%s: reading patch: %w", clean, err)
	}
	if len(files) != 1 {
		return nil, fmt.Errorf("%s: reading patch: want the hunks of one file, got %d files", clean, len(files))
	}
	fc.Lines, fc.Hunks = fragmentLines(files[0].TextFragments)
	return fc, nil
}
