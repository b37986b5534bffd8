#!/usr/bin/env bash
# Builds the container images, one per service and the gateway, from the binaries of a build
# folder (`tools/dev images` runs it; so does tests/images/images_test.sh):
#
#   images/build.sh BUILD_DIR [NAME...]        every service and the gateway when no NAME
#
# No registry is reachable where the images are built, so there is no base image: each image is
# `FROM scratch` (images/<name>.Containerfile) over a root staged here from the build machine's
# own Debian 12 files: the binary (debug info stripped, symbols kept for stack traces), every
# shared library `ldd` lists and the dynamic loader, the MariaDB client's authentication plugins
# (dlopen'ed: MySQL 8's caching_sha2_password), CA certificates, the time-zone database, the
# user 65532 in /etc/passwd, and for a binary that links fontconfig (claims: PDF export) the
# fontconfig configuration, the fonts packet_export.cc asks for and their cache. No shell, no
# package manager. The Debian packages those files come from are recorded the way distroless
# images record them (/var/lib/dpkg/status.d/<package>, with each package's copyright file), so
# image scanners still see their versions.
#
# Tags: <repository>/<name>:<version> and :<version>-<commit>, where the version is the tag
# the k8s overlays deploy (k8s/overlays/*/kustomization.yaml, `images:`) and the commit is
# `git rev-parse --short HEAD`, with "-dirty" when tracked files differ from it.
#
# Environment:
#   AFTERSALES_IMAGE_REPOSITORY  the repository prefix (aftersales)
#   AFTERSALES_BUILDAH_ARGS      buildah's global options (--storage-driver vfs)
#   AFTERSALES_IMAGE_VERSION     the version, instead of the overlays' tag
# Prints one line per image: its name, tags and size.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPOSITORY="${AFTERSALES_IMAGE_REPOSITORY:-aftersales}"
read -r -a BUILDAH_ARGS <<<"${AFTERSALES_BUILDAH_ARGS:---storage-driver vfs}"
# The user every pod runs as (k8s/base/pod-security.yaml).
readonly APP_UID=65532

die() { printf '[images] error: %s\n' "$*" >&2; exit 1; }
buildah_() { buildah "${BUILDAH_ARGS[@]}" "$@"; }

[ $# -ge 1 ] || die "usage: images/build.sh BUILD_DIR [NAME...]"
BUILD="$(cd "$1" && pwd)"
shift
grep -q '^AFTERSALES_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null &&
  die "$BUILD is a sanitized build: its binaries need the sanitizer runtime and run 2-3x slower; build the images from the plain build"
command -v buildah >/dev/null || die "buildah is not installed (apt-get install buildah)"

binary_of() {
  if [ "$1" = gateway ]; then echo "$BUILD/gateway/gateway"; else echo "$BUILD/services/$1/$1"; fi
}

all_names() {
  local d
  for d in "$ROOT"/services/*/; do basename "$d"; done
  echo gateway
}

# The tag the overlays deploy aftersales/<name> with; they must agree.
image_version() {
  if [ -n "${AFTERSALES_IMAGE_VERSION:-}" ]; then echo "$AFTERSALES_IMAGE_VERSION"; return; fi
  local tags
  tags=$(sed -n "s|.*name: *aftersales/$1 *, *newTag: *\"\{0,1\}\([^\"}]*\)\"\{0,1\} *}.*|\1|p" \
    "$ROOT"/k8s/overlays/*/kustomization.yaml | sort -u)
  [ -n "$tags" ] || die "no overlay in k8s/overlays names a tag for aftersales/$1"
  [ "$(wc -l <<<"$tags")" -eq 1 ] ||
    die "the overlays name different tags for aftersales/$1 ($(tr '\n' ' ' <<<"$tags")); set AFTERSALES_IMAGE_VERSION"
  echo "$tags"
}

source_commit() {
  local commit
  commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null) || { echo unknown; return; }
  git -C "$ROOT" diff --quiet HEAD -- 2>/dev/null || commit="$commit-dirty"
  echo "$commit"
}

# The shared libraries an ELF file needs (ldd: the whole closure), and the loader.
needed_libraries() {
  local out
  out=$(ldd "$1") || die "ldd $1 failed"
  grep -q 'not found' <<<"$out" && die "$1: a library is missing on this machine:"$'\n'"$out"
  awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$out"
}

