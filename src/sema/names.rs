//! Name resolution over the whole program, before anything runs: every name used anywhere
//! (in functions never called, in branches never taken) must be bound somewhere in scope:
//! a parameter, a binding of its function or of an enclosing one, a top-level binding, an
//! imported file's top-level binding, or a builtin. Scoping follows Python: a name bound
//! anywhere in a function body is local to it; `if` and `for` open no scope.

use crate::syntax::ast::*;
use crate::syntax::diag::Diagnostic;
use std::collections::HashSet;
use std::path::Path;

/// Checks every name reference of `program`. `is_global` answers for builtins, prelude and
/// session bindings; `global_names` lists the builtin names for suggestions; `dir` is where
/// `import` paths are resolved from.
pub fn check(
    program: &Program,
    is_global: &dyn Fn(&str) -> bool,
    global_names: &[String],
    dir: &Path,
) -> Result<(), Box<Diagnostic>> {
    let mut top = HashSet::new();
    bound_in_stmts(&program.stmts, &mut top);
    imported_names(&program.stmts, dir, &mut top, &mut HashSet::new());
    let mut resolver = Resolver {
        scopes: vec![top],
        is_global,
        global_names,
    };
    for s in &program.stmts {
        resolver.stmt(s)?;
    }
    Ok(())
}

fn imported_names(
    stmts: &[Stmt],
    dir: &Path,
    out: &mut HashSet<String>,
    seen: &mut HashSet<std::path::PathBuf>,
) {
    for s in stmts {
        if let StmtKind::Import(path) = &s.kind {
            let full = dir.join(path);
            let Ok(canonical) = full.canonicalize() else {
                continue;
            };
            if !seen.insert(canonical.clone()) {
                continue;
            }
            let Ok(text) = crate::syntax::source::read_source(&canonical) else {
                continue;
            };
            let Ok(program) = crate::syntax::parse_program(&text) else {
                continue;
            };
            bound_in_stmts(&program.stmts, out);
            let sub_dir = canonical
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            imported_names(&program.stmts, &sub_dir, out, seen);
        }
    }
}

/// Names bound by statements at this level (not inside nested function bodies).
fn bound_in_stmts(stmts: &[Stmt], out: &mut HashSet<String>) {
    for s in stmts {
        match &s.kind {
            StmtKind::Assign(names, e) => {
                out.extend(names.iter().map(|(n, _)| n.clone()));
                bound_in_expr(e, out);
            }
            StmtKind::Fn(def) => {
                out.insert(def.name.clone());
            }
            StmtKind::For(names, iter, body) => {
                out.extend(names.iter().map(|(n, _)| n.clone()));
                bound_in_expr(iter, out);
                bound_in_stmts(&body.stmts, out);
            }
            StmtKind::Expr(e) | StmtKind::Return(Some(e)) => bound_in_expr(e, out),
            StmtKind::Return(None) | StmtKind::Import(_) => {}
        }
    }
}

fn bound_in_expr(e: &Expr, out: &mut HashSet<String>) {
    match &e.kind {
        ExprKind::If(c, t, f) => {
            bound_in_expr(c, out);
            bound_in_stmts(&t.stmts, out);
            if let Some(f) = f {
                bound_in_stmts(&f.stmts, out);
            }
        }
        ExprKind::Block(b) => bound_in_stmts(&b.stmts, out),
        ExprKind::ListComp {
            elt,
            targets,
            iter,
            cond,
        } => {
            out.extend(targets.iter().map(|(n, _)| n.clone()));
            bound_in_expr(elt, out);
            bound_in_expr(iter, out);
            if let Some(c) = cond {
                bound_in_expr(c, out);
            }
        }
        ExprKind::Binary(_, a, b) | ExprKind::Logic(_, a, b) => {
            bound_in_expr(a, out);
            bound_in_expr(b, out);
        }
        ExprKind::Unary(_, a) | ExprKind::Attr(a, _, _) => bound_in_expr(a, out),
        ExprKind::List(items) | ExprKind::Tuple(items) => {
            items.iter().for_each(|i| bound_in_expr(i, out))
        }
        ExprKind::Call(f, args) => {
            bound_in_expr(f, out);
            args.iter().for_each(|a| bound_in_expr(&a.value, out));
        }
        ExprKind::Index(x, items) => {
            bound_in_expr(x, out);
            for item in items {
                match item {
                    IndexItem::Expr(e) => bound_in_expr(e, out),
                    IndexItem::Slice {
                        start, stop, step, ..
                    } => {
                        for e in [start, stop, step].into_iter().flatten() {
                            bound_in_expr(e, out);
                        }
                    }
                    IndexItem::Ellipsis(_) => {}
                }
            }
        }
        _ => {}
    }
}

