#!/usr/bin/env python3
"""Arr vs Dask vs NumPy on the seed workloads: one command (`make bench`).

Each workload has an Arr script and its Dask and NumPy equivalents in benches/workloads/.
Every run is a whole process: its wall time, its CPU time (user + sys, from os.wait4()) and
its peak RSS (GNU time's %M). The three tools run alternately (Arr, Dask, NumPy, Arr, ...)
so that a change in the machine's load hits all of them alike; the table shows medians.

    python3 benches/run.py                 # default sizes (fit a 2-core, 24 GiB machine)
    python3 benches/run.py --only W2       # one workload (or W2,W5 or overhead or graph)
    python3 benches/run.py --full          # the seeds' sizes (hours; NumPy skipped where it cannot fit)
    python3 benches/run.py --repeat 5      # most runs per tool (default 3; see --budget)

Results go to benches/results/<date>-<host>.md (a section per run, machine at the top) and
.json; a run of every workload also replaces the latest table in benches/README.md.
"""
import argparse
import datetime
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WL = os.path.join(HERE, "workloads")
RESULTS = os.path.join(HERE, "results")
README = os.path.join(HERE, "README.md")
LATEST_BEGIN = "<!-- latest-results:begin -->"
LATEST_END = "<!-- latest-results:end -->"

TOOLS = ("arr", "dask", "numpy")
TOOL_NAMES = {"arr": "Arr", "dask": "Dask", "numpy": "NumPy", "h5py": "h5py read",
              "arr-interp": "Arr interp"}
# Tools that run the arr binary: "arr" on its default backend (the JIT), "arr-interp" with
# `--backend interp` (the reference interpreter), in the same run.
ARR_TOOLS = ("arr", "arr-interp")


# ----------------------------------------------------------------------------------------
# Workloads
# ----------------------------------------------------------------------------------------

class Case:
    """One row of the table: a command per tool, a size, and how results are checked."""

    def __init__(self, cid, group, title, size, cmds, check=None, repeat=None, timeout=None,
                 per_chunk=None, note="", prepare=None):
        self.id = cid
        self.group = group
        self.title = title
        self.size = size            # human-readable size
        self.cmds = cmds            # tool -> (script, [args], extra arr options)
        self.check = check          # function(parsed outputs by tool) -> (verdict, detail)
        self.repeat = repeat or {}  # tool -> most runs (caps --repeat)
        self.timeout = timeout or {}  # tool -> seconds
        self.per_chunk = per_chunk  # number of chunks, for the per-chunk table
        self.note = note
        self.prepare = prepare      # make_data.py arguments for the HDF5 inputs, or None


def floats(out, key):
    v = out.get(key)
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def rel_diff(a, b):
    if a == b:
        return 0.0
    d = abs(a - b)
    m = max(abs(a), abs(b))
    return d / m if m > 0 else math.inf


def check_exact(keys, rel=1e-9, exact_keys=(), abs_tol=None):
    """Results computed on identical inputs: every tool must match the others within `rel`
    (plus `abs_tol[key]` for results near zero)."""
    abs_tol = abs_tol or {}

    def check(outs):
        tools = [t for t in TOOLS if t in outs]
        if len(tools) < 2:
            return "n/a", "fewer than two tools ran"
        ref = tools[0]
        worst = 0.0
        for t in tools[1:]:
            for k in exact_keys:
                if outs[t].get(k) != outs[ref].get(k):
                    return "MISMATCH", f"{k}: {TOOL_NAMES[ref]} {outs[ref].get(k)} vs {TOOL_NAMES[t]} {outs[t].get(k)}"
            for k in keys:
                a, b = floats(outs[ref], k), floats(outs[t], k)
                if a is None or b is None:
                    return "MISMATCH", f"{k} missing or not a number ({TOOL_NAMES[ref]}: {outs[ref].get(k)}, {TOOL_NAMES[t]}: {outs[t].get(k)})"
                r = rel_diff(a, b)
                if abs(a - b) <= abs_tol.get(k, 0.0):
                    r = 0.0
                worst = max(worst, r)
                if not r <= rel:
                    return "MISMATCH", f"{k}: {TOOL_NAMES[ref]} {a!r} vs {TOOL_NAMES[t]} {b!r} (rel {r:.1e} > {rel:.0e})"
        return "agree", f"identical inputs; max rel diff {worst:.1e} (limit {rel:.0e})"

    return check


def check_stats(expect, exact_keys=(), pairwise=None):
    """Results on different random streams: each tool against the expected statistics
    (key -> (expected value, tolerance)), and optionally the tools against each other
    (key -> tolerance of the difference)."""

    def check(outs):
        tools = [t for t in TOOLS if t in outs]
        if not tools:
            return "n/a", "no tool ran"
        for t in tools:
            for k, want in exact_keys:
                if outs[t].get(k) != str(want):
                    return "MISMATCH", f"{TOOL_NAMES[t]} {k} = {outs[t].get(k)}, expected {want}"
            for k, (want, tol) in expect.items():
                v = floats(outs[t], k)
                if v is None or not abs(v - want) <= tol:
                    return "MISMATCH", f"{TOOL_NAMES[t]} {k} = {v!r}, expected {want:.6g} +- {tol:.2g}"
        for k, tol in (pairwise or {}).items():
            for i, a in enumerate(tools):
                for b in tools[i + 1:]:
                    va, vb = floats(outs[a], k), floats(outs[b], k)
                    if va is None or vb is None or not abs(va - vb) <= tol:
                        return "MISMATCH", f"{k}: {TOOL_NAMES[a]} {va!r} vs {TOOL_NAMES[b]} {vb!r} (tol {tol:.2g})"
        parts = [f"{k} {want:g}+-{tol:.1g}" for k, (want, tol) in expect.items()]
        parts += [f"{k} within {tol:.1g}" for k, tol in (pairwise or {}).items()]
        return "stats ok", "different random streams; " + ", ".join(parts)

    return check


