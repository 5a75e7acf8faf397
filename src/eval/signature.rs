//! Calling conventions: binding positional and keyword arguments to parameters (with arity and
//! keyword errors), and checking annotated parameter types, named dimensions and results.

use crate::builtins::Builtin;
use crate::eval::{Evaluator, Flow, R, err, err_label};
use crate::sema::dtype::{DType, WeakKind};
use crate::syntax::ast::{DimExpr, Span, TypeExpr};
use crate::syntax::diag::Diagnostic;
use crate::value::{Closure, Num, Value};
use std::collections::HashMap;
use std::rc::Rc;

/// An argument as written: optional keyword, value, span of the value.
pub type RawArg = (Option<(String, Span)>, Value, Span);

/// A bound argument: value and its span.
#[derive(Clone, Debug)]
pub struct BoundArg {
    /// The value.
    pub value: Value,
    /// Where it was written.
    pub span: Span,
}

/// Parses a builtin's parameter list text (`"x, axis=none, *, keepdims=false"`) into
/// (name, required) pairs. A parameter after `*` is keyword-only.
pub fn parse_params(text: &str) -> Vec<(String, bool, bool)> {
    let mut out = Vec::new();
    let mut kw_only = false;
    for p in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if p == "*" {
            kw_only = true;
            continue;
        }
        if p.starts_with("*") {
            out.push((p.to_string(), false, false));
            continue;
        }
        let (name, required) = match p.split_once('=') {
            Some((n, _)) => (n.trim().to_string(), false),
            None => (p.to_string(), true),
        };
        out.push((name, required, kw_only));
    }
    out
}

/// Binds arguments to a builtin's parameters. A parameter named `*rest` collects extra
/// positional arguments as a list.
pub fn bind(
    b: &'static Builtin,
    args: Vec<RawArg>,
    span: Span,
) -> R<Vec<(String, Option<BoundArg>)>> {
    let params = parse_params(b.params);
    let mut slots: Vec<(String, Option<BoundArg>)> = params
        .iter()
        .map(|(n, _, _)| (n.trim_start_matches('*').to_string(), None))
        .collect();
    let rest_idx = params.iter().position(|(n, _, _)| n.starts_with('*'));
    let mut rest: Vec<Value> = Vec::new();
    let mut rest_span = span;
    let mut pos = 0;
    for (kw, value, vspan) in args {
        match kw {
            None => {
                while pos < params.len() && params[pos].2 {
                    pos += 1;
                }
                if let Some(ri) = rest_idx
                    && pos >= ri
                {
                    rest.push(value);
                    rest_span = vspan;
                    continue;
                }
                if pos >= params.len() || params[pos].2 {
                    let n_pos = params.iter().filter(|p| !p.2).count();
                    return err_label(
                        format!(
                            "`{}` takes at most {} positional argument{}",
                            b.name,
                            n_pos,
                            if n_pos == 1 { "" } else { "s" }
                        ),
                        vspan,
                        "unexpected argument",
                    )
                    .map_err(|e| with_signature(e, b));
                }
                slots[pos].1 = Some(BoundArg { value, span: vspan });
                pos += 1;
            }
            Some((name, kspan)) => {
                let Some(i) = slots.iter().position(|(n, _)| *n == name) else {
                    return err_label(
                        format!("`{}` has no parameter `{name}`", b.name),
                        kspan,
                        "unknown keyword",
                    )
                    .map_err(|e| with_signature(e, b));
                };
                if slots[i].1.is_some() {
                    return err(
                        format!("`{name}` is given twice in the call to `{}`", b.name),
                        kspan,
                    );
                }
                slots[i].1 = Some(BoundArg { value, span: vspan });
            }
        }
    }
    if let Some(ri) = rest_idx {
        slots[ri].1 = Some(BoundArg {
            value: Value::List(Rc::new(rest)),
            span: rest_span,
        });
    }
    for ((name, required, _), (_, slot)) in params.iter().zip(&slots) {
        if *required && slot.is_none() {
            return err_label(
                format!("`{}` is missing the argument `{name}`", b.name),
                span,
                "in this call",
            )
            .map_err(|e| with_signature(e, b));
        }
    }
    Ok(slots)
}

fn with_signature(e: Flow, b: &Builtin) -> Flow {
    match e {
        Flow::Error(d) => Flow::Error(Box::new(
            d.with_note(format!("signature: {}({})", b.name, b.params)),
        )),
        other => other,
    }
}

