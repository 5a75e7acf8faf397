//! Stores and file readers under attack (issue 12's data-loss and files items): a store
//! never touches what is not its own (folders that are not stores of its format, symbolic
//! links, devices and FIFOs, missing folders), honours Ctrl-C in every phase and leaves no
//! temporary behind on any exit path (a second Ctrl-C, SIGKILL: the next store cleans up),
//! `arr explain` computes and writes nothing, crafted file headers give clear errors, HDF5
//! links, empty dataspaces and damaged datatypes are never misread, and pictures larger than
//! their image stream in bounded memory.

use crate::python::{peers, py};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("arr-store-safety-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

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

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs code that must fail with exit 1 and an error starting with `message`.
fn fails(dir: &Path, code: &str, message: &str) {
    let o = arr(dir, &[], code);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{code}: {err}");
    assert!(
        err.starts_with(&format!("error: {message}")),
        "{code}: expected `error: {message}...`, got:\n{err}"
    );
    assert!(!err.contains("panicked"), "{code}: {err}");
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains(".arr-tmp-") || n.contains(".arr-old-"))
                .collect()
        })
        .unwrap_or_default()
}

/// Every store, as a call writing `path` (`X` is the array).
const STORES: &[&str] = &[
    "to_npy(X, PATH)",
    "to_hdf5(X, PATH, \"/x\")",
    "to_netcdf(X, PATH, \"v\")",
    "to_zarr(X, PATH)",
    "to_zarr(X, PATH, variable=\"v\")",
    "imshow(reshape(X, [2, 2]), path=PATH)",
    "plot(X, path=PATH)",
    "hist(X, path=PATH)",
    "explain(X, path=PATH + \".svg\")",
];

fn store(call: &str, path: &str) -> String {
    call.replace("X", "arange(4.0)")
        .replace("PATH", &format!("\"{path}\""))
}

#[test]
fn a_folder_that_is_not_a_store_is_never_replaced() {
    let dir = scratch("folder");
    std::fs::create_dir_all(dir.join("data/sub")).expect("mkdir");
    std::fs::write(dir.join("data/keep.txt"), "precious").expect("write");
    std::fs::write(dir.join("data/sub/more.txt"), "also").expect("write");
    std::fs::write(dir.join("notes.txt"), "a file").expect("write");
    for call in ["to_zarr(X, PATH)", "to_zarr(X, PATH, variable=\"v\")"] {
        fails(
            &dir,
            &store(call, "data"),
            "cannot write \"data\": it is a folder that is not a Zarr store",
        );
        fails(
            &dir,
            &store(call, "notes.txt"),
            "cannot write \"notes.txt\": it is a file, not a Zarr store",
        );
    }
    // A group store whose variable folder is not a Zarr array keeps it.
    let o = arr(
        &dir,
        &[],
        "to_zarr(arange(3), \"g.zarr\", variable=\"a\")\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::create_dir_all(dir.join("g.zarr/b")).expect("mkdir");
    std::fs::write(dir.join("g.zarr/b/mine.txt"), "mine").expect("write");
    fails(
        &dir,
        "to_zarr(arange(3), \"g.zarr\", variable=\"b\")",
        "cannot write \"g.zarr/b\": it is a folder that is not a Zarr store",
    );
    // Single-file stores refuse any folder.
    for call in STORES
        .iter()
        .filter(|c| !c.contains("zarr") && !c.contains("svg"))
    {
        fails(
            &dir,
            &store(call, "data"),
            "cannot write \"data\": it is a directory",
        );
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("data/keep.txt")).expect("kept"),
        "precious"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("data/sub/more.txt")).expect("kept"),
        "also"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).expect("kept"),
        "a file"
    );
    assert!(dir.join("g.zarr/b/mine.txt").exists());
    // A Zarr store and an empty folder are the store's to replace.
    std::fs::create_dir_all(dir.join("empty")).expect("mkdir");
    let o = arr(
        &dir,
        &[],
        "to_zarr(arange(3), \"z.zarr\")\nto_zarr(arange(4), \"z.zarr\")\nto_zarr(arange(5), \"empty\")\nprint(from_zarr(\"z.zarr\"), from_zarr(\"empty\"))\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "[0, 1, 2, 3] [0, 1, 2, 3, 4]\n",
        "{}",
        stderr(&o)
    );
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
}

