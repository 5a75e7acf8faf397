//! Names in a document: every binding (assignment, `for` and comprehension targets,
//! functions, parameters) and every use, each in the scope it belongs to (the top level, or
//! a function or lambda body — `if` and `for` open none, as in Python). From that index come
//! go to definition (into imported files too), references, document symbols and rename of a
//! name bound in the document.

use super::analysis::Analysis;
use super::documents::{self, Encoding};
use crate::language::ast::{
    Block, Expr, ExprKind, FnDef, IndexItem, Program, Span, Stmt, StmtKind,
};
use lsp_types::{DocumentSymbol, Location, SymbolKind, TextEdit, Uri};
use std::collections::HashMap;
use std::path::Path;

/// What kind of binding an occurrence is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binding {
    /// `name = ...` or a destructuring target.
    Var,
    /// `fn name(...)`.
    Fn,
    /// A function or lambda parameter.
    Param,
    /// A `for` or comprehension target.
    Loop,
}

/// One occurrence of a name.
#[derive(Clone, Debug)]
pub struct Occurrence {
    /// The name.
    pub name: String,
    /// Where the name is written.
    pub span: Span,
    /// The scope it is written in.
    pub scope: usize,
    /// `Some` when this occurrence binds the name.
    pub binding: Option<Binding>,
}

/// One scope: the top level (index 0) or a function or lambda body.
#[derive(Clone, Debug)]
pub struct Scope {
    /// The enclosing scope.
    pub parent: Option<usize>,
    /// The definition's span (the whole text for the top level).
    pub span: Span,
    /// The function's name (`<lambda>` for lambdas, empty for the top level).
    pub name: String,
}

/// Every scope and occurrence of a program.
#[derive(Debug, Default)]
pub struct Index {
    /// Scopes; 0 is the top level.
    pub scopes: Vec<Scope>,
    /// Occurrences in source order of the walk.
    pub occurrences: Vec<Occurrence>,
}

impl Index {
    /// The index of a program whose text is `text`.
    pub fn new(program: &Program, text: &str) -> Index {
        let mut index = Index {
            scopes: vec![Scope {
                parent: None,
                span: Span::new(0, text.len()),
                name: String::new(),
            }],
            occurrences: Vec::new(),
        };
        for s in &program.stmts {
            index.stmt(s, 0, text);
        }
        index
    }

    fn add(&mut self, name: &str, span: Span, scope: usize, binding: Option<Binding>) {
        self.occurrences.push(Occurrence {
            name: name.to_string(),
            span,
            scope,
            binding,
        });
    }

    fn block(&mut self, b: &Block, scope: usize, text: &str) {
        for s in &b.stmts {
            self.stmt(s, scope, text);
        }
    }

    fn function(&mut self, def: &FnDef, scope: usize, text: &str) -> usize {
        for p in &def.params {
            if let Some(d) = &p.default {
                self.expr(d, scope, text);
            }
        }
        let inner = self.scopes.len();
        self.scopes.push(Scope {
            parent: Some(scope),
            span: def.span,
            name: def.name.clone(),
        });
        for p in &def.params {
            let span = Span::new(p.span.start, p.span.start + p.name.len());
            self.add(&p.name, span, inner, Some(Binding::Param));
        }
        self.block(&def.body, inner, text);
        inner
    }

    fn stmt(&mut self, s: &Stmt, scope: usize, text: &str) {
        match &s.kind {
            StmtKind::Expr(e) => self.expr(e, scope, text),
            StmtKind::Assign(names, e) => {
                self.expr(e, scope, text);
                for (n, span) in names {
                    self.add(n, *span, scope, Some(Binding::Var));
                }
            }
            StmtKind::Fn(def) => {
                self.add(&def.name, fn_name_span(def, text), scope, Some(Binding::Fn));
                self.function(def, scope, text);
            }
            StmtKind::Return(e) => {
                if let Some(e) = e {
                    self.expr(e, scope, text);
                }
            }
            StmtKind::For(names, e, body) => {
                self.expr(e, scope, text);
                for (n, span) in names {
                    self.add(n, *span, scope, Some(Binding::Loop));
                }
                self.block(body, scope, text);
            }
            StmtKind::Import(_) => {}
        }
    }

