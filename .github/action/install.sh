#!/usr/bin/env bash
# Puts in place the kubeready binary the GitHub Action runs (action.yml calls
# this; so does the release workflow's check of the published archives). Bash
# on every runner: GitHub's Windows runners run `shell: bash` with Git for
# Windows' bash, which has curl, tar and sha256sum too.
#
#   install.sh        The release KUBEREADY_VERSION (vX.Y.Z) for RUNNER_OS and
#                     RUNNER_ARCH: downloads the archive and the checksums
#                     file, checks the archive's SHA-256, extracts the binary
#                     under RUNNER_TEMP and writes bin=PATH to GITHUB_OUTPUT.
#                     But when the action is a checkout of kubeready itself
#                     (`uses: ./` in kubeready's own workflows, where
#                     GITHUB_ACTION_PATH is GITHUB_WORKSPACE) it downloads
#                     nothing and writes source=DIR: action.yml then sets up
#                     Go and runs `install.sh build`.
#   install.sh build  Builds the checkout at GITHUB_ACTION_PATH with go build
#                     and writes bin=PATH.
#
# KUBEREADY_RELEASES_URL replaces https://github.com/kubeready/kubeready/releases/download
# (the tests serve fake releases on 127.0.0.1).
set -euo pipefail

die() {
	echo "::error title=kubeready::$*" >&2
	exit 1
}

output() {
	if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "$1" >>"$GITHUB_OUTPUT"; else echo "$1"; fi
}

case "${RUNNER_OS:-}" in
Linux) os=linux exe= ;;
macOS) os=darwin exe= ;;
Windows) os=windows exe=.exe ;;
*) die "kubeready has no release for the runner OS '${RUNNER_OS:-}' (Linux, macOS and Windows have one)" ;;
esac
case "${RUNNER_ARCH:-}" in
X64) arch=amd64 ;;
ARM64) arch=arm64 ;;
*) die "kubeready has no release for the runner architecture '${RUNNER_ARCH:-}' (X64 and ARM64 have one)" ;;
esac

temp=${RUNNER_TEMP:?RUNNER_TEMP is not set}
if command -v cygpath >/dev/null; then
	# Windows: D:\a\_temp as /d/a/_temp, a path bash and tar take as local.
	temp=$(cygpath -u "$temp")
fi

# from_source: the action directory is the workspace, a checkout of kubeready.
from_source() {
	[ -n "${GITHUB_ACTION_PATH:-}" ] && [ -n "${GITHUB_WORKSPACE:-}" ] &&
		[ "$(cd "$GITHUB_ACTION_PATH" && pwd -P)" = "$(cd "$GITHUB_WORKSPACE" && pwd -P)" ]
}

if [ "${1:-}" = build ]; then
	src=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}
	dest="$temp/kubeready-source"
	mkdir -p "$dest"
	v=$(git -C "$src" describe --tags --always --dirty 2>/dev/null || echo dev)
	echo "kubeready: building $v from $src"
	(cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$v" -o "$dest/kubeready$exe" .)
	output "bin=$dest/kubeready$exe"
	exit 0
fi

if from_source; then
	echo "kubeready: the action is this checkout of kubeready; it is built from source"
	output "source=$GITHUB_ACTION_PATH"
	exit 0
fi

version=${KUBEREADY_VERSION:-}
[[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
	die "KUBEREADY_VERSION '$version' is not a release (vX.Y.Z)"
# GoReleaser's names (.goreleaser.yaml): the version without its v.
archive="kubeready_${version#v}_${os}_${arch}.tar.gz"
sums="kubeready_${version#v}_checksums.txt"
base="${KUBEREADY_RELEASES_URL:-https://github.com/kubeready/kubeready/releases/download}/$version"

work=$(mktemp -d "$temp/kubeready-download.XXXXXX")
trap 'rm -rf "$work"' EXIT

# fetch NAME: downloads $base/NAME to $work/NAME, following GitHub's redirect.
fetch() {
	local url="$base/$1" code
	code=$(curl -sSL --retry 3 --retry-delay 2 --connect-timeout 20 -o "$work/$1" -w '%{http_code}' "$url") ||
		die "could not download $url (curl exit $?)"
	[ "$code" = 200 ] ||
		die "could not download $url: HTTP $code (is kubeready $version released, with an archive for $os/$arch?)"
}

sha256() {
	if command -v sha256sum >/dev/null; then
		sha256sum "$1" | cut -d ' ' -f 1
	else # macOS
		shasum -a 256 "$1" | cut -d ' ' -f 1
	fi
}

fetch "$sums"
fetch "$archive"
want=$(awk -v name="$archive" '$2 == name || $2 == "*" name { print $1; exit }' "$work/$sums")
[ -n "$want" ] || die "$sums has no checksum for $archive"
got=$(sha256 "$work/$archive")
[ "$got" = "$want" ] ||
	die "checksum mismatch for $archive: its SHA-256 is $got, $sums says $want; not running it"

tar -xzf "$work/$archive" -C "$work" "kubeready$exe" || die "$archive holds no kubeready$exe"
dest="$temp/kubeready-$version"
mkdir -p "$dest"
mv -f "$work/kubeready$exe" "$dest/kubeready$exe"
chmod +x "$dest/kubeready$exe"
echo "kubeready: $version for $os/$arch, SHA-256 $got checked against $sums"
output "bin=$dest/kubeready$exe"
