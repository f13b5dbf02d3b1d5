# syntax=docker/dockerfile:1
# rampart image: Node 24 on Debian (glibc: @datadog/pprof ships glibc prebuilds, not musl ones).
# Build:  podman build -t rampart:0.1.0 .      (or docker build; see scripts/container-smoke.sh)
# Run:    the exec-form ENTRYPOINT needs no shell; configuration is environment only.
ARG NODE_IMAGE=node:24-slim

# --- build: full dependency tree, compile TypeScript, then drop devDependencies ---------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CI=true \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false
# Manifests first: the `npm ci` layer is reused until the lockfile changes.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The embedded database's pre-initialised cluster goes into node_modules/.cache now: at run time
# node_modules belongs to root and the service cannot write it (src/database/pglite.prepare.ts).
RUN npm run build \
 && npm prune --omit=dev \
 && node --liftoff-only dist/database/pglite.prepare.js

# --- runtime: compiled code, production node_modules, package.json; nothing else ------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and not writable by the app user: the code cannot be modified at run time.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Numeric, so Kubernetes' runAsNonRoot can verify it without an /etc/passwd lookup.
USER 10001:10001
# 8080 public API; 8081 kubelet probes (PROBE_PORT); 9090 admin (metrics, debug).
EXPOSE 8080 8081 9090
# Telemetry is preloaded ahead of main so its instrumentations patch modules before they load.
# Node is PID 1 and handles SIGTERM itself (src/lifecycle/shutdown.service.ts).
ENTRYPOINT ["node", "--enable-source-maps", "--import", "./dist/telemetry/telemetry.bootstrap.js", "dist/main.js"]
# The base image's CMD ["node"] would otherwise be appended to the entrypoint's arguments.
CMD []
