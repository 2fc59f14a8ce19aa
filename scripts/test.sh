#!/usr/bin/env bash
# Runs every test of the workspace, first provisioning what the tests need on Debian.
#
# Usage: scripts/test.sh [cargo package selection, e.g. -p testkit]
#
# Steps:
#   1. As root, install missing Debian packages with apt-get: mariadb-server, redis-server,
#      docker.io, busybox-static, git, and a C toolchain for crates with C code. Package
#      scripts are kept from starting system services while they install.
#   2. Start dockerd in the background when `docker info` fails.
#   3. Build the local test image wi-test-busybox:latest from the static busybox with
#      `docker import` when it is missing, because tests cannot pull images.
#   4. Remove containers labelled wi-test=1 that an interrupted earlier run left behind.
#   5. Install cargo-nextest when it is missing, run the tests with it (or with `cargo test`
#      when it cannot be installed), then run the doc tests, which nextest does not run.
#
# The script starts no MariaDB or Redis server: each test starts throwaway ones through the
# testkit crate. Without arguments the whole workspace is tested; arguments replace
# `--workspace` in the cargo commands. The exit status is non-zero when any step or test fails.

set -euo pipefail

readonly TEST_IMAGE="wi-test-busybox:latest"
readonly DOCKERD_WAIT_SECONDS=60
readonly POLICY_RC=/usr/sbin/policy-rc.d

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/wi-test-script.XXXXXX")"
policy_rc_created=0

cleanup() {
  if [[ $policy_rc_created -eq 1 ]]; then
    rm -f "$POLICY_RC"
  fi
  rm -rf "$work_dir"
}
trap cleanup EXIT

log() {
  printf 'test.sh: %s\n' "$*" >&2
}

die() {
  log "error: $*"
  exit 1
}

is_root() {
  [[ $(id -u) -eq 0 ]]
}

# Tells whether a program exists in PATH or in an sbin directory, where Debian puts servers.
have() {
  command -v "$1" >/dev/null 2>&1 || [[ -x /usr/sbin/$1 || -x /sbin/$1 || -x /usr/local/sbin/$1 ]]
}

