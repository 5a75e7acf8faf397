//! The interactive prompt on rustyline: history, multi-line input while brackets are open,
//! values shown after each line (lazy arrays as a one-line summary, never computed unasked).

use crate::Session;
use crate::value::Value;
use rustyline::error::ReadlineError;

/// Whether `text` has unclosed brackets or an unterminated string (so input continues).
pub fn needs_more(text: &str) -> bool {
    let mut depth = 0i64;
    let mut in_str = false;
    let mut escaped = false;
    let mut comment = false;
    for c in text.chars() {
        if comment {
            if c == '\n' {
                comment = false;
            }
            continue;
        }
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '#' => comment = true,
            '"' => in_str = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    depth > 0 || in_str
}

/// A one-line description of a lazy array: dtype, shape, chunk grid, blocks, bytes.
pub fn summary(v: &Value) -> Option<String> {
    let Value::Array(a) = v else { return None };
    let node = a.node.as_ref()?;
    Some(format!(
        "lazy {} | chunks {:?} | {} block(s) | {}",
        a.type_text(),
        node.chunks
            .iter()
            .map(|c| c.first().copied().unwrap_or(0))
            .collect::<Vec<_>>(),
        node.n_chunks(),
        crate::exec::human_bytes(node.nbytes())
    ))
}

fn history_path() -> Option<std::path::PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".local/share"))
        })?;
    let dir = base.join("arr");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("history.txt"))
}

/// Runs the REPL until Ctrl-D.
pub fn run(session: &mut Session) -> Result<(), String> {
    let mut editor = rustyline::DefaultEditor::new().map_err(|e| e.to_string())?;
    let history = history_path();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    println!(
        "Arr {} — type expressions; Ctrl-D to quit.",
        env!("CARGO_PKG_VERSION")
    );
    let mut buffer = String::new();
    loop {
        let prompt = if buffer.is_empty() { "arr> " } else { "...> " };
        match editor.readline(prompt) {
            Ok(line) => {
                if !buffer.is_empty() {
                    buffer.push('\n');
                }
                buffer.push_str(&line);
                if needs_more(&buffer) {
                    continue;
                }
                let code = std::mem::take(&mut buffer);
                if code.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(code.as_str());
                match session.run("<repl>", &code) {
                    Ok(Value::None) => {}
                    Ok(v) => match summary(&v) {
                        Some(s) if v_is_large(&v) => println!("{s}"),
                        _ => match session.display(&v) {
                            Ok(text) => println!("{text}"),
                            Err(e) => eprint!("{}", e.rendered),
                        },
                    },
                    Err(e) => eprint!("{}", e.rendered),
                }
            }
            Err(ReadlineError::Interrupted) => buffer.clear(),
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.to_string()),
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
    Ok(())
}

/// Arrays above this many elements are summarised rather than computed at the prompt.
const SHOW_LIMIT: usize = 1000;

fn v_is_large(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.node.as_ref().is_some_and(|n| n.size() > SHOW_LIMIT),
        _ => false,
    }
}