#[test]
fn links_and_special_files_are_never_replaced() {
    let dir = scratch("links");
    std::fs::write(dir.join("real.bin"), "target").expect("write");
    std::fs::create_dir_all(dir.join("realdir")).expect("mkdir");
    std::os::unix::fs::symlink("real.bin", dir.join("link")).expect("symlink");
    std::os::unix::fs::symlink("realdir", dir.join("dirlink")).expect("symlink");
    std::os::unix::fs::symlink("nowhere", dir.join("dangling")).expect("symlink");
    let fifo = std::ffi::CString::new(dir.join("fifo").to_str().expect("utf-8")).expect("path");
    // Safety: a plain mkfifo of a path in the scratch folder.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0, "mkfifo");
    for call in STORES {
        for link in ["link", "dirlink", "dangling"] {
            let target = if call.contains("svg") {
                // explain(path=) needs a .svg name: link it too.
                let name = format!("{link}.svg");
                let _ = std::os::unix::fs::symlink("real.bin", dir.join(&name));
                name
            } else {
                link.to_string()
            };
            let shown = if call.contains("svg") {
                target.clone()
            } else {
                link.to_string()
            };
            let code = store(call, link);
            let o = arr(&dir, &[], &code);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(1), "{code}: {err}");
            assert!(
                err.starts_with(&format!(
                    "error: cannot write \"{shown}\": it is a symbolic link"
                )),
                "{code}: {err}"
            );
        }
        if !call.contains("svg") {
            fails(
                &dir,
                &store(call, "fifo"),
                "cannot write \"fifo\": it is a special file (a device, FIFO or socket)",
            );
        }
    }
    let meta = std::fs::symlink_metadata(dir.join("link")).expect("link");
    assert!(meta.file_type().is_symlink(), "the link was replaced");
    assert_eq!(
        std::fs::read_to_string(dir.join("real.bin")).expect("target"),
        "target"
    );
    assert!(
        std::fs::symlink_metadata(dir.join("dirlink"))
            .expect("link")
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_dir(dir.join("realdir"))
            .expect("dir")
            .next()
            .is_none()
    );
    assert!(
        std::fs::symlink_metadata(dir.join("dangling"))
            .expect("link")
            .file_type()
            .is_symlink()
    );
    assert!(!dir.join("nowhere").exists());
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(dir.join("fifo"))
            .expect("fifo")
            .file_type()
            .is_fifo()
    );
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
}

#[test]
fn stores_never_create_folders() {
    let dir = scratch("folders");
    for call in STORES {
        let code = store(call, "new/deeper/out");
        let shown = if call.contains("svg") {
            "new/deeper/out.svg"
        } else {
            "new/deeper/out"
        };
        fails(
            &dir,
            &code,
            &format!(
                "cannot write \"{shown}\": the folder \"new/deeper\" does not exist (stores do not create folders)"
            ),
        );
        assert!(!dir.join("new").exists(), "{code} created a folder");
    }
    // A failing store into an existing folder leaves nothing either (and to_hdf5 into a
    // missing folder is refused, as h5py and NumPy refuse it).
    std::fs::create_dir_all(dir.join("here")).expect("mkdir");
    let o = Command::new(crate::arr_bin())
        .current_dir(&dir)
        .env("ARR_FAIL_WRITE_AFTER", "1")
        .args([
            "-e",
            "to_hdf5(ones([100, 100], chunks=10), \"here/x.h5\", \"/x\")",
        ])
        .output()
        .expect("arr runs");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        std::fs::read_dir(dir.join("here"))
            .expect("dir")
            .next()
            .is_none()
    );
    // The check finds it before anything runs.
    let o = arr(
        &dir,
        &[],
        "print(\"never printed\")\nto_npy(ones(3), \"nope/x.npy\")\n",
    );
    assert!(String::from_utf8_lossy(&o.stdout).is_empty());
    assert!(stderr(&o).contains("t.arr:2:"), "{}", stderr(&o));
}

