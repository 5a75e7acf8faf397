//! The REPL driven through a real pseudo-terminal: typing with colours, Tab completion,
//! multi-line input under the `... ` prompt, `:commands` (`:help linalg` one line per
//! member), lazy summaries, errors, the progress line of a long computation, Ctrl-C
//! cancelling a computation while keeping the session, and history that persists across
//! sessions.
#![cfg(unix)]

use rexpect::session::{PtySession, spawn_command};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How long one expected output may take to appear.
const WAIT_MS: u64 = 15_000;

/// The editor turns bracketed paste off when it accepts a line...
const ACCEPTED: &str = "\x1b[?2004l";
/// ...and on again when it shows a fresh prompt (the prompt text itself is redrawn on every
/// keystroke, so it cannot mark a new prompt).
const FRESH_PROMPT: &str = "\x1b[?2004h";

/// A scratch directory for a test's history, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("arr-repl-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Starts `arr` on a pseudo-terminal with its data directory (history) under `home`.
fn start(home: &Path) -> PtySession {
    let mut cmd = Command::new(crate::arr_bin());
    cmd.args(["--threads", "2", "--seed", "7"])
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("TERM", "xterm-256color")
        .env_remove("ARR_HISTORY");
    let mut p = spawn_command(cmd, Some(WAIT_MS)).expect("spawn arr on a pty");
    p.exp_string(FRESH_PROMPT).expect("first prompt");
    p
}

/// Types a line, presses Enter and waits for the next prompt; returns what was printed
/// between the two.
fn line(p: &mut PtySession, text: &str) -> String {
    keys(p, &format!("{text}\r"));
    p.exp_string(ACCEPTED).expect("input accepted");
    p.exp_string(FRESH_PROMPT).expect("prompt after input")
}

/// Sends keys without Enter.
fn keys(p: &mut PtySession, text: &str) {
    p.send(text).expect("send");
    p.flush().expect("flush");
}

fn quit(mut p: PtySession) {
    p.send_control('d').expect("Ctrl-D");
    p.exp_eof().expect("arr exits on Ctrl-D");
}

#[test]
fn repl_typing_completion_commands_and_values() {
    let home = Scratch::new("typing");
    let mut p = start(&home.0);

    // Small results are shown computed, large lazy arrays as a summary.
    line(&mut p, "keep = arange(5)");
    assert!(line(&mut p, "keep * 2").contains("[0, 2, 4, 6, 8]"));
    let big = line(
        &mut p,
        "random.normal(0, 1, shape=[20000, 20000], chunks=1000)",
    );
    assert!(
        big.contains("lazy f64[20000, 20000], chunks [1000, 1000], 20 x 20 = 400 blocks, 3.0 GiB"),
        "{big:?}"
    );

    // Colours come from the lexer as the line is typed.
    keys(&mut p, "sum(keep)");
    p.exp_string("\x1b[36msum").expect("builtin coloured");
    assert!(line(&mut p, "").contains("10"));

    // Tab completes a bound name, a method valid for an array, and a keyword argument.
    keys(&mut p, "kee\t");
    p.exp_string("keep").expect("name completed");
    assert!(line(&mut p, "").contains("[0, 1, 2, 3, 4]"));
    keys(&mut p, "keep.cums\t");
    p.exp_string("cumsum").expect("method completed");
    keys(&mut p, "(ax\t");
    p.exp_string("axis=").expect("keyword argument completed");
    assert!(line(&mut p, "0)").contains("[0, 1, 3, 6, 10]"));

    // Input continues while a bracket is open, each line under the `... ` prompt.
    line(&mut p, "fn twice(v) {");
    p.exp_string("... ").expect("continuation prompt");
    line(&mut p, "    2 * v");
    p.exp_string("... ").expect("continuation prompt again");
    line(&mut p, "}");
    assert!(line(&mut p, "twice(21)").contains("42"));

    // Commands.
    let help = line(&mut p, ":help sum");
    assert!(
        help.contains("sum(x, axis=none, keepdims=false)"),
        "{help:?}"
    );
    assert!(line(&mut p, ":type keep[1:]").contains("i64[4]"));
    assert!(line(&mut p, ":seed").contains("seed 7"));
    let timed = line(&mut p, ":time sum(ones(10**6))");
    assert!(
        timed.contains("1000000.0") && timed.contains("wall"),
        "{timed:?}"
    );

    // Errors render as the CLI's, pointing into the line just typed.
    let err = line(&mut p, "keep + ones(3)");
    assert!(err.contains("error: cannot broadcast"), "{err:?}");
    assert!(err.contains("<repl>:1:1"), "{err:?}");
    quit(p);
}

