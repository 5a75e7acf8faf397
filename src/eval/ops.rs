//! Operators on values: host arithmetic on numbers (Python rules), and element-wise array
//! operators with NumPy 2 promotion, weak literals and broadcasting, building map nodes.

use crate::data::Data;
use crate::eval::{Evaluator, Flow, R, err, err_label};
use crate::graph::build;
use crate::graph::node::{FullValue, NodeRef, Source};
use crate::kernel::{BinaryOp, MapOp, UnaryOp};
use crate::sema::dtype::{DType, Operand, WeakKind, promote_operands};
use crate::syntax::ast::{BinOp, Span, UnOp};
use crate::value::{Array, Dim, Hint, Num, Value};
use std::rc::Rc;

/// A shape as a tuple: `(3, 4)`, `(5,)`, `()`.
pub fn shape_text(shape: &[Dim]) -> String {
    let dims: Vec<String> = shape
        .iter()
        .map(|d| d.map(|n| n.to_string()).unwrap_or_else(|| "?".into()))
        .collect();
    if dims.len() == 1 {
        format!("({},)", dims[0])
    } else {
        format!("({})", dims.join(", "))
    }
}

/// Broadcasts two shapes; `None` if they are incompatible.
pub fn broadcast(a: &[Dim], b: &[Dim]) -> Option<Vec<Dim>> {
    let n = a.len().max(b.len());
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let x = if k + a.len() >= n {
            a[k + a.len() - n]
        } else {
            Some(1)
        };
        let y = if k + b.len() >= n {
            b[k + b.len() - n]
        } else {
            Some(1)
        };
        out.push(match (x, y) {
            (Some(1), d) | (d, Some(1)) => d,
            (Some(p), Some(q)) if p == q => Some(p),
            (Some(_), Some(_)) => return None,
            _ => None,
        });
    }
    Some(out)
}

/// A 0-d full node holding a number as `dtype`.
pub fn scalar_node(n: Num, dtype: DType) -> NodeRef {
    let value = match n {
        Num::Bool(b) => FullValue::Bool(b),
        Num::Int(i) => FullValue::Int(i),
        Num::Float(f) => FullValue::Float(f),
    };
    build::source(Source::Full(value), dtype, Vec::new(), Vec::new())
}

/// An operand of an array operation: an array, or a weak host number (maybe unknown).
#[derive(Clone)]
pub enum Operand2 {
    Arr(Array),
    Weak(Option<Num>, WeakKind),
}

impl Operand2 {
    fn promo(&self) -> Operand {
        match self {
            Operand2::Arr(a) => Operand::Strong(a.dtype),
            Operand2::Weak(_, k) => Operand::Weak(*k),
        }
    }
    fn shape(&self) -> Vec<Dim> {
        match self {
            Operand2::Arr(a) => a.shape.clone(),
            Operand2::Weak(..) => Vec::new(),
        }
    }
    fn text(&self) -> String {
        match self {
            Operand2::Arr(a) => a.type_text(),
            Operand2::Weak(_, WeakKind::Int) => "int".into(),
            Operand2::Weak(_, WeakKind::Float) => "float".into(),
            Operand2::Weak(_, WeakKind::Bool) => "bool".into(),
        }
    }
    /// The node for this operand in `dtype` (run mode).
    pub fn node(&self, dtype: DType) -> Option<NodeRef> {
        match self {
            Operand2::Arr(a) => a.node.clone(),
            Operand2::Weak(Some(n), _) => Some(scalar_node(*n, dtype)),
            Operand2::Weak(None, _) => None,
        }
    }
}

/// Views a value as an array operand, if it is one.
pub fn operand(v: &Value) -> Option<Operand2> {
    match v {
        Value::Array(a) => Some(Operand2::Arr(a.clone())),
        Value::Num(n) => Some(Operand2::Weak(Some(*n), n.kind())),
        Value::Unknown(Hint::Num(k)) => Some(Operand2::Weak(None, *k)),
        _ => None,
    }
}

