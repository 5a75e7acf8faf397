"""The floor for W1: h5py reads W1's dataset chunk by chunk (10^6 elements at a time, into
one reused buffer, the fastest way h5py offers) and computes nothing. The runner sets it
beside W1 as "h5py read"; W1's targets are stated against it."""
import sys

import h5py
import numpy as np

from _common import emit

CHUNK = 1_000_000

with h5py.File(sys.argv[1], "r") as f:
    d = f["/x"]
    n = d.shape[0]
    buf = np.empty(CHUNK, dtype=d.dtype)
    for i in range(0, n, CHUNK):
        m = min(CHUNK, n - i)
        d.read_direct(buf, np.s_[i:i + m], np.s_[0:m])
emit("n", n)
