# Legwork images, two targets from one file (docker-compose.yml builds both):
#   venue    the local Tastytrade venue alone (the npm workspace packages/venue, @legwork/venue): paper trading
#   legwork  Legwork itself, the default target: production dependencies of the root package only, the venue left out
# test/unit/docker-compose.test.ts checks this file; test/integration/production-install.test.ts runs each target's
# install and command on this machine (Docker does not run in CI).
FROM node:20-bookworm-slim AS base
WORKDIR /app
# JSON logs (pino), no pretty printing
ENV NODE_ENV=production
# Processes stop gracefully on SIGTERM (docker-compose.yml gives Legwork's 40 s)
STOPSIGNAL SIGTERM

FROM base AS venue
# Only the workspace and its own dependencies (express, ws, tsx, ...): nothing of Legwork's is installed or copied.
COPY package.json package-lock.json ./
COPY packages/venue/package.json ./packages/venue/
RUN npm ci --omit=dev --workspace=@legwork/venue --include-workspace-root=false --ignore-scripts --no-fund --no-audit && npm cache clean --force
COPY --chown=node:node packages/venue ./packages/venue
USER node
EXPOSE 4100
CMD ["node", "--import", "tsx", "packages/venue/src/main.ts"]

FROM base AS legwork
# The install's postinstall (patch-package) patches postgres.js: patches/ must be in the image before npm ci.
# Production dependencies only: tests, benchmarks, pino-pretty and the type checker stay out, and so does the venue
# (--workspaces=false; paper mode then needs a venue at LEGWORK_VENUE_URL, docker-compose's `venue` service).
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --workspaces=false --no-fund --no-audit && npm cache clean --force
COPY --chown=node:node tsconfig.json ./
COPY --chown=node:node bin ./bin
COPY --chown=node:node src ./src
COPY --chown=node:node workers ./workers
COPY --chown=node:node rules ./rules
# The processes run unprivileged
USER node
EXPOSE 3000
# Legwork itself: every role in one process. docker-compose.yml runs one role per service and the venue as its own.
CMD ["node", "bin/legwork.mjs", "start"]
