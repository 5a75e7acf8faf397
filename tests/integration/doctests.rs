//! Doc-tests for the language: every ```` ```arr ```` block of `docs/*.md`, `README.md` and
//! `examples/README.md` runs, and what it prints is checked.
//!
//! A block's info string says how it runs:
//! - ```` ```arr ```` — runs as `example.arr` in a fresh scratch folder; it must succeed, and
//!   its standard output must equal the ```` ```output ```` block right after it (blank lines
//!   between the two are allowed; blank lines at the end do not count), or be empty when
//!   there is none;
//! - ```` ```arr error ```` — must fail with exit code 1; standard error must equal the output
//!   block that follows;
//! - ```` ```arr no_run ```` — only type-checked (`arr check`): it needs files or time that a
//!   test does not have; it must check clean.
//!
//! Blocks run with `--threads 2 --memory-limit 4GiB`, so printed plans read the same on every
//! machine. Other blocks (`sh`, `text`, `output` without an `arr` block before it) are not run. Every
//! failure is reported, with its file and line, before the test fails.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A fenced code block.
pub struct Block {
    /// The file it is in, relative to the repository.
    pub file: String,
    /// The line of its opening fence (1-based).
    pub line: usize,
    /// Its info string's words (`arr`, `error`, ...).
    pub info: Vec<String>,
    /// Its text.
    pub code: String,
    /// The text of the `output` block after it, if any.
    pub output: Option<String>,
}

