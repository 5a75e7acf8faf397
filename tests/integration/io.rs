//! Input/output: round trips with real peers (files written by NumPy, h5py and zarr-python
//! read by Arr, and Arr's files read by them, values compared exactly), failures that must
//! leave the previous file intact (an injected error mid-write, Ctrl-C), bad inputs with
//! their messages, memory-bounded streaming, pictures decoded pixel by pixel, the progress
//! bar on a terminal, and many files without opening them all at once.
//!
//! The peers come from pip (`make test` installs them); without them the peer tests are
//! skipped, unless ARR_REQUIRE_NUMPY is set. ARR_BIG_TESTS=1 adds the 4 GB streaming test.

use crate::python::{peers, py};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("arr-io-tests-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Runs Arr code as `t.arr` in `dir` (extra flags first), with 2 threads.
fn arr(dir: &Path, flags: &[&str], code: &str) -> Output {
    std::fs::write(dir.join("t.arr"), code).expect("write t.arr");
    Command::new(crate::arr_bin())
        .current_dir(dir)
        .args(["--threads", "2"])
        .args(flags)
        .arg("t.arr")
        .output()
        .expect("arr runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs Arr code that must succeed; returns its standard output.
fn arr_ok(dir: &Path, code: &str) -> String {
    let o = arr(dir, &[], code);
    assert!(o.status.success(), "arr failed:\n{code}\n---\n{}", text(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Temporary files a store left behind.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains(".arr-tmp-"))
                .collect()
        })
        .unwrap_or_default()
}

/// Python that builds the reference arrays (one per dtype and layout), shared by the peers.
const REFERENCE: &str = r#"
import numpy as np
rng = np.random.default_rng(7)
ref = {
    "f64": rng.normal(size=(37, 23)),
    "f32": rng.normal(size=(5, 6, 7)).astype("f4"),
    "i64": rng.integers(-2**62, 2**62, size=(41,), dtype="i8"),
    "i32": rng.integers(-2**31, 2**31 - 1, size=(9, 10), dtype="i4"),
    "u8": rng.integers(0, 256, size=(300,), dtype="u1"),
    "bool": rng.random((13, 3)) < 0.5,
    "special": np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 5e-324, 1.7976931348623157e308]),
    "scalar": np.array(3.25),
}
def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
"#;

/// Arr code reading `files` (name, reader call) and writing each back with `write(x, name)`
/// and a reversed, strided slice with `write(x[::-2], name + "_s")`.
fn echo_program(read: &dyn Fn(&str) -> String, write: &dyn Fn(&str, &str) -> String) -> String {
    let mut code = String::new();
    for name in [
        "f64", "f32", "i64", "i32", "u8", "bool", "special", "scalar",
    ] {
        code.push_str(&format!("x = {}\n", read(name)));
        code.push_str(&format!("print(\"{name}\", x.dtype, x.shape)\n"));
        code.push_str(&write("x", name));
        code.push('\n');
        if name != "scalar" {
            code.push_str(&write("x[::-2]", &format!("{name}_s")));
            code.push('\n');
        }
    }
    code
}

const ECHO_DTYPES: &[&str] = &[
    "f64 f64 (37, 23)",
    "f32 f32 (5, 6, 7)",
    "i64 i64 (41,)",
    "i32 i32 (9, 10)",
    "u8 u8 (300,)",
    "bool bool (13, 3)",
    "special f64 (7,)",
    "scalar f64 ()",
];

#[test]
fn npy_round_trip_with_numpy() {
    if !peers(&["numpy"]) {
        return;
    }
    let dir = scratch("npy");
    py(
        &dir,
        &format!(
            "{REFERENCE}\nfor k, v in ref.items():\n    np.save(k + '.npy', v)\n\
             np.save('fortran.npy', np.asfortranarray(ref['f64']))\n\
             np.save('big_endian.npy', ref['i32'].astype('>i4'))\n\
             np.save('int16.npy', np.array([-32768, 7, 32767], dtype='i2'))\n\
             np.save('uint32.npy', np.array([0, 4294967295], dtype='u4'))\n"
        ),
    );
    let mut code = echo_program(&|n| format!("from_npy(\"{n}.npy\", chunks=4)"), &|x, n| {
        format!("to_npy({x}, \"out_{n}.npy\")")
    });
    code.push_str(
        "print(from_npy(\"fortran.npy\")[3, 20], from_npy(\"big_endian.npy\").dtype)\n\
         to_npy(from_npy(\"fortran.npy\")[1::3, ::-4], \"out_fortran.npy\")\n\
         to_npy(from_npy(\"big_endian.npy\"), \"out_big_endian.npy\")\n\
         print(from_npy(\"int16.npy\"), from_npy(\"int16.npy\").dtype, from_npy(\"uint32.npy\"), from_npy(\"uint32.npy\").dtype)\n",
    );
    let out = arr_ok(&dir, &code);
    for line in ECHO_DTYPES {
        assert!(out.contains(line), "missing `{line}` in:\n{out}");
    }
    assert!(
        out.contains("[-32768, 7, 32767] i32 [0, 4294967295] i64"),
        "{out}"
    );
    let check = py(
        &dir,
        &format!(
            "{REFERENCE}\nbad = []\nfor k, v in ref.items():\n\
             \x20   if not same(np.load('out_' + k + '.npy'), v): bad.append(k)\n\
             \x20   if k != 'scalar' and not same(np.load('out_' + k + '_s.npy'), v[::-2]): bad.append(k + '_s')\n\
             if not same(np.load('out_fortran.npy'), ref['f64'][1::3, ::-4]): bad.append('fortran')\n\
             if not same(np.load('out_big_endian.npy'), ref['i32']): bad.append('big_endian')\n\
             m = np.load('out_f64.npy', mmap_mode='r'); assert m.shape == (37, 23)\n\
             print('bad', bad)"
        ),
    );
    assert_eq!(check.trim(), "bad []");
}

