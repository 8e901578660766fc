package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/git"
	"github.com/kubeready/kubeready/internal/paths"
	"github.com/kubeready/kubeready/scan"
)

// configName is the configuration file kubeready looks for, walking up from
// the working directory to the repository root.
const configName = ".kubeready.yaml"

// flagKeys are the configuration keys that set the flag of the same name
// when that flag is not given on the command line. A key whose flag this
// build does not have yet (helm-values, helm-set) is read,
// checked for shape and kept in config.settings; it takes effect as soon as
// the flag is registered, with no further wiring.
var flagKeys = map[string]keyShape{
	"target":       scalar,
	"platform":     scalar,
	"fail-on":      scalar,
	"scope":        scalar,
	"min-severity": scalar,
	"fix":          scalar,
	"current":      scalar,
	"helm-timeout": scalar,
	"helm-values":  pathList,
	"helm-set":     list,
}

// keyShape is what a configuration key's value looks like.
type keyShape int

const (
	scalar   keyShape = iota // one value
	list                     // a value or a sequence of values
	pathList                 // like list; relative paths are taken from the file's directory
)

// Config is a .kubeready.yaml: settings for flags, plus what only the file
// holds (rules to disable, paths to ignore).
type Config struct {
	// path is the file as it is named in messages; dir is its directory,
	// absolute: relative paths and ignore globs start there.
	path, dir string
	// settings are the flag keys, in file order.
	settings []setting
	// disable lists rule IDs that do not run.
	disable []string
	// ignore lists globs of paths (relative to dir) that are not scanned.
	ignore []string
	// apis are the team's own custom resource API versions (api-third-party).
	apis []checks.ThirdPartyAPI
}

// setting is one flag key of the file with its line, for messages.
type setting struct {
	key    string
	values []string
	line   int
}

