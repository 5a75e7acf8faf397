//! The REPL's `:commands`: `:help [name]`, `:type EXPR`, `:explain EXPR`, `:time EXPR`,
//! `:seed [N]`, `:threads [N]`, `:load FILE`, `:names`, `:reset`, `:quit`. Each returns its
//! text rather than printing it, so the loop decides where it goes and tests can read it.

use super::show;
use crate::Session;
use crate::language::{self, Builtin};
use crate::value::Value;
use std::time::Instant;

/// One command.
pub struct Command {
    /// Its name, typed after `:`.
    pub name: &'static str,
    /// Other names for it.
    pub aliases: &'static [&'static str],
    /// Its argument, as shown in `:help`.
    pub args: &'static str,
    /// One line of documentation.
    pub doc: &'static str,
}

/// Every command, in the order `:help` lists them.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "help",
        aliases: &["h", "?"],
        args: "[NAME]",
        doc: "this list; a builtin's signature and doc (`:help sum`); a module's members (`:help linalg`)",
    },
    Command {
        name: "type",
        aliases: &["t"],
        args: "EXPR",
        doc: "the type of an expression, found without computing anything",
    },
    Command {
        name: "explain",
        aliases: &[],
        args: "EXPR",
        doc: "the plan of an array expression: kernels, chunks, projected memory",
    },
    Command {
        name: "time",
        aliases: &[],
        args: "EXPR",
        doc: "evaluate and show EXPR, then the wall time and the last computation's work",
    },
    Command {
        name: "seed",
        aliases: &[],
        args: "[N]",
        doc: "show the session seed, or set it (as random.seed(N))",
    },
    Command {
        name: "threads",
        aliases: &[],
        args: "[N]",
        doc: "show or set the number of worker threads",
    },
    Command {
        name: "dashboard",
        aliases: &[],
        args: "[ADDR|off]",
        doc: "serve a live web page of this session's computations (default 127.0.0.1:8787)",
    },
    Command {
        name: "load",
        aliases: &["l"],
        args: "FILE",
        doc: "run a file in this session; its top-level names stay bound",
    },
    Command {
        name: "names",
        aliases: &["who"],
        args: "",
        doc: "the names bound in this session, with their types",
    },
    Command {
        name: "reset",
        aliases: &[],
        args: "",
        doc: "forget every binding",
    },
    Command {
        name: "quit",
        aliases: &["q", "exit"],
        args: "",
        doc: "leave the REPL (Ctrl-D does too)",
    },
];

/// What a command produced.
#[derive(Debug, PartialEq)]
pub enum Reply {
    /// Text for stdout (may be empty).
    Out(String),
    /// An error for stderr, already rendered.
    Err(String),
    /// Leave the REPL.
    Quit,
}

/// For a line that starts with `:`, the command word (without the colon) and the byte where
/// its argument starts.
pub fn split_command(line: &str) -> Option<(&str, usize)> {
    let rest = line.strip_prefix(':')?;
    let word_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '?'))
        .unwrap_or(rest.len());
    let word = &rest[..word_len];
    let after = &rest[word_len..];
    let arg_at = 1 + word_len + (after.len() - after.trim_start().len());
    Some((word, arg_at))
}

/// The command a word names (by name or alias), as its canonical name.
pub fn canonical(word: &str) -> Option<&'static str> {
    COMMANDS
        .iter()
        .find(|c| c.name == word || c.aliases.contains(&word))
        .map(|c| c.name)
}

/// Whether the command's argument is Arr code (coloured and completed as code).
pub fn takes_code(word: &str) -> bool {
    matches!(canonical(word), Some("type" | "explain" | "time"))
}