#[test]
fn hdf5_round_trip_with_h5py() {
    if !peers(&["numpy", "h5py"]) {
        return;
    }
    let dir = scratch("hdf5");
    py(
        &dir,
        &format!(
            "{REFERENCE}\nimport h5py\nwith h5py.File('in.h5', 'w') as f:\n\
             \x20   for k, v in ref.items():\n\
             \x20       if v.ndim and v.size > 10:\n\
             \x20           f.create_dataset('/grp/' + k, data=v, chunks=tuple(max(1, d // 3) for d in v.shape), compression='gzip')\n\
             \x20       else:\n\
             \x20           f.create_dataset('/grp/' + k, data=v)\n\
             \x20   f.create_dataset('/i16', data=np.array([-5, 300], dtype='i2'))\n"
        ),
    );
    let mut code = echo_program(
        &|n| format!("from_hdf5(\"in.h5\", \"/grp/{n}\")"),
        &|x, n| format!("to_hdf5({x}, \"out_{n}.h5\", \"/data\")"),
    );
    code.push_str(
        "to_hdf5([from_hdf5(\"in.h5\", \"/grp/f64\"), from_hdf5(\"in.h5\", \"/grp/bool\")], \"multi.h5\", [\"/a/f64\", \"/b\"], compression=\"gzip\")\n\
         to_hdf5(from_hdf5(\"in.h5\", \"/grp/i32\"), \"multi.h5\", \"/added\", chunks=[3, 5])\n\
         print(from_hdf5(\"in.h5\", \"/i16\"), from_hdf5(\"in.h5\", \"/i16\").dtype)\n",
    );
    let out = arr_ok(&dir, &code);
    for line in ECHO_DTYPES {
        assert!(out.contains(line), "missing `{line}` in:\n{out}");
    }
    assert!(out.contains("[-5, 300] i32"), "{out}");
    let check = py(
        &dir,
        &format!(
            "{REFERENCE}\nimport h5py\nbad = []\nfor k, v in ref.items():\n\
             \x20   with h5py.File('out_' + k + '.h5') as f:\n\
             \x20       if not same(f['data'][()], v): bad.append(k)\n\
             \x20       if v.ndim and f['data'].chunks is None: bad.append(k + ' not chunked')\n\
             \x20   if k != 'scalar':\n\
             \x20       with h5py.File('out_' + k + '_s.h5') as f:\n\
             \x20           if not same(f['data'][()], v[::-2]): bad.append(k + '_s')\n\
             with h5py.File('multi.h5') as f:\n\
             \x20   if not same(f['a/f64'][()], ref['f64']): bad.append('multi f64')\n\
             \x20   if not same(f['b'][()], ref['bool']): bad.append('multi bool')\n\
             \x20   if f['b'].compression != 'gzip': bad.append('not compressed')\n\
             \x20   if not same(f['added'][()], ref['i32']): bad.append('added')\n\
             \x20   if f['added'].chunks != (3, 5): bad.append('chunks ' + str(f['added'].chunks))\n\
             print('bad', bad)"
        ),
    );
    assert_eq!(check.trim(), "bad []");
}

