# Sourced by the k8s tests that run node: checks kubectl and node are here, installs the pinned
# npm packages once into $BUILD/k8s-node (a cache the build folder owns), renders every overlay
# into $RENDERED/<overlay>.yaml, and exits 77 (skipped) when a tool or the npm registry is
# missing. Expects ROOT and BUILD set.
command -v kubectl >/dev/null || { echo "kubectl not installed: skipped"; exit 77; }
command -v node >/dev/null && command -v npm >/dev/null || { echo "node/npm not installed: skipped"; exit 77; }

# kubernetes-models 5.1.0 is generated from the OpenAPI document of Kubernetes v1.36.0.
K8S_SCHEMA_VERSION=1.36.0
NODE_PACKAGES=(kubernetes-models@5.1.0 @kubernetes-models/prometheus-operator@6.0.0 yaml@2.8.1)
NODE_DIR="$BUILD/k8s-node"

node_packages_present() {
  local spec name version
  for spec in "${NODE_PACKAGES[@]}"; do
    name=${spec%@*} version=${spec##*@}
    grep -qs "\"version\": \"$version\"" "$NODE_DIR/node_modules/$name/package.json" || return 1
  done
}

mkdir -p "$NODE_DIR"
# Tests may run at once (ctest -j): one installs, the others wait for it.
exec 9>"$NODE_DIR/.lock"
flock 9
if ! node_packages_present; then
  if ! timeout 45 npm install --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error \
      --fetch-retries=0 --fetch-timeout=10000 \
      "${NODE_PACKAGES[@]}" >"$NODE_DIR/npm.log" 2>&1; then
    echo "npm registry unreachable or install failed (see $NODE_DIR/npm.log): skipped"
    exit 77
  fi
fi
flock -u 9

RENDERED=$(mktemp -d)
trap 'rm -rf "$RENDERED"' EXIT
for overlay in "$ROOT"/k8s/overlays/*/; do
  name=$(basename "$overlay")
  kubectl kustomize "$overlay" >"$RENDERED/$name.yaml" || { echo "k8s: overlay $name does not render"; exit 1; }
done
