//! Creation builtins: zeros, ones, full, full_like, arange, linspace, eye, array, and the
//! counter-based random generators of `random.*`.

use crate::builtins::args::list_to_array;
use crate::builtins::{Args, Builtin, Group};
use crate::eval::{Evaluator, R};
use crate::graph::build;
use crate::graph::node::{Distribution, FullValue, Source};
use crate::kernel::philox::RandomStream;
use crate::sema::dtype::DType;
use crate::value::{Array, Num, Value};

/// Adds this group's builtins to the table.
pub fn register(t: &mut Vec<Builtin>) {
    let mut add = |name, params, doc, group, run| {
        t.push(Builtin {
            name,
            params,
            doc,
            group,
            run,
        })
    };
    add(
        "zeros",
        "shape, dtype=f64, chunks=\"auto\"",
        "An array of zeros.",
        Group::Creation,
        zeros,
    );
    add(
        "ones",
        "shape, dtype=f64, chunks=\"auto\"",
        "An array of ones.",
        Group::Creation,
        ones,
    );
    add(
        "empty",
        "shape, dtype=f64, chunks=\"auto\"",
        "An uninitialised array (Arr fills it with zeros).",
        Group::Creation,
        zeros,
    );
    add(
        "full",
        "shape, fill_value, dtype=none, chunks=\"auto\"",
        "An array filled with one value.",
        Group::Creation,
        full,
    );
    add(
        "full_like",
        "x, fill_value, dtype=none, chunks=none",
        "An array like x filled with one value.",
        Group::Creation,
        full_like,
    );
    add(
        "arange",
        "start, stop=none, step=1, dtype=none, chunks=\"auto\"",
        "Evenly spaced values in [start, stop).",
        Group::Creation,
        arange,
    );
    add(
        "linspace",
        "start, stop, num=50, endpoint=true, dtype=none, chunks=\"auto\"",
        "num evenly spaced values from start to stop.",
        Group::Creation,
        linspace,
    );
    add(
        "eye",
        "n, m=none, k=0, dtype=f64, chunks=\"auto\"",
        "Ones on the k-th diagonal, zeros elsewhere.",
        Group::Creation,
        eye,
    );
    add(
        "array",
        "data, dtype=none, chunks=\"auto\"",
        "An array from nested lists of numbers.",
        Group::Creation,
        array,
    );
    add(
        "random.normal",
        "loc=0.0, scale=1.0, shape=none, chunks=\"auto\", seed=none, dtype=f64",
        "Normal samples (counter-based Philox4x32-10).",
        Group::Random,
        random_normal,
    );
    add(
        "random.uniform",
        "low=0.0, high=1.0, shape=none, chunks=\"auto\", seed=none, dtype=f64",
        "Uniform samples in [low, high).",
        Group::Random,
        random_uniform,
    );
    add(
        "random.integers",
        "low, high=none, shape=none, chunks=\"auto\", seed=none, dtype=i64",
        "Integers in [low, high).",
        Group::Random,
        random_integers,
    );
    add(
        "random.seed",
        "seed",
        "Sets the session seed and restarts the stream counter.",
        Group::Random,
        random_seed,
    );
}

/// Makes a source array (check mode: no node).
pub fn source_array(
    interp: &Evaluator,
    src: Source,
    dtype: DType,
    shape: Vec<usize>,
    chunks: Vec<Vec<usize>>,
) -> Value {
    let dims = shape.iter().map(|&d| Some(d)).collect();
    let node = (!interp.check).then(|| build::source(src, dtype, shape, chunks));
    Value::Array(Array {
        dtype,
        shape: dims,
        node,
    })
}

fn fill(interp: &mut Evaluator, args: &mut Args, value: Num, dtype: DType) -> R<Value> {
    let shape = args.shape("shape")?;
    let chunks = args.resolve_chunks(interp, "chunks", &shape, dtype)?;
    Ok(source_array(
        interp,
        Source::Full(full_value(value)),
        dtype,
        shape,
        chunks,
    ))
}

fn full_value(n: Num) -> FullValue {
    match n {
        Num::Bool(b) => FullValue::Bool(b),
        Num::Int(i) => FullValue::Int(i),
        Num::Float(f) => FullValue::Float(f),
    }
}

fn num_dtype(n: Num) -> DType {
    match n {
        Num::Bool(_) => DType::Bool,
        Num::Int(_) => DType::I64,
        Num::Float(_) => DType::F64,
    }
}

fn zeros(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let dtype = args.dtype("dtype")?.unwrap_or(DType::F64);
    fill(interp, args, Num::Int(0), dtype)
}

fn ones(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let dtype = args.dtype("dtype")?.unwrap_or(DType::F64);
    fill(interp, args, Num::Int(1), dtype)
}