/// The dtype operands promote to (NumPy 2's rules, weak host numbers taking the arrays' kind).
pub fn promote_all(ops: &[&Operand2]) -> DType {
    let mut acc: Option<Operand> = None;
    for o in ops {
        acc = Some(match acc {
            None => o.promo(),
            Some(a) => promote_operands(a, o.promo()),
        });
    }
    acc.map(|a| a.default_dtype()).unwrap_or(DType::F64)
}

/// Promotes operands, checking that weak integers fit the array's dtype.
pub fn promote_checked(ops: &[&Operand2], span: Span) -> R<DType> {
    let dtype = promote_all(ops);
    for o in ops {
        if let Operand2::Weak(Some(Num::Int(v)), _) = o
            && dtype.is_int()
            && !dtype.holds_int(*v)
        {
            return err_label(
                format!("the literal {v} does not fit in {dtype}"),
                span,
                format!("{dtype} holds {}", range_text(dtype)),
            );
        }
    }
    Ok(dtype)
}

fn range_text(d: DType) -> &'static str {
    match d {
        DType::U8 => "0 to 255",
        DType::I32 => "-2147483648 to 2147483647",
        _ => "any 64-bit integer",
    }
}

/// Builds an element-wise array result (check mode: dtype and shape only).
pub fn map_values(
    interp: &Evaluator,
    op: MapOp,
    compute: DType,
    out: DType,
    operands: &[Operand2],
    shape: Vec<Dim>,
) -> Value {
    let node = if interp.check {
        None
    } else {
        let nodes: Option<Vec<NodeRef>> = operands
            .iter()
            .enumerate()
            .map(|(k, o)| {
                let d = match op {
                    MapOp::Where if k == 0 => DType::Bool,
                    MapOp::Cast => match o {
                        Operand2::Arr(a) => a.dtype,
                        Operand2::Weak(_, k) => Operand::Weak(*k).default_dtype(),
                    },
                    _ => compute,
                };
                o.node(d)
            })
            .collect();
        nodes.map(|n| build::map(op, compute, out, n))
    };
    Value::Array(Array {
        dtype: out,
        shape,
        node,
    })
}

fn binop_of(op: BinOp) -> Option<BinaryOp> {
    Some(match op {
        BinOp::Add => BinaryOp::Add,
        BinOp::Sub => BinaryOp::Sub,
        BinOp::Mul => BinaryOp::Mul,
        BinOp::Div => BinaryOp::Div,
        BinOp::FloorDiv => BinaryOp::FloorDiv,
        BinOp::Mod => BinaryOp::Mod,
        BinOp::Pow => BinaryOp::Pow,
        BinOp::BitAnd => BinaryOp::BitAnd,
        BinOp::BitOr => BinaryOp::BitOr,
        BinOp::BitXor => BinaryOp::BitXor,
        BinOp::Eq => BinaryOp::Eq,
        BinOp::Ne => BinaryOp::Ne,
        BinOp::Lt => BinaryOp::Lt,
        BinOp::Le => BinaryOp::Le,
        BinOp::Gt => BinaryOp::Gt,
        BinOp::Ge => BinaryOp::Ge,
        BinOp::MatMul => return None,
    })
}

/// Result and compute dtypes of a binary op on promoted dtype `p`; `texts` gives the
/// operands' type texts for an error (formatted only then).
pub fn binary_dtypes(
    op: BinaryOp,
    p: DType,
    span: Span,
    texts: &dyn Fn() -> (String, String),
) -> R<(DType, DType)> {
    use BinaryOp::*;
    Ok(match op {
        _ if op.is_comparison() => (p, DType::Bool),
        Div => {
            let f = if p.is_float() { p } else { DType::F64 };
            (f, f)
        }
        Sub if p == DType::Bool => {
            return err_label(
                "cannot subtract bool arrays",
                span,
                "use ^ (xor) or convert with astype",
            );
        }
        FloorDiv | Mod | Pow if p == DType::Bool => (DType::I64, DType::I64),
        BitAnd | BitOr | BitXor if p.is_float() => {
            return err_label(
                format!(
                    "bitwise `{}` needs integer or bool operands",
                    match op {
                        BitAnd => "&",
                        BitOr => "|",
                        _ => "^",
                    }
                ),
                span,
                {
                    let (a, b) = texts();
                    format!("{a} and {b}")
                },
            );
        }
        Arctan2 | Hypot => {
            let f = p.float_of();
            (f, f)
        }
        _ => (p, p),
    })
}

