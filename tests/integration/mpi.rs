//! Scale-out under MPI (LANGUAGE.md §13, issue 15): every case of `tests/cases` under
//! `mpirun -np 2` and `-np 3` prints exactly what one process prints (stdout, stderr and exit
//! code); stores under MPI round-trip with NumPy, zarr-python and h5py; a rank that fails
//! inside a store leaves the old file byte-identical and no temporaries; a killed rank ends
//! the job, never a hang. MPI needs one init per process, so every run is its own process.
//!
//! These run when the binary is built with the `mpi` feature and `mpirun` is installed
//! (`make test` does both); `ARR_REQUIRE_MPI=1` turns a missing piece into a failure.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Whether the MPI tests can run here (or must, under `ARR_REQUIRE_MPI=1`).
fn mpi_ready() -> bool {
    let mpirun = Command::new("mpirun")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let ready = mpirun && cfg!(feature = "mpi");
    if !ready {
        assert!(
            std::env::var_os("ARR_REQUIRE_MPI").is_none(),
            "ARR_REQUIRE_MPI=1 but {}",
            if mpirun {
                "arr was built without the `mpi` feature (cargo test --features mpi)"
            } else {
                "mpirun is not installed (make deps)"
            }
        );
        eprintln!("skipping the MPI tests: mpirun or the `mpi` feature is missing");
    }
    ready
}

/// Runs `arr ARGS` as one process, or under `mpirun -np N`, from the repository root.
fn run(np: Option<usize>, args: &[&str]) -> Output {
    let mut cmd = match np {
        None => Command::new(crate::arr_bin()),
        Some(n) => {
            let mut c = Command::new("timeout");
            c.args(["120", "mpirun", "-np", &n.to_string(), crate::arr_bin()]);
            c
        }
    };
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("run arr")
}

fn cases() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).expect("tests/cases").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "arr") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases"),
        &mut out,
    );
    out.sort();
    out
}

