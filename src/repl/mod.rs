//! The interactive prompt: a read-eval-print loop on rustyline with colouring from the
//! compiler's lexer, Tab completion, multi-line input while brackets are open (continuation
//! lines under a `... ` prompt), persistent history with Ctrl-R search, `:commands`, lazy
//! summaries of large arrays, a progress line for long computations, and Ctrl-C that
//! cancels a running computation while keeping the session.
//!
//! One concept per file: `lex` (classified tokens, `syntax::pieces`), `highlight.rs`, `complete.rs`,
//! `validate.rs` (when Enter runs the input), `commands.rs`, `show.rs` (how values are
//! shown), `interrupt.rs` (Ctrl-C), `history.rs` (where history lives), `helper.rs` (the
//! rustyline glue).

pub mod commands;
pub mod complete;
pub mod helper;
pub mod highlight;
pub mod history;
pub mod interrupt;
pub use crate::language::pieces as lex;
pub mod show;
pub mod validate;

pub use show::summary;
pub use validate::is_complete;

use crate::Session;
use commands::Reply;
use helper::{ArrHelper, Shared};
use interrupt::Interrupt;
use rustyline::config::{CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{Editor, Helper};
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

/// The prompt.
pub const PROMPT: &str = "arr> ";

/// The prompt of a continuation line (while brackets are open or a line ends with `\`).
pub const MORE: &str = "... ";

fn editor<H: Helper>() -> Result<Editor<H, FileHistory>, String> {
    let config = Config::builder()
        .max_history_size(history::MAX_ENTRIES)
        .and_then(|b| b.history_ignore_dups(true))
        .map_err(|e| e.to_string())?
        .completion_type(CompletionType::List)
        .auto_add_history(false)
        .build();
    Editor::with_config(config).map_err(|e| e.to_string())
}

/// Runs one input: a `:command` or Arr code. Returns false to quit.
fn handle(session: &mut Session, input: &str) -> bool {
    let trimmed = input.trim();
    let reply = if trimmed.starts_with(':') {
        commands::execute(session, trimmed)
    } else {
        match session.run("<repl>", input) {
            Ok(v) => match show::render_input(session, &v, "<repl>", input) {
                Ok(Some(text)) => Reply::Out(text),
                Ok(None) => Reply::Out(String::new()),
                Err(rendered) => Reply::Err(rendered),
            },
            Err(e) => Reply::Err(e.rendered),
        }
    };
    let _ = std::io::stdout().flush();
    match reply {
        Reply::Out(text) if text.is_empty() => {}
        Reply::Out(text) => println!("{text}"),
        Reply::Err(text) => {
            eprint!("{text}");
            let _ = std::io::stderr().flush();
        }
        Reply::Quit => return false,
    }
    let _ = std::io::stdout().flush();
    true
}

/// Runs the REPL until Ctrl-D or `:quit`.
pub fn run(session: &mut Session) -> Result<(), String> {
    let interrupt = Interrupt::install(session.cancel_handle());
    let shared: Shared = Rc::new(RefCell::new(session));
    let mut editor = editor::<ArrHelper>()?;
    editor.set_helper(Some(ArrHelper::new(shared.clone())));
    let history = history::path();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    println!(
        "Arr {} — :help for help, Tab completes, Ctrl-D quits.",
        env!("CARGO_PKG_VERSION")
    );
    // Input arrives line by line; lines are joined here until the input is complete, each
    // continuation line under the `... ` prompt.
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() { PROMPT } else { MORE };
        match editor.readline(prompt) {
            Ok(line) => {
                if !pending.is_empty() {
                    pending.push('\n');
                }
                pending.push_str(&line);
                if !is_complete(&pending) {
                    continue;
                }
                let input = std::mem::take(&mut pending);
                if input.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(input.as_str());
                if let Some(h) = &history {
                    let _ = editor.append_history(h);
                }
                interrupt.arm();
                let mut session = shared.borrow_mut();
                if !handle(&mut session, &input) {
                    break;
                }
                if interrupt.pressed() {
                    println!("(interrupted; bindings kept)");
                }
            }
            Err(ReadlineError::Interrupted) => pending.clear(),
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(())
}
