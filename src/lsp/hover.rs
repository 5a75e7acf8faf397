//! Hover: what the compiler knows of the expression or name under the cursor, before
//! anything runs — an array's dtype and shape (named dimensions as declared, `?` where only
//! computing can tell), its chunk grid, its size in bytes and the projected peak memory of
//! computing it (the optimised plan's memory projection); a number's value when known; a
//! builtin's signature and one-line doc from the builtin table; a function's header.

use super::analysis::Analysis;
use super::documents::{self, Encoding};
use crate::language::ast::{Expr, ExprKind, FnDef, Span, Stmt, StmtKind};
use crate::language::pieces::{self, Class};
use crate::language::{self, Builtin};
use crate::units::human_bytes;
use crate::value::{Array, Hint, Num, Value};
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};
use std::fmt::Write;

/// The hover at byte `offset`, if there is anything to say.
pub fn hover(
    analysis: &Analysis,
    planned: &crate::Trace,
    offset: usize,
    config: &crate::Planner,
    enc: Encoding,
) -> Option<Hover> {
    let (span, text) = match analysis.checked.innermost(offset) {
        Some((span, values)) if !values.is_empty() => {
            let planned = planned.at(span);
            let declared = declared_type(analysis, span);
            let mut name = source(&analysis.text, span);
            if declared.is_some()
                && let Some((param, _)) = name.split_once(':')
            {
                // A parameter's span covers its annotation: head with the name alone.
                name = param.trim().to_string();
            }
            let mut out = String::new();
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    out.push_str("\n---\n");
                }
                let plan = planned.iter().find_map(|p| match (p, v) {
                    (Value::Array(p), Value::Array(a))
                        if p.node.is_some() && p.dtype == a.dtype && p.shape == a.shape =>
                    {
                        Some(p)
                    }
                    _ => None,
                });
                out.push_str(&value_text(&name, v, plan, declared.as_deref(), config));
            }
            if values.len() > 1 {
                out.push_str(&format!(
                    "\n---\n*{} different types: checked once per call or iteration*",
                    values.len()
                ));
            }
            (span, out)
        }
        _ => {
            let (span, name) = word_at(&analysis.text, offset)?;
            let b = language::find(&name)?;
            (span, builtin_text(b))
        }
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(documents::range(&analysis.text, span.start, span.end, enc)),
    })
}

/// The source text of a span, shortened for a heading.
fn source(text: &str, span: Span) -> String {
    let s = text.get(span.start..span.end).unwrap_or("").trim();
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 40 {
        let cut: String = one_line.chars().take(37).collect();
        format!("{cut}...")
    } else {
        one_line
    }
}

/// The text of one value.
fn value_text(
    name: &str,
    v: &Value,
    plan: Option<&Array>,
    declared: Option<&str>,
    config: &crate::Planner,
) -> String {
    match v {
        Value::Array(a) => array_text(name, a, plan, declared, config),
        Value::Builtin(b) => builtin_text(b),
        Value::Bound(pair) => {
            let receiver = pair.1.type_name();
            match &pair.0 {
                Value::Builtin(b) => format!("{}\n\nmethod form on `{receiver}`", builtin_text(b)),
                Value::Func(c) => format!(
                    "```arr\n{}\n```\nmethod form on `{receiver}`",
                    fn_header(&c.def, &c.file.text)
                ),
                other => code(&format!("{name}: {}", other.type_name())),
            }
        }
        Value::Func(c) => code(&fn_header(&c.def, &c.file.text)),
        Value::Num(n) => {
            let (ty, shown) = match n {
                Num::Bool(b) => ("bool", b.to_string()),
                Num::Int(i) => ("int", i.to_string()),
                Num::Float(f) => ("float", crate::value::format::format_f64(*f)),
            };
            code(&format!("{name}: {ty} = {shown}"))
        }
        Value::Unknown(Hint::Num(k)) => format!(
            "{}\nvalue known only when computed",
            code(&format!("{name}: {}", weak_name(*k)))
        ),
        Value::Unknown(Hint::Any) => format!("{}\nknown only when computed", code(name)),
        Value::Str(s) => code(&format!("{name}: str = {s:?}")),
        Value::List(items) => code(&format!("{name}: list of {}", items.len())),
        Value::Tuple(items) => {
            let parts: Vec<String> = items.iter().map(Value::type_name).collect();
            code(&format!("{name}: ({})", parts.join(", ")))
        }
        Value::Module(m) => {
            let members: Vec<&str> = language::table()
                .iter()
                .filter_map(|b| b.name.strip_prefix(m).and_then(|r| r.strip_prefix('.')))
                .collect();
            format!(
                "{}\nmembers: {}",
                code(&format!("module {m}")),
                members.join(", ")
            )
        }
        Value::DType(d) => code(&format!("{name}: dtype {}", d.name())),
        other => code(&format!("{name}: {}", other.type_name())),
    }
}

