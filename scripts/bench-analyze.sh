#!/usr/bin/env bash
# Benchmarks `analyze` and the bundle reader on a large synthetic bundle.
#
# Usage: scripts/bench-analyze.sh [MEGABYTES]   (default 200)
#
# Steps:
#   1. Build `analyze` and the examples make_big_bundle and read_bundle in release mode.
#   2. Write a bundle of MEGABYTES uncompressed (almost all of it log members) with the
#      bundle writer into a temporary folder.
#   3. Run the reader alone (read_bundle) and then `analyze --format json` on it, each
#      under /usr/bin/time -v, and print wall time, CPU time and peak RSS.
#
# The temporary folder is removed on exit. Targets: under 2 s wall time and under
# 100 MB peak RSS for 200 MB on 2 cores. `analyze` exits 1 when it reports findings,
# which this script does not treat as a failure.

set -euo pipefail

megabytes="${1:-200}"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/wi-test-bench.XXXXXX")"
trap 'rm -rf "$work_dir"' EXIT

target_dir="${CARGO_TARGET_DIR:-$repo_root/target}"
cargo build --release -p wegent-analyzer --bin analyze \
    --example make_big_bundle --example read_bundle

bundle="$work_dir/big.zip"
"$target_dir/release/examples/make_big_bundle" "$bundle" "$megabytes"

report_time() {
    grep -E "Elapsed \(wall clock\)|User time|System time|Maximum resident set size" "$1" \
        | sed 's/^[[:space:]]*/  /'
}

echo "reader (read_bundle):"
/usr/bin/time -v "$target_dir/release/examples/read_bundle" "$bundle" 2> "$work_dir/read.time"
report_time "$work_dir/read.time"

echo "analyze --format json:"
status=0
/usr/bin/time -v "$target_dir/release/analyze" "$bundle" --format json \
    > "$work_dir/report.json" 2> "$work_dir/analyze.time" || status=$?
if [ "$status" -gt 1 ]; then
    cat "$work_dir/analyze.time" >&2
    exit "$status"
fi
report_time "$work_dir/analyze.time"