/// Binds arguments to a user function's parameters, evaluating defaults in its scope.
pub fn bind_user(
    interp: &mut Evaluator,
    c: &Rc<Closure>,
    args: Vec<RawArg>,
    span: Span,
) -> R<Vec<(String, Value)>> {
    let params = &c.def.params;
    let mut slots: Vec<Option<Value>> = vec![None; params.len()];
    let mut pos = 0;
    let n_positional = args.iter().filter(|a| a.0.is_none()).count();
    for (kw, value, vspan) in args {
        match kw {
            None => {
                if pos >= params.len() {
                    return err_label(
                        format!(
                            "`{}` takes {} argument{} but {} were given",
                            c.def.name,
                            params.len(),
                            if params.len() == 1 { "" } else { "s" },
                            n_positional
                        ),
                        vspan,
                        "unexpected argument",
                    );
                }
                slots[pos] = Some(value);
                pos += 1;
            }
            Some((name, kspan)) => {
                let Some(i) = params.iter().position(|p| p.name == name) else {
                    return err_label(
                        format!("`{}` has no parameter `{name}`", c.def.name),
                        kspan,
                        "unknown keyword",
                    );
                };
                if slots[i].is_some() {
                    return err(
                        format!("`{name}` is given twice in the call to `{}`", c.def.name),
                        kspan,
                    );
                }
                slots[i] = Some(value);
            }
        }
    }
    let mut out = Vec::with_capacity(params.len());
    for (p, slot) in params.iter().zip(slots) {
        let v = match slot {
            Some(v) => v,
            None => match &p.default {
                Some(d) => {
                    let saved = std::mem::replace(&mut interp.scope, c.scope.clone());
                    let r = interp.eval(d);
                    interp.scope = saved;
                    r?
                }
                None => {
                    return err_label(
                        format!("`{}` is missing the argument `{}`", c.def.name, p.name),
                        span,
                        "in this call",
                    );
                }
            },
        };
        out.push((p.name.clone(), v));
    }
    Ok(out)
}

/// Sizes bound to named dimensions in one call, with the parameter that bound each.
pub type DimBindings = HashMap<String, (usize, String)>;

/// Checks annotated parameters; returns the named-dimension bindings.
pub fn check_params(c: &Rc<Closure>, bound: &[(String, Value)], span: Span) -> R<DimBindings> {
    let mut dims = DimBindings::new();
    for (p, (_, v)) in c.def.params.iter().zip(bound) {
        if let Some(ty) = &p.ty {
            check_type(ty, v, &p.name, &mut dims, span, &c.def.name)?;
        }
    }
    Ok(dims)
}

/// Converts weak literals passed to float-typed parameters into floats (`f(2)` with
/// `x: f64` binds `2.0`).
pub fn coerce_params(c: &Rc<Closure>, bound: &mut [(String, Value)]) {
    for (p, (_, v)) in c.def.params.iter().zip(bound.iter_mut()) {
        let Some(ty) = &p.ty else { continue };
        if let (Some(d), Value::Num(n)) = (DType::from_name(&ty.name), &*v)
            && d.is_float()
        {
            *v = Value::Num(Num::Float(n.as_f64()));
        }
    }
}

/// Checks the result against the declared result type.
pub fn check_result(c: &Rc<Closure>, v: &Value, dims: &DimBindings, span: Span) -> R<()> {
    if let Some(ty) = &c.def.ret {
        let mut dims = dims.clone();
        check_type(ty, v, "the result", &mut dims, span, &c.def.name)?;
    }
    Ok(())
}