    fn expr(&mut self, e: &Expr, scope: usize, text: &str) {
        match &e.kind {
            ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Str(_) | ExprKind::Bool(_) => {}
            ExprKind::Name(n) => self.add(n, e.span, scope, None),
            ExprKind::List(items) | ExprKind::Tuple(items) => {
                for i in items {
                    self.expr(i, scope, text);
                }
            }
            ExprKind::ListComp {
                elt,
                targets,
                iter,
                cond,
            } => {
                self.expr(iter, scope, text);
                for (n, span) in targets {
                    self.add(n, *span, scope, Some(Binding::Loop));
                }
                if let Some(c) = cond {
                    self.expr(c, scope, text);
                }
                self.expr(elt, scope, text);
            }
            ExprKind::Binary(_, a, b) | ExprKind::Logic(_, a, b) => {
                self.expr(a, scope, text);
                self.expr(b, scope, text);
            }
            ExprKind::Unary(_, a) | ExprKind::Attr(a, _, _) => self.expr(a, scope, text),
            ExprKind::Call(f, args) => {
                self.expr(f, scope, text);
                for a in args {
                    self.expr(&a.value, scope, text);
                }
            }
            ExprKind::Index(x, items) => {
                self.expr(x, scope, text);
                for item in items {
                    match item {
                        IndexItem::Expr(e) => self.expr(e, scope, text),
                        IndexItem::Slice {
                            start, stop, step, ..
                        } => {
                            for e in [start, stop, step].into_iter().flatten() {
                                self.expr(e, scope, text);
                            }
                        }
                        IndexItem::Ellipsis(_) => {}
                    }
                }
            }
            ExprKind::Lambda(def) => {
                self.function(def, scope, text);
            }
            ExprKind::If(c, a, b) => {
                self.expr(c, scope, text);
                self.block(a, scope, text);
                if let Some(b) = b {
                    self.block(b, scope, text);
                }
            }
            ExprKind::Block(b) => self.block(b, scope, text),
        }
    }

    /// The occurrence at byte `offset` (ends inclusive).
    pub fn at(&self, offset: usize) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .filter(|o| o.span.start <= offset && offset <= o.span.end)
            .min_by_key(|o| o.span.end - o.span.start)
    }

    /// The scope in which `name`, written in `scope`, is bound in this document.
    pub fn resolve(&self, name: &str, scope: usize) -> Option<usize> {
        let mut s = Some(scope);
        while let Some(i) = s {
            if self
                .occurrences
                .iter()
                .any(|o| o.scope == i && o.binding.is_some() && o.name == name)
            {
                return Some(i);
            }
            s = self.scopes.get(i).and_then(|sc| sc.parent);
        }
        None
    }

    /// The binding an occurrence refers to: in its resolved scope, the last binding written
    /// before it, else the first one.
    pub fn definition<'a>(&'a self, occ: &'a Occurrence) -> Option<&'a Occurrence> {
        if occ.binding.is_some() {
            return Some(occ);
        }
        let scope = self.resolve(&occ.name, occ.scope)?;
        let bindings: Vec<&Occurrence> = self
            .occurrences
            .iter()
            .filter(|o| o.scope == scope && o.binding.is_some() && o.name == occ.name)
            .collect();
        bindings
            .iter()
            .filter(|o| o.span.start <= occ.span.start)
            .max_by_key(|o| o.span.start)
            .or_else(|| bindings.iter().min_by_key(|o| o.span.start))
            .copied()
    }

    /// Every occurrence of the same variable as `occ` (bindings and uses resolving to the
    /// same scope), sorted by position.
    pub fn references(&self, occ: &Occurrence) -> Vec<&Occurrence> {
        let Some(scope) = self.resolve(&occ.name, occ.scope) else {
            return Vec::new();
        };
        let mut out: Vec<&Occurrence> = self
            .occurrences
            .iter()
            .filter(|o| o.name == occ.name && self.resolve(&o.name, o.scope) == Some(scope))
            .collect();
        out.sort_by_key(|o| o.span.start);
        out.dedup_by_key(|o| o.span);
        out
    }
}

