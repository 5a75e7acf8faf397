//! Completion: the REPL's language-level logic (`language::complete`: names in scope, builtins,
//! `random.`/`linalg.` members, methods valid for `x.`'s type, keyword arguments) against the
//! document's bindings — the top-level scope of the last analysis that parsed — with each
//! item's signature or type as detail and a builtin's doc as documentation.

use super::analysis::Analysis;
use super::documents::{self, Encoding};
use crate::language;
use crate::language::ast::StmtKind;
use crate::language::complete::{self as core, Context, Found, Kind};
use crate::value::{Scope, Value};
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, MarkupContent,
    MarkupKind, TextEdit,
};

/// The document's bindings as completion's context.
pub struct DocContext<'a> {
    /// The bindings (the last good analysis's top-level scope).
    pub scope: Option<Scope>,
    /// Names the last parsed program binds at top level (some the check may not have reached).
    pub declared: Vec<String>,
    /// The session, for checking receiver expressions.
    pub session: &'a mut crate::Session,
}

impl<'a> DocContext<'a> {
    /// The context of `good` (the last analysis that parsed), if any.
    pub fn new(good: Option<&Analysis>, session: &'a mut crate::Session) -> DocContext<'a> {
        let mut declared = Vec::new();
        if let Some(p) = good.and_then(|a| a.program.as_ref()) {
            for s in &p.stmts {
                match &s.kind {
                    StmtKind::Assign(names, _) | StmtKind::For(names, _, _) => {
                        declared.extend(names.iter().map(|(n, _)| n.clone()));
                    }
                    StmtKind::Fn(def) => declared.push(def.name.clone()),
                    _ => {}
                }
            }
        }
        DocContext {
            scope: good.and_then(|a| a.scope.clone()),
            declared,
            session,
        }
    }
}

impl Context for DocContext<'_> {
    fn lookup(&self, name: &str) -> Option<Value> {
        let mut scope = self.scope.clone();
        while let Some(s) = scope {
            if let Some(v) = s.borrow().vars.get(name) {
                return Some(v.clone());
            }
            scope = s.borrow().parent.clone();
        }
        self.session.lookup(name)
    }

    fn names(&self) -> Vec<String> {
        let mut out = self.declared.clone();
        if let Some(s) = &self.scope {
            out.extend(s.borrow().vars.keys().cloned());
        }
        out
    }

    fn kind_of_expr(&mut self, expr: &str) -> Kind {
        let Some(scope) = &self.scope else {
            return Kind::Other;
        };
        // Check mode: nothing is computed; a scope of its own keeps the document's intact.
        self.session
            .check_value_in(scope, expr)
            .map_or(Kind::Other, |v| core::kind_of_value(&v))
    }
}

/// The completion items for the text `text` with the cursor at byte `offset`.
pub fn complete(
    ctx: &mut DocContext,
    text: &str,
    offset: usize,
    enc: Encoding,
) -> Vec<CompletionItem> {
    let offset = offset.min(text.len());
    let Some(before) = text.get(..offset) else {
        return Vec::new();
    };
    let (start, found) = core::complete_code(ctx, before);
    let Found::Words(words) = found else {
        return Vec::new();
    };
    let range = documents::range(text, start, offset, enc);
    let receiver_is_module =
        before[..start].ends_with("random.") || before[..start].ends_with("linalg.");
    let module = if receiver_is_module {
        before[..start.saturating_sub(1)]
            .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()
            .map(str::to_string)
    } else {
        None
    };
    words
        .into_iter()
        .enumerate()
        .map(|(i, word)| {
            let mut item = describe(ctx, &word, module.as_deref());
            item.sort_text = Some(format!("{i:05}"));
            item.text_edit = Some(CompletionTextEdit::Edit(TextEdit {
                range,
                new_text: word.clone(),
            }));
            item.label = word;
            item
        })
        .collect()
}

/// An item for one candidate word: its kind, detail (signature or type) and doc.
fn describe(ctx: &DocContext, word: &str, module: Option<&str>) -> CompletionItem {
    let mut item = CompletionItem {
        label: word.to_string(),
        ..CompletionItem::default()
    };
    if let Some(kw) = word.strip_suffix('=') {
        item.kind = Some(CompletionItemKind::FIELD);
        item.detail = Some(format!("keyword argument `{kw}`"));
        return item;
    }
    if crate::language::KEYWORDS.contains(&word) {
        item.kind = Some(CompletionItemKind::KEYWORD);
        return item;
    }
    if language::ATTRIBUTES.contains(&word) && module.is_none() && ctx.lookup(word).is_none() {
        item.kind = Some(CompletionItemKind::PROPERTY);
        item.detail = Some("array attribute".into());
        return item;
    }
    let full = match module {
        Some(m) => format!("{m}.{word}"),
        None => word.to_string(),
    };
    let value = match module {
        Some(_) => language::find(&full).map(Value::Builtin),
        None => ctx.lookup(word),
    };
    match value {
        Some(Value::Builtin(b)) => {
            item.kind = Some(CompletionItemKind::FUNCTION);
            item.detail = Some(format!("{}({})", b.name, b.params));
            item.documentation = Some(Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: b.doc.to_string(),
            }));
        }
        Some(Value::Func(c)) => {
            item.kind = Some(CompletionItemKind::FUNCTION);
            item.detail = Some(super::hover::fn_header(&c.def, &c.file.text));
        }
        Some(Value::Module(_)) => item.kind = Some(CompletionItemKind::MODULE),
        Some(Value::DType(_)) => item.kind = Some(CompletionItemKind::TYPE_PARAMETER),
        Some(v) => {
            item.kind = Some(CompletionItemKind::VARIABLE);
            item.detail = Some(match &v {
                Value::Unknown(_) => "known when computed".into(),
                other => other.type_name(),
            });
        }
        None => item.kind = Some(CompletionItemKind::VARIABLE),
    }
    item
}
