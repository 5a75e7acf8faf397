//! Compressed data against the real tools: every HDF5 filter (h5py, hdf5plugin) and Zarr
//! codec (zarr-python, numcodecs) read by Arr with values equal to NumPy's, every Zarr
//! compression Arr writes read back by zarr-python, xarray opening the Zarr stores and
//! NetCDF files Arr writes, CF decoding equal to xarray's, each storage chunk decompressed
//! once (`--verbose`), failed stores into xarray stores leaving them byte-identical, and
//! corrupt chunks reported with the file, dataset and chunk.

use crate::python::{peers, py};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("arr-io-codecs-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn arr(dir: &Path, env: &[(&str, &str)], flags: &[&str], code: &str) -> Output {
    std::fs::write(dir.join("t.arr"), code).expect("write t.arr");
    let mut c = Command::new(crate::arr_bin());
    c.current_dir(dir)
        .args(["--threads", "2"])
        .args(flags)
        .arg("t.arr");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("arr runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn arr_ok(dir: &Path, code: &str) -> String {
    let o = arr(dir, &[], &[], code);
    assert!(o.status.success(), "arr failed:\n{code}\n---\n{}", text(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Every file under `dir` with its bytes, sorted by path.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(d: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        let mut entries: Vec<_> = std::fs::read_dir(d)
            .expect("read_dir")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push((p.clone(), std::fs::read(&p).expect("read")));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out
}

const HDF5_FILTERS: [&str; 12] = [
    "gzip",
    "fletch",
    "lzf",
    "blosc_lz4",
    "blosc_zstd_bit",
    "blosc_zlib",
    "zstd",
    "lz4",
    "bitshuffle_lz4",
    "bitshuffle",
    "bitshuffle_zstd",
    "i16",
];

#[test]
fn hdf5_every_filter_is_decoded_by_arr_with_numpy_values() {
    if !peers(&["numpy", "h5py", "hdf5plugin"]) {
        return;
    }
    let dir = scratch("h5filters");
    py(
        &dir,
        "import h5py, numpy as np, hdf5plugin as p\n\
         rng = np.random.default_rng(0)\n\
         a = rng.normal(size=(203, 301))\n\
         ai = rng.integers(-30000, 30000, size=(203, 301)).astype(np.int16)\n\
         c = dict(chunks=(50, 64))\n\
         with h5py.File('f.h5', 'w') as f:\n\
         \x20   f.create_dataset('gzip', data=a, compression='gzip', shuffle=True, **c)\n\
         \x20   f.create_dataset('fletch', data=a, compression='gzip', fletcher32=True, **c)\n\
         \x20   f.create_dataset('lzf', data=a, compression='lzf', shuffle=True, **c)\n\
         \x20   f.create_dataset('blosc_lz4', data=a, **p.Blosc(cname='lz4', shuffle=p.Blosc.SHUFFLE), **c)\n\
         \x20   f.create_dataset('blosc_zstd_bit', data=a, **p.Blosc(cname='zstd', shuffle=p.Blosc.BITSHUFFLE), **c)\n\
         \x20   f.create_dataset('blosc_zlib', data=a, **p.Blosc(cname='zlib', shuffle=p.Blosc.NOSHUFFLE), **c)\n\
         \x20   f.create_dataset('zstd', data=a, **p.Zstd(), **c)\n\
         \x20   f.create_dataset('lz4', data=a, **p.LZ4(), **c)\n\
         \x20   f.create_dataset('bitshuffle_lz4', data=a, **p.Bitshuffle(cname='lz4'), **c)\n\
         \x20   f.create_dataset('bitshuffle', data=a, **p.Bitshuffle(cname='none'), **c)\n\
         \x20   f.create_dataset('bitshuffle_zstd', data=a, **p.Bitshuffle(cname='zstd'), **c)\n\
         \x20   f.create_dataset('i16', data=ai, compression='gzip', **c)\n\
         \x20   f.create_dataset('partial', shape=(203, 301), dtype='f8', compression='gzip', fillvalue=7.5, **c)\n\
         \x20   f['partial'][:50, :64] = 1.0\n\
         \x20   f.create_dataset('scaleoffset', data=ai, scaleoffset=0, **c)\n\
         \x20   f.create_dataset('bzip2', data=a, **p.BZip2(), **c)\n\
         np.save('a.npy', a); np.save('ai.npy', ai)\n",
    );
    let mut code = String::new();
    for name in HDF5_FILTERS {
        code.push_str(&format!(
            "x = from_hdf5(\"f.h5\", \"{name}\")\nto_npy(x, \"out_{name}.npy\")\nto_npy(x[::-3, 5:290:7], \"out_{name}_s.npy\")\n"
        ));
    }
    code.push_str("to_npy(from_hdf5(\"f.h5\", \"partial\"), \"out_partial.npy\")\n");
    code.push_str("to_npy(from_hdf5(\"f.h5\", \"scaleoffset\"), \"out_scaleoffset.npy\")\n");
    arr_ok(&dir, &code);
    let out = py(
        &dir,
        &format!(
            "import numpy as np\n\
             a, ai = np.load('a.npy'), np.load('ai.npy')\n\
             bad = []\n\
             for n in {HDF5_FILTERS:?}:\n\
             \x20   ref = ai if n == 'i16' else a\n\
             \x20   if not np.array_equal(np.load('out_%s.npy' % n), ref): bad.append(n)\n\
             \x20   if not np.array_equal(np.load('out_%s_s.npy' % n), ref[::-3, 5:290:7]): bad.append(n + ' sliced')\n\
             p = np.full((203, 301), 7.5); p[:50, :64] = 1.0\n\
             if not np.array_equal(np.load('out_partial.npy'), p): bad.append('partial')\n\
             if not np.array_equal(np.load('out_scaleoffset.npy'), ai): bad.append('scaleoffset')\n\
             print(bad)\n"
        ),
    );
    assert_eq!(out.trim(), "[]");
    // A filter neither Arr nor this libhdf5 decodes is named in the error.
    let o = arr(
        &dir,
        &[],
        &[],
        "print(from_hdf5(\"f.h5\", \"bzip2\").sum())\n",
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("filter 307"), "{}", text(&o));
}

#[test]
fn each_storage_chunk_is_decompressed_once_by_a_reduction() {
    if !peers(&["numpy", "h5py", "zarr"]) {
        return;
    }
    let dir = scratch("once");
    py(
        &dir,
        "import h5py, numpy as np, zarr, numcodecs\n\
         a = np.random.default_rng(3).normal(size=(1200, 1000))\n\
         with h5py.File('g.h5', 'w') as f:\n\
         \x20   f.create_dataset('x', data=a, chunks=(200, 250), compression='gzip', shuffle=True)\n\
         z = zarr.create_array('z.zarr', shape=a.shape, chunks=(200, 250), dtype=a.dtype, zarr_format=2, compressors=numcodecs.Blosc(cname='lz4'))\n\
         z[...] = a\n\
         print(repr(a.sum()), repr(a.mean(axis=0)[7]), repr(a.std()))\n",
    );
    for src in ["from_hdf5(\"g.h5\", \"x\")", "from_zarr(\"z.zarr\")"] {
        let o = arr(
            &dir,
            &[],
            &["--verbose"],
            &format!("x = {src}\nprint(x.sum(), x.mean(axis=0)[7], x.std())\n"),
        );
        let t = text(&o);
        assert!(o.status.success(), "{t}");
        // 6 x 4 storage chunks, each decoded once for the three reductions.
        assert!(t.contains("[arr] 24 storage chunk(s) decoded"), "{t}");
    }
    // A reduction of a reduction along the chunked axis (W8's `sum(mean(x, axis=0))` on a
    // stack of days), under a memory limit whose chunk cache cannot hold the 12 chunks
    // along that axis: still one decode per chunk (it was 16 per chunk: the outer sum asked
    // for the mean in pieces, each reading all 12 days).
    py(
        &dir,
        "import h5py, numpy as np\n\
         a = np.round(np.random.default_rng(4).normal(280, 5, size=(12, 1000, 1000)), 2)\n\
         with h5py.File('stack.h5', 'w') as f:\n\
         \x20   f.create_dataset('x', data=a, chunks=(1, 1000, 1000), compression='gzip', shuffle=True)\n",
    );
    let o = arr(
        &dir,
        &[],
        &["--verbose", "--memory-limit", "512MiB"],
        "x = from_hdf5(\"stack.h5\", \"x\")\nprint(sum(mean(x, axis=0)))\n",
    );
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("[arr] 12 storage chunk(s) decoded"), "{t}");
    let got: f64 = String::from_utf8_lossy(&o.stdout)
        .trim()
        .parse()
        .expect("a number");
    let want: f64 = py(
        &dir,
        "import h5py\nprint(repr(float(h5py.File('stack.h5')['x'][()].mean(axis=0).sum())))",
    )
    .trim()
    .parse()
    .expect("a number");
    assert!(((got - want) / want).abs() < 1e-12, "{got} vs NumPy {want}");
}

#[test]
fn corrupt_compressed_chunks_name_file_dataset_and_chunk() {
    if !peers(&["numpy", "h5py", "zarr"]) {
        return;
    }
    let dir = scratch("corrupt");
    py(
        &dir,
        "import h5py, numpy as np, zarr, numcodecs\n\
         a = np.random.default_rng(3).normal(size=(100, 100))\n\
         with h5py.File('c.h5', 'w') as f:\n\
         \x20   f.create_dataset('x', data=a, chunks=(50, 50), compression='gzip')\n\
         with h5py.File('c.h5', 'r') as f:\n\
         \x20   info = f['x'].id.get_chunk_info(3)\n\
         with open('c.h5', 'r+b') as fh:\n\
         \x20   fh.seek(info.byte_offset + 8); fh.write(b'\\xff' * 32)\n\
         z = zarr.create_array('c.zarr', shape=a.shape, chunks=(50, 50), dtype=a.dtype, zarr_format=2, compressors=numcodecs.Blosc())\n\
         z[...] = a\n\
         open('c.zarr/1.0', 'wb').write(b'not blosc at all')\n",
    );
    let o = arr(&dir, &[], &[], "print(from_hdf5(\"c.h5\", \"x\").sum())\n");
    let t = text(&o);
    assert!(!o.status.success() && !t.contains("panicked"), "{t}");
    assert!(t.contains("chunk [1, 1] of \"x\" in \"c.h5\""), "{t}");
    let o = arr(&dir, &[], &[], "print(from_zarr(\"c.zarr\").sum())\n");
    let t = text(&o);
    assert!(!o.status.success() && !t.contains("panicked"), "{t}");
    assert!(t.contains("chunk [1, 0] of Zarr array \"c.zarr\""), "{t}");
}

const ZARR_READ: [&str; 23] = [
    "blosc_blosclz_0",
    "blosc_blosclz_1",
    "blosc_blosclz_2",
    "blosc_lz4_0",
    "blosc_lz4_1",
    "blosc_lz4_2",
    "blosc_lz4hc_1",
    "blosc_zlib_0",
    "blosc_zlib_1",
    "blosc_zlib_2",
    "blosc_zstd_0",
    "blosc_zstd_1",
    "blosc_zstd_2",
    "zlib",
    "gzip",
    "zstd",
    "lz4",
    "delta",
    "fso",
    "bitround",
    "shuffle",
    "v3_zstd",
    "v3_blosc",
];

#[test]
fn zarr_every_codec_both_directions_with_zarr_python() {
    if !peers(&["numpy", "zarr", "numcodecs"]) {
        return;
    }
    let dir = scratch("zarrcodecs");
    py(
        &dir,
        "import zarr, numpy as np\n\
         from numcodecs import Blosc, Zlib, GZip, Zstd, LZ4, Delta, FixedScaleOffset, BitRound, Shuffle\n\
         rng = np.random.default_rng(1)\n\
         a = rng.normal(size=(130, 170)); ai = rng.integers(-1000, 1000, size=(130, 170)).astype(np.int32)\n\
         cases = {}\n\
         for cname in ['blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd']:\n\
         \x20   for sh in [0, 1, 2]:\n\
         \x20       cases['blosc_%s_%d' % (cname, sh)] = (a, Blosc(cname=cname, shuffle=sh), None)\n\
         cases.update(zlib=(a, Zlib(), None), gzip=(a, GZip(), None), zstd=(a, Zstd(), None), lz4=(a, LZ4(), None))\n\
         cases['delta'] = (ai, Zlib(), [Delta(dtype='<i4')])\n\
         cases['fso'] = (a, Zlib(), [FixedScaleOffset(offset=0, scale=1000, dtype='<f8', astype='<i4')])\n\
         cases['bitround'] = (a, Zstd(), [BitRound(keepbits=10)])\n\
         cases['shuffle'] = (a, Zlib(), [Shuffle(elementsize=8)])\n\
         for k, (v, comp, filt) in cases.items():\n\
         \x20   z = zarr.create_array('in_%s.zarr' % k, shape=v.shape, chunks=(40, 50), dtype=v.dtype, zarr_format=2, compressors=comp, filters=filt)\n\
         \x20   z[...] = v\n\
         \x20   np.save('ref_%s.npy' % k, z[...])\n\
         for k, comp in [('v3_zstd', zarr.codecs.ZstdCodec(level=3)), ('v3_blosc', zarr.codecs.BloscCodec(cname='lz4', shuffle='bitshuffle'))]:\n\
         \x20   z = zarr.create_array('in_%s.zarr' % k, shape=a.shape, chunks=(40, 50), dtype=a.dtype, zarr_format=3, compressors=comp)\n\
         \x20   z[...] = a\n\
         \x20   np.save('ref_%s.npy' % k, a)\n\
         np.save('a.npy', a)\n",
    );
    let mut code = String::from("ok = 0\n");
    for k in ZARR_READ {
        code.push_str(&format!(
            "x = from_zarr(\"in_{k}.zarr\")\nr = from_npy(\"ref_{k}.npy\")\nok = ok + int(all(x == r) & all(x[::-3, 5::7] == r[::-3, 5::7]))\n"
        ));
    }
    code.push_str("print(ok)\n");
    let compressions = [
        "none",
        "zstd",
        "gzip",
        "zlib",
        "blosc",
        "blosc-zstd",
        "blosc-zlib",
        "blosc-blosclz",
        "blosc-lz4hc",
    ];
    code.push_str("a = from_npy(\"a.npy\")\n");
    for c in compressions {
        for f in [2, 3] {
            code.push_str(&format!(
                "to_zarr(a, \"out{f}_{c}.zarr\", zarr_format={f}, compression=\"{c}\", chunks=[40, 50])\n"
            ));
        }
    }
    assert_eq!(arr_ok(&dir, &code).trim(), "23");
    let out = py(
        &dir,
        &format!(
            "import zarr, numpy as np, warnings\n\
             warnings.simplefilter('ignore')\n\
             a = np.load('a.npy'); bad = []\n\
             for c in {compressions:?}:\n\
             \x20   for f in [2, 3]:\n\
             \x20       z = zarr.open_array('out%d_%s.zarr' % (f, c), mode='r')\n\
             \x20       if z.metadata.zarr_format != f or not np.array_equal(z[...], a): bad.append((f, c))\n\
             print(bad)\n"
        ),
    );
    assert_eq!(out.trim(), "[]");
}

#[test]
fn xarray_opens_zarr_variables_arr_writes_and_failed_stores_leave_them_identical() {
    if !peers(&["numpy", "zarr", "xarray"]) {
        return;
    }
    let dir = scratch("xarrayzarr");
    py(
        &dir,
        "import numpy as np, xarray as xr\n\
         t = np.random.default_rng(5).normal(size=(4, 30, 40))\n\
         np.save('t.npy', t)\n\
         for f in [2, 3]:\n\
         \x20   xr.Dataset({'orig': (('time', 'lat', 'lon'), t)}).to_zarr('xr%d.zarr' % f, zarr_format=f)\n",
    );
    arr_ok(
        &dir,
        "t = from_npy(\"t.npy\")\n\
         for f in [2, 3] {\n\
         \x20   to_zarr(t * 2, \"xr\" + str(f) + \".zarr\", variable=\"double\", dims=[\"time\", \"lat\", \"lon\"], compression=\"blosc\")\n\
         \x20   to_zarr(t[0], \"new\" + str(f) + \".zarr\", variable=\"first\", dims=[\"lat\", \"lon\"], zarr_format=f)\n\
         \x20   to_zarr(t[:, 0, 0], \"new\" + str(f) + \".zarr\", variable=\"series\", dims=[\"time\"])\n\
         }\n\
         print(all(from_zarr(\"xr2.zarr\", \"orig\") == t), all(from_zarr(\"new3.zarr\", variable=\"first\") == t[0]))\n",
    );
    let out = py(
        &dir,
        "import numpy as np, xarray as xr\n\
         t = np.load('t.npy'); res = []\n\
         for f in [2, 3]:\n\
         \x20   ds = xr.open_zarr('xr%d.zarr' % f)\n\
         \x20   res.append(np.array_equal(ds['double'].values, 2 * t) and ds['double'].dims == ('time', 'lat', 'lon') and np.array_equal(ds['orig'].values, t))\n\
         \x20   ds = xr.open_zarr('new%d.zarr' % f)\n\
         \x20   res.append(np.array_equal(ds['first'].values, t[0]) and ds['series'].dims == ('time',) and np.array_equal(ds['series'].values, t[:, 0, 0]))\n\
         print(res)\n",
    );
    assert_eq!(out.trim(), "[True, True, True, True]");
    // A store that fails midway (new variable, and replacing one) leaves the store as it was.
    for f in ["2", "3"] {
        let store = dir.join(format!("xr{f}.zarr"));
        let before = snapshot(&store);
        for var in ["fresh", "double"] {
            let o = arr(
                &dir,
                &[("ARR_FAIL_WRITE_AFTER", "2")],
                &[],
                &format!(
                    "to_zarr(from_npy(\"t.npy\"), \"xr{f}.zarr\", variable=\"{var}\", dims=[\"time\", \"lat\", \"lon\"], chunks=[1, 30, 40])\n"
                ),
            );
            assert!(!o.status.success(), "{}", text(&o));
            assert!(text(&o).contains("injected write failure"), "{}", text(&o));
            assert!(snapshot(&store) == before, "format {f}: the store changed");
        }
    }
    // Dimension lengths must agree with the store's other variables.
    let o = arr(
        &dir,
        &[],
        &[],
        "to_zarr(zeros([5]), \"xr2.zarr\", variable=\"bad\", dims=[\"time\"])\n",
    );
    assert!(
        text(&o).contains("dimension \"time\" has length 5 here but 4"),
        "{}",
        text(&o)
    );
}

#[test]
fn netcdf_cf_decoding_matches_xarray_and_xarray_opens_what_arr_writes() {
    if !peers(&["numpy", "netCDF4", "xarray"]) {
        return;
    }
    let dir = scratch("netcdf");
    py(
        &dir,
        "import netCDF4, numpy as np, xarray as xr, warnings\n\
         warnings.simplefilter('ignore')\n\
         rng = np.random.default_rng(2)\n\
         with netCDF4.Dataset('cf.nc', 'w') as f:\n\
         \x20   f.createDimension('time', 6); f.createDimension('lat', 40); f.createDimension('lon', 50)\n\
         \x20   v = f.createVariable('t2m', 'i2', ('time', 'lat', 'lon'), zlib=True, shuffle=True, chunksizes=(1, 20, 25), fill_value=-32767)\n\
         \x20   v.scale_factor = 0.01; v.add_offset = 280.0\n\
         \x20   t = rng.normal(280, 10, size=(6, 40, 50)); t[0, 0, :5] = np.nan\n\
         \x20   v[:] = np.ma.masked_invalid(t)\n\
         \x20   w = f.createVariable('w', 'f4', ('lat', 'lon'), fill_value=np.float32(-999))\n\
         \x20   w.missing_value = np.float32(-888)\n\
         \x20   w.set_auto_maskandscale(False)\n\
         \x20   ww = rng.normal(0, 30, size=(40, 50)).astype('f4'); ww[1, 1] = -999; ww[2, 2] = -888\n\
         \x20   w[:] = ww\n\
         ds = xr.open_dataset('cf.nc')\n\
         np.save('t2m.npy', ds['t2m'].values); np.save('w.npy', ds['w'].values)\n\
         print(ds['t2m'].dtype, ds['w'].dtype)\n",
    );
    let out = arr_ok(
        &dir,
        "t = from_netcdf(\"cf.nc\", \"t2m\")\n\
         w = from_netcdf(\"cf.nc\", \"w\")\n\
         same = |a, b| all((a == b) | (isnan(a) & isnan(b)))\n\
         print(t.dtype, w.dtype, same(t, from_npy(\"t2m.npy\")), same(w, from_npy(\"w.npy\")), int(sum(isnan(t))), from_netcdf(\"cf.nc\", \"t2m\", decode=false).dtype)\n\
         x = random.normal(0, 1, shape=[30, 20], seed=1)\n\
         to_npy(x, \"x.npy\")\n\
         to_netcdf(x, \"out.nc\", \"x\", dims=[\"y\", \"x2\"])\n\
         to_netcdf(x[0], \"out.nc\", \"row\", dims=[\"x2\"])\n",
    );
    assert_eq!(out.trim(), "f64 f32 true true 5 i32");
    let before = std::fs::read(dir.join("out.nc")).expect("out.nc");
    let o = arr(
        &dir,
        &[("ARR_FAIL_WRITE_AFTER", "1")],
        &[],
        "to_netcdf(ones([30, 20], chunks=[10, 20]), \"out.nc\", \"more\", dims=[\"y\", \"x2\"])\n",
    );
    assert!(!o.status.success());
    assert!(std::fs::read(dir.join("out.nc")).expect("out.nc") == before);
    let out = py(
        &dir,
        "import numpy as np, xarray as xr, netCDF4\n\
         ds = xr.open_dataset('out.nc'); x = np.load('x.npy')\n\
         f = netCDF4.Dataset('out.nc')\n\
         print(np.array_equal(ds['x'].values, x), ds['x'].dims, f['row'].dimensions, np.array_equal(f['row'][:], x[0]))\n",
    );
    assert_eq!(out.trim(), "True ('y', 'x2') ('x2',) True");
}
