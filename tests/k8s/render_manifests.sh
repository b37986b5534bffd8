#!/usr/bin/env bash
# The kustomize overlays render, and every service folder has its Deployment and Service.
# Skipped (exit 77) where kubectl is not installed: it is not a Debian package.
set -euo pipefail
ROOT="$1"
command -v kubectl >/dev/null || { echo "kubectl not installed: skipped"; exit 77; }
out=$(kubectl kustomize "$ROOT/k8s/overlays/dev")
for dir in "$ROOT"/services/*/; do
  name=$(basename "$dir")
  for kind in Deployment Service; do
    awk -v k="$kind" -v n="$name" '$0=="kind: "k {inkind=1} inkind && $0=="  name: "n {found=1} /^---/ {inkind=0} END {exit !found}' <<<"$out" ||
      { echo "k8s: no $kind for service $name"; exit 1; }
  done
  # A here-string, not a pipe: grep -q exits at the first match, and under pipefail the
  # writer's SIGPIPE would fail the check at random once the output outgrows a pipe buffer.
  grep -q -- "--backends=.*$name=" <<<"$out" || { echo "k8s: the gateway has no backend for $name"; exit 1; }
done
echo "k8s overlays render with every service"
