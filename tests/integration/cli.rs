//! The command line's own messages: every error starts with lower-case `error:` (bad flags,
//! unreadable files, program errors), exit codes are 1 for program errors and 2 for bad
//! command lines, and `arr explain -e CODE` prints a plan without running anything.

use std::process::Command;

fn arr(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(crate::arr_bin())
        .args(args)
        .output()
        .expect("arr runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn cli_errors_start_with_lower_case_error() {
    let cases: &[(&[&str], i32)] = &[
        (&["--bogus"], 2),
        (&["--threads", "0", "-e", "1"], 2),
        (&["--threads", "x", "-e", "1"], 2),
        (&["--memory-limit", "4XB", "-e", "1"], 2),
        (&["--device", "gpu", "-e", "1"], 2),
        (&["/nonexistent/file.arr"], 2),
        (&["check", "/nonexistent/file.arr"], 2),
        (&["explain"], 2),
        (&["-e", "ones(3) + ones(4)"], 1),
        (&["-e", "assert(false, \"no\")"], 1),
        (&["explain", "-e", "nope + 1"], 1),
    ];
    for (args, want) in cases {
        let (code, _, err) = arr(args);
        assert_eq!(code, *want, "arr {args:?}: {err}");
        assert!(err.starts_with("error: "), "arr {args:?}: {err:?}");
    }
}

#[test]
fn cli_explain_takes_code_with_e() {
    let (code, out, err) = arr(&["explain", "-e", "print(ones([100, 100]).sum(axis=0))"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("plan: f64[100]"), "{out}");
    assert!(out.contains("sum(axis=[0])"), "{out}");
    assert!(
        !out.contains("100.0, 100.0"),
        "explain computes nothing: {out}"
    );
}
