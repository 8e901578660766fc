package scan

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/kubeready/kubeready/internal/paths"
	"go.yaml.in/yaml/v3"
	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/strvals"
	sigsyaml "sigs.k8s.io/yaml"
)

// ChartOptions say how charts are rendered, as `helm template` flags do.
type ChartOptions struct {
	// ValuesFiles are --helm-values files, later ones winning.
	ValuesFiles []string
	// ValuesYAML are inline values (a GitOps file's values), as YAML
	// mappings, applied after ValuesFiles in order.
	ValuesYAML []string
	// Set are --helm-set key=value assignments, applied last.
	Set []string
	// ReleaseName defaults to the chart's name, Namespace to "default".
	ReleaseName, Namespace string
}

// Chart is a Helm chart directory loaded for rendering.
type Chart struct {
	// Dir is the chart directory as the user gave it.
	Dir string
	// Name is the chart's name from Chart.yaml.
	Name string

	opts     ChartOptions
	user     map[string]any // values from --helm-values and --helm-set
	set      map[string]any // values from --helm-set alone
	usesCaps bool
	// sources maps each template file (shared by alias copies of a
	// subchart) to where it is on disk.
	sources map[*common.File]fileSource
	// charts maps a loaded (sub)chart to its directory on disk, "" when it
	// came from a packaged .tgz.
	charts map[*chart.Metadata]chartSource

	valuesMu    sync.Mutex
	valuesFiles map[string]*valuesFile

	// depDirs maps each file:// dependency added as a subchart to its
	// directory (helmfiledeps.go).
	depDirs map[*chart.Chart]string

	// loaded is the chart as LoadChart read it, used by the first Render
	// (rendering changes the chart, so later renders read it again).
	loaded *chart.Chart
}

// fileSource is where a template is on disk.
type fileSource struct {
	// path is the template file, or the .tgz that holds it.
	path      string
	inArchive bool
}

type chartSource struct {
	dir       string // "" inside an archive
	archive   string // the .tgz, when packaged
	inArchive bool
}

// ChartLoadError is returned by LoadChart when the chart itself does not
// load (a broken Chart.yaml, a corrupt package): a problem with the chart,
// reported as a finding, not a failure of the run.
type ChartLoadError struct {
	Problem Problem
}

func (e *ChartLoadError) Error() string { return e.Problem.File + ": " + e.Problem.Message }

// ErrLibraryChart is returned by LoadChart for a library chart, which has no
// objects of its own to render.
var ErrLibraryChart = errors.New("Helm library chart: renders no objects of its own")

// IsLibraryChart reports whether the chart in dir declares `type: library`.
func IsLibraryChart(dir string) bool {
	data, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return false
	}
	var md struct {
		Type string `yaml:"type"`
	}
	_ = yaml.Unmarshal(data, &md)
	return strings.EqualFold(md.Type, "library")
}

// LoadChart reads the chart in dir (with the subcharts vendored under
// charts/) and the values the options name. It reads only local files.
func LoadChart(dir string, opts ChartOptions) (*Chart, error) {
	c := &Chart{Dir: dir, opts: opts, valuesFiles: map[string]*valuesFile{}}
	if link := linkOutside(dir); link != "" {
		return nil, &ChartLoadError{Problem{Kind: ProblemRenderError, File: filepath.Join(dir, "Chart.yaml"), Pos: Pos{Line: 1, Col: 1},
			Message: "chart not rendered: the symbolic link " + link + " points out of the chart, and kubeready reads nothing outside the tree it scans",
			Origin:  &Origin{Chart: dir}}}
	}
	ch, err := loadChartDir(dir)
	if err != nil {
		msg := "chart does not load: " + err.Error()
		if _, ok := err.(*ChartBudgetError); ok {
			msg = "chart not rendered: " + err.Error()
		}
		return nil, &ChartLoadError{Problem{Kind: ProblemRenderError, File: filepath.Join(dir, "Chart.yaml"), Pos: Pos{Line: 1, Col: 1},
			Message: msg, Origin: &Origin{Chart: dir}}}
	}
	if strings.EqualFold(ch.Metadata.Type, "library") {
		return nil, ErrLibraryChart
	}
	c.Name = ch.Name()
	c.sources = map[*common.File]fileSource{}
	c.charts = map[*chart.Metadata]chartSource{}
	c.addFileDependencies(ch, dir)
	c.mapSources(ch, chartSource{dir: dir})
	c.usesCaps = usesCapabilities(ch)
	c.loaded = ch

	c.user, c.set, err = opts.values()
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Validate checks that the --helm-set assignments parse, so that a typo
// stops the run up front. Values files are read when a chart is rendered
// (a run that renders no chart does not need them): a missing one then
// fails that chart.
func (o ChartOptions) Validate() error {
	for _, s := range o.Set {
		m := map[string]any{}
		if err := strvals.ParseInto(s, m); err != nil {
			return fmt.Errorf("--helm-set %s: %w", s, err)
		}
		if len(m) == 0 {
			// Helm 4 ignores an assignment it cannot read ("a[=1", "=1")
			// where Helm 3 refused it; a typo that sets nothing stays an error.
			return fmt.Errorf("--helm-set %s: sets no value (want key=value, key.sub=value or key[0]=value)", s)
		}
	}
	return nil
}

// values reads the values files and applies the --helm-set assignments, as
// `helm template` does; set holds the --helm-set values alone.
func (o ChartOptions) values() (user, set map[string]any, err error) {
	user = map[string]any{}
	for _, vf := range o.ValuesFiles {
		data, err := os.ReadFile(vf)
		if err != nil {
			return nil, nil, fmt.Errorf("--helm-values %s: %w", vf, err)
		}
		var m map[string]any
		if err := sigsyaml.Unmarshal(data, &m); err != nil {
			return nil, nil, fmt.Errorf("--helm-values %s: %w", vf, err)
		}
		user = mergeMaps(user, m)
	}
	for i, text := range o.ValuesYAML {
		var m map[string]any
		if err := sigsyaml.Unmarshal([]byte(text), &m); err != nil {
			return nil, nil, fmt.Errorf("inline values %d: %w", i+1, err)
		}
		user = mergeMaps(user, m)
	}
	set = map[string]any{}
	for _, s := range o.Set {
		if err := strvals.ParseInto(s, user); err != nil {
			return nil, nil, fmt.Errorf("--helm-set %s: %w", s, err)
		}
		if err := strvals.ParseInto(s, set); err != nil {
			return nil, nil, fmt.Errorf("--helm-set %s: %w", s, err)
		}
	}
	return user, set, nil
}

// linkOutside returns the first symbolic link under dir that resolves to a
// place outside dir (Helm's loader follows links), or "".
func linkOutside(dir string) string {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return ""
	}
	if root, err = filepath.Abs(root); err != nil {
		return ""
	}
	found := ""
	_ = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || found != "" {
			return nil
		}
		if e.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		target, err := filepath.EvalSymlinks(p)
		if err == nil {
			target, err = filepath.Abs(target)
		}
		if err != nil || !paths.Within(target, root) {
			found = p
		}
		return nil
	})
	return found
}

// mergeMaps merges b into a, recursively, b winning (as helm does for
// several --values files).
func mergeMaps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bv, ok := v.(map[string]any); ok {
			if av, ok := out[k].(map[string]any); ok {
				out[k] = mergeMaps(av, bv)
				continue
			}
		}
		out[k] = v
	}
	return out
}
