# Sourced by container-smoke.sh: prepares this machine to build and run images without a
# Docker engine (section 0: packages and a private podman configuration) and assembles the
# node:24-slim stand-in from debootstrap (section 1). Uses the caller's ROOT, BASE_IMAGE,
# STATE_DIR and its pass/info/die/now_ms helpers.

ensure_packages() {
  local missing=()
  for tool in buildah podman skopeo runc catatonit debootstrap curl; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  # catatonit lives in /usr/libexec/podman on Debian, not on PATH.
  if [[ " ${missing[*]} " == *" catatonit "* ]] && dpkg -s catatonit >/dev/null 2>&1; then
    missing=("${missing[@]/catatonit/}")
  fi
  local want=()
  for m in "${missing[@]}"; do [[ -n "$m" ]] && want+=("$m"); done
  if ((${#want[@]})); then
    info "installing ${want[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      buildah podman skopeo runc catatonit debootstrap curl uidmap containernetworking-plugins \
      >/dev/null
  fi
}

# Private containers.conf/storage.conf: the machine's global files stay untouched.
#   runc: crun fails on these hosts (hybrid cgroups). ulimits: no CAP_SYS_RESOURCE to raise them
#   past this shell's hard limit, so open files get exactly that (capped at 65,536): at 1,024,
#   `npm ci` in the image build failed on EMFILE reading its cache (823 packages, one CI run).
configure_containers() {
  mkdir -p "$STATE_DIR"
  local nofile
  nofile="$(ulimit -Hn)"
  [[ "$nofile" == unlimited || "$nofile" -gt 65536 ]] && nofile=65536
  cat >"$STATE_DIR/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=4096:4096"]
netns = "host"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
  cat >"$STATE_DIR/storage.conf" <<'EOF'
[storage]
driver = "overlay"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"
EOF
  export CONTAINERS_CONF="$STATE_DIR/containers.conf"
  export CONTAINERS_STORAGE_CONF="$STATE_DIR/storage.conf"
  export BUILDAH_ISOLATION=oci
}

# --- 1. the node:24-slim stand-in ------------------------------------------------------------
# The Debian mirror is read from the machine's own apt sources, so no host name lives here.
debian_mirror() {
  local uri
  uri="$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' |
    grep -v -- '-security' | head -n1 || true)"
  if [[ -z "$uri" ]]; then
    uri="$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' |
      grep -v -- '-security' | head -n1 || true)"
  fi
  [[ -n "$uri" ]] || die "no Debian mirror found in /etc/apt/sources*"
  printf '%s' "$uri"
}

node24_binary() {
  local candidate
  for candidate in "$(command -v node || true)" "$ROOT/node_modules/node/bin/node"; do
    [[ -x "$candidate" ]] || continue
    candidate="$(readlink -f "$candidate")"
    if [[ "$("$candidate" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" == 24 ]]; then
      printf '%s' "$candidate"
      return
    fi
  done
  die "no Node 24 binary: run 'npm ci' first (the devDependency 'node' ships it)"
}

build_base_image() {
  if [[ -z "${REBUILD_BASE:-}" ]] && podman image exists "$BASE_IMAGE"; then
    pass "base image $BASE_IMAGE present (cached)"
    return
  fi
  local t0 rootfs node npm_dir mirror
  t0=$(now_ms)
  node="$(node24_binary)"
  npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  [[ -f "$npm_dir/package.json" ]] || die "cannot locate npm's package directory"
  mirror="$(debian_mirror)"
  rootfs="$(mktemp -d /var/tmp/node24-slim-rootfs.XXXXXX)"
  info "debootstrap bookworm (minbase) into $rootfs"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" "$mirror" \
    >"$STATE_DIR/debootstrap.log" 2>&1 || die "debootstrap failed: see $STATE_DIR/debootstrap.log"
  # Match the official image's layout: node and npm under /usr/local.
  install -m 0755 "$node" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  # Stand-in only: trust this machine's CA bundle so `npm ci` works behind its TLS proxy.
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/host-ca-bundle.crt"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=$("$node" -p process.versions.node)" \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/host-ca-bundle.crt' \
    --change 'LABEL org.opencontainers.image.description=rampart-local-stand-in-for-node-24-slim' \
    --change 'CMD ["node"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
  pass "base image $BASE_IMAGE built from debootstrap + $("$node" -v) in $((($(now_ms) - t0) / 1000)) s"
}
