package scan

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Rendering in a child process. Helm's template engine takes no context and
// has no budget: a four-line template that doubles a string 28 times asks
// for gigabytes and kills the process ("fatal error: out of memory"), and a
// render abandoned at its deadline goes on running and allocating until the
// process ends. So the templates of a chart are executed in a child process
// of the same binary (the chart is prepared, and its output read, in this
// one):
//   - the child's address space is limited (RenderMemory beyond what it
//     holds when it starts; Linux), so a bomb ends the child, not the run;
//   - the child is killed at the render's deadline, so nothing keeps
//     running;
//   - what it sends back is bounded (RenderOutputBudget);
//   - it gets no environment (no token can reach a template) and reads the
//     chart through the same loader.
// Any of these costs the chart one helm-render-error naming the budget;
// every other finding of the run stays. docs/architecture.md ("Trust
// boundary") gives the measurements behind the choice.

// Render budgets, documented in `kubeready explain helm-render-error` and
// the README's Limits section.
var (
	// RenderMemory bounds the memory (address space) one chart's templates
	// may take, beyond the child's own start-up.
	RenderMemory int64 = 1 << 30
	// RenderOutputBudget bounds what one render writes (every template's
	// output together).
	RenderOutputBudget int64 = 256 << 20
)

// renderChildEnv marks the child process; see init.
const renderChildEnv = "KUBEREADY_INTERNAL_RENDER_CHILD"

// Isolate says whether RenderWithin uses a child process. Tests of the
// in-process path and platforms without os.Executable turn it off.
var Isolate = true

func init() {
	// The child is this binary (or test binary) started again with the
	// marker in its environment: it renders one chart and exits before
	// main (or the tests) run.
	if os.Getenv(renderChildEnv) == "1" {
		os.Exit(renderChild(os.Stdin, os.Stdout))
	}
}

// renderRequest is what the child is asked to render.
type renderRequest struct {
	Dir    string
	Opts   ChartOptions
	Caps   Capabilities
	Memory int64
}

// renderResponse is what the child sends back.
type renderResponse struct {
	Out      map[string]string
	Problems []Problem
	// OK is false when the chart could not be prepared in the child (the
	// parent prepared it, so this means the files changed in between).
	OK bool
}

// renderChild is the child's side: read a request, limit its own memory,
// execute the chart's templates, answer.
func renderChild(in io.Reader, out io.Writer) int {
	var req renderRequest
	if err := gob.NewDecoder(io.LimitReader(in, 16<<20)).Decode(&req); err != nil {
		fmt.Fprintln(os.Stderr, "render child: bad request:", err)
		return 3
	}
	if req.Memory > 0 {
		limitMemory(req.Memory)
	}
	c, err := LoadChart(req.Dir, req.Opts)
	resp := renderResponse{}
	if err == nil {
		r := &ChartRender{}
		if p := c.prepare(req.Caps, r); p != nil {
			resp.Out, resp.Problems = c.execute(p)
			resp.OK = true
		}
	}
	if err := gob.NewEncoder(out).Encode(&resp); err != nil {
		return 3
	}
	return 0
}

// RenderWithin is Render with a budget: the templates run in a child
// process (see above) that is killed at the deadline (limit; none when 0)
// and whose memory and output are bounded. ok is false when a budget
// stopped the render: r then holds the one problem saying which, and the
// Chart must not be used again.
func (c *Chart) RenderWithin(caps Capabilities, limit time.Duration) (r *ChartRender, ok bool) {
	if !Isolate {
		return c.renderInProcessWithin(caps, limit)
	}
	self, err := os.Executable()
	if err != nil {
		return c.renderInProcessWithin(caps, limit)
	}
	return c.render(caps, func(p *prepared) (map[string]string, []Problem, bool) {
		return c.executeInChild(self, caps, limit)
	})
}

// executeInChild runs the chart's templates in a child process.
func (c *Chart) executeInChild(self string, caps Capabilities, limit time.Duration) (map[string]string, []Problem, bool) {
	ctx := context.Background()
	if limit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	var req bytes.Buffer
	if err := gob.NewEncoder(&req).Encode(&renderRequest{Dir: c.Dir, Opts: c.opts, Caps: caps, Memory: RenderMemory}); err != nil {
		return nil, []Problem{c.budgetProblem("cannot start the render: " + err.Error())}, false
	}
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = []string{renderChildEnv + "=1"}
	cmd.Stdin = &req
	var stdout limitedBuffer
	stdout.max = RenderOutputBudget
	stderr := limitedBuffer{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	switch {
	case ctx.Err() != nil:
		return nil, []Problem{c.budgetProblem(fmt.Sprintf("rendering timed out after %s (--helm-timeout): the chart was not checked", limit))}, false
	case stdout.over:
		return nil, []Problem{c.budgetProblem(fmt.Sprintf("the chart's templates wrote more than the output budget of %s: the chart was not checked", FormatSize(RenderOutputBudget)))}, false
	case err != nil:
		msg := strings.TrimSpace(stderr.String())
		if overMemory(msg) {
			return nil, []Problem{c.budgetProblem(fmt.Sprintf("the chart's templates went over the memory budget of %s for one render: the chart was not checked", FormatSize(RenderMemory)))}, false
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() < 0 {
			msg = "killed by " + ee.String()
		}
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		return nil, []Problem{c.budgetProblem("the render process failed (" + msg + "): the chart was not checked")}, false
	}
	var resp renderResponse
	if err := gob.NewDecoder(&stdout.buf).Decode(&resp); err != nil {
		return nil, []Problem{c.budgetProblem("the render process answered badly: " + err.Error())}, false
	}
	if !resp.OK {
		return nil, []Problem{c.budgetProblem("the chart changed while it was rendered: not checked")}, false
	}
	return resp.Out, resp.Problems, true
}

// overMemory reports whether a child's dying words say it ran out of its
// address space: the Go runtime's "out of memory", mmap's ENOMEM, and what a
// race-detector build (go test -race) says when its shadow memory does not
// fit ("address space collisions", ThreadSanitizer's "failed to allocate").
func overMemory(msg string) bool {
	for _, s := range []string{"out of memory", "cannot allocate memory", "address space collisions", "ThreadSanitizer failed to allocate", "errno: 12"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// budgetProblem is the one finding a chart gets when a budget stopped it.
func (c *Chart) budgetProblem(msg string) Problem {
	return Problem{Kind: ProblemRenderError, File: filepath.Join(c.Dir, "Chart.yaml"), Pos: Pos{Line: 1, Col: 1}, Message: msg, Origin: &Origin{Chart: c.Dir}}
}

// renderInProcessWithin is the fallback without a child: bounded in time
// only, a render past the deadline is abandoned (it ends with the process).
func (c *Chart) renderInProcessWithin(caps Capabilities, limit time.Duration) (*ChartRender, bool) {
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
		return &ChartRender{Problems: []Problem{c.budgetProblem(fmt.Sprintf("rendering timed out after %s (--helm-timeout): the chart was not checked", limit))}}, false
	}
}

// limitedBuffer keeps at most max bytes and notes when more came.
type limitedBuffer struct {
	buf  bytes.Buffer
	max  int64
	over bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - int64(b.buf.Len()); int64(len(p)) > room {
		b.over = true // read on (and drop) so that the child can finish
		if room > 0 {
			b.buf.Write(p[:room])
		}
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *limitedBuffer) String() string { return b.buf.String() }
