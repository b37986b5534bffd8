#!/usr/bin/env bash
# The served /openapi.json passes `redocly lint` (its recommended rules) with no error.
# Usage: openapi_lint.sh GATEWAY_BINARY TOOLS_DIR. Redocly CLI comes from the npm registry into
# TOOLS_DIR (in the build tree), once; node and npm from Debian when the machine has none.
set -euo pipefail
GATEWAY="$1"
TOOLS="$2"
if ! command -v npm >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -q nodejs npm >/dev/null; else sudo apt-get install -y -q nodejs npm >/dev/null; fi
fi
major=$(node -p 'process.versions.node.split(".")[0]')
# Redocly CLI 2 needs node 20.19+; Debian 12's node 18 takes the last 1.x.
version=$([ "$major" -ge 20 ] && echo 2.77.0 || echo 1.34.5)
if [ ! -x "$TOOLS/redocly-$version/node_modules/.bin/redocly" ]; then
  mkdir -p "$TOOLS/redocly-$version"
  npm install --prefix "$TOOLS/redocly-$version" --no-audit --no-fund --loglevel=error \
    "@redocly/cli@$version" >/dev/null
fi

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
AFTERSALES_IDENTITY_KEY="openapi-lint-identity-key-0123456789abcdef" "$GATEWAY" \
  --listen="127.0.0.1:$port" --auth_mode=development \
  --backends=tickets=127.0.0.1:1,returns=127.0.0.1:2,identity=127.0.0.1:3 >"$work/gateway.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$port/openapi.json" -o "$work/openapi.json" 2>/dev/null && break; sleep 0.1; done
[ -s "$work/openapi.json" ] || { echo "the gateway served no /openapi.json"; cat "$work/gateway.log"; exit 1; }
cd "$work"
"$TOOLS/redocly-$version/node_modules/.bin/redocly" lint --format=stylish openapi.json 2>&1 | grep -v "^ *[║╔╚]" | tail -40
echo "redocly $version: no errors in the served document"
