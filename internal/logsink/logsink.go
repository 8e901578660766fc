// Package logsink is where the libraries kubeready uses (Helm, kustomize,
// client-go through klog, anything on log/slog) write their log lines.
//
// Those lines can carry names from the repository being scanned, and on a
// GitHub runner every line of a step's output that starts with `::` is a
// workflow command: a file named "x\n::stop-commands::t" would stop the
// runner from reading every later annotation, and "::warning::..." would
// forge one. So no library writes to stderr directly: each line goes through
// Writer, which
//   - prefixes it ("kubeready: library: ") so that no line starts with "::",
//   - escapes control characters (a carriage return, an escape sequence),
//   - replaces the absolute paths of the working directory with relative
//     ones (a runner's paths are not for a public log),
//   - prints a repeated line once and stops after MaxLines lines, saying how
//     many it held back;
//   - collects kustomize's deprecated-field warnings (one line for each
//     deprecated field of every kustomization, every time it is built:
//     1,338 lines on a large monorepo) into one note at the end, and its
//     unused-vars lines (one per build, the names in map order) into
//     another.
package logsink

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"k8s.io/klog/v2"
)

// MaxLines bounds how many library lines one run prints.
const MaxLines = 50

// Prefix starts every line a library writes.
const Prefix = "kubeready: library: "

// Writer neutralises library log lines; see the package comment. It is safe
// for concurrent use.
type Writer struct {
	mu      sync.Mutex
	out     io.Writer
	roots   []string
	partial []byte
	seen    map[string]bool
	printed int
	held    int
	kust    map[string]int  // "old\x00new" → times kustomize warned
	vars    map[string]bool // vars kustomize said were never replaced
	varsN   int             // how many times it said so
}

// kustomizeWarning is kustomize's deprecated-field line (sigs.k8s.io/kustomize/api,
// internal/target, printed straight to os.Stderr):
// # Warning: 'patchesStrategicMerge' is deprecated. Please use 'patches' instead. Run 'kustomize edit fix' ...
var kustomizeWarning = regexp.MustCompile(`^# Warning: '([^']+)' is deprecated\. Please use '([^']+)' instead\.`)

// kustomizeUnusedVars is kustomize's line for vars a build defines and no
// field refers to (api/internal/accumulator, ResolveVars, on the standard
// logger, with its timestamp unless the logger was set up without one):
// well-defined vars that were never replaced: a,b
var kustomizeUnusedVars = regexp.MustCompile(`^(?:\d{4}/\d\d/\d\d \d\d:\d\d:\d\d )?well-defined vars that were never replaced: (.+)$`)

// New returns a Writer printing to out, making paths under roots relative.
func New(out io.Writer, roots ...string) *Writer {
	w := &Writer{out: out, seen: map[string]bool{}, kust: map[string]int{}, vars: map[string]bool{}}
	for _, r := range roots {
		if r == "" {
			continue
		}
		for _, v := range []string{r, resolved(r)} {
			if v != "" && v != "/" {
				w.roots = append(w.roots, strings.TrimSuffix(v, "/")+"/", strings.TrimSuffix(v, "/"))
			}
		}
	}
	return w
}

func resolved(p string) string {
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		return ""
	}
	return r
}

// Write takes any number of lines; a line is printed when its end arrives
// (or at Flush).
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		w.line(string(w.partial[:i]))
		w.partial = w.partial[i+1:]
	}
	if len(w.partial) > 64<<10 { // a line without end: print what there is
		w.line(string(w.partial))
		w.partial = nil
	}
	return len(p), nil
}

func (w *Writer) setOut(out io.Writer) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.out = out
}

// Flush prints a pending partial line and how many lines were held back.
func (w *Writer) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.partial) > 0 {
		w.line(string(w.partial))
		w.partial = nil
	}
	if w.held > 0 {
		fmt.Fprintf(w.out, "%s%d more library messages held back\n", Prefix, w.held)
		w.held = 0
	}
	if note := w.kustomizeNote(); note != "" {
		fmt.Fprintln(w.out, note)
	}
	if note := w.varsNote(); note != "" {
		fmt.Fprintln(w.out, note)
	}
	clear(w.kust)
	clear(w.vars)
	w.varsN = 0
}

// varsNote is the one line that stands for every unused-vars line of
// kustomize, or "".
func (w *Writer) varsNote() string {
	if w.varsN == 0 {
		return ""
	}
	names := make([]string, 0, len(w.vars))
	for n := range w.vars {
		names = append(names, n)
	}
	sort.Strings(names)
	const show = 20
	list := strings.Join(names[:min(len(names), show)], ", ")
	if len(names) > show {
		list += fmt.Sprintf(" and %d more", len(names)-show)
	}
	return fmt.Sprintf("kubeready: note: kustomize said %d times that vars were defined and never used: %s; "+
		"a var no field refers to can be removed from its kustomization", w.varsN, list)
}

// kustomizeNote is the one line that stands for every kustomize warning
// collected, or "".
func (w *Writer) kustomizeNote() string {
	if len(w.kust) == 0 {
		return ""
	}
	total := 0
	var parts []string
	for k, c := range w.kust {
		old, repl, _ := strings.Cut(k, "\x00")
		total += c
		parts = append(parts, fmt.Sprintf("%s (use %s) %d×", old, repl, c))
	}
	sort.Strings(parts)
	return fmt.Sprintf("kubeready: note: kustomize warned %d times about deprecated kustomization fields: %s; "+
		"`kustomize edit fix` in each kustomization rewrites them", total, strings.Join(parts, ", "))
}

func (w *Writer) line(s string) {
	s = Clean(s, w.roots)
	if strings.TrimSpace(s) == "" {
		return
	}
	if m := kustomizeWarning.FindStringSubmatch(s); m != nil {
		w.kust[m[1]+"\x00"+m[2]]++
		return
	}
	if m := kustomizeUnusedVars.FindStringSubmatch(s); m != nil {
		w.varsN++
		for _, n := range strings.Split(m[1], ",") {
			if n = strings.TrimSpace(n); n != "" && len(w.vars) < 10000 {
				w.vars[n] = true
			}
		}
		return
	}
	if w.seen[s] {
		return
	}
	if w.printed >= MaxLines {
		w.held++
		return
	}
	w.seen[s] = true
	w.printed++
	fmt.Fprintf(w.out, "%s%s\n", Prefix, s)
}

// Clean makes one line of library output safe to print: the roots (with and
// without a trailing slash) become relative, control characters are escaped.
func Clean(s string, roots []string) string {
	for _, r := range roots {
		if strings.HasSuffix(r, "/") {
			s = strings.ReplaceAll(s, r, "")
		} else {
			s = strings.ReplaceAll(s, r, ".")
		}
	}
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == '\t':
			b.WriteRune(c)
		case c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029':
			fmt.Fprintf(&b, "\\x%02x", c)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// Install routes the standard logger, slog's default logger and klog through
// a Writer on out, with the working directory as the root to make relative.
// It returns the Writer (Flush it at the end of the run).
func Install(out io.Writer) *Writer {
	wd, _ := os.Getwd()
	w := New(out, wd)
	slog.SetDefault(slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn})))
	log.SetOutput(w) // after slog.SetDefault, which points the log package at slog
	log.SetFlags(0)
	log.SetPrefix("")
	klog.LogToStderr(false)
	klog.SetOutput(w)
	return w
}