/// Datasets whose bytes Arr reads itself (contiguous or chunked, unfiltered, native
/// little-endian) and those it must leave to libhdf5 (compressed, big-endian, chunks never
/// written, a user block) give the same values as h5py for every kind of region: strided,
/// reversed, fixed indices, blocks that do not line up with the file's chunks, edge chunks.
#[test]
fn hdf5_direct_reads_match_h5py() {
    if !peers(&["numpy", "h5py"]) {
        return;
    }
    let dir = scratch("hdf5-direct");
    py(
        &dir,
        "import h5py, numpy as np\n\
         a = np.random.default_rng(0).standard_normal((37, 23, 11))\n\
         with h5py.File('t.h5', 'w') as f:\n\
         \x20   f['contig'] = a\n\
         \x20   f.create_dataset('chunked', data=a, chunks=(5, 7, 4))\n\
         \x20   f.create_dataset('i32', data=(a * 100).astype('i4'), chunks=(6, 6, 6))\n\
         \x20   f['f32'] = a.astype('f4')\n\
         \x20   f.create_dataset('u8', data=(np.abs(a) * 50).astype('u1'), chunks=(37, 1, 11))\n\
         \x20   f.create_dataset('big_endian', data=a.astype('>f8'), chunks=(5, 7, 4))\n\
         \x20   f.create_dataset('gzip', data=a, chunks=(5, 7, 4), compression='gzip')\n\
         \x20   d = f.create_dataset('sparse', shape=a.shape, chunks=(5, 7, 4), dtype='f8', fillvalue=-7.0)\n\
         \x20   d[0:5, 0:7, 0:4] = a[0:5, 0:7, 0:4]\n\
         \x20   d[30:, 20:, 8:] = a[30:, 20:, 8:]\n\
         \x20   f.create_dataset('one', data=np.arange(1000.0), chunks=(64,))\n\
         with h5py.File('ub.h5', 'w', userblock_size=512) as f:\n\
         \x20   f.create_dataset('chunked', data=a, chunks=(5, 7, 4))\n\
         \x20   f['contig'] = a\n",
    );
    let names = [
        "contig",
        "chunked",
        "i32",
        "f32",
        "u8",
        "big_endian",
        "gzip",
        "sparse",
    ];
    let mut code = String::new();
    for n in names {
        code.push_str(&format!(
            "x = from_hdf5(\"t.h5\", \"/{n}\")\n\
             to_npy(x, \"{n}.npy\")\n\
             to_npy(x[::-3, 2:20:2, ::-1], \"{n}_s.npy\")\n\
             to_npy(x[5:36:7, ::5, 3], \"{n}_t.npy\")\n\
             to_npy(from_hdf5(\"t.h5\", \"/{n}\", chunks=[4, 9, 5])[1:, ::2, 1:], \"{n}_c.npy\")\n"
        ));
    }
    code.push_str(
        "to_npy(from_hdf5(\"t.h5\", \"/one\", chunks=100)[3::7], \"one.npy\")\n\
         to_npy(from_hdf5(\"t.h5\", \"/one\", chunks=64)[::-1], \"one_r.npy\")\n\
         to_npy(from_hdf5(\"ub.h5\", \"/chunked\")[::2], \"ub_chunked.npy\")\n\
         to_npy(from_hdf5(\"ub.h5\", \"/contig\")[::2], \"ub_contig.npy\")\n",
    );
    arr_ok(&dir, &code);
    let check = py(
        &dir,
        "import h5py, numpy as np\n\
         bad = []\n\
         f = h5py.File('t.h5', 'r')\n\
         def same(a, b): return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b)\n\
         for n in ['contig', 'chunked', 'i32', 'f32', 'u8', 'big_endian', 'gzip', 'sparse']:\n\
         \x20   v = f[n][()]\n\
         \x20   v = v.astype(v.dtype.newbyteorder('=')) if v.dtype.byteorder == '>' else v\n\
         \x20   for suf, want in [('', v), ('_s', v[::-3, 2:20:2, ::-1]), ('_t', v[5:36:7, ::5, 3]), ('_c', v[1:, ::2, 1:])]:\n\
         \x20       if not same(np.load(n + suf + '.npy'), want): bad.append(n + suf)\n\
         one = f['one'][()]\n\
         if not same(np.load('one.npy'), one[3::7]): bad.append('one')\n\
         if not same(np.load('one_r.npy'), one[::-1]): bad.append('one_r')\n\
         g = h5py.File('ub.h5', 'r')\n\
         for n in ['chunked', 'contig']:\n\
         \x20   if not same(np.load('ub_' + n + '.npy'), g[n][()][::2]): bad.append('ub_' + n)\n\
         print('bad', bad)",
    );
    assert_eq!(check.trim(), "bad []");
    // The eligible datasets are read without libhdf5, the others through it.
    for (n, direct) in [
        ("contig", true),
        ("chunked", true),
        ("u8", true),
        ("big_endian", false),
        ("gzip", true),
        ("sparse", false),
    ] {
        let o = arr(
            &dir,
            &["--verbose", "--no-progress"],
            &format!("to_npy(from_hdf5(\"t.h5\", \"/{n}\")[1:, ::2], \"v.npy\")"),
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{err}");
        assert_eq!(err.contains("without libhdf5"), direct, "{n}: {err}");
    }
}

#[test]
fn zarr_round_trip_with_zarr_python() {
    if !peers(&["numpy", "zarr"]) {
        return;
    }
    let dir = scratch("zarr");
    py(
        &dir,
        &format!(
            "{REFERENCE}\nimport zarr\nfor k, v in ref.items():\n\
             \x20   for fmt in (2, 3):\n\
             \x20       chunks = tuple(max(1, d // 3) for d in v.shape)\n\
             \x20       z = zarr.create_array('in%d_%s.zarr' % (fmt, k), shape=v.shape, chunks=chunks, dtype=v.dtype, zarr_format=fmt)\n\
             \x20       z[...] = v\n"
        ),
    );
    for (fmt_in, fmt_out) in [(2, 3), (3, 2)] {
        let mut code = echo_program(
            &|n| format!("from_zarr(\"in{fmt_in}_{n}.zarr\")"),
            &|x, n| format!("to_zarr({x}, \"out{fmt_out}_{n}.zarr\", zarr_format={fmt_out})"),
        );
        if fmt_out == 3 {
            code.push_str(
                "to_zarr(from_zarr(\"in2_f64.zarr\"), \"gz.zarr\", chunks=[10, 10], compression=\"gzip\")\n",
            );
        }
        let out = arr_ok(&dir, &code);
        for line in ECHO_DTYPES {
            assert!(out.contains(line), "missing `{line}` in:\n{out}");
        }
    }
    let check = py(
        &dir,
        &format!(
            "{REFERENCE}\nimport zarr\nbad = []\nfor k, v in ref.items():\n\
             \x20   for fmt in (2, 3):\n\
             \x20       z = zarr.open_array('out%d_%s.zarr' % (fmt, k), mode='r')\n\
             \x20       if z.metadata.zarr_format != fmt: bad.append('format')\n\
             \x20       if not same(z[...], v): bad.append('%s v%d' % (k, fmt))\n\
             \x20       if k != 'scalar' and not same(zarr.open_array('out%d_%s_s.zarr' % (fmt, k), mode='r')[...], v[::-2]): bad.append('%s_s v%d' % (k, fmt))\n\
             g = zarr.open_array('gz.zarr', mode='r')\n\
             if not same(g[...], ref['f64']) or g.chunks != (10, 10): bad.append('gz')\n\
             print('bad', bad)"
        ),
    );
    assert_eq!(check.trim(), "bad []");
}

#[test]
fn arr_round_trips_without_peers() {
    let dir = scratch("self");
    let out = arr_ok(
        &dir,
        "x = random.normal(0, 1, shape=[50, 40], chunks=[7, 9], seed=3)\n\
         b = x > 0\n\
         n = astype(x * 100, i32)\n\
         to_hdf5([x, b, n], \"a.h5\", [\"/x\", \"/b\", \"/n\"])\n\
         to_npy(x, \"a.npy\")\n\
         to_zarr(n, \"a.zarr\")\n\
         to_zarr(b, \"b.zarr\", zarr_format=2)\n\
         print(all(from_hdf5(\"a.h5\", \"/x\") == x), all(from_hdf5(\"a.h5\", \"/b\") == b), all(from_hdf5(\"a.h5\", \"/n\") == n))\n\
         print(all(from_npy(\"a.npy\") == x), all(from_zarr(\"a.zarr\") == n), all(from_zarr(\"b.zarr\") == b))\n\
         print(all(from_hdf5(\"a.h5\", \"/x\")[::-3, 5:1:-2] == x[::-3, 5:1:-2]), all(from_zarr(\"a.zarr\")[::7, ::-9] == n[::7, ::-9]))\n\
         print(from_hdf5(\"a.h5\", \"/x\").chunks)\n",
    );
    assert_eq!(
        out,
        "true true true\ntrue true true\ntrue true\n((50,), (40,))\n"
    );
}

#[test]
fn default_chunks_follow_the_files_chunks() {
    let dir = scratch("chunks");
    let out = arr_ok(
        &dir,
        "to_hdf5(zeros([1000, 1000]), \"c.h5\", \"/x\", chunks=[100, 300])\n\
         to_zarr(zeros([1000, 1000]), \"c.zarr\", chunks=[100, 300])\n\
         print(from_hdf5(\"c.h5\", \"/x\").chunks)\n\
         print(from_zarr(\"c.zarr\").chunks)\n\
         print(from_hdf5(\"c.h5\", \"/x\", chunks=[250, 500]).chunks)\n",
    );
    let lines: Vec<&str> = out.lines().collect();
    // Blocks are whole multiples of the file's 100 x 300 chunks.
    for line in &lines[..2] {
        let nums: Vec<usize> = line
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().expect("a number"))
            .collect();
        let (rows, cols) = line.split_once("), (").expect("two axes");
        let rows: Vec<usize> = rows
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().expect("a number"))
            .collect();
        let cols: Vec<usize> = cols
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().expect("a number"))
            .collect();
        assert!(!nums.is_empty());
        assert!(
            rows[..rows.len() - 1].iter().all(|r| r % 100 == 0),
            "{line}"
        );
        assert!(
            cols[..cols.len() - 1].iter().all(|c| c % 300 == 0),
            "{line}"
        );
    }
    assert_eq!(lines[2], "((250, 250, 250, 250), (500, 500))");
}

