# One image for every app; APP picks which one runs (directory, offers, ...).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci applies these to node_modules (postinstall: patch-package).
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 CONSOLE_WEB_DIR=/app/dist/console-web
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
ARG APP=directory
ENV APP=${APP}
# Development runs keep this installation's random keys here (a volume shared by the apps).
RUN mkdir -p /dev-secrets && chown node:node /dev-secrets
USER node
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD node -e "const p=process.env[process.env.APP.toUpperCase().replace(/-/g,'_')+'_PORT']||process.env.PORT;fetch('http://127.0.0.1:'+p+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["sh", "-c", "exec node --enable-source-maps dist/apps/$APP/apps/$APP/src/main.js"]
