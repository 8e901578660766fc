package cli

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progressDelay is how long a run goes before its progress shows: a short
// run prints nothing more.
const progressDelay = 2 * time.Second

// progress is the engine's Progress as a bar on stderr (schollz/progressbar):
// inputs done of total, the chart or kustomization last started, elapsed
// time. It draws nothing until delay has passed (none: at once), and clears
// its line when the run ends, so the report that follows starts clean.
type progress struct {
	w     io.Writer
	delay time.Duration
	start time.Time

	mu      sync.Mutex
	total   int
	done    int
	current string
	bar     *progressbar.ProgressBar
}

func newProgress(w io.Writer, delay time.Duration) *progress {
	return &progress{w: w, delay: delay, start: time.Now()}
}

func (p *progress) Start(total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total = total
	p.draw()
}

func (p *progress) Begin(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.current = name
	p.draw()
}

func (p *progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	p.draw()
}

// draw updates the bar; p.mu is held.
func (p *progress) draw() {
	if p.bar == nil {
		if time.Since(p.start) < p.delay || p.total == 0 {
			return
		}
		p.bar = progressbar.NewOptions(p.total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetWidth(20),
			progressbar.OptionShowCount(),
			progressbar.OptionSetElapsedTime(false), // the run's, in the description
			progressbar.OptionSetPredictTime(false),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetRenderBlankState(true),
		)
	}
	p.bar.Describe(fmt.Sprintf("[%s] %s", time.Since(p.start).Round(time.Second), p.current))
	_ = p.bar.Set(p.done)
}

// finish clears the bar's line.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
		_ = p.bar.Clear()
	}
}

// wantProgress reports whether a run shows progress: --progress, or stderr
// is a terminal (TERM=dumb is not).
func wantProgress(forced bool, stderr io.Writer) bool {
	if forced {
		return true
	}
	f, ok := stderr.(*os.File)
	if !ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
