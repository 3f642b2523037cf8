#!/usr/bin/env bash
# Reproduces axe.min.js (a test-only asset: tests/browser/test_portal.py injects it into the portal's pages
# to check accessibility) from npm at the pinned version, the tarball checked against npm's sha512.
set -euo pipefail

AXE=4.14.1
INTEGRITY="sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="

vendor="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

tarball="$(cd "$work" && npm pack --silent "axe-core@$AXE")"
actual="sha512-$(openssl dgst -sha512 -binary "$work/$tarball" | base64 -w0)"
if [ "$actual" != "$INTEGRITY" ]; then
  echo "fetch.sh: axe-core@$AXE has integrity $actual, expected $INTEGRITY" >&2
  exit 1
fi
mkdir "$work/axe"
tar -xzf "$work/$tarball" -C "$work/axe" --strip-components=1
cp "$work/axe/axe.min.js" "$vendor/"
cp "$work/axe/LICENSE" "$vendor/LICENSE-axe-core"
cp "$work/axe/LICENSE-3RD-PARTY.txt" "$vendor/LICENSE-3RD-PARTY-axe-core.txt"
(cd "$vendor" && sha256sum axe.min.js > SHA256SUMS)