/// Runs a `:command` line.
pub fn execute(session: &mut Session, line: &str) -> Reply {
    let Some((word, arg_at)) = split_command(line) else {
        return Reply::Err("error: not a command\n".into());
    };
    let arg = line[arg_at..].trim();
    let Some(name) = canonical(word) else {
        let names: Vec<String> = COMMANDS.iter().map(|c| c.name.to_string()).collect();
        let hint = language::suggest(word, &names)
            .map(|s| format!(" (did you mean `:{s}`?)"))
            .unwrap_or_default();
        return Reply::Err(format!(
            "error: unknown command `:{word}`{hint}; `:help` lists the commands\n"
        ));
    };
    let needs_arg = |what: &str| Reply::Err(format!("error: `:{name}` needs {what}\n"));
    match name {
        "help" if arg.is_empty() => Reply::Out(overview()),
        "help" => help_topic(session, arg),
        "type" if arg.is_empty() => needs_arg("an expression"),
        "type" => match session.type_of(arg) {
            Ok(t) => Reply::Out(t),
            Err(e) => Reply::Err(e.rendered),
        },
        "explain" if arg.is_empty() => needs_arg("an expression"),
        "explain" => match session.explain(arg) {
            Ok(plan) => Reply::Out(plan.trim_end().to_string()),
            Err(e) => Reply::Err(e.rendered),
        },
        "time" if arg.is_empty() => needs_arg("an expression"),
        "time" => time(session, arg),
        "seed" if arg.is_empty() => Reply::Out(format!("seed {}", session.seed())),
        "seed" => match arg.parse::<u64>() {
            Ok(n) => {
                session.set_seed(n);
                Reply::Out(format!("seed set to {n}"))
            }
            Err(_) => Reply::Err(format!(
                "error: `:seed` takes a non-negative integer, not `{arg}`\n"
            )),
        },
        "threads" if arg.is_empty() => Reply::Out(format!("{} threads", session.threads())),
        "threads" => match arg.parse::<usize>() {
            Ok(n) if n >= 1 => {
                session.set_threads(n);
                Reply::Out(format!("{} threads", session.threads()))
            }
            _ => Reply::Err(format!(
                "error: `:threads` takes a positive integer, not `{arg}`\n"
            )),
        },
        "dashboard" => dashboard(session, arg),
        "load" if arg.is_empty() => needs_arg("a file"),
        "load" => load(session, arg),
        "names" => Reply::Out(bound_names(session)),
        "reset" => {
            session.reset();
            Reply::Out("all bindings cleared".into())
        }
        "quit" => Reply::Quit,
        _ => Reply::Err(format!("error: `:{name}` is not available\n")),
    }
}

fn dashboard(session: &mut Session, arg: &str) -> Reply {
    if arg == "off" {
        session.stop_dashboard();
        return Reply::Out("dashboard stopped".into());
    }
    if arg.is_empty()
        && let Some(url) = session.dashboard_url()
    {
        return Reply::Out(format!("dashboard at {url}"));
    }
    let addr = if arg.is_empty() {
        crate::dashboard::DEFAULT_ADDR.to_string()
    } else {
        match crate::dashboard::split_addr(Some(arg.to_string()), None, Vec::new()) {
            (Some(addr), None, _) => addr,
            _ => {
                return Reply::Err(format!(
                    "error: `:dashboard` takes an address like 127.0.0.1:8787, a port, or `off`, not `{arg}`\n"
                ));
            }
        }
    };
    match session.start_dashboard(&addr) {
        Ok(url) => Reply::Out(format!("dashboard at {url}")),
        Err(e) => Reply::Err(format!("error: {e}\n")),
    }
}

fn time(session: &mut Session, code: &str) -> Reply {
    *session.state().borrow().last_report.borrow_mut() = None;
    let started = Instant::now();
    let shown = session
        .run("<repl>", code)
        .map_err(|e| e.rendered)
        .and_then(|v| show::render_input(session, &v, "<repl>", code));
    let wall = started.elapsed().as_secs_f64();
    let work = match session.last_report() {
        Some(r) => format!(
            "; last computation: {} task{}, {} element{} generated",
            r.tasks,
            if r.tasks == 1 { "" } else { "s" },
            r.generated,
            if r.generated == 1 { "" } else { "s" }
        ),
        None => "; nothing computed".into(),
    };
    let timing = format!("time: {} wall{work}", seconds(wall));
    match shown {
        Ok(Some(text)) => Reply::Out(format!("{text}\n{timing}")),
        Ok(None) => Reply::Out(timing),
        Err(rendered) => Reply::Err(format!("{rendered}{timing}\n")),
    }
}

