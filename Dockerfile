# Legwork image: one image for the venue, the API and the workers (docker-compose.yml picks the command).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-fund --no-audit && npm cache clean --force
COPY --chown=node:node . .
# JSON logs (pino), no pretty printing; the processes run unprivileged
ENV NODE_ENV=production
USER node
EXPOSE 3000 4100
# Legwork processes stop gracefully on SIGTERM (docker-compose.yml gives them 40 s)
STOPSIGNAL SIGTERM
CMD ["npm", "run", "sim"]