/// The fenced blocks of a Markdown text, each `arr` block with the `output` block after it.
pub fn blocks(file: &str, text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut raw: Vec<(usize, Vec<String>, String, usize)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let trimmed = lines[i].trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            let indent = lines[i].len() - trimmed.len();
            let info: Vec<String> = info
                .split([' ', ','])
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect();
            let start = i;
            let mut body = Vec::new();
            i += 1;
            while i < lines.len() && !lines[i].trim_start().starts_with("```") {
                body.push(lines[i].get(indent..).unwrap_or(lines[i].trim_start()));
                i += 1;
            }
            let mut code = body.join("\n");
            if !body.is_empty() {
                code.push('\n');
            }
            raw.push((start + 1, info, code, i + 1));
        }
        i += 1;
    }
    let mut out = Vec::new();
    let mut k = 0;
    while k < raw.len() {
        let (line, info, code, end) = &raw[k];
        if info.first().map(String::as_str) != Some("arr") {
            k += 1;
            continue;
        }
        // An output block follows when only blank lines stand between the two.
        let output = raw
            .get(k + 1)
            .and_then(|(next_line, next_info, next_code, _)| {
                let between = &lines[*end..next_line - 1];
                (next_info.first().map(String::as_str) == Some("output")
                    && between.iter().all(|l| l.trim().is_empty()))
                .then(|| next_code.clone())
            });
        let skip = usize::from(output.is_some());
        out.push(Block {
            file: file.to_string(),
            line: *line,
            info: info.clone(),
            code: code.clone(),
            output,
        });
        k += 1 + skip;
    }
    out
}

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh scratch folder.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("arr-doctests-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// What running some code printed.
pub struct Ran {
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `code` as `example.arr` in `dir` (or only checks it).
pub fn run_code(dir: &Path, code: &str, check_only: bool) -> Ran {
    std::fs::write(dir.join("example.arr"), code).expect("write example.arr");
    let mut cmd = Command::new(crate::arr_bin());
    // A fixed thread count and memory limit, so printed plans read the same on every machine.
    cmd.current_dir(dir)
        .args(["--no-progress", "--threads", "2", "--memory-limit", "4GiB"]);
    if check_only {
        cmd.arg("check");
    }
    let o = cmd.arg("example.arr").output().expect("arr runs");
    Ran {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Whether two outputs are the same, but for blank lines at their ends (a diagnostic ends
/// with one, which a Markdown block would hide).
fn same(got: &str, expected: &str) -> bool {
    got.trim_end_matches('\n') == expected.trim_end_matches('\n')
}

/// Runs one block; the reason it fails, if it does.
fn check_block(b: &Block, dir: &Path) -> Option<String> {
    let has = |w: &str| b.info.iter().any(|i| i == w);
    let expected = b.output.clone().unwrap_or_default();
    if has("no_run") {
        let r = run_code(dir, &b.code, true);
        return (r.code != 0).then(|| format!("does not check clean:\n{}", r.stderr));
    }
    let r = run_code(dir, &b.code, false);
    if has("error") {
        if r.code != 1 {
            return Some(format!(
                "should fail with exit code 1, gave {}:\n{}{}",
                r.code, r.stdout, r.stderr
            ));
        }
        return (!same(&r.stderr, &expected)).then(|| {
            format!(
                "stderr differs.\n--- expected\n{expected}--- got\n{}",
                r.stderr
            )
        });
    }
    if r.code != 0 {
        return Some(format!(
            "failed (exit {}):\n{}{}",
            r.code, r.stdout, r.stderr
        ));
    }
    (!same(&r.stdout, &expected)).then(|| {
        format!(
            "output differs.\n--- expected\n{expected}--- got\n{}",
            r.stdout
        )
    })
}

/// The Markdown files whose examples are tested.
fn documents() -> Vec<String> {
    let mut files = vec!["README.md".to_string(), "examples/README.md".to_string()];
    let mut docs: Vec<String> = std::fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

#[test]
fn doctests_every_arr_block_in_the_docs_runs_and_prints_what_it_says() {
    let mut failures = Vec::new();
    let mut ran = 0;
    for file in documents() {
        let text = std::fs::read_to_string(root().join(&file))
            .unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
        for (n, b) in blocks(&file, &text).into_iter().enumerate() {
            let dir = scratch(&format!("{}-{n}", file.replace('/', "_")));
            ran += 1;
            if let Some(why) = check_block(&b, &dir) {
                failures.push(format!("{}:{}: {why}\n{}", b.file, b.line, b.code));
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    assert!(ran >= 50, "only {ran} examples found in the docs");
    assert!(
        failures.is_empty(),
        "{} of {ran} doc examples fail:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn doctests_blocks_pair_code_with_output() {
    let md = "Text.\n\n```arr\nprint(1)\n```\n\n```output\n1\n```\n\n```sh\nls\n```\n\n\
              ```arr error\nx\n```\n```output\nerror: x\n```\n\n```arr no_run\ny\n```\n\n\
              text between\n\n```output\nnot paired\n```\n";
    let b = blocks("t.md", md);
    assert_eq!(b.len(), 3);
    assert_eq!((b[0].line, b[0].code.as_str()), (3, "print(1)\n"));
    assert_eq!(b[0].output.as_deref(), Some("1\n"));
    assert_eq!(b[1].info, ["arr", "error"]);
    assert_eq!(b[1].output.as_deref(), Some("error: x\n"));
    assert_eq!(
        b[2].output, None,
        "an output block after text is not paired"
    );
}

#[test]
fn doctests_links_stay_inside_the_repository() {
    let mut bad = Vec::new();
    for file in documents() {
        let text = std::fs::read_to_string(root().join(&file)).expect("readable");
        let base = root().join(&file).parent().expect("a folder").to_path_buf();
        for (n, line) in text.lines().enumerate() {
            for part in line.split("](").skip(1) {
                let Some(target) = part.split(')').next() else {
                    continue;
                };
                let target = target.split('#').next().unwrap_or("");
                if target.is_empty()
                    || target.starts_with("http://")
                    || target.starts_with("https://")
                {
                    continue;
                }
                let path = base.join(target);
                let inside = path
                    .canonicalize()
                    .is_ok_and(|p| p.starts_with(root().canonicalize().expect("root")));
                if !inside {
                    bad.push(format!("{file}:{}: {target}", n + 1));
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "links to nothing or outside the repository:\n{}",
        bad.join("\n")
    );
}

#[test]
fn doctests_readme_tour_is_examples_tour() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let tour = std::fs::read_to_string(root().join("examples/tour.arr")).expect("tour.arr");
    // The tour without its opening comment lines.
    let body: String = tour
        .lines()
        .skip_while(|l| l.starts_with('#') || l.trim().is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    let shown = blocks("README.md", &readme)
        .into_iter()
        .find(|b| b.code.contains("random.normal"))
        .expect("the README has a tour block");
    assert_eq!(
        shown.code, body,
        "README's tour differs from examples/tour.arr"
    );
}