#[test]
fn every_case_under_mpirun_prints_what_one_process_prints() {
    if !mpi_ready() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = cases();
    assert!(files.len() > 100, "expected the case corpus");
    let mut failures = Vec::new();
    for f in &files {
        let rel = f
            .strip_prefix(root)
            .unwrap_or(f)
            .to_string_lossy()
            .to_string();
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let flags: Vec<String> = text
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("# flags:"))
            .flat_map(|l| l.split_whitespace().map(str::to_string))
            .collect();
        let mut args: Vec<&str> = vec!["--threads", "1", "--seed", "7"];
        args.extend(flags.iter().map(String::as_str));
        args.push(&rel);
        let one = run(None, &args);
        for np in [2, 3] {
            let many = run(Some(np), &args);
            if many.stdout != one.stdout
                || many.stderr != one.stderr
                || many.status.code() != one.status.code()
            {
                failures.push(format!(
                    "{rel} with -np {np}: exit {:?} vs {:?}\n--- one process\n{}{}\n--- mpirun\n{}{}",
                    many.status.code(),
                    one.status.code(),
                    String::from_utf8_lossy(&one.stdout),
                    String::from_utf8_lossy(&one.stderr),
                    String::from_utf8_lossy(&many.stdout),
                    String::from_utf8_lossy(&many.stderr),
                ));
                break;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ under MPI:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

/// The elements each computation generated, from `--verbose` reports: one process's
/// totals, or (under MPI, rank 0's report) each rank's figures.
fn generated_per_report(stderr: &[u8], per_rank: bool) -> Vec<Vec<u64>> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|l| l.starts_with("[arr]") && l.contains("elements generated"))
        .map(|l| {
            if per_rank {
                let figures = l
                    .split("per rank:")
                    .nth(1)
                    .and_then(|t| t.split("generated ").nth(1))
                    .and_then(|t| t.split(',').next())
                    .unwrap_or_else(|| panic!("no per-rank figures in {l}"));
                figures
                    .split('/')
                    .map(|n| n.parse().expect("a count"))
                    .collect()
            } else {
                let before = l.split(" elements generated").next().unwrap_or_default();
                let n = before.rsplit(", ").next().unwrap_or_default();
                vec![n.parse().unwrap_or_else(|_| panic!("no count in {l}"))]
            }
        })
        .collect()
}

#[test]
fn data_dependent_passes_divide_their_work_between_ranks() {
    if !mpi_ready() {
        return;
    }
    // topk/argtopk, unique, nonzero/argwhere (block-wise passes), the radix passes of an
    // exact median over more than the memory limit, and histogram/bincount counts: the same output under 2 ranks, and each
    // element generated once in all (each rank its share), where one rank doing everything
    // would give each rank the whole count.
    let dir = scratch("mpi-divided");
    let program = dir.join("divided.arr");
    std::fs::write(
        &program,
        "x = random.normal(0, 1, shape=[400000], chunks=[10000], seed=11)\n\
         print(topk(x, 3), argtopk(x, -2))\n\
         print(unique(astype(floor(x[:50000]), i64)))\n\
         print(len(nonzero(x > 3)[0]), argwhere(x > 4.2))\n\
         print(median(x), percentile(x, [2, 98]))\n\
         print(histogram(x, bins=5)[0], bincount(astype(abs(x) * 2, i64)))\n",
    )
    .expect("write the program");
    let program = program.to_string_lossy().to_string();
    let args = [
        "--threads",
        "1",
        "--verbose",
        "--memory-limit",
        "1MiB",
        program.as_str(),
    ];
    let one = run(None, &args);
    let two = run(Some(2), &args);
    assert!(
        one.status.success(),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&two.stdout),
        String::from_utf8_lossy(&one.stdout)
    );
    let totals = generated_per_report(&one.stderr, false);
    let shares = generated_per_report(&two.stderr, true);
    assert_eq!(totals.len(), shares.len(), "the same computations");
    let mut divided = 0;
    for (total, share) in totals.iter().zip(&shares) {
        assert_eq!(share.len(), 2, "two ranks' figures");
        assert_eq!(
            share.iter().sum::<u64>(),
            total[0],
            "each element generated once in all: {share:?} against {total:?}"
        );
        if total[0] > 0 {
            assert!(share.iter().all(|&n| n > 0), "both ranks work: {share:?}");
            divided += 1;
        }
    }
    assert!(divided >= 9, "the passes that generate ({divided})");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A fresh folder for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("arr-mpi-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Names in `dir` that look like Arr's temporaries.
fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| n.contains("arr-tmp"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn stores_under_mpi_round_trip_with_the_python_peers() {
    if !mpi_ready() || !crate::python::peers(&["numpy", "h5py", "zarr"]) {
        return;
    }
    let dir = scratch("stores");
    let program = dir.join("store.arr");
    std::fs::write(
        &program,
        "x = random.normal(0, 1, shape=[900, 700], chunks=[200, 300], seed=5)\n\
         y = arange(12.0).reshape([3, 4])\n\
         to_npy(x * 2 + 1, args[0] + \"/x.npy\")\n\
         to_zarr(x, args[0] + \"/x.zarr\", chunks=[250, 250], zarr_format=2)\n\
         to_hdf5([x, y], args[0] + \"/x.h5\", [\"x\", \"y\"])\n\
         print(from_npy(args[0] + \"/x.npy\").sum())\n",
    )
    .unwrap();
    let one = dir.join("one");
    let many = dir.join("many");
    std::fs::create_dir_all(&one).unwrap();
    std::fs::create_dir_all(&many).unwrap();
    let p = program.to_string_lossy().to_string();
    let a = run(None, &[&p, &one.to_string_lossy()]);
    let b = run(Some(3), &[&p, &many.to_string_lossy()]);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    assert_eq!(a.stdout, b.stdout);
    // npy files are the same bytes; the others hold the same values.
    assert_eq!(
        std::fs::read(one.join("x.npy")).unwrap(),
        std::fs::read(many.join("x.npy")).unwrap()
    );
    crate::python::py(
        &dir,
        "import numpy as np, h5py, zarr\n\
         for d in ['one', 'many']:\n\
         \x20   x = np.load(d + '/x.npy')\n\
         \x20   z = zarr.open(d + '/x.zarr', mode='r')[:]\n\
         \x20   f = h5py.File(d + '/x.h5', 'r')\n\
         \x20   assert np.array_equal(x, z * 2 + 1), d\n\
         \x20   assert np.array_equal(f['x'][:], z), d\n\
         \x20   assert np.array_equal(f['y'][:], np.arange(12.0).reshape(3, 4)), d\n\
         assert np.array_equal(zarr.open('one/x.zarr', mode='r')[:], zarr.open('many/x.zarr', mode='r')[:])\n",
    );
    assert!(temporaries(&many).is_empty(), "{:?}", temporaries(&many));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_rank_failing_inside_a_store_leaves_the_old_file_and_no_temporaries() {
    if !mpi_ready() {
        return;
    }
    let dir = scratch("fail");
    let program = dir.join("copy.arr");
    std::fs::write(
        &program,
        "x = from_zarr(args[0], chunks=250)\nto_npy(x * 2, args[1])\nprint(\"stored\")\n",
    )
    .unwrap();
    // Rank 0 reads a good store; rank 1 the same store with its last chunk (one of rank
    // 1's blocks) corrupted, so the failure happens on rank 1 only, inside the stream.
    let good = dir.join("good.zarr");
    let bad = dir.join("bad.zarr");
    let made = Command::new(crate::arr_bin())
        .args([
            "-e",
            "to_zarr(arange(1000.0), args[0], chunks=[250], zarr_format=2)",
        ])
        .arg(&good)
        .output()
        .expect("arr");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    std::fs::create_dir_all(&bad).unwrap();
    for e in std::fs::read_dir(&good).unwrap().flatten() {
        std::fs::copy(e.path(), bad.join(e.file_name())).unwrap();
    }
    std::fs::write(bad.join("3"), b"not a compressed chunk at all").unwrap();
    let out = dir.join("out.npy");
    std::fs::write(&out, b"the old file").unwrap();
    let (p, g, b, o) = (
        program.to_string_lossy().to_string(),
        good.to_string_lossy().to_string(),
        bad.to_string_lossy().to_string(),
        out.to_string_lossy().to_string(),
    );
    let started = Instant::now();
    let run = Command::new("timeout")
        .args([
            "120",
            "mpirun",
            "-np",
            "1",
            crate::arr_bin(),
            &p,
            &g,
            &o,
            ":",
        ])
        .args(["-np", "1", crate::arr_bin(), &p, &b, &o])
        .output()
        .expect("mpirun");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(60));
    assert!(String::from_utf8_lossy(&run.stdout).is_empty());
    assert_eq!(
        stderr.matches("error:").count(),
        1,
        "one message, printed once:\n{stderr}"
    );
    assert!(stderr.contains("bad.zarr"), "{stderr}");
    assert_eq!(std::fs::read(&out).unwrap(), b"the old file");
    assert!(temporaries(&dir).is_empty(), "{:?}", temporaries(&dir));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_killed_rank_ends_the_job() {
    if !mpi_ready() {
        return;
    }
    let dir = scratch("kill");
    let program = dir.join("long.arr");
    std::fs::write(
        &program,
        "for i in range(1000) {\n  print(random.normal(0, 1, shape=[3000, 3000], chunks=[500, 500], seed=i).sum())\n}\n",
    )
    .unwrap();
    let p = program.to_string_lossy().to_string();
    // Rank 1 is killed (SIGKILL) a second after it starts.
    let started = Instant::now();
    let run = Command::new("timeout")
        .args([
            "120",
            "mpirun",
            "-np",
            "1",
            crate::arr_bin(),
            &p,
            ":",
            "-np",
            "1",
        ])
        .args(["sh", "-c", "(sleep 1; kill -9 $$) & exec \"$0\" \"$1\""])
        .args([crate::arr_bin(), &p])
        .output()
        .expect("mpirun");
    let took = started.elapsed();
    assert_ne!(run.status.code(), Some(0));
    // `timeout` exits 124 when it had to stop a hung job.
    assert_ne!(run.status.code(), Some(124), "the job hung");
    assert!(took < Duration::from_secs(60), "took {took:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `program ARGS` as two ranks where only rank 1 fails its first block write (the
/// `ARR_FAIL_WRITE_AFTER` hook in rank 1's environment alone).
fn run_with_rank_1_failing_its_writes(program: &str, args: &[&str]) -> Output {
    Command::new("timeout")
        .args(["120", "mpirun", "-np", "1", crate::arr_bin(), program])
        .args(args)
        .args([":", "-np", "1", "env", "ARR_FAIL_WRITE_AFTER=0"])
        .arg(crate::arr_bin())
        .arg(program)
        .args(args)
        .output()
        .expect("mpirun")
}

/// Every file under `dir` with its bytes, in name order.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read folder").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).expect("read file")));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_rank_writes_its_own_zarr_chunks_and_npy_regions() {
    if !mpi_ready() {
        return;
    }
    // Zarr chunk files and npy regions are written by the rank that computed them (no block
    // travels to rank 0): a write failure injected on rank 1 alone fails the store, which
    // could not happen if rank 0 wrote every block; the old store stays as it was.
    let dir = scratch("each-rank");
    let zarr = dir.join("x.zarr");
    let npy = dir.join("x.npy");
    let made = Command::new(crate::arr_bin())
        .args(["-e", "to_zarr(arange(10.0), args[0])"])
        .arg(&zarr)
        .output()
        .expect("arr");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    std::fs::write(&npy, b"the old file").unwrap();
    let before = tree(&zarr);
    for (store, target) in [("to_zarr", &zarr), ("to_npy", &npy)] {
        let program = dir.join(format!("{store}.arr"));
        std::fs::write(
            &program,
            format!(
                "x = random.normal(0, 1, shape=[1000, 100], chunks=[100, 100], seed=3)\n\
                 {store}(x, args[0])\nprint(\"stored\")\n"
            ),
        )
        .unwrap();
        let started = Instant::now();
        let out = run_with_rank_1_failing_its_writes(
            &program.to_string_lossy(),
            &[&target.to_string_lossy()],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{store}: {stderr}");
        assert!(started.elapsed() < Duration::from_secs(60));
        assert!(String::from_utf8_lossy(&out.stdout).is_empty(), "{store}");
        assert_eq!(stderr.matches("error:").count(), 1, "{store}: {stderr}");
        assert!(
            stderr.contains("injected write failure"),
            "{store}: {stderr}"
        );
        assert!(temporaries(&dir).is_empty(), "{:?}", temporaries(&dir));
    }
    assert_eq!(tree(&zarr), before, "the old Zarr store changed");
    assert_eq!(std::fs::read(&npy).unwrap(), b"the old file");
    let _ = std::fs::remove_dir_all(&dir);
}