/// Applies a binary operator to two values.
pub fn binary(
    interp: &mut Evaluator,
    op: BinOp,
    x: Value,
    y: Value,
    xs: Span,
    ys: Span,
    span: Span,
) -> R<Value> {
    let _ = (xs, ys);
    match (&x, &y) {
        (Value::Num(a), Value::Num(b)) => return host_binary(op, *a, *b, span).map(Value::Num),
        (Value::Str(a), Value::Str(b)) => {
            return match op {
                BinOp::Add => Ok(Value::str(&format!("{a}{b}"))),
                BinOp::Eq => Ok(Value::Num(Num::Bool(a == b))),
                BinOp::Ne => Ok(Value::Num(Num::Bool(a != b))),
                BinOp::Lt => Ok(Value::Num(Num::Bool(a < b))),
                BinOp::Gt => Ok(Value::Num(Num::Bool(a > b))),
                _ => err(
                    format!("unsupported operator `{}` for str and str", op.symbol()),
                    span,
                ),
            };
        }
        (Value::List(a), Value::List(b)) if op == BinOp::Add => {
            let mut v = a.as_ref().clone();
            v.extend(b.iter().cloned());
            return Ok(Value::List(Rc::new(v)));
        }
        (Value::Tuple(a), Value::Tuple(b)) if op == BinOp::Add => {
            let mut v = a.as_ref().clone();
            v.extend(b.iter().cloned());
            return Ok(Value::tuple(v));
        }
        (Value::DType(a), Value::DType(b)) if matches!(op, BinOp::Eq | BinOp::Ne) => {
            return Ok(Value::Num(Num::Bool((a == b) == (op == BinOp::Eq))));
        }
        (Value::Tuple(a), Value::Tuple(b)) | (Value::List(a), Value::List(b))
            if matches!(op, BinOp::Eq | BinOp::Ne) =>
        {
            let eq = a.len() == b.len() && a.iter().zip(b.iter()).all(|(p, q)| host_eq(p, q));
            return Ok(Value::Num(Num::Bool(eq == (op == BinOp::Eq))));
        }
        _ => {}
    }
    if let (Value::Unknown(_), _) | (_, Value::Unknown(_)) = (&x, &y)
        && !matches!((&x, &y), (Value::Array(_), _) | (_, Value::Array(_)))
    {
        return Ok(Value::Unknown(Hint::Any));
    }
    let (Some(a), Some(b)) = (operand(&x), operand(&y)) else {
        if matches!(x, Value::Unknown(Hint::Any)) || matches!(y, Value::Unknown(Hint::Any)) {
            return Ok(Value::Unknown(Hint::Any));
        }
        return err_label(
            format!(
                "unsupported operator `{}` for {} and {}",
                op.symbol(),
                x.type_name(),
                y.type_name()
            ),
            span,
            format!("{} {} {}", x.type_name(), op.symbol(), y.type_name()),
        );
    };
    let Some(bop) = binop_of(op) else {
        return crate::builtins::linalg::matmul_values(interp, &x, &y, span);
    };
    binary_arrays(interp, bop, &a, &b, span, op.symbol())
}

/// Element-wise binary op on two array operands.
pub fn binary_arrays(
    interp: &Evaluator,
    bop: BinaryOp,
    a: &Operand2,
    b: &Operand2,
    span: Span,
    symbol: &str,
) -> R<Value> {
    let Some(shape) = broadcast(&a.shape(), &b.shape()) else {
        return err_label(
            format!("cannot broadcast {} with {}", a.text(), b.text()),
            span,
            format!("{} {} {}", a.text(), symbol, b.text()),
        );
    };
    let p = promote_checked(&[a, b], span)?;
    if let (BinaryOp::Pow, Operand2::Weak(Some(Num::Int(e)), _)) = (bop, b)
        && *e < 0
        && !p.is_float()
    {
        return err_label(
            "integers to negative integer powers are not allowed",
            span,
            format!("{} ** {e}; write ** {e}.0 for a float result", a.text()),
        );
    }
    let (compute, out) = binary_dtypes(bop, p, span, &|| (a.text(), b.text()))?;
    Ok(map_values(
        interp,
        MapOp::Binary(bop),
        compute,
        out,
        &[a.clone(), b.clone()],
        shape,
    ))
}