/// Seconds in a readable unit.
fn seconds(s: f64) -> String {
    if s < 1e-3 {
        format!("{:.0} µs", s * 1e6)
    } else if s < 1.0 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

fn load(session: &mut Session, arg: &str) -> Reply {
    let path = arg.trim_matches('"');
    let path = match path.strip_prefix("~/") {
        Some(rest) => dirs::home_dir()
            .unwrap_or_default()
            .join(rest)
            .to_string_lossy()
            .into_owned(),
        None => path.to_string(),
    };
    let before = session.names();
    match session.load(&path) {
        Ok(v) => {
            let new: Vec<String> = session
                .names()
                .into_iter()
                .filter(|n| !before.contains(n))
                .collect();
            let mut out = String::new();
            if let Ok(Some(text)) = show::render(session, &v) {
                out.push_str(&text);
                out.push('\n');
            }
            if new.is_empty() {
                out.push_str(&format!("loaded {path}"));
            } else {
                out.push_str(&format!("loaded {path}: {}", new.join(", ")));
            }
            Reply::Out(out)
        }
        Err(e) => Reply::Err(e.rendered),
    }
}

fn bound_names(session: &mut Session) -> String {
    let names = session.names();
    if names.is_empty() {
        return "no names bound".into();
    }
    let width = names.iter().map(String::len).max().unwrap_or(0);
    names
        .iter()
        .map(|n| {
            let t = session.type_of(n).unwrap_or_else(|_| "?".into());
            format!("{n:width$}  {t}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `name(params)` for a builtin.
pub fn signature(b: &Builtin) -> String {
    format!("{}({})", b.name, b.params)
}

/// The builtin groups in table order with their labels.
fn groups() -> Vec<(language::Group, String)> {
    let mut out: Vec<(language::Group, String)> = Vec::new();
    for b in language::table() {
        if !out.iter().any(|(g, _)| *g == b.group) {
            // `DataDependent` reads as `data-dependent`.
            let mut words = String::new();
            for (i, c) in format!("{:?}", b.group).chars().enumerate() {
                if c.is_uppercase() && i > 0 {
                    words.push('-');
                }
                words.push(c.to_ascii_lowercase());
            }
            let label = match words.as_str() {
                "elementwise" => "element-wise".to_string(),
                "linalg" => "linear algebra".to_string(),
                "reduction" => "reductions".to_string(),
                "scan" => "scans".to_string(),
                _ => words,
            };
            out.push((b.group, label));
        }
    }
    out
}

/// Words laid out in lines of at most `width` columns, each line indented.
fn wrap(words: &[String], indent: &str, width: usize) -> String {
    let mut lines = Vec::new();
    let mut line = String::from(indent);
    for w in words {
        if line.len() > indent.len() && line.len() + 1 + w.len() > width {
            lines.push(std::mem::replace(&mut line, String::from(indent)));
        }
        if line.len() > indent.len() {
            line.push(' ');
        }
        line.push_str(w);
    }
    lines.push(line);
    lines.join("\n")
}

/// `:help` with no argument: commands, keys, and the builtins by group.
fn overview() -> String {
    let mut out = String::from("Commands:\n");
    for c in COMMANDS {
        let head = format!(":{} {}", c.name, c.args);
        out.push_str(&format!("  {:<18} {}\n", head.trim_end(), c.doc));
    }
    out.push_str(
        "\nKeys: Tab completes names, methods after `x.`, keyword arguments and paths; \
         Ctrl-R searches\nhistory; Ctrl-C cancels a running computation (three times quits) \
         or clears the line;\nCtrl-D quits. Input continues under `... ` while brackets are open.\n\
         \nBuiltins by group (`:help NAME` for one):\n",
    );
    for (group, label) in groups() {
        let names: Vec<String> = language::table()
            .iter()
            .filter(|b| b.group == group)
            .map(|b| b.name.to_string())
            .collect();
        out.push_str(&format!("  {label}:\n{}\n", wrap(&names, "    ", 88)));
    }
    let prelude = super::complete::prelude_functions();
    out.push_str(&format!(
        "  prelude (written in Arr):\n{}\n",
        wrap(&prelude, "    ", 88)
    ));
    out.push_str(
        "\nValues: a lazy array of more than 1000 elements is shown as a one-line summary; \
         print(x)\nor compute(x) computes it.",
    );
    out
}

/// The `#` comment lines right above byte `at` of `text` (a function's doc).
fn doc_comment(text: &str, at: usize) -> String {
    let head = text.get(..at).unwrap_or("");
    let mut docs: Vec<&str> = head
        .lines()
        .rev()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| l.trim_start().starts_with('#'))
        .map(|l| l.trim_start().trim_start_matches('#').trim())
        .collect();
    docs.reverse();
    docs.join(" ")
}

/// The text of a function's header, `fn name(params) -> type`.
fn fn_header(text: &str, start: usize) -> String {
    let rest = text.get(start..).unwrap_or("");
    let head = rest.split('{').next().unwrap_or(rest);
    head.split_whitespace().collect::<Vec<_>>().join(" ")
}

const KEYWORD_HELP: &[(&str, &str)] = &[
    (
        "fn",
        "fn name(params) -> type { body }: a function; the body's last expression is its value",
    ),
    ("return", "return expr: return early from a function"),
    (
        "if",
        "if cond { .. } else { .. }: also an expression; cond is a scalar bool",
    ),
    ("else", "if cond { .. } else { .. }; `else if` chains"),
    (
        "for",
        "for name in expr { .. }: loop over a range(..), a list or the first axis of a small array",
    ),
    (
        "in",
        "for name in expr { .. }; also comprehensions [f(a) for a in xs]",
    ),
    (
        "import",
        "import \"other.arr\": run a file once and bring its top-level names in",
    ),
    ("true", "the bool constant true"),
    ("false", "the bool constant false"),
    ("and", "a and b: logical and of scalar host conditions"),
    ("or", "a or b: logical or of scalar host conditions"),
    ("not", "not a: logical not of a scalar host condition"),
];

/// `:help MODULE`: the module's members, one line each (name and doc), then the top-level
/// builtins of the same group (`matmul` beside `linalg.*`).
fn module_help(m: &str) -> String {
    let prefix = format!("{m}.");
    let group = match m {
        "random" => Some(language::Group::Random),
        "linalg" => Some(language::Group::Linalg),
        _ => None,
    };
    let members: Vec<&Builtin> = language::table()
        .iter()
        .filter(|b| b.name.starts_with(&prefix))
        .collect();
    let related: Vec<&Builtin> = language::table()
        .iter()
        .filter(|b| !b.name.contains('.') && Some(b.group) == group)
        .collect();
    let width = members
        .iter()
        .chain(&related)
        .map(|b| b.name.len())
        .max()
        .unwrap_or(0);
    let line = |b: &&Builtin| format!("  {:<width$}  {}", b.name, b.doc);
    let mut out = format!(
        "module {m}: {} member{} (`:help NAME` shows a signature)",
        members.len(),
        if members.len() == 1 { "" } else { "s" }
    );
    for b in &members {
        out.push('\n');
        out.push_str(&line(b));
    }
    if !related.is_empty() {
        out.push_str("\nrelated builtins:");
        for b in &related {
            out.push('\n');
            out.push_str(&line(b));
        }
    }
    out
}

/// `:help NAME`.
fn help_topic(session: &mut Session, topic: &str) -> Reply {
    let topic = topic.trim_start_matches(':');
    if let Some(b) = language::find(topic) {
        let group = groups()
            .into_iter()
            .find(|(g, _)| *g == b.group)
            .map(|(_, l)| l)
            .unwrap_or_default();
        return Reply::Out(format!("{}\n    {}  ({group})", signature(b), b.doc));
    }
    if let Some(Value::Module(m)) = language::lookup_global(topic) {
        return Reply::Out(module_help(m));
    }
    if let Some(Value::Func(c)) = session.lookup(topic) {
        let start = c.def.span.start;
        let header = fn_header(&c.file.text, start);
        let doc = doc_comment(&c.file.text, start);
        let origin = if c.file.name == "<prelude>" {
            "prelude".to_string()
        } else {
            format!("defined in {}", c.file.name)
        };
        return Reply::Out(if doc.is_empty() {
            format!("{header}\n    ({origin})")
        } else {
            format!("{header}\n    {doc}  ({origin})")
        });
    }
    if let Some(c) = COMMANDS.iter().find(|c| canonical(topic) == Some(c.name)) {
        return Reply::Out(format!(":{} {}\n    {}", c.name, c.args, c.doc));
    }
    if let Some((_, text)) = KEYWORD_HELP.iter().find(|(k, _)| *k == topic) {
        return Reply::Out(format!("{topic} (keyword)\n    {text}"));
    }
    if language::ATTRIBUTES.contains(&topic) {
        return Reply::Out(format!(
            "x.{topic} (array attribute)\n    one of {}",
            language::ATTRIBUTES.join(", ")
        ));
    }
    match session.lookup(topic) {
        Some(Value::DType(d)) => Reply::Out(format!(
            "{} (dtype)\n    an element type: {} bytes per element",
            d.name(),
            d.size()
        )),
        Some(_) => match session.type_of(topic) {
            Ok(t) => Reply::Out(format!("{topic}: {t}")),
            Err(e) => Reply::Err(e.rendered),
        },
        None => {
            let mut names = language::global_names();
            names.extend(language::table().iter().map(|b| b.name.to_string()));
            names.extend(session.names());
            names.extend(super::complete::prelude_functions());
            let hint = language::suggest(topic, &names)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            Reply::Err(format!("error: no help for `{topic}`{hint}\n"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(s: &mut Session, line: &str) -> String {
        match execute(s, line) {
            Reply::Out(t) => t,
            other => panic!("{line}: {other:?}"),
        }
    }

    fn err(s: &mut Session, line: &str) -> String {
        match execute(s, line) {
            Reply::Err(t) => t,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn split_and_aliases() {
        assert_eq!(split_command(":type  x + 1"), Some(("type", 7)));
        assert_eq!(split_command(":q"), Some(("q", 2)));
        assert_eq!(split_command("x"), None);
        assert_eq!(canonical("q"), Some("quit"));
        assert_eq!(canonical("nope"), None);
        assert!(takes_code("t") && !takes_code("load"));
    }

    #[test]
    fn help_lists_and_explains() {
        let mut s = Session::new();
        let all = out(&mut s, ":help");
        for want in [
            ":time EXPR",
            "reductions:",
            "random.normal",
            "prelude",
            "Ctrl-C",
        ] {
            assert!(all.contains(want), "{want} missing from:\n{all}");
        }
        let sum = out(&mut s, ":help sum");
        assert!(sum.starts_with("sum(x, axis=none"), "{sum}");
        assert!(sum.contains("(reductions)"));
        assert!(out(&mut s, ":help random.normal").starts_with("random.normal(loc=0.0"));
        let random = out(&mut s, ":help random");
        assert!(random.starts_with("module random: 4 members"), "{random}");
        // One line per member: its name and its doc.
        let uniform = random
            .lines()
            .find(|l| l.trim_start().starts_with("random.uniform "))
            .expect("random.uniform listed");
        assert!(uniform.contains("Uniform samples"), "{uniform}");
        let linalg = out(&mut s, ":help linalg");
        let matmul = linalg
            .lines()
            .find(|l| l.trim_start().starts_with("matmul "))
            .expect("matmul listed with linalg");
        assert!(matmul.contains("Matrix product"), "{linalg}");
        let norm = out(&mut s, ":h norm");
        assert!(
            norm.starts_with("fn norm(x, axis=none, keepdims=false)"),
            "{norm}"
        );
        assert!(norm.contains("Euclidean"));
        assert!(out(&mut s, ":help time").starts_with(":time EXPR"));
        assert!(out(&mut s, ":help for").contains("keyword"));
        assert!(out(&mut s, ":help shape").contains("attribute"));
        assert!(out(&mut s, ":help f32").contains("dtype"));
        assert!(err(&mut s, ":help summ").contains("did you mean `sum`?"));
        s.run("<t>", "# Doubles.\nfn twice(v) { 2 * v }\ny = ones(3)")
            .unwrap();
        let twice = out(&mut s, ":help twice");
        assert!(
            twice.starts_with("fn twice(v)") && twice.contains("Doubles."),
            "{twice}"
        );
        assert_eq!(out(&mut s, ":help y"), "y: f64[3]");
    }

    #[test]
    fn type_explain_time() {
        let mut s = Session::new();
        s.run("<t>", "x = ones([300, 400])").unwrap();
        assert_eq!(out(&mut s, ":type x.sum(axis=0)"), "f64[400]");
        assert!(err(&mut s, ":type x + ones(3)").starts_with("error: cannot broadcast"));
        assert!(!out(&mut s, ":explain x.sum(axis=0)").is_empty());
        let timed = out(&mut s, ":time sum(x)");
        assert!(timed.starts_with("120000.0\ntime: "), "{timed}");
        assert!(timed.contains("task"), "{timed}");
        let lazy = out(&mut s, ":time x * 2");
        assert!(lazy.contains("lazy f64[300, 400]") && lazy.contains("nothing computed"));
        assert!(err(&mut s, ":time").contains("needs an expression"));
    }

    #[test]
    fn dashboard_starts_shows_and_stops() {
        let mut s = Session::new();
        assert!(err(&mut s, ":dashboard nowhere").contains("takes an address"));
        let started = out(&mut s, ":dashboard 127.0.0.1:0");
        assert!(
            started.starts_with("dashboard at http://127.0.0.1:"),
            "{started}"
        );
        assert_eq!(out(&mut s, ":dashboard"), started);
        assert!(s.state().borrow().exec.events.is_some());
        assert_eq!(out(&mut s, ":dashboard off"), "dashboard stopped");
        assert!(s.state().borrow().exec.events.is_none());
    }

    #[test]
    fn settings_and_bindings() {
        let mut s = Session::new();
        assert_eq!(out(&mut s, ":seed 42"), "seed set to 42");
        assert_eq!(out(&mut s, ":seed"), "seed 42");
        assert!(err(&mut s, ":seed -1").contains("non-negative"));
        assert_eq!(out(&mut s, ":threads 1"), "1 threads");
        assert!(err(&mut s, ":threads 0").contains("positive"));
        s.run("<t>", "a = 1\nfn g(v) { v }").unwrap();
        let names = out(&mut s, ":names");
        assert!(names.contains("a  int"), "{names}");
        assert_eq!(out(&mut s, ":reset"), "all bindings cleared");
        assert_eq!(out(&mut s, ":names"), "no names bound");
        assert_eq!(execute(&mut s, ":quit"), Reply::Quit);
        assert!(err(&mut s, ":tyep x").contains("did you mean `:type`?"));
    }

    #[test]
    fn load_binds_names() {
        let path = std::env::temp_dir().join(format!("arr-load-{}.arr", std::process::id()));
        std::fs::write(&path, "loaded_value = arange(3)\n").unwrap();
        let mut s = Session::new();
        let text = out(&mut s, &format!(":load {}", path.display()));
        assert!(text.ends_with(": loaded_value"), "{text}");
        assert!(s.lookup("loaded_value").is_some());
        assert!(err(&mut s, ":load /nonexistent/x.arr").contains("cannot read"));
        std::fs::remove_file(path).unwrap();
    }
}
