#!/usr/bin/env bash
# The rules every rendered object keeps (tests/k8s/policy.mjs says which): probes, memory
# limits, the security context, versioned images, no development auth or secrets in prod,
# drain inside the grace period, network policies that admit each Service's callers and no
# one else, and in prod an autoscaler and a disruption budget per Deployment.
# Skipped (exit 77) without kubectl, node or the npm registry (for the YAML parser).
# Usage: policy_manifests.sh <source dir> [<build dir>, default <source dir>/build]
set -euo pipefail
ROOT="$1"
BUILD="${2:-$ROOT/build}"
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/node_deps.sh"
node "$HERE/policy.mjs" "$NODE_DIR" "$RENDERED"/*.yaml
