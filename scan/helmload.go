package scan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kubeready/kubeready/internal/paths"
	"helm.sh/helm/v4/pkg/chart/loader/archive"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/ignore"
)

// Loading a chart directory: what Helm's loader.LoadDir does, with the
// rules of the tree kubeready scans (the chart comes from a pull request):
//   - version-control folders (.git, .hg, .svn, ...) are never loaded, so no
//     template can read the credential actions/checkout leaves in .git/config
//     with .Files.Get, wherever the chart sits;
//   - .helmignore is honoured, as Helm does;
//   - symbolic links are followed only to files inside the chart, without
//     Helm's log line (which carries the link's name);
//   - anything but a regular file (a FIFO, a device) is refused before it is
//     opened, so nothing blocks;
//   - sizes are added up before anything is read: a file over
//     MaxChartFileSize or a chart over MaxChartSize is refused.

// Chart loading budgets, documented in `kubeready explain helm-render-error`
// and the README's Limits section.
const (
	// MaxChartFileSize is the largest file a chart may hold: Helm's own
	// limit for a file in a chart archive.
	MaxChartFileSize = 5 << 20
	// MaxChartSize bounds the files of one chart directory, its vendored
	// subcharts included, and (through Helm's loader) what its packaged
	// subcharts decompress to.
	MaxChartSize = 64 << 20
)

func init() {
	archive.MaxDecompressedFileSize = MaxChartFileSize
	archive.MaxDecompressedChartSize = MaxChartSize
}

// vcsDirs are version-control folders: never part of a chart.
var vcsDirs = map[string]bool{".git": true, ".hg": true, ".svn": true, ".bzr": true, ".jj": true, "_darcs": true, "CVS": true}

// ChartBudgetError is returned when a chart's files are over a budget.
type ChartBudgetError struct{ Msg string }

func (e *ChartBudgetError) Error() string { return e.Msg }

// loadChartDir loads the chart in dir as Helm's loader.LoadDir would, within
// the rules above.
func loadChartDir(dir string) (*chart.Chart, error) {
	root, err := filepath.EvalSymlinks(dir)
	if err == nil {
		root, err = filepath.Abs(root)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot resolve the chart directory")
	}
	rules := ignore.Empty()
	if st, err := os.Lstat(filepath.Join(root, ignore.HelmIgnore)); err == nil && st.Mode().IsRegular() && st.Size() <= MaxChartFileSize {
		r, err := ignore.ParseFile(filepath.Join(root, ignore.HelmIgnore))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ignore.HelmIgnore, err)
		}
		rules = r
	}
	rules.AddDefaults()

	type entry struct {
		name string // slash-separated, relative to the chart
		path string // on disk (a link resolved)
		size int64
	}
	var files []entry
	var total int64
	var walk func(disk, rel string, visited map[string]bool) error
	walk = func(disk, rel string, visited map[string]bool) error {
		ents, err := os.ReadDir(disk)
		if err != nil {
			return fmt.Errorf("cannot read %s: %w", displayRel(rel), unwrapPathErr(err))
		}
		for _, e := range ents {
			name := e.Name()
			r := name
			if rel != "" {
				r = rel + "/" + name
			}
			p := filepath.Join(disk, name)
			if vcsDirs[name] {
				continue
			}
			info, err := os.Lstat(p)
			if err != nil {
				return fmt.Errorf("cannot read %s: %w", r, unwrapPathErr(err))
			}
			if info.Mode()&fs.ModeSymlink != 0 {
				target, err := filepath.EvalSymlinks(p)
				if err == nil {
					target, err = filepath.Abs(target)
				}
				if err != nil {
					return fmt.Errorf("the symbolic link %s cannot be resolved", r)
				}
				if !paths.Within(target, root) {
					return fmt.Errorf("the symbolic link %s points out of the chart, and kubeready reads nothing outside the tree it scans", r)
				}
				if info, err = os.Stat(target); err != nil {
					return fmt.Errorf("the symbolic link %s cannot be resolved", r)
				}
				p = target
			}
			if info.IsDir() {
				if rules.Ignore(r, info) {
					continue
				}
				key, _ := filepath.Abs(p)
				if visited[key] {
					continue // a link back up the tree
				}
				visited[key] = true
				if err := walk(p, r, visited); err != nil {
					return err
				}
				delete(visited, key)
				continue
			}
			if rules.Ignore(r, info) {
				continue
			}
			if !info.Mode().IsRegular() {
				return fmt.Errorf("%s is not a regular file (a FIFO, socket or device): the chart is not loaded", r)
			}
			if info.Size() > MaxChartFileSize {
				return &ChartBudgetError{fmt.Sprintf("%s is %s, over the budget of %s for one chart file", r, FormatSize(info.Size()), FormatSize(MaxChartFileSize))}
			}
			total += info.Size()
			if total > MaxChartSize {
				return &ChartBudgetError{fmt.Sprintf("the chart's files add up to more than the budget of %s for one chart", FormatSize(MaxChartSize))}
			}
			files = append(files, entry{name: r, path: p, size: info.Size()})
		}
		return nil
	}
	if err := walk(root, "", map[string]bool{root: true}); err != nil {
		return nil, err
	}

	buffered := make([]*archive.BufferedFile, 0, len(files))
	for _, f := range files {
		data, err := readRegular(f.path, MaxChartFileSize)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", f.name, err)
		}
		buffered = append(buffered, &archive.BufferedFile{Name: f.name, Data: bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})})
	}
	return loader.LoadFiles(buffered)
}

// readRegular reads a regular file of at most max bytes, opened without
// blocking (a file swapped for a FIFO after it was checked does not hang).
func readRegular(path string, max int64) ([]byte, error) {
	f, err := paths.OpenNonBlocking(path)
	if err != nil {
		return nil, unwrapPathErr(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, unwrapPathErr(err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file")
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, unwrapPathErr(err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("over %s", FormatSize(max))
	}
	return data, nil
}

func displayRel(rel string) string {
	if rel == "" {
		return "the chart directory"
	}
	return rel
}

// unwrapPathErr drops the path an *os.PathError carries (it may be
// absolute): the caller names the file.
func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
