#!/usr/bin/env bash
# .ci/release-notes.sh vX.Y.Z [CHANGELOG.md]: prints the changelog's section
# for the version (the lines under "## [X.Y.Z]" up to the next "## "), the
# notes of the GitHub release. Fails if there is none.
set -euo pipefail
v=${1:?usage: $0 vX.Y.Z [CHANGELOG.md]}
file=${2:-$(dirname "$0")/../CHANGELOG.md}
notes=$(awk -v head="## [${v#v}]" '
	/^## / { on = (index($0, head) == 1); next }
	on' "$file")
if [ -z "$(printf '%s' "$notes" | tr -d '[:space:]')" ]; then
	echo "$file has no section \"## [${v#v}] - YYYY-MM-DD\" with notes for $v" >&2
	exit 1
fi
printf '%s\n' "$notes"
