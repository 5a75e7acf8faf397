//! W9's memory bound at a small size: a `time × y × x` f32 cube in an uncompressed Zarr
//! store, a 3 × 3 moving average by `map_overlap` (depth 0 on time) stored back to Zarr.
//! Each task holds its result block plus one slab of halo'd input rows (the function is
//! row-wise, `exec/block_slabs.rs`), reads only the bytes it needs from the chunk files
//! (`io/zarr_plain.rs`, no decoded-chunk cache) and writes its block straight from memory.
//! The store's peak resident memory above the same process merely reading the cube must stay
//! under four 8 MiB blocks for two threads: about 19 MiB here (two result blocks plus slabs);
//! before, a halo'd copy, nine sliced copies of it and the result per task and 64 MiB of
//! cached chunks made it about 244 MiB.

use crate::deep_graphs::run_measured;
use std::time::Duration;

/// Runs `arr ARGS`, failing the test when it fails or runs past `limit`; its stdout and peak
/// resident bytes.
fn run_ok(args: &[&str], limit: Duration) -> (String, u64) {
    let (out, err, peak, ok) = run_measured(args, limit);
    assert!(ok, "arr {args:?} failed:\n{err}");
    (out, peak)
}

#[test]
fn a_map_overlap_store_holds_a_few_blocks() {
    let dir = std::env::temp_dir().join(format!("arr-overlap-mem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let cube = dir.join("cube.zarr");
    let avg = dir.join("avg.zarr");
    let script = |name: &str, text: &str| {
        let file = dir.join(name);
        std::fs::write(&file, text).expect("script");
        file.to_str().expect("utf-8 path").to_string()
    };
    // 32 × 512 × 1024 f32 (64 MiB) in chunks of 16 × 256 × 512 (8 MiB): 8 blocks.
    let make = script(
        "make.arr",
        "t = arange(32.0).reshape([32, 1, 1]) * 524288.0\n\
         i = arange(512.0).reshape([512, 1]) * 1024.0\n\
         x = astype((t + i + arange(1024.0)) % 1000.0, f32)\n\
         to_zarr(x, args[0], chunks=[16, 256, 512], compression=\"none\")\n",
    );
    let read = script(
        "read.arr",
        "x = from_zarr(args[0])\nprint(float(astype(x, f64).sum()))\n",
    );
    let stencil = script(
        "stencil.arr",
        "x = from_zarr(args[0])\n\
         fn box3(b) {\n\
             s = b[:, :-2, :] + b[:, 1:-1, :] + b[:, 2:, :]\n\
             (s[:, :, :-2] + s[:, :, 1:-1] + s[:, :, 2:]) / 9.0\n\
         }\n\
         to_zarr(map_overlap(box3, x, depth=[0, 1, 1], boundary=\"reflect\", trim=false), args[1], compression=\"none\")\n\
         y = from_zarr(args[1])\n\
         print(y.shape, y.chunks[0], float(y[3, 0, 0]), float(y[31, 300, 1023]))\n",
    );
    let (cube_s, avg_s) = (
        cube.to_str().expect("utf-8 path"),
        avg.to_str().expect("utf-8 path"),
    );
    let limit = Duration::from_secs(60);
    run_ok(&["--threads", "2", &make, cube_s], limit);
    let (_, reading) = run_ok(&["--threads", "2", &read, cube_s], limit);
    let (out, storing) = run_ok(&["--threads", "2", &stencil, cube_s, avg_s], limit);
    // The stencil in f32 as box3 adds: rows first, then columns, then / 9 (reflect repeats
    // the edge element): x[t, i, j] = (t * 2^19 + i * 1024 + j) % 1000.
    let at = |t: usize, i: usize, j: usize| ((t * 524288 + i * 1024 + j) % 1000) as f32;
    let box3 = |t: usize, rows: [usize; 3], cols: [usize; 3]| {
        let s = |c: usize| at(t, rows[0], c) + at(t, rows[1], c) + at(t, rows[2], c);
        (s(cols[0]) + s(cols[1]) + s(cols[2])) / 9.0f32
    };
    let want = [
        box3(3, [0, 0, 1], [0, 0, 1]),
        box3(31, [299, 300, 301], [1022, 1023, 1023]),
    ];
    assert!(
        out.starts_with("(32, 512, 1024) (16, 16) "),
        "unexpected output: {out}"
    );
    let got: Vec<f64> = out
        .split_whitespace()
        .rev()
        .take(2)
        .map(|v| v.parse().expect("a number"))
        .collect();
    assert_eq!(got, [want[1] as f64, want[0] as f64], "{out}");
    let block = 16 * 256 * 512 * 4;
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        storing < reading + 4 * block,
        "the map_overlap store peaked at {} MiB, reading the cube at {} MiB: more than four 8 MiB blocks apart",
        storing >> 20,
        reading >> 20
    );
}
