#!/usr/bin/env bash
# Measures how `collect` filters a large executor-manager log, against the manual way.
#
# Generates an executor-manager-style log (SIZE_MB of text, default 800, which Docker
# stores as a json-file of about 1 GB), has a test container print it, and then times:
#   1. collect reading the container's json-file on disk (the default route);
#   2. collect reading through the Docker API (WEGENT_DOCKER_LOGS=api);
#   3. `docker logs <container> | grep -w <task id>`, the manual way;
#   4. collect reading the same text as a log file under --repo-root.
# Each collect run is measured with /usr/bin/time -v (wall time and peak RSS). Every other
# source points at a refused port on 127.0.0.1, so it fails at once.
#
# Needs: docker, python3, /usr/bin/time, the test image wi-test-busybox:latest (built by
# scripts/test.sh or any collector test), and a release build of collect (built here).
# Everything created carries the prefix or label wi-test and is removed at the end.
#
# Usage: scripts/bench-collect-logs.sh [SIZE_MB]

set -euo pipefail

SIZE_MB="${1:-${SIZE_MB:-800}}"
TASK_ID=424242
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/wi-test-bench-XXXXXX")"
CONTAINER="wi-test-bench-em-$$"

cleanup() {
    docker rm --force "$CONTAINER" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

if ! docker image inspect wi-test-busybox:latest >/dev/null 2>&1; then
    echo "the image wi-test-busybox:latest is missing; run scripts/test.sh or a collector test first" >&2
    exit 2
fi

echo "building collect (release)"
(cd "$ROOT" && cargo build --release -p wegent-collector --bin collect --quiet)
COLLECT="$TARGET/release/collect"

echo "generating ${SIZE_MB} MB of executor-manager log lines"
python3 - "$WORK/em.log" "$SIZE_MB" "$TASK_ID" <<'PY'
import sys, time
path, size_mb, task = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
limit = size_mb * 1024 * 1024
stamp = time.strftime("%Y-%m-%d %H:%M:%S")
head = f"{stamp} - [a1b2c3d4] - [in /app/executor_manager/routers/routers.py:120] - INFO - "
lines = [
    head + "Online tasks status: 3 running pods, 30 max concurrent tasks\n",
    head + "Fetching tasks from: http://backend:8000/api/executors/tasks/dispatch?limit=10\n",
    head + f"Successfully processed callback for task {task}0\n",
    head + "Received callback: body=task_id=77 subtask_id=912 status='RUNNING' progress=40 from 172.18.0.9\n",
]
ours = [
    head + f"Processing task: ID={task}, executor_type=docker\n",
    f"{stamp} - [-] - [in /app/main.py:88] - ERROR - Error for task {task}: callback refused\n",
]
written = 0
i = 0
with open(path, "w", buffering=1 << 20) as out:
    while written < limit:
        line = ours[i // 20000 % 2] if i % 20000 == 19999 else lines[i % len(lines)]
        out.write(line)
        written += len(line)
        i += 1
print(f"{i} lines")
PY

echo "printing it through a container's json-file log"
docker run --detach --name "$CONTAINER" --label wi-test=1 --log-driver json-file \
    --volume "$WORK/em.log:/data/em.log:ro" wi-test-busybox:latest \
    sh -c 'cat /data/em.log; exec sleep 3600' >/dev/null
LOG_PATH="$(docker inspect --format '{{.LogPath}}' "$CONTAINER")"
previous=-1
size=$(stat -c %s "$LOG_PATH")
while [ "$size" != "$previous" ]; do
    sleep 3
    previous=$size
    size=$(stat -c %s "$LOG_PATH")
done
echo "json-file: $(stat -c %s "$LOG_PATH") bytes at $LOG_PATH"

REFUSED=1
run_collect() {
    local label="$1"
    shift
    local out="$WORK/$label.zip"
    /usr/bin/time -v -o "$WORK/$label.time" env -u WEGENT_DOCKER_LOGS "$@" "$COLLECT" \
        --task-id "$TASK_ID" --mysql-container "" \
        --database-url "mysql://root:x@127.0.0.1:$REFUSED/task_manager" \
        --executor-manager-url "http://127.0.0.1:$REFUSED" \
        --redis-url "redis://127.0.0.1:$REFUSED/0" \
        --executor-manager-container "$CONTAINER" \
        --workspace-root "$WORK/none" --timeout docker=10m --timeout logs=10m \
        --output "$out" "${EXTRA[@]}" >/dev/null 2>"$WORK/$label.err" || true
    local wall rss kept
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/$label.time")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/$label.time")
    kept=$(unzip -p "$out" "$MEMBER" 2>/dev/null | wc -l)
    printf '%-34s wall %-9s peak RSS %6d MiB  kept lines %s\n' "$label" "$wall" $((rss / 1024)) "$kept"
}

echo
echo "results (task $TASK_ID, $(nproc) CPUs)"
EXTRA=()
MEMBER=logs/executor-manager.txt
run_collect "collect json-file" env
run_collect "collect docker-api" env WEGENT_DOCKER_LOGS=api

/usr/bin/time -v -o "$WORK/grep.time" sh -c \
    "docker logs --timestamps '$CONTAINER' 2>&1 | grep -w '$TASK_ID' > '$WORK/grep.out'" || true
wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/grep.time")
printf '%-34s wall %-9s matching lines %s\n' "docker logs | grep -w" "$wall" "$(wc -l < "$WORK/grep.out")"

mkdir -p "$WORK/repo/logs/executor_manager"
mv "$WORK/em.log" "$WORK/repo/logs/executor_manager/info.log"
touch "$WORK/repo/logs/executor_manager/info.log"
EXTRA=(--repo-root "$WORK/repo")
MEMBER=logs/file-executor-manager-info.txt
docker rm --force "$CONTAINER" >/dev/null
run_collect "collect --repo-root file" env DOCKER_HOST="unix://$WORK/none.sock"