#[test]
fn injected_failure_mid_write_keeps_the_previous_file() {
    let dir = scratch("inject");
    arr_ok(
        &dir,
        "to_npy(arange(10), \"t.npy\")\nto_hdf5(arange(10), \"t.h5\", \"/x\")\nto_zarr(arange(10), \"t.zarr\")\n",
    );
    let before_npy = std::fs::read(dir.join("t.npy")).expect("t.npy");
    let before_h5 = std::fs::read(dir.join("t.h5")).expect("t.h5");
    let before_zarr = std::fs::read(dir.join("t.zarr/zarr.json")).expect("zarr.json");
    for (store, path) in [
        ("to_npy(x, \"t.npy\")", "t.npy"),
        ("to_hdf5(x, \"t.h5\", \"/x\")", "t.h5"),
        ("to_hdf5(x, \"new.h5\", \"/x\")", "new.h5"),
        ("to_zarr(x, \"t.zarr\")", "t.zarr"),
    ] {
        std::fs::write(
            dir.join("t.arr"),
            format!("x = ones([100, 100], chunks=10)\n{store}\n"),
        )
        .expect("write");
        let o = Command::new(crate::arr_bin())
            .current_dir(&dir)
            .env("ARR_FAIL_WRITE_AFTER", "3")
            .arg("t.arr")
            .output()
            .expect("arr runs");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{store}: {err}");
        assert!(
            err.starts_with("error: injected write failure after 3 block(s)")
                && err.contains("t.arr:2:"),
            "{store}: {err}"
        );
        assert!(
            leftovers(&dir).is_empty(),
            "{store} left {:?}",
            leftovers(&dir)
        );
        if path == "new.h5" {
            assert!(!dir.join(path).exists(), "a failed store created {path}");
        }
    }
    assert_eq!(std::fs::read(dir.join("t.npy")).expect("t.npy"), before_npy);
    assert_eq!(std::fs::read(dir.join("t.h5")).expect("t.h5"), before_h5);
    assert_eq!(
        std::fs::read(dir.join("t.zarr/zarr.json")).expect("zarr.json"),
        before_zarr
    );
    assert_eq!(
        arr_ok(
            &dir,
            "print(from_npy(\"t.npy\")[-1], from_hdf5(\"t.h5\", \"/x\")[-1], from_zarr(\"t.zarr\")[-1])\n"
        ),
        "9 9 9\n"
    );
}

