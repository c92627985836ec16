# triaged server image. The build runs scripts/build.sh, the same script CI
# runs, so the image holds the binary CI tested. scripts/container-test.sh
# builds it with podman, runs docker-compose.yml and checks that the local
# runner starts and runs a campaign.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# .git stays out of the build context (.dockerignore), so build.sh cannot
# ask git for the version: pass it in (compose passes $TRIAGED_VERSION);
# without it the binary says "dev".
ARG TRIAGED_VERSION=
RUN scripts/build.sh /out/triaged

FROM debian:bookworm-slim
# The system user's home is the data directory: serve keeps its state there
# (the local runner's token and spool in local-runner/), and without a
# directory it can write, serve starts with "no local runner".
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --user-group --home-dir /var/lib/triaged --shell /usr/sbin/nologin triaged \
    && install -d -o triaged -g triaged -m 0750 /var/lib/triaged
COPY --from=build /out/triaged /usr/local/bin/triaged
ENV TRIAGED_ADDR=0.0.0.0:8080 \
    TRIAGED_DATA_DIR=/var/lib/triaged \
    HOME=/var/lib/triaged
# Declared after the directory exists, so a new volume starts as a copy of
# it: owned by triaged, mode 0750.
VOLUME /var/lib/triaged
WORKDIR /var/lib/triaged
USER triaged
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["triaged"]
CMD ["serve"]