fn host_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => x.as_f64() == y.as_f64(),
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::None, Value::None) => true,
        (Value::DType(x), Value::DType(y)) => x == y,
        (Value::Tuple(x), Value::Tuple(y)) | (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| host_eq(p, q))
        }
        _ => false,
    }
}

/// Host arithmetic on numbers, following Python (with NumPy's integer division by zero = 0).
pub fn host_binary(op: BinOp, a: Num, b: Num, span: Span) -> R<Num> {
    use Num::*;
    if let (Bool(x), Bool(y)) = (a, b) {
        match op {
            BinOp::BitAnd => return Ok(Bool(x & y)),
            BinOp::BitOr => return Ok(Bool(x | y)),
            BinOp::BitXor => return Ok(Bool(x ^ y)),
            _ => {}
        }
    }
    let ints = |n: Num| match n {
        Bool(b) => Some(b as i64),
        Int(i) => Some(i),
        Float(_) => None,
    };
    let overflow = || err::<Num>("integer overflow in host arithmetic", span);
    if let (Some(x), Some(y)) = (ints(a), ints(b)) {
        return match op {
            BinOp::Add => x.checked_add(y).map(Int).map_or_else(overflow, Ok),
            BinOp::Sub => x.checked_sub(y).map(Int).map_or_else(overflow, Ok),
            BinOp::Mul => x.checked_mul(y).map(Int).map_or_else(overflow, Ok),
            BinOp::Div => Ok(Float(x as f64 / y as f64)),
            // Host integers do not wrap (the one overflowing quotient is i64::MIN // -1);
            // division by zero gives 0 as for arrays (LANGUAGE.md §3).
            BinOp::FloorDiv if x == i64::MIN && y == -1 => overflow(),
            BinOp::FloorDiv => Ok(Int(<i64 as crate::scalar::Arith>::floordiv(x, y))),
            BinOp::Mod => Ok(Int(<i64 as crate::scalar::Arith>::modulo(x, y))),
            BinOp::Pow => {
                if y < 0 {
                    Ok(Float((x as f64).powf(y as f64)))
                } else {
                    u32::try_from(y)
                        .ok()
                        .and_then(|e| x.checked_pow(e))
                        .map(Int)
                        .map_or_else(overflow, Ok)
                }
            }
            BinOp::BitAnd => Ok(Int(x & y)),
            BinOp::BitOr => Ok(Int(x | y)),
            BinOp::BitXor => Ok(Int(x ^ y)),
            BinOp::Eq => Ok(Bool(x == y)),
            BinOp::Ne => Ok(Bool(x != y)),
            BinOp::Lt => Ok(Bool(x < y)),
            BinOp::Le => Ok(Bool(x <= y)),
            BinOp::Gt => Ok(Bool(x > y)),
            BinOp::Ge => Ok(Bool(x >= y)),
            BinOp::MatMul => err("`@` needs arrays", span),
        };
    }
    let (x, y) = (a.as_f64(), b.as_f64());
    Ok(match op {
        BinOp::Add => Float(x + y),
        BinOp::Sub => Float(x - y),
        BinOp::Mul => Float(x * y),
        BinOp::Div => Float(x / y),
        BinOp::FloorDiv => Float(crate::scalar::float_divmod(x, y).0),
        BinOp::Mod => Float(crate::scalar::float_divmod(x, y).1),
        BinOp::Pow => Float(x.powf(y)),
        BinOp::Eq => Bool(x == y),
        BinOp::Ne => Bool(x != y),
        BinOp::Lt => Bool(x < y),
        BinOp::Le => Bool(x <= y),
        BinOp::Gt => Bool(x > y),
        BinOp::Ge => Bool(x >= y),
        BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => {
            return err(format!("bitwise `{}` needs integers", op.symbol()), span);
        }
        BinOp::MatMul => return err("`@` needs arrays", span),
    })
}

