#!/usr/bin/env bash
# benches/gpu.sh — the CUDA backend on a machine with an NVIDIA GPU and 16 cores, in one go
# (about 8 minutes): build, then every tests/cases program with `--device cuda` against the
# CPU's output, then W3 at N = 500000 (the seeds' "2 TB"), W2, W5 and W1 (from an HDF5
# file), each on the GPU and on the CPU with the JIT, with wall times and the speed-up.
#
#   bash benches/gpu.sh            (GPU=cuda:0 by default; GPU=cuda:all for every GPU)
#
# The corpus check compares standard output and exit code. Bitwise agreement is promised for
# + - * / sqrt, casts, integer ops and random numbers; other math functions agree within
# 2 ulp, so a case printing such results to 17 digits may differ in the last digit: the
# script lists every differing case with its first differing lines, to be judged.
#
# Written without a GPU at hand: unverified until run on one.
set -u
cd "$(dirname "$0")/.."
GPU=${GPU:-cuda}
THREADS=${THREADS:-16}
ARR=target/release/arr
T0=$(date +%s)
elapsed() { echo $(( $(date +%s) - T0 )); }

echo "== machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null \
  || echo "(nvidia-smi not found)"
nproc
echo "== build ($(elapsed) s)"
python3 -c "import nvidia.cuda_nvrtc" 2>/dev/null \
  || python3 -m pip install --quiet "nvidia-cuda-nvrtc-cu12==12.4.127"
python3 -c "import h5py, numpy" 2>/dev/null || python3 -m pip install --quiet h5py numpy
cargo build --release 2>&1 | tail -1
if ! $ARR --device "$GPU" -e 'print("gpu ok")'; then
  echo "error: --device $GPU does not start (above); nothing else to check"
  exit 2
fi

echo "== corpus: tests/cases with --device $GPU against the CPU ($(elapsed) s)"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
check_case() {
  local f=$1 work=$2 arr=$3 gpu=$4
  local flags
  flags=$(grep -h '^# flags:' "$f" | sed 's/^# flags://' | tr '\n' ' ')
  local id
  id=$(echo "$f" | tr '/' '_')
  # shellcheck disable=SC2086
  timeout 120 "$arr" --threads 4 $flags "$f" >"$work/$id.cpu" 2>/dev/null; echo "rc=$?" >>"$work/$id.cpu"
  # shellcheck disable=SC2086
  timeout 120 "$arr" --threads 4 --device "$gpu" $flags "$f" >"$work/$id.gpu" 2>"$work/$id.err"; echo "rc=$?" >>"$work/$id.gpu"
  if cmp -s "$work/$id.cpu" "$work/$id.gpu"; then
    echo "same $f"
  else
    echo "DIFF $f"
  fi
}
export -f check_case
find tests/cases -name '*.arr' | sort \
  | xargs -P 8 -I{} bash -c 'check_case "$@"' _ {} "$WORK" "$ARR" "$GPU" >"$WORK/summary.txt"
same=$(grep -c '^same' "$WORK/summary.txt")
diff=$(grep -c '^DIFF' "$WORK/summary.txt")
echo "corpus: $same cases give the CPU's output on $GPU, $diff differ"
grep '^DIFF' "$WORK/summary.txt" | sed 's/^DIFF //' | while read -r f; do
  id=$(echo "$f" | tr '/' '_')
  echo "--- $f"
  diff "$WORK/$id.cpu" "$WORK/$id.gpu" | head -6
  head -3 "$WORK/$id.err"
done

echo "== benchmarks ($(elapsed) s)"
run() {  # run LABEL LIMIT ARGS...: wall time of one run, its output's last lines
  local label=$1 limit=$2
  shift 2
  local t1 t2 rc
  t1=$(date +%s.%N)
  timeout "$limit" "$ARR" --threads "$THREADS" "$@" >"$WORK/bench.out" 2>&1
  rc=$?
  t2=$(date +%s.%N)
  local secs
  secs=$(awk "BEGIN { printf \"%.3f\", $t2 - $t1 }")
  if [ $rc -eq 0 ]; then
    printf '%-28s %8.2f s   %s\n' "$label" "$secs" "$(tr '\n' ' ' <"$WORK/bench.out" | cut -c1-100)"
  else
    printf '%-28s   failed or over %s s (rc %s): %s\n' "$label" "$limit" "$rc" \
      "$(tail -2 "$WORK/bench.out" | tr '\n' ' ' | cut -c1-160)"
  fi
  echo "$secs" >"$WORK/last.time"
}
speedup() {  # speedup CPU_SECONDS GPU_SECONDS
  awk "BEGIN { if ($2 > 0) printf \"%.2f\", $1 / $2; else print \"-\" }"
}
W=benches/workloads
for spec in "W3 N=500000|$W/w3_2tb.arr 500000|150" \
            "W2 n=20000|$W/w2_random_mean.arr 20000|60" \
            "W5 n=7000|$W/w5_lj_nansum.arr 7000|60"; do
  IFS='|' read -r label args limit <<<"$spec"
  # shellcheck disable=SC2086
  run "$label gpu" "$limit" --device "$GPU" $args
  g=$(cat "$WORK/last.time")
  # shellcheck disable=SC2086
  run "$label cpu (JIT)" "$limit" $args
  c=$(cat "$WORK/last.time")
  echo "  speed-up over the CPU: $(speedup "$c" "$g")x"
done
H5=${TMPDIR:-/tmp}/arr-gpu-w1-200000000.hdf5
[ -f "$H5" ] || python3 $W/make_data.py w1 "$H5" 200000000
run "W1 n=2e8 (HDF5) gpu" 120 --device "$GPU" $W/w1_stats_hdf5.arr "$H5"
g=$(cat "$WORK/last.time")
run "W1 n=2e8 (HDF5) cpu (JIT)" 120 $W/w1_stats_hdf5.arr "$H5"
c=$(cat "$WORK/last.time")
echo "  speed-up over the CPU: $(speedup "$c" "$g")x"
echo "== done in $(elapsed) s"
