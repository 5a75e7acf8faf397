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
//!   passes (so the header is removed when the feature lands);
//! - `# structure: kernels=N tasks=M generated=G read=R` — after the optimiser, the
//!   script's computations together compiled N kernels, ran M tasks, generated G elements and
//!   read R elements from files (any subset of the keys; from `--verbose`).
//!
//! - `# opt-only` — the output shows the optimised plan itself (`explain`), so the case is
//!   not run with `--no-opt`.
//!
//! `ARR_CASES=TEXT` runs only the cases whose path contains TEXT.
//!
//! Each case runs with `--threads 1` and `--threads 2`, once more with `--no-opt` (the
//! optimiser's passes off), all on the default backend (the Cranelift JIT), and once with
//! `--backend interp` (the reference interpreter): every run must give the expected output,
//! so neither the optimiser nor the backend ever changes a result. A `# pending:` case that
//! panics fails the suite (a panic is never an unbuilt feature). Plans are verified after every pass (`ARR_VERIFY_PLAN=1`).

use std::path::{Path, PathBuf};
use std::process::Command;

struct Expect {
    out: Vec<String>,
    error: Option<String>,
    at: Option<String>,
    golden: bool,
    flags: Vec<String>,
    pending: Option<String>,
    structure: Vec<(String, u64)>,
    opt_only: bool,
}

fn parse_headers(text: &str) -> Expect {
    let mut e = Expect {
        out: Vec::new(),
        error: None,
        at: None,
        golden: false,
        flags: Vec::new(),
        pending: None,
        structure: Vec::new(),
        opt_only: false,
    };
    for line in text.lines() {
        let line = line.trim_start();
        if let Some(rest) = line.strip_prefix("# out:") {
            e.out
                .push(rest.strip_prefix(' ').unwrap_or(rest).to_string());
        } else if let Some(rest) = line.strip_prefix("# error:") {
            let msg = rest.trim();
            // An empty header would accept any error: a test that cannot fail.
            assert!(
                !msg.is_empty(),
                "an `# error:` header must give the message it expects"
            );
            e.error = Some(msg.to_string());
        } else if let Some(rest) = line.strip_prefix("# at:") {
            e.at = Some(rest.trim().to_string());
        } else if line.trim() == "# opt-only" {
            e.opt_only = true;
        } else if line.trim() == "# golden" {
            e.golden = true;
        } else if let Some(rest) = line.strip_prefix("# pending:") {
            e.pending = Some(rest.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("# structure:") {
            for pair in rest.split_whitespace() {
                let (k, v) = pair
                    .split_once('=')
                    .expect("structure entries are key=value");
                e.structure.push((
                    k.to_string(),
                    v.parse().expect("structure values are counts"),
                ));
            }
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

/// Sums the `[arr] ... N tasks, K kernel(s), G elements generated, R read` lines of
/// `--verbose` output.
fn structure_of(stderr: &str) -> Vec<(String, u64)> {
    let mut totals: Vec<(String, u64)> = ["tasks", "kernels", "generated", "read"]
        .iter()
        .map(|k| (k.to_string(), 0))
        .collect();
    for line in stderr.lines().filter(|l| l.starts_with("[arr] ")) {
        let words: Vec<&str> = line.split_whitespace().collect();
        for w in words.windows(2) {
            let key = match w[1].trim_end_matches(',') {
                "tasks" => "tasks",
                "kernel(s)" => "kernels",
                "elements" => "generated",
                "read" => "read",
                _ => continue,
            };
            if let Ok(n) = w[0].parse::<u64>()
                && let Some(t) = totals.iter_mut().find(|(k, _)| k == key)
            {
                t.1 += n;
            }
        }
    }
    totals
}

fn check_case(path: &Path, threads: &str, optimise: bool, backend: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let expect = parse_headers(&text);
    let rel = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path);
    let measure = !expect.structure.is_empty() && optimise && backend == "jit";
    let random_ir = backend == "jit+random_ir";
    let backend = if random_ir { "jit" } else { backend };
    let output = Command::new(crate::arr_bin())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("ARR_VERIFY_PLAN", "1")
        .env("ARR_RANDOM_IR", if random_ir { "1" } else { "" })
        .args(["--threads", threads, "--seed", "7", "--backend", backend])
        .args(if optimise { &[][..] } else { &["--no-opt"][..] })
        .args(if measure { &["--verbose"][..] } else { &[][..] })
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
    if measure {
        let got = structure_of(&stderr);
        for (key, want) in &expect.structure {
            let have = got.iter().find(|(k, _)| k == key).map(|(_, v)| *v);
            if have != Some(*want) {
                return Err(format!(
                    "structure: expected {key}={want}, got {have:?}\n--- stderr\n{stderr}"
                ));
            }
        }
    }
    if expect.golden && optimise && !measure && backend == "jit" {
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
    // `ARR_CASES=text` runs only the cases whose path contains `text` (while working on them).
    if let Ok(only) = std::env::var("ARR_CASES") {
        files.retain(|f| f.to_string_lossy().contains(&only));
        assert!(!files.is_empty(), "no case path contains {only:?}");
    }
    assert!(
        files.len() > 10 || std::env::var_os("ARR_CASES").is_some(),
        "expected case files under {}",
        root.display()
    );
    let mut failures = Vec::new();
    let mut pending = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let headers = parse_headers(&text);
        let reason = headers.pending;
        let mut outcome = Ok(());
        for (threads, optimise, backend) in [
            ("1", true, "jit"),
            ("2", true, "jit"),
            ("2", false, "jit"),
            ("2", true, "interp"),
            ("2", true, "jit+random_ir"),
        ] {
            if !optimise && headers.opt_only {
                continue;
            }
            // The generators as IR arithmetic (`ARR_RANDOM_IR=1`) in place of the fill
            // routines: the same bits, for every case that draws random numbers.
            if backend == "jit+random_ir" && !text.contains("random") {
                continue;
            }
            if let Err(e) = check_case(f, threads, optimise, backend) {
                let how = if optimise { "" } else { ", --no-opt" };
                outcome = Err(format!(
                    "{} (threads={threads}{how}, backend={backend}): {e}",
                    f.display()
                ));
                break;
            }
        }
        match (outcome, reason) {
            (Ok(()), None) => {}
            (Err(e), None) => failures.push(e),
            (Err(e), Some(_)) if e.contains("panicked") => failures.push(e),
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
