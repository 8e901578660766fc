# The kubeready image: `docker run --rm -v "$PWD:/src" -w /src IMAGE .`, and
# the pre-commit hook kubeready-docker.
#
# Two ways to get the binary, one run stage:
# - `docker build .` (BINARY=source, the default) builds it from this
#   checkout. The version is the VERSION build argument, else `git describe`
#   of the build context, else "dev".
# - The release (GoReleaser's dockers_v2, .goreleaser.yaml) passes
#   BINARY=release and a context holding the binaries it built, one per
#   platform as linux/<arch>/kubeready, for ghcr.io/kubeready/kubeready.
# BuildKit builds only the stage the final one uses.
ARG BINARY=source

FROM golang:1.26.8-trixie AS source
ARG VERSION=
ENV CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly
COPY go.mod go.sum /src/
RUN cd /src && go mod download
COPY . /src
RUN cd /src \
 && v="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}" \
 && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${v}" -o /out/kubeready . \
 && /out/kubeready --version

FROM scratch AS release
ARG TARGETPLATFORM
COPY ${TARGETPLATFORM}/kubeready /out/kubeready

FROM ${BINARY} AS binary

# Run stage: only what a run needs, CA certificates for the GitHub API and
# git for --base and the diff fallback. No USER and no WORKDIR: `docker run
# -v "$PWD:/src" -w /src`, pre-commit's docker_image hooks and a workflow's
# `uses: docker://` step mount the repository and choose the directory; git
# trusts /src and /github/workspace whoever owns them.
FROM alpine:3.23
RUN apk add --no-cache ca-certificates git \
 && git config --system --add safe.directory /src \
 && git config --system --add safe.directory /github/workspace
COPY --from=binary /out/kubeready /usr/local/bin/kubeready
ENTRYPOINT ["/usr/local/bin/kubeready"]
