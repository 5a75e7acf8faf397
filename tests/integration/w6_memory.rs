//! W6 (the embeddings seed) at a size `make test` affords: `x / linalg.norm(x, axis=1,
//! keepdims=true)` of a 2·10^5 × 768 f32 Zarr store (format 3, uncompressed, chunks of
//! 10^4 × 768, 29 MiB each) stored back to Zarr, in a fresh process whose peak resident
//! memory (from `wait4`) stays under 256 MiB. Each task reads its row block once, straight
//! from the chunk file (`io/zarr_plain.rs`: no decoded copy, nothing in the chunk cache), and
//! the norms are cut from that block (`exec/held.rs`), so the peak is two tasks' input and
//! output blocks whatever N is (about 170–200 MiB; before: 350 MiB with an 88 MiB chunk
//! cache and a decoded copy of each chunk). The result is checked row by row.

use crate::deep_graphs::run_measured;
use std::time::Duration;

/// The bound the issue sets for W6 at any N.
const PEAK_BOUND: u64 = 256 << 20;

#[test]
fn w6_embedding_norm_stays_under_256_mb() {
    let dir = std::env::temp_dir().join(format!("arr-w6-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    // The scratch folder (1.2 GB) goes however the test ends.
    let _scratch = Scratch(dir.clone());
    let path = |name: &str| dir.join(name).to_str().expect("utf-8 path").to_string();
    let (input, output) = (path("in.zarr"), path("out.zarr"));
    let make = path("make.arr");
    std::fs::write(
        &make,
        "x = random.normal(0, 1, shape=[200000, 768], chunks=[10000, 768], seed=6, dtype=f32)\n\
         to_zarr(x, args[0], compression=\"none\")\n",
    )
    .expect("script");
    let (_, err, _, ok) = run_measured(
        &["--threads", "2", "--no-progress", &make, &input],
        Duration::from_secs(120),
    );
    assert!(ok, "making the input failed:\n{err}");
    let work = path("w6.arr");
    std::fs::write(
        &work,
        "x = from_zarr(args[0])\n\
         to_zarr(x / linalg.norm(x, axis=1, keepdims=true), args[1])\n",
    )
    .expect("script");
    let (_, err, peak, ok) = run_measured(
        &[
            "--threads",
            "2",
            "--no-progress",
            "--verbose",
            &work,
            &input,
            &output,
        ],
        Duration::from_secs(180),
    );
    assert!(ok, "W6 failed:\n{err}");
    // The input is read once: its 1.536 * 10^8 elements, not twice that.
    assert!(
        err.contains(" 153600000 read,"),
        "the store should read each element once:\n{err}"
    );
    assert!(
        peak < PEAK_BOUND,
        "W6 peaked at {} MiB, over {} MiB:\n{err}",
        peak >> 20,
        PEAK_BOUND >> 20
    );
    let check = path("check.arr");
    std::fs::write(
        &check,
        "x = from_zarr(args[0])\n\
         z = from_zarr(args[1])\n\
         print(z.shape, z.dtype)\n\
         print(float(max(abs(sum(astype(z, f64) ** 2, axis=1) - 1))) < 1e-5)\n\
         r = x[1234:1240]\n\
         print(all(z[1234:1240] == r / linalg.norm(r, axis=1, keepdims=true)))\n",
    )
    .expect("script");
    let (out, err, _, ok) = run_measured(
        &["--threads", "2", "--no-progress", &check, &input, &output],
        Duration::from_secs(120),
    );
    assert!(ok, "checking the result failed:\n{err}");
    assert_eq!(out, "(200000, 768) f32\ntrue\ntrue\n", "{err}");
}

/// Removes its folder when dropped, also when an assertion fails.
struct Scratch(std::path::PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
