//! Bound arguments of a builtin call, with typed accessors that produce clear errors (and, in
//! check mode, `Flow::Unknown` when a value depends on computed data).

use crate::data::Data;
use crate::eval::ops::{Operand2, scalar_node};
use crate::eval::signature::BoundArg;
use crate::eval::{Flow, R, err_label};
use crate::graph::chunks::{AxisChunks, ChunkSpec};
use crate::sema::dtype::{DType, Operand};
use crate::syntax::ast::Span;
use crate::value::{Array, Hint, Num, Value};
use ndarray::{ArrayD, IxDyn};

/// The arguments of one builtin call.
pub struct Args {
    slots: Vec<(String, Option<BoundArg>)>,
    /// The whole call's span.
    pub span: Span,
    /// The builtin's name.
    pub name: &'static str,
}

impl Args {
    /// Wraps bound slots.
    pub fn new(slots: Vec<(String, Option<BoundArg>)>, span: Span, name: &'static str) -> Args {
        Args { slots, span, name }
    }

    /// The argument, if given (an explicit `none` counts as not given).
    pub fn get(&self, name: &str) -> Option<&BoundArg> {
        self.slots
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, a)| a.as_ref())
            .filter(|a| !matches!(a.value, Value::None))
    }

    /// The argument's value, if given.
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.get(name).map(|a| &a.value)
    }

    /// Where the argument is (the call if absent).
    pub fn span_of(&self, name: &str) -> Span {
        self.get(name).map(|a| a.span).unwrap_or(self.span)
    }

    /// An error pointing at an argument.
    pub fn error<T>(
        &self,
        name: &str,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> R<T> {
        err_label(message, self.span_of(name), label)
    }

    /// A required argument as an array operand (numbers stay weak).
    pub fn operand(&self, name: &str) -> R<Operand2> {
        let Some(a) = self.get(name) else {
            return self.error(name, format!("`{}` needs `{name}`", self.name), "missing");
        };
        match &a.value {
            Value::Array(arr) => Ok(Operand2::Arr(arr.clone())),
            Value::Num(n) => Ok(Operand2::Weak(Some(*n), n.kind())),
            Value::Unknown(Hint::Num(k)) => Ok(Operand2::Weak(None, *k)),
            Value::Unknown(_) => Err(Flow::Unknown),
            Value::List(_) | Value::Tuple(_) => {
                Ok(Operand2::Arr(list_to_array(&a.value, None, a.span)?))
            }
            other => self.error(
                name,
                format!(
                    "`{}` expects an array for `{name}`, got {}",
                    self.name,
                    other.type_name()
                ),
                "not an array",
            ),
        }
    }

    /// A required argument as an array (numbers become 0-d arrays of their default dtype).
    pub fn array(&self, name: &str) -> R<Array> {
        match self.operand(name)? {
            Operand2::Arr(a) => Ok(a),
            Operand2::Weak(n, k) => {
                let dtype = Operand::Weak(k).default_dtype();
                Ok(Array {
                    dtype,
                    shape: Vec::new(),
                    node: n.map(|n| scalar_node(n, dtype)),
                })
            }
        }
    }

    /// An optional host integer.
    pub fn int(&self, name: &str) -> R<Option<i64>> {
        let Some(a) = self.get(name) else {
            return Ok(None);
        };
        match &a.value {
            Value::Num(Num::Int(i)) => Ok(Some(*i)),
            Value::Num(Num::Bool(b)) => Ok(Some(*b as i64)),
            Value::Unknown(_) => Err(Flow::Unknown),
            other => self.error(
                name,
                format!("`{name}` must be an integer, not {}", other.type_name()),
                "not an integer",
            ),
        }
    }

    /// An integer with a default.
    pub fn int_or(&self, name: &str, default: i64) -> R<i64> {
        Ok(self.int(name)?.unwrap_or(default))
    }

    /// An optional host number as f64.
    pub fn float(&self, name: &str) -> R<Option<f64>> {
        let Some(a) = self.get(name) else {
            return Ok(None);
        };
        match &a.value {
            Value::Num(n) => Ok(Some(n.as_f64())),
            Value::Unknown(_) => Err(Flow::Unknown),
            other => self.error(
                name,
                format!("`{name}` must be a number, not {}", other.type_name()),
                "not a number",
            ),
        }
    }

    /// An optional host number, kept as written.
    pub fn num(&self, name: &str) -> R<Option<Num>> {
        let Some(a) = self.get(name) else {
            return Ok(None);
        };
        match &a.value {
            Value::Num(n) => Ok(Some(*n)),
            Value::Unknown(_) => Err(Flow::Unknown),
            other => self.error(
                name,
                format!("`{name}` must be a number, not {}", other.type_name()),
                "not a number",
            ),
        }
    }

    /// A bool flag with a default.
    pub fn flag(&self, name: &str, default: bool) -> R<bool> {
        let Some(a) = self.get(name) else {
            return Ok(default);
        };
        match &a.value {
            Value::Num(Num::Bool(b)) => Ok(*b),
            Value::Unknown(_) => Err(Flow::Unknown),
            other => self.error(
                name,
                format!("`{name}` must be true or false, not {}", other.type_name()),
                "not a bool",
            ),
        }
    }

    /// An optional string.
    pub fn string(&self, name: &str) -> R<Option<String>> {
        let Some(a) = self.get(name) else {
            return Ok(None);
        };
        match &a.value {
            Value::Str(s) => Ok(Some(s.to_string())),
            Value::Unknown(_) => Err(Flow::Unknown),
            other => self.error(
                name,
                format!("`{name}` must be a string, not {}", other.type_name()),
                "not a string",
            ),
        }
    }

    /// An optional dtype, written bare (`f32`) or as a string (`"f32"`).
    pub fn dtype(&self, name: &str) -> R<Option<DType>> {
        let Some(a) = self.get(name) else {
            return Ok(None);
        };
        match &a.value {
            Value::DType(d) => Ok(Some(*d)),
            Value::Str(s) => match DType::from_name(s) {
                Some(d) => Ok(Some(d)),
                None => self.error(
                    name,
                    format!("unknown dtype \"{s}\""),
                    "expected one of bool u8 i32 i64 f32 f64",
                ),
            },
            Value::Unknown(_) => Err(Flow::Unknown),
            other => self.error(
                name,
                format!("`{name}` must be a dtype, not {}", other.type_name()),
                "not a dtype",
            ),
        }
    }

    /// A shape: an int or a list/tuple of non-negative ints.
    pub fn shape(&self, name: &str) -> R<Vec<usize>> {
        let Some(a) = self.get(name) else {
            return Ok(Vec::new());
        };
        let ints = int_list(&a.value).map_err(|m| list_error(m, a.span, "not a shape"))?;
        ints.into_iter()
            .map(|i| {
                if i < 0 {
                    self.error(
                        name,
                        format!("negative dimension {i} in a shape"),
                        "dimensions must be >= 0",
                    )
                } else {
                    Ok(i as usize)
                }
            })
            .collect()
    }

    /// A list of ints (an int alone counts as one).
    pub fn ints(&self, name: &str) -> R<Option<Vec<i64>>> {
        let Some(a) = self.get(name) else {
            return Ok(None);
        };
        int_list(&a.value)
            .map(Some)
            .map_err(|m| list_error(m, a.span, "expected integers"))
    }

    /// Reduction axes: none (all), an int or a tuple; normalised, sorted, distinct.
    pub fn axes(&self, name: &str, ndim: usize) -> R<Vec<usize>> {
        match self.ints(name)? {
            None => Ok((0..ndim).collect()),
            Some(list) => {
                let mut out = Vec::new();
                for a in list {
                    let ax = self.axis_value(name, a, ndim)?;
                    if out.contains(&ax) {
                        return self.error(name, format!("axis {a} is repeated"), "repeated axis");
                    }
                    out.push(ax);
                }
                out.sort_unstable();
                Ok(out)
            }
        }
    }

    /// Normalises one axis number against `ndim`.
    pub fn axis_value(&self, name: &str, a: i64, ndim: usize) -> R<usize> {
        let n = ndim as i64;
        if a < -n || a >= n {
            return self.error(
                name,
                format!(
                    "axis {a} is out of range for an array with {ndim} dimension{}",
                    if ndim == 1 { "" } else { "s" }
                ),
                "out of range",
            );
        }
        Ok(if a < 0 { (a + n) as usize } else { a as usize })
    }

    /// The `chunks=` argument.
    pub fn chunks(&self, name: &str) -> R<ChunkSpec> {
        let Some(a) = self.get(name) else {
            return Ok(ChunkSpec::Auto);
        };
        match &a.value {
            Value::Str(s) if &**s == "auto" => Ok(ChunkSpec::Auto),
            Value::Num(Num::Int(i)) => Ok(ChunkSpec::Uniform(*i)),
            Value::List(items) | Value::Tuple(items) => {
                let mut axes = Vec::new();
                for item in items.iter() {
                    axes.push(match item {
                        Value::Num(Num::Int(i)) => AxisChunks::Len(*i),
                        Value::Str(s) if &**s == "auto" => AxisChunks::Len(-1),
                        Value::List(_) | Value::Tuple(_) => {
                            let lens = int_list(item).map_err(|m| {
                                Flow::Error(Box::new(crate::syntax::diag::Diagnostic::error(
                                    m, a.span,
                                )))
                            })?;
                            AxisChunks::Explicit(
                                lens.into_iter().map(|l| l.max(0) as usize).collect(),
                            )
                        }
                        Value::Unknown(_) => return Err(Flow::Unknown),
                        other => {
                            return self.error(
                                name,
                                format!("bad chunk entry {}", other.type_name()),
                                "expected ints or lists of ints",
                            );
                        }
                    });
                }
                Ok(ChunkSpec::PerAxis(axes))
            }
            Value::Unknown(_) => Err(Flow::Unknown),
            other => self.error(
                name,
                format!(
                    "`chunks` must be \"auto\", an int or a list, not {}",
                    other.type_name()
                ),
                "bad chunks",
            ),
        }
    }

    /// Resolves `chunks=` for a shape, with an error at the argument.
    pub fn resolve_chunks(
        &self,
        interp: &crate::eval::Evaluator,
        name: &str,
        shape: &[usize],
        dtype: DType,
    ) -> R<Vec<Vec<usize>>> {
        let spec = self.chunks(name)?;
        let auto_bytes = interp.session.borrow().auto_chunk_bytes();
        crate::graph::chunks::resolve(&spec, shape, dtype.size(), auto_bytes)
            .or_else(|m| self.error(name, m, "bad chunks"))
    }

    /// The extra positional arguments collected by a `*rest` parameter.
    pub fn rest(&self, name: &str) -> Vec<Value> {
        match self
            .slots
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, a)| a.as_ref())
            .map(|a| &a.value)
        {
            Some(Value::List(v)) => v.as_ref().clone(),
            _ => Vec::new(),
        }
    }
}