/// Applies a prefix operator.
pub fn unary(interp: &mut Evaluator, op: UnOp, x: Value, span: Span) -> R<Value> {
    match (&x, op) {
        (Value::Num(n), UnOp::Neg) => {
            return Ok(Value::Num(match n {
                Num::Bool(_) => {
                    return err_label(
                        "cannot negate a bool",
                        span,
                        "use `not` for logical negation",
                    );
                }
                Num::Int(i) => Num::Int(
                    i.checked_neg()
                        .map_or_else(|| err("integer overflow", span).map(|_: ()| 0), Ok)?,
                ),
                Num::Float(f) => Num::Float(-f),
            }));
        }
        (Value::Num(n), UnOp::Pos) => return Ok(Value::Num(*n)),
        (Value::Num(Num::Int(i)), UnOp::Invert) => return Ok(Value::Num(Num::Int(!i))),
        (Value::Num(Num::Bool(b)), UnOp::Invert) => return Ok(Value::Num(Num::Bool(!b))),
        (Value::Unknown(_), _) => return Ok(x.clone()),
        _ => {}
    }
    let Value::Array(a) = &x else {
        return err(
            format!(
                "unsupported operand {} for unary `{}`",
                x.type_name(),
                match op {
                    UnOp::Neg => "-",
                    UnOp::Pos => "+",
                    UnOp::Invert => "~",
                    UnOp::Not => "not",
                }
            ),
            span,
        );
    };
    let u = match op {
        UnOp::Neg if a.dtype == DType::Bool => {
            return err_label("cannot negate a bool array", span, "use ~ for logical not");
        }
        UnOp::Neg => UnaryOp::Neg,
        UnOp::Pos => return Ok(x.clone()),
        UnOp::Invert if a.dtype.is_float() => {
            return err_label(
                format!("`~` needs integer or bool operands, not {}", a.type_text()),
                span,
                "bitwise not",
            );
        }
        UnOp::Invert => UnaryOp::Invert,
        UnOp::Not => unreachable!("`not` is evaluated by the interpreter"),
    };
    Ok(unary_array(interp, u, a))
}

/// Applies an element-wise unary op to an array, with NumPy's dtype rules.
pub fn unary_array(interp: &Evaluator, op: UnaryOp, a: &Array) -> Value {
    let (compute, out) = if op.is_predicate() {
        (a.dtype, DType::Bool)
    } else if op.is_float_math() {
        let f = a.dtype.float_of();
        (f, f)
    } else if matches!(op, UnaryOp::Abs | UnaryOp::Sign | UnaryOp::Neg) && a.dtype == DType::Bool {
        (DType::Bool, DType::Bool)
    } else {
        (a.dtype, a.dtype)
    };
    map_values(
        interp,
        MapOp::Unary(op),
        compute,
        out,
        &[Operand2::Arr(a.clone())],
        a.shape.clone(),
    )
}

/// Computes an array (run mode) into memory.
pub fn compute_array(interp: &Evaluator, a: &Array, span: Span) -> R<Data> {
    let Some(node) = &a.node else {
        return Err(Flow::Unknown);
    };
    if interp.plan_only() {
        // Plan-only runs (`arr explain`, editors) compute nothing: the value stays unknown.
        return Err(Flow::Unknown);
    }
    crate::builtins::host::reveal_length(node);
    let session = interp.session.borrow();
    session.compute(node).map_err(|e| {
        Flow::Error(Box::new(crate::syntax::diag::Diagnostic::error(
            e.to_string(),
            span,
        )))
    })
}

/// Computes a 0-d (or one-element) array to a host number.
pub fn force_scalar(interp: &Evaluator, a: &Array, span: Span) -> R<Num> {
    if interp.check {
        return Err(Flow::Unknown);
    }
    let data = compute_array(interp, a, span)?;
    if data.len() != 1 {
        return err(
            format!(
                "expected one value, got an array of shape {}",
                shape_text(&a.shape)
            ),
            span,
        );
    }
    let v = data.f64_at(0);
    Ok(match a.dtype {
        DType::Bool => Num::Bool(v != 0.0),
        DType::F32 | DType::F64 => Num::Float(v),
        _ => Num::Int(
            with_data!(&data, x => crate::data::Element::to_i64(*x.iter().next().expect("one element"))),
        ),
    })
}