/// The span of a function definition's name (`fn` then whitespace then the name).
fn fn_name_span(def: &FnDef, text: &str) -> Span {
    let head = text.get(def.span.start..def.span.end).unwrap_or("");
    let after_fn = head.strip_prefix("fn").unwrap_or(head);
    let skipped = head.len() - after_fn.trim_start().len();
    let start = def.span.start + skipped;
    if text.get(start..start + def.name.len()) == Some(def.name.as_str()) {
        Span::new(start, start + def.name.len())
    } else {
        Span::new(def.span.start, def.span.start)
    }
}

/// Go to definition: a name bound in the document, or a top-level name of an imported file,
/// or the file an `import` statement names.
pub fn definition(analysis: &Analysis, offset: usize, enc: Encoding) -> Option<Location> {
    let program = analysis.program.as_ref()?;
    let text = &analysis.text;
    let here = documents::uri_of(&analysis.path)?;
    let dir = Path::new(&analysis.path)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    for s in &program.stmts {
        if let StmtKind::Import(p) = &s.kind
            && s.span.start <= offset
            && offset <= s.span.end
        {
            let target = dir.join(p);
            return Some(Location {
                uri: documents::uri_of(&target.to_string_lossy())?,
                range: lsp_types::Range::default(),
            });
        }
    }
    let index = Index::new(program, text);
    let occ = index.at(offset)?;
    if let Some(def) = index.definition(occ) {
        return Some(Location {
            uri: here,
            range: documents::range(text, def.span.start, def.span.end, enc),
        });
    }
    // Not bound here: the last import that binds it at its top level.
    let mut found = None;
    for s in &program.stmts {
        if let StmtKind::Import(p) = &s.kind {
            let path = dir.join(p);
            let Ok(other) = std::fs::read_to_string(&path) else {
                continue;
            };
            let Ok(parsed) = crate::language::parse_program(&other) else {
                continue;
            };
            let idx = Index::new(&parsed, &other);
            if let Some(b) = idx
                .occurrences
                .iter()
                .find(|o| o.scope == 0 && o.binding.is_some() && o.name == occ.name)
            {
                found = Some(Location {
                    uri: documents::uri_of(&path.to_string_lossy())?,
                    range: documents::range(&other, b.span.start, b.span.end, enc),
                });
            }
        }
    }
    found
}

/// Every occurrence of the variable at `offset`, as locations.
pub fn references(analysis: &Analysis, offset: usize, enc: Encoding) -> Vec<Location> {
    let (Some(program), Some(uri)) = (&analysis.program, documents::uri_of(&analysis.path)) else {
        return Vec::new();
    };
    let index = Index::new(program, &analysis.text);
    let Some(occ) = index.at(offset) else {
        return Vec::new();
    };
    index
        .references(occ)
        .into_iter()
        .map(|o| Location {
            uri: uri.clone(),
            range: documents::range(&analysis.text, o.span.start, o.span.end, enc),
        })
        .collect()
}

/// Why a rename cannot be done, or the span of the name to rename.
pub fn prepare_rename(analysis: &Analysis, offset: usize) -> Result<Span, String> {
    let program = analysis
        .program
        .as_ref()
        .ok_or("the document does not parse; fix it first")?;
    let index = Index::new(program, &analysis.text);
    let occ = index.at(offset).ok_or("no name here")?;
    if index.resolve(&occ.name, occ.scope).is_none() {
        return Err(format!(
            "`{}` is not bound in this file (a builtin, prelude or imported name)",
            occ.name
        ));
    }
    Ok(occ.span)
}

/// The edits renaming the variable at `offset` to `new_name` in this document.
pub fn rename(
    analysis: &Analysis,
    offset: usize,
    new_name: &str,
    enc: Encoding,
) -> Result<HashMap<Uri, Vec<TextEdit>>, String> {
    let valid = new_name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && new_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !crate::language::KEYWORDS.contains(&new_name);
    if !valid {
        return Err(format!("`{new_name}` is not a name"));
    }
    prepare_rename(analysis, offset)?;
    let program = analysis
        .program
        .as_ref()
        .ok_or("the document does not parse")?;
    let index = Index::new(program, &analysis.text);
    let occ = index.at(offset).ok_or("no name here")?;
    let edits = index
        .references(occ)
        .into_iter()
        .map(|o| TextEdit {
            range: documents::range(&analysis.text, o.span.start, o.span.end, enc),
            new_text: new_name.to_string(),
        })
        .collect();
    let uri = documents::uri_of(&analysis.path).ok_or("the document has no file path")?;
    Ok(HashMap::from([(uri, edits)]))
}