/// `to_hdf5` into an existing file keeps its other datasets without copying a large file:
/// the new datasets are written to a temporary file and copied in at the end (the inode
/// stays, the file grows by the new data only, a dataset read while being replaced is
/// right); a failure while computing leaves it byte-identical; a small file is still
/// replaced by an atomic rename (new inode).
#[test]
fn to_hdf5_adds_datasets_to_a_large_file_in_place() {
    use std::os::unix::fs::MetadataExt;
    let dir = scratch("add-in-place");
    // 80 MB, above the 64 MiB from which datasets are added in place.
    arr_ok(
        &dir,
        "to_hdf5([arange(10**7) * 1.0, arange(4)], \"big.h5\", [\"/big\", \"/old\"])\n\
         to_hdf5(arange(4), \"small.h5\", \"/old\")\n",
    );
    let big = dir.join("big.h5");
    let before = std::fs::read(&big).expect("big.h5");
    let size = before.len() as u64;
    let inode = std::fs::metadata(&big).expect("big.h5").ino();
    let small_inode = std::fs::metadata(dir.join("small.h5"))
        .expect("small.h5")
        .ino();
    let o = Command::new(crate::arr_bin())
        .current_dir(&dir)
        .env("ARR_FAIL_WRITE_AFTER", "3")
        .args([
            "-e",
            "to_hdf5(ones([100, 100], chunks=10), \"big.h5\", \"/new\")",
        ])
        .output()
        .expect("arr runs");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
    assert!(
        std::fs::read(&big).expect("big.h5") == before,
        "a failed store changed big.h5"
    );
    drop(before);

    let t = std::time::Instant::now();
    arr_ok(
        &dir,
        "x = from_hdf5(\"big.h5\", \"/big\")\n\
         to_hdf5([x[:1000] * 2, ones([100, 100], chunks=10)], \"big.h5\", [\"/big\", \"g/sub/new\"], compression=\"gzip\")\n\
         to_hdf5(arange(3), \"small.h5\", \"/added\")\n",
    );
    let took = t.elapsed();
    let after = std::fs::metadata(&big).expect("big.h5");
    assert_eq!(after.ino(), inode, "big.h5 was replaced, not added to");
    assert!(
        after.len() < size + (1 << 20),
        "big.h5 grew from {size} to {} bytes",
        after.len()
    );
    let small = std::fs::metadata(dir.join("small.h5")).expect("small.h5");
    assert_ne!(
        small.ino(),
        small_inode,
        "a small file is replaced by a rename"
    );
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
    assert_eq!(
        arr_ok(
            &dir,
            "b = from_hdf5(\"big.h5\", \"/big\")\n\
             print(b.shape, b[999], from_hdf5(\"big.h5\", \"/old\"), sum(from_hdf5(\"big.h5\", \"g/sub/new\")))\n\
             print(from_hdf5(\"small.h5\", \"/old\"), from_hdf5(\"small.h5\", \"/added\"))\n"
        ),
        "(1000,) 1998.0 [0, 1, 2, 3] 10000.0\n[0, 1, 2, 3] [0, 1, 2]\n",
        "(took {took:?})"
    );
    if peers(&["h5py"]) {
        let names = py(
            &dir,
            "import h5py\nnames = []\nh5py.File('big.h5').visit(names.append)\nprint(sorted(names))\n\
             print(h5py.File('big.h5')['g/sub/new'].compression)",
        );
        assert_eq!(
            names, "['big', 'g', 'g/sub', 'g/sub/new', 'old']\ngzip\n",
            "no staging names may remain"
        );
    }
}

#[test]
fn ctrl_c_during_a_store_keeps_the_previous_file() {
    let dir = scratch("sigint");
    arr_ok(&dir, "to_npy(arange(5), \"t.npy\")\n");
    let before = std::fs::read(dir.join("t.npy")).expect("t.npy");
    // Slow enough to be interrupted: many blocks of a long element-wise chain.
    std::fs::write(
        dir.join("t.arr"),
        "x = random.normal(0, 1, shape=[4000, 4000], chunks=[50, 4000], seed=1)\n\
         y = sin(exp(cos(x) * 0.5)) + tanh(sqrt(abs(x))) * log1p(abs(x))\n\
         to_npy(y + sin(y) * cos(y) + exp(-y * y), \"t.npy\")\n",
    )
    .expect("write");
    let mut cmd = Command::new(crate::arr_bin());
    cmd.current_dir(&dir)
        .args(["--threads", "1", "t.arr"])
        .stderr(std::process::Stdio::piped());
    crate::store_safety::with_default_signals(&mut cmd);
    let child = cmd.spawn().expect("arr starts");
    let started = std::time::Instant::now();
    while leftovers(&dir).is_empty() && started.elapsed().as_secs() < 20 {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let out = child.wait_with_output().expect("arr ends");
    let err = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        // The store finished before the signal arrived: it must then be complete.
        eprintln!("store finished before Ctrl-C; checked the complete file instead");
        assert!(std::fs::metadata(dir.join("t.npy")).expect("t.npy").len() > 100_000_000);
    } else {
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.starts_with("error: computation cancelled"), "{err}");
        assert_eq!(std::fs::read(dir.join("t.npy")).expect("t.npy"), before);
    }
    assert!(leftovers(&dir).is_empty(), "left {:?}", leftovers(&dir));
}

