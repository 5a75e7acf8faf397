//! The toolbox of LANGUAGE.md §11a against real NumPy: the generated differential cases
//! (`gen_toolbox.py`: map_overlap stencils against the stencil on NumPy's padded array,
//! map_blocks against NumPy's split blocks, histograms, percentiles, pad modes), and
//! property tests of the bounded-memory paths: exact percentiles of inputs far larger than
//! the selection budget (radix passes) equal NumPy's, for several sizes, limits and
//! quantile lists, with and without nan.

use std::process::Command;

fn numpy_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import numpy"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("ARR_REQUIRE_NUMPY").is_none(),
            "numpy is required (make test installs it with pip)"
        );
        eprintln!("numpy is not installed: toolbox differential test skipped");
    }
    ok
}

#[test]
fn toolbox_matches_numpy() {
    if !numpy_available() {
        return;
    }
    for seed in ["toolbox0", "toolbox1"] {
        let out = Command::new("python3")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "tests/numpy_diff/check.py",
                "--arr",
                crate::arr_bin(),
                "--seed",
                seed,
                "--count",
                "300",
                "--list-failures-only",
            ])
            .output()
            .expect("python3 runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success() && text.contains(" passed, 0 failed"),
            "toolbox differential test (seed {seed}) failed:\n{text}"
        );
    }
}

fn run_arr(code: &str, flags: &[&str]) -> String {
    let out = Command::new(crate::arr_bin())
        .args(flags)
        .args(["--no-progress", "-e", code])
        .output()
        .expect("arr runs");
    assert!(
        out.status.success(),
        "arr failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn run_numpy(code: &str) -> String {
    let out = Command::new("python3")
        .args(["-c", code])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Exact percentiles of chunked inputs far larger than the selection budget (so they go
/// through the radix passes) equal NumPy's, whatever the limit.
#[test]
fn streamed_percentile_matches_numpy() {
    if !numpy_available() {
        return;
    }
    let mut state: u64 = 0x5eed;
    let mut next = |m: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % m
    };
    for _ in 0..4 {
        let n = 200_000 + next(300_000) as usize;
        let a = 1 + 2 * next(5000) + 1;
        let m = 1 + next(200_000);
        let d = 1 + next(9);
        let every = 5 + next(20);
        let chunk = 5_000 + next(20_000);
        let qs: Vec<String> = (0..1 + next(4))
            .map(|_| format!("{}", next(10_001) as f64 / 100.0))
            .collect();
        let q = format!("[{}]", qs.join(", "));
        let arr = format!(
            "i = arange({n}, chunks={chunk})\n\
             x = (i * {a} % {m} - {m} // 3) / {d}.0\n\
             y = where(i % {every} == 0, nan, x)\n\
             print(percentile(x, {q}))\nprint(median(x))\n\
             print(nanpercentile(y, {q}))\nprint(nanmedian(y))\nprint(percentile(y, {q}))"
        );
        let py = format!(
            "import numpy as np\n\
             i = np.arange({n})\n\
             x = (i * {a} % {m} - {m} // 3) / {d}.0\n\
             y = np.where(i % {every} == 0, np.nan, x)\n\
             print(np.percentile(x, {q}).tolist())\nprint(float(np.median(x)))\n\
             print(np.nanpercentile(y, {q}).tolist())\nprint(float(np.nanmedian(y)))\n\
             print(np.percentile(y, {q}).tolist())"
        );
        let want = run_numpy(&py);
        for limit in ["1MiB", "3MiB", "4GiB"] {
            let got = run_arr(&arr, &["--memory-limit", limit]);
            assert_eq!(got, want, "limit {limit}, program:\n{arr}");
        }
    }
}

/// Along an axis, lanes longer than the budget are streamed one by one; the result is
/// NumPy's.
#[test]
fn streamed_percentile_along_axis_matches_numpy() {
    if !numpy_available() {
        return;
    }
    let arr = "x = rechunk((arange(600000) * 7919 % 100003 - 5000) / 7.0, 50000).reshape([3, 200000])\n\
               print(percentile(rechunk(x, [1, 50000]), [1, 50, 99.5], axis=1))\n\
               print(median(rechunk(x, [1, 50000]), axis=1))";
    let py = "import numpy as np\n\
              x = ((np.arange(600000) * 7919 % 100003 - 5000) / 7.0).reshape(3, 200000)\n\
              print(np.percentile(x, [1, 50, 99.5], axis=1).tolist())\n\
              print(np.median(x, axis=1).tolist())";
    let want = run_numpy(py);
    let got = run_arr(arr, &["--memory-limit", "2MiB"]);
    assert_eq!(got, want);
}

/// `sort`, `argsort` and `unique` of inputs larger than the memory limit sort out of core
/// (runs spilled to a temporary folder, merged) and give exactly the in-memory results; the
/// temporary folder is gone afterwards. (Checksums are exact: the result's grid may differ.)
#[test]
fn external_sort_equals_in_memory() {
    for (n, chunk, seed, limit) in [(300_000, 7_000, 1, "1MiB"), (150_001, 9_000, 2, "700KiB")] {
        let code = format!(
            "x = random.normal(0, 1, shape=[{n}], chunks={chunk}, seed={seed})\n\
             i = random.integers(0, 5000, shape=[{n}], chunks={chunk}, seed={seed})\n\
             y = where(i % 97 == 0, nan, x)\n\
             w = linspace(0.0, 1.0, {n}, chunks={chunk})\n\
             s = sort(y)\n\
             print(s[:4], s[-4:], s[::{n} // 7], float(nanmax(s * w)), float(nanmin(s * w)))\n\
             a = argsort(i)\n\
             print(a[:6], a[-6:], int(sum(a * (arange({n}, chunks={chunk}) % 1000))))\n\
             u = unique(i)\n\
             print(len(u), u[:5], u[-5:], int(sum(u)))\n\
             print(sort(i)[{n} // 2], unique(y)[-3:])"
        );
        let tmp =
            std::env::temp_dir().join(format!("arr-extsort-test-{}-{seed}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).expect("temp folder");
        let run = |limit: Option<&str>| {
            let mut cmd = Command::new(crate::arr_bin());
            cmd.env("TMPDIR", &tmp).args(["--no-progress", "-e", &code]);
            if let Some(l) = limit {
                cmd.args(["--memory-limit", l]);
            }
            let out = cmd.output().expect("arr runs");
            assert!(
                out.status.success(),
                "arr failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        let in_memory = run(None);
        let external = run(Some(limit));
        assert_eq!(external, in_memory, "n={n} limit={limit}");
        let left: Vec<_> = std::fs::read_dir(&tmp).expect("temp folder").collect();
        assert!(left.is_empty(), "temporaries left behind: {left:?}");
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
