# syntax=docker/dockerfile:1
# Pipedrive → Brevo Sync: the dashboard (node) and the release binaries (rust) built in their
# own stages, then a small Debian runtime that runs as a non-root user and keeps the SQLite
# database (and the generated admin-password and session-key beside it) in the /data volume.
#
#   docker build -t pipedrive-brevo-sync .
#   docker run -p 127.0.0.1:8080:8080 -v pbs-data:/data \
#       -e PIPEDRIVE_API_TOKEN=… -e BREVO_API_KEY=… pipedrive-brevo-sync
#
# The image also holds `upstream-sandbox` (docker-compose.yml's `sandbox` profile).

ARG NODE_VERSION=22
ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=trixie

FROM node:${NODE_VERSION}-${DEBIAN_RELEASE}-slim AS dashboard
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS binaries
WORKDIR /src
# Queries are checked against the committed .sqlx/ data (also set in .cargo/config.toml).
ENV SQLX_OFFLINE=true
COPY Cargo.toml Cargo.lock ./
COPY .cargo/ .cargo/
COPY .sqlx/ .sqlx/
COPY migrations/ migrations/
COPY backend/ backend/
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin pipedrive-brevo-sync --bin upstream-sandbox \
    && mkdir -p /out \
    && cp target/release/pipedrive-brevo-sync target/release/upstream-sandbox /out/

FROM debian:${DEBIAN_RELEASE}-slim
# reqwest uses rustls with bundled roots: no ca-certificates, no apt-get at all.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app \
    && mkdir -p /data \
    && chown app:app /data
COPY --from=binaries /out/pipedrive-brevo-sync /out/upstream-sandbox /usr/local/bin/
COPY --from=dashboard /src/frontend/dist /app/dist
WORKDIR /app
ENV DATABASE_URL=sqlite:/data/app.db \
    BIND_ADDR=0.0.0.0:8080 \
    STATIC_DIR=/app/dist \
    LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
USER 10001:10001
# No curl in the image: bash's /dev/tcp sends the request, grep checks the answer.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${BIND_ADDR##*:} && printf 'GET /api/health HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && grep -q '\"status\":\"ok\"' <&3"]
# SIGTERM lets requests finish and records running jobs as cancelled (up to 30 s + 10 s).
STOPSIGNAL SIGTERM
CMD ["pipedrive-brevo-sync"]
