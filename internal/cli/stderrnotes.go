package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// kustomize (sigs.k8s.io/kustomize/api, internal/target) writes one line to
// os.Stderr for each deprecated field of every kustomization it builds, every
// time it builds it: on a large repository, where each overlay builds its
// bases again, that was 1,338 lines of the same few warnings. The CLI
// collects them while the pipeline runs and prints one note instead; every
// other line written to os.Stderr meanwhile goes through unchanged. This is
// the only place kubeready touches os.Stderr, and kustomize's own code stays
// as it is.

// kustomizeWarning is kustomize's deprecated-field line:
// # Warning: 'patchesStrategicMerge' is deprecated. Please use 'patches' instead. Run 'kustomize edit fix' ...
var kustomizeWarning = regexp.MustCompile(`^# Warning: '([^']+)' is deprecated\. Please use '([^']+)' instead\.`)

// stderrNotes collects kustomize's deprecation warnings from lines written
// to it and passes every other line to out.
type stderrNotes struct {
	out    io.Writer
	mu     sync.Mutex
	counts map[string]int // "old\x00new" → times
}

// line handles one line (without its newline).
func (n *stderrNotes) line(s string) {
	if m := kustomizeWarning.FindStringSubmatch(s); m != nil {
		n.mu.Lock()
		n.counts[m[1]+"\x00"+m[2]]++
		n.mu.Unlock()
		return
	}
	fmt.Fprintln(n.out, s)
}

// note is the one line that stands for every warning collected, or "".
func (n *stderrNotes) note() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.counts) == 0 {
		return ""
	}
	total := 0
	var parts []string
	for k, c := range n.counts {
		old, repl, _ := strings.Cut(k, "\x00")
		total += c
		parts = append(parts, fmt.Sprintf("%s (use %s) %d×", old, repl, c))
	}
	sort.Strings(parts)
	return fmt.Sprintf("kubeready: note: kustomize warned %d times about deprecated kustomization fields: %s; "+
		"`kustomize edit fix` in each kustomization rewrites them", total, strings.Join(parts, ", "))
}

// captureMu makes one run at a time own os.Stderr; a run that finds it
// taken (tests calling Run concurrently) does not capture.
var captureMu sync.Mutex

// captureStderr points os.Stderr at a pipe read by a stderrNotes that passes
// other lines to the previous os.Stderr. stop restores os.Stderr, waits for
// the last line and returns the note ("" when kustomize warned about
// nothing).
func captureStderr() (stop func() string) {
	if !captureMu.TryLock() {
		return func() string { return "" }
	}
	orig := os.Stderr
	r, w, err := os.Pipe()
	if err != nil {
		captureMu.Unlock()
		return func() string { return "" }
	}
	n := &stderrNotes{out: orig, counts: map[string]int{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			n.line(sc.Text())
		}
		// a line longer than the buffer: pass the rest through as it is
		_, _ = io.Copy(orig, r)
		r.Close()
	}()
	os.Stderr = w
	return func() string {
		os.Stderr = orig
		w.Close()
		<-done
		captureMu.Unlock()
		return n.note()
	}
}
