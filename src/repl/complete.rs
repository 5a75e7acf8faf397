//! Tab completion: names (bound, builtin, prelude, keyword), module members after `random.`
//! and `linalg.`, methods after `x.` that are valid for x's type, keyword arguments inside a
//! call, file paths inside string literals, and `:command` words.
//!
//! Methods offered after `x.` (method form `x.f(a)` means `f(x, a)`, LANGUAGE.md §8):
//! - an array or number: the array attributes, the builtins and prelude functions whose first
//!   parameter is `x` or `a` (the array-taking ones; `where` too for a `bool` array, whose
//!   first parameter is `condition`), and the user's functions whose first parameter is
//!   untyped or has an array type;
//! - a string: the builtins whose first parameter is `path` or `pattern`, plus `len`, and the
//!   user's functions whose first parameter is untyped or `str`;
//! - a list or tuple: the builtins and prelude functions whose first parameter is `arrays` or
//!   `data`, plus `len`, and the user's untyped-first-parameter functions;
//! - a module: its members. Nothing is offered for other values.
//!
//! The receiver's type comes from its binding for a plain name and from a check-mode run
//! (`Session::type_of`, which computes nothing) for other expressions like `(a + b).`.

use super::lex::{self, Class, Piece};
use crate::Session;
use crate::language::DType;
use crate::language::{self, Builtin};
use crate::value::{Num, Value};
use rustyline::completion::Pair;

/// What a receiver before `.` is, for method completion.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// An array or a number; `boolean` when its dtype is `bool`.
    Array { boolean: bool },
    /// A string.
    Str,
    /// A list or tuple.
    Sequence,
    /// A module (`random`, `linalg`).
    Module(String),
    /// Anything else (functions, dtypes, none, unknown).
    Other,
}

/// The functions the prelude defines in Arr.
pub fn prelude_functions() -> Vec<String> {
    crate::PRELUDE
        .lines()
        .filter_map(|l| l.strip_prefix("fn "))
        .filter_map(|l| l.split('(').next())
        .map(|s| s.trim().to_string())
        .collect()
}