/// Ints from an int, or a list or tuple of ints.
pub fn int_list(v: &Value) -> Result<Vec<i64>, String> {
    if contains_unknown(v) {
        return Err(UNKNOWN.into());
    }
    match v {
        Value::Num(Num::Int(i)) => Ok(vec![*i]),
        Value::List(items) | Value::Tuple(items) => items
            .iter()
            .map(|i| match i {
                Value::Num(Num::Int(i)) => Ok(*i),
                other => Err(format!("expected an integer, got {}", other.type_name())),
            })
            .collect(),
        other => Err(format!(
            "expected an integer or a list of integers, got {}",
            other.type_name()
        )),
    }
}

/// The marker message for "depends on computed values" (check mode).
const UNKNOWN: &str = "\u{0}unknown";

fn contains_unknown(v: &Value) -> bool {
    match v {
        Value::Unknown(_) => true,
        Value::List(items) | Value::Tuple(items) => items.iter().any(contains_unknown),
        _ => false,
    }
}

/// Turns an `int_list` failure into a diagnostic, or `Flow::Unknown` in check mode.
fn list_error(m: String, span: Span, label: &str) -> Flow {
    if m == UNKNOWN {
        Flow::Unknown
    } else {
        Flow::Error(Box::new(
            crate::syntax::diag::Diagnostic::error(m, span).with_label(label),
        ))
    }
}

