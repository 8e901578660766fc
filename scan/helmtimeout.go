package scan

import (
	"fmt"
	"path/filepath"
	"time"
)

// RenderWithin is Render bounded in time. Helm's template engine takes no
// context, so a render past the deadline is abandoned (it ends with the
// process) and reported as one render error on Chart.yaml; ok is false then,
// and the Chart must not be used again.
func (c *Chart) RenderWithin(caps Capabilities, limit time.Duration) (r *ChartRender, ok bool) {
	if limit <= 0 {
		return c.Render(caps), true
	}
	done := make(chan *ChartRender, 1)
	go func() { done <- c.Render(caps) }()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case r := <-done:
		return r, true
	case <-timer.C:
		return &ChartRender{Problems: []Problem{{Kind: ProblemRenderError, File: filepath.Join(c.Dir, "Chart.yaml"), Pos: Pos{Line: 1, Col: 1},
			Message: fmt.Sprintf("rendering timed out after %s (--helm-timeout): the chart was not checked", limit), Origin: &Origin{Chart: c.Dir}}}}, false
	}
}
