//! Linear algebra: `@`/matmul, dot and outer, built from broadcasting and a sum over the
//! contracted axis (so they are chunked and fused like any other reduction).

use crate::builtins::{Args, Builtin, Group};
use crate::eval::ops::{Operand2, binary_arrays};
use crate::eval::{Evaluator, R, err_label};
use crate::graph::build;
use crate::graph::node::ReduceOp;
use crate::kernel::BinaryOp;
use crate::syntax::ast::Span;
use crate::value::{Array, Value};

/// Adds this group's builtins to the table.
pub fn register(t: &mut Vec<Builtin>) {
    let mut add = |name, params, doc, run| {
        t.push(Builtin {
            name,
            params,
            doc,
            group: Group::Linalg,
            run,
        })
    };
    add(
        "matmul",
        "a, b",
        "Matrix product of 1-D or 2-D arrays (the @ operator).",
        matmul,
    );
    add("dot", "a, b", "Dot product of 1-D or 2-D arrays.", matmul);
    add("outer", "a, b", "Outer product of two 1-D arrays.", outer);
}

fn expand(interp: &Evaluator, a: &Array, positions: &[usize]) -> Array {
    match crate::builtins::shape_ops::insert_axes(interp, a, positions) {
        Value::Array(x) => x,
        _ => unreachable!("insert_axes gives an array"),
    }
}

/// `a @ b` for 1-D and 2-D arrays.
pub fn matmul_values(interp: &mut Evaluator, x: &Value, y: &Value, span: Span) -> R<Value> {
    let (Value::Array(a), Value::Array(b)) = (x, y) else {
        return err_label(
            "`@` needs two arrays",
            span,
            format!("{} @ {}", x.type_name(), y.type_name()),
        );
    };
    let (na, nb) = (a.shape.len(), b.shape.len());
    if na == 0 || nb == 0 || na > 2 || nb > 2 {
        return err_label(
            format!(
                "matmul supports 1-D and 2-D arrays, got {} @ {}",
                a.type_text(),
                b.type_text()
            ),
            span,
            "unsupported dimensions",
        );
    }
    let k_a = a.shape[na - 1];
    let k_b = b.shape[0];
    if let (Some(p), Some(q)) = (k_a, k_b)
        && p != q
    {
        return err_label(
            format!(
                "matmul: {} @ {} contracts {p} with {q}",
                a.type_text(),
                b.type_text()
            ),
            span,
            "inner dimensions differ",
        );
    }
    // Lay out a as [..., k, 1] and b as [k, m] (or [k]) so the product broadcasts to [.., k, m].
    let a3 = if nb == 2 {
        expand(interp, a, &[na])
    } else {
        a.clone()
    };
    let prod = binary_arrays(
        interp,
        BinaryOp::Mul,
        &Operand2::Arr(a3),
        &Operand2::Arr(b.clone()),
        span,
        "@",
    )?;
    let Value::Array(p) = prod else {
        unreachable!("binary_arrays gives an array")
    };
    let axis = if nb == 2 {
        p.shape.len() - 2
    } else {
        p.shape.len() - 1
    };
    let mut shape = p.shape.clone();
    shape.remove(axis);
    let dtype = ReduceOp::Sum.result_dtype(p.dtype);
    let node = if interp.check {
        None
    } else {
        p.node
            .map(|n| build::reduce(ReduceOp::Sum, n, vec![axis], false, 0.0))
    };
    Ok(Value::Array(Array { dtype, shape, node }))
}

fn matmul(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let a = Value::Array(args.array("a")?);
    let b = Value::Array(args.array("b")?);
    matmul_values(interp, &a, &b, args.span)
}

fn outer(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let a = args.array("a")?;
    let b = args.array("b")?;
    if a.shape.len() != 1 || b.shape.len() != 1 {
        return args.error("a", "outer needs two 1-D arrays", "not 1-D");
    }
    let a2 = expand(interp, &a, &[1]);
    binary_arrays(
        interp,
        BinaryOp::Mul,
        &Operand2::Arr(a2),
        &Operand2::Arr(b),
        args.span,
        "outer",
    )
}
