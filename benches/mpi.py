#!/usr/bin/env python3
"""MPI benchmarks of Arr (issue 15), each run a separate `mpirun` job, timed wall-clock.

  python3 benches/mpi.py efficiency [--repeat 5] [--w6 IN.zarr] [--only W3,W5,W6]
      W3 (N = 40000) and W5 (n = 7000) with 2 ranks x 1 thread against 1 rank x 2 threads,
      alternating in the same run; prints medians and the efficiency (time ratio). With --w6,
      also W6 (embedding normalisation, Zarr to Zarr: every rank compresses and writes its
      own chunk files) from the input store IN.zarr (`make bench` prepares one in
      benches/data). ARR=path/to/arr times another build.
  python3 benches/mpi.py scaling [--max-ranks 16]
      strong and weak scaling of W3 and W1 from 1 rank to --max-ranks (1 thread per rank):
      strong keeps the problem, weak grows it with the ranks (W3: N^2 per rank fixed; W1: n
      per rank fixed). Efficiency = t(1) / (ranks * t(ranks)) strong, t(1) / t(ranks) weak.

Every run's printed result is checked against the one-rank run of the same size (the same
bits are promised for any number of ranks).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARR = os.environ.get("ARR", os.path.join(ROOT, "target", "release", "arr"))
W = os.path.join(ROOT, "benches", "workloads")


def run(ranks, threads, script, args):
    cmd = [ARR, "--threads", str(threads), "--no-progress", os.path.join(W, script), *map(str, args)]
    if ranks > 1:
        cmd = ["mpirun", "-np", str(ranks), *cmd]
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    took = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr}")
    return took, p.stdout


def efficiency(repeat, w6, only):
    print(f"{'workload':<10} {'1 rank x 2 threads':>20} {'2 ranks x 1 thread':>20} {'efficiency':>11}")
    workloads = [("W3", "w3_2tb.arr", [40000]), ("W5", "w5_lj_nansum.arr", [7000])]
    if w6:
        out = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"arr-mpi-w6-{os.getpid()}.zarr")
        workloads.append(("W6", "w6_embed_norm.arr", [w6, out]))
    for name, script, args in workloads:
        if only and name not in only.split(","):
            continue
        one, two = [], []
        ref = None
        for _ in range(repeat):
            t, out = run(1, 2, script, args)
            one.append(t)
            ref = ref or out
            t, out = run(2, 1, script, args)
            two.append(t)
            if out != ref:
                sys.exit(f"{name}: 2 ranks printed\n{out}\nbut 1 rank printed\n{ref}")
        a, b = statistics.median(one), statistics.median(two)
        print(f"{name:<10} {a:>18.3f} s {b:>18.3f} s {a / b:>10.0%}")


def scaling(max_ranks):
    ranks = [r for r in (1, 2, 4, 8, 16, 32, 64) if r <= max_ranks]
    rows = []
    for name, script, size, weak in [
        ("W3", "w3_2tb.arr", 20000, lambda n, r: int(n * r ** 0.5) // 2 * 2),
        ("W1", "w1_stats.arr", 200_000_000, lambda n, r: n * r),
    ]:
        base = {}
        for mode in ("strong", "weak"):
            ref = None
            for r in ranks:
                n = size if mode == "strong" else weak(size, r)
                t, out = run(r, 1, script, [n])
                if mode == "strong":
                    ref = ref or out
                    if out != ref:
                        sys.exit(f"{name}: {r} ranks printed\n{out}\nbut 1 rank printed\n{ref}")
                base.setdefault(mode, t)
                eff = base[mode] / (r * t) if mode == "strong" else base[mode] / t
                rows.append((name, mode, r, n, t, eff))
                print(f"{name} {mode:<6} ranks={r:<3} size={n:<12} {t:8.3f} s  efficiency {eff:6.1%}", flush=True)
    print()
    print("| workload | scaling | ranks | size | time (s) | efficiency |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for name, mode, r, n, t, eff in rows:
        print(f"| {name} | {mode} | {r} | {n} | {t:.3f} | {eff:.1%} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    e = sub.add_parser("efficiency")
    e.add_argument("--repeat", type=int, default=5)
    e.add_argument("--w6", help="the W6 input Zarr store (N x 768 f32)")
    e.add_argument("--only", help="comma-separated workloads (W3,W5,W6)")
    s = sub.add_parser("scaling")
    s.add_argument("--max-ranks", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    if not os.path.exists(ARR):
        sys.exit("build first: make build")
    if a.what == "efficiency":
        efficiency(a.repeat, a.w6, a.only)
    else:
        scaling(a.max_ranks)


if __name__ == "__main__":
    main()