fn full(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let Some(v) = args.num("fill_value")? else {
        return args.error(
            "fill_value",
            "`full` needs a number for `fill_value`",
            "missing",
        );
    };
    let dtype = args.dtype("dtype")?.unwrap_or(num_dtype(v));
    crate::builtins::args::host_cast(v, dtype)
        .or_else(|m| args.error("fill_value", m, format!("not representable in {dtype}")))?;
    fill(interp, args, v, dtype)
}

fn full_like(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let Some(v) = args.num("fill_value")? else {
        return args.error(
            "fill_value",
            "`full_like` needs a number for `fill_value`",
            "missing",
        );
    };
    let dtype = args.dtype("dtype")?.unwrap_or(x.dtype);
    crate::builtins::args::host_cast(v, dtype)
        .or_else(|m| args.error("fill_value", m, format!("not representable in {dtype}")))?;
    let Some(shape) = x.known_shape() else {
        return Err(crate::eval::Flow::Unknown);
    };
    let chunks = match (args.get("chunks"), &x.node) {
        (None, Some(n)) => n.chunks.clone(),
        _ => args.resolve_chunks(interp, "chunks", &shape, dtype)?,
    };
    Ok(source_array(
        interp,
        Source::Full(full_value(v)),
        dtype,
        shape,
        chunks,
    ))
}

fn arange(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let a = args.num("start")?.unwrap_or(Num::Int(0));
    let (start, stop) = match args.num("stop")? {
        Some(stop) => (a, stop),
        None => (Num::Int(0), a),
    };
    let step = args.num("step")?.unwrap_or(Num::Int(1));
    if step.as_f64() == 0.0 {
        return args.error("step", "arange step cannot be zero", "step 0");
    }
    let any_float = [start, stop, step]
        .iter()
        .any(|n| matches!(n, Num::Float(_)));
    let dtype = args
        .dtype("dtype")?
        .unwrap_or(if any_float { DType::F64 } else { DType::I64 });
    // NumPy's rule: ceil((stop - start) / step) elements, refused when that is not a
    // number or more than an array can hold (never a wrapped or saturated length).
    let span = ((stop.as_f64() - start.as_f64()) / step.as_f64()).ceil();
    if span.is_nan() || span == f64::INFINITY {
        let which = if !step.as_f64().is_finite() {
            "step"
        } else if args.get("stop").is_some() {
            "stop"
        } else {
            "start"
        };
        return args.error(
            which,
            format!(
                "arange cannot compute its length: (stop - start) / step is {span} for start={}, stop={}, step={}",
                start.as_f64(),
                stop.as_f64(),
                step.as_f64()
            ),
            "not finite",
        );
    }
    let max_len = crate::sema::size::MAX_BYTES / dtype.size();
    if span > max_len as f64 {
        return args.error(
            which_bound(args),
            format!(
                "array is too big: arange would have {span:.3e} elements, more than the largest possible {dtype} array ({max_len})"
            ),
            "too many elements",
        );
    }
    let len = span.max(0.0) as usize;
    let chunks = args.resolve_chunks(interp, "chunks", &[len], dtype)?;
    let src = Source::Arange {
        start: start.as_f64(),
        step: step.as_f64(),
    };
    Ok(source_array(interp, src, dtype, vec![len], chunks))
}

/// The argument of `arange` that sets its end.
fn which_bound(args: &Args) -> &'static str {
    if args.get("stop").is_some() {
        "stop"
    } else {
        "start"
    }
}

fn linspace(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let start = args.float("start")?.unwrap_or(0.0);
    let stop = args.float("stop")?.unwrap_or(0.0);
    let num = args.int_or("num", 50)?;
    if num < 0 {
        return args.error("num", format!("`num` must be >= 0, not {num}"), "negative");
    }
    let endpoint = args.flag("endpoint", true)?;
    let dtype = args.dtype("dtype")?.unwrap_or(DType::F64);
    let chunks = args.resolve_chunks(interp, "chunks", &[num as usize], dtype)?;
    let src = Source::Linspace {
        start,
        stop,
        num: num as usize,
        endpoint,
    };
    Ok(source_array(interp, src, dtype, vec![num as usize], chunks))
}

fn eye(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let n = args.int_or("n", 0)?;
    let m = args.int("m")?.unwrap_or(n);
    if n < 0 || m < 0 {
        return args.error("n", "eye needs non-negative sizes", "negative size");
    }
    let k = args.int_or("k", 0)?;
    let dtype = args.dtype("dtype")?.unwrap_or(DType::F64);
    let shape = vec![n as usize, m as usize];
    let chunks = args.resolve_chunks(interp, "chunks", &shape, dtype)?;
    Ok(source_array(
        interp,
        Source::Eye { k },
        dtype,
        shape,
        chunks,
    ))
}

