//! Tab completion in the REPL: the language-level candidates of `language::complete` (names,
//! module members, methods after `x.`, keyword arguments) against the session's bindings,
//! plus file paths inside string literals and `:command` words.

use crate::Session;
use crate::language;
use crate::language::complete::{self as core, Context, Found, Kind};
use rustyline::completion::Pair;

pub use crate::language::complete::{methods, param_names, prelude_functions};

/// A session seen as completion's bindings: lookups and names from it, expression types from
/// `Session::type_of` (a check-mode run, nothing computed).
struct SessionContext<'a>(&'a mut Session);

impl Context for SessionContext<'_> {
    fn lookup(&self, name: &str) -> Option<crate::value::Value> {
        self.0.lookup(name)
    }
    fn names(&self) -> Vec<String> {
        self.0.names()
    }
    fn kind_of_expr(&mut self, expr: &str) -> Kind {
        self.0
            .type_of(expr)
            .map_or(Kind::Other, |t| core::kind_of_type_text(&t))
    }
}

/// File-system entries completing `typed` (a path prefix as written), as pairs whose
/// replacement is the whole path; directories end with `/`.
pub fn paths(typed: &str) -> Vec<Pair> {
    let (dir_part, file_part) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    };
    let dir = if dir_part.is_empty() {
        std::path::PathBuf::from(".")
    } else if let Some(rest) = dir_part.strip_prefix("~/") {
        dirs::home_dir().unwrap_or_default().join(rest)
    } else {
        std::path::PathBuf::from(dir_part)
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<Pair> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            if !name.starts_with(file_part)
                || (name.starts_with('.') && !file_part.starts_with('.'))
            {
                return None;
            }
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            let shown = if is_dir { format!("{name}/") } else { name };
            Some(Pair {
                replacement: format!("{dir_part}{shown}"),
                display: shown,
            })
        })
        .collect();
    out.sort_by(|a, b| a.display.cmp(&b.display));
    out
}

/// Sorted pairs with `prefix`.
fn pairs(names: Vec<String>, prefix: &str) -> Vec<Pair> {
    to_pairs(core::sorted_with_prefix(names, prefix))
}

fn to_pairs(names: Vec<String>) -> Vec<Pair> {
    names
        .into_iter()
        .map(|n| Pair {
            display: n.clone(),
            replacement: n,
        })
        .collect()
}

/// Completions for `line` with the cursor at byte `pos`: the start of the text to replace
/// and the candidates.
pub fn complete(session: &mut Session, line: &str, pos: usize) -> (usize, Vec<Pair>) {
    let pos = pos.min(line.len());
    let Some(before) = line.get(..pos) else {
        return (pos, Vec::new());
    };
    if let Some((word, rest_at)) = super::commands::split_command(line) {
        return complete_command(session, line, pos, word, rest_at);
    }
    complete_code(session, before)
}

fn complete_command(
    session: &mut Session,
    line: &str,
    pos: usize,
    word: &str,
    rest_at: usize,
) -> (usize, Vec<Pair>) {
    if pos <= word.len() + 1 {
        let names = super::commands::COMMANDS
            .iter()
            .map(|c| format!(":{}", c.name))
            .collect();
        return (0, pairs(names, &line[..pos]));
    }
    if pos < rest_at {
        return (pos, Vec::new());
    }
    let arg = &line[rest_at..pos];
    match super::commands::canonical(word) {
        Some("help") => {
            let mut names = core::all_names(&SessionContext(session));
            names.extend(language::table().iter().map(|b| b.name.to_string()));
            names.extend(super::commands::COMMANDS.iter().map(|c| c.name.to_string()));
            names.extend(language::ATTRIBUTES.iter().map(|s| s.to_string()));
            (rest_at, pairs(names, arg))
        }
        Some("load") => {
            let unquoted = arg.strip_prefix('"').unwrap_or(arg);
            (pos - unquoted.len(), paths(unquoted))
        }
        Some(c) if super::commands::takes_code(c) => {
            let (start, found) = complete_code(session, arg);
            (rest_at + start, found)
        }
        _ => (pos, Vec::new()),
    }
}

