# syntax=docker/dockerfile:1
# Not built on the development machines (no Docker engine there); kept minimal and conventional.
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; no install scripts are needed at runtime.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
# src/simulators and src/dev are left out by .dockerignore: simulators and the embedded-default run (`run`
# with no config: local broker + simulated providers) are for development. The production entrypoint loads
# them only on demand, and the CMD below always passes a config (test/simulators/productionBoundary.test.ts).
COPY src ./src
COPY config ./config
USER node
# The API, and the management listener (scrapeable once it binds 0.0.0.0: MANAGEMENT_HOST, see docker-compose.yml).
EXPOSE 8080 8081
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.MANAGEMENT_PORT||8081)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node 24 runs the TypeScript sources directly (type stripping); there is no build step.
# Heap sizing, for 1,000 accounts in about 300 MB (BENCHMARKS.md, Scale): left to itself, V8 on a machine with
# gigabytes free grows the young generation to 64 MB a semi-space and lets the old one reach several times what
# is live before collecting, so the process held 700-900 MB for about 120 MB live. A young generation of 2 x 8 MB
# and an old one collected once it is 20 % over what was live cost no measurable CPU per poll there.
# (--heap-growing-percent is not accepted in NODE_OPTIONS, hence here.)
ENTRYPOINT ["node", "--max-semi-space-size=8", "--heap-growing-percent=20", "src/main.ts"]
CMD ["run", "--config", "/app/config/connector.yaml"]
