# Parcours API: production image. The runtime needs DATABASE_URL (a PostgreSQL 15+) and the JWT
# secrets; the embedded PostgreSQL of `npm start` is not in this image. See docs/operations.md.
#
#   docker build -t parcours .
#   docker run -p 3000:3000 -e DATABASE_URL=… -e JWT_ACCESS_SECRET=… -e JWT_REFRESH_SECRET=… parcours
#   docker run --rm -e DATABASE_URL=… -e JWT_ACCESS_SECRET=… -e JWT_REFRESH_SECRET=… parcours \
#     node dist/src/cli/database.js migration:run

ARG NODE_IMAGE=node:20-bookworm-slim

# The npm release Parcours is developed with. The npm bundled with Node 20 ignores the "allowScripts"
# field of package.json (which dependencies may run install scripts); this release applies it.
FROM ${NODE_IMAGE} AS base
ARG NPM_VERSION=11.19.1
RUN npm install --global --no-audit --no-fund "npm@${NPM_VERSION}" \
 && npm cache clean --force
WORKDIR /app

# Build: every dependency, then the compiled app in dist/ (src, migrations, bench).
FROM base AS build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Production dependencies only. Optional dependencies are left out: they are the embedded
# PostgreSQL binaries (development only) and packages Node 20 on Linux does not load.
FROM base AS deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
# Owned by root and read-only for the app: it writes nothing to disk in production.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# Ready = the database answers (GET /health/ready, 200). Node itself does the request: no curl here.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "require('http').get('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).setTimeout(4000,function(){this.destroy()})"]
# The node flags of `npm start` (package.json; test/platform/deployment.e2e-spec.ts checks they agree):
# a young generation of 32 MiB semi-spaces, see docs/BENCHMARKS.md.
CMD ["node", "--max-semi-space-size=32", "dist/src/main.js"]