/// Writes a file that is not what its name says.
fn garbage(dir: &Path, name: &str) {
    std::fs::write(dir.join(name), b"this is not an array file at all\n").expect("write");
}

#[test]
fn bad_inputs_give_clear_errors() {
    let dir = scratch("bad");
    arr_ok(
        &dir,
        "to_hdf5(ones([4, 5]), \"ok.h5\", \"/grp/x\")\n\
         to_npy(ones([4, 5]), \"a.npy\")\n\
         to_npy(ones([4, 6]), \"b.npy\")\n\
         to_hdf5(random.normal(0, 1, shape=[400, 400], seed=1), \"gz.h5\", \"/x\", chunks=[50, 50], compression=\"gzip\")\n",
    );
    garbage(&dir, "garbage.h5");
    garbage(&dir, "garbage.npy");
    garbage(&dir, "afile");
    // A .npy of complex numbers, written by hand: NumPy's header with descr '<c16'.
    let mut c16 = b"\x93NUMPY\x01\x00".to_vec();
    let mut header = "{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }".to_string();
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(' ');
    }
    header.push('\n');
    c16.extend_from_slice(&(header.len() as u16).to_le_bytes());
    c16.extend_from_slice(header.as_bytes());
    c16.extend_from_slice(&[0u8; 32]);
    std::fs::write(dir.join("c16.npy"), &c16).expect("write");
    // A .npy cut short.
    let full = std::fs::read(dir.join("a.npy")).expect("a.npy");
    std::fs::write(dir.join("cut.npy"), &full[..full.len() - 8]).expect("write");
    // An HDF5 file whose compressed data is damaged (its header is fine).
    let mut gz = std::fs::read(dir.join("gz.h5")).expect("gz.h5");
    let n = gz.len();
    for b in &mut gz[n / 2..n / 2 + 4096] {
        *b ^= 0x5a;
    }
    std::fs::write(dir.join("gz.h5"), &gz).expect("write");

    let cases: &[(&str, &str, &str)] = &[
        (
            "x = from_hdf5(\"nope.h5\", \"/x\")",
            "no such file: \"nope.h5\"",
            "1:15",
        ),
        (
            "x = from_npy(\"nope.npy\")",
            "no such file: \"nope.npy\"",
            "1:14",
        ),
        (
            "x = from_zarr(\"nope.zarr\")",
            "no such Zarr store: \"nope.zarr\"",
            "1:15",
        ),
        (
            "x = from_hdf5(\"ok.h5\", \"/t2m\")",
            "no dataset \"/t2m\" in \"ok.h5\"; it holds /grp/x",
            "1:24",
        ),
        (
            "x = from_npy(\"c16.npy\")",
            "unsupported dtype '<c16' in \"c16.npy\"",
            "1:14",
        ),
        (
            "x = from_hdf5(\"garbage.h5\", \"/x\")",
            "\"garbage.h5\" is not a readable HDF5 file",
            "1:15",
        ),
        (
            "x = from_npy(\"garbage.npy\")",
            "\"garbage.npy\" is not a valid .npy file",
            "1:14",
        ),
        (
            "x = from_npy(\"cut.npy\")",
            "\"cut.npy\" is not a valid .npy file",
            "1:14",
        ),
        (
            "x = from_zarr(\"afile\")",
            "\"afile\" is not a Zarr store",
            "1:15",
        ),
        (
            "x = from_hdf5(\"gz.h5\", \"/x\")\nprint(x.sum())",
            "cannot read chunk [",
            "2:1",
        ),
        (
            "days = stack([from_npy(\"a.npy\"), from_npy(\"b.npy\")])",
            "stack needs arrays of one shape: array 1 is f64[4, 6] but array 0 is f64[4, 5]",
            "1:14",
        ),
        (
            "to_npy(ones(3), \"afile/x.npy\")",
            "cannot write \"afile/x.npy\": \"afile\" is not a directory",
            "1:17",
        ),
        (
            "to_hdf5(ones(3), \"garbage.npy\", \"/x\")",
            "cannot write \"garbage.npy\": it exists and is not an HDF5 file",
            "1:18",
        ),
        (
            "to_npy(ones(3), \".\")",
            "cannot write \".\": it is a directory",
            "1:17",
        ),
        (
            "imshow(ones(3), path=\"x.png\")",
            "imshow needs a 2-D array, got f64[3]",
            "1:8",
        ),
        (
            "imshow(ones([2, 2]), path=\"x.png\", cmap=\"nope\")",
            "unknown colour map \"nope\"",
            "1:41",
        ),
        (
            "x = ones(3)\nto_npy(x, \"a.npy\")\nprint(from_hdf5(\"a.npy\", \"/x\"))",
            "\"a.npy\" is not a readable HDF5 file",
            "3:17",
        ),
    ];
    for (code, message, at) in cases {
        let o = arr(&dir, &[], code);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{code}: {err}");
        assert!(
            err.starts_with(&format!("error: {message}")),
            "{code}: expected `error: {message}...`, got:\n{err}"
        );
        assert!(
            err.contains(&format!("t.arr:{at}")),
            "{code}: expected t.arr:{at} in\n{err}"
        );
        assert!(!err.contains("panicked"), "{code}: {err}");
    }
    // Unwritable: a read-only folder (root ignores permissions, so only when not root).
    let ro = dir.join("ro");
    std::fs::create_dir_all(&ro).expect("mkdir");
    let mut perms = std::fs::metadata(&ro).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o555);
    std::fs::set_permissions(&ro, perms).expect("chmod");
    if std::fs::write(ro.join("probe"), b"x").is_err() {
        let o = arr(&dir, &[], "to_hdf5(ones(3), \"ro/x.h5\", \"/x\")");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.starts_with("error: cannot write \"ro/x.h5\""), "{err}");
    }
}

