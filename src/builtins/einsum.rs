//! `einsum(subscripts, *operands)` (LANGUAGE.md §11a): explicit (`ij,jk->ik`) and implicit
//! (`ij,jk`) output, repeated indices (diagonals and traces) and `...`. Each operand first
//! loses its repeated labels (diagonals) and the labels no one else needs (sums); then
//! operands are contracted pairwise, the pair with the smallest result first (which bounds
//! memory and flops), each pair as one blocked, batched product (`@`).

use crate::builtins::linalg::{arr, call, ints, matmul_values};
use crate::builtins::{Args, Builtin, Group};
use crate::eval::{Evaluator, R, err_label};
use crate::syntax::ast::Span;
use crate::value::{Array, Num, Value};

/// Adds `einsum`.
pub fn register(t: &mut Vec<Builtin>) {
    t.push(Builtin {
        name: "einsum",
        params: "subscripts, *operands",
        doc: "Einstein summation: \"ij,jk->ik\", implicit output, repeated indices, \"...\".",
        group: Group::Linalg,
        run: einsum,
    });
}

/// Labels of the axes an ellipsis stands for (outside the letters' range).
fn ellipsis_label(i: usize) -> char {
    char::from_u32(0x100 + i as u32).unwrap_or('\u{100}')
}

/// One operand's term: labels, with `None` where `...` stood.
fn parse_term(t: &str) -> Result<(Vec<char>, Option<usize>), String> {
    let mut labels = Vec::new();
    let mut ell = None;
    let mut rest = t;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("...") {
            if ell.is_some() {
                return Err(format!("`...` appears twice in \"{t}\""));
            }
            ell = Some(labels.len());
            rest = r;
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        if !c.is_ascii_alphabetic() {
            return Err(format!(
                "invalid character '{c}' in einsum subscripts \"{t}\""
            ));
        }
        labels.push(c);
        rest = &rest[c.len_utf8()..];
    }
    Ok((labels, ell))
}

/// Expands a term's `...` for an operand of `nd` axes with `e_max` ellipsis axes in all.
fn expand_term(
    labels: &[char],
    ell: Option<usize>,
    nd: usize,
    e_max: usize,
) -> Result<Vec<char>, String> {
    match ell {
        None => {
            if labels.len() != nd {
                return Err(format!(
                    "{} subscripts for an operand of {nd} dimensions",
                    labels.len()
                ));
            }
            Ok(labels.to_vec())
        }
        Some(pos) => {
            if labels.len() > nd {
                return Err(format!(
                    "{} subscripts for an operand of {nd} dimensions",
                    labels.len()
                ));
            }
            let e = nd - labels.len();
            let mut out = labels[..pos].to_vec();
            out.extend((e_max - e..e_max).map(ellipsis_label));
            out.extend_from_slice(&labels[pos..]);
            Ok(out)
        }
    }
}