def check_same(keys):
    def check(outs):
        tools = [t for t in TOOLS if t in outs]
        for t in tools[1:]:
            for k in keys:
                if outs[t].get(k) != outs[tools[0]].get(k):
                    return "MISMATCH", f"{k}: {TOOL_NAMES[tools[0]]} {outs[tools[0]].get(k)} vs {TOOL_NAMES[t]} {outs[t].get(k)}"
        return ("agree" if len(tools) > 1 else "n/a"), ", ".join(keys) + " equal"

    return check


def cases(full, hdf5=False, data_dir=None):
    w1_n = 10**9 if full else 2 * 10**8
    w2_n = 20000
    w3_n = 500000 if full else 40000
    w4_h, w4_w = (5760, 11520) if full else (1440, 2880)
    w5_n = 7000
    w9_t, w9_h, w9_w = (365, 1440, 2880) if full else (120, 720, 1440)
    half = lambda k: (k + 1) // 2  # noqa: E731
    w3_kept = half(w3_n) ** 2
    hw = w4_h * w4_w
    long_t = 6 * 3600 if full else 1200

    def trio(stem, args, arr_opts=()):
        return {
            "arr": (f"{stem}.arr", args, list(arr_opts)),
            "dask": (f"{stem}_dask.py", args, []),
            "numpy": (f"{stem}_numpy.py", args, []),
        }

    out = [
        Case("start-up", "start-up", "start-up baseline (print one line)", "-",
             trio("startup", []), check=check_same(["ok"]),
             note="Arr: parse, check, print; Dask: `import dask.array`; NumPy: `import numpy`"),
        Case("W1", "W1", "blocked sum / mean / std, 1-D f64, chunks 10^6"
             + (", read from HDF5" if hdf5 else ", generated"),
             f"n = {w1_n:.0e}",
             dict(trio("w1_stats_hdf5", [os.path.join(data_dir, f"w1-{w1_n}.hdf5")]),
                  h5py=("w1_read_h5py.py", [os.path.join(data_dir, f"w1-{w1_n}.hdf5")], [])) if hdf5
             else trio("w1_stats", [str(w1_n)]),
             check=check_exact(["sum", "mean", "std"], exact_keys=["n"]),
             timeout={t: long_t for t in (*TOOLS, "h5py")},
             note=("h5py read: the floor, h5py only reading the file chunk by chunk (`read_direct` into "
                   "one reused buffer, nothing computed); the line below the table compares Arr with it"
                   if hdf5 else ""),
             prepare=(["w1", os.path.join(data_dir, f"w1-{w1_n}.hdf5"), str(w1_n)] if hdf5 else None)),
        Case("W2", "W2", "normal(10, 0.1, (n, n), chunks 1000²).mean(axis=0)[::100]",
             f"n = {w2_n}", trio("w2_random_mean", [str(w2_n)]),
             check=check_stats({"mean": (10.0, 6 * 0.1 / math.sqrt(w2_n * (w2_n // 100))),
                                "std": (0.1 / math.sqrt(w2_n), 0.3 * 0.1 / math.sqrt(w2_n))},
                               exact_keys=[("len", len(range(0, w2_n, 100)))]),
             timeout={t: long_t for t in TOOLS}),
        Case("W3", "W3", "(normal(10, 1, (N, N), chunks 10000²) + 1)[::2, ::2].sum()",
             f"N = {w3_n}", trio("w3_2tb", [str(w3_n)]),
             check=check_stats({"mean": (11.0, 6 / math.sqrt(w3_kept))},
                               exact_keys=[("count", w3_kept)]),
             timeout={t: long_t for t in TOOLS}),
        Case("W4", "W4", "weather: 31 days from HDF5, stacked, mean over time, day-0 anomaly, "
             "[:, ::2, ::2] stored to HDF5",
             f"31 x {w4_h} x {w4_w}",
             trio("w4_weather_hdf5", [os.path.join(data_dir, f"weather-{w4_h}x{w4_w}"), "{tmp}/small.hdf5"]),
             check=check_exact(["avg_mean", "anomaly_mean", "anomaly_std", "small_mean"],
                               exact_keys=["shape", "small_shape"], abs_tol={"anomaly_mean": 1e-9}),
             timeout={t: long_t for t in TOOLS},
             prepare=["w4", os.path.join(data_dir, f"weather-{w4_h}x{w4_w}"), str(w4_h), str(w4_w)])
        if hdf5 else
        Case("W4", "W4", "weather: 31 generated days stacked, mean over time, day-0 anomaly, "
             "[:, ::2, ::2] reduced (not stored)",
             f"31 x {w4_h} x {w4_w}", trio("w4_weather", [str(w4_h), str(w4_w)]),
             check=check_stats(
                 {}, exact_keys=[("shape", f"(31, {w4_h}, {w4_w})")],
                 pairwise={"avg_mean": 6 * math.sqrt(2 / (31 * hw)),
                           "anomaly_mean": 6 * math.sqrt(2 * 30 / 31 / hw),
                           "anomaly_std": 6 / math.sqrt(hw),
                           "small_mean": 6 * math.sqrt(2 / (31 * half(w4_h) * half(w4_w)))}),
             timeout={t: long_t for t in TOOLS}),
        Case("W5", "W5", "Lennard-Jones energy, nansum over the n x n matrix", f"n = {w5_n}",
             trio("w5_lj_nansum", [str(w5_n)]),
             check=check_exact(["energy"], exact_keys=["n"]),
             timeout={t: long_t for t in TOOLS}),
        Case("W5-mask", "W5", "Lennard-Jones energy, triu + boolean mask (the NumPy original)",
             f"n = {w5_n}", trio("w5_lj_triu", [str(w5_n)]),
             check=check_exact(["energy"], exact_keys=["n"]),
             timeout={t: long_t for t in TOOLS}),
        Case("W9", "W9", "Zarr cube (time x y x x, f32): mean over y, x per step; 3 x 3 moving "
             "average by map_overlap stored to Zarr",
             f"{w9_t} x {w9_h} x {w9_w}",
             trio("w9_cube", [os.path.join(data_dir, f"cube-{w9_t}x{w9_h}x{w9_w}.zarr"), "{tmp}/avg.zarr"]),
             check=check_exact(["step_mean_sum", "step_mean_0", "avg_mean"], rel=1e-5,
                               exact_keys=["shape"]),
             timeout={t: long_t for t in TOOLS},
             prepare=["w9", os.path.join(data_dir, f"cube-{w9_t}x{w9_h}x{w9_w}.zarr"),
                      str(w9_t), str(w9_h), str(w9_w)]),
        Case("W9-mean", "W9", "Zarr cube: the mean over y, x per step alone (W9's first half)",
             f"{w9_t} x {w9_h} x {w9_w}",
             trio("w9_mean", [os.path.join(data_dir, f"cube-{w9_t}x{w9_h}x{w9_w}.zarr")]),
             check=check_exact(["step_mean_sum", "step_mean_0"], rel=1e-5),
             timeout={t: long_t for t in TOOLS},
             prepare=["w9", os.path.join(data_dir, f"cube-{w9_t}x{w9_h}x{w9_w}.zarr"),
                      str(w9_t), str(w9_h), str(w9_w)]),
        Case("overhead-1e5", "overhead", "scheduler overhead: sum(ones(10^6, chunks=10))",
             "10^5 chunks",
             {"arr": ("overhead.arr", ["1000000", "10"], []),
              "dask": ("overhead_dask.py", ["1000000", "10"], [])},
             check=check_exact(["sum"], exact_keys=["chunks"]), per_chunk=10**5,
             timeout={"arr": 300, "dask": 300}),
        Case("overhead-1e6", "overhead", "scheduler overhead: sum(ones(10^7, chunks=10))",
             "10^6 chunks",
             {"arr": ("overhead.arr", ["10000000", "10"], []),
              "dask": ("overhead_dask.py", ["10000000", "10"], [])},
             check=check_exact(["sum"], exact_keys=["chunks"]), per_chunk=10**6,
             repeat={"dask": 1}, timeout={"arr": 300, "dask": 90}),
        Case("graph-build", "graph", "build (ones(10^9, chunks=1000) + 1) * 2, print its shape",
             "10^6 chunks",
             {"arr": ("graph.arr", ["1000000000", "1000"], []),
              "dask": ("graph_dask.py", ["1000000000", "1000", "build"], [])},
             check=check_same(["shape", "blocks"]), per_chunk=10**6,
             note="Dask: the collection only (its graph layers stay lazy)"),
        Case("graph-full", "graph",
             "the same, ready to run: `arr check` / Dask graph materialised",
             "10^6 chunks",
             {"arr": ("graph.arr", [], ["check"]),
              "dask": ("graph_dask.py", ["1000000000", "1000", "materialize"], [])},
             check=None, per_chunk=10**6, repeat={"dask": 1},
             timeout={"arr": 300, "dask": 150},
             note="Arr: `arr check graph.arr` (static check of the whole script; Arr never "
                  "expands a per-chunk task graph); Dask: dict(y.__dask_graph__()), 3 x 10^6 "
                  "tasks, the work every compute() of y starts with"),
    ]
    # W8: compressed files (issue 11), read by Arr, by Dask (da.from_array / da.from_zarr) and
    # by h5py / zarr-python + NumPy: a 5000 x 5000 array, and the W4 weather stack (31 daily
    # fields as one 3-D array), each in the same three formats.
    if data_dir is not None:
        w8_n = 5000
        w8_sets = [
            ("W8", "sum, mean(axis=0), std of a compressed f64 array", "chunks 500²",
             f"{w8_n} x {w8_n}", os.path.join(data_dir, f"w8-{w8_n}"), ["w8", str(w8_n)], 600),
            ("W8-stack", "W8 on the W4 weather stack (days x lat x lon f64)", "chunks 1 x 720 x 1440",
             f"31 x {w4_h} x {w4_w}", os.path.join(data_dir, f"w8stack-{w4_h}x{w4_w}"),
             ["w8stack", str(w4_h), str(w4_w)], 1200),
        ]
        for prefix, what, chunks, size, folder, make, limit in w8_sets:
            for fmt, kind, name, stored in [("h5gzip", "hdf5", "gzip.h5", "gzip+shuffle HDF5"),
                                            ("zarr2-blosc", "zarr", "blosc2.zarr", "Blosc-LZ4 Zarr 2"),
                                            ("zarr3-zstd", "zarr", "zstd3.zarr", "zstd Zarr 3")]:
                out.append(Case(f"{prefix}-{fmt}", "W8", f"{what}: {stored}, {chunks}", size,
                                trio("w8_compressed", [kind, os.path.join(folder, name)]),
                                check=check_exact(["sum", "mean0", "std"], exact_keys=["shape"]),
                                timeout={t: limit for t in TOOLS},
                                note="NumPy: h5py / zarr-python read the whole array, NumPy reduces it",
                                prepare=[make[0], folder] + make[1:]))
    out += linalg_cases(full, data_dir, trio, long_t)
    # W3 on one thread: nanoseconds per generated element (N²/4 normals are generated).
    w3_1t_n = 20000
    out.append(Case("W3-1thread", "W3", "W3 on one thread (ns per generated element)",
                    f"N = {w3_1t_n}",
                    {"arr": ("w3_2tb.arr", [str(w3_1t_n)], ["--threads", "1"])},
                    check=check_stats({"mean": (11.0, 6 / math.sqrt(half(w3_1t_n) ** 2))},
                                      exact_keys=[("count", half(w3_1t_n) ** 2)]),
                    timeout={"arr": long_t, "arr-interp": long_t}))
    # Every workload Arr runs also runs on the interpreter, for the JIT / interpreter table.
    for c in out:
        if "arr" in c.cmds and c.cmds["arr"][2] != ["check"] and c.group not in ("start-up",):
            script, args, extra = c.cmds["arr"]
            c.cmds["arr-interp"] = (script, args, [*extra, "--backend", "interp"])
            if "arr" in c.timeout:
                c.timeout["arr-interp"] = c.timeout["arr"]
    return out


def linalg_cases(full, data_dir, trio, long_t):
    """W6 (embedding normalisation, Zarr to Zarr), W7 (4000² matmul) and TSQR (2·10^7 x 16).
    BENCH_W6_N, BENCH_W7_N and BENCH_TSQR_N override the sizes for a quick run."""
    w6_n = int(os.environ.get("BENCH_W6_N", 10**7 if full else 10**6))
    w7_n = int(os.environ.get("BENCH_W7_N", 4000))
    tsqr_n = int(os.environ.get("BENCH_TSQR_N", 2 * 10**7))
    w6_in = os.path.join(data_dir, f"w6-{w6_n}.zarr")
    return [
        Case("W6", "W6", "embeddings: x / linalg.norm(x, axis=1, keepdims=true), N x 768 f32 "
             "Zarr to Zarr", f"N = {w6_n:.0e}",
             trio("w6_embed_norm", [w6_in, "{tmp}/out.zarr"]),
             check=check_exact(["check"], rel=1e-5, exact_keys=["shape"]),
             timeout={t: long_t for t in TOOLS}, prepare=["w6", w6_in, str(w6_n)],
             note="input: Zarr format 3, uncompressed, blocks of 10^4 x 768"),
        Case("W7", "W7", "matmul of two n x n f64 arrays in 1000² chunks", f"n = {w7_n}",
             trio("w7_matmul", [str(w7_n)]),
             check=check_exact(["sum", "corner"], exact_keys=["n"]),
             timeout={t: long_t for t in TOOLS},
             note="NumPy: OpenBLAS with as many threads as the others have workers"),
        Case("TSQR", "TSQR", "linalg.qr of a tall n x 16 f64 array in row blocks of 10^5 (TSQR), "
             "then Q^T Q", f"n = {tsqr_n:.0e}", trio("tsqr", [str(tsqr_n)]),
             check=check_exact(["rdiag"], rel=1e-9, exact_keys=["n", "orth_ok"]),
             timeout={t: long_t for t in TOOLS},
             note="NumPy: LAPACK QR of the whole array in memory (OpenBLAS threads as workers)"),
    ]


# ----------------------------------------------------------------------------------------
# Running one process
# ----------------------------------------------------------------------------------------

def mem_total():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def cpu_busy_seconds():
    """Seconds of CPU all processes on the machine have used (from /proc/stat)."""
    try:
        with open("/proc/stat") as f:
            parts = f.readline().split()[1:]
        v = [int(x) for x in parts]
        idle = v[3] + (v[4] if len(v) > 4 else 0)
        return (sum(v[:8]) - idle) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None


def rss_of(pid):
    """Resident memory of pid and its children (the timed command runs under /usr/bin/time)."""
    total = 0
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids += [int(x) for x in f.read().split()]
    except (OSError, ValueError):
        pass
    for q in pids:
        try:
            with open(f"/proc/{q}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def hwm_of(pid):
    """Peak resident memory so far of the deepest process started for a run (VmHWM)."""
    best = 0
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids += [int(x) for x in f.read().split()]
    except (OSError, ValueError):
        pass
    for q in pids:
        try:
            with open(f"/proc/{q}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        best = max(best, int(line.split()[1]) * 1024)
        except OSError:
            pass
    return best


GNU_TIME = "/usr/bin/time"


def have_gnu_time():
    try:
        r = subprocess.run([GNU_TIME, "-f", "%M", "true"], capture_output=True, text=True, timeout=10)
        return r.returncode == 0 and r.stderr.strip().splitlines()[-1].isdigit()
    except (OSError, subprocess.SubprocessError, IndexError):
        return False


USE_GNU_TIME = None


def run_process(cmd, timeout, mem_limit, env):
    """Runs cmd; returns wall, user, sys, peak RSS, exit status, output, and why it was killed.

    CPU time comes from os.wait4() on the child. Peak RSS comes from GNU time's %M where
    /usr/bin/time exists: Linux carries a process's peak RSS across fork and exec, so
    wait4()'s ru_maxrss of a child of this (larger) Python process would never read below
    this process's own size; a child of the small `time` process has no such floor. Without
    /usr/bin/time the peak is sampled from /proc every 0.1 s (exact for runs of more than a
    few tenths of a second)."""
    global USE_GNU_TIME
    if USE_GNU_TIME is None:
        USE_GNU_TIME = have_gnu_time()
    fd, tfile = tempfile.mkstemp(prefix="arr-bench-time-")
    os.close(fd)
    full = [GNU_TIME, "-o", tfile, "-f", "%M", *cmd] if USE_GNU_TIME else list(cmd)
    busy0 = cpu_busy_seconds()
    t0 = time.perf_counter()
    p = subprocess.Popen(full, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    bufs = {"out": [], "err": []}

    def drain(stream, key):
        for chunk in iter(lambda: stream.read(65536), b""):
            bufs[key].append(chunk)

    readers = [threading.Thread(target=drain, args=(p.stdout, "out"), daemon=True),
               threading.Thread(target=drain, args=(p.stderr, "err"), daemon=True)]
    for r in readers:
        r.start()
    killed = {"why": None}
    sampled = {"hwm": 0}
    done = threading.Event()

    def watchdog():
        deadline = t0 + timeout if timeout else None
        while not done.wait(0.1):
            sampled["hwm"] = max(sampled["hwm"], hwm_of(p.pid))
            why = None
            if deadline and time.perf_counter() > deadline:
                why = f"timeout (>{timeout:.0f} s)"
            elif mem_limit and rss_of(p.pid) > mem_limit:
                why = f"OOM (RSS > {mem_limit / 2**30:.1f} GiB)"
            if why:
                killed["why"] = why
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except OSError:
                    pass
                return

    w = threading.Thread(target=watchdog, daemon=True)
    w.start()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    busy1 = cpu_busy_seconds()
    done.set()
    p.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    for r in readers:
        r.join(5)
    w.join(1)
    rss = None
    if USE_GNU_TIME:
        try:
            with open(tfile) as f:
                lines = [ln for ln in f.read().splitlines() if ln.strip()]
            rss = int(lines[-1]) * 1024
            # `time` exits with the command's status, or 128 + N when signal N ended it.
            if any(ln.startswith("Command terminated by signal") for ln in lines[:-1]):
                p.returncode = -(p.returncode - 128)
        except (OSError, ValueError, IndexError):
            rss = None
    os.unlink(tfile)
    if rss is None:
        rss = sampled["hwm"] or ru.ru_maxrss * 1024
    cpu = ru.ru_utime + ru.ru_stime
    other = None
    if busy0 is not None and busy1 is not None and wall > 0:
        other = max(0.0, (busy1 - busy0 - cpu) / wall)
    return {
        "wall": wall, "user": ru.ru_utime, "sys": ru.ru_stime, "cpu": cpu,
        "rss": rss, "rc": p.returncode, "killed": killed["why"],
        "other_load": other,
        "stdout": b"".join(bufs["out"]).decode("utf-8", "replace"),
        "stderr": b"".join(bufs["err"]).decode("utf-8", "replace"),
    }


def arr_has_hdf5(arr, python):
    """Whether this Arr reads HDF5: a one-line probe on a 10-element file written with h5py
    (in a child process, so that this one stays small; see run_process)."""
    d = tempfile.mkdtemp(prefix="arr-bench-probe-")
    try:
        path = os.path.join(d, "probe.hdf5")
        w = subprocess.run([python, "-c", "import sys, h5py, numpy\n"
                            "with h5py.File(sys.argv[1], 'w') as f: f['/x'] = numpy.arange(10.0)", path],
                           capture_output=True, timeout=120)
        if w.returncode != 0:
            return False
        r = subprocess.run([arr, "-e", f'print(sum(from_hdf5("{path}", "/x", chunks=5)))'],
                           capture_output=True, text=True, timeout=60)
        return r.returncode == 0 and r.stdout.strip() == "45.0"
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        shutil.rmtree(d, ignore_errors=True)


def prepare_data(python, spec, env):
    """Writes an HDF5 input once (make_data.py); later runs reuse it."""
    target = spec[1]
    if os.path.exists(target):
        return
    os.makedirs(os.path.dirname(target), exist_ok=True)
    ignore = os.path.join(os.path.dirname(target), ".gitignore")
    if not os.path.exists(ignore):
        with open(ignore, "w") as f:
            f.write("# HDF5 inputs written by benches/run.py\n*\n")
    t = time.perf_counter()
    subprocess.run([python, os.path.join(WL, "make_data.py"), *spec], check=True, env=env)
    print(f"  (wrote {os.path.relpath(target, ROOT)} in {time.perf_counter() - t:.0f} s; not timed)", flush=True)


def parse_output(text):
    out = {}
    for line in text.splitlines():
        parts = line.strip().split(None, 1)
        if len(parts) == 2:
            out[parts[0]] = parts[1].strip()
    return out


def classify(tool, res):
    """ok / skipped / unsupported / crash / error / timeout / OOM, with a one-line reason."""
    if res["killed"]:
        return res["killed"], ""
    if res["rc"] == 0:
        return "ok", ""
    first_err = next((line for line in res["stderr"].splitlines() if line.strip()), "")
    if tool == "numpy" and res["rc"] == 3 and res["stdout"].startswith("SKIP"):
        return "skipped", res["stdout"][5:].strip()
    if res["rc"] < 0:
        sig = -res["rc"]
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        if sig == signal.SIGKILL:
            return "killed", f"SIGKILL (the kernel's OOM killer?) {first_err}"
        return "crash", f"signal {name} {first_err}"
    if tool == "arr":
        if "panicked" in res["stderr"] or res["rc"] not in (1, 2):
            return "crash", f"exit {res['rc']}: " + (
                next((ln for ln in res["stderr"].splitlines() if "panicked" in ln), first_err))
        return "unsupported", first_err
    last = [ln for ln in res["stderr"].splitlines() if ln.strip()]
    return "error", (last[-1] if last else f"exit {res['rc']}")


# ----------------------------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------------------------

def sh(cmd):
    try:
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=30,
                              shell=isinstance(cmd, str)).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def pkg_version(name):
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:  # noqa: BLE001
        return "not installed"


def machine(arr):
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mt = mem_total()
    commit = sh(["git", "rev-parse", "--short", "HEAD"])
    if sh(["git", "status", "--porcelain", "--untracked-files=no", "--", "src"]):
        commit += " (src modified)"
    return {
        "host": socket.gethostname(),
        "cpu": cpu or platform.processor() or "?",
        "cores": os.cpu_count(),
        "memory": f"{mt / 2**30:.1f} GiB" if mt else "?",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": pkg_version("numpy"),
        "dask": pkg_version("dask"),
        "h5py": pkg_version("h5py"),
        "arr": f"{sh([arr, '--version'])}, commit {commit}",
        "rustc": sh(["rustc", "--version"]),
    }


def median(xs):
    return statistics.median(xs) if xs else None


def fmt_s(x):
    if x is None:
        return "—"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    if x >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def fmt_mib(b):
    return "—" if b is None else f"{b / 2**20:.0f}"


def fmt_ratio(a, b):
    if a is None or b is None or b <= 0:
        return "—"
    r = a / b
    return f"{r:.2f}" if r < 10 else f"{r:.0f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="the seeds' sizes (takes hours)")
    ap.add_argument("--only", default="", help="comma-separated workloads: W1..W9, W5-mask, W8-h5gzip, ..., overhead, graph, start-up")
    ap.add_argument("--repeat", type=int, default=3, help="most runs per tool and workload (default 3)")
    ap.add_argument("--budget", type=float, default=45.0,
                    help="run a tool again only while its runs of this workload took less than this "
                         "many seconds in all (default 45; 0 = always --repeat runs)")
    ap.add_argument("--threads", type=int, default=2, help="Arr --threads and Dask num_workers (default 2)")
    ap.add_argument("--arr", default=os.path.join(ROOT, "target", "release", "arr"), help="the arr binary")
    ap.add_argument("--python", default=sys.executable, help="the Python that runs Dask and NumPy")
    ap.add_argument("--timeout", type=float, default=None, help="override every per-run time limit (s)")
    ap.add_argument("--hdf5", choices=("auto", "on", "off"), default="auto",
                    help="W1 and W4 read (and W4 stores) HDF5 files: on, off, or auto = when Arr has from_hdf5")
    ap.add_argument("--data-dir", default=os.path.join(HERE, "data"), help="where the HDF5 inputs are cached")
    ap.add_argument("--skip", default="",
                    help="comma-separated tools not to run (arr, arr-interp, dask, numpy); e.g. numpy "
                         "at --full sizes of W9, whose whole-cube copy fails and evicts the page "
                         "cache the other tools read from")
    ap.add_argument("--no-readme", action="store_true", help="do not update benches/README.md")
    ap.add_argument("--list", action="store_true", help="list the workloads and exit")
    opts = ap.parse_args()

    hdf5 = opts.hdf5 == "on" or (opts.hdf5 == "auto" and arr_has_hdf5(opts.arr, opts.python))
    all_cases = cases(opts.full, hdf5, os.path.abspath(opts.data_dir))
    if opts.list:
        for c in all_cases:
            print(f"{c.id:14} {c.group:9} {c.size:16} {c.title}")
        return 0
    wanted = [w.strip().lower() for w in opts.only.split(",") if w.strip()]
    sel = [c for c in all_cases if not wanted or c.id.lower() in wanted or c.group.lower() in wanted]
    if not sel:
        ap.error(f"no workload matches --only {opts.only!r}; try --list")
    # The start-up baseline is needed for the per-chunk figures.
    if any(c.per_chunk for c in sel) and not any(c.id == "start-up" for c in sel):
        sel.insert(0, all_cases[0])
    if not os.path.exists(opts.arr):
        print(f"error: {opts.arr} not found; run `cargo build --release` (or `make bench`)", file=sys.stderr)
        return 2

    env = dict(os.environ)
    env["BENCH_THREADS"] = str(opts.threads)
    env.setdefault("PYTHONHASHSEED", "0")
    # NumPy's BLAS is not used by these workloads; keep it from oversubscribing anyway.
    for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(v, "1")
    mt = mem_total()
    mem_limit = int(mt * 0.85) if mt else None

    mach = machine(opts.arr)
    started = datetime.datetime.now()
    load_start = os.getloadavg()
    t_all = time.perf_counter()
    print(f"# {len(sel)} workloads, up to {opts.repeat} runs per tool, {'full' if opts.full else 'default'} sizes",
          flush=True)

    print(f"# W1 and W4 {'read HDF5 files' if hdf5 else 'generate their data (Arr has no from_hdf5 yet)'}",
          flush=True)
    records = []
    for case in sel:
        print(f"\n== {case.id}: {case.title} [{case.size}]", flush=True)
        if case.prepare:
            prepare_data(opts.python, case.prepare, env)
        skipped = {t.strip() for t in opts.skip.split(",") if t.strip()}
        case.cmds = {t: c for t, c in case.cmds.items() if t not in skipped}
        runs = {t: [] for t in case.cmds}
        status = {t: None for t in case.cmds}
        for rep in range(opts.repeat):
            for tool, (script, args, extra) in case.cmds.items():
                if status[tool] not in (None, "ok"):
                    continue  # a failed, skipped or timed-out tool is not retried
                if rep >= case.repeat.get(tool, opts.repeat):
                    continue
                if rep > 0 and opts.budget > 0 and sum(r["wall"] for r in runs[tool]) >= opts.budget:
                    continue  # long runs are not repeated (keeps `make bench` short)
                path = os.path.join(WL, script)
                if tool in ARR_TOOLS:
                    if extra == ["check"]:
                        cmd = [opts.arr, "check", path]
                    else:
                        cmd = [opts.arr, "--threads", str(opts.threads), "--no-progress", *extra, path, *args]
                else:
                    cmd = [opts.python, path, *args]
                timeout = opts.timeout or case.timeout.get(tool, 600)
                tmp = tempfile.mkdtemp(prefix="arr-bench-")
                try:
                    res = run_process([a.replace("{tmp}", tmp) for a in cmd], timeout, mem_limit, env)
                finally:
                    shutil.rmtree(tmp, ignore_errors=True)
                st, why = classify(tool, res)
                res["status"], res["why"] = st, why
                res["cmd"] = cmd
                runs[tool].append(res)
                status[tool] = st
                line = (f"  {TOOL_NAMES[tool]:5} run {rep + 1}: {st:7} wall {res['wall']:8.2f} s"
                        f"  cpu {res['cpu']:8.2f} s  rss {res['rss'] / 2**20:8.0f} MiB")
                if res["other_load"] is not None and res["other_load"] > 0.25:
                    line += f"  (other load {res['other_load']:.1f} cores)"
                if why:
                    line += f"  [{why}]"
                print(line, flush=True)
        rec = summarize(case, runs)
        records.append(rec)
        print(f"  -> {rec['verdict']}: {rec['detail']}", flush=True)

    elapsed = time.perf_counter() - t_all
    load_end = os.getloadavg()
    meta = {
        "started": started.isoformat(timespec="seconds"),
        "elapsed_s": round(elapsed, 1),
        "sizes": "full" if opts.full else "default",
        "hdf5": hdf5,
        "repeat": opts.repeat,
        "budget": opts.budget,
        "threads": opts.threads,
        "only": opts.only,
        "skip": opts.skip,
        "load_start": [round(x, 2) for x in load_start],
        "load_end": [round(x, 2) for x in load_end],
        "machine": mach,
    }
    md = render(meta, records)
    write_results(meta, records, md)
    if not opts.no_readme and not wanted:
        update_readme(meta, md)
    print(f"\nall done in {elapsed / 60:.1f} min", flush=True)
    return 1 if any(r["verdict"] == "MISMATCH" for r in records) else 0


def summarize(case, runs):
    rec = {"id": case.id, "group": case.group, "title": case.title, "size": case.size,
           "note": case.note, "per_chunk": case.per_chunk, "tools": {}}
    outs = {}
    for tool, rs in runs.items():
        ok = [r for r in rs if r["status"] == "ok"]
        bad = [r for r in rs if r["status"] != "ok"]
        t = {
            "runs": len(ok),
            "status": bad[0]["status"] if bad else ("ok" if ok else "not run"),
            "why": bad[0]["why"] if bad else "",
            "wall": median([r["wall"] for r in ok]),
            "wall_min": min((r["wall"] for r in ok), default=None),
            "wall_max": max((r["wall"] for r in ok), default=None),
            "cpu": median([r["cpu"] for r in ok]),
            "rss": median([r["rss"] for r in ok]),
            "other_load": median([r["other_load"] for r in ok if r["other_load"] is not None]),
            "cmd": " ".join(shown_arg(a) for a in (rs[0]["cmd"] if rs else [])),
            "wall_all": [round(r["wall"], 3) for r in rs],
        }
        if bad and bad[0]["status"] not in ("skipped",):
            t["wall_failed"] = bad[0]["wall"]
        if ok:
            t["output"] = parse_output(ok[-1]["stdout"])
            outs[tool] = t["output"]
            # The same tool must print the same results on every run.
            firsts = {r["stdout"] for r in ok}
            if len(firsts) > 1 and (tool == "arr" or case.group not in ("W2", "W3", "W4")):
                t["why"] = "results differ between runs"
        rec["tools"][tool] = t
    if case.check:
        verdict, detail = case.check(outs)
    else:
        verdict, detail = "—", "nothing to compare"
    for tool, t in rec["tools"].items():
        if t["why"] == "results differ between runs":
            verdict, detail = "MISMATCH", f"{TOOL_NAMES[tool]} printed different results on different runs"
    rec["verdict"], rec["detail"] = verdict, detail
    return rec


def shown_arg(a):
    if a == sys.executable or os.path.basename(a).startswith("python"):
        return "python3"
    return os.path.relpath(a, ROOT) if a.startswith(ROOT) else a


def cell_time(t):
    if t is None:
        return "—"
    if t["status"] != "ok":
        label = {"skipped": "skipped", "unsupported": "unsupported", "crash": "CRASH",
                 "error": "error", "killed": "killed"}.get(t["status"], t["status"])
        return label
    return fmt_s(t["wall"])


def render(meta, records):
    m = meta["machine"]
    L = []
    L.append(f"## Run of {meta['started'].replace('T', ' ')} — {meta['sizes']} sizes")
    L.append("")
    L.append(f"`make bench` equivalent: `python3 benches/run.py{' --full' if meta['sizes'] == 'full' else ''}"
             f"{' --only ' + meta['only'] if meta['only'] else ''}"
             f"{' --skip ' + meta['skip'] if meta.get('skip') else ''} --repeat {meta['repeat']} --budget {meta['budget']:g}`"
             f" (each tool runs up to {meta['repeat']} times per workload, again only while its runs so far took"
             f" under {meta['budget']:g} s); "
             f"took {meta['elapsed_s'] / 60:.1f} min. Arr `--threads {meta['threads']}`, Dask threaded "
             f"scheduler with {meta['threads']} workers, NumPy single process. "
             f"Load average at start {meta['load_start'][0]}, at end {meta['load_end'][0]}.")
    L.append("")
    L.append("W1 and W4 " + ("read their inputs from HDF5 files (W4 also stores its subsample)." if meta.get("hdf5")
             else "generate their inputs lazily: Arr has no HDF5 input/output yet (see benches/README.md)."))
    L.append("")
    L.append(f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}, {m['os']}; Python {m['python']}, "
             f"NumPy {m['numpy']}, Dask {m['dask']}, h5py {m['h5py']}; {m['arr']}; {m['rustc']}.")
    L.append("")
    L.append("Wall and CPU (user + sys) seconds and peak RSS are medians over the runs of each whole "
             "process. Dask/Arr and NumPy/Arr divide wall times: above 1, Arr is faster; below 1, Arr is slower.")
    L.append("")
    L.append("| workload | size | Arr s | Dask s | NumPy s | Dask/Arr | NumPy/Arr | CPU s A / D / N "
             "| peak RSS MiB A / D / N | results |")
    L.append("|---|---|--:|--:|--:|--:|--:|--:|--:|---|")
    for r in records:
        ts = r["tools"]
        a, d, n = ts.get("arr"), ts.get("dask"), ts.get("numpy")
        okw = lambda t: t["wall"] if t and t["status"] == "ok" else None  # noqa: E731
        cpu = " / ".join(fmt_s(t["cpu"]) if t and t["status"] == "ok" else "—" for t in (a, d, n))
        rss = " / ".join(fmt_mib(t["rss"]) if t and t["status"] == "ok" else "—" for t in (a, d, n))
        L.append(f"| {r['id']} {r['title']} | {r['size']} | {cell_time(a)} | {cell_time(d)} | {cell_time(n)} "
                 f"| {fmt_ratio(okw(d), okw(a))} | {fmt_ratio(okw(n), okw(a))} | {cpu} | {rss} | {r['verdict']} |")
    L.append("")
    # W1 against the time h5py takes only to read the same file (run alternately with the others).
    w1 = next((r for r in records if r["id"] == "W1"), None)
    if w1 and "h5py" in w1["tools"]:
        a, h = w1["tools"].get("arr"), w1["tools"]["h5py"]
        if a and a["status"] == "ok" and h["status"] == "ok":
            L.append(f"W1 against reading its file: h5py only reading the file chunk by chunk (nothing "
                     f"computed) takes {fmt_s(h['wall'])} s (CPU {fmt_s(h['cpu'])} s, peak RSS "
                     f"{fmt_mib(h['rss'])} MiB); Arr's W1 (sum, mean and std in one pass over the file) "
                     f"{fmt_s(a['wall'])} s: Arr / h5py read = {fmt_ratio(a['wall'], h['wall'])}.")
            L.append("")
    # The JIT against the interpreter, in the same run.
    both = [r for r in records if "arr-interp" in r["tools"] and "arr" in r["tools"]]
    if both:
        L.append("JIT and interpreter: Arr on its default backend (the Cranelift JIT) and with "
                 "`--backend interp`, same run; interp/JIT above 1 means the JIT is faster.")
        L.append("")
        L.append("| workload | Arr JIT s | Arr interp s | interp/JIT | peak RSS MiB JIT / interp |")
        L.append("|---|--:|--:|--:|--:|")
        for r in both:
            j, i = r["tools"]["arr"], r["tools"]["arr-interp"]
            okw = lambda t: t["wall"] if t and t["status"] == "ok" else None  # noqa: E731
            rss = " / ".join(fmt_mib(t["rss"]) if t["status"] == "ok" else "—" for t in (j, i))
            L.append(f"| {r['id']} | {cell_time(j)} | {cell_time(i)} | {fmt_ratio(okw(i), okw(j))} | {rss} |")
        L.append("")
        w3 = next((r for r in records if r["id"] == "W3-1thread"), None)
        if w3:
            kept = ((int(w3["size"].split("=")[1]) + 1) // 2) ** 2
            cells = []
            for tool in ARR_TOOLS:
                t = w3["tools"].get(tool)
                if t and t["status"] == "ok":
                    cells.append(f"{TOOL_NAMES[tool]} {t['wall'] * 1e9 / kept:.2f} ns")
            L.append(f"W3 on one thread, per generated element (wall / {kept} normals): "
                     + ", ".join(cells) + ".")
            L.append("")
    # Per-chunk figures.
    base = next((r for r in records if r["id"] == "start-up"), None)
    pcs = [r for r in records if r["per_chunk"]]
    if pcs:
        L.append("Per chunk: (median wall − start-up wall) / chunks, so the interpreter's start "
                 "(and Python's `import dask.array`) is not counted.")
        L.append("")
        L.append("| case | chunks | Arr µs/chunk | Dask µs/chunk | Dask/Arr | Arr peak RSS MiB | Dask peak RSS MiB |")
        L.append("|---|--:|--:|--:|--:|--:|--:|")
        for r in pcs:
            cells = []
            per = {}
            for tool in ("arr", "dask"):
                t = r["tools"].get(tool)
                b = base["tools"].get(tool) if base else None
                if t is None:
                    cells.append("—")
                elif t["status"] != "ok":
                    cells.append(t["status"] if t["status"] != "killed" else "killed (OOM?)")
                else:
                    sub = t["wall"] - (b["wall"] if b and b["status"] == "ok" else 0.0)
                    per[tool] = max(sub, 0.0) / r["per_chunk"] * 1e6
                    cells.append(f"{per[tool]:.2f}" if per[tool] < 10 else f"{per[tool]:.0f}")
            ratio = fmt_ratio(per.get("dask"), per.get("arr")) if per.get("arr") else "—"
            rss = [fmt_mib(r["tools"][t]["rss"]) if t in r["tools"] and r["tools"][t]["status"] == "ok" else "—"
                   for t in ("arr", "dask")]
            L.append(f"| {r['id']} | {r['per_chunk']:.0e} | {cells[0]} | {cells[1]} | {ratio} | {rss[0]} | {rss[1]} |")
        L.append("")
    # Details.
    L.append("<details><summary>Details: commands, every run's wall time, result checks, failures</summary>")
    L.append("")
    L.append("| workload | tool | command | runs (wall s) | min–max s | other load (cores) | status |")
    L.append("|---|---|---|---|---|--:|---|")
    for r in records:
        for tool, t in r["tools"].items():
            mm = (f"{fmt_s(t['wall_min'])}–{fmt_s(t['wall_max'])}" if t["wall_min"] is not None else "—")
            ol = f"{t['other_load']:.2f}" if t["other_load"] is not None else "—"
            st = t["status"] + (f": {t['why']}" if t["why"] else "")
            st = st.replace("|", "\\|")
            L.append(f"| {r['id']} | {TOOL_NAMES[tool]} | `{t['cmd']}` | {', '.join(map(str, t['wall_all']))} "
                     f"| {mm} | {ol} | {st} |")
    L.append("")
    for r in records:
        note = f" {r['note']}." if r["note"] else ""
        L.append(f"- **{r['id']}** {r['verdict']}: {r['detail']}.{note}")
    L.append("")
    L.append("</details>")
    L.append("")
    return "\n".join(L)


def write_results(meta, records, md):
    os.makedirs(RESULTS, exist_ok=True)
    stem = f"{meta['started'][:10]}-{re.sub(r'[^A-Za-z0-9_.-]', '_', meta['machine']['host'])}"
    path = os.path.join(RESULTS, stem + ".md")
    m = meta["machine"]
    if not os.path.exists(path):
        head = [f"# Benchmarks on {m['host']}, {meta['started'][:10]}", "",
                "| | |", "|---|---|",
                f"| CPU | {m['cpu']}, {m['cores']} cores |",
                f"| memory | {m['memory']} |",
                f"| OS | {m['os']} |",
                f"| Python | {m['python']} (NumPy {m['numpy']}, Dask {m['dask']}, h5py {m['h5py']}) |",
                f"| Arr | {m['arr']} at the first run; each run names its own |",
                f"| Rust | {m['rustc']} |",
                "", "How to read these tables: benches/README.md. Each run appends a section below.", "", ""]
        with open(path, "w") as f:
            f.write("\n".join(head))
    with open(path, "a") as f:
        f.write(md + "\n")
    jpath = os.path.join(RESULTS, stem + ".json")
    runs = []
    if os.path.exists(jpath):
        try:
            with open(jpath) as f:
                runs = json.load(f)
        except (OSError, ValueError):
            runs = []
    runs.append({"meta": meta, "records": records})
    with open(jpath, "w") as f:
        json.dump(runs, f, indent=1, default=str)
    print(f"\nwrote {os.path.relpath(path, ROOT)} and {os.path.relpath(jpath, ROOT)}")


def update_readme(meta, md):
    if not os.path.exists(README):
        return
    with open(README) as f:
        text = f.read()
    if LATEST_BEGIN not in text or LATEST_END not in text:
        return
    pre, rest = text.split(LATEST_BEGIN, 1)
    _, post = rest.split(LATEST_END, 1)
    body = md.replace("## Run of", "### Run of", 1)
    with open(README, "w") as f:
        f.write(pre + LATEST_BEGIN + "\n\n" + body + "\n" + LATEST_END + post)
    print(f"updated the latest table in {os.path.relpath(README, ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