// applyConfig reads the configuration file named by --config (name; "none"
// reads none), or else the one findConfig finds from the working directory,
// and fills in every flag of fs the command line did not set. It returns the
// file (nil when there is none) and, per flag it set, where the value came
// from. Unknown rule IDs under disable are warned about on stderr.
func applyConfig(fs *flag.FlagSet, name string, given *givenConfig, stderr io.Writer) (*Config, map[string]string, error) {
	origin := map[string]string{}
	if name == "none" || given != nil && given.c == nil {
		return nil, origin, nil
	}
	var c *Config
	if given != nil {
		c = given.c
	} else if name == "" {
		wd, err := os.Getwd()
		if err == nil {
			name, err = findConfig(wd)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("looking for %s: %w", configName, err)
		}
		if name == "" {
			return nil, origin, nil
		}
		name = displayPath(name)
	}
	if c == nil {
		var err error
		if c, err = loadConfig(name); err != nil {
			return nil, nil, err
		}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if err := c.apply(fs, set, origin); err != nil {
		return nil, nil, err
	}
	for _, id := range c.unknownRules() {
		fmt.Fprintf(stderr, "kubeready: warning: %s: disable: no rule %q in this version of kubeready\n", c.path, id)
	}
	return c, origin, nil
}

// givenConfig is a configuration handed over by ParseFlagsWith instead of
// one read from a file (c nil: none).
type givenConfig struct{ c *Config }

// ParseConfig reads configuration text as if it were the .kubeready.yaml
// of directory dir (relative paths and ignore globs start there, and paths
// it names must lie inside dir's repository); name is the file in
// messages. The Action reads a pull request's base commit's file so.
func ParseConfig(name, dir string, data []byte) (*Config, error) {
	if len(data) > maxConfigSize {
		return nil, fmt.Errorf("%s: %s, over %s", name, scan.FormatSize(int64(len(data))), scan.FormatSize(maxConfigSize))
	}
	return parseConfig(name, dir, data)
}

// ParseFlagsWith is ParseFlags with c as the configuration file (nil:
// none), instead of a --config file or the .kubeready.yaml found from the
// working directory.
func ParseFlagsWith(args []string, c *Config, stdout, stderr io.Writer) (Options, int, bool) {
	return parseFlags(args, &givenConfig{c}, stdout, stderr)
}

// findConfig returns the configuration file that applies in dir: the first
// .kubeready.yaml in dir or a parent, stopping at the repository root (a
// directory holding .git) or the filesystem root. "" means none.
func findConfig(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	top := git.Root(dir)
	for {
		p := filepath.Join(dir, configName)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		if dir == top {
			return "", nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// loadConfig reads and checks the configuration file at p, which messages
// name as given. Errors name the file and line.
func loadConfig(p string) (*Config, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, err
	}
	// The file comes from the repository, so from the pull request: it
	// may be a link to a device, a FIFO or a file outside the repository.
	if err := regularInside(abs, git.Root(filepath.Dir(abs)), maxConfigSize); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return parseConfig(p, filepath.Dir(abs), data)
}

// maxConfigSize bounds .kubeready.yaml; maxValuesSize a values file it names.
const (
	maxConfigSize = 1 << 20
	maxValuesSize = 5 << 20
)

// regularInside checks a path the repository supplies before it is read:
// after symlinks it must lie inside root (when root is not ""), be a
// regular file (not a device, FIFO, socket or directory, which could block
// or never end) and hold at most max bytes.
func regularInside(p, root string, max int64) error {
	if root != "" && !paths.Within(p, root) {
		return errors.New("outside the repository")
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return errors.New("no such file")
		}
		return errors.New(unwrapPathErr(err))
	}
	if root != "" {
		realRoot, err := filepath.EvalSymlinks(root)
		if err != nil {
			return errors.New(unwrapPathErr(err))
		}
		if !paths.Within(real, realRoot) {
			return errors.New("outside the repository")
		}
	}
	st, err := os.Stat(real)
	if err != nil {
		return errors.New(unwrapPathErr(err))
	}
	if !st.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	if st.Size() > max {
		return fmt.Errorf("%s, over %s", scan.FormatSize(st.Size()), scan.FormatSize(max))
	}
	return nil
}

func unwrapPathErr(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// parseConfig reads configuration text; name is the file in messages and dir
// the directory relative paths start from.
func parseConfig(name, dir string, data []byte) (*Config, error) {
	c := &Config{path: name, dir: dir}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		return c, nil // empty file
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want a mapping of settings", name, root.Line)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		at := func(format string, a ...any) error {
			return fmt.Errorf("%s:%d: %s: %s", name, k.Line, k.Value, fmt.Sprintf(format, a...))
		}
		if seen[k.Value] {
			return nil, at("set twice")
		}
		seen[k.Value] = true
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			continue // "key:" with no value leaves the default
		}
		shape, isFlag := flagKeys[k.Value]
		switch {
		case isFlag:
			values, err := configValues(v, shape)
			if err != nil {
				return nil, at("%v", err)
			}
			if shape == pathList {
				for j, p := range values {
					if values[j], err = c.resolveInside(p); err != nil {
						return nil, at("%s: %v", p, err)
					}
				}
			}
			c.settings = append(c.settings, setting{key: k.Value, values: values, line: k.Line})
		case k.Value == "disable":
			ids, err := configValues(v, list)
			if err != nil {
				return nil, at("%v", err)
			}
			for _, id := range ids {
				if id == checks.InternalError.ID {
					return nil, at("%s cannot be disabled: it means kubeready failed", id)
				}
			}
			c.disable = ids
		case k.Value == "apis":
			apis, err := configAPIs(v)
			if err != nil {
				return nil, at("%v", err)
			}
			c.apis = apis
		case k.Value == "ignore":
			globs, err := configValues(v, list)
			if err != nil {
				return nil, at("%v", err)
			}
			for _, g := range globs {
				if _, err := path.Match(strings.ReplaceAll(g, "**", "*"), ""); err != nil {
					return nil, at("bad glob %q: %v", g, err)
				}
			}
			c.ignore = globs
		default:
			return nil, at("unknown setting (known: %s)", strings.Join(configKeys(), ", "))
		}
	}
	return c, nil
}