fn code(s: &str) -> String {
    format!("```arr\n{s}\n```")
}

/// An array: type, dtype and shape, chunk grid, bytes, projected peak memory.
fn array_text(
    name: &str,
    a: &Array,
    plan: Option<&Array>,
    declared: Option<&str>,
    config: &crate::Planner,
) -> String {
    let mut out = code(&format!("{name}: {}", a.type_text()));
    let shape: Vec<String> = a
        .shape
        .iter()
        .map(|d| d.map_or("?".to_string(), |n| n.to_string()))
        .collect();
    let shape = if shape.len() == 1 {
        format!("({},)", shape[0])
    } else {
        format!("({})", shape.join(", "))
    };
    let _ = write!(out, "\n- dtype `{}`, shape `{shape}`", a.dtype.name());
    if let Some(d) = declared {
        let _ = write!(out, " (declared `{d}`)");
    }
    match a.known_shape() {
        Some(dims) => {
            let bytes = dims
                .iter()
                .try_fold(a.dtype.size(), |acc, &d| acc.checked_mul(d));
            match bytes {
                Some(b) => {
                    let _ = write!(out, "\n- {} if held in memory", human_bytes(b));
                }
                None => out.push_str("\n- more bytes than an address space holds"),
            }
        }
        None => out.push_str("\n- bytes known when the `?` dimension is computed"),
    }
    match plan.and_then(|p| p.node.as_ref()) {
        Some(node) => {
            let _ = write!(out, "\n- chunks: {}", chunks_text(&node.chunks));
            match config.memory(node) {
                Ok(m) => {
                    let _ = write!(
                        out,
                        "\n- computing it: projected peak {} ({} per task, {} at once, {} task{})",
                        human_bytes(m.schedule_peak),
                        human_bytes(m.per_task),
                        m.parallel,
                        m.tasks,
                        if m.tasks == 1 { "" } else { "s" }
                    );
                }
                Err(e) => {
                    let _ = write!(out, "\n- computing it: {e}");
                }
            }
        }
        None => out.push_str("\n- chunks and memory: planned when the script checks cleanly and the value does not depend on computed data"),
    }
    out
}

/// A chunk grid in brief: the block shape, the grid and the number of blocks
/// (`blocks of 1000 × 1000, grid 20 × 20 = 400 blocks`), saying when edge blocks are
/// smaller or the blocks are irregular.
pub fn chunks_text(chunks: &[Vec<usize>]) -> String {
    if chunks.is_empty() {
        return "one block (0-d)".into();
    }
    let join = |v: Vec<String>| v.join(" × ");
    let block = join(
        chunks
            .iter()
            .map(|c| c.first().copied().unwrap_or(0).to_string())
            .collect(),
    );
    let grid = join(chunks.iter().map(|c| c.len().to_string()).collect());
    let blocks = chunks
        .iter()
        .try_fold(1usize, |acc, c| acc.checked_mul(c.len()))
        .unwrap_or(usize::MAX);
    let regular = chunks.iter().all(|c| {
        c.split_last()
            .is_none_or(|(last, rest)| rest.iter().all(|b| *b == c[0]) && *last <= c[0])
    });
    let edges = chunks.iter().any(|c| c.last() != c.first());
    let note = if !regular {
        " (irregular; first block shown)"
    } else if edges {
        " (smaller at the edges)"
    } else {
        ""
    };
    format!(
        "blocks of {block}{note}, grid {grid} = {blocks} block{}",
        if blocks == 1 { "" } else { "s" }
    )
}

