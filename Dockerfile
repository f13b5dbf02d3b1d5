# syntax=docker/dockerfile:1
# rampart image: Node 24 on Debian (glibc: @datadog/pprof ships glibc prebuilds, not musl ones).
# Build:  podman build --build-arg GIT_COMMIT=$(git rev-parse HEAD) -t rampart:0.1.0 .
#         (or docker build; see scripts/container-smoke.sh). GIT_COMMIT is what GET /version
#         reports and the image's org.opencontainers.image.revision label: the build context
#         has no .git, so without it both say "unknown".
# Run:    the exec-form ENTRYPOINT needs no shell; configuration is environment only.
ARG NODE_IMAGE=node:24-slim

# --- build: full dependency tree, compile TypeScript, then drop devDependencies ---------------
FROM ${NODE_IMAGE} AS build
# Read by scripts/build-info.mjs (run by `npm run build`) into dist/build-info.json.
ARG GIT_COMMIT=""
WORKDIR /app
ENV CI=true \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false
# Manifests first: the `npm ci` layer is reused until the lockfile changes.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build-info.mjs scripts/bundle*.mjs ./scripts/
COPY src ./src
# The embedded database's pre-initialised cluster goes into node_modules/.cache now: at run time
# node_modules belongs to root and the service cannot write it (src/database/pglite.prepare.ts).
RUN npm run build \
 && npm prune --omit=dev \
 && node --liftoff-only dist/database/pglite.prepare.js

# --- runtime: compiled code, production node_modules, package.json; nothing else ------------
FROM ${NODE_IMAGE} AS runtime
ARG GIT_COMMIT=unknown
# Keep equal to package.json's version (test/build/build-info.spec.ts checks it).
ARG VERSION=0.1.0
# The repository URL, e.g. --build-arg SOURCE_URL=$(git remote get-url origin).
ARG SOURCE_URL=""
# OCI image annotations (opencontainers/image-spec annotations.md): registries, scanners and
# `podman inspect` show which commit and version an image holds without running it.
LABEL org.opencontainers.image.title="rampart" \
      org.opencontainers.image.description="NestJS-on-Fastify reference microservice for Kubernetes" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${GIT_COMMIT}" \
      org.opencontainers.image.source="${SOURCE_URL}"
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
# --no-allocation-site-pretenuring: V8 otherwise starts allocating per-request objects straight
# into the old generation under load, where they die and keep young ones alive until a full GC
# (docs/performance.md, "Pretenuring"); not accepted in NODE_OPTIONS, so it is set here.
ENTRYPOINT ["node", "--no-allocation-site-pretenuring", "--import", "./dist/bundle/telemetry.bootstrap.js", "dist/bundle/main.js"]
# The base image's CMD ["node"] would otherwise be appended to the entrypoint's arguments.
CMD []