# Copies files to the same paths under the root, symlinks resolved (the root holds each file
# under the name its users look it up by). /lib and /lib64 are links into /usr there, as on
# Debian 12, so a library lands in /usr/lib whichever way ldd names it.
copy_into() {
  local root=$1 f
  shift
  for f in "$@"; do
    mkdir -p "$root$(dirname "$f")"
    cp -L --preserve=mode,timestamps "$f" "$root$f"
  done
}

# The Debian packages that installed these files, as dpkg names them. One query (each reads
# dpkg's whole file list): a file under each name dpkg may know it by (merged /usr: /lib or
# /usr/lib; a library's link or its real file).
owning_packages() {
  local f real
  for f in "$@"; do
    real=$(readlink -f "$f")
    printf '%s\n' "$f" "$real" "${f/#\/usr\/lib\//\/lib\/}" "${real/#\/usr\/lib\//\/lib\/}"
  done | sort -u | xargs -d '\n' dpkg-query -S 2>/dev/null |
    sed 's/: .*//; s/, /\n/g' | sed 's/:.*//' | sort -u
}

# Stages the root of one image under $2 (emptied first) for the binary $1.
stage_root() {
  local binary=$1 root=$2 name
  name=$(basename "$binary")
  rm -rf "$root"
  mkdir -p "$root"/{usr/local/bin,usr/lib,usr/lib64,etc/ssl/certs,usr/share/doc,var/lib/dpkg/status.d,proc,dev}
  install -d -m 1777 "$root/tmp"
  ln -s usr/lib "$root/lib"
  ln -s usr/lib64 "$root/lib64"
  # From here on the copy is what the image holds and what ldd reads: a build relinking the
  # binary meanwhile cannot leave the image with another binary's libraries.
  local staged="$root/usr/local/bin/$name"
  objcopy --strip-debug "$binary" "$staged" || die "objcopy $binary failed"
  chmod 0755 "$staged"

  local -a elves=("$staged") files=()
  # Loaded with dlopen, so invisible to ldd: the MariaDB client's authentication plugins.
  if ldd "$staged" | grep -q 'libmariadb\.so'; then
    local plugins
    plugins=$(dirname "$(ldd "$staged" | awk '/libmariadb\.so/ { print $3 }')")/libmariadb3/plugin
    [ -d "$plugins" ] || die "$plugins is missing"
    elves+=("$plugins"/*.so)
    files+=("$plugins"/*.so)
  fi
  local f
  for f in "${elves[@]}"; do needed_libraries "$f"; done | sort -u >"$root.libs"
  mapfile -t -O "${#files[@]}" files <"$root.libs"
  rm -f "$root.libs"

  # Fonts for a binary that draws text (claims' PDF export through Pango and fontconfig): the
  # faces services/claims/packet_export.cc names (kFontFamilies), regular and bold, as this
  # machine's fontconfig resolves them; "Noto Sans" falls back to DejaVu Sans unless
  # fonts-noto-core is installed.
  if ldd "$staged" | grep -q 'libfontconfig\.so'; then
    local family
    for family in "Noto Sans" "Noto Sans:bold" "Noto Sans CJK SC" "Noto Sans CJK SC:bold"; do
      fc-match -f '%{file}\n' "$family"
    done | sort -u >"$root.fonts"
    mapfile -t -O "${#files[@]}" files <"$root.fonts"
    rm -f "$root.fonts"
    files+=(/etc/fonts/fonts.conf /etc/fonts/conf.d/*.conf)
  fi

  files+=(/etc/ssl/certs/ca-certificates.crt)
  copy_into "$root" "${files[@]}"
  cp -a /usr/share/zoneinfo "$root/usr/share/"
  # OpenSSL's default paths (libmariadb's TLS without --ssl-ca), as Debian links them.
  mkdir -p "$root/usr/lib/ssl"
  ln -s /etc/ssl/certs/ca-certificates.crt "$root/usr/lib/ssl/cert.pem"
  ln -s /etc/ssl/certs "$root/usr/lib/ssl/certs"
  if [ -f "$root/etc/fonts/fonts.conf" ]; then
    # The cache a read-only root cannot write at run time; without it every process scans the
    # font files again. Fontconfig trusts a cache only while its folder's mtime matches to the
    # nanosecond, and an image layer keeps whole seconds: the folders get whole seconds first.
    find "$root/usr/share/fonts" -type d -exec touch -d "@$(date +%s)" {} +
    fc-cache --sysroot="$root" --system-only --force >/dev/null 2>&1 || die "fc-cache failed for $name"
  fi
  # ld.so finds the libraries without it, but faster with it.
  ldconfig -r "$root" 2>/dev/null || true
  rm -rf "$root/var/cache/ldconfig"

  cat >"$root/etc/passwd" <<EOF
root:x:0:0:root:/root:/usr/sbin/nologin
nonroot:x:$APP_UID:$APP_UID:nonroot:/nonexistent:/usr/sbin/nologin
EOF
  cat >"$root/etc/group" <<EOF
root:x:0:
nonroot:x:$APP_UID:
EOF
  # glibc resolves names from files and DNS itself (no NSS modules to load); gRPC asks c-ares.
  cat >"$root/etc/nsswitch.conf" <<'EOF'
passwd: files
group: files
hosts: files dns
EOF

  local -a packages
  mapfile -t packages < <(owning_packages "${files[@]}" /usr/share/zoneinfo/UTC /usr/sbin/update-ca-certificates)
  [ ${#packages[@]} -gt 0 ] || die "found no Debian package for the files of $name"
  local p
  dpkg-query -s "${packages[@]}" |
    awk -v dir="$root/var/lib/dpkg/status.d" 'BEGIN { RS = ""; ORS = "\n\n" }
      { match($0, /Package: [^\n]+/); f = dir "/" substr($0, RSTART + 9, RLENGTH - 9); print > f; close(f) }'
  for p in "${packages[@]}"; do
    if [ -f "/usr/share/doc/$p/copyright" ]; then
      mkdir -p "$root/usr/share/doc/$p"
      cp -L "/usr/share/doc/$p/copyright" "$root/usr/share/doc/$p/"
    fi
  done
}

names=("$@")
[ ${#names[@]} -gt 0 ] || mapfile -t names < <(all_names)
commit=$(source_commit)
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# Staged roots live only while their image is built; two builds never share one.
STAGING=$(mktemp -d "$BUILD/images.XXXXXX")
trap 'rm -rf "$STAGING"' EXIT
for name in "${names[@]}"; do
  containerfile="$ROOT/images/$name.Containerfile"
  binary=$(binary_of "$name")
  [ -f "$containerfile" ] || die "no $containerfile: every service needs one (copy another's)"
  [ -x "$binary" ] || die "no binary $binary: build first (tools/dev build)"
  version=$(image_version "$name")
  context="$STAGING/$name"
  stage_root "$binary" "$context/rootfs"
  image="$REPOSITORY/$name"
  previous=$(buildah_ images --quiet --noheading "$image:$version" 2>/dev/null | head -n 1 || true)
  meta=(org.opencontainers.image.title="aftersales-$name"
        org.opencontainers.image.version="$version"
        org.opencontainers.image.revision="$commit"
        org.opencontainers.image.created="$created"
        org.opencontainers.image.description="Aftersales $name, FROM scratch: binary, its libraries, CA certificates, time zones")
  args=()
  for m in "${meta[@]}"; do args+=(--label "$m" --annotation "$m"); done
  # One layer: nothing to cache between builds, and vfs copies every layer it commits.
  buildah_ bud --quiet --layers=false --format oci "${args[@]}" \
    -t "$image:$version" -t "$image:$version-$commit" -f "$containerfile" "$context" >/dev/null ||
    die "buildah bud failed for $name"
  rm -rf "$context"
  # The image this one replaces, when no other tag holds it (same commit, rebuilt): no
  # nameless images pile up in the storage build after build.
  current=$(buildah_ images --quiet --noheading "$image:$version" | head -n 1)
  if [ -n "$previous" ] && [ "$previous" != "$current" ] &&
    buildah_ images --quiet --noheading --filter dangling=true | grep -qx "$previous"; then
    buildah_ rmi "$previous" >/dev/null
  fi
  echo "$name $image:$version $image:$version-$commit $(buildah_ images --format '{{.Size}}' "$image:$version" | head -n 1)"
done
