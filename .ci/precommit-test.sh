#!/usr/bin/env bash
# End-to-end test of .pre-commit-hooks.yaml with Debian's pre-commit: the
# golang hooks are built from this checkout (go install ./..., as pre-commit
# does for any user), the system hook runs a kubeready built from it on PATH,
# and they run on testdata/precommit/ in a temporary git repository, checking
# exit codes, output and the file the fix hook rewrites.
# Called from .ci/run; runs on its own too.
set -euo pipefail
checkout=$(cd "$(dirname "$0")/.." && pwd)

# SWITCH for the fix-hook test. --fix is part of this build, so the test is
# "on": a missing flag fails CI. "auto" runs it only when the binary has --fix.
fix_hook_test=${KUBEREADY_FIX_HOOK_TEST:-on}

if ! command -v pre-commit >/dev/null; then
  echo "installing pre-commit (Debian package)"
  sudo=
  [ "$(id -u)" = 0 ] || sudo=sudo # GitHub's runners: a user with sudo
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pre-commit >/dev/null
fi
pre-commit --version

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PRE_COMMIT_HOME="$tmp/cache" PRE_COMMIT_COLOR=never
# Build as a user's machine would: no -mod=mod from .ci/run (an untidy go.mod
# must fail here as it would for users), the local Go only (GOTOOLCHAIN=local:
# a go line newer than the installed Go fails instead of downloading one).
# pre-commit gives each hook environment its own GOPATH; pointing GOMODCACHE at
# the shared cache saves downloading the modules again (misses still go
# through GOPROXY).
export GOMODCACHE GOTOOLCHAIN=local
GOMODCACHE=$(go env GOMODCACHE)
unset GOFLAGS

git_() { git -c user.name=kubeready-ci -c user.email=ci@kubeready.invalid -c init.defaultBranch=main -c commit.gpgsign=false "$@"; }

# The hook repository: a snapshot of the checkout as it is on disk (tracked
# and untracked files, .gitignore honoured), committed, because try-repo
# clones a commit and would leave out files that are not in one yet.
hookrepo="$tmp/hookrepo"
mkdir -p "$hookrepo"
(cd "$checkout" && git ls-files -z -co --exclude-standard) |
  while IFS= read -r -d '' f; do [ -e "$checkout/$f" ] && printf '%s\0' "$f"; done |
  tar -C "$checkout" --null -T - -cf - | tar -C "$hookrepo" -xf -
git_ -C "$hookrepo" init -q
git_ -C "$hookrepo" add -A
git_ -C "$hookrepo" commit -q -m snapshot

# The user's repository.
work="$tmp/work"
mkdir -p "$work"
cp "$checkout"/testdata/precommit/*.yaml "$checkout"/testdata/precommit/*.json "$work"/
cp "$checkout"/testdata/precommit/fix/cronjob.yaml "$work"/fix-cronjob.yaml
cp -r "$checkout"/testdata/helm/psp "$work"/chart
git_ -C "$work" init -q
git_ -C "$work" add -A
git_ -C "$work" commit -q -m fixtures
cd "$work"

fail() { echo "FAIL: $*"; echo "--- output"; cat "$tmp/out"; exit 1; }

# try HOOK WANT_EXIT FILE... runs one hook through try-repo; output in $tmp/out.
try() {
  local hook=$1 want=$2 code=0
  shift 2
  pre-commit try-repo --verbose "$hookrepo" "$hook" --files "$@" >"$tmp/out" 2>&1 </dev/null || code=$?
  [ "$code" = "$want" ] || fail "$hook on $*: exit $code, want $want"
  echo "ok: $hook on $* exits $code"
}

# 1. The check hook fails on a removed API and names the line; a clean file, a
# suppressed finding and an excluded JSON-with-comments file pass.
try kubeready 1 removed.yaml clean.yaml suppressed.yaml tsconfig.json
grep -q 'removed.yaml:2:1: error: CronJob batch/v1beta1 is not served by Kubernetes 1.25' "$tmp/out" ||
  fail "no api-removed finding on removed.yaml:2"
! grep -Eq 'suppressed.yaml|clean.yaml|tsconfig.json' "$tmp/out" || fail "finding on a file that should pass"
grep -q 'Installing environment' "$tmp/out" || fail "pre-commit did not build the golang hook"

# 1b. A change to a chart's helper alone renders the chart again.
try kubeready 1 chart/templates/_helpers.tpl
grep -q 'chart/templates/psp.yaml:.*\[api-removed\]' "$tmp/out" || fail "a _helpers.tpl change did not check its chart"

# 2. The repository's .kubeready.yaml applies (the hook passes no flags that
# would override it): at 1.22 the CronJob is only deprecated, a warning, and
# fail-on error lets the commit through.
printf 'target: "1.22"\nfail-on: error\n' >.kubeready.yaml
try kubeready 0 removed.yaml clean.yaml
grep -q 'removed.yaml:2:1: warning: .*\[api-deprecated\]' "$tmp/out" || fail "target 1.22 from .kubeready.yaml not used"
rm .kubeready.yaml

# 3. The fix hook rewrites the file with the safe fix and fails the commit
# (pre-commit's convention for fixers), keeping comments and layout.
has_fix=no
if (cd "$checkout" && go run . --help 2>&1) | grep -q -- '-fix'; then has_fix=yes; fi
case "$fix_hook_test/$has_fix" in
  on/* | auto/yes)
    try kubeready-fix 1 fix-cronjob.yaml
    grep -q 'files were modified by this hook' "$tmp/out" || fail "pre-commit did not see the fix hook's change"
    diff -u "$checkout/testdata/precommit/fix/cronjob.want.yaml" fix-cronjob.yaml >"$tmp/diff" ||
      { cat "$tmp/diff"; fail "fix-cronjob.yaml is not the expected rewrite"; }
    echo "ok: kubeready-fix rewrote fix-cronjob.yaml as expected"
    ;;
  *)
    echo "SKIPPED: kubeready-fix test (kubeready has no --fix yet; KUBEREADY_FIX_HOOK_TEST=$fix_hook_test)"
    ;;
esac

# 4. The system hook runs the kubeready on PATH, with no environment to build:
# the same findings as the golang hook; and a clear failure without one.
mkdir -p "$tmp/bin"
(cd "$checkout" && go build -o "$tmp/bin/kubeready" .)
PATH="$tmp/bin:$PATH" try kubeready-system 1 removed.yaml clean.yaml suppressed.yaml tsconfig.json
grep -q 'removed.yaml:2:1: error: CronJob batch/v1beta1 is not served by Kubernetes 1.25' "$tmp/out" ||
  fail "kubeready-system: no api-removed finding on removed.yaml:2"
! grep -Eq 'suppressed.yaml|clean.yaml|tsconfig.json' "$tmp/out" || fail "kubeready-system: finding on a file that should pass"
! grep -q 'Installing environment' "$tmp/out" || fail "kubeready-system installed an environment"
if ! command -v kubeready >/dev/null; then
  try kubeready-system 1 removed.yaml
  grep -q 'Executable `kubeready` not found' "$tmp/out" || fail "kubeready-system without kubeready on PATH"
  echo "ok: kubeready-system says so when kubeready is not on PATH"
fi

# 5. The manifest itself, including the docker_image hook that needs Docker to run.
pre-commit validate-manifest "$hookrepo/.pre-commit-hooks.yaml"
echo "ok: .pre-commit-hooks.yaml is a valid manifest"
