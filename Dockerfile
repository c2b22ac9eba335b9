# Legwork image: one image for Legwork's processes and the local venue, the npm workspace packages/venue (@legwork/venue);
# docker-compose.yml picks each command.
FROM node:20-bookworm-slim
WORKDIR /app
# The install's postinstall (patch-package) patches postgres.js: patches/ must be in the image before npm ci.
# Production dependencies only: tests, benchmarks, pino-pretty and the type checker stay out.
# The workspace's package.json too: npm ci installs its dependencies and links node_modules/@legwork/venue to it.
COPY package.json package-lock.json ./
COPY packages/venue/package.json ./packages/venue/
COPY patches ./patches
RUN npm ci --omit=dev --no-fund --no-audit && npm cache clean --force
COPY --chown=node:node . .
# JSON logs (pino), no pretty printing; the processes run unprivileged
ENV NODE_ENV=production
USER node
EXPOSE 3000 4100
# Legwork processes stop gracefully on SIGTERM (docker-compose.yml gives them 40 s)
STOPSIGNAL SIGTERM
# Legwork itself: every role in one process (paper mode starts the local venue in-process when none answers at
# LEGWORK_VENUE_URL). docker-compose.yml runs one role per service and the venue as its own service (`npm run venue`).
CMD ["node", "bin/legwork.mjs", "start"]
