#!/usr/bin/env bash
# The container images, built as `tools/dev images` builds them (images/build.sh) into a
# throwaway buildah storage, then opened (`buildah mount`) and run with chroot, since no
# container engine runs here. Each image, as a pod runs it (its user, a read-only root, a fresh
# /tmp, /proc and /dev, env cleared):
#   - is tagged <version> (the tag the k8s overlays deploy) and <version>-<commit>, has one
#     layer, runs as 65532 and starts its binary, and stays under its size budget;
#   - holds no shell, the time zones the services load, the CA bundle, and every library each
#     of its ELF files needs (the loader's own --list, inside the root); claims: its fonts,
#     found through the fontconfig cache built into the image;
#   - answers --help.
# Then all of them run together against a throwaway MariaDB (on the host, over 127.0.0.1): each
# service's --migrate_only (the migration Job), then every service with --migrations=wait and
# the gateway, until the gateway's /readyz has every backend SERVING on grpc.health.v1 (ready
# only when the database answers and the schema is the one the build needs); then requests
# that need the time zones (a ticket's buyer in America/New_York, a return quoted for
# Asia/Tokyo) and a claim's evidence packet exported as PDF with a Chinese message in it, read
# back with pdftotext, which needs claims' fonts. A missing library, zone or font fails it.
#
#   tests/images/images_test.sh SOURCE_DIR BUILD_DIR SANITIZE(ON|OFF)
# Exits 77 (skipped) in a sanitized build, when not root (chroot, mounts) or without buildah.
set -euo pipefail

if [ "${1:-}" = --in-image ]; then
  # Internal: $0 --in-image ROOT USER [VAR=value...] COMMAND [ARG...], started under
  # `unshare --mount` so that these mounts end with the process.
  root=$2 user=$3
  shift 3
  envs=()
  while [[ "${1:-}" =~ ^[A-Z_][A-Z0-9_]*= ]]; do envs+=("$1"); shift; done
  mount --bind "$root" "$root"
  mount -o remount,bind,ro "$root"
  mount -t tmpfs -o mode=1777,size=64m tmpfs "$root/tmp"
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  exec env -i "${envs[@]}" "$(command -v chroot)" --userspec="$user" "$root" "$@"
fi

SOURCE=$(cd "$1" && pwd)
BUILD=$(cd "$2" && pwd)
SANITIZE=${3:-OFF}
SELF=$(readlink -f "$0")
started=$(date +%s)

skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAILED: $*" >&2; exit 1; }
note() { echo "[$(($(date +%s) - started))s] $*"; }

case "$SANITIZE" in ON | on | TRUE | true | 1)
  skip "a sanitized build: images of ASan binaries are not what ships; the plain build's run of this test covers the images" ;;
esac
[ "$(id -u)" -eq 0 ] || skip "needs root (buildah's vfs storage, chroot, mounts)"
command -v buildah >/dev/null || skip "buildah is not installed (tools/dev installs it)"
for tool in mariadb-install-db mariadbd curl pdftotext; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (tools/dev installs it)"
done

# Uncompressed size of each image's root, in MB (10^6 bytes). Measured 2026-12: tickets 33,
# returns 33, identity 31, gateway 35 (binary ~4 + gRPC, protobuf, abseil, OpenSSL, libstdc++,
# time zones ~4), reviews 81 (ICU's data 31, Hyperscan 10), claims 88 (the Noto Sans CJK
# regular and bold faces 40, Pango, Cairo, GLib). The budgets leave about 30 % for growth.
declare -A BUDGET_MB=([tickets]=45 [returns]=45 [identity]=45 [gateway]=45 [reviews]=105 [claims]=115)
readonly APP_USER=65532:65532