struct Resolver<'a> {
    scopes: Vec<HashSet<String>>,
    is_global: &'a dyn Fn(&str) -> bool,
    /// Every builtin, constant, module and dtype name (for suggestions).
    global_names: &'a [String],
}

impl Resolver<'_> {
    fn known(&self, name: &str) -> bool {
        self.scopes.iter().any(|s| s.contains(name)) || (self.is_global)(name)
    }

    fn function(&mut self, def: &FnDef) -> Result<(), Box<Diagnostic>> {
        for p in &def.params {
            if let Some(d) = &p.default {
                self.expr(d)?;
            }
        }
        let mut locals: HashSet<String> = def.params.iter().map(|p| p.name.clone()).collect();
        bound_in_stmts(&def.body.stmts, &mut locals);
        self.scopes.push(locals);
        let result = def.body.stmts.iter().try_for_each(|s| self.stmt(s));
        self.scopes.pop();
        result
    }

    fn stmt(&mut self, s: &Stmt) -> Result<(), Box<Diagnostic>> {
        match &s.kind {
            StmtKind::Expr(e) | StmtKind::Assign(_, e) | StmtKind::Return(Some(e)) => self.expr(e),
            StmtKind::Fn(def) => self.function(def),
            StmtKind::For(_, iter, body) => {
                self.expr(iter)?;
                body.stmts.iter().try_for_each(|s| self.stmt(s))
            }
            StmtKind::Return(None) | StmtKind::Import(_) => Ok(()),
        }
    }

    fn expr(&mut self, e: &Expr) -> Result<(), Box<Diagnostic>> {
        match &e.kind {
            ExprKind::Name(n) => {
                if self.known(n) {
                    return Ok(());
                }
                let mut candidates: Vec<String> = self.scopes.iter().flatten().cloned().collect();
                candidates.extend(self.global_names.iter().cloned());
                let mut d = Diagnostic::error(format!("unknown name `{n}`"), e.span)
                    .with_label("not defined");
                if let Some(s) = suggest(n, &candidates) {
                    d = d.with_note(format!("did you mean `{s}`?"));
                }
                Err(Box::new(d))
            }
            ExprKind::Lambda(def) => self.function(def),
            ExprKind::If(c, t, f) => {
                self.expr(c)?;
                t.stmts.iter().try_for_each(|s| self.stmt(s))?;
                if let Some(f) = f {
                    f.stmts.iter().try_for_each(|s| self.stmt(s))?;
                }
                Ok(())
            }
            ExprKind::Block(b) => b.stmts.iter().try_for_each(|s| self.stmt(s)),
            ExprKind::ListComp {
                elt, iter, cond, ..
            } => {
                self.expr(iter)?;
                if let Some(c) = cond {
                    self.expr(c)?;
                }
                self.expr(elt)
            }
            ExprKind::Binary(_, a, b) | ExprKind::Logic(_, a, b) => {
                self.expr(a)?;
                self.expr(b)
            }
            ExprKind::Unary(_, a) | ExprKind::Attr(a, _, _) => self.expr(a),
            ExprKind::List(items) | ExprKind::Tuple(items) => {
                items.iter().try_for_each(|i| self.expr(i))
            }
            ExprKind::Call(f, args) => {
                self.expr(f)?;
                args.iter().try_for_each(|a| self.expr(&a.value))
            }
            ExprKind::Index(x, items) => {
                self.expr(x)?;
                for item in items {
                    match item {
                        IndexItem::Expr(e) => self.expr(e)?,
                        IndexItem::Slice {
                            start, stop, step, ..
                        } => {
                            for e in [start, stop, step].into_iter().flatten() {
                                self.expr(e)?;
                            }
                        }
                        IndexItem::Ellipsis(_) => {}
                    }
                }
                Ok(())
            }
            ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Str(_) | ExprKind::Bool(_) => Ok(()),
        }
    }
}

/// The closest known name, if one is close enough.
pub fn suggest(name: &str, candidates: &[String]) -> Option<String> {
    let mut best: Option<(usize, &String)> = None;
    for c in candidates {
        let d = edit_distance(name, c);
        if d <= (name.len() / 3).max(1) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.clone())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut before: Vec<usize> = prev.clone();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = if a[i - 1] == b[j - 1] { 0 } else { 1 };
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            // A swap of two neighbours counts as one edit.
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(before[j - 2] + 1);
            }
        }
        before = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}
