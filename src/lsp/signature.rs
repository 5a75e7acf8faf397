//! Signature help: inside a call's parentheses, the callee's signature (a builtin's from the
//! builtin table with its doc, a user function's as written) with the parameter the cursor
//! is on — by position, or by name after `keyword=`. The call is found with the lexer's
//! pieces, so it works while the text does not parse.

use super::completion::DocContext;
use crate::language;
use crate::language::complete::{self as core, Context};
use crate::language::pieces::{self as lex, Class, Piece};
use crate::value::Value;
use lsp_types::{
    Documentation, MarkupContent, MarkupKind, ParameterInformation, ParameterLabel, SignatureHelp,
    SignatureInformation,
};

/// The signature help for the cursor at the end of `before` (the text up to the cursor).
pub fn help(ctx: &mut DocContext, before: &str) -> Option<SignatureHelp> {
    let code: Vec<Piece> = lex::pieces(before)
        .into_iter()
        .filter(Piece::is_code)
        .collect();
    let open = lex::open_brackets(&code);
    let &paren = open.last()?;
    if code[paren].text(before) != "(" || paren == 0 {
        return None;
    }
    let callee_start = core::chain_start(before, &code, paren - 1)?;
    let callee = &code[callee_start..paren];
    let last = callee.last()?;
    if last.class != Class::Name {
        return None;
    }
    let name = last.text(before);
    let (value, skip) = if callee.len() == 1 {
        (ctx.lookup(name)?, 0)
    } else {
        let receiver = &before[callee[0].start..callee[callee.len() - 2].start];
        match core::kind_of(ctx, receiver) {
            core::Kind::Module(m) => (Value::Builtin(language::find(&format!("{m}.{name}"))?), 0),
            core::Kind::Other => return None,
            _ => (ctx.lookup(name)?, 1),
        }
    };
    let (label, params, doc) = match &value {
        Value::Builtin(b) => {
            let params = split_params(b.params);
            (b.name.to_string(), params, Some(b.doc.to_string()))
        }
        Value::Func(c) => {
            let text = &c.file.text;
            let params = c
                .def
                .params
                .iter()
                .map(|p| {
                    text.get(p.span.start..p.span.end)
                        .unwrap_or(&p.name)
                        .to_string()
                })
                .collect();
            (c.def.name.clone(), params, None)
        }
        _ => return None,
    };
    let mut full = format!("{label}(");
    let mut offsets = Vec::new();
    for (i, p) in params.iter().enumerate() {
        if i > 0 {
            full.push_str(", ");
        }
        let start = full.encode_utf16().count() as u32;
        full.push_str(p);
        offsets.push(start..full.encode_utf16().count() as u32);
    }
    full.push(')');
    let names: Vec<String> = params
        .iter()
        .map(|p| {
            p.split(['=', ':'])
                .next()
                .unwrap_or("")
                .trim()
                .trim_start_matches('*')
                .to_string()
        })
        .collect();
    let rest = params.iter().position(|p| p.starts_with('*'));
    let active = active_parameter(before, &code, paren, &names, skip, rest);
    let parameters = offsets
        .into_iter()
        .map(|r| ParameterInformation {
            label: ParameterLabel::LabelOffsets([r.start, r.end]),
            documentation: None,
        })
        .collect();
    Some(SignatureHelp {
        signatures: vec![SignatureInformation {
            label: full,
            documentation: doc.map(|d| {
                Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: d,
                })
            }),
            parameters: Some(parameters),
            active_parameter: Some(active),
        }],
        active_signature: Some(0),
        active_parameter: Some(active),
    })
}

/// The index of the parameter the cursor is on.
fn active_parameter(
    src: &str,
    code: &[Piece],
    paren: usize,
    names: &[String],
    skip: usize,
    rest: Option<usize>,
) -> u32 {
    let mut positional = 0;
    let mut depth = 0;
    let mut first: Option<usize> = None;
    for (i, p) in code.iter().enumerate().skip(paren + 1) {
        match p.class {
            Class::Open => depth += 1,
            Class::Close => depth -= 1,
            Class::Comma if depth == 0 => {
                positional += 1;
                first = None;
                continue;
            }
            _ => {}
        }
        if first.is_none() {
            first = Some(i);
        }
    }
    // `name=` at the start of the current argument selects by name.
    if let Some(f) = first
        && code[f].class == Class::Name
        && code.get(f + 1).is_some_and(|n| n.class == Class::Assign)
        && let Some(i) = names.iter().position(|n| n == code[f].text(src))
    {
        return i as u32;
    }
    let i = (positional + skip).min(names.len().saturating_sub(1));
    i.min(rest.unwrap_or(usize::MAX)) as u32
}

/// A builtin's parameter text split at top-level commas: `x, axis=none` → `x`, `axis=none`.
pub fn split_params(params: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut in_str = false;
    let mut current = String::new();
    for c in params.chars() {
        match c {
            '"' => in_str = !in_str,
            '(' | '[' if !in_str => depth += 1,
            ')' | ']' if !in_str => depth -= 1,
            ',' if !in_str && depth == 0 => {
                out.push(current.trim().to_string());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_string());
    }
    out
}
