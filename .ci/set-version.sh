#!/usr/bin/env bash
# .ci/set-version.sh vX.Y.Z: sets the release that the Action runs
# (action.yml's KUBEREADY_VERSION), the image the docker hook runs
# (.pre-commit-hooks.yaml) and the versions the README's install steps name.
# Part of a release (RELEASING.md); TestPinnedVersions checks they agree.
set -euo pipefail
cd "$(dirname "$0")/.."
v=${1:-}
[[ "$v" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || { echo "usage: $0 vX.Y.Z" >&2; exit 2; }
re='v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?'
# sed -i.bak works with GNU and BSD sed alike.
sed -E -i.bak "s/(KUBEREADY_VERSION: )$re/\1$v/" action.yml
sed -E -i.bak "s#(ghcr\.io/kubeready/kubeready:)$re#\1$v#" .pre-commit-hooks.yaml
sed -E -i.bak \
  -e "s#(kubeready/kubeready@)$re#\1$v#g" \
  -e "s#(ghcr\.io/kubeready/kubeready:)$re#\1$v#g" \
  -e "s#(releases/download/)$re#\1$v#g" \
  -e "s#(rev: )$re#\1$v#g" \
  -e "s#kubeready_${re#v}_#kubeready_${v#v}_#g" \
  README.md
rm -f action.yml.bak .pre-commit-hooks.yaml.bak README.md.bak
echo "set $v in action.yml, .pre-commit-hooks.yaml and README.md"