/// Makes an outline entry: a binding, the range it covers, its children.
type MakeSymbol<'a> = dyn Fn(&Occurrence, Span, Option<Vec<DocumentSymbol>>) -> DocumentSymbol + 'a;

/// The document's outline: functions (with their parameters and local names) and top-level
/// variables, each once per scope, with its type from the check as detail.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written out.
pub fn document_symbols(analysis: &Analysis, enc: Encoding) -> Vec<DocumentSymbol> {
    let Some(program) = &analysis.program else {
        return Vec::new();
    };
    let text = &analysis.text;
    let index = Index::new(program, text);
    let symbol = |o: &Occurrence, range: Span, children: Option<Vec<DocumentSymbol>>| {
        let detail = analysis.checked.at(o.span).first().map(|v| v.type_name());
        DocumentSymbol {
            name: o.name.clone(),
            detail,
            kind: match o.binding {
                Some(Binding::Fn) => SymbolKind::FUNCTION,
                _ => SymbolKind::VARIABLE,
            },
            tags: None,
            deprecated: None,
            range: documents::range(text, range.start, range.end, enc),
            selection_range: documents::range(text, o.span.start, o.span.end, enc),
            children,
        }
    };
    // Scope of each function body by its definition's span.
    let body_of = |span: Span| {
        index
            .scopes
            .iter()
            .position(|s| s.span == span && s.parent.is_some())
    };
    fn collect(
        index: &Index,
        scope: usize,
        make: &dyn Fn(&Occurrence, usize) -> DocumentSymbol,
    ) -> Vec<DocumentSymbol> {
        let mut seen: Vec<&str> = Vec::new();
        let mut out = Vec::new();
        for (i, o) in index.occurrences.iter().enumerate() {
            if o.scope == scope && o.binding.is_some() && !seen.contains(&o.name.as_str()) {
                seen.push(&o.name);
                out.push(make(o, i));
            }
        }
        out
    }
    fn make_rec(
        index: &Index,
        o: &Occurrence,
        i: usize,
        fn_spans: &dyn Fn(usize) -> Option<(Span, usize)>,
        symbol: &MakeSymbol,
    ) -> DocumentSymbol {
        match (o.binding, fn_spans(i)) {
            (Some(Binding::Fn), Some((span, body))) => {
                let children =
                    collect(index, body, &|c, j| make_rec(index, c, j, fn_spans, symbol));
                symbol(o, span, Some(children))
            }
            _ => symbol(o, o.span, None),
        }
    }
    // A `Fn` binding is followed by its scope; map occurrence index → (definition span, body).
    let fn_spans = |i: usize| -> Option<(Span, usize)> {
        let o = &index.occurrences[i];
        let def = program_fn(program, o)?;
        Some((def, body_of(def)?))
    };
    collect(&index, 0, &|o, i| {
        make_rec(&index, o, i, &fn_spans, &symbol)
    })
}

/// The span of the definition of the function bound at occurrence `o`.
fn program_fn(program: &Program, o: &Occurrence) -> Option<Span> {
    fn find(stmts: &[Stmt], o: &Occurrence) -> Option<Span> {
        for s in stmts {
            if let StmtKind::Fn(def) = &s.kind {
                if def.name == o.name
                    && def.span.start <= o.span.start
                    && o.span.end <= def.span.end
                {
                    return Some(def.span);
                }
                if let Some(f) = find(&def.body.stmts, o) {
                    return Some(f);
                }
            }
            if let StmtKind::For(_, _, body) = &s.kind
                && let Some(f) = find(&body.stmts, o)
            {
                return Some(f);
            }
        }
        None
    }
    find(&program.stmts, o)
}
