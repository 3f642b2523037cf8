#!/usr/bin/env bash
# Reproduces vendor/ from npm at the pinned versions: GraphiQL's UMD bundle (it takes React and ReactDOM
# as globals) and the React 18 UMD builds it runs on. Run it by hand to upgrade (change the pins and the
# integrity hashes together); the server and the tests only read the files it leaves, so no Node at run time.
set -euo pipefail

GRAPHIQL=4.1.2
REACT=18.3.1
# npm's own sha512 of each tarball, so an upgrade is a deliberate edit and a tampered tarball is refused.
declare -A INTEGRITY=(
  ["graphiql@$GRAPHIQL"]="sha512-rNlzQIAzm6i2KBXmVQWBgLvt0TloxFVB2d18bukvdsvjEuFDHsKx5IVOomL1W1o5WW+tE54+ioHb2AEKzO2cUg=="
  ["react@$REACT"]="sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ=="
  ["react-dom@$REACT"]="sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw=="
)

vendor="$(cd "$(dirname "$0")" && pwd)/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for spec in "${!INTEGRITY[@]}"; do
  name="${spec%@*}"
  tarball="$(cd "$work" && npm pack --silent "$spec")"
  actual="sha512-$(openssl dgst -sha512 -binary "$work/$tarball" | base64 -w0)"
  if [ "$actual" != "${INTEGRITY[$spec]}" ]; then
    echo "fetch.sh: $spec has integrity $actual, expected ${INTEGRITY[$spec]}" >&2
    exit 1
  fi
  mkdir "$work/$name"
  tar -xzf "$work/$tarball" -C "$work/$name" --strip-components=1
done

rm -rf "$vendor"
mkdir -p "$vendor"
cp "$work/react/umd/react.production.min.js" "$vendor/"
cp "$work/react-dom/umd/react-dom.production.min.js" "$vendor/"
cp "$work/graphiql/graphiql.min.css" "$vendor/"
# The source map is not shipped, so its reference goes: browsers would ask the gateway for it.
sed '/^\/\/# sourceMappingURL=/d' "$work/graphiql/graphiql.min.js" > "$vendor/graphiql.min.js"
cp "$work/graphiql/LICENSE" "$vendor/LICENSE-graphiql"
cp "$work/react/LICENSE" "$vendor/LICENSE-react"
cp "$work/react-dom/LICENSE" "$vendor/LICENSE-react-dom"
printf 'graphiql %s\nreact %s\nreact-dom %s\n' "$GRAPHIQL" "$REACT" "$REACT" > "$vendor/VERSIONS"
(cd "$vendor" && sha256sum -- *.js *.css > SHA256SUMS)
du -ch "$vendor"/*.js "$vendor"/*.css | tail -1
