# Legwork image: one image for Legwork's processes and the local venue (docker-compose.yml picks each command).
FROM node:20-bookworm-slim
WORKDIR /app
# The install's postinstall (patch-package) patches postgres.js: patches/ must be in the image before npm ci.
# Production dependencies only: tests, benchmarks, pino-pretty and the type checker stay out.
COPY package.json package-lock.json ./
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
# LEGWORK_VENUE_URL). docker-compose.yml runs one role per service and the venue as its own service (`npm run sim`).
CMD ["node", "bin/legwork.mjs", "start"]