/// Starts `arr` on `code` in `dir` and waits until a temporary of `name` appears.
fn start_until_temp(dir: &Path, code: &str, name: &str) -> std::process::Child {
    std::fs::write(dir.join("t.arr"), code).expect("write");
    let mut cmd = Command::new(crate::arr_bin());
    cmd.current_dir(dir)
        .args(["--threads", "1", "t.arr"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    with_default_signals(&mut cmd);
    let child = cmd.spawn().expect("arr starts");
    let started = Instant::now();
    while !leftovers(dir)
        .iter()
        .any(|n| n.starts_with(&format!(".{name}")))
        && started.elapsed() < Duration::from_secs(60)
    {
        std::thread::sleep(Duration::from_millis(1));
    }
    child
}

/// Gives the child the default SIGINT and SIGTERM dispositions. A test run started as a
/// background job of a non-interactive shell (`make test &`) inherits an ignored SIGINT,
/// and `arr`, like other programs, leaves an inherited ignore in place — the Ctrl-C these
/// tests send would then never arrive.
pub(crate) fn with_default_signals(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls (signal(2)) between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::signal(libc::SIGTERM, libc::SIG_DFL);
            Ok(())
        });
    }
}

fn signal(child: &std::process::Child, sig: &str) {
    // Sent from this process (no `kill` program to start), so it arrives at once.
    let number = match sig {
        "-INT" => libc::SIGINT,
        "-TERM" => libc::SIGTERM,
        other => panic!("unknown signal {other}"),
    };
    // SAFETY: kill(2) on the pid of a child this test started and has not waited for.
    unsafe {
        libc::kill(child.id() as libc::pid_t, number);
    }
}

#[test]
fn ctrl_c_during_png_encoding_cancels_the_picture() {
    let dir = scratch("png-sigint");
    // A small array drawn very large: streaming is instant, colouring and encoding are not.
    let child = start_until_temp(
        &dir,
        "imshow(random.uniform(shape=[64, 64], seed=1), path=\"big.png\", width=12000, height=12000, colorbar=false)\n",
        "big.png",
    );
    let at = Instant::now();
    signal(&child, "-INT");
    let out = child.wait_with_output().expect("arr ends");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with("error: computation cancelled"), "{err}");
    assert!(
        at.elapsed() < Duration::from_secs(5),
        "took {:?}",
        at.elapsed()
    );
    assert!(!dir.join("big.png").exists(), "the picture was written");
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
}

#[test]
fn a_second_ctrl_c_leaves_no_temporary() {
    let dir = scratch("double-sigint");
    for (code, name) in [
        (
            "to_npy(random.normal(0, 1, shape=[6000, 4000], chunks=[50, 4000], seed=1) * 2, \"t.npy\")\n",
            "t.npy",
        ),
        (
            "imshow(random.uniform(shape=[64, 64], seed=1), path=\"big.png\", width=12000, height=12000, colorbar=false)\n",
            "big.png",
        ),
    ] {
        let child = start_until_temp(&dir, code, name);
        signal(&child, "-INT");
        signal(&child, "-INT");
        let out = child.wait_with_output().expect("arr ends");
        // Cancelled (1), or the second signal arrived after the handler was gone (130, or
        // killed by SIGINT itself once the store had cleaned up): never a written file.
        use std::os::unix::process::ExitStatusExt;
        assert!(
            matches!(out.status.code(), Some(1) | Some(130)) || out.status.signal() == Some(2),
            "{:?}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!dir.join(name).exists(), "{name} was written");
        assert!(
            leftovers(&dir).is_empty(),
            "{code} left {:?}",
            leftovers(&dir)
        );
    }
}

#[test]
fn temporaries_of_killed_runs_are_cleaned_by_the_next_store() {
    let dir = scratch("sigkill");
    let child = start_until_temp(
        &dir,
        "to_npy(random.normal(0, 1, shape=[6000, 4000], chunks=[50, 4000], seed=1) * 2, \"t.npy\")\n",
        "t.npy",
    );
    let mut child = child;
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    assert!(
        !leftovers(&dir).is_empty(),
        "the killed store left nothing to clean"
    );
    // A Zarr temporary folder of a dead process, one moved aside mid-commit, and a
    // temporary of a live process (this test's own), which must stay.
    let dead = 2_147_483_000; // above any pid_max: never a live process
    std::fs::create_dir_all(dir.join(format!(".z.zarr.arr-tmp-{dead}-0/c"))).expect("mkdir");
    std::fs::write(dir.join(format!(".z.zarr.arr-tmp-{dead}-0/c/0")), "x").expect("write");
    let live = format!(".t.npy.arr-tmp-{}-0", std::process::id());
    std::fs::write(dir.join(&live), "someone else's").expect("write");
    let o = arr(
        &dir,
        &[],
        "to_npy(arange(3), \"t.npy\")\nto_zarr(arange(3), \"z.zarr\")\nprint(from_npy(\"t.npy\"), from_zarr(\"z.zarr\"))\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "[0, 1, 2] [0, 1, 2]\n",
        "{}",
        stderr(&o)
    );
    assert_eq!(leftovers(&dir), vec![live.clone()]);
    std::fs::remove_file(dir.join(&live)).expect("rm");
    // A Zarr store moved aside by a process killed between the two renames of its commit
    // is put back when its place is empty.
    std::fs::rename(
        dir.join("z.zarr"),
        dir.join(format!(".z.zarr.arr-old-{dead}-3")),
    )
    .expect("mv");
    let o = arr(&dir, &[], "to_npy(arange(2), \"z.zarr\")\n");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("it is a directory"), "{}", stderr(&o));
    let o = arr(&dir, &[], "print(from_zarr(\"z.zarr\"))\n");
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "[0, 1, 2]\n",
        "{}",
        stderr(&o)
    );
}