fn check_type(
    ty: &TypeExpr,
    v: &Value,
    what: &str,
    dims: &mut DimBindings,
    span: Span,
    fname: &str,
) -> R<()> {
    if matches!(v, Value::Unknown(_)) {
        return Ok(());
    }
    let simple = |ok: bool| -> R<()> {
        if ok {
            Ok(())
        } else {
            err_label(
                format!(
                    "`{fname}` expects {what} to be {}, got {}",
                    ty_text(ty),
                    v.type_name()
                ),
                span,
                "in this call",
            )
        }
    };
    match ty.name.as_str() {
        "str" => return simple(matches!(v, Value::Str(_))),
        "list" => return simple(matches!(v, Value::List(_))),
        "tuple" => return simple(matches!(v, Value::Tuple(_))),
        "int" => return simple(matches!(v, Value::Num(Num::Int(_)))),
        "float" => return simple(matches!(v, Value::Num(_))),
        _ => {}
    }
    let Some(dtype) = DType::from_name(&ty.name) else {
        return Err(Flow::Error(Box::new(
            Diagnostic::error(format!("unknown type `{}`", ty.name), ty.span)
                .with_label("not a dtype"),
        )));
    };
    let (vdtype, shape): (Option<DType>, Vec<Option<usize>>) = match v {
        Value::Array(a) => (Some(a.dtype), a.shape.clone()),
        Value::Num(n) => {
            // Weak literals take the parameter's dtype when their kind fits.
            let fits = match n.kind() {
                WeakKind::Bool => dtype == DType::Bool,
                WeakKind::Int => dtype != DType::Bool,
                WeakKind::Float => dtype.is_float(),
            };
            if !fits {
                return simple(false);
            }
            (None, Vec::new())
        }
        _ => return simple(false),
    };
    if let Some(d) = vdtype
        && d != dtype
    {
        return err_label(
            format!(
                "`{fname}` expects {what} of dtype {dtype}, got {}",
                v.type_name()
            ),
            span,
            format!("use astype(..., {dtype}) to convert"),
        );
    }
    let Some(want) = &ty.dims else {
        if !shape.is_empty() {
            return simple(false);
        }
        return Ok(());
    };
    let ellipsis = want.contains(&DimExpr::Ellipsis);
    let fixed: Vec<&DimExpr> = want.iter().filter(|d| **d != DimExpr::Ellipsis).collect();
    if (!ellipsis && fixed.len() != shape.len()) || (ellipsis && shape.len() < fixed.len()) {
        return err_label(
            format!(
                "`{fname}` expects {what} to be {}, got {}",
                ty_text(ty),
                v.type_name()
            ),
            span,
            format!("{} dimensions instead of {}", shape.len(), fixed.len()),
        );
    }
    // Align: dims before the ellipsis from the front, after it from the back.
    let before = want.iter().take_while(|d| **d != DimExpr::Ellipsis).count();
    let pairs: Vec<(&DimExpr, Option<usize>)> = if ellipsis {
        let after = fixed.len() - before;
        let mut p: Vec<(&DimExpr, Option<usize>)> = fixed[..before]
            .iter()
            .copied()
            .zip(shape[..before].iter().copied())
            .collect();
        p.extend(
            fixed[before..]
                .iter()
                .copied()
                .zip(shape[shape.len() - after..].iter().copied()),
        );
        p
    } else {
        fixed.iter().copied().zip(shape.iter().copied()).collect()
    };
    for (d, actual) in pairs {
        let Some(n) = actual else { continue };
        match d {
            DimExpr::Fixed(k) if *k != n => {
                return err_label(
                    format!(
                        "`{fname}` expects {what} to be {}, got {}",
                        ty_text(ty),
                        v.type_name()
                    ),
                    span,
                    format!("size {n} where {k} is required"),
                );
            }
            DimExpr::Named(name) => match dims.get(name) {
                Some((m, other)) if *m != n => {
                    return err_label(
                        format!(
                            "dimension `{name}` of `{fname}` is {m} in {} but {n} in {}",
                            param_text(other),
                            param_text(what)
                        ),
                        span,
                        format!(
                            "`{name}` must agree between {} and {}",
                            param_text(other),
                            param_text(what)
                        ),
                    );
                }
                Some(_) => {}
                None => {
                    dims.insert(name.clone(), (n, what.to_string()));
                }
            },
            _ => {}
        }
    }
    Ok(())
}

fn param_text(what: &str) -> String {
    if what == "the result" {
        what.to_string()
    } else {
        format!("`{what}`")
    }
}

fn ty_text(ty: &TypeExpr) -> String {
    match &ty.dims {
        None => ty.name.clone(),
        Some(dims) => {
            let d: Vec<String> = dims
                .iter()
                .map(|d| match d {
                    DimExpr::Fixed(n) => n.to_string(),
                    DimExpr::Named(s) => s.clone(),
                    DimExpr::Unknown => "?".into(),
                    DimExpr::Ellipsis => "...".into(),
                })
                .collect();
            format!("{}[{}]", ty.name, d.join(", "))
        }
    }
}
