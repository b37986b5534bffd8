#!/usr/bin/env bash
# Every kustomize overlay renders, with every service folder's Deployment, Service and
# migration Job, and the gateway routes to every service.
# Skipped (exit 77) where kubectl is not installed: it is not a Debian package.
set -euo pipefail
ROOT="$1"
command -v kubectl >/dev/null || { echo "kubectl not installed: skipped"; exit 77; }
overlays=0
for overlay in "$ROOT"/k8s/overlays/*/; do
  overlay_name=$(basename "$overlay")
  out=$(kubectl kustomize "$overlay") || { echo "k8s: overlay $overlay_name does not render"; exit 1; }
  overlays=$((overlays + 1))
  for dir in "$ROOT"/services/*/; do
    name=$(basename "$dir")
    for kind_name in "Deployment $name" "Service $name" "Job $name-migrate"; do
      set -- $kind_name
      awk -v k="$1" -v n="$2" '$0=="kind: "k {inkind=1} inkind && $0=="  name: "n {found=1} /^---/ {inkind=0} END {exit !found}' <<<"$out" ||
        { echo "k8s: $overlay_name has no $1 $2"; exit 1; }
    done
    # A here-string, not a pipe: grep -q exits at the first match, and under pipefail the
    # writer's SIGPIPE would fail the check at random once the output outgrows a pipe buffer.
    grep -q -- "--backends=.*$name=" <<<"$out" || { echo "k8s: $overlay_name: the gateway has no backend for $name"; exit 1; }
  done
done
[ "$overlays" -ge 2 ] || { echo "k8s: expected the dev and prod overlays"; exit 1; }
echo "k8s: $overlays overlays render with every service"