#[test]
fn arr_explain_computes_and_writes_nothing() {
    let dir = scratch("explain");
    let code = "x = random.uniform(shape=[300, 300], chunks=[100, 300], seed=2)\n\
                to_npy(x + 1, \"a.npy\")\n\
                to_hdf5(x, \"a.h5\", \"/x\")\n\
                to_zarr(x, \"a.zarr\")\n\
                imshow(x, path=\"a.png\")\n\
                plot(x[0], path=\"p.png\")\n\
                counts = hist(x, path=\"h.png\")\n\
                explain(x, path=\"e.svg\")\n\
                if x.sum() > 0 { to_npy(x, \"b.npy\") }\n\
                s = sort(x[0])\n\
                y = x[x > 0.5]\n\
                print(y.sum(), s)\n\
                print(float(x.mean()))\n";
    std::fs::write(dir.join("t.arr"), code).expect("write");
    let o = Command::new(crate::arr_bin())
        .current_dir(&dir)
        .args(["explain", "t.arr"])
        .output()
        .expect("arr runs");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}{}", stderr(&o));
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, vec!["t.arr"], "arr explain wrote files");
    // The plans of the stores, pictures, the condition and the printed values are shown.
    assert!(out.matches("plan: ").count() >= 9, "{out}");
    assert!(out.contains("random"), "{out}");
}

#[test]
fn crafted_headers_give_clear_errors() {
    let dir = scratch("headers");
    // A .npy whose shape's byte count wraps to 0 (2**32 cubed times 8 = 2**99).
    let mut npy = b"\x93NUMPY\x01\x00".to_vec();
    let mut header =
        "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }"
            .to_string();
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(' ');
    }
    header.push('\n');
    npy.extend_from_slice(&(header.len() as u16).to_le_bytes());
    npy.extend_from_slice(header.as_bytes());
    npy.extend_from_slice(&[0u8; 16]);
    std::fs::write(dir.join("wrap.npy"), &npy).expect("write");
    fails(
        &dir,
        "x = from_npy(\"wrap.npy\")\nprint(x[1, 2, 3])",
        "\"wrap.npy\" is not a valid .npy file: its shape (4294967296, 4294967296, 4294967296) describes more data than can exist",
    );
    // One axis longer than any array can be.
    let big = npy_with_shape("(18446744073709551615,)");
    std::fs::write(dir.join("huge.npy"), big).expect("write");
    fails(
        &dir,
        "print(from_npy(\"huge.npy\"))",
        "\"huge.npy\" is not a valid .npy file: its shape",
    );
    // Zarr metadata whose shape or chunk shape overflows.
    for (name, shape, chunk) in [
        (
            "shape.zarr",
            "[4294967296, 4294967296, 4294967296]",
            "[1, 1, 1]",
        ),
        (
            "chunk.zarr",
            "[4, 4, 4]",
            "[4294967296, 4294967296, 4294967296]",
        ),
    ] {
        std::fs::create_dir_all(dir.join(name)).expect("mkdir");
        std::fs::write(
            dir.join(name).join(".zarray"),
            format!(
                "{{\"zarr_format\": 2, \"shape\": {shape}, \"chunks\": {chunk}, \"dtype\": \"<f8\", \"compressor\": null, \"fill_value\": 0, \"order\": \"C\", \"filters\": null}}"
            ),
        )
        .expect("write");
        fails(
            &dir,
            &format!("x = from_zarr(\"{name}\")\nprint(x[1, 2, 3])"),
            &format!("Zarr array \"{name}\" is damaged"),
        );
    }
}

