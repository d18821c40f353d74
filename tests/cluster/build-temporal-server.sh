#!/usr/bin/env bash
# Builds the Temporal server (cmd/server) and temporal-sql-tool (cmd/tools/sql) from the Go module proxy, once per
# version, into a cache outside the clone, and copies the module's PostgreSQL schema next to them. A second run
# finds the cache and returns at once. Prints the cache directory on stdout; progress goes to stderr.
#
#   TEMPORAL_SERVER_VERSION   module version to build (default v1.32.1; v1.32.2 needs a newer Go than ours)
#   TEMPORAL_SERVER_CACHE     cache root (default ~/.cache/orchestrator-temporal-server)
set -euo pipefail
version=${TEMPORAL_SERVER_VERSION:-v1.32.1}
cache=${TEMPORAL_SERVER_CACHE:-$HOME/.cache/orchestrator-temporal-server}/$version
module=go.temporal.io/server

ready() { [ -x "$cache/server" ] && [ -x "$cache/sql" ] && [ -f "$cache/schema/postgresql/v12/temporal/schema.sql" ]; }
if ready; then echo "$cache"; exit 0; fi

if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"
  elif command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "installing Go from Debian (GOTOOLCHAIN=auto fetches the version the module needs from the Go proxy)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go >/dev/null
  else
    echo "Go is needed to build the Temporal server ($module@$version); install it or put it on PATH" >&2; exit 1
  fi
fi

started=$(date +%s)
mkdir -p "$cache"
# go install writes each binary in one rename, so a binary present is a binary complete; an interrupted run resumes.
for pkg in cmd/server cmd/tools/sql; do
  name=$(basename "$pkg")
  [ -x "$cache/$name" ] && continue
  echo "building $module/$pkg@$version into $cache (first run only; minutes)" >&2
  GOBIN="$cache" CGO_ENABLED=0 go install "$module/$pkg@$version" >&2
done

# The schema ships in the module source; keep a copy so the cache does not depend on the module cache surviving.
if [ ! -f "$cache/schema/postgresql/v12/temporal/schema.sql" ]; then
  source_dir="$(go env GOMODCACHE)/$module@$version"
  [ -d "$source_dir/schema" ] || go mod download "$module@$version" >&2
  rm -rf "$cache/schema.tmp" && mkdir -p "$cache/schema.tmp"
  cp -r "$source_dir/schema/postgresql" "$cache/schema.tmp/" && chmod -R u+w "$cache/schema.tmp"
  rm -rf "$cache/schema" && mv "$cache/schema.tmp" "$cache/schema"
fi
ready || { echo "the build finished but $cache is incomplete" >&2; exit 1; }
echo "Temporal server $version ready in $cache after $(( $(date +%s) - started )) s" >&2
echo "$cache"