// configKeys lists every key the file may hold, sorted.
func configKeys() []string {
	keys := []string{"apis", "disable", "ignore"}
	for k := range flagKeys {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// configValues reads a scalar, or for a list shape a scalar or a sequence of
// scalars.
func configValues(v *yaml.Node, shape keyShape) ([]string, error) {
	switch {
	case v.Kind == yaml.ScalarNode:
		return []string{v.Value}, nil
	case v.Kind == yaml.SequenceNode && shape != scalar:
		out := make([]string, 0, len(v.Content))
		for _, it := range v.Content {
			if it.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: want a plain value", it.Line)
			}
			out = append(out, it.Value)
		}
		return out, nil
	}
	if shape == scalar {
		return nil, errors.New("want a single value")
	}
	return nil, errors.New("want a value or a list of values")
}

// resolveInside makes a path from the file relative to the working
// directory, so that it means the same wherever kubeready runs, after
// checking that it names a small regular file inside the repository (the
// file's directory, outside a git work tree): the file comes from the pull
// request, and a template can print what a values file holds.
func (c *Config) resolveInside(p string) (string, error) {
	if filepath.IsAbs(p) || strings.HasPrefix(p, "/") {
		return "", errors.New("absolute paths are not allowed: name a file inside the repository, relative to " + configName)
	}
	abs := filepath.Join(c.dir, filepath.FromSlash(p))
	root := git.Root(c.dir)
	if root == "" {
		root = c.dir
	}
	if err := regularInside(abs, root, maxValuesSize); err != nil {
		return "", err
	}
	return displayPath(abs), nil
}

// displayPath shows an absolute path relative to the working directory, as
// paths in findings are.
func displayPath(abs string) string {
	wd, err := os.Getwd()
	if err != nil {
		return abs
	}
	rel, err := filepath.Rel(wd, abs)
	if err != nil {
		return abs
	}
	return rel
}

// apply sets every flag the file holds that the command line did not set.
// origin records, per flag name, where its value came from, so that a bad
// value is reported at its line in the file.
func (c *Config) apply(fs *flag.FlagSet, set map[string]bool, origin map[string]string) error {
	for _, s := range c.settings {
		if set[s.key] || fs.Lookup(s.key) == nil {
			continue
		}
		where := fmt.Sprintf("%s:%d: %s", c.path, s.line, s.key)
		for _, v := range s.values {
			if err := fs.Set(s.key, v); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
		}
		origin[s.key] = where
	}
	return nil
}

// unknownRules returns the IDs under disable that no rule has; they are
// harmless (a file written for a newer kubeready) but worth a warning.
func (c *Config) unknownRules() []string {
	var out []string
	for _, id := range c.disable {
		if checks.Lookup(id) == nil {
			out = append(out, id)
		}
	}
	return out
}

// disabled reports whether the file disables the rule id.
func (c *Config) disabled(id string) bool {
	return c != nil && slices.Contains(c.disable, id)
}

// filter moves the inputs that an ignore glob matches to Skipped.
func (c *Config) filter(d scan.Discovery) scan.Discovery {
	if c == nil || len(c.ignore) == 0 {
		return d
	}
	kept := d.Inputs[:0:0]
	for _, in := range d.Inputs {
		if g := c.ignoredBy(in.Path); g != "" {
			d.Skipped = append(d.Skipped, scan.Skip{Path: in.Path, Reason: fmt.Sprintf("ignored by %s (%s)", c.path, g)})
			continue
		}
		kept = append(kept, in)
	}
	d.Inputs = kept
	return d
}

// ignoredBy returns the ignore glob that matches p, or "". Standard input
// and paths outside the file's directory are never ignored.
func (c *Config) ignoredBy(p string) string {
	if p == scan.StdinPath {
		return ""
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return ""
	}
	rel, ok := paths.Rel(c.dir, abs)
	if !ok {
		return ""
	}
	rel = filepath.ToSlash(rel)
	for _, g := range c.ignore {
		if matchGlob(g, rel) {
			return g
		}
	}
	return ""
}

// matchGlob reports whether the slash-separated relative path p, or one of
// the directories it is in, matches glob g. As in .gitignore: a glob with no
// slash matches a name at any depth; otherwise it is anchored at the
// configuration file's directory; "**" matches any number of directories;
// other elements follow path.Match.
func matchGlob(g, p string) bool {
	g = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(g, "./"), "/"), "/")
	names := strings.Split(p, "/")
	if !strings.Contains(g, "/") {
		for _, n := range names {
			if ok, _ := path.Match(g, n); ok {
				return true
			}
		}
		return false
	}
	pat := strings.Split(g, "/")
	for i := 1; i <= len(names); i++ {
		if matchElems(pat, names[:i]) {
			return true
		}
	}
	return false
}

