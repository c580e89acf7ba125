# consultation-hub: a multi-stage build into a small non-root image.
# Build:  docker build -t consultation-hub .
# Run:    docker run -p 8080:8080 -v hub-data:/data consultation-hub
FROM rust:1.95-bookworm AS build
WORKDIR /src
# libpq and SQLite are compiled from source (bundled); OpenSSL headers are needed by libpq.
RUN apt-get update && apt-get install -y --no-install-recommends libssl-dev pkg-config && rm -rf /var/lib/apt/lists/*
COPY Cargo.toml Cargo.lock rustfmt.toml ./
COPY src ./src
COPY migrations ./migrations
COPY seed ./seed
COPY vendor ./vendor
RUN cargo build --release --locked && strip target/release/consultation-hub

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libssl3 curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --create-home hub
COPY --from=build /src/target/release/consultation-hub /usr/local/bin/consultation-hub
USER hub
WORKDIR /data
ENV HUB_BIND=0.0.0.0:8080 \
    HUB_DATABASE_URL=sqlite:///data/consultation-hub.db \
    HUB_LOG_FORMAT=json
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["consultation-hub"]
CMD ["serve"]
