package action

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kubeready/kubeready/internal/cli"
	"github.com/kubeready/kubeready/internal/git"
)

// The configuration is part of the pull request: on pull_request and
// pull_request_target events, .kubeready.yaml comes from the base commit,
// so a pull request cannot ignore, disable or stop failing on what it
// adds. It is read as if it were at the root of the scanned tree, so its
// ignore globs and the paths it names (helm-values) mean the pull
// request's files, and those paths still go through the configuration's
// inside-the-repository checks. Push events keep the working tree's file.

// configName is the configuration file at the repository root.
const configName = ".kubeready.yaml"

// maxBaseConfig bounds the base commit's .kubeready.yaml, as the CLI bounds
// the working tree's.
const maxBaseConfig = 1 << 20

// configChoice says which .kubeready.yaml readInputs uses.
type configChoice struct {
	// fromBase: the base commit's, cfg (nil: none there); else the one the
	// CLI finds from the working directory.
	fromBase bool
	cfg      *cli.Config
	// baseData is the base's file (nil: none), for changedConfig.
	baseData []byte
}

// baseConfig reads .kubeready.yaml at the pull request's base commit
// (fetched when the checkout lacks it), as the file of directory root.
// No file there means the defaults. A base commit whose file cannot be
// read means the defaults too, and unread says why (the pull request's own
// file is never the fallback); err is a base file that is not a valid
// configuration, which stops the run as a broken .kubeready.yaml does.
func baseConfig(ctx context.Context, workspace, root, base string) (choice configChoice, unread, err error) {
	choice = configChoice{fromBase: true}
	if base == "" {
		return choice, fmt.Errorf("the event names no base commit"), nil
	}
	if _, err := git.Run(ctx, workspace, "cat-file", "-e", base+"^{commit}"); err != nil {
		if _, ferr := git.Run(ctx, workspace, "fetch", "--no-tags", "--quiet", "--depth=1", "origin", base); ferr != nil {
			return choice, fmt.Errorf("the base commit %s is not in the checkout and fetching it failed: %v", short(base), ferr), nil
		}
	}
	out, gerr := git.Run(ctx, workspace, "ls-tree", "-l", "-z", base, "--", configName)
	if gerr != nil {
		return choice, gerr, nil
	}
	entry := strings.TrimSuffix(string(out), "\x00")
	if entry == "" {
		return choice, nil, nil // no .kubeready.yaml at the base: the defaults
	}
	// "<mode> <type> <object> <size>\t<path>"
	meta, _, _ := strings.Cut(entry, "\t")
	f := strings.Fields(meta)
	if len(f) != 4 || f[1] != "blob" || (f[0] != "100644" && f[0] != "100755") {
		return choice, fmt.Errorf("%s at the base commit %s is not a regular file", configName, short(base)), nil
	}
	if size, err := strconv.ParseInt(f[3], 10, 64); err != nil || size > maxBaseConfig {
		return choice, fmt.Errorf("%s at the base commit %s is over %d bytes", configName, short(base), maxBaseConfig), nil
	}
	data, gerr := git.Run(ctx, workspace, "show", base+":"+configName)
	if gerr != nil {
		return choice, gerr, nil
	}
	choice.baseData = data
	name := fmt.Sprintf("%s (base commit %s)", configName, short(base))
	if choice.cfg, err = cli.ParseConfig(name, root, data); err != nil {
		return choice, nil, err
	}
	return choice, nil, nil
}

// headConfigDiffers reports whether the scanned tree's .kubeready.yaml
// differs from the base's (baseData nil: the base has none).
func headConfigDiffers(root string, baseData []byte) bool {
	p := filepath.Join(root, configName)
	st, err := os.Lstat(p)
	if err != nil {
		return baseData != nil
	}
	if baseData == nil || !st.Mode().IsRegular() || st.Size() != int64(len(baseData)) {
		return true
	}
	f, err := os.Open(p)
	if err != nil {
		return true
	}
	defer f.Close()
	head, err := io.ReadAll(io.LimitReader(f, maxBaseConfig+1))
	return err != nil || !bytes.Equal(head, baseData)
}

// noteConfigChanged says, once, that the pull request changes
// .kubeready.yaml and that the base's settings were used.
func (a *actionRun) noteConfigChanged() {
	if a.configNoted {
		return
	}
	a.configNoted = true
	if a.config.cfg == nil {
		a.place.Note("This pull request changes .kubeready.yaml; the base branch's settings were used: it has no .kubeready.yaml, so kubeready's defaults. On pull requests kubeready reads .kubeready.yaml from the base commit, so that a pull request cannot change what is checked.")
		return
	}
	a.place.Note("This pull request changes .kubeready.yaml; the base branch's settings were used. On pull requests kubeready reads .kubeready.yaml from the base commit, so that a pull request cannot change what is checked.")
}
