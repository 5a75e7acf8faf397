//! What a word at the cursor can complete to, for the REPL and the language server alike:
//! names (bound, builtin, prelude, keyword), module members after `random.` and `linalg.`,
//! methods after `x.` that are valid for x's type, and keyword arguments inside a call.
//! Both faces describe their bindings through `Context`; the REPL adds file paths and
//! `:commands`, the language server positions and documentation.
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
//! The receiver's type comes from its binding for a plain name and from a check-mode run of
//! the expression (`Context::kind_of_expr`, which computes nothing) for others like `(a + b).`.

use crate::builtins::{self, Builtin};
use crate::sema::dtype::DType;
use crate::syntax::pieces::{self as lex, Class, Piece};
use crate::value::{Num, Value};

/// The bindings completion reads: a REPL session, or an editor's analysed document.
pub trait Context {
    /// The value `name` is bound to (bindings, prelude, builtins), if any.
    fn lookup(&self, name: &str) -> Option<Value>;
    /// The user's bound names (not the builtins).
    fn names(&self) -> Vec<String>;
    /// The kind of the value of the expression `expr`, found without computing anything.
    fn kind_of_expr(&mut self, expr: &str) -> Kind;
}

/// What completion found at the cursor.
#[derive(Clone, Debug, PartialEq)]
pub enum Found {
    /// Candidate words, in the order to offer them.
    Words(Vec<String>),
    /// The cursor is inside an open string literal holding this text: a path, maybe.
    Path(String),
}

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
pub fn callable_params(v: &Value) -> Option<(Vec<String>, usize)> {
    match v {
        Value::Builtin(b) => Some((param_names(b.params), 0)),
        Value::Func(c) => Some((c.def.params.iter().map(|p| p.name.clone()).collect(), 0)),
        Value::Bound(pair) => callable_params(&pair.0).map(|(p, skip)| (p, skip + 1)),
        _ => None,
    }
}

pub fn kind_of_value(v: &Value) -> Kind {
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
pub fn kind_of_type_text(text: &str) -> Kind {
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
pub fn kind_of(ctx: &mut impl Context, expr: &str) -> Kind {
    let is_name = !expr.is_empty()
        && expr.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !expr.starts_with(|c: char| c.is_ascii_digit());
    if is_name {
        return ctx.lookup(expr).map_or(Kind::Other, |v| kind_of_value(&v));
    }
    ctx.kind_of_expr(expr)
}

fn first_param(b: &Builtin) -> String {
    param_names(b.params).into_iter().next().unwrap_or_default()
}

/// The method and attribute names valid after a receiver of this kind (see the module doc).
pub fn methods(ctx: &impl Context, kind: &Kind) -> Vec<String> {
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
            return builtins::table()
                .iter()
                .filter_map(|b| b.name.strip_prefix(&prefix).map(str::to_string))
                .collect();
        }
        Kind::Other => return Vec::new(),
    };
    let mut out: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    if matches!(kind, Kind::Array { .. }) {
        out.extend(builtins::host::ATTRIBUTES.iter().map(|s| s.to_string()));
    }
    out.extend(
        builtins::table()
            .iter()
            .filter(|b| !b.name.contains('.') && builtin_firsts.contains(&first_param(b).as_str()))
            .map(|b| b.name.to_string()),
    );
    for name in prelude_functions() {
        if let Some(Value::Func(c)) = ctx.lookup(&name)
            && c.def
                .params
                .first()
                .is_some_and(|p| builtin_firsts.contains(&p.name.as_str()))
        {
            out.push(name);
        }
    }
    for name in ctx.names() {
        if let Some(Value::Func(c)) = ctx.lookup(&name)
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
pub fn all_names(ctx: &impl Context) -> Vec<String> {
    let mut out = ctx.names();
    out.extend(builtins::global_names());
    out.extend(prelude_functions());
    out.extend(crate::syntax::lexer::KEYWORDS.iter().map(|s| s.to_string()));
    out
}

/// Sorted candidates with `prefix`.
pub fn sorted_with_prefix(mut names: Vec<String>, prefix: &str) -> Vec<String> {
    names.sort();
    names.dedup();
    in_order_with_prefix(names, prefix)
}

/// Candidates with `prefix`, in the given order.
pub fn in_order_with_prefix(mut names: Vec<String>, prefix: &str) -> Vec<String> {
    names.retain(|n| n.starts_with(prefix));
    names
}

/// The start of the postfix chain (`a.b(c)[d]`) that ends at code piece `last`.
pub fn chain_start(src: &str, code: &[Piece], last: usize) -> Option<usize> {
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
pub fn keyword_arguments(ctx: &mut impl Context, src: &str, code: &[Piece]) -> Vec<String> {
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
    let params = resolve_callee(ctx, src, callee);
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
pub fn resolve_callee(
    ctx: &mut impl Context,
    src: &str,
    callee: &[Piece],
) -> Option<(Vec<String>, usize)> {
    let last = callee.last()?;
    if last.class != Class::Name {
        return None;
    }
    let name = last.text(src);
    if callee.len() == 1 {
        return callable_params(&ctx.lookup(name)?);
    }
    let dot = &callee[callee.len() - 2];
    if dot.class != Class::Dot {
        return None;
    }
    let receiver = &src[callee[0].start..dot.start];
    match kind_of(ctx, receiver) {
        Kind::Module(m) => Some((
            param_names(builtins::find(&format!("{m}.{name}"))?.params),
            0,
        )),
        Kind::Other => None,
        _ => callable_params(&ctx.lookup(name)?).map(|(p, skip)| (p, skip + 1)),
    }
}

/// Completion in Arr code whose end is the cursor.
pub fn complete_code(ctx: &mut impl Context, before: &str) -> (usize, Found) {
    let pos = before.len();
    let all = lex::pieces(before);
    if let Some(last) = all.last()
        && last.end == pos
    {
        match last.class {
            Class::OpenStr => {
                let typed = &before[last.start + 1..];
                return (last.start + 1, Found::Path(typed.to_string()));
            }
            Class::Comment | Class::Str | Class::Number => return (pos, Found::Words(Vec::new())),
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
            return (start, Found::Words(Vec::new()));
        };
        let receiver = &before[head[from].start..dot.start];
        let kind = kind_of(ctx, receiver);
        return (
            start,
            Found::Words(sorted_with_prefix(methods(ctx, &kind), word)),
        );
    }
    // Keyword arguments in signature order, then names.
    let mut found = in_order_with_prefix(keyword_arguments(ctx, before, rest), word);
    if !word.is_empty() {
        found.extend(sorted_with_prefix(all_names(ctx), word));
    }
    (start, Found::Words(found))
}