/// A builtin's signature and doc, from the builtin table.
pub fn builtin_text(b: &Builtin) -> String {
    format!("{}\n{}", code(&format!("{}({})", b.name, b.params)), b.doc)
}

/// A function's header as written: `fn name(params) -> type`.
pub fn fn_header(def: &FnDef, text: &str) -> String {
    let header = text
        .get(def.span.start..def.body.span.start)
        .unwrap_or("")
        .trim();
    let header: String = header.split_whitespace().collect::<Vec<_>>().join(" ");
    if header.is_empty() {
        format!("fn {}(...)", def.name)
    } else {
        header
    }
}

/// The annotated type of the parameter named at `span`, when the span is a name that is an
/// annotated parameter of the function around it (so named dimensions show as declared).
fn declared_type(analysis: &Analysis, span: Span) -> Option<String> {
    let program = analysis.program.as_ref()?;
    let text = analysis.text.get(span.start..span.end)?;
    let name = text.split(':').next().unwrap_or(text).trim();
    let mut found = None;
    for s in &program.stmts {
        enclosing_fn(s, span.start, &mut found);
    }
    let def = found?;
    let p = def.params.iter().find(|p| p.name == name)?;
    let ty = p.ty.as_ref()?;
    analysis
        .text
        .get(ty.span.start..ty.span.end)
        .map(str::to_string)
}

/// The innermost function definition containing `offset`.
fn enclosing_fn<'a>(stmt: &'a Stmt, offset: usize, found: &mut Option<&'a FnDef>) {
    if let StmtKind::Fn(def) = &stmt.kind
        && def.span.start <= offset
        && offset <= def.span.end
    {
        *found = Some(def);
        for s in &def.body.stmts {
            enclosing_fn(s, offset, found);
        }
        return;
    }
    let mut visit = |e: &'a Expr| enclosing_fn_expr(e, offset, found);
    match &stmt.kind {
        StmtKind::Expr(e) | StmtKind::Assign(_, e) => visit(e),
        StmtKind::Return(Some(e)) => visit(e),
        StmtKind::For(_, e, body) => {
            visit(e);
            for s in &body.stmts {
                enclosing_fn(s, offset, found);
            }
        }
        _ => {}
    }
}

fn enclosing_fn_expr<'a>(e: &'a Expr, offset: usize, found: &mut Option<&'a FnDef>) {
    if !(e.span.start <= offset && offset <= e.span.end) {
        return;
    }
    match &e.kind {
        ExprKind::Lambda(def) => {
            *found = Some(def);
            for s in &def.body.stmts {
                enclosing_fn(s, offset, found);
            }
        }
        ExprKind::If(c, a, b) => {
            enclosing_fn_expr(c, offset, found);
            for s in a.stmts.iter().chain(b.iter().flat_map(|b| b.stmts.iter())) {
                enclosing_fn(s, offset, found);
            }
        }
        ExprKind::Block(b) => {
            for s in &b.stmts {
                enclosing_fn(s, offset, found);
            }
        }
        _ => {}
    }
}

/// The name under the cursor with a module prefix (`random.normal`), from the lexer's pieces.
pub fn word_at(text: &str, offset: usize) -> Option<(Span, String)> {
    let line_start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line = &text[line_start..line_end];
    let pieces = pieces::pieces(line);
    let at = offset - line_start;
    let i = pieces
        .iter()
        .position(|p| p.class == Class::Name && p.start <= at && at <= p.end)?;
    let mut name = pieces[i].text(line).to_string();
    let mut start = pieces[i].start;
    if i >= 2 && pieces[i - 1].class == Class::Dot && pieces[i - 2].class == Class::Name {
        let module = pieces[i - 2].text(line);
        if language::MODULES.contains(&module) {
            name = format!("{module}.{name}");
            start = pieces[i - 2].start;
        }
    }
    Some((
        Span::new(line_start + start, line_start + pieces[i].end),
        name,
    ))
}

fn weak_name(k: crate::language::WeakKind) -> &'static str {
    use crate::language::WeakKind;
    match k {
        WeakKind::Bool => "bool",
        WeakKind::Int => "int",
        WeakKind::Float => "float",
    }
}
