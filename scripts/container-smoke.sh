#!/usr/bin/env bash
# Container smoke test: build the rampart image without a Docker engine and prove that it
#   1. starts and answers /startupz, /healthz and /readyz with 200,
#   2. runs as the numeric non-root user 10001 on a read-only root filesystem,
#   3. drains and exits 0 on SIGTERM (`podman stop`) well inside the stop timeout,
#   4. (optional, KUBE_PLAY=1) runs the rendered dev Deployment with `podman kube play`.
#
# Run with `npm run test:container` as root (CI machines are root). Nothing here needs a
# registry for images: the base image is a local stand-in for node:24-slim assembled with
# debootstrap (see ../shared/TOOLING.md), cached in podman's storage after the first run.
#
# Knobs (environment):
#   IMAGE=localhost/rampart:0.1.0   image tag to build and run (kustomize pins rampart:0.1.0)
#   SMOKE_PORT=18080 SMOKE_ADMIN_PORT=19090   host ports (the container uses host networking)
#   STOP_TIMEOUT_S=10               `podman stop -t`; the app must exit 0 before SIGKILL
#   STARTUP_BUDGET_S=60             give up waiting for the first 200 after this long
#   DRAIN_LOG_PATTERN=...           case-insensitive regex the shutdown logs must contain
#   REBUILD_BASE=1                  rebuild the node:24-slim stand-in even if cached
#   KEEP=1                          leave the container and image behind for inspection
#   KUBE_PLAY=1                     also run `podman kube play` on the rendered dev Deployment
set -Eeuo pipefail
# debootstrap and some podman helpers live in sbin, which a non-login root shell may not list.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

readonly ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly IMAGE="${IMAGE:-localhost/rampart:0.1.0}"
readonly BASE_IMAGE="docker.io/library/node:24-slim"
readonly SMOKE_PORT="${SMOKE_PORT:-18080}"
readonly SMOKE_ADMIN_PORT="${SMOKE_ADMIN_PORT:-19090}"
readonly SMOKE_PROBE_PORT="${SMOKE_PROBE_PORT:-18081}"
readonly STOP_TIMEOUT_S="${STOP_TIMEOUT_S:-10}"
readonly STARTUP_BUDGET_S="${STARTUP_BUDGET_S:-60}"
readonly DRAIN_LOG_PATTERN="${DRAIN_LOG_PATTERN:-shutdown: step 3|drain}"
readonly EXPECTED_UID=10001
readonly STATE_DIR="${RAMPART_SMOKE_STATE:-/var/lib/rampart-container-smoke}"
readonly CONTAINER="rampart-smoke-$$"

PASSES=0
FAILS=0
pass() { PASSES=$((PASSES + 1)); printf 'PASS %s\n' "$*"; }
fail() { FAILS=$((FAILS + 1)); printf 'FAIL %s\n' "$*"; }
info() { printf -- '---- %s\n' "$*"; }
die() { printf 'FAIL %s\n' "$*"; printf '0 passed, 1 failed\n'; exit 1; }
now_ms() { date +%s%3N; }

# --- 0. prerequisites ------------------------------------------------------------------------
[[ "$(id -u)" == 0 ]] || die "must run as root (podman with overlay storage and the runc runtime)"

# ensure_packages, configure_containers (0) and build_base_image (1) live beside this file.
# shellcheck source=scripts/container-host.sh
source "$ROOT/scripts/container-host.sh"

# --- 2. the rampart image --------------------------------------------------------------------
build_app_image() {
  [[ -f "$ROOT/src/main.ts" ]] || die "src/main.ts does not exist yet: nothing to build"
  local t0 log="$STATE_DIR/build.log"
  t0=$(now_ms)
  info "podman build -t $IMAGE (log: $log)"
  if podman build --network host --pull=never --layers -t "$IMAGE" -f "$ROOT/Dockerfile" \
    --build-arg GIT_COMMIT="$(git -C "$ROOT" rev-parse HEAD 2>/dev/null)" "$ROOT" \
    >"$log" 2>&1; then
    local size
    size="$(podman image inspect "$IMAGE" --format '{{.Size}}')"
    pass "image $IMAGE built in $((($(now_ms) - t0) / 1000)) s, size $((size / 1024 / 1024)) MiB"
  else
    tail -n 40 "$log"
    die "podman build failed (full log: $log)"
  fi
  local user entrypoint
  user="$(podman image inspect "$IMAGE" --format '{{.Config.User}}')"
  [[ "${user%%:*}" == "$EXPECTED_UID" ]] && pass "image USER is numeric $user" ||
    fail "image USER is '$user', want $EXPECTED_UID"
  entrypoint="$(podman image inspect "$IMAGE" --format '{{json .Config.Entrypoint}}')"
  [[ "$entrypoint" == *'"node"'*'dist/bundle/telemetry.bootstrap.js'*'dist/bundle/main.js"'* ]] &&
    pass "exec-form entrypoint $entrypoint" || fail "unexpected entrypoint $entrypoint"
}

