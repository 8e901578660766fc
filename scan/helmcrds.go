package scan

import (
	"fmt"
	"path"
	"path/filepath"

	chart "helm.sh/helm/v4/pkg/chart/v2"
)

// CRDs of packaged subcharts. A chart's crds/ directory is not templated:
// Helm installs its files as they are, before the templates. A directory
// chart's crds/ files are scanned as plain files (Discover finds them); the
// crds/ of a subchart packaged as a .tgz under charts/ can only be read
// from the archive, so they are checked here, with findings on the archive
// (line 1, the file and line inside it in the note), as for its templates.

// archivedCRDs returns the crds/ files of every subchart of ch (whose own
// source is src) that sits in a packaged archive, as rendered files.
// Processing dependencies may have replaced a subchart (so it is not in
// c.charts): it is then found by name in its parent's charts/ directory.
func (c *Chart) archivedCRDs(ch *chart.Chart, src chartSource) []*Rendered {
	var out []*Rendered
	var vendored map[string][]chartSource
	for _, sub := range ch.Dependencies() {
		ss, ok := c.charts[sub.Metadata]
		if !ok {
			switch {
			case src.inArchive:
				ss = chartSource{archive: src.archive, inArchive: true}
			default:
				if vendored == nil {
					vendored = vendoredCharts(filepath.Join(src.dir, "charts"))
				}
				if cands := vendored[sub.Name()]; len(cands) > 0 {
					ss = cands[0]
				}
			}
		}
		if ss.inArchive && ss.archive != "" {
			for _, f := range sub.CRDs() {
				name := path.Join(sub.ChartFullPath(), f.Name)
				file := NewFile(ss.archive, f.Data)
				file.Origin = &Origin{Chart: c.Dir, Template: name}
				out = append(out, newRendered(file, archiveLocator{archive: ss.archive, name: name}))
			}
		}
		out = append(out, c.archivedCRDs(sub, ss)...)
	}
	return out
}

// archiveLocator places findings of a file read from inside an archive.
type archiveLocator struct {
	archive, name string
}

func (l archiveLocator) locate(d *Document, q Query) Location {
	return Location{File: l.archive, Pos: Pos{Line: 1, Col: 1}, Note: fmt.Sprintf("(in the packaged subchart: %s line %d)", l.name, q.Pos.Line)}
}

func (l archiveLocator) edit(start, end int) (string, int, int, bool) { return "", 0, 0, false }
