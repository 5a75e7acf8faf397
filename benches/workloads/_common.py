"""Shared helpers for the Python (Dask / NumPy) benchmark scripts.

Every script prints its results as `key value` lines, the same keys as the Arr script of the
same workload, so the runner can compare them.
"""
import os
import sys


def emit(key, value):
    """Print one result line; floats in the shortest form that reads back exactly (as Arr)."""
    if hasattr(value, "item"):
        value = value.item()
    print(key, repr(value) if isinstance(value, float) else value, flush=True)


def dask_threads():
    """Configure Dask's threaded scheduler with the worker count the runner asks for."""
    import dask

    workers = int(os.environ.get("BENCH_THREADS", "2"))
    dask.config.set(scheduler="threads", num_workers=workers)
    return workers


def numpy_fits(nbytes, what):
    """Exit with status 3 and a SKIP line when plain NumPy would need more than 70% of RAM."""
    avail = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    avail = int(line.split()[1]) * 1024
    except OSError:
        pass
    if avail is not None and nbytes > 0.7 * avail:
        print(f"SKIP NumPy would hold {nbytes / 2**30:.1f} GiB at once ({what}); "
              f"this machine has {avail / 2**30:.1f} GiB", flush=True)
        sys.exit(3)


def arg(i, default, conv=int):
    return conv(sys.argv[i]) if len(sys.argv) > i else default
