# syntax=docker/dockerfile:1
# The orchestrator's image: one image, three commands (worker, gateway, namespace set-up; see docker-compose.yml).
# Multi-stage: TypeScript is compiled and the workflow bundle prebuilt in `build`; the runtime stage gets the
# compiled code and production dependencies only, and runs as the unprivileged `node` user.

ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no `prepare` build before the sources are here, no Temporal CLI download (not needed in images).
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY workflows ./workflows
COPY activities ./activities
COPY src ./src
RUN npm run build && node dist/src/temporal/bundle-workflows.js dist/workflow-bundle.js

FROM node:${NODE_VERSION}-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js \
    WORK_DIR_BASE=/data/projects \
    PORT=8080
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The work-directory volume is mounted here; a new named volume takes this directory's owner.
RUN mkdir -p /data/projects && chown node:node /data/projects
USER node
EXPOSE 8080
# Health checks are per service in docker-compose.yml: the gateway answers HTTP, the worker refreshes a file.
CMD ["node", "dist/src/gateway/server.js"]