package_installed() {
  dpkg-query --show --showformat='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

docker_responds() {
  have docker && timeout 20 docker info >/dev/null 2>&1
}

# Prints the Debian packages that the tests and the build need but the machine lacks.
missing_packages() {
  local missing=()

  if ! have mariadb-install-db || ! { have mariadbd || have mysqld; } || ! { have mariadb || have mysql; }; then
    missing+=(mariadb-server)
  fi
  if ! have redis-server || ! have redis-cli; then
    missing+=(redis-server)
  fi
  if ! have docker || { ! have dockerd && ! docker_responds; }; then
    missing+=(docker.io)
  fi
  # A dynamically linked busybox cannot run in an image without libraries.
  if ! package_installed busybox-static; then
    missing+=(busybox-static)
  fi
  if ! have git; then
    missing+=(git)
  fi
  if ! have tar; then
    missing+=(tar)
  fi
  if ! have cc; then
    missing+=(gcc libc6-dev)
  fi
  if ! have pkg-config; then
    missing+=(pkg-config)
  fi
  # aws-lc-sys builds with cmake; it is only in the dependency graph if a crate enables it.
  if grep -q '^name = "aws-lc-sys"' Cargo.lock 2>/dev/null && ! have cmake; then
    missing+=(cmake)
  fi
  if [[ ! -e /etc/ssl/certs/ca-certificates.crt ]]; then
    missing+=(ca-certificates)
  fi

  if ((${#missing[@]} > 0)); then
    printf '%s\n' "${missing[@]}"
  fi
}

install_packages() {
  local packages=("$@")

  if ! is_root; then
    die "missing packages: ${packages[*]}. Run this script as root, or install them with: sudo apt-get install ${packages[*]}"
  fi

  # Package scripts would otherwise start the system's MariaDB, Redis and Docker services.
  # Tests start their own servers, and dockerd is started below when needed.
  if [[ ! -e $POLICY_RC ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$POLICY_RC"
    chmod 755 "$POLICY_RC"
    policy_rc_created=1
  fi

  log "installing ${packages[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install --yes --no-install-recommends "${packages[@]}"

  if [[ $policy_rc_created -eq 1 ]]; then
    rm -f "$POLICY_RC"
    policy_rc_created=0
  fi
}

start_dockerd() {
  if ! is_root; then
    die "the Docker engine does not respond to \`docker info\`. Start it (or add your user to the docker group), or run this script as root to start it"
  fi
  if ! have dockerd; then
    die "dockerd is missing; install docker.io"
  fi

  # The log outlives this script because dockerd keeps running after the tests.
  local log_dir
  log_dir="$(mktemp -d "${TMPDIR:-/tmp}/wi-test-dockerd.XXXXXX")"
  local log_file="$log_dir/dockerd.log"

  log "starting dockerd in the background, log: $log_file"
  nohup dockerd >"$log_file" 2>&1 &
  local dockerd_pid=$!

  local waited=0
  until docker_responds; do
    if ! kill -0 "$dockerd_pid" 2>/dev/null; then
      tail -n 30 "$log_file" >&2 || true
      die "dockerd exited during startup; see $log_file"
    fi
    if ((waited >= DOCKERD_WAIT_SECONDS)); then
      tail -n 30 "$log_file" >&2 || true
      die "dockerd did not respond to \`docker info\` within ${DOCKERD_WAIT_SECONDS} s; see $log_file"
    fi
    sleep 1
    waited=$((waited + 1))
  done

  log "dockerd (pid $dockerd_pid) responds after ${waited} s; it keeps running after the tests"
}

# Builds the same image as testkit's docker::build_image: busybox, one symlink per applet in
# /bin, /tmp, a minimal /etc/passwd, the label wi-test=1 and /bin/sh as command.
build_test_image() {
  local busybox=/bin/busybox
  [[ -x $busybox ]] || busybox=/usr/bin/busybox
  [[ -x $busybox ]] || die "busybox is missing; install busybox-static"

  local rootfs="$work_dir/rootfs"
  mkdir -p "$rootfs"/{bin,etc,root,proc,sys,dev,tmp}
  chmod 1777 "$rootfs/tmp"
  cp "$busybox" "$rootfs/bin/busybox"
  chmod 755 "$rootfs/bin/busybox"

  local applet
  for applet in $("$busybox" --list); do
    if [[ $applet != busybox && $applet != */* ]]; then
      ln -s busybox "$rootfs/bin/$applet"
    fi
  done
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\n' >"$rootfs/etc/group"

  tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -cf "$work_dir/rootfs.tar" .
  docker import --change 'CMD ["/bin/sh"]' --change 'LABEL wi-test=1' "$work_dir/rootfs.tar" "$TEST_IMAGE" >/dev/null
  log "built $TEST_IMAGE"
}

remove_leftover_containers() {
  local ids
  ids="$(docker ps --all --quiet --filter label=wi-test=1)"
  if [[ -n $ids ]]; then
    log "removing $(wc -w <<<"$ids") leftover test containers labelled wi-test=1"
    # shellcheck disable=SC2086 # one id per word
    docker rm --force --volumes $ids >/dev/null
  fi
}

ensure_nextest() {
  if cargo nextest --version >/dev/null 2>&1; then
    return 0
  fi

  log "installing cargo-nextest"
  if cargo install cargo-nextest --locked; then
    return 0
  fi

  log "warning: cargo-nextest could not be installed; running the tests with cargo test"
  return 1
}

main() {
  if ! command -v cargo >/dev/null 2>&1; then
    die "cargo is missing; install a Rust toolchain of version 1.85 or newer (https://rustup.rs), then rerun"
  fi

  local packages
  mapfile -t packages < <(missing_packages)
  if ((${#packages[@]} > 0)); then
    install_packages "${packages[@]}"
  fi

  if ! docker_responds; then
    start_dockerd
  fi

  if ! docker image inspect "$TEST_IMAGE" >/dev/null 2>&1; then
    build_test_image
  fi

  remove_leftover_containers

  # insta never writes snapshot files in CI; a changed snapshot fails the test instead.
  if [[ -n ${CI:-} ]]; then
    export INSTA_UPDATE=no
  fi

  local selection=("$@")
  if ((${#selection[@]} == 0)); then
    selection=(--workspace)
  fi

  local status=0
  if ensure_nextest; then
    cargo nextest run --no-fail-fast "${selection[@]}" || status=$?
    cargo test --doc "${selection[@]}" || status=$?
  else
    cargo test --no-fail-fast "${selection[@]}" || status=$?
  fi

  if ((status != 0)); then
    log "tests failed (exit status $status)"
  else
    log "all tests passed"
  fi
  return "$status"
}

main "$@"