/// Whether the host number `n` may become an element of `dtype`, as NumPy decides for
/// `full`/`array(..., dtype=)`: integers must be in the dtype's range, and floats going to
/// an integer dtype must be finite and in range once truncated. Casts to floats and bools
/// always succeed.
pub fn host_cast(n: Num, dtype: DType) -> Result<(), String> {
    if !dtype.is_int() {
        return Ok(());
    }
    let (lo, hi) = match dtype {
        DType::U8 => (0.0, 256.0),
        DType::I32 => (-2147483648.0, 2147483648.0),
        _ => (-9223372036854775808.0, 9223372036854775808.0),
    };
    match n {
        Num::Bool(_) => Ok(()),
        Num::Int(i) if dtype.holds_int(i) => Ok(()),
        Num::Int(i) => Err(format!("{i} is out of bounds for {dtype}")),
        Num::Float(f) if f.is_nan() => Err("cannot convert float nan to integer".into()),
        Num::Float(f) if f.is_infinite() => Err(format!(
            "cannot convert float {} to integer",
            if f > 0.0 { "inf" } else { "-inf" }
        )),
        Num::Float(f) if f.trunc() >= lo && f.trunc() < hi => Ok(()),
        Num::Float(f) => Err(format!("{f:e} is out of bounds for {dtype}")),
    }
}