fn array(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let dtype = args.dtype("dtype")?;
    let Some(data) = args.get("data") else {
        return args.error("data", "`array` needs data", "missing");
    };
    let (v, span) = (data.value.clone(), data.span);
    let mut arr = match &v {
        Value::Array(a) => {
            let out = match dtype {
                Some(d) if d != a.dtype => crate::builtins::elementwise::cast(interp, a, d),
                _ => Value::Array(a.clone()),
            };
            return Ok(out);
        }
        Value::Num(n) => list_to_array(
            &Value::List(std::rc::Rc::new(vec![Value::Num(*n)])),
            dtype,
            span,
        )
        .map(|a| reshape_scalar(interp, a))?,
        _ => list_to_array(&v, dtype, span)?,
    };
    if args.get("chunks").is_some()
        && let (Some(shape), Some(node)) = (arr.known_shape(), arr.node.clone())
    {
        let grid = args.resolve_chunks(interp, "chunks", &shape, arr.dtype)?;
        arr.node = Some(build::rechunk(node, grid));
    }
    // Literal data stays attached in check mode too, so literal index arrays can be checked.
    Ok(Value::Array(arr))
}

fn reshape_scalar(_interp: &Evaluator, a: Array) -> Array {
    let node = a.node.map(|n| build::reshape(n, Vec::new()));
    Array {
        dtype: a.dtype,
        shape: Vec::new(),
        node,
    }
}

/// The stream for a random call: explicit seeds always mean stream 0 of that seed; otherwise
/// the session's next stream.
fn stream_for(interp: &mut Evaluator, args: &Args) -> R<RandomStream> {
    if let Some(seed) = args.int("seed")? {
        return Ok(RandomStream {
            seed: seed as u64,
            stream: 0,
        });
    }
    let mut s = interp.session.borrow_mut();
    let stream = RandomStream {
        seed: s.seed,
        stream: s.next_stream,
    };
    if !interp.check {
        s.next_stream = s.next_stream.wrapping_add(1);
    }
    Ok(stream)
}

fn random_source(
    interp: &mut Evaluator,
    args: &mut Args,
    dist: Distribution,
    default: DType,
) -> R<Value> {
    let dtype = args.dtype("dtype")?.unwrap_or(default);
    let shape = args.shape("shape")?;
    let chunks = args.resolve_chunks(interp, "chunks", &shape, dtype)?;
    let stream = stream_for(interp, args)?;
    Ok(source_array(
        interp,
        Source::Random { dist, stream },
        dtype,
        shape,
        chunks,
    ))
}

fn random_normal(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let loc = args.float("loc")?.unwrap_or(0.0);
    let scale = args.float("scale")?.unwrap_or(1.0);
    if scale < 0.0 {
        return args.error(
            "scale",
            format!("`scale` must be >= 0, not {scale}"),
            "negative scale",
        );
    }
    if let Some(d) = args.dtype("dtype")?
        && !d.is_float()
    {
        return args.error(
            "dtype",
            format!("random.normal gives floats, not {d}"),
            "use f32 or f64",
        );
    }
    random_source(
        interp,
        args,
        Distribution::Normal { loc, scale },
        DType::F64,
    )
}

fn random_uniform(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let low = args.float("low")?.unwrap_or(0.0);
    let high = args.float("high")?.unwrap_or(1.0);
    if let Some(d) = args.dtype("dtype")?
        && !d.is_float()
    {
        return args.error(
            "dtype",
            format!("random.uniform gives floats, not {d}"),
            "use f32 or f64",
        );
    }
    random_source(
        interp,
        args,
        Distribution::Uniform { low, high },
        DType::F64,
    )
}

fn random_integers(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let a = args.int("low")?.unwrap_or(0);
    let (low, high) = match args.int("high")? {
        Some(h) => (a, h),
        None => (0, a),
    };
    if high <= low {
        return args.error(
            "high",
            format!("random.integers needs low < high, got [{low}, {high})"),
            "empty range",
        );
    }
    if let Some(d) = args.dtype("dtype")? {
        if !d.is_int() {
            return args.error(
                "dtype",
                format!("random.integers gives integers, not {d}"),
                "use u8, i32 or i64",
            );
        }
        if !d.holds_int(low) || !d.holds_int(high - 1) {
            return args.error(
                "dtype",
                format!("[{low}, {high}) does not fit {d}"),
                "out of range",
            );
        }
    }
    random_source(
        interp,
        args,
        Distribution::Integers { low, high },
        DType::I64,
    )
}

fn random_seed(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let seed = args.int("seed")?.unwrap_or(0);
    if !interp.check {
        let mut s = interp.session.borrow_mut();
        s.seed = seed as u64;
        s.next_stream = 1;
    }
    Ok(Value::None)
}
