// Package install holds no code: its tests check how kubeready is shipped.
// The GitHub Action's script (.github/action/install.sh) is run against fake
// releases served on 127.0.0.1, with the archive and checksums names that
// .goreleaser.yaml produces; action.yml's run step is run as the runner runs
// it; and the version the Action, the pre-commit hooks and the README pin is
// checked to be one version, the one the release image is tagged with.
package install