#[test]
fn storage_chunks_larger_than_the_memory_limit_are_refused() {
    let dir = scratch("bigchunk");
    // A 4 x 4 array whose one chunk is 1048576 x 1048576 (8 TiB when decoded).
    std::fs::create_dir_all(dir.join("c.zarr")).expect("mkdir");
    std::fs::write(
        dir.join("c.zarr/.zarray"),
        "{\"zarr_format\": 2, \"shape\": [4, 4], \"chunks\": [1048576, 1048576], \"dtype\": \"<f8\", \"compressor\": null, \"fill_value\": 0, \"order\": \"C\", \"filters\": null}",
    )
    .expect("write");
    fails(
        &dir,
        "x = from_zarr(\"c.zarr\")\nprint(x.sum())",
        "the storage chunks of \"c.zarr\" ([1048576, 1048576], 8.0 TiB each, decoded whole) do not fit the memory limit",
    );
}

fn npy_with_shape(shape: &str) -> Vec<u8> {
    let mut npy = b"\x93NUMPY\x01\x00".to_vec();
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}");
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(' ');
    }
    header.push('\n');
    npy.extend_from_slice(&(header.len() as u16).to_le_bytes());
    npy.extend_from_slice(header.as_bytes());
    npy.extend_from_slice(&[0u8; 16]);
    npy
}

#[test]
fn hdf5_links_dataspaces_and_datatypes_are_never_misread() {
    if !peers(&["numpy", "h5py"]) {
        return;
    }
    let dir = scratch("hdf5");
    py(
        &dir,
        r#"
import h5py, numpy as np
with h5py.File("other.h5", "w") as f:
    f["x"] = np.arange(10.0) * 2
    f.create_dataset("c", data=np.arange(12.0).reshape(3, 4) * 3, chunks=(1, 4))
with h5py.File("good.h5", "w") as f:
    f["own"] = np.arange(10.0) + 100
    f.create_dataset("ownc", data=np.arange(12.0).reshape(3, 4) + 100, chunks=(1, 4))
    f["ext"] = h5py.ExternalLink("other.h5", "/x")
    f["extc"] = h5py.ExternalLink("other.h5", "/c")
    f["soft"] = h5py.SoftLink("/own")
    f["dangling"] = h5py.SoftLink("/nothing")
    f.create_dataset("empty", data=h5py.Empty("f8"))
    f["scalar"] = 3.5
with h5py.File("flip.h5", "w") as f:
    f["x"] = np.arange(10.0) + 0.5
"#,
    );
    let o = arr(
        &dir,
        &[],
        "print(from_hdf5(\"good.h5\", \"/ext\"))\n\
         print(from_hdf5(\"good.h5\", \"/extc\").sum(axis=1))\n\
         print(from_hdf5(\"good.h5\", \"/soft\")[:3])\n\
         print(from_hdf5(\"good.h5\", \"/scalar\") * 2)\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "[0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0]\n[18.0, 66.0, 114.0]\n[100.0, 101.0, 102.0]\n7.0\n",
        "{}",
        stderr(&o)
    );
    fails(
        &dir,
        "print(from_hdf5(\"good.h5\", \"/empty\"))",
        "dataset \"/empty\" in \"good.h5\" holds no data (its dataspace is null",
    );
    fails(
        &dir,
        "print(from_hdf5(\"good.h5\", \"/dangling\"))",
        "no dataset \"/dangling\" in \"good.h5\"",
    );
    // Single-bit flips in the dataset's datatype message: what h5py refuses Arr refuses,
    // and what Arr reads is what h5py reads.
    let report = py(
        &dir,
        &format!(
            r#"
import h5py, numpy as np, subprocess
data = open("flip.h5", "rb").read()
pat = bytes([0x11, 0x20, 0x3f, 0x00, 0x08, 0, 0, 0, 0, 0, 0x40, 0, 0x34, 0x0b, 0x00, 0x34, 0xff, 0x03, 0, 0])
at = data.find(pat)
assert at >= 0 and data.find(pat, at + 1) < 0
bad = []
for byte in (0, 1, 10, 13, 15, 17):
    for bit in range(8):
        d = bytearray(data); d[at + byte] ^= 1 << bit
        open("f.h5", "wb").write(d)
        try:
            with h5py.File("f.h5", "r") as f:
                ref = np.asarray(f["x"][()], dtype="f8")
        except Exception:
            ref = None
        o = subprocess.run(["{bin}", "-e", 'to_npy(astype(from_hdf5("f.h5", "/x"), f64), "o.npy")'], capture_output=True, text=True)
        if "panicked" in o.stderr:
            bad.append((byte, bit, "panic"))
        got = np.load("o.npy") if o.returncode == 0 else None
        if got is not None:
            import os; os.remove("o.npy")
            if ref is None or not np.array_equal(ref, got, equal_nan=True):
                bad.append((byte, bit, "misread"))
print(bad)
"#,
            bin = crate::arr_bin()
        ),
    );
    assert_eq!(report.trim(), "[]", "datatype flips misread: {report}");
}