/// Converts nested lists of numbers to an in-memory array (`array([[1, 2], [3, 4]])`).
pub fn list_to_array(v: &Value, dtype: Option<DType>, span: Span) -> R<Array> {
    let mut shape = Vec::new();
    let mut flat = Vec::new();
    let mut kind = 0u8; // 0 bool, 1 int, 2 float
    fn walk(
        v: &Value,
        depth: usize,
        shape: &mut Vec<usize>,
        flat: &mut Vec<Num>,
        kind: &mut u8,
    ) -> Result<(), String> {
        match v {
            Value::List(items) | Value::Tuple(items) => {
                if shape.len() == depth {
                    shape.push(items.len());
                } else if shape.get(depth) != Some(&items.len()) {
                    return Err("nested lists have different lengths".into());
                }
                for i in items.iter() {
                    walk(i, depth + 1, shape, flat, kind)?;
                }
                Ok(())
            }
            Value::Num(n) => {
                if depth != shape.len() {
                    return Err("nested lists have different depths".into());
                }
                *kind = (*kind).max(match n {
                    Num::Bool(_) => 0,
                    Num::Int(_) => 1,
                    Num::Float(_) => 2,
                });
                flat.push(*n);
                Ok(())
            }
            other => Err(format!(
                "array elements must be numbers, not {}",
                other.type_name()
            )),
        }
    }
    if let Value::Unknown(_) = v {
        return Err(Flow::Unknown);
    }
    walk(v, 0, &mut shape, &mut flat, &mut kind)
        .map_err(|m| Flow::Error(Box::new(crate::syntax::diag::Diagnostic::error(m, span))))?;
    let inferred = match kind {
        0 if !flat.is_empty() => DType::Bool,
        1 => DType::I64,
        _ => DType::F64,
    };
    if let Some(d) = dtype {
        for n in &flat {
            host_cast(*n, d).map_err(|m| {
                Flow::Error(Box::new(
                    crate::syntax::diag::Diagnostic::error(m, span)
                        .with_label(format!("not representable in {d}")),
                ))
            })?;
        }
    }
    let dtype = dtype.unwrap_or(inferred);
    let data = if kind == 2 || flat.is_empty() {
        Data::F64(
            ArrayD::from_shape_vec(IxDyn(&shape), flat.iter().map(|n| n.as_f64()).collect())
                .expect("walk counted every element"),
        )
    } else {
        let ints = flat.iter().map(|n| match n {
            Num::Int(i) => *i,
            Num::Bool(b) => *b as i64,
            Num::Float(f) => *f as i64,
        });
        Data::I64(
            ArrayD::from_shape_vec(IxDyn(&shape), ints.collect())
                .expect("walk counted every element"),
        )
    };
    let data = data.into_dtype(dtype);
    let chunks = crate::graph::chunks::auto(&shape, dtype.size());
    Ok(Array {
        dtype,
        shape: shape.iter().map(|&d| Some(d)).collect(),
        node: Some(crate::exec::data_node(data, chunks)),
    })
}
