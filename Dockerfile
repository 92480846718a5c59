# syntax=docker/dockerfile:1
# dynflow GitHub App. Build: docker build -t dynflow .
# Run:   docker run --env-file .env -p 3000:3000 -v dynflow-data:/data dynflow
# See docs/deploy.md.

ARG NODE_IMAGE=node:24-slim

# --- build: compile TypeScript to dist/ ---------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Toolchain for native modules that have no prebuilt binary for this platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# The install runs package.json's postinstall (scripts/check-native-build.mjs).
COPY scripts ./scripts
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- production dependencies only ---------------------------------------------
FROM build AS deps
RUN npm ci --omit=dev && npm cache clean --force

# --- runtime ------------------------------------------------------------------
FROM ${NODE_IMAGE}
# git: workspaces, merges and pushes use the git CLI. tini: signals reach node and zombies are reaped.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DYNFLOW_DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# app.yml is the App manifest; package.json gives Probot the app's name and version.
COPY package.json app.yml ./
# Read at run time, relative to dist/: the bundled workflows (audit, migrate, review) and the
# plan API reference the planner is shown. test/deploy/image-layout.test.ts runs a bundled
# workflow from exactly these files.
COPY workflows ./workflows
COPY docs/plan-api.md ./docs/plan-api.md
RUN mkdir -p /data && chown node:node /data
# The image's unprivileged user.
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/server.js"]