#[test]
fn pictures_larger_than_their_image_stream_in_bounded_memory() {
    let dir = scratch("bigpicture");
    let o = arr(
        &dir,
        &["--verbose", "--memory-limit", "512MB"],
        "imshow(ones([1, 10**9]), path=\"wide.png\")\n",
    );
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    let line = err
        .lines()
        .find(|l| l.contains("imshow:") && l.contains("peak RSS"))
        .unwrap_or_else(|| panic!("no report in {err}"));
    let rss = line.rsplit("peak RSS ").next().expect("size").trim();
    let (num, unit) = rss.split_once(' ').expect("number and unit");
    let mib = num.parse::<f64>().expect("number")
        * match unit {
            "GiB" => 1024.0,
            "MiB" => 1.0,
            _ => 1.0 / 1024.0,
        };
    assert!(mib < 400.0, "peak RSS {mib} MiB for a 2048 x 1 picture");
    assert!(dir.join("wide.png").exists());
    // A picture whose own buffers exceed the limit is refused before anything is allocated.
    let o = arr(
        &dir,
        &["--memory-limit", "100MB"],
        "imshow(ones([4, 4]), path=\"huge.png\", width=16384, height=16384)\n",
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("error: imshow of 16384 x 16384 pixels needs about"),
        "{err}"
    );
    assert!(err.contains("over the memory limit"), "{err}");
}

/// A Zarr store being written (a folder of chunk files): two Ctrl-Cs or two SIGTERMs in a
/// row remove its temporary folder before the process exits, and a SIGKILLed one is
/// removed by the next store to the same path.
#[test]
fn zarr_temporaries_are_removed_on_every_exit_path() {
    let dir = scratch("zarr-signals");
    let big = "random.normal(0, 1, shape=[6000, 4000], chunks=[50, 4000], seed=1) * 2";
    let mut exits = Vec::new();
    for (code, name) in [
        (format!("to_zarr({big}, \"t.zarr\")\n"), "t.zarr"),
        (
            format!("to_zarr({big}, \"g.zarr\", variable=\"v\")\n"),
            "g.zarr",
        ),
    ] {
        for sig in ["-INT", "-TERM"] {
            let child = start_until_temp(&dir, &code, name);
            // Let chunk files and folders appear inside the temporary folder.
            std::thread::sleep(Duration::from_millis(300));
            signal(&child, sig);
            signal(&child, sig);
            let out = child.wait_with_output().expect("arr ends");
            use std::os::unix::process::ExitStatusExt;
            assert!(
                matches!(out.status.code(), Some(1) | Some(130))
                    || matches!(out.status.signal(), Some(2) | Some(15)),
                "{code} {sig}: {:?}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            exits.push(out.status.code());
            assert!(!dir.join(name).exists(), "{name} was written");
            assert!(
                leftovers(&dir).is_empty(),
                "{code} {sig} left {:?}",
                leftovers(&dir)
            );
        }
    }
    // SIGKILL: the folder stays until the next store to the path removes it.
    let mut child = start_until_temp(&dir, &format!("to_zarr({big}, \"t.zarr\")\n"), "t.zarr");
    std::thread::sleep(Duration::from_millis(300));
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    let left = leftovers(&dir);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(
        std::fs::read_dir(dir.join(&left[0]))
            .map(|d| d.count() > 0)
            .unwrap_or(false),
        "the killed store's temporary folder holds its chunks"
    );
    let o = arr(
        &dir,
        &[],
        "to_zarr(arange(3), \"t.zarr\")\nprint(from_zarr(\"t.zarr\"))\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "[0, 1, 2]\n",
        "{}",
        stderr(&o)
    );
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
    eprintln!("exit codes after two signals: {exits:?}");
}