#[test]
fn repl_ctrl_c_cancels_a_computation_and_keeps_the_session() {
    let home = Scratch::new("cancel");
    let mut p = start(&home.0);
    line(&mut p, "keep = arange(5)");

    keys(
        &mut p,
        "sum(random.normal(0, 1, shape=10**11, chunks=10**6))\r",
    );
    p.exp_string(ACCEPTED).expect("input accepted");
    std::thread::sleep(Duration::from_secs(1));
    let pressed = Instant::now();
    p.send_control('c').expect("Ctrl-C");
    p.exp_string("computation cancelled")
        .expect("the computation reports its cancellation");
    p.exp_string(FRESH_PROMPT).expect("prompt after Ctrl-C");
    let took = pressed.elapsed();
    let limit = if cfg!(debug_assertions) { 6.0 } else { 2.0 };
    assert!(
        took.as_secs_f64() < limit,
        "prompt came back {took:?} after Ctrl-C"
    );
    assert!(line(&mut p, "keep").contains("[0, 1, 2, 3, 4]"));

    // Ctrl-C at the prompt clears the line.
    keys(&mut p, "garbage");
    p.exp_string("garbage").expect("echo");
    p.send_control('c').expect("Ctrl-C");
    p.exp_string(FRESH_PROMPT).expect("a fresh prompt");
    let out = line(&mut p, "keep + 1");
    assert!(out.contains("[1, 2, 3, 4, 5]"), "{out:?}");
    quit(p);
}

#[test]
fn repl_history_persists_across_sessions() {
    let home = Scratch::new("history");
    let mut p = start(&home.0);
    line(&mut p, "hist_value = 41 + 1");
    line(&mut p, "other = 0");
    quit(p);
    let file = home.0.join("data/arr/history.txt");
    let saved = std::fs::read_to_string(&file).expect("history file written");
    assert!(saved.contains("hist_value = 41 + 1"), "{saved:?}");

    let mut p = start(&home.0);
    // Up recalls the last line of the last session (Ctrl-C then drops it).
    keys(&mut p, "\x1b[A");
    p.exp_string("other = ").expect("history recalled");
    p.send_control('c').expect("Ctrl-C");
    p.exp_string(FRESH_PROMPT).expect("a fresh prompt");
    // Ctrl-R searches the history; Enter runs the line found.
    keys(&mut p, "\x12hist_v");
    p.exp_string("reverse-i-search").expect("search prompt");
    line(&mut p, "");
    assert!(line(&mut p, "hist_value").contains("42"));
    quit(p);
}

#[test]
fn repl_progress_help_module_and_continuation() {
    let home = Scratch::new("progress");
    let mut p = start(&home.0);

    // A computation of a few seconds shows tasks done of planned, percent and time left.
    keys(
        &mut p,
        "sum(random.normal(0, 1, shape=10**9, chunks=25 * 10**5, seed=1))\r",
    );
    p.exp_string(ACCEPTED).expect("input accepted");
    p.exp_string("/400 tasks ")
        .expect("the progress line counts tasks of the plan");
    // (The pty reader sees bytes, so the `·` separators are matched around, not on.)
    let line_text = p.exp_string(" left").expect("an estimate of the time left");
    assert!(line_text.contains('%'), "a percentage: {line_text:?}");
    let rest = p
        .exp_string(FRESH_PROMPT)
        .expect("prompt after the computation");
    assert!(
        !rest.contains(" B read"),
        "no file is read, so no bytes read: {rest:?}"
    );

    // `:help linalg`: one line per member or related builtin, name then doc.
    let help = line(&mut p, ":help linalg");
    assert!(help.contains("module linalg"), "{help:?}");
    let matmul = help
        .lines()
        .find(|l| l.trim_start().starts_with("matmul "))
        .unwrap_or_else(|| panic!("matmul listed: {help:?}"));
    assert!(matmul.contains("Matrix product"), "{matmul:?}");

    // An open bracket continues under `... `, then the whole input runs.
    line(&mut p, "total = (1 +");
    p.exp_string("... ").expect("continuation prompt");
    line(&mut p, "  2 +");
    p.exp_string("... ").expect("continuation prompt");
    line(&mut p, "  3)");
    assert!(line(&mut p, "total").contains('6'));
    quit(p);
}