fn einsum(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let Some(Value::Str(spec)) = args.value("subscripts").cloned() else {
        return args.error(
            "subscripts",
            "einsum needs a subscripts string such as \"ij,jk->ik\"",
            "not a string",
        );
    };
    let ops: Vec<Value> = args.rest("operands");
    let mut arrays = Vec::new();
    for v in &ops {
        match v {
            Value::Array(a) => arrays.push(a.clone()),
            Value::Num(n) => arrays.push(arr(scalar_array(interp, *n, args.span)?)?),
            Value::Unknown(_) => return Err(crate::eval::Flow::Unknown),
            other => {
                return args.error(
                    "operands",
                    format!("einsum operands must be arrays, not {}", other.type_name()),
                    "not an array",
                );
            }
        }
    }
    let spec: String = spec.chars().filter(|c| !c.is_whitespace()).collect();
    let span = args.span;
    let shapes: Vec<String> = arrays.iter().map(|a| a.type_text()).collect();
    let bad = |m: String| -> R<Value> {
        err_label(
            format!("einsum \"{spec}\": {m}"),
            span,
            format!("operands {}", shapes.join(", ")),
        )
    };
    let (lhs, rhs) = match spec.split_once("->") {
        Some((l, r)) => (l.to_string(), Some(r.to_string())),
        None => (spec.clone(), None),
    };
    let terms: Vec<&str> = lhs.split(',').collect();
    if terms.len() != arrays.len() {
        return bad(format!(
            "{} terms for {} operands",
            terms.len(),
            arrays.len()
        ));
    }
    let mut parsed = Vec::new();
    for t in &terms {
        match parse_term(t) {
            Ok(p) => parsed.push(p),
            Err(m) => return bad(m),
        }
    }
    let e_max = parsed
        .iter()
        .zip(&arrays)
        .filter(|((_, e), _)| e.is_some())
        .map(|((l, _), a)| a.shape.len().saturating_sub(l.len()))
        .max()
        .unwrap_or(0);
    let mut labels = Vec::new();
    for ((l, e), a) in parsed.iter().zip(&arrays) {
        match expand_term(l, *e, a.shape.len(), e_max) {
            Ok(x) => labels.push(x),
            Err(m) => return bad(m),
        }
    }
    // Sizes per label (ellipsis axes broadcast; letters must agree).
    let mut size: Vec<(char, Option<usize>)> = Vec::new();
    for (ls, a) in labels.iter().zip(&arrays) {
        for (k, &c) in ls.iter().enumerate() {
            let d = a.shape[k];
            match size.iter_mut().find(|(x, _)| *x == c) {
                None => size.push((c, d)),
                Some((_, s)) => match (*s, d) {
                    (Some(p), Some(q)) if p != q => {
                        if (c as u32) >= 0x100 && (p == 1 || q == 1) {
                            *s = Some(p.max(q));
                        } else {
                            let name = if (c as u32) >= 0x100 {
                                "an axis of `...`".to_string()
                            } else {
                                format!("'{c}'")
                            };
                            return bad(format!("{name} has lengths {p} and {q}"));
                        }
                    }
                    (None, d) => *s = d,
                    _ => {}
                },
            }
        }
    }
    // The output labels.
    let out: Vec<char> = match &rhs {
        Some(r) => {
            let (l, e) = match parse_term(r) {
                Ok(p) => p,
                Err(m) => return bad(m),
            };
            let mut o = l[..e.unwrap_or(l.len())].to_vec();
            if e.is_some() {
                o.extend((0..e_max).map(ellipsis_label));
                o.extend_from_slice(&l[e.unwrap_or(0)..]);
            } else if e_max > 0 {
                // NumPy requires `...` in the output when inputs have one... unless the
                // ellipsis axes are summed; keep NumPy's rule: they are summed.
            }
            for (i, c) in o.iter().enumerate() {
                if o[..i].contains(c) {
                    return bad(format!("output subscript '{c}' appears more than once"));
                }
                if !labels.iter().any(|ls| ls.contains(c)) {
                    return bad(format!("output subscript '{c}' is not in any operand"));
                }
            }
            o
        }
        None => {
            // Implicit: the ellipsis axes, then letters seen once, in alphabetical order.
            let mut o: Vec<char> = (0..e_max).map(ellipsis_label).collect();
            let mut once: Vec<char> = Vec::new();
            for ls in &labels {
                for &c in ls {
                    if (c as u32) < 0x100
                        && labels.iter().flatten().filter(|&&x| x == c).count() == 1
                    {
                        once.push(c);
                    }
                }
            }
            once.sort_unstable();
            o.extend(once);
            o
        }
    };
    let sizes =
        |c: char| -> Option<usize> { size.iter().find(|(x, _)| *x == c).and_then(|(_, s)| *s) };
    // Broadcast ellipsis axes of length 1 up to the common length.
    let mut work: Vec<(Array, Vec<char>)> = Vec::new();
    for (a, ls) in arrays.into_iter().zip(labels) {
        let target: Vec<Option<usize>> = ls.iter().map(|&c| sizes(c)).collect();
        let a = if target.iter().zip(&a.shape).any(|(t, d)| t != d)
            && target.iter().all(|t| t.is_some())
        {
            let dims: Vec<usize> = target.iter().map(|t| t.unwrap_or(1)).collect();
            arr(call(
                interp,
                "broadcast_to",
                vec![Value::Array(a), ints(&dims)],
                vec![],
                span,
            )?)?
        } else {
            a
        };
        let (a, ls) = take_diagonals(interp, a, ls, span)?;
        work.push((a, ls));
    }
    // Sum away labels that only one operand has and the output does not.
    let needed_elsewhere = |work: &[(Array, Vec<char>)], skip: &[usize], c: char| {
        out.contains(&c)
            || work
                .iter()
                .enumerate()
                .any(|(i, (_, ls))| !skip.contains(&i) && ls.contains(&c))
    };
    for i in 0..work.len() {
        let (a, ls) = work[i].clone();
        let (a, ls) = sum_unneeded(interp, a, ls, &|c| needed_elsewhere(&work, &[i], c), span)?;
        work[i] = (a, ls);
    }
    while work.len() > 1 {
        // The pair whose result is smallest.
        let mut best = (0, 1, usize::MAX);
        for i in 0..work.len() {
            for j in i + 1..work.len() {
                let mut keep: Vec<char> = Vec::new();
                for &c in work[i].1.iter().chain(&work[j].1) {
                    if !keep.contains(&c) && needed_elsewhere(&work, &[i, j], c) {
                        keep.push(c);
                    }
                }
                let n = keep
                    .iter()
                    .map(|&c| sizes(c).unwrap_or(1))
                    .fold(1usize, |p, d| p.saturating_mul(d));
                if n < best.2 {
                    best = (i, j, n);
                }
            }
        }
        let (i, j, _) = best;
        let (b, lb) = work.remove(j);
        let (a, la) = work.remove(i);
        let keep = |c: char| needed_elsewhere(&work, &[], c);
        let (p, lp) = contract(interp, (a, la), (b, lb), &keep, span)?;
        work.push((p, lp));
    }
    let Some((a, ls)) = work.pop() else {
        return bad("no operands".into());
    };
    let (a, ls) = sum_unneeded(interp, a, ls, &|c| out.contains(&c), span)?;
    permute(interp, a, &ls, &out, span)
}

