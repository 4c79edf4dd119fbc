# syntax=docker/dockerfile:1
# One image recipe for the three apps: docker build --build-arg APP=webhooks|notifier|broadcaster --target app .
# (--target peers builds the development stand-ins used by docker-compose.yml.)
# npm ci: the lock lists every platform's optional binaries (@swc/core-*, …), so it installs anywhere.
ARG NODE_VERSION=20.20

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
# patches/: fixes to dependencies, applied by the postinstall script (patch-package).
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY nest-cli.json tsconfig.json ./
COPY scripts ./scripts
COPY libs ./libs
COPY apps ./apps
ARG APP=webhooks
RUN npx nest build ${APP} && node scripts/write-entries.mjs ${APP}

FROM node:${NODE_VERSION}-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Development stand-ins (OIDC, GraphQL gateway, LocalizationApi, Twilio sink) for docker compose.
FROM build AS peers
COPY peers ./peers
RUN npx tsc -p peers/tsconfig.build.json
ENV NODE_ENV=development
USER node
CMD ["node", "dist/peers/peers/gateway/main.js"]

FROM node:${NODE_VERSION}-bookworm-slim AS app
ARG APP=webhooks
# Each app probes its internal port: webhooks' INTERNAL_PORT (5001), the notifier's and the broadcaster's
# HEALTH_PORT (8081, 8082).
ARG HEALTHCHECK_URL=http://127.0.0.1:5001/health
ENV NODE_ENV=production HEALTHCHECK_URL=${HEALTHCHECK_URL}
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /src/dist/apps/${APP} ./dist
USER node
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.HEALTHCHECK_URL).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]
