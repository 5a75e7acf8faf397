//! Runs every `tests/cases/**/*.arr`. A case states what it expects in comment headers:
//!
//! - `# out: TEXT` — one expected line of standard output (in order, all of them);
//! - `# error: TEXT` — the run fails with exit code 1 and stderr's first line is
//!   `error: TEXT...` (a prefix match);
//! - `# at: LINE:COL` — the error points at that line and column of the case file;
//! - `# golden` — stderr must equal the file `NAME.stderr` beside the case
//!   (`UPDATE_EXPECT=1` rewrites it);
//! - `# flags: ...` — extra command-line flags;
//! - `# pending: REASON` — written from the contract for a feature that is not built yet:
//!   the case is run and counted as pending while it fails, and fails the suite once it
//!   passes (so the header is removed when the feature lands).
//!
//! Each case runs with `--threads 1` and `--threads 2`; both runs must match.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Expect {
    out: Vec<String>,
    error: Option<String>,
    at: Option<String>,
    golden: bool,
    flags: Vec<String>,
    pending: Option<String>,
}

fn parse_headers(text: &str) -> Expect {
    let mut e = Expect {
        out: Vec::new(),
        error: None,
        at: None,
        golden: false,
        flags: Vec::new(),
        pending: None,
    };
    for line in text.lines() {
        let line = line.trim_start();
        if let Some(rest) = line.strip_prefix("# out:") {
            e.out
                .push(rest.strip_prefix(' ').unwrap_or(rest).to_string());
        } else if let Some(rest) = line.strip_prefix("# error:") {
            e.error = Some(rest.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("# at:") {
            e.at = Some(rest.trim().to_string());
        } else if line.trim() == "# golden" {
            e.golden = true;
        } else if let Some(rest) = line.strip_prefix("# pending:") {
            e.pending = Some(rest.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("# flags:") {
            e.flags.extend(rest.split_whitespace().map(str::to_string));
        }
    }
    e
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let p = entry.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "arr") {
            out.push(p);
        }
    }
}

fn check_case(path: &Path, threads: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let expect = parse_headers(&text);
    let rel = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path);
    let output = Command::new(crate::arr_bin())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["--threads", threads, "--seed", "7"])
        .args(&expect.flags)
        .arg(rel)
        .output()
        .map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("panicked") {
        return Err(format!("panicked:\n{stderr}"));
    }
    let got: Vec<&str> = stdout.lines().collect();
    if got != expect.out.iter().map(String::as_str).collect::<Vec<_>>() {
        return Err(format!(
            "stdout differs\n--- expected\n{}\n--- got\n{}\n--- stderr\n{}",
            expect.out.join("\n"),
            stdout,
            stderr
        ));
    }
    match &expect.error {
        None => {
            if !output.status.success() {
                return Err(format!("failed unexpectedly:\n{stderr}"));
            }
        }
        Some(msg) => {
            if output.status.code() != Some(1) {
                return Err(format!(
                    "expected exit code 1, got {:?}\n{stderr}",
                    output.status.code()
                ));
            }
            let first = stderr.lines().next().unwrap_or("");
            if !first.starts_with(&format!("error: {msg}")) {
                return Err(format!(
                    "expected first line `error: {msg}...`, got:\n{stderr}"
                ));
            }
            if let Some(at) = &expect.at {
                let want = format!("{}:{at}", rel.display());
                if !stderr.contains(&want) {
                    return Err(format!("expected location {want} in:\n{stderr}"));
                }
            }
        }
    }
    if expect.golden {
        let golden = path.with_extension("stderr");
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            std::fs::write(&golden, stderr.as_bytes()).map_err(|e| e.to_string())?;
        } else {
            let want = std::fs::read_to_string(&golden)
                .map_err(|e| format!("{}: {e}", golden.display()))?;
            if want != stderr {
                return Err(format!(
                    "stderr differs from {}\n--- expected\n{want}\n--- got\n{stderr}",
                    golden.display()
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn all_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    assert!(
        files.len() > 10,
        "expected case files under {}",
        root.display()
    );
    let mut failures = Vec::new();
    let mut pending = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let reason = parse_headers(&text).pending;
        let mut outcome = Ok(());
        for threads in ["1", "2"] {
            if let Err(e) = check_case(f, threads) {
                outcome = Err(format!("{} (threads={threads}): {e}", f.display()));
                break;
            }
        }
        match (outcome, reason) {
            (Ok(()), None) => {}
            (Err(e), None) => failures.push(e),
            (Err(_), Some(r)) => pending.push(format!("{} ({r})", f.display())),
            (Ok(()), Some(_)) => failures.push(format!(
                "{}: passes now; remove its `# pending:` header",
                f.display()
            )),
        }
    }
    if !pending.is_empty() {
        println!(
            "pending (feature not built yet):\n  {}",
            pending.join("\n  ")
        );
    }
    println!(
        "cases: {} passed, {} failed, {} pending",
        files.len() - failures.len() - pending.len(),
        failures.len(),
        pending.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}
