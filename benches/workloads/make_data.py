"""Writes the HDF5 inputs of the W1 and W4 HDF5 variants (once; the runner caches them).

    python3 make_data.py w1 FILE N
    python3 make_data.py w4 DIR H W
    python3 make_data.py w6 DIR.zarr N
    python3 make_data.py w8 DIR N     (W8: one N x N f64 array, gzip+shuffle HDF5, Blosc-LZ4
                                       Zarr 2 and zstd Zarr 3, chunks 500 x 500)
    python3 make_data.py w8stack DIR H W (W8 on the W4 stack: 31 x H x W f64, the three formats)
    python3 make_data.py w9 CUBE.zarr T H W

The values are those the generated variants compute: W1 (arange % 1000) * 0.001 + 10.0;
W4 a smooth field plus NumPy RandomState(1000 + day) normal noise, 31 days; W9 a
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


def w6(path, n, d=768, rows=10_000):
    """N x 768 f32 embeddings in Zarr (format 3, uncompressed, blocks of 10^4 rows)."""
    import zarr

    tmp = path + ".part"
    z = zarr.create_array(store=tmp, shape=(n, d), chunks=(min(n, rows), d), dtype="f4",
                          compressors=None, overwrite=True)
    j = np.arange(d, dtype=np.float64)
    for lo in range(0, n, rows):
        hi = min(n, lo + rows)
        i = np.arange(lo, hi, dtype=np.float64)[:, None]
        z[lo:hi] = (np.sin(i * 0.001 + j * 0.37) + 0.01 * (j % 7)).astype(np.float32)
    os.replace(tmp, path)


def w8(folder, n):
    import numcodecs
    import zarr

    tmp = folder + ".part"
    os.makedirs(tmp, exist_ok=True)
    # Measurements with two decimals (as real data often is, so it compresses): a smooth
    # field plus noise.
    rng = np.random.default_rng(8)
    y = np.linspace(0, 6, n)[:, None]
    x = np.round(280 + 10 * np.sin(y) * np.cos(np.linspace(0, 6, n))[None, :]
                 + rng.normal(0, 1, size=(n, n)), 2)
    c = (min(n, 500), min(n, 500))
    with h5py.File(os.path.join(tmp, "gzip.h5"), "w") as f:
        f.create_dataset("/x", data=x, chunks=c, compression="gzip", compression_opts=4, shuffle=True)
    z = zarr.create_array(os.path.join(tmp, "blosc2.zarr"), shape=x.shape, chunks=c, dtype="f8",
                          zarr_format=2, compressors=numcodecs.Blosc(cname="lz4", clevel=5, shuffle=1))
    z[...] = x
    z = zarr.create_array(os.path.join(tmp, "zstd3.zarr"), shape=x.shape, chunks=c, dtype="f8",
                          zarr_format=3, compressors=zarr.codecs.ZstdCodec(level=3))
    z[...] = x
    os.replace(tmp, folder)


def w8stack(folder, h, w, days=31):
    """W8 on the W4 weather stack: the 31 daily fields of W4 (rounded to two decimals, as
    measurements are, so they compress) stacked into one days x h x w f64 array, chunks of
    one day x 720 x 1440, in the three W8 formats."""
    import numcodecs
    import zarr

    tmp = folder + ".part"
    os.makedirs(tmp, exist_ok=True)
    lat = np.linspace(-90.0, 90.0, h)
    lon = np.linspace(0.0, 360.0, w)
    shape, c = (days, h, w), (1, min(h, 720), min(w, 1440))
    f = h5py.File(os.path.join(tmp, "gzip.h5"), "w")
    hd = f.create_dataset("/x", shape=shape, dtype="f8", chunks=c, compression="gzip",
                          compression_opts=4, shuffle=True)
    z2 = zarr.create_array(os.path.join(tmp, "blosc2.zarr"), shape=shape, chunks=c, dtype="f8",
                           zarr_format=2, compressors=numcodecs.Blosc(cname="lz4", clevel=5, shuffle=1))
    z3 = zarr.create_array(os.path.join(tmp, "zstd3.zarr"), shape=shape, chunks=c, dtype="f8",
                           zarr_format=3, compressors=zarr.codecs.ZstdCodec(level=3))
    for d in range(days):
        smooth = (288.0 - 30.0 * np.cos(lat * (np.pi / 90.0))[:, None]
                  + 5.0 * np.sin(lon * (np.pi / 180.0) + d * 0.2)[None, :])
        field = np.round(smooth + np.random.RandomState(1000 + d).normal(0, 1, size=(h, w)), 2)
        hd[d] = field
        z2[d] = field
        z3[d] = field
    f.close()
    os.replace(tmp, folder)


def w9(path, t, h, w):
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
    if sys.argv[1] == "w6":
        w6(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "w1":
        w1(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "w8":
        w8(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "w8stack":
        w8stack(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif sys.argv[1] == "w9":
        w9(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        w4(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