/// Completion in Arr code whose end is the cursor.
fn complete_code(session: &mut Session, before: &str) -> (usize, Vec<Pair>) {
    match core::complete_code(&mut SessionContext(session), before) {
        (start, Found::Words(words)) => (start, to_pairs(words)),
        (start, Found::Path(typed)) => (start, paths(&typed)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        let mut s = Session::new();
        s.run(
            "<test>",
            "x = ones([3, 4])\nm = x > 0\nword = \"a\"\nxs = [1, 2]\n\
             fn scale(v, factor=2) { v * factor }\nfn shout(s: str) { s }",
        )
        .unwrap();
        s
    }

    fn names(s: &mut Session, line: &str) -> Vec<String> {
        complete(s, line, line.len())
            .1
            .into_iter()
            .map(|p| p.replacement)
            .collect()
    }

    #[test]
    fn params_text_is_read() {
        assert_eq!(
            param_names("x, axis=none, keepdims=false"),
            ["x", "axis", "keepdims"]
        );
        assert_eq!(param_names("x, *shape"), ["x"]);
        assert_eq!(
            param_names("shape, dtype=f64, chunks=\"auto\""),
            ["shape", "dtype", "chunks"]
        );
        assert!(param_names("").is_empty());
    }

    #[test]
    fn bare_words_complete_to_bound_builtin_and_keyword_names() {
        let mut s = session();
        let got = names(&mut s, "y = su");
        assert!(got.contains(&"sum".to_string()), "{got:?}");
        assert!(names(&mut s, "wo").contains(&"word".to_string()));
        assert!(names(&mut s, "sca").contains(&"scale".to_string()));
        assert!(names(&mut s, "retu").contains(&"return".to_string()));
        assert!(names(&mut s, "ran").contains(&"random".to_string()));
        assert!(names(&mut s, "zeros_l").contains(&"zeros_like".to_string()));
        let (start, _) = complete(&mut s, "y = su", 6);
        assert_eq!(start, 4);
        // Nothing for an empty word outside a call, a number or a comment.
        assert!(names(&mut s, "").is_empty());
        assert!(names(&mut s, "1").is_empty());
        assert!(names(&mut s, "# su").is_empty());
    }

    #[test]
    fn module_members() {
        let mut s = session();
        let got = names(&mut s, "random.");
        assert!(got.contains(&"normal".to_string()), "{got:?}");
        assert!(got.contains(&"integers".to_string()));
        assert!(!got.contains(&"sum".to_string()));
        // Members come from the builtin table, whatever `linalg` holds today.
        let mut linalg: Vec<String> = language::table()
            .iter()
            .filter_map(|b| b.name.strip_prefix("linalg.").map(str::to_string))
            .collect();
        linalg.sort();
        assert_eq!(names(&mut s, "linalg."), linalg);
        let (start, _) = complete(&mut s, "y = random.no", 13);
        assert_eq!(start, 11);
    }

    #[test]
    fn methods_follow_the_receiver_type() {
        let mut s = session();
        let arr = names(&mut s, "x.");
        for want in [
            "shape", "T", "sum", "mean", "reshape", "astype", "norm", "scale",
        ] {
            assert!(arr.contains(&want.to_string()), "{want} missing: {arr:?}");
        }
        for not in ["where", "zeros", "shout", "normal", "print", "range"] {
            assert!(!arr.contains(&not.to_string()), "{not} offered: {arr:?}");
        }
        assert!(names(&mut s, "m.").contains(&"where".to_string()));
        assert_eq!(names(&mut s, "x.sh"), ["shape"]);
        let text = names(&mut s, "word.");
        assert!(text.contains(&"shout".to_string()) && text.contains(&"len".to_string()));
        assert!(!text.contains(&"sum".to_string()));
        assert!(names(&mut s, "xs.").contains(&"stack".to_string()));
        // A receiver that is an expression is typed by checking it.
        assert!(names(&mut s, "(x + 1).me").contains(&"mean".to_string()));
        assert!(names(&mut s, "x.T.").contains(&"ndim".to_string()));
        assert!(names(&mut s, "x[0].").contains(&"sum".to_string()));
        assert!(names(&mut s, "sum(x).").contains(&"sum".to_string()));
        // Unknown receivers offer nothing.
        assert!(names(&mut s, "nope.").is_empty());
        assert!(names(&mut s, "scale.").is_empty());
    }

    #[test]
    fn keyword_arguments_in_calls() {
        let mut s = session();
        let got = names(&mut s, "sum(x, ");
        assert_eq!(got, ["axis=", "keepdims="]);
        assert_eq!(names(&mut s, "sum(x, ax"), ["axis="]);
        assert_eq!(names(&mut s, "sum(x, axis=0, "), ["keepdims="]);
        // Keyword arguments come first, then names with the prefix.
        let normal = names(&mut s, "random.normal(0, 1, sh");
        assert_eq!(normal, ["shape=", "shout"]);
        assert_eq!(
            names(&mut s, "random.normal(0, 1, shape=3, "),
            ["chunks=", "seed=", "dtype="]
        );
        assert_eq!(names(&mut s, "x.mean(k"), ["keepdims=", "kron"]);
        assert_eq!(names(&mut s, "scale(x, "), ["factor="]);
        // Inside a nested list the call's keywords are not offered.
        assert!(names(&mut s, "zeros([").is_empty());
        // A name being typed as an argument value gets names.
        let got = names(&mut s, "sum(x, axis=ke");
        assert!(got.is_empty() || !got.contains(&"keepdims=".to_string()));
        let got = names(&mut s, "sum(wo");
        assert!(got.contains(&"word".to_string()));
    }

    #[test]
    fn paths_inside_strings() {
        let dir = std::env::temp_dir().join(format!("arr-complete-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("data.npy"), b"").unwrap();
        let base = dir.to_string_lossy().to_string();
        let mut s = session();
        let line = format!("from_npy(\"{base}/d");
        let (start, got) = complete(&mut s, &line, line.len());
        assert_eq!(start, "from_npy(\"".len());
        let got: Vec<String> = got.into_iter().map(|p| p.replacement).collect();
        assert_eq!(got, [format!("{base}/data.npy")]);
        let line = format!(":load {base}/s");
        let (_, got) = complete(&mut s, &line, line.len());
        assert_eq!(got[0].display, "sub/");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn commands_and_help_topics() {
        let mut s = session();
        assert_eq!(names(&mut s, ":he"), [":help"]);
        assert!(names(&mut s, ":help random.n").contains(&"random.normal".to_string()));
        assert!(names(&mut s, ":type x.").contains(&"shape".to_string()));
        let (start, _) = complete(&mut s, ":time su", 8);
        assert_eq!(start, 6);
    }

    #[test]
    fn any_input_at_any_cursor_is_safe() {
        use proptest::strategy::{Strategy, ValueTree};
        let mut s = session();
        let vocab = super::super::highlight::Vocabulary::new();
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let text =
            proptest::string::string_regex(r##"[xm.(),\[\]{}"#:=\\ \né1a-]{0,14}"##).unwrap();
        for _ in 0..400 {
            let line = text.new_tree(&mut runner).unwrap().current();
            for pos in 0..=line.len() {
                if line.is_char_boundary(pos) {
                    let (start, found) = complete(&mut s, &line, pos);
                    assert!(start <= pos, "{line:?} at {pos}");
                    assert!(found.iter().all(|p| !p.replacement.is_empty()));
                    let shown = super::super::highlight::highlight_line(&vocab, &line, Some(pos));
                    assert_eq!(super::super::highlight::strip_ansi(&shown), line);
                }
            }
            let _ = super::super::validate::is_complete(&line);
        }
    }

    #[test]
    fn odd_input_does_not_panic() {
        let mut s = session();
        for line in [
            ")", "(.", ".", "..", "x..", "$.", "\"", "f(", "f(,", "a b c.", "é.", "[1, 2].",
            "{x}.", "1.", ")(.", ":", ": ", ":help ", ":load ", ":nope x",
        ] {
            for pos in 0..=line.len() {
                if line.is_char_boundary(pos) {
                    let _ = complete(&mut s, line, pos);
                }
            }
        }
    }
}
