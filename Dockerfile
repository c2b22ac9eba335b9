# Legwork image: one image for the venue, the API and the workers (docker-compose picks the command).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-fund --no-audit
COPY . .
ENV NODE_ENV=production
EXPOSE 3000 4100
CMD ["npm", "run", "sim"]