// matchElems matches path elements against glob elements, "**" standing for
// zero or more elements.
func matchElems(pat, names []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(names); i++ {
				if matchElems(pat[1:], names[i:]) {
					return true
				}
			}
			return false
		}
		if len(names) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], names[0]); !ok {
			return false
		}
		pat, names = pat[1:], names[1:]
	}
	return len(names) == 0
}

// Sets reports whether the file sets the flag key.
func (c *Config) Sets(key string) bool {
	if c == nil {
		return false
	}
	for _, s := range c.settings {
		if s.key == key {
			return true
		}
	}
	return false
}

// maxConfigAPIs bounds apis: (a file from a pull request is read on every run).
const maxConfigAPIs = 1000

// configAPIs reads apis: a list of custom resource API versions, each
// {apiVersion, kinds (or kind), deprecated, removed, replacement, note}, the
// versions being Kubernetes versions.
func configAPIs(v *yaml.Node) ([]checks.ThirdPartyAPI, error) {
	if v.Kind != yaml.SequenceNode {
		return nil, errors.New("want a list of {apiVersion, kinds, deprecated, removed, replacement}")
	}
	if len(v.Content) > maxConfigAPIs {
		return nil, fmt.Errorf("%d entries, over %d", len(v.Content), maxConfigAPIs)
	}
	var out []checks.ThirdPartyAPI
	for _, it := range v.Content {
		var e struct {
			APIVersion  string   `yaml:"apiVersion"`
			Kind        string   `yaml:"kind"`
			Kinds       []string `yaml:"kinds"`
			Deprecated  string   `yaml:"deprecated"`
			Removed     string   `yaml:"removed"`
			Replacement string   `yaml:"replacement"`
			Note        string   `yaml:"note"`
		}
		if it.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("line %d: want a mapping such as {apiVersion: example.com/v1alpha1, removed: \"1.30\"}", it.Line)
		}
		// Decode strictly: a misspelt key (remove:) must not pass silently.
		var raw map[string]yaml.Node
		if err := it.Decode(&raw); err != nil {
			return nil, fmt.Errorf("line %d: %v", it.Line, err)
		}
		for key := range raw {
			switch key {
			case "apiVersion", "kind", "kinds", "deprecated", "removed", "replacement", "note":
			default:
				return nil, fmt.Errorf("line %d: unknown key %q (known: apiVersion, kind, kinds, deprecated, removed, replacement, note)", it.Line, key)
			}
		}
		if err := it.Decode(&e); err != nil {
			return nil, fmt.Errorf("line %d: %v", it.Line, strings.TrimPrefix(err.Error(), "yaml: "))
		}
		if e.Kind != "" {
			e.Kinds = append(e.Kinds, e.Kind)
		}
		a := checks.ThirdPartyAPI{APIVersion: e.APIVersion, Kinds: e.Kinds, Deprecated: e.Deprecated, Removed: e.Removed,
			Replacement: e.Replacement, Note: e.Note}
		if err := checks.CheckThirdPartyAPI(a); err != nil {
			return nil, fmt.Errorf("line %d: %v", it.Line, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// customAPIs are the file's apis: (nil without a file).
func (c *Config) customAPIs() []checks.ThirdPartyAPI {
	if c == nil {
		return nil
	}
	return c.apis
}
