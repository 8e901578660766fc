# The kubeready image: the GitHub Action (action.yml builds it) and
# `docker run --rm -v "$PWD:/src" -w /src kubeready .`.
#
# Build stage: a pinned Go image makes a static binary. The version is the
# VERSION build argument, else `git describe` of the build context, else
# "dev"; a release sets the default below, since the Action is built from a
# tarball of the tag, without .git.
FROM golang:1.26.8-trixie AS build
ARG VERSION=
ENV CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly
COPY go.mod go.sum /src/
RUN cd /src && go mod download
COPY . /src
RUN cd /src \
 && v="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}" \
 && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${v}" -o /out/kubeready . \
 && /out/kubeready --version

# Run stage: only what a run needs, CA certificates for the GitHub API and
# git for the diff fallback. Docker actions run as root (the runner mounts
# the workspace owned by another uid), so there is no USER; and no WORKDIR:
# the runner sets /github/workspace, which git must trust.
FROM alpine:3.23
RUN apk add --no-cache ca-certificates git \
 && git config --system --add safe.directory /github/workspace
COPY --from=build /out/kubeready /usr/local/bin/kubeready
ENTRYPOINT ["/usr/local/bin/kubeready"]
