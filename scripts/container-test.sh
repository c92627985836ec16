#!/usr/bin/env bash
# Builds the triaged image from the Dockerfile and runs docker-compose.yml
# (PostgreSQL and triaged) under podman, then checks what a person would:
# /readyz answers, the in-process local runner registered, and the README's
# example campaign runs to done inside the container. Last it recreates the
# triaged container and checks that the runner kept its identity: its token
# lives in the triaged-data volume.
#
# It needs no Docker engine and no image registry, only Debian's packages
# (as root: apt-get install podman runc netavark aardvark-dns docker-compose
# debootstrap curl jq):
#  - podman runs the containers; docker-compose (Debian's, 1.29) drives the
#    compose file through podman's Docker API, as `docker compose` would.
#  - The Dockerfile's base images are built here from Debian's packages under
#    the names it uses ("stand-ins" below), so the real Dockerfile and compose
#    file run unchanged. They live in a podman storage of this script's own
#    (TRIAGED_CONTAINER_CACHE, default ~/.cache/triaged/images), never in
#    podman's default one, so they cannot shadow real images, and a second
#    run reuses them.
#
# TRIAGED_CONTAINER_KEEP=1 leaves the containers running afterwards (the
# script prints how to reach and stop them).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { echo; echo "== container: $* ($(( $(date +%s) - start ))s)"; }
fail() { echo "container-test: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root: podman's bridge networks and debootstrap need it"
missing=()
for tool in podman runc docker-compose debootstrap curl jq openssl python3 go git; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
[ ${#missing[@]} = 0 ] || fail "missing ${missing[*]} (apt-get install podman runc netavark aardvark-dns docker-compose debootstrap curl jq openssl)"

# --- a podman of the script's own -------------------------------------------
cache=${TRIAGED_CONTAINER_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/triaged/images}
mkdir -p "$cache"
exec 9>"$cache/lock"
flock -w 900 9 || fail "another container test holds $cache/lock"
run=$(mktemp -d /tmp/triaged-container.XXXXXX) # this run's logs, context, API socket
# podman's runroot and tmp_dir must start empty after a reboot (it then
# resets what it remembers of running containers); /run is not a tmpfs on
# every machine, so a changed boot id empties them here.
state=/run/triaged-containers
boot=$(cat /proc/sys/kernel/random/boot_id)
if [ "$(cat "$state/boot_id" 2>/dev/null)" != "$boot" ]; then
  rm -rf "$state"; mkdir -p "$state"; echo "$boot" >"$state/boot_id"
fi
# This machine's kernel has a hybrid cgroup layout (v1 controllers plus
# hugetlb on v2), which crun 1.8 refuses ("cgroups in hybrid mode not
# supported"): runc runs containers there. Root here lacks CAP_SYS_RESOURCE,
# so podman's default rlimits for root (nofile 1048576, nproc 4194304) fail
# with "setrlimit: operation not permitted"; containers get the limits this
# shell has (podman itself lowers its nproc to 32768).
nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=1048576
nproc=$(ulimit -Hu); { [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
cat >"$state/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$state/tmp"
[network]
network_config_dir = "$cache/networks"
EOF
cat >"$state/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$cache/storage"
runroot = "$state/runroot"
EOF
export CONTAINERS_CONF=$state/containers.conf CONTAINERS_STORAGE_CONF=$state/storage.conf
# podman keeps the paths of its first run in its database and prefers them
# to the configuration; this storage keeps no containers between runs, so a
# database that remembers other paths can go.
if [ "$(podman info --format '{{.Store.RunRoot}}' 2>/dev/null)" != "$state/runroot" ]; then
  podman rm -af -t 5 >/dev/null 2>&1 || true
  rm -f "$cache/storage/libpod/bolt_state.db"
fi
# Images keep HEALTHCHECK only in Docker's format; podman builds OCI by default.
export BUILDAH_FORMAT=docker

# What the compose file takes from the environment.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export TRIAGED_PORT=$port TRIAGED_PUBLIC_URL=http://127.0.0.1:$port
export TRIAGED_ADMIN_TOKEN=$(openssl rand -hex 16)
export TRIAGED_VERSION=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
project=triagedct
# docker-compose builds through the API (docker-py), not through a docker
# command that may or may not be installed.
export COMPOSE_DOCKER_CLI_BUILD=0
compose() { docker-compose -p "$project" "$@"; }
service_pid= health_pid= standins=()
cleanup() {
  status=$?
  for pid in ${standins[@]+"${standins[@]}"}; do kill $(pgrep -P "$pid") "$pid" 2>/dev/null || true; done
  if [ $status != 0 ] && [ -n "${DOCKER_HOST:-}" ]; then
    echo; echo "== container: failed; the last log lines"
    compose logs --no-color --tail 60 2>&1 || true
  fi
  if [ "${TRIAGED_CONTAINER_KEEP:-}" = 1 ] && [ $status = 0 ]; then
    echo "left running: http://127.0.0.1:$port (admin token $TRIAGED_ADMIN_TOKEN); stop with"
    echo "  kill $health_pid; DOCKER_HOST=$DOCKER_HOST docker-compose -p $project down -v; kill $service_pid"
    return
  fi
  if [ -n "$service_pid" ]; then
    compose down -v --timeout 20 >/dev/null 2>&1 || true
  fi
  [ -z "$health_pid" ] || kill "$health_pid" 2>/dev/null || true
  [ -z "$service_pid" ] || { kill "$service_pid" 2>/dev/null; wait "$service_pid" 2>/dev/null; } || true
  podman rm -af -t 5 >/dev/null 2>&1 || true
  rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "podman $(podman version --format '{{.Client.Version}}'), runc, storage in $cache"
# Compose's service names (postgres) resolve through netavark's aardvark-dns.
backend=$(podman info --format '{{.Host.NetworkBackend}}')
[ "$backend" = netavark ] && [ -x /usr/lib/podman/aardvark-dns ] ||
  fail "podman's network backend is $backend: install netavark and aardvark-dns, so containers find each other by name"
# Leftovers of an interrupted run: containers, volumes, networks. Images stay.
podman rm -af -t 5 >/dev/null
podman volume rm -af >/dev/null
podman network prune -f >/dev/null

# --- stand-in base images ----------------------------------------------------
# Docker Hub is out of reach here, so the images the Dockerfile and compose
# file name are built from Debian's packages under the same names:
#  - debian:bookworm-slim: debootstrap's minbase of bookworm with the same
#    apt sources (bookworm, -updates, -security);
#  - golang:1.26-bookworm: that plus ca-certificates and the Go toolchain of
#    this machine, which must be the tag's version, under /usr/local/go with
#    the official image's GOPATH, PATH and GOTOOLCHAIN. The official image
#    also has git, curl and gcc, which the build does not use (no .git in the
#    context, CGO_ENABLED=0): a build step that needs them fails here rather
#    than passing here only;
#  - postgres:15: that plus Debian's postgresql-15 and an entrypoint that
#    honours the official image's POSTGRES_USER, POSTGRES_PASSWORD,
#    POSTGRES_DB and PGDATA=/var/lib/postgresql/data, with scram-sha-256 for
#    network logins and a database created on the first start.
# All three trust the certificate authorities this machine adds to Debian's
# (/usr/local/share/ca-certificates): here outbound TLS, such as the build's
# `go mod download`, passes through a proxy with its own authority.
# Each is labelled triaged.stand-in=<hash of its recipe>: a changed recipe,
# base image, Go version or set of local authorities rebuilds it.
local_cas=(/usr/local/share/ca-certificates/*.crt)
[ -e "${local_cas[0]}" ] || local_cas=()
from=($(sed -n 's/^FROM \([^ ]*\).*/\1/p' Dockerfile))
[ "${from[*]}" = "golang:1.26-bookworm debian:bookworm-slim" ] ||
  fail "the Dockerfile's base images are now ${from[*]}: teach the stand-ins below about them"
grep -q '^    image: postgres:15$' docker-compose.yml || fail "docker-compose.yml no longer runs postgres:15: update the stand-in"
goversion=$(go env GOVERSION)
case $goversion in go1.26|go1.26.*) ;; *) fail "the golang:1.26 stand-in is made from this machine's Go, which is $goversion" ;; esac

label() { podman image inspect --format '{{index .Labels "triaged.stand-in"}}' "$1" 2>/dev/null || true; }
recipe_hash() { sha256sum | cut -c1-16; }
# golang and postgres build side by side: both mostly wait for downloads.
build_standin() { # name recipe Containerfile [podman build options]; context $run/ctx
  local log=$run/standin-${#standins[@]}.log
  ( timeout 900 podman build --pull=never --label "triaged.stand-in=$2" -t "$1" "${@:4}" -f - "$run/ctx" \
      <<<"$3" >"$log" 2>&1 || { tail -30 "$log"; echo "container-test: building the stand-in $1 failed" >&2; exit 1; } ) &
  standins+=($!)
  rebuilt=1
}
mkdir -p "$run/ctx"
rebuilt=

debian=docker.io/library/debian:bookworm-slim
debian_recipe=$( { echo "debootstrap --variant=minbase bookworm, recipe 1"; cat /dev/null "${local_cas[@]}"; } | recipe_hash)
if [ "$(label $debian)" != "$debian_recipe" ]; then
  step "stand-in debian:bookworm-slim (debootstrap)"
  root=$run/rootfs
  timeout 900 debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$run/debootstrap.log" 2>&1 ||
    { tail -20 "$run/debootstrap.log"; fail "debootstrap failed"; }
  rm -f "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  mkdir -p "$root/usr/local/share/ca-certificates"
  [ ${#local_cas[@]} = 0 ] || cp "${local_cas[@]}" "$root/usr/local/share/ca-certificates/"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*
  tar -C "$root" -c . | podman import -q --change 'CMD ["bash"]' \
    --change "LABEL triaged.stand-in=$debian_recipe" - "$debian" >/dev/null
  rm -rf "$root"
  rebuilt=1
fi
base_id=$(podman image inspect --format '{{.Id}}' "$debian")

golang=docker.io/library/golang:1.26-bookworm
golang_file=$(cat <<EOF
FROM $debian
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN cp -a /mnt/goroot /usr/local/go && rm -rf /usr/local/go/pkg/obj
ENV GOLANG_VERSION=${goversion#go} GOTOOLCHAIN=local GOPATH=/go \
    PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN mkdir -p /go/src /go/bin && chmod -R 1777 /go && go version
WORKDIR /go
EOF
)
golang_recipe=$(printf '%s\n' "$base_id" "$goversion" "$golang_file" | recipe_hash)
if [ "$(label $golang)" != "$golang_recipe" ]; then
  step "stand-in golang:1.26-bookworm ($goversion from $(go env GOROOT))"
  build_standin "$golang" "$golang_recipe" "$golang_file" --volume "$(go env GOROOT):/mnt/goroot:ro"
fi

postgres=docker.io/library/postgres:15
postgres_entrypoint=$(cat <<'EOF'
#!/bin/sh
# Stand-in for the official postgres image's entrypoint: the same variables,
# the same data directory, the same first-start initialisation.
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 0700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ "${1:-}" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  [ -n "${POSTGRES_PASSWORD:-}" ] || { echo "postgres: POSTGRES_PASSWORD is not set" >&2; exit 1; }
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --encoding=UTF8 \
    --auth-local=trust --auth-host=scram-sha-256 -D "$PGDATA"
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  pg_ctl -D "$PGDATA" -w -o "-c listen_addresses=''" start
  if [ "$POSTGRES_DB" != postgres ]; then
    echo 'CREATE DATABASE :"db"' |
      psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres --set db="$POSTGRES_DB"
  fi
  pg_ctl -D "$PGDATA" -m fast -w stop
fi
exec "$@"
EOF
)
postgres_file=$(cat <<EOF
FROM $debian
RUN mkdir -p /etc/postgresql-common/createcluster.d \
    && echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/no-main-cluster.conf \
    && apt-get update && apt-get install -y --no-install-recommends postgresql-15 \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PG_MAJOR=15 PGDATA=/var/lib/postgresql/data LANG=C.UTF-8 \
    PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
VOLUME /var/lib/postgresql/data
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
EOF
)
postgres_recipe=$(printf '%s\n' "$base_id" "$postgres_entrypoint" "$postgres_file" | recipe_hash)
if [ "$(label $postgres)" != "$postgres_recipe" ]; then
  step "stand-in postgres:15 (Debian's postgresql-15)"
  printf '%s\n' "$postgres_entrypoint" >"$run/ctx/postgres-entrypoint.sh"
  chmod 0755 "$run/ctx/postgres-entrypoint.sh"
  build_standin "$postgres" "$postgres_recipe" "$postgres_file"
fi
if [ ${#standins[@]} != 0 ]; then
  for pid in "${standins[@]}"; do wait "$pid" || exit 1; done
  standins=()
  step "stand-ins built"
fi
# Layers cached on an older stand-in are of no use any more; those of
# earlier builds are kept for three days, so the storage does not grow
# without end.
if [ -n "$rebuilt" ]; then podman image prune -f >/dev/null; else podman image prune -f --filter until=72h >/dev/null; fi

# --- compose -----------------------------------------------------------------
step "podman's Docker API for docker-compose"
podman system service --time=0 "unix://$run/podman.sock" >"$run/service.log" 2>&1 &
service_pid=$!
export DOCKER_HOST=unix://$run/podman.sock
for _ in $(seq 100); do
  curl -fsS --unix-socket "$run/podman.sock" http://d/_ping >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS --unix-socket "$run/podman.sock" http://d/_ping >/dev/null || { cat "$run/service.log"; fail "podman system service did not answer"; }

# podman runs healthchecks from systemd timers; there is no systemd here, so
# this loop does what the timers would, every 2 seconds, for every running
# container with a healthcheck. depends_on's service_healthy and the checks
# below see real healthcheck results.
(
  while sleep 2; do
    for c in $(podman ps -q --filter "label=com.docker.compose.project=$project"); do
      podman healthcheck run "$c" >/dev/null 2>&1 || true
    done
  done
) &
health_pid=$!

# The compose file refuses to start without an admin token.
if out=$(env -u TRIAGED_ADMIN_TOKEN docker-compose -p "$project" config 2>&1); then
  fail "docker-compose config succeeded without TRIAGED_ADMIN_TOKEN"
fi
grep -q "TRIAGED_ADMIN_TOKEN is not set" <<<"$out" || fail "unclear error without TRIAGED_ADMIN_TOKEN: $out"

# The build compiles in a container with this machine's Go build cache
# mounted where the official image keeps its own (/root/.cache/go-build):
# the Dockerfile is unchanged, but after CI's scripts/build.sh on the host
# nothing is left to compile. Go's cache is keyed by content, safe to share.
step "podman build: the image from the Dockerfile (triaged $TRIAGED_VERSION)"
built=docker.io/library/${project}_triaged:latest
if ! timeout 900 podman build --pull=never --build-arg TRIAGED_VERSION="$TRIAGED_VERSION" \
    --volume "$(go env GOCACHE):/root/.cache/go-build" -t "$built" . >"$run/build.log" 2>&1; then
  tail -40 "$run/build.log"; fail "podman build failed"
fi
grep -E '^\[[0-9]/[0-9]\] STEP|^built ' "$run/build.log"
built_id=$(podman image inspect --format '{{.Id}}' "$built")

# The README's command. Its build goes through the compose file's build
# section (context, .dockerignore, args) and must find every layer above.
step "docker-compose up --build (on 127.0.0.1:$port)"
if ! timeout 900 docker-compose -p "$project" up --build -d >"$run/up.log" 2>&1; then
  tail -40 "$run/up.log"; fail "docker-compose up --build failed"
fi
grep -v '^ ---> \|^--> \|^Removing intermediate\|^$\|STEP\|Using cache\|legacy builder\|buildx\|docs.docker.com' "$run/up.log"
triaged=$(compose ps -q triaged)
[ -n "$triaged" ] || fail "no triaged container"

step "the image"
image=$(podman inspect --format '{{.Image}}' "$triaged")
[ "$image" = "$built_id" ] || fail "compose built another image ($image) than podman build ($built_id): its build section differs from the Dockerfile build above"
inspect() { podman image inspect --format "$1" "$image"; }
[ "$(inspect '{{.Config.User}}')" = triaged ] || fail "image runs as '$(inspect '{{.Config.User}}')', not triaged"
inspect '{{json .Config.Volumes}}' | grep -q '"/var/lib/triaged"' || fail "no VOLUME /var/lib/triaged: $(inspect '{{json .Config.Volumes}}')"
inspect '{{json .Config.Env}}' | grep -q '"TRIAGED_DATA_DIR=/var/lib/triaged"' || fail "TRIAGED_DATA_DIR is not set in the image"
inspect '{{json .Config.Healthcheck}}' | grep -q readyz || fail "the image lost its HEALTHCHECK: $(inspect '{{json .Config.Healthcheck}}')"
echo "user triaged, VOLUME /var/lib/triaged, TRIAGED_DATA_DIR, HEALTHCHECK; $(inspect '{{.Size}}' | numfmt --to=iec)"

wait_healthy() { # container: wait until its healthcheck passes
  for _ in $(seq 120); do
    case $(podman inspect --format '{{.State.Health.Status}}' "$1") in
      healthy) return 0 ;;
      unhealthy) fail "container $1 is unhealthy" ;;
    esac
    [ "$(podman inspect --format '{{.State.Running}}' "$1")" = true ] || fail "container $1 stopped"
    sleep 1
  done
  fail "container $1 not healthy after 2 minutes"
}
api() { curl -fsS --max-time 10 -H "Authorization: Bearer $TRIAGED_ADMIN_TOKEN" "$@"; }
base=http://127.0.0.1:$port

step "triaged is healthy and ready"
wait_healthy "$triaged"
api "$base/readyz" >/dev/null
echo "/readyz: $(api "$base/readyz" | tr -d '\n' | head -c 200)"
[ "$(podman exec "$triaged" id -u)" != 0 ] || fail "triaged runs as root"
echo "runs as $(podman exec "$triaged" id); data directory $(podman exec "$triaged" stat -c '%U:%G %a %n' /var/lib/triaged)"
[ "$(podman exec "$triaged" stat -c '%U %a' /var/lib/triaged)" = "triaged 750" ] || fail "/var/lib/triaged is not triaged's with mode 0750"
got=$(podman exec "$triaged" triaged version)
grep -qF "$TRIAGED_VERSION" <<<"$got" || fail "triaged version says '$got', want $TRIAGED_VERSION"

step "the local runner registered"
runner=
for _ in $(seq 60); do
  runner=$(api "$base/api/v1/runners" | jq -c '[.runners[] | select(.online and (.labels | index("local")))] | first // empty')
  [ -n "$runner" ] && break
  sleep 1
done
if compose logs --no-color triaged | grep -i "no local runner"; then fail "serve started without its local runner"; fi
[ -n "$runner" ] || fail "no online runner labelled local: $(api "$base/api/v1/runners")"
echo "$runner"
runner_id=$(jq -r .id <<<"$runner")
podman exec "$triaged" test -s /var/lib/triaged/local-runner/token || fail "the runner's token is not in /var/lib/triaged/local-runner"

run_campaign() { # iterations: create the README's campaign with that many, wait for done, print it
  local id c state=
  id=$(api -H "Content-Type: application/json" \
    -d '{"kind":"scenario","scenario":"starttls-server","proactor":"legacy","labels":["local"],"iterations":'"$1"'}' \
    "$base/api/v1/campaigns" | jq -r .id)
  [[ $id =~ ^[0-9]+$ ]] || fail "POST /api/v1/campaigns answered no id"
  for _ in $(seq 300); do
    c=$(api "$base/api/v1/campaigns/$id")
    state=$(jq -r .state <<<"$c")
    case $state in done) break ;; failed|cancelled) fail "campaign $id ended $state: $c" ;; esac
    sleep 1
  done
  [ "$state" = done ] || fail "campaign $id still $state after 5 minutes: $c"
  [ "$(jq .runs <<<"$c")" = "$1" ] || fail "campaign $id ran $(jq .runs <<<"$c") of $1 iterations"
  echo "$c"
}

step "the README's campaign runs to done"
c=$(run_campaign 50)
jq -c '{id, state, runs, failures, repro_rate, runners: [.runners[] | {runner_id, runs}]}' <<<"$c"
[ "$(jq -c '[.runners[].runner_id]' <<<"$c")" = "[$runner_id]" ] || fail "the campaign did not run on the local runner"

step "a new triaged container keeps the runner (its token is in the volume)"
compose up -d --no-deps --force-recreate triaged >"$run/recreate.log" 2>&1 || { cat "$run/recreate.log"; fail "recreating triaged failed"; }
new=$(compose ps -q triaged)
[ "$new" != "$triaged" ] || fail "triaged was not recreated"
wait_healthy "$new"
c=$(run_campaign 2)
[ "$(jq -c '[.runners[].runner_id]' <<<"$c")" = "[$runner_id]" ] || fail "after the recreate another runner ran campaign $(jq .id <<<"$c"): $c"
runners=$(api "$base/api/v1/runners")
[ "$(jq '.runners | length' <<<"$runners")" = 1 ] || fail "the new container registered another runner: $runners"
if podman logs "$new" 2>&1 | grep -i "no local runner\|msg=registered"; then fail "the new container's runner did not reuse its token"; fi
echo "runner $runner_id ran campaign $(jq .id <<<"$c") from the new container, without registering again"

step "passed in $(( $(date +%s) - start ))s"