/// The peak RSS `--verbose` reports for a store, in MiB.
fn store_peak_rss_mib(stderr: &str) -> f64 {
    let line = stderr
        .lines()
        .find(|l| l.contains("to_hdf5:") && l.contains("peak RSS"))
        .unwrap_or_else(|| panic!("no store report in:\n{stderr}"));
    let rss = line.rsplit("peak RSS ").next().expect("a size");
    let (num, unit) = rss.trim().split_once(' ').expect("number and unit");
    let v: f64 = num.parse().expect("a number");
    match unit {
        "GiB" => v * 1024.0,
        "MiB" => v,
        "KiB" => v / 1024.0,
        _ => v / 1024.0 / 1024.0,
    }
}

/// Writes an HDF5 dataset of `rows` x 4096 f64 (streamed), then streams `x * 2` of it into
/// another file, and checks the peak RSS of the second run stays under `limit_mib`.
fn streaming_is_memory_bounded(name: &str, rows: usize, limit_mib: f64) {
    let dir = scratch(name);
    arr_ok(
        &dir,
        &format!(
            "to_hdf5(random.uniform(shape=[{rows}, 4096], chunks=[128, 4096], seed=5), \"in.h5\", \"/x\")\n"
        ),
    );
    let o = arr(
        &dir,
        &["--verbose"],
        "x = from_hdf5(\"in.h5\", \"/x\")\nto_hdf5(x * 2, \"out.h5\", \"/y\")\nprint(from_hdf5(\"out.h5\", \"/y\")[-1, -3:] == x[-1, -3:] * 2)\n",
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert_eq!(String::from_utf8_lossy(&o.stdout), "[true, true, true]\n");
    let rss = store_peak_rss_mib(&err);
    let data_mib = (rows * 4096 * 8) as f64 / 1048576.0;
    eprintln!("streamed {data_mib:.0} MiB through to_hdf5(x * 2) with peak RSS {rss:.1} MiB");
    assert!(
        rss < limit_mib,
        "peak RSS {rss:.1} MiB for {data_mib:.0} MiB of data (limit {limit_mib} MiB)"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn to_hdf5_streams_in_bounded_memory() {
    // 512 MiB of data through x * 2: peak RSS must stay far below the data's size.
    streaming_is_memory_bounded("stream", 16384, 160.0);
}

#[test]
fn to_hdf5_streams_4gb_under_200mb() {
    if std::env::var("ARR_BIG_TESTS").as_deref() != Ok("1") {
        eprintln!("ARR_BIG_TESTS is not 1: the 4 GB streaming test is skipped");
        return;
    }
    streaming_is_memory_bounded("stream-big", 131072, 200.0);
}

/// Decodes a PNG into (width, height, RGBA pixels).
fn decode_png(path: &Path) -> (usize, usize, Vec<[u8; 4]>) {
    let file = std::fs::File::open(path).expect("png exists");
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).expect("a PNG frame");
    let bytes = &buf[..info.buffer_size()];
    let pixels = match info.color_type {
        png::ColorType::Rgba => bytes
            .chunks_exact(4)
            .map(|c| [c[0], c[1], c[2], c[3]])
            .collect(),
        png::ColorType::Rgb => bytes
            .chunks_exact(3)
            .map(|c| [c[0], c[1], c[2], 255])
            .collect(),
        other => panic!("unexpected colour type {other:?}"),
    };
    (info.width as usize, info.height as usize, pixels)
}

#[test]
fn pictures_have_their_size_and_known_colours() {
    let dir = scratch("pictures");
    let out = arr_ok(
        &dir,
        "imshow(array([[0.0, 1.0], [0.5, nan]]), path=\"viridis.png\", colorbar=false)\n\
         imshow(array([[0.0, 1.0]]), path=\"gray.png\", cmap=\"gray\", width=4, height=2, colorbar=false)\n\
         imshow(array([[-1.0, 0.0, 1.0]]), path=\"rdbu.png\", cmap=\"RdBu_r\", vmin=-1, vmax=1, colorbar=false)\n\
         imshow(array([[5, 6], [7, 8]]), path=\"clip.png\", cmap=\"magma\", vmin=6, vmax=7, colorbar=false)\n\
         big = random.normal(0, 1, shape=[3000, 5000], chunks=[500, 500], seed=1)\n\
         imshow(big, path=\"big.png\", colorbar=false)\n\
         imshow(big, path=\"small.png\", width=100, colorbar=false)\n\
         imshow(zeros([400, 400]) + arange(400)[newaxis, :], path=\"ramp.png\", cmap=\"gray\", width=4, height=4, colorbar=false)\n\
         plot(sin(linspace(0, 20, 100000)), path=\"plot.png\", width=640, height=480, title=\"sin\")\n\
         print(hist(array([0, 1, 1, 2, 2, 2]), bins=3, path=\"hist.png\", range=(0, 2)))\n\
         print(hist(random.normal(0, 1, shape=100000, seed=2), bins=4, path=\"hist2.png\", range=(-10, 10)))\n",
    );
    assert_eq!(out, "[1, 2, 3]\n[0, 49968, 50032, 0]\n");
    let (w, h, px) = decode_png(&dir.join("viridis.png"));
    assert_eq!((w, h), (2, 2));
    assert_eq!(px[0], [68, 1, 84, 255], "viridis(0)");
    assert_eq!(px[1], [253, 231, 37, 255], "viridis(1)");
    assert_eq!(px[3][3], 0, "nan is transparent");
    let (w, h, px) = decode_png(&dir.join("gray.png"));
    assert_eq!((w, h), (4, 2));
    assert_eq!(
        px,
        [
            [0, 0, 0, 255],
            [0, 0, 0, 255],
            [255, 255, 255, 255],
            [255, 255, 255, 255]
        ]
        .repeat(2)
    );
    let (_, _, px) = decode_png(&dir.join("rdbu.png"));
    // RdBu reversed: blue at vmin, near white in the middle, red at vmax.
    assert!(px[0][2] > 90 && px[0][0] < 10, "{:?}", px[0]);
    assert!(
        px[1][0] > 230 && px[1][1] > 230 && px[1][2] > 230,
        "{:?}",
        px[1]
    );
    assert!(px[2][0] > 90 && px[2][2] < 40, "{:?}", px[2]);
    let (_, _, px) = decode_png(&dir.join("clip.png"));
    assert_eq!(px[0], px[1], "values below vmin take the lowest colour");
    assert_eq!(px[2], px[3], "values above vmax take the highest colour");
    assert_eq!(px[0], [0, 0, 4, 255], "magma(0)");
    assert_eq!(decode_png(&dir.join("big.png")).0, 2048);
    assert_eq!(decode_png(&dir.join("big.png")).1, 1229);
    let (w, h, _) = decode_png(&dir.join("small.png"));
    assert_eq!((w, h), (100, 60));
    // A ramp reduced from 400 columns to 4 pixels: each pixel averages 100 columns.
    let (_, _, px) = decode_png(&dir.join("ramp.png"));
    let row: Vec<u8> = px[..4].iter().map(|p| p[0]).collect();
    assert_eq!(
        row,
        [0, 85, 170, 255],
        "averaged columns 0-99, 100-199, ... on a gray ramp"
    );
    let (w, h, px) = decode_png(&dir.join("plot.png"));
    assert_eq!((w, h), (640, 480));
    assert!(
        px.iter().any(|p| p[2] > 200 && p[0] < 60),
        "the line is blue"
    );
    let (w, h, _) = decode_png(&dir.join("hist.png"));
    assert_eq!((w, h), (800, 500));
}

#[test]
fn progress_bar_shows_on_a_terminal_only() {
    let has_script = Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let dir = scratch("progress");
    let code = "x = random.normal(0, 1, shape=[4000, 4000], chunks=[100, 4000], seed=1)\n\
                y = sin(exp(cos(x) * 0.5)) + tanh(sqrt(abs(x))) * log1p(abs(x))\n\
                to_npy(y + sin(y) * cos(y) + exp(-y * y), \"p.npy\")\n";
    // Not a terminal: silent.
    let o = arr(&dir, &[], code);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    if !has_script {
        eprintln!("`script` is not installed: the terminal half is skipped");
        return;
    }
    let run = |flags: &str| -> String {
        let cmd = format!("{} --threads 1 {flags} t.arr", crate::arr_bin());
        let o = Command::new("script")
            .current_dir(&dir)
            .args(["-qec", &cmd, "/dev/null"])
            .env("COLUMNS", "120")
            .output()
            .expect("script runs");
        assert!(o.status.success(), "{}", text(&o));
        text(&o)
    };
    let shown = run("");
    assert!(
        shown.contains(" tasks ")
            && shown.contains("to_npy")
            && shown.contains(" left")
            && shown.contains(" written"),
        "no progress bar on a terminal:\n{shown}"
    );
    let hidden = run("--no-progress");
    assert!(
        !hidden.contains(" tasks "),
        "--no-progress still drew:\n{hidden}"
    );
}

#[test]
fn hundreds_of_files_are_not_all_open_at_once() {
    let dir = scratch("many");
    // Stores never create folders.
    std::fs::create_dir_all(dir.join("d")).expect("mkdir");
    arr_ok(
        &dir,
        "for i in range(300) {\n    to_hdf5(full([4, 3], i, dtype=f64), \"d/\" + str(1000 + i) + \".h5\", \"/t2m\")\n}\n",
    );
    // With at most 64 open files, stacking 300 files must still work.
    std::fs::write(
        dir.join("t.arr"),
        "files = glob(\"d/*.h5\")\ndays = stack([from_hdf5(f, \"/t2m\") for f in files])\nprint(len(files), days.shape, days.sum(), days[299, 3, 2])\n",
    )
    .expect("write");
    let o = Command::new("bash")
        .current_dir(&dir)
        .args([
            "-c",
            &format!("ulimit -n 64 && {} --threads 2 t.arr", crate::arr_bin()),
        ])
        .output()
        .expect("bash runs");
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "300 (300, 4, 3) 538200.0 299.0\n"
    );
}