/// The parameter names in a builtin's parameter text, without `*rest` collectors.
pub fn param_names(params: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    let mut in_str = false;
    let mut push = |part: &str| {
        let part = part.trim();
        if part.is_empty() || part.starts_with('*') {
            return;
        }
        let name = part.split(['=', ':']).next().unwrap_or("").trim();
        if !name.is_empty() {
            out.push(name.to_string());
        }
    };
    for c in params.chars() {
        match c {
            '"' => in_str = !in_str,
            '(' | '[' if !in_str => depth += 1,
            ')' | ']' if !in_str => depth -= 1,
            ',' if !in_str && depth == 0 => {
                push(&current);
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    push(&current);
    out
}

/// A callable's parameter names and first parameter's type (user functions), if `v` is one.
fn callable_params(v: &Value) -> Option<(Vec<String>, usize)> {
    match v {
        Value::Builtin(b) => Some((param_names(b.params), 0)),
        Value::Func(c) => Some((c.def.params.iter().map(|p| p.name.clone()).collect(), 0)),
        Value::Bound(pair) => callable_params(&pair.0).map(|(p, skip)| (p, skip + 1)),
        _ => None,
    }
}

fn kind_of_value(v: &Value) -> Kind {
    match v {
        Value::Array(a) => Kind::Array {
            boolean: a.dtype == DType::Bool,
        },
        Value::Num(n) => Kind::Array {
            boolean: matches!(n, Num::Bool(_)),
        },
        Value::Str(_) => Kind::Str,
        Value::List(_) | Value::Tuple(_) => Kind::Sequence,
        Value::Module(m) => Kind::Module(m.to_string()),
        _ => Kind::Other,
    }
}

/// Reads a kind from `Session::type_of` text (`f64[3, 4]`, `bool`, `str`, `module random`).
fn kind_of_type_text(text: &str) -> Kind {
    let head = text.split('[').next().unwrap_or("");
    if let Some(m) = text.strip_prefix("module ") {
        return Kind::Module(m.to_string());
    }
    match head {
        "int" | "float" => Kind::Array { boolean: false },
        "bool" => Kind::Array { boolean: true },
        "str" => Kind::Str,
        "list" | "tuple" => Kind::Sequence,
        h if DType::from_name(h).is_some_and(|d| d.name() == h) => Kind::Array { boolean: false },
        _ => Kind::Other,
    }
}

/// The kind of the receiver expression `expr`.
fn kind_of(session: &mut Session, expr: &str) -> Kind {
    let is_name = !expr.is_empty()
        && expr.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !expr.starts_with(|c: char| c.is_ascii_digit());
    if is_name {
        return session
            .lookup(expr)
            .map_or(Kind::Other, |v| kind_of_value(&v));
    }
    session
        .type_of(expr)
        .map_or(Kind::Other, |t| kind_of_type_text(&t))
}

fn first_param(b: &Builtin) -> String {
    param_names(b.params).into_iter().next().unwrap_or_default()
}

/// The method and attribute names valid after a receiver of this kind (see the module doc).
pub fn methods(session: &Session, kind: &Kind) -> Vec<String> {
    let (builtin_firsts, user_types, extra): (&[&str], &[&str], &[&str]) = match kind {
        Kind::Array { boolean } => (
            &["x", "a"],
            &["f64", "f32", "i64", "i32", "u8", "bool"],
            if *boolean { &["where"] } else { &[] },
        ),
        Kind::Str => (&["path", "pattern"], &["str"], &["len"]),
        Kind::Sequence => (&["arrays", "data"], &["list", "tuple"], &["len"]),
        Kind::Module(m) => {
            let prefix = format!("{m}.");
            return language::table()
                .iter()
                .filter_map(|b| b.name.strip_prefix(&prefix).map(str::to_string))
                .collect();
        }
        Kind::Other => return Vec::new(),
    };
    let mut out: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    if matches!(kind, Kind::Array { .. }) {
        out.extend(language::ATTRIBUTES.iter().map(|s| s.to_string()));
    }
    out.extend(
        language::table()
            .iter()
            .filter(|b| !b.name.contains('.') && builtin_firsts.contains(&first_param(b).as_str()))
            .map(|b| b.name.to_string()),
    );
    for name in prelude_functions() {
        if let Some(Value::Func(c)) = session.lookup(&name)
            && c.def
                .params
                .first()
                .is_some_and(|p| builtin_firsts.contains(&p.name.as_str()))
        {
            out.push(name);
        }
    }
    for name in session.names() {
        if let Some(Value::Func(c)) = session.lookup(&name)
            && let Some(p) = c.def.params.first()
            && p.ty
                .as_ref()
                .is_none_or(|t| user_types.contains(&t.name.as_str()))
        {
            out.push(name);
        }
    }
    out
}

/// Every name a bare word can complete to.
fn all_names(session: &Session) -> Vec<String> {
    let mut out = session.names();
    out.extend(language::global_names());
    out.extend(prelude_functions());
    out.extend(crate::language::KEYWORDS.iter().map(|s| s.to_string()));
    out
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

/// Sorted candidates with `prefix`.
fn pairs(mut names: Vec<String>, prefix: &str) -> Vec<Pair> {
    names.sort();
    names.dedup();
    pairs_in_order(names, prefix)
}

/// Candidates with `prefix`, in the given order.
fn pairs_in_order(mut names: Vec<String>, prefix: &str) -> Vec<Pair> {
    names.retain(|n| n.starts_with(prefix));
    names
        .into_iter()
        .map(|n| Pair {
            display: n.clone(),
            replacement: n,
        })
        .collect()
}

/// The start of the postfix chain (`a.b(c)[d]`) that ends at code piece `last`.
fn chain_start(src: &str, code: &[Piece], last: usize) -> Option<usize> {
    let mut i = last;
    loop {
        match code[i].class {
            Class::Close => {
                let j = lex::partner(src, code, i)?;
                let called = j > 0
                    && matches!(code[j - 1].class, Class::Name | Class::Close)
                    && code[j].text(src) != "{";
                if called {
                    i = j - 1;
                } else {
                    return Some(j);
                }
            }
            Class::Name | Class::Number | Class::Str | Class::Bool => {
                if i >= 2 && code[i - 1].class == Class::Dot {
                    i -= 2;
                } else {
                    return Some(i);
                }
            }
            _ => return None,
        }
    }
}

/// The parameter names still worth offering as `name=` in the innermost open call of `code`
/// (the code pieces before the word at the cursor), when the cursor starts an argument.
fn keyword_arguments(session: &mut Session, src: &str, code: &[Piece]) -> Vec<String> {
    let open = lex::open_brackets(code);
    let Some(&paren) = open.last() else {
        return Vec::new();
    };
    if code[paren].text(src) != "(" || paren == 0 {
        return Vec::new();
    }
    // The cursor must start an argument: right after `(` or a top-level `,`.
    let Some(prev) = code.last() else {
        return Vec::new();
    };
    let at_arg_start =
        paren + 1 == code.len() || (prev.class == Class::Comma && depth_at(code, paren) == 0);
    if !at_arg_start {
        return Vec::new();
    }
    let Some(callee_start) = chain_start(src, code, paren - 1) else {
        return Vec::new();
    };
    let callee = &code[callee_start..paren];
    let params = resolve_callee(session, src, callee);
    let Some((names, skip)) = params else {
        return Vec::new();
    };
    // Arguments already written: keywords by name, positionals by count.
    let mut used: Vec<String> = Vec::new();
    let mut positional = 0;
    let mut depth = 0;
    let mut arg_first: Option<usize> = None;
    for (i, p) in code.iter().enumerate().skip(paren + 1) {
        match p.class {
            Class::Open => depth += 1,
            Class::Close => depth -= 1,
            Class::Comma if depth == 0 => {
                match arg_first {
                    Some(f)
                        if code[f].class == Class::Name
                            && code.get(f + 1).is_some_and(|n| n.class == Class::Assign) =>
                    {
                        used.push(code[f].text(src).to_string());
                    }
                    Some(_) => positional += 1,
                    None => {}
                }
                arg_first = None;
                continue;
            }
            _ => {}
        }
        if arg_first.is_none() {
            arg_first = Some(i);
        }
    }
    names
        .into_iter()
        .skip(skip + positional)
        .filter(|n| !used.contains(n))
        .map(|n| format!("{n}="))
        .collect()
}

/// The bracket depth of the end of `code` relative to the open bracket at `paren`.
fn depth_at(code: &[Piece], paren: usize) -> i32 {
    let mut depth = 0;
    for p in &code[paren + 1..] {
        match p.class {
            Class::Open => depth += 1,
            Class::Close => depth -= 1,
            _ => {}
        }
    }
    depth
}

/// The parameter names of a callee written as `code` pieces, and how many leading ones are
/// already bound (1 for the method form `x.f(`).
fn resolve_callee(
    session: &mut Session,
    src: &str,
    callee: &[Piece],
) -> Option<(Vec<String>, usize)> {
    let last = callee.last()?;
    if last.class != Class::Name {
        return None;
    }
    let name = last.text(src);
    if callee.len() == 1 {
        return callable_params(&session.lookup(name)?);
    }
    let dot = &callee[callee.len() - 2];
    if dot.class != Class::Dot {
        return None;
    }
    let receiver = &src[callee[0].start..dot.start];
    match kind_of(session, receiver) {
        Kind::Module(m) => Some((
            param_names(language::find(&format!("{m}.{name}"))?.params),
            0,
        )),
        Kind::Other => None,
        _ => callable_params(&session.lookup(name)?).map(|(p, skip)| (p, skip + 1)),
    }
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
            let mut names = all_names(session);
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
    let pos = before.len();
    let all = lex::pieces(before);
    if let Some(last) = all.last()
        && last.end == pos
    {
        match last.class {
            Class::OpenStr => {
                let typed = &before[last.start + 1..];
                return (last.start + 1, paths(typed));
            }
            Class::Comment | Class::Str | Class::Number => return (pos, Vec::new()),
            _ => {}
        }
    }
    let code: Vec<Piece> = all.into_iter().filter(Piece::is_code).collect();
    let (word, start, rest) = match code.split_last() {
        Some((last, rest)) if last.class == Class::Name && last.end == pos => {
            (last.text(before), last.start, rest)
        }
        _ => ("", pos, &code[..]),
    };
    // After `receiver.`: members or methods.
    if let Some((dot, head)) = rest.split_last()
        && dot.class == Class::Dot
        && dot.end == start
    {
        let Some(from) = head
            .len()
            .checked_sub(1)
            .and_then(|l| chain_start(before, head, l))
        else {
            return (start, Vec::new());
        };
        let receiver = &before[head[from].start..dot.start];
        let kind = kind_of(session, receiver);
        return (start, pairs(methods(session, &kind), word));
    }
    // Keyword arguments in signature order, then names.
    let mut found = pairs_in_order(keyword_arguments(session, before, rest), word);
    if !word.is_empty() {
        found.extend(pairs(all_names(session), word));
    }
    (start, found)
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
