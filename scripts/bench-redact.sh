#!/usr/bin/env bash
# Measures the redaction engine on generated Wegent log text, and against ripgrep.
#
# 1. Runs the in-process benchmark (collector/benches/redact.rs): a whole member, line by
#    line output, and the final gate, with no remembered values and with 50, each as
#    MB/s by wall clock and by the thread's on-CPU time.
# 2. Writes the same log to a file and the engine's expressions to a pattern file, then
#    times whole processes, one warm-up and RUNS counted runs each, alternating:
#      a. the benchmark binary with --input FILE --once (read the file, redact it once);
#      b. rg -c -f PATTERNS FILE (search the same expressions, count matching lines).
#    Both read the file from the page cache. Each run prints wall, user and system
#    seconds; the last lines give the medians and the median ratios engine/rg.
#
# Needs: cargo, rg (Debian: apt-get install ripgrep), bash. Temporary files carry the
# prefix wi-test and are removed at the end.
#
# Usage: scripts/bench-redact.sh [LINES] [RUNS]   (defaults: 1000000 lines, 5 runs)

set -euo pipefail

LINES="${1:-1000000}"
RUNS="${2:-5}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/wi-test-bench-redact-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

if ! command -v rg >/dev/null; then
    echo "rg (ripgrep) is missing; install it, for example with apt-get install ripgrep" >&2
    exit 2
fi

cd "$ROOT"
echo "building the redaction benchmark (release)"
BENCH="$(cargo bench -p wegent-collector --bench redact --no-run 2>&1 \
    | sed -n 's/.*Executable .*(\(.*\)).*/\1/p' | tail -n 1)"
if [ -z "$BENCH" ] || [ ! -x "$BENCH" ]; then
    echo "could not find the benchmark executable; run cargo bench -p wegent-collector --bench redact --no-run" >&2
    exit 1
fi

echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p')"
echo "rg: $(rg --version | head -n 1)"
echo

"$BENCH" --lines "$LINES"
echo
"$BENCH" --lines "$LINES" --remember 50
echo
"$BENCH" --lines "$LINES" --secret-every 1000 --remember 50
echo

"$BENCH" --lines "$LINES" --write-log "$WORK/wi-test.log" 2>/dev/null
"$BENCH" --print-patterns >"$WORK/wi-test-patterns.txt"
cat "$WORK/wi-test.log" >/dev/null

run_engine() { "$BENCH" --input "$WORK/wi-test.log" --once >/dev/null; }
run_rg() { rg -c -f "$WORK/wi-test-patterns.txt" "$WORK/wi-test.log" >/dev/null || true; }

TIMEFORMAT='%R %U %S'
run_engine
run_rg
echo "whole process over $(wc -c <"$WORK/wi-test.log") bytes (wall, user, system seconds):"
for run in $(seq "$RUNS"); do
    engine="$( { time run_engine; } 2>&1 )"
    ripgrep="$( { time run_rg; } 2>&1 )"
    echo "run $run: engine $engine | rg $ripgrep"
    echo "$engine $ripgrep" >>"$WORK/times"
done

awk '
    { wall[NR] = $1 / $4; cpu[NR] = ($2 + $3) / ($5 + $6); ew[NR] = $1; rw[NR] = $4 }
    function median(a, n,   i, j, t) {
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
        return a[int((n + 1) / 2)]
    }
    END {
        printf "median wall: engine %.3f s, rg %.3f s\n", median(ew, NR), median(rw, NR)
        printf "median ratio engine/rg: wall %.2f, CPU (user + system) %.2f\n", median(wall, NR), median(cpu, NR)
    }' "$WORK/times"
