#!/usr/bin/env bash
# Every object every overlay renders validates against the Kubernetes API schemas (the
# kubernetes-models npm package, v1.36.0) and the Prometheus Operator's CRDs.
# Skipped (exit 77) without kubectl, node or the npm registry.
# Usage: validate_manifests.sh <source dir> [<build dir>, default <source dir>/build]
set -euo pipefail
ROOT="$1"
BUILD="${2:-$ROOT/build}"
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/node_deps.sh"
node "$HERE/validate.mjs" "$NODE_DIR" "$K8S_SCHEMA_VERSION" "$RENDERED"/*.yaml
