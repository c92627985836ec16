# triaged server image. The build runs scripts/build.sh, the same script CI
# runs, so the image holds the binary CI tested.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN scripts/build.sh /out/triaged

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* && useradd --system --home /var/lib/triaged triaged
COPY --from=build /out/triaged /usr/local/bin/triaged
USER triaged
EXPOSE 8080
ENV TRIAGED_ADDR=0.0.0.0:8080
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["triaged"]
CMD ["serve"]