WORK=$(mktemp -d "${TMPDIR:-/tmp}/aftersales-images-XXXXXX")
export AFTERSALES_BUILDAH_ARGS="--storage-driver vfs --root $WORK/storage --runroot $WORK/run"
export AFTERSALES_IMAGE_REPOSITORY=localhost/aftersales-test
read -r -a BUILDAH_ARGS <<<"$AFTERSALES_BUILDAH_ARGS"
buildah_() { buildah "${BUILDAH_ARGS[@]}" "$@"; }
PIDS=()
cleanup() {
  local pid _
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # A call stuck in a service outlives its drain: 10 s, then SIGKILL, as the kubelet would.
  for _ in $(seq 1 50); do
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && break; pid=""; done
    [ -z "${pid:-}" ] && break
    sleep 0.2
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  buildah_ umount --all >/dev/null 2>&1 || true
  buildah_ rm --all >/dev/null 2>&1 || true
  buildah_ rmi --all --force >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# in_image ROOT USER [VAR=value...] COMMAND...: a pod's view of an image's root, if this
# machine lets us make one (a mount namespace); else a plain chroot, which still proves the
# libraries, zones and fonts. It execs, so call it in a subshell: `(in_image ...) &` leaves $!
# the program's own pid.
if unshare --mount --propagation private true 2>/dev/null; then
  in_image() { exec unshare --mount --propagation private "$SELF" --in-image "$@"; }
else
  note "no mount namespace here: plain chroot (the root stays writable, no /proc)"
  in_image() {
    local root=$1 user=$2 envs=()
    shift 2
    while [[ "${1:-}" =~ ^[A-Z_][A-Z0-9_]*= ]]; do envs+=("$1"); shift; done
    exec env -i "${envs[@]}" "$(command -v chroot)" --userspec="$user" "$root" "$@"
  }
fi

# --- Build ---------------------------------------------------------------------------------
note "building the images into a throwaway storage ($WORK)"
# HEAD before and after the build: a commit made meanwhile may be either.
commit_before=$(git -C "$SOURCE" rev-parse --short HEAD 2>/dev/null || echo unknown)
"$SOURCE/images/build.sh" "$BUILD" >"$WORK/built.txt" || fail "images/build.sh failed"
cat "$WORK/built.txt"
note "built"

# Every image the manifests name is built, and nothing else.
mapfile -t wanted < <(grep -ho 'image: aftersales/[a-z0-9-]*' "$SOURCE"/k8s/base/*.yaml | sed 's|.*/||' | sort -u)
mapfile -t names < <(awk '{ print $1 }' "$WORK/built.txt" | sort)
[ "${wanted[*]}" = "${names[*]}" ] ||
  fail "k8s/base runs images of (${wanted[*]}) but images/build.sh built (${names[*]})"
head_commit="($commit_before|$(git -C "$SOURCE" rev-parse --short HEAD 2>/dev/null || echo unknown))"

declare -A ROOTS
check_image() {
  local name=$1 version_tag=$2 commit_tag=$3 image version ctr root
  image="$AFTERSALES_IMAGE_REPOSITORY/$name"
  version=${version_tag##*:}
  # The tag every overlay deploys is the one built.
  local overlay tag
  for overlay in "$SOURCE"/k8s/overlays/*/kustomization.yaml; do
    tag=$(sed -n "s|.*name: *aftersales/$name *, *newTag: *\"\{0,1\}\([^\"}]*\)\"\{0,1\} *}.*|\1|p" "$overlay")
    [ "$tag" = "$version" ] || fail "$name: $overlay deploys tag '$tag', the image is tagged '$version'"
  done
  [[ "$commit_tag" =~ ^$image:$version-$head_commit(-dirty)?$ ]] ||
    fail "$name: second tag '$commit_tag' is not $version-<commit of HEAD $head_commit>"
  buildah_ inspect --type image "$commit_tag" >/dev/null || fail "$name: no image tagged $commit_tag"

  local config
  config=$(buildah_ inspect --type image --format \
    '{{.OCIv1.Config.User}}|{{range .OCIv1.Config.Entrypoint}}{{.}} {{end}}|{{len .OCIv1.RootFS.DiffIDs}}|{{index .OCIv1.Config.Labels "org.opencontainers.image.version"}}|{{index .OCIv1.Config.Labels "org.opencontainers.image.revision"}}' \
    "$version_tag")
  IFS='|' read -r user entrypoint layers label_version label_revision <<<"$config"
  [ "$user" = "$APP_USER" ] || fail "$name: runs as '$user', not $APP_USER"
  [ "$entrypoint" = "/usr/local/bin/$name " ] || fail "$name: entrypoint '$entrypoint'"
  [ "$layers" = 1 ] || fail "$name: $layers layers, not 1"
  [ "$label_version" = "$version" ] || fail "$name: version label '$label_version'"
  [ "${commit_tag##*:}" = "$version-$label_revision" ] || fail "$name: revision label '$label_revision'"

  ctr=$(buildah_ from --pull=never --quiet "$version_tag")
  root=$(buildah_ mount "$ctr")
  ROOTS[$name]=$root

  local size_mb
  size_mb=$(( ($(du -sb --apparent-size "$root" | cut -f1) + 500000) / 1000000 ))
  [ -n "${BUDGET_MB[$name]:-}" ] || fail "$name: state its size budget in BUDGET_MB (it is $size_mb MB)"
  [ "$size_mb" -le "${BUDGET_MB[$name]}" ] || fail "$name: $size_mb MB, over its budget of ${BUDGET_MB[$name]} MB"
  printf '%-9s %3d MB (budget %3d MB)\n' "$name" "$size_mb" "${BUDGET_MB[$name]}" >>"$WORK/sizes.txt"

  local f
  for f in bin/sh bin/bash bin/dash bin/busybox usr/bin/sh usr/bin/bash usr/bin/env; do
    [ ! -e "$root/$f" ] || fail "$name: /$f is in the image (no shell at run time)"
  done
  grep -q "^nonroot:x:65532:65532:" "$root/etc/passwd" || fail "$name: no user 65532 in /etc/passwd"
  for zone in America/New_York Asia/Tokyo Europe/Berlin Pacific/Honolulu UTC; do
    [ "$(head -c 4 "$root/usr/share/zoneinfo/$zone" 2>/dev/null)" = TZif ] ||
      fail "$name: time zone $zone is missing from /usr/share/zoneinfo"
  done
  [ "$(grep -c 'BEGIN CERTIFICATE' "$root/etc/ssl/certs/ca-certificates.crt" 2>/dev/null)" -gt 50 ] ||
    fail "$name: /etc/ssl/certs/ca-certificates.crt is missing or nearly empty"

  # Every ELF file the image holds finds every library it needs, as the image's own loader
  # resolves them (the binary, the libraries, the dlopen'ed MariaDB plugins).
  local lists
  lists=$(cd "$root" && find usr/local/bin usr/lib -type f \( -name '*.so*' -o -perm -u+x \) -print |
    while read -r elf; do
      head -c 4 "$elf" | grep -q ELF || continue
      echo "== /$elf"
      chroot "$root" /lib64/ld-linux-x86-64.so.2 --list "/$elf" 2>&1 || echo "ld.so --list failed"
    done)
  if grep -q 'not found\|failed' <<<"$lists"; then
    fail "$name: libraries missing in the image:"$'\n'"$(grep -B1 'not found\|failed' <<<"$lists" | grep -v '^--')"
  fi

  # Fonts (claims): fontconfig finds them through the cache built into the image, which a
  # read-only root could not write, so no process scans 40 MB of fonts on its first PDF.
  if [ -f "$root/etc/fonts/fonts.conf" ]; then
    local fonts
    cp /usr/bin/fc-list "$root/usr/local/bin/fc-list.test"
    fonts=$( (in_image "$root" "$APP_USER" /usr/local/bin/fc-list.test) 2>&1) || fail "$name: fc-list failed: $fonts"
    rm "$root/usr/local/bin/fc-list.test"
    ! grep -q 'Fontconfig error' <<<"$fonts" || fail "$name: fontconfig's cache in the image is not used:"$'\n'"$fonts"
    grep -q 'NotoSansCJK-Regular.ttc: Noto Sans CJK SC' <<<"$fonts" || fail "$name: no Noto Sans CJK SC:"$'\n'"$fonts"
  fi

  local help
  help=$( (in_image "$root" "$APP_USER" "/usr/local/bin/$name" --help) 2>&1) ||
    fail "$name --help failed inside its image:"$'\n'"$help"
  grep -q -- '--listen' <<<"$help" || fail "$name --help does not list --listen:"$'\n'"$help"
}

while read -r name version_tag commit_tag _; do
  check_image "$name" "$version_tag" "$commit_tag"
done <"$WORK/built.txt"
note "every image: tags, user, one layer, size, no shell, zones, CA bundle, libraries, --help"
cat "$WORK/sizes.txt"

# --- Run them together -----------------------------------------------------------------------
free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

mkdir -p "$WORK/db/tmp" "$WORK/log"
mariadb-install-db --no-defaults --datadir="$WORK/db/data" --tmpdir="$WORK/db/tmp" \
  --auth-root-authentication-method=normal --skip-test-db >"$WORK/log/mariadb-install.log" 2>&1 ||
  fail "mariadb-install-db failed: $(cat "$WORK/log/mariadb-install.log")"
DB_PORT=$(free_port)
mariadbd --no-defaults --datadir="$WORK/db/data" --tmpdir="$WORK/db/tmp" --socket="$WORK/db/mysqld.sock" \
  --port="$DB_PORT" --bind-address=127.0.0.1 --user=root --pid-file="$WORK/db/mysqld.pid" \
  --innodb-buffer-pool-size=64M >"$WORK/log/mariadb.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 300); do
  (exec 3<>"/dev/tcp/127.0.0.1/$DB_PORT") 2>/dev/null && break
  kill -0 "${PIDS[0]}" 2>/dev/null || fail "MariaDB exited: $(tail -20 "$WORK/log/mariadb.log")"
  sleep 0.2
done
note "MariaDB on 127.0.0.1:$DB_PORT"

services=()
for name in "${names[@]}"; do [ "$name" != gateway ] && services+=("$name"); done
IDENTITY_KEY=images-test-identity-key-0123456789abcdef
DEV_SECRET=images-test-dev-jwt-secret-0123456789abcdef
declare -A PORT
envs=("AFTERSALES_IDENTITY_KEY=$IDENTITY_KEY")
backends=""
for name in "${services[@]}"; do
  PORT[$name]=$(free_port)
  envs+=("AFTERSALES_${name^^}_TARGET=127.0.0.1:${PORT[$name]}")
  backends="${backends:+$backends,}$name=127.0.0.1:${PORT[$name]}"
done
db_flags=(--db_host=127.0.0.1 "--db_port=$DB_PORT" --db_pool_size=4)

# The migration Jobs: each service's own image, --migrate_only, no identity key.
for name in "${services[@]}"; do
  (in_image "${ROOTS[$name]}" "$APP_USER" "/usr/local/bin/$name" --migrate_only=true "${db_flags[@]}") \
    >"$WORK/log/$name-migrate.log" 2>&1 ||
    fail "$name --migrate_only failed inside its image:"$'\n'"$(tail -20 "$WORK/log/$name-migrate.log")"
done
note "--migrate_only: every service migrated its database from inside its image"

for name in "${services[@]}"; do
  (in_image "${ROOTS[$name]}" "$APP_USER" "${envs[@]}" "/usr/local/bin/$name" \
    "--listen=127.0.0.1:${PORT[$name]}" --migrations=wait --drain_timeout=2s "${db_flags[@]}") \
    >"$WORK/log/$name.log" 2>&1 &
  PIDS+=($!)
done
HTTP_PORT=$(free_port)
(in_image "${ROOTS[gateway]}" "$APP_USER" "${envs[@]}" /usr/local/bin/gateway \
  "--listen=127.0.0.1:$HTTP_PORT" "--backends=$backends" --auth_mode=development \
  "--dev_jwt_secret=$DEV_SECRET" --readiness_interval=200ms --drain_timeout=2s) >"$WORK/log/gateway.log" 2>&1 &
PIDS+=($!)
GW="http://127.0.0.1:$HTTP_PORT"

logs() {
  local f
  for f in "$WORK"/log/*.log; do echo "--- $(basename "$f")"; tail -15 "$f"; done
}
ready=""
for _ in $(seq 1 300); do
  ready=$(curl -sS "$GW/readyz" 2>/dev/null || true)
  grep -q '"backends_not_serving":\[\]' <<<"$ready" && break
  for pid in "${PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || fail "a process exited inside its image:"$'\n'"$(logs)"
  done
  sleep 0.2
done
grep -q '"backends_not_serving":\[\]' <<<"$ready" ||
  fail "the gateway did not report every backend serving within 60 s: $ready"$'\n'"$(logs)"
[ "$(curl -sS -o /dev/null -w '%{http_code}' "$GW/healthz")" = 200 ] || fail "GET /healthz is not 200"
note "/readyz: all ${#services[@]} services SERVING (gRPC health) behind the gateway, each in its image"

# request METHOD PATH [BODY]: the body of a 200 answer, else fails the test.
request() {
  local out code body=()
  [ $# -ge 3 ] && body=(--data-binary "$3")
  out=$(curl -sS -X "$1" "$GW$2" -H 'Content-Type: application/json' "${body[@]}" -w '\n%{http_code}') ||
    fail "$1 $2: curl failed"
  code=${out##*$'\n'}
  [ "$code" = 200 ] || fail "$1 $2: HTTP $code: ${out%$'\n'*}"$'\n'"$(logs)"
  printf '%s' "${out%$'\n'*}"
}
json_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" | head -n 1; }

now=$(date -u +%s)
at() { date -u -d "@$((now + $1 * 86400))" +%Y-%m-%dT%H:%M:%SZ; }
order=116-7000001
chinese="我还没有收到包裹，请帮我查一下"
request PUT "/v1/stores/store-1/orders/$order" \
  "{\"marketplace\":\"AMAZON\",\"site\":\"US\",\"buyer\":{\"buyer_id\":\"b-1\"},\"ordered_at\":\"$(at -20)\",\"items\":[{\"sku\":\"LAMP-1\",\"title\":\"Reading Lamp\",\"quantity\":1,\"price\":{\"currency_code\":\"USD\",\"amount_minor\":6000}}]}" >/dev/null
request POST /v1/tickets \
  "{\"store_id\":\"store-1\",\"order\":{\"marketplace\":\"AMAZON\",\"site\":\"US\",\"order_id\":\"$order\"},\"buyer\":{\"buyer_id\":\"b-1\",\"time_zone\":\"America/New_York\"},\"category\":\"LOGISTICS_DELIVERED_NOT_RECEIVED\",\"channel\":\"MARKETPLACE_MESSAGE\",\"subject\":\"Parcel\",\"body\":\"$chinese\"}" >/dev/null
request POST /v1/returns:quote \
  "{\"store_id\":\"store-1\",\"order\":{\"marketplace\":\"AMAZON\",\"site\":\"US\",\"order_id\":\"113-1234567-1234567\"},\"buyer_country\":\"US\",\"buyer_time_zone\":\"Asia/Tokyo\",\"fulfillment\":\"MERCHANT\",\"category\":\"GENERAL\",\"item_price\":{\"currency_code\":\"USD\",\"amount_minor\":6000},\"item_cost\":{\"currency_code\":\"USD\",\"amount_minor\":3500},\"quantity\":1,\"delivered_at\":\"$(at -10)\",\"requested_at\":\"$(at -1)\",\"reason\":\"NO_LONGER_NEEDED\",\"condition\":\"OPENED_UNUSED\",\"weight_grams\":800}" >/dev/null
note "time zones: a ticket for a buyer in America/New_York, a return quoted in Asia/Tokyo"

claim=$(request POST /v1/claims \
  "{\"store_id\":\"store-1\",\"marketplace_claim_id\":\"AZ-IMAGES-1\",\"order\":{\"marketplace\":\"AMAZON\",\"site\":\"US\",\"order_id\":\"$order\"},\"kind\":\"A_TO_Z\",\"reason\":\"NOT_RECEIVED\",\"amount\":{\"currency_code\":\"USD\",\"amount_minor\":6000},\"opened_at\":\"$(at -1)\"}" |
  json_field claim_id)
[ -n "$claim" ] || fail "POST /v1/claims answered no claim_id"
request POST "/v1/claims/$claim:buildPacket" '{}' >/dev/null
curl -sS -o "$WORK/packet.pdf" -w '%{http_code}' "$GW/v1/claims/$claim/packet:export?format=pdf" >"$WORK/pdf.status"
[ "$(cat "$WORK/pdf.status")" = 200 ] || fail "PDF export: HTTP $(cat "$WORK/pdf.status"): $(head -c 300 "$WORK/packet.pdf")"$'\n'"$(logs)"
[ "$(head -c 5 "$WORK/packet.pdf")" = "%PDF-" ] || fail "PDF export is not a PDF"
pdftotext -enc UTF-8 "$WORK/packet.pdf" - | tr -d ' \n\t\f\r' | grep -q "$chinese" ||
  fail "the PDF from the claims image does not read back the Chinese message (fonts missing?)"
note "claims: an evidence packet with a Chinese message rendered to PDF inside its image and read back"
note "passed"
