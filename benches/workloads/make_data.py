"""Writes the HDF5 inputs of the W1 and W4 HDF5 variants (once; the runner caches them).

    python3 make_data.py w1 FILE N
    python3 make_data.py w4 DIR H W
    python3 make_data.py w7 CUBE.zarr T H W

The values are those the generated variants compute: W1 (arange % 1000) * 0.001 + 10.0;
W4 a smooth field plus NumPy RandomState(1000 + day) normal noise, 31 days; W7 a
time x y x x f32 Zarr cube (uncompressed, chunks of 10 steps x 360 x 720), a smooth field
plus RandomState(7000 + step) noise.
"""
import os
import sys

import h5py
import numpy as np


def w1(path, n):
    tmp = path + ".part"
    with h5py.File(tmp, "w") as f:
        d = f.create_dataset("/x", shape=(n,), dtype="f8", chunks=(min(n, 1_000_000),))
        step = 10_000_000
        for lo in range(0, n, step):
            hi = min(n, lo + step)
            d[lo:hi] = (np.arange(lo, hi) % 1000) * 0.001 + 10.0
    os.replace(tmp, path)


def w4(folder, h, w):
    tmp = folder + ".part"
    os.makedirs(tmp, exist_ok=True)
    lat = np.linspace(-90.0, 90.0, h)
    lon = np.linspace(0.0, 360.0, w)
    for d in range(31):
        smooth = (288.0 - 30.0 * np.cos(lat * (np.pi / 90.0))[:, None]
                  + 5.0 * np.sin(lon * (np.pi / 180.0) + d * 0.2)[None, :])
        field = smooth + np.random.RandomState(1000 + d).normal(0, 1, size=(h, w))
        with h5py.File(os.path.join(tmp, f"{d + 1:02d}.hdf5"), "w") as f:
            f.create_dataset("/t2m", data=field, chunks=(min(h, 500), min(w, 500)))
    os.replace(tmp, folder)


def w7(path, t, h, w):
    import shutil

    import zarr

    tmp = path + ".part"
    shutil.rmtree(tmp, ignore_errors=True)
    chunks = (min(t, 10), min(h, 360), min(w, 720))
    z = zarr.create_array(tmp, shape=(t, h, w), chunks=chunks, dtype="f4", compressors=None)
    lat = np.linspace(-90.0, 90.0, h)
    lon = np.linspace(0.0, 360.0, w)
    for lo in range(0, t, chunks[0]):
        hi = min(t, lo + chunks[0])
        block = np.empty((hi - lo, h, w), dtype=np.float32)
        for d in range(lo, hi):
            smooth = (288.0 - 30.0 * np.cos(lat * (np.pi / 90.0))[:, None]
                      + 5.0 * np.sin(lon * (np.pi / 180.0) + d * 0.05)[None, :])
            block[d - lo] = smooth + np.random.RandomState(7000 + d).normal(0, 1, size=(h, w))
        z[lo:hi] = block
    os.replace(tmp, path)


if __name__ == "__main__":
    if sys.argv[1] == "w1":
        w1(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "w7":
        w7(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        w4(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