/// A 0-d array of a number.
fn scalar_array(interp: &mut Evaluator, n: Num, span: Span) -> R<Value> {
    call(interp, "array", vec![Value::Num(n)], vec![], span)
}

/// Replaces every repeated label of one operand by its diagonal.
fn take_diagonals(
    interp: &mut Evaluator,
    mut a: Array,
    mut ls: Vec<char>,
    span: Span,
) -> R<(Array, Vec<char>)> {
    loop {
        let dup =
            (0..ls.len()).find_map(|j| ls[..j].iter().position(|&c| c == ls[j]).map(|i| (i, j)));
        let Some((i, j)) = dup else {
            return Ok((a, ls));
        };
        a = arr(call(
            interp,
            "diagonal",
            vec![Value::Array(a)],
            vec![
                ("axis1", Value::Num(Num::Int(i as i64))),
                ("axis2", Value::Num(Num::Int(j as i64))),
            ],
            span,
        )?)?;
        let c = ls[i];
        ls.remove(j);
        ls.remove(i);
        ls.push(c);
    }
}

/// Sums the axes whose labels `needed` rejects.
fn sum_unneeded(
    interp: &mut Evaluator,
    a: Array,
    ls: Vec<char>,
    needed: &dyn Fn(char) -> bool,
    span: Span,
) -> R<(Array, Vec<char>)> {
    let axes: Vec<usize> = (0..ls.len()).filter(|&k| !needed(ls[k])).collect();
    if axes.is_empty() {
        return Ok((a, ls));
    }
    let s = arr(call(
        interp,
        "sum",
        vec![Value::Array(a)],
        vec![("axis", ints(&axes))],
        span,
    )?)?;
    let rest = (0..ls.len())
        .filter(|k| !axes.contains(k))
        .map(|k| ls[k])
        .collect();
    Ok((s, rest))
}