# --- 3. run it the way the Deployment's securityContext does -------------------------------
http_code() { curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" || true; }

cleanup() {
  if [[ -z "${KEEP:-}" ]]; then
    podman rm -f "$CONTAINER" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

run_container() {
  local t0 t_first=0 code
  for port in "$SMOKE_PORT" "$SMOKE_ADMIN_PORT" "$SMOKE_PROBE_PORT"; do
    if curl -s -o /dev/null -m 1 "http://127.0.0.1:$port/"; then
      die "port $port is already in use on this machine (set SMOKE_PORT/SMOKE_ADMIN_PORT/SMOKE_PROBE_PORT)"
    fi
  done
  t0=$(now_ms)
  # Mirrors k8s/base/deployment.yaml: read-only root, /tmp the only writable path, no
  # capabilities, no privilege escalation. OTLP export is switched off (no collector here).
  podman run -d --name "$CONTAINER" --network host --pull=never \
    --read-only --read-only-tmpfs=false --tmpfs /tmp:rw,nosuid,nodev,size=256m \
    --cap-drop ALL --security-opt no-new-privileges \
    -e PORT="$SMOKE_PORT" -e ADMIN_PORT="$SMOKE_ADMIN_PORT" -e PROBE_PORT="$SMOKE_PROBE_PORT" \
    -e HOST=127.0.0.1 -e ADMIN_HOST=127.0.0.1 \
    -e DATA_DIR=/tmp/data -e OTEL_SDK_DISABLED=true -e LOG_LEVEL=info \
    "$IMAGE" >/dev/null || die "podman run failed"

  while (($(now_ms) - t0 < STARTUP_BUDGET_S * 1000)); do
    code="$(http_code "http://127.0.0.1:$SMOKE_PORT/healthz")"
    if [[ "$code" == 200 ]]; then t_first=$(($(now_ms) - t0)); break; fi
    if [[ "$(podman inspect "$CONTAINER" --format '{{.State.Running}}')" != true ]]; then
      podman logs "$CONTAINER" 2>&1 | tail -n 40
      die "container exited during start-up"
    fi
    sleep 0.1
  done
  ((t_first > 0)) || { podman logs "$CONTAINER" 2>&1 | tail -n 40; die "no 200 from /healthz within ${STARTUP_BUDGET_S}s"; }
  pass "first 200 from /healthz ${t_first} ms after podman run"

  local path deadline
  for path in /startupz /healthz /readyz; do
    # /readyz may wait on the database pool (PGlite in DATA_DIR here): allow it 30 s.
    deadline=$(($(now_ms) + 30000))
    code=""
    while (($(now_ms) < deadline)); do
      code="$(http_code "http://127.0.0.1:$SMOKE_PORT$path")"
      [[ "$code" == 200 ]] && break
      sleep 0.2
    done
    [[ "$code" == 200 ]] && pass "GET $path -> 200" || fail "GET $path -> $code"
  done
  code="$(http_code "http://127.0.0.1:$SMOKE_ADMIN_PORT/metrics")"
  [[ "$code" == 200 ]] && pass "GET admin :$SMOKE_ADMIN_PORT/metrics -> 200" || fail "GET admin /metrics -> $code"

  local pid uid
  pid="$(podman inspect "$CONTAINER" --format '{{.State.Pid}}')"
  uid="$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")"
  [[ "$uid" == "$EXPECTED_UID" ]] && pass "process $pid runs as uid $uid" ||
    fail "process runs as uid $uid, want $EXPECTED_UID"
  [[ "$(awk '/^CapEff:/ {print $2}' "/proc/$pid/status")" == 0000000000000000 ]] &&
    pass "no effective capabilities" || fail "process has capabilities"

  local t_stop stop_ms exit_code
  t_stop=$(now_ms)
  podman stop -t "$STOP_TIMEOUT_S" "$CONTAINER" >/dev/null
  stop_ms=$(($(now_ms) - t_stop))
  exit_code="$(podman inspect "$CONTAINER" --format '{{.State.ExitCode}}')"
  [[ "$exit_code" == 0 ]] && pass "podman stop -t $STOP_TIMEOUT_S: exit code 0 after ${stop_ms} ms" ||
    fail "podman stop -t $STOP_TIMEOUT_S: exit code $exit_code after ${stop_ms} ms (137 = SIGKILL at the timeout)"
  ((stop_ms < STOP_TIMEOUT_S * 1000)) && pass "stopped before the SIGKILL deadline" ||
    fail "took ${stop_ms} ms: the stop timeout was reached"
  # conmon may still be writing the last lines when `podman stop` returns: give it 3 s. The logs
  # are read whole into a variable: `podman logs | grep -q` under pipefail fails whenever grep
  # exits at its match before podman has written the lines after it (SIGPIPE, status 141).
  local tries=0 logs
  logs="$(podman logs "$CONTAINER" 2>&1)"
  until grep -qiE "$DRAIN_LOG_PATTERN" <<<"$logs" || ((++tries > 15)); do
    sleep 0.2
    logs="$(podman logs "$CONTAINER" 2>&1)"
  done
  if grep -qiE "$DRAIN_LOG_PATTERN" <<<"$logs"; then
    pass "shutdown logs show a drain: $(grep -iE "$DRAIN_LOG_PATTERN" <<<"$logs" | head -n1 | cut -c1-160)"
  else
    tail -n 20 <<<"$logs"
    fail "no /$DRAIN_LOG_PATTERN/i line in the logs"
  fi
}

# --- 4. optional: podman kube play on the rendered dev Deployment --------------------------
kube_play() {
  command -v kubectl >/dev/null || { info "kubectl missing: kube play skipped"; return; }
  local manifest="$STATE_DIR/kube-play.yaml"
  # Backend Deployment + its ConfigMap only; host networking, so container ports are dropped.
  (cd "$ROOT" && node scripts/kube-play-manifest.mjs k8s/overlays/dev rampart-backend "$IMAGE" \
    "$SMOKE_PORT" "$SMOKE_ADMIN_PORT" "$SMOKE_PROBE_PORT") >"$manifest" || { fail "could not prepare $manifest"; return; }
  podman kube down "$manifest" >/dev/null 2>&1 || true
  if ! podman kube play --network host "$manifest" >"$STATE_DIR/kube-play.log" 2>&1; then
    cat "$STATE_DIR/kube-play.log"
    fail "podman kube play"
    return
  fi
  local t0 code=""
  t0=$(now_ms)
  while (($(now_ms) - t0 < STARTUP_BUDGET_S * 1000)); do
    code="$(http_code "http://127.0.0.1:$SMOKE_PORT/readyz")"
    [[ "$code" == 200 ]] && break
    sleep 0.2
  done
  if [[ "$code" == 200 ]]; then
    pass "kube play: dev Deployment answers /readyz 200 after $(($(now_ms) - t0)) ms"
  else
    fail "kube play: /readyz -> $code"
    podman ps -a --format '{{.Names}}' | grep -v infra | head -n1 | xargs -r podman logs 2>&1 | tail -n 20
  fi
  local ctr uid
  ctr="$(podman ps --filter label=io.kubernetes.container.name=rampart --format '{{.ID}}' | head -n1 || true)"
  [[ -z "$ctr" ]] && ctr="$(podman ps --format '{{.ID}} {{.Image}}' | awk -v img="$IMAGE" '$2 == img {print $1; exit}')"
  if [[ -n "$ctr" ]]; then
    uid="$(awk '/^Uid:/ {print $2}' "/proc/$(podman inspect "$ctr" --format '{{.State.Pid}}')/status")"
    [[ "$uid" == "$EXPECTED_UID" ]] && pass "kube play: runAsUser applied (uid $uid)" ||
      fail "kube play: uid $uid"
  fi
  podman kube down "$manifest" >/dev/null 2>&1 || true
}

main() {
  local t0
  t0=$(now_ms)
  ensure_packages
  configure_containers
  build_base_image
  if [[ "${1:-}" == "--base-only" ]]; then
    printf '%d passed, %d failed\n' "$PASSES" "$FAILS"
    return
  fi
  build_app_image
  run_container
  if [[ -n "${KUBE_PLAY:-}" ]]; then kube_play; fi
  info "total $((($(now_ms) - t0) / 1000)) s"
  printf '%d passed, %d failed\n' "$PASSES" "$FAILS"
  ((FAILS == 0))
}

main "$@"
