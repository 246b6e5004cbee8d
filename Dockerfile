# syntax=docker/dockerfile:1
#
# HubSpot Lead Sync: the HTTP API with its worker (default command), or a scale-out worker
# (`node --import tsx src/worker.ts`, what `npm run worker` runs). Used by docker-compose.yml.
#
# The base must be glibc (Debian): @temporalio/core-bridge ships no musl build, so the worker's native
# bridge fails to load on Alpine.
ARG NODE_IMAGE=node:22-bookworm-slim

# --- dependencies: runtime packages only (tsx is one: the service runs its TypeScript sources) ---------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime -------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    LEADSYNC_DATA_DIR=/data \
    PORT=3000
WORKDIR /app

# Code stays owned by root and read-only to the service; only the data directory is the service's.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY src ./src
RUN mkdir -p /data && chown node:node /data

# The `node` user (uid 1000) comes with the official image.
USER node
VOLUME ["/data"]
EXPOSE 3000

# main.ts drains the worker on SIGTERM within LEADSYNC_SHUTDOWN_GRACE_MS and exits 0. The command is node
# itself, not `npm start`, so no npm or shell stands between the signal and main.ts. Node is not a full
# init: run the container with an init process (`init: true` in compose, `docker run --init`) so signals
# are forwarded and any child process is reaped.
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "src/main.ts"]