/// Transposes `a` (labels `ls`) to the order `want` (a permutation of `ls`).
fn permute(interp: &mut Evaluator, a: Array, ls: &[char], want: &[char], span: Span) -> R<Value> {
    let perm: Vec<usize> = want
        .iter()
        .map(|c| ls.iter().position(|x| x == c).unwrap_or(0))
        .collect();
    if perm.iter().enumerate().all(|(i, &p)| i == p) {
        return Ok(Value::Array(a));
    }
    call(
        interp,
        "transpose",
        vec![Value::Array(a), ints(&perm)],
        vec![],
        span,
    )
}

fn reshape(interp: &mut Evaluator, a: Array, dims: &[Option<usize>], span: Span) -> R<Array> {
    if a.shape.as_slice() == dims {
        return Ok(a);
    }
    let Some(d): Option<Vec<usize>> = dims.iter().copied().collect() else {
        return Ok(Array {
            dtype: a.dtype,
            shape: dims.to_vec(),
            node: None,
        });
    };
    arr(call(
        interp,
        "reshape",
        vec![Value::Array(a), ints(&d)],
        vec![],
        span,
    )?)
}

/// Contracts two operands: shared labels that are kept become batch axes, the other shared
/// labels are summed by one batched product.
fn contract(
    interp: &mut Evaluator,
    (a, la): (Array, Vec<char>),
    (b, lb): (Array, Vec<char>),
    keep: &dyn Fn(char) -> bool,
    span: Span,
) -> R<(Array, Vec<char>)> {
    let batch: Vec<char> = la
        .iter()
        .copied()
        .filter(|c| lb.contains(c) && keep(*c))
        .collect();
    let summed: Vec<char> = la
        .iter()
        .copied()
        .filter(|c| lb.contains(c) && !keep(*c))
        .collect();
    let free_a: Vec<char> = la.iter().copied().filter(|c| !lb.contains(c)).collect();
    let free_b: Vec<char> = lb.iter().copied().filter(|c| !la.contains(c)).collect();
    let dim_a = |c: &char| a.shape[la.iter().position(|x| x == c).unwrap_or(0)];
    let dim_b = |c: &char| b.shape[lb.iter().position(|x| x == c).unwrap_or(0)];
    let prod = |ds: Vec<Option<usize>>| -> Option<usize> { ds.into_iter().product() };
    let bdims: Vec<Option<usize>> = batch.iter().map(dim_a).collect();
    let fa: Vec<Option<usize>> = free_a.iter().map(dim_a).collect();
    let fb: Vec<Option<usize>> = free_b.iter().map(dim_b).collect();
    let kd = prod(summed.iter().map(dim_a).collect());
    let (ma, nb) = (prod(fa.clone()), prod(fb.clone()));
    // a -> (batch.., free_a, summed) -> (batch.., Ma, K).
    let mut order_a = batch.clone();
    order_a.extend(&free_a);
    order_a.extend(&summed);
    let at = arr(permute(interp, a.clone(), &la, &order_a, span)?)?;
    let mut da = bdims.clone();
    da.push(ma);
    da.push(kd);
    let a2 = reshape(interp, at, &da, span)?;
    let mut order_b = batch.clone();
    order_b.extend(&summed);
    order_b.extend(&free_b);
    let bt = arr(permute(interp, b.clone(), &lb, &order_b, span)?)?;
    let mut db = bdims.clone();
    db.push(kd);
    db.push(nb);
    let b2 = reshape(interp, bt, &db, span)?;
    let p = arr(matmul_values(
        interp,
        &Value::Array(a2),
        &Value::Array(b2),
        span,
    )?)?;
    let mut dp = bdims;
    dp.extend(fa);
    dp.extend(fb);
    let p = reshape(interp, p, &dp, span)?;
    let mut lp = batch;
    lp.extend(free_a);
    lp.extend(free_b);
    Ok((p, lp))
}
