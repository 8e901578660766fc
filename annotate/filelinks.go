package annotate

import (
	"fmt"
	"net/url"
	"path/filepath"
)

// FileLinks links a report written to a file (--format markdown or html)
// to the scanned files on disk, by their paths relative to the working
// directory (`deploy/app.yaml#L12`): opened beside the repository, as
// `kubeready --format html > report.html` leaves it, a finding's line is a
// click away. Absolute paths (files outside the working directory) get no
// link.
type FileLinks struct{}

// BlobURL is the relative address of path, with the line as a fragment.
func (FileLinks) BlobURL(path string, start, end int) string {
	if path == "" || filepath.IsAbs(path) || !filepath.IsLocal(path) {
		return ""
	}
	u := (&url.URL{Path: filepath.ToSlash(path)}).EscapedPath()
	switch {
	case start <= 0:
		return u
	case end > start:
		return fmt.Sprintf("%s#L%d-L%d", u, start, end)
	}
	return fmt.Sprintf("%s#L%d", u, start)
}

// Commit is unknown for files on disk.
func (FileLinks) Commit() (id, url string) { return "", "" }
