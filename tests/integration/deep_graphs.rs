//! A lazy graph as deep as a long loop (10^6 steps of `y = y + 1`) is built, checked,
//! optimised and run in bounded time and memory: every graph walk keeps its own stack and
//! is linear. The bounds are generous for a loaded 2-core machine (about 5 s and 0.87 GB on
//! the development machine; before: 13 s and 1.3 GB). Without the optimiser the chain is
//! one interpreted kernel of 10^6 instructions; its values share columns once dead
//! (`backend::interp::assign_slots`), so that run too is checked at 10^6 steps (13 s and
//! 1.5 GB on the development machine; before, every value kept its column: 13.6 GB).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `arr ARGS` to completion within `limit`; returns its stdout, stderr and peak
/// resident memory in bytes: the largest `VmHWM` of the child's `/proc/PID/status` polled
/// every 10 ms while it runs. Not `wait4`'s `ru_maxrss`: the child is spawned by vfork, and
/// Linux carries the spawning test process's own high-water mark (all the tests running in
/// it) into the child's count at exec, so under a busy test binary that count says nothing
/// about `arr` (W6 read as 276 MiB where `arr` itself peaked at 144 MiB).
// The child is reaped by `wait4`, not `Child::wait`.
#[allow(clippy::zombie_processes)]
pub(crate) fn run_measured(args: &[&str], limit: Duration) -> (String, String, u64, bool) {
    let dir = std::env::temp_dir().join(format!("arr-deep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let tag = args.join("_").replace(['/', '.'], "-");
    let (out_path, err_path) = (
        dir.join(format!("{tag}.out")),
        dir.join(format!("{tag}.err")),
    );
    let child = Command::new(crate::arr_bin())
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("arr starts");
    let pid = child.id() as libc::pid_t;
    let started = Instant::now();
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut peak = 0u64;
    loop {
        // Read before reaping: once reaped, the status is gone.
        peak = peak.max(vm_hwm(pid).unwrap_or(0));
        // SAFETY: `pid` is our child, not yet reaped; the pointers are to live locals.
        let got = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(got >= 0, "wait4 failed");
        if got == pid {
            break;
        }
        if started.elapsed() > limit {
            // SAFETY: as above; the child is killed, then reaped.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::wait4(pid, &mut status, 0, &mut usage);
            }
            panic!("arr {args:?} ran past {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    let out = std::fs::read_to_string(&out_path).unwrap_or_default();
    let err = std::fs::read_to_string(&err_path).unwrap_or_default();
    (out, err, peak, ok)
}

/// The peak resident memory of live process `pid` so far (`VmHWM`, bytes).
fn vm_hwm(pid: libc::pid_t) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[test]
fn a_million_step_loop_runs_in_bounded_time_and_memory() {
    let dir = std::env::temp_dir().join(format!("arr-deep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let script = |steps: usize| {
        let file = dir.join(format!("loop{steps}.arr"));
        std::fs::write(
            &file,
            format!("y = ones(3)\nfor i in range({steps}) {{ y = y + 1 }}\nprint(y)\n"),
        )
        .expect("script");
        file.to_str().expect("utf-8 path").to_string()
    };
    let million = script(1_000_000);
    for (args, limit, want) in [
        (vec![million.as_str()], Duration::from_secs(60), "1000001.0"),
        (
            vec!["--no-opt", million.as_str()],
            Duration::from_secs(90),
            "1000001.0",
        ),
    ] {
        let started = Instant::now();
        let (out, err, peak, ok) = run_measured(&args, limit);
        let took = started.elapsed();
        assert!(ok, "{args:?}: {err}");
        assert_eq!(out.trim(), format!("[{want}, {want}, {want}]"), "{args:?}");
        assert!(
            peak < 2 << 30,
            "{args:?}: peak RSS {} MiB (took {took:?})",
            peak >> 20
        );
    }
}
