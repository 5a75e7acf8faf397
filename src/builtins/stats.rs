//! Statistics builtins (LANGUAGE.md §11a): `histogram` and `bincount` (partial counts per
//! block, added in block order), `digitize`, `searchsorted`, `isin` (lookups into a small
//! table), exact `percentile`/`quantile`/`median` and their nan-forms (bounded-memory
//! selection, `exec::select`), `average` and `diff`. Semantics, keywords and result dtypes
//! are NumPy's.

use crate::builtins::{Args, Builtin, Group};
use crate::eval::ops::{binary, force_scalar};
use crate::eval::{Evaluator, Flow, R};
use crate::graph::blockops::{BlockOp, CountKind, Counts, LookupKind, Quantile};
use crate::graph::build;
use crate::graph::node::{Node, NodeRef, Op, ReduceOp, SliceItem};
use crate::kernel::MapOp;
use crate::sema::dtype::DType;
use crate::syntax::ast::{BinOp, Span};
use crate::value::{Array, Dim, Num, Value};
use std::sync::Arc;

/// Adds this group's builtins to the table.
pub fn register(t: &mut Vec<Builtin>) {
    let mut add = |name, params, doc, run| {
        t.push(Builtin {
            name,
            params,
            doc,
            group: Group::Reduction,
            run,
        })
    };
    add(
        "histogram",
        "x, bins=10, range=none, weights=none, density=false",
        "Counts of x in bins (an int: equal bins over range or the data's; or an edges array); returns (counts, edges).",
        histogram,
    );
    add(
        "bincount",
        "x, weights=none, minlength=0",
        "Occurrences (or summed weights) of each non-negative integer in a 1-D array.",
        bincount,
    );
    add(
        "digitize",
        "x, bins, right=false",
        "The bin index of each element among monotone bin edges.",
        digitize,
    );
    add(
        "searchsorted",
        "a, v, side=\"left\"",
        "Where each element of v would be inserted into the sorted 1-D array a.",
        searchsorted,
    );
    add(
        "isin",
        "x, values, invert=false",
        "Whether each element of x is among values.",
        isin,
    );
    add(
        "percentile",
        "x, q, axis=none, method=\"linear\", keepdims=false",
        "Exact q-th percentiles (0..100), NumPy's linear method; works on inputs larger than memory.",
        percentile,
    );
    add(
        "quantile",
        "x, q, axis=none, method=\"linear\", keepdims=false",
        "Exact q-th quantiles (0..1), NumPy's linear method.",
        percentile,
    );
    add(
        "nanpercentile",
        "x, q, axis=none, method=\"linear\", keepdims=false",
        "percentile, skipping nan.",
        percentile,
    );
    add(
        "nanquantile",
        "x, q, axis=none, method=\"linear\", keepdims=false",
        "quantile, skipping nan.",
        percentile,
    );
    add(
        "median",
        "x, axis=none, keepdims=false",
        "The exact median (the mean of the middle pair for an even count).",
        percentile,
    );
    add(
        "nanmedian",
        "x, axis=none, keepdims=false",
        "median, skipping nan.",
        percentile,
    );
    add(
        "average",
        "x, axis=none, weights=none",
        "The (weighted) mean along an axis.",
        average,
    );
    add(
        "diff",
        "x, n=1, axis=-1",
        "The n-th discrete difference along an axis.",
        diff,
    );
}

fn block_node(op: BlockOp, inputs: Vec<NodeRef>, dtype: DType, shape: Vec<usize>) -> NodeRef {
    Arc::new(Node {
        op: Op::Block(op),
        inputs,
        dtype,
        chunks: shape.iter().map(|&n| vec![n]).collect(),
        shape,
    })
}

fn ravel(n: NodeRef) -> NodeRef {
    if n.shape.len() == 1 {
        return n;
    }
    let size = n.size();
    build::reshape(n, vec![size])
}

fn f64_data(v: Vec<f64>) -> NodeRef {
    let n = v.len();
    crate::exec::data_node(
        crate::data::Data::F64(
            ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[n]), v).expect("1-D"),
        ),
        vec![vec![n]],
    )
}

/// A list of numbers, or an array computed to memory (run mode).
fn host_floats(interp: &Evaluator, args: &Args, name: &str) -> R<Option<(Vec<f64>, Array)>> {
    let Some(v) = args.value(name) else {
        return Ok(None);
    };
    let arr = match v {
        Value::List(_) | Value::Tuple(_) => {
            crate::builtins::args::list_to_array(v, None, args.span_of(name))?
        }
        Value::Array(a) => a.clone(),
        Value::Unknown(_) => return Err(Flow::Unknown),
        other => {
            return args.error(
                name,
                format!("{name} must be an array, not {}", other.type_name()),
                "not an array",
            );
        }
    };
    if interp.check {
        return Err(Flow::Unknown);
    }
    let data = crate::eval::ops::compute_array(interp, &arr, args.span_of(name))?;
    Ok(Some((data.to_f64_vec(), arr)))
}

fn histogram(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let density = args.flag("density", false)?;
    let weights = match args.get("weights") {
        Some(_) => Some(args.array("weights")?),
        None => None,
    };
    if let Some(w) = &weights
        && w.shape != x.shape
    {
        return args.error(
            "weights",
            format!(
                "weights {} must have the shape of x {}",
                w.type_text(),
                x.type_text()
            ),
            "shape differs",
        );
    }
    let counts_dtype = if density {
        DType::F64
    } else {
        match &weights {
            Some(w) if w.dtype.is_float() => w.dtype,
            _ => DType::I64,
        }
    };
    let range = match args.value("range") {
        None => None,
        Some(v) => {
            let r =
                crate::builtins::args::list_to_array(v, Some(DType::F64), args.span_of("range"))?;
            let vals = match (&r.node, r.shape.as_slice()) {
                (_, [Some(2)]) => r,
                _ => return args.error("range", "range must be a pair (min, max)", "not a pair"),
            };
            Some(vals)
        }
    };
    let range_vals = match &range {
        Some(_) => {
            let v = args.value("range").cloned().unwrap_or(Value::None);
            let list = match &v {
                Value::List(l) | Value::Tuple(l) => {
                    l.iter().map(num_of).collect::<Option<Vec<f64>>>()
                }
                _ => None,
            };
            let Some(list) = list else {
                return args.error("range", "range must be a pair of numbers", "not numbers");
            };
            if list[0] > list[1] {
                return args.error("range", "max must be larger than min in range", "min > max");
            }
            if !list.iter().all(|v| v.is_finite()) {
                return args.error("range", "range must be finite", "not finite");
            }
            Some((list[0], list[1]))
        }
        None => None,
    };
    // bins: an int, or edges.
    let (kind, edges_dtype, edges_len) = match args.value("bins") {
        None => (None, None, 11),
        Some(Value::Num(Num::Int(b))) => {
            if *b <= 0 {
                return args.error(
                    "bins",
                    format!("bins must be a positive integer, got {b}"),
                    "bins <= 0",
                );
            }
            (None, None, *b as usize + 1)
        }
        Some(Value::Unknown(_)) => return Err(Flow::Unknown),
        Some(_) => {
            let Some((edges, arr)) = (match host_floats(interp, args, "bins") {
                Err(Flow::Unknown) if interp.check => {
                    let arr = args.array("bins")?;
                    if arr.shape.len() != 1 {
                        return args.error("bins", "bin edges must be a 1-D array", "not 1-D");
                    }
                    return Ok(Value::tuple(vec![
                        Value::Array(Array {
                            dtype: counts_dtype,
                            shape: vec![arr.shape[0].map(|n| n.saturating_sub(1))],
                            node: None,
                        }),
                        Value::Array(Array {
                            dtype: arr.dtype,
                            shape: arr.shape.clone(),
                            node: None,
                        }),
                    ]));
                }
                other => other?,
            }) else {
                return Err(Flow::Unknown);
            };
            if arr.shape.len() != 1 || edges.len() < 2 {
                return args.error(
                    "bins",
                    "bin edges must be a 1-D array of at least 2 values",
                    "bad edges",
                );
            }
            if edges
                .windows(2)
                .any(|w| w[0] > w[1] || w[0].is_nan() || w[1].is_nan())
            {
                return args.error("bins", "bins must increase monotonically", "not increasing");
            }
            let n = edges.len();
            (Some((CountKind::Edges(Arc::new(edges)), arr)), Some(()), n)
        }
    };
    let _ = edges_dtype;
    let bins = edges_len - 1;
    let float_x = if x.dtype == DType::F32 {
        DType::F32
    } else {
        DType::F64
    };
    let out_edges_dtype = match &kind {
        Some((_, arr)) => arr.dtype,
        None => float_x,
    };
    if interp.check {
        return Ok(Value::tuple(vec![
            Value::Array(Array {
                dtype: counts_dtype,
                shape: vec![Some(bins)],
                node: None,
            }),
            Value::Array(Array {
                dtype: out_edges_dtype,
                shape: vec![Some(edges_len)],
                node: None,
            }),
        ]));
    }
    let (Some(xn), wn) = (x.node.clone(), weights.as_ref().map(|w| w.node.clone())) else {
        return Err(Flow::Unknown);
    };
    let xn = ravel(xn);
    let mut inputs = vec![xn.clone()];
    if let Some(w) = wn {
        inputs.push(ravel(w.ok_or(Flow::Unknown)?));
    }
    let (count_kind, edges_node) = match kind {
        Some((k, arr)) => (k, arr.node.ok_or(Flow::Unknown)?),
        None => {
            let range_node = match range_vals {
                Some((lo, hi)) => f64_data(vec![lo, hi]),
                None => {
                    if x.known_shape()
                        .is_some_and(|s| s.iter().product::<usize>() == 0)
                    {
                        f64_data(vec![0.0, 1.0])
                    } else {
                        let lo = build::reduce(ReduceOp::Min, xn.clone(), vec![0], true, 0.0);
                        let hi = build::reduce(ReduceOp::Max, xn.clone(), vec![0], true, 0.0);
                        let both = build::concat(vec![lo, hi], 0);
                        build::map(MapOp::Cast, both.dtype, DType::F64, vec![both])
                    }
                }
            };
            inputs.push(range_node.clone());
            let edges = block_node(
                BlockOp::Edges { bins },
                vec![range_node],
                out_edges_dtype,
                vec![edges_len],
            );
            (CountKind::Uniform { bins }, edges)
        }
    };
    let counts = block_node(
        BlockOp::Counts(Arc::new(Counts {
            kind: count_kind,
            weighted: weights.is_some(),
            density,
        })),
        inputs,
        counts_dtype,
        vec![bins],
    );
    Ok(Value::tuple(vec![
        Value::Array(Array {
            dtype: counts_dtype,
            shape: vec![Some(bins)],
            node: Some(counts),
        }),
        Value::Array(Array {
            dtype: out_edges_dtype,
            shape: vec![Some(edges_len)],
            node: Some(edges_node),
        }),
    ]))
}

fn num_of(v: &Value) -> Option<f64> {
    match v {
        Value::Num(n) => Some(n.as_f64()),
        _ => None,
    }
}

fn bincount(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    if x.dtype.is_float() {
        return args.error(
            "x",
            format!("bincount needs integers, not {}", x.dtype),
            "not integers",
        );
    }
    if x.shape.len() != 1 {
        return args.error(
            "x",
            format!("bincount needs a 1-D array, not {}", x.type_text()),
            "not 1-D",
        );
    }
    let minlength = args.int_or("minlength", 0)?;
    if minlength < 0 {
        return args.error("minlength", "minlength must not be negative", "negative");
    }
    let weights = match args.get("weights") {
        Some(_) => Some(args.array("weights")?),
        None => None,
    };
    if let Some(w) = &weights
        && w.shape != x.shape
    {
        return args.error(
            "weights",
            format!(
                "weights {} must have the shape of x {}",
                w.type_text(),
                x.type_text()
            ),
            "shape differs",
        );
    }
    let dtype = if weights.is_some() {
        DType::F64
    } else {
        DType::I64
    };
    if interp.check {
        return Ok(Value::Array(Array {
            dtype,
            shape: vec![None],
            node: None,
        }));
    }
    let Some(xn) = x.node.clone() else {
        return Err(Flow::Unknown);
    };
    let mut len = minlength as usize;
    if xn.size() > 0 {
        let reduce = |op| Array {
            dtype: xn.dtype,
            shape: Vec::new(),
            node: Some(build::reduce(op, xn.clone(), vec![0], false, 0.0)),
        };
        let lo = force_scalar(interp, &reduce(ReduceOp::Min), args.span_of("x"))?;
        if let Num::Int(v) = lo
            && v < 0
        {
            return args.error(
                "x",
                format!("bincount needs non-negative integers, but x holds {v}"),
                "negative value",
            );
        }
        let hi = force_scalar(interp, &reduce(ReduceOp::Max), args.span_of("x"))?;
        let hi = match hi {
            Num::Int(v) => v.max(0) as usize,
            Num::Bool(b) => b as usize,
            Num::Float(f) => f.max(0.0) as usize,
        };
        len = len.max(hi + 1);
    }
    let mut inputs = vec![xn];
    if let Some(w) = &weights {
        inputs.push(w.node.clone().ok_or(Flow::Unknown)?);
    }
    let node = block_node(
        BlockOp::Counts(Arc::new(Counts {
            kind: CountKind::Bincount { len },
            weighted: weights.is_some(),
            density: false,
        })),
        inputs,
        dtype,
        vec![len],
    );
    Ok(Value::Array(Array {
        dtype,
        shape: vec![Some(len)],
        node: Some(node),
    }))
}

/// A lookup node: `x` element-wise against the 1-D `table`.
fn lookup(
    interp: &Evaluator,
    x: &Array,
    table: &Array,
    kind: LookupKind,
    dtype: DType,
) -> R<Value> {
    if interp.check {
        return Ok(Value::Array(Array {
            dtype,
            shape: x.shape.clone(),
            node: None,
        }));
    }
    let (Some(xn), Some(tn)) = (x.node.clone(), table.node.clone()) else {
        return Err(Flow::Unknown);
    };
    let tn = ravel(tn);
    let node = Arc::new(Node {
        op: Op::Block(BlockOp::Lookup(kind)),
        dtype,
        shape: xn.shape.clone(),
        chunks: xn.chunks.clone(),
        inputs: vec![xn, tn],
    });
    Ok(Value::Array(Array {
        dtype,
        shape: x.shape.clone(),
        node: Some(node),
    }))
}

fn digitize(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let bins = args.array("bins")?;
    if bins.shape.len() != 1 {
        return args.error(
            "bins",
            format!("bins must be 1-D, not {}", bins.type_text()),
            "not 1-D",
        );
    }
    let right = args.flag("right", false)?;
    lookup(
        interp,
        &x,
        &bins,
        LookupKind::Digitize { right },
        DType::I64,
    )
}

fn searchsorted(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let a = args.array("a")?;
    let v = args.array("v")?;
    if a.shape.len() != 1 {
        return args.error(
            "a",
            format!(
                "searchsorted needs a 1-D sorted array, not {}",
                a.type_text()
            ),
            "not 1-D",
        );
    }
    let right = match args.string("side")?.as_deref() {
        None | Some("left") => false,
        Some("right") => true,
        Some(other) => {
            return args.error(
                "side",
                format!("side must be \"left\" or \"right\", not \"{other}\""),
                "unknown side",
            );
        }
    };
    lookup(
        interp,
        &v,
        &a,
        LookupKind::SearchSorted { right },
        DType::I64,
    )
}

fn isin(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let values = args.array("values")?;
    let invert = args.flag("invert", false)?;
    lookup(
        interp,
        &x,
        &values,
        LookupKind::IsIn { invert },
        DType::Bool,
    )
}

fn percentile(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let name = args.name;
    let x = args.array("x")?;
    let median = name.ends_with("median");
    let skip_nan = name.starts_with("nan");
    let scale = if name.ends_with("percentile") {
        100.0
    } else {
        1.0
    };
    let (qs, q_axis) = if median {
        (vec![0.5], false)
    } else {
        let Some(v) = args.value("q") else {
            return args.error("q", format!("`{name}` needs q"), "missing");
        };
        match v {
            Value::Num(n) => (vec![n.as_f64()], false),
            Value::List(_) | Value::Tuple(_) => {
                let a =
                    crate::builtins::args::list_to_array(v, Some(DType::F64), args.span_of("q"))?;
                if a.shape.len() != 1 {
                    return args.error("q", "q must be a number or a flat list", "nested list");
                }
                let vals = match v {
                    Value::List(l) | Value::Tuple(l) => {
                        l.iter().map(num_of).collect::<Option<Vec<f64>>>()
                    }
                    _ => None,
                };
                let Some(vals) = vals else {
                    return args.error("q", "q must hold numbers", "not numbers");
                };
                (vals, true)
            }
            Value::Unknown(_) => return Err(Flow::Unknown),
            other => {
                return args.error(
                    "q",
                    format!("q must be a number or a list, not {}", other.type_name()),
                    "bad q",
                );
            }
        }
    };
    if let Some(bad) = qs.iter().find(|&&q| !(0.0..=scale).contains(&q)) {
        let what = if scale == 100.0 {
            "Percentiles must be in the range [0, 100]"
        } else {
            "Quantiles must be in the range [0, 1]"
        };
        return args.error("q", format!("{what}, got {bad}"), "out of range");
    }
    if !median
        && let Some(m) = args.string("method")?
        && m != "linear"
    {
        return args.error(
            "method",
            format!("only method=\"linear\" is supported, not \"{m}\""),
            "unknown method",
        );
    }
    let keepdims = args.flag("keepdims", false)?;
    let nd = x.shape.len();
    let axis = match args.int("axis")? {
        None => None,
        Some(a) => Some(args.axis_value("axis", a, nd)?),
    };
    // NumPy: f32 stays f32 for a scalar q and for the median; a list q gives f64.
    let dtype = if x.dtype == DType::F32 && !q_axis {
        DType::F32
    } else {
        DType::F64
    };
    let mut shape: Vec<Dim> = Vec::new();
    if q_axis {
        shape.push(Some(qs.len()));
    }
    for (k, d) in x.shape.iter().enumerate() {
        match axis {
            None if keepdims => shape.push(Some(1)),
            None => {}
            Some(a) if a == k && keepdims => shape.push(Some(1)),
            Some(a) if a == k => {}
            Some(_) => shape.push(*d),
        }
    }
    if interp.check {
        return Ok(Value::Array(Array {
            dtype,
            shape,
            node: None,
        }));
    }
    let Some(xn) = x.node.clone() else {
        return Err(Flow::Unknown);
    };
    let limit = interp.session.borrow().exec.memory_limit;
    let budget_elems = (limit / 4 / 8).max(1024);
    let out_shape: Vec<usize> = shape.iter().map(|d| d.unwrap_or(0)).collect();
    // Output blocks: the quantile axis whole, the kept axes cut as the input's.
    let mut chunks = Vec::new();
    if q_axis {
        chunks.push(vec![qs.len()]);
    }
    for (k, c) in xn.chunks.iter().enumerate() {
        match axis {
            None if keepdims => chunks.push(vec![1]),
            None => {}
            Some(a) if a == k && keepdims => chunks.push(vec![1]),
            Some(a) if a == k => {}
            Some(_) => chunks.push(c.clone()),
        }
    }
    let node = Arc::new(Node {
        op: Op::Block(BlockOp::Quantile(Arc::new(Quantile {
            qs: qs.iter().map(|q| q / scale).collect(),
            q_axis,
            axis,
            keepdims,
            median,
            skip_nan,
            budget_elems,
        }))),
        inputs: vec![xn],
        dtype,
        shape: out_shape,
        chunks,
    });
    Ok(Value::Array(Array {
        dtype,
        shape,
        node: Some(node),
    }))
}

/// Calls a builtin by name.
fn call(
    interp: &mut Evaluator,
    name: &str,
    pos: Vec<Value>,
    kw: Vec<(&str, Value)>,
    span: Span,
) -> R<Value> {
    let f = crate::builtins::lookup_global(name).unwrap_or(Value::None);
    let mut raw: Vec<crate::eval::signature::RawArg> =
        pos.into_iter().map(|v| (None, v, span)).collect();
    raw.extend(
        kw.into_iter()
            .map(|(k, v)| (Some((k.to_string(), span)), v, span)),
    );
    interp.call_value(f, raw, span, span)
}

fn axis_value(axis: Option<usize>) -> Value {
    axis.map_or(Value::None, |a| Value::Num(Num::Int(a as i64)))
}

fn average(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let span = args.span;
    let nd = x.shape.len();
    let axis = match args.int("axis")? {
        None => None,
        Some(a) => Some(args.axis_value("axis", a, nd)?),
    };
    let Some(wv) = args
        .get("weights")
        .map(|_| args.array("weights"))
        .transpose()?
    else {
        return call(
            interp,
            "mean",
            vec![Value::Array(x)],
            vec![("axis", axis_value(axis))],
            span,
        );
    };
    let w = if wv.shape == x.shape {
        wv
    } else {
        let Some(a) = axis else {
            return args.error(
                "weights",
                "weights of a different shape than x need axis=",
                "needs axis",
            );
        };
        if wv.shape.len() != 1 || wv.shape[0] != x.shape[a] {
            return args.error(
                "weights",
                format!(
                    "weights {} must have the shape of x {} or the length of axis {a}",
                    wv.type_text(),
                    x.type_text()
                ),
                "shape differs",
            );
        }
        let mut new_shape: Vec<i64> = vec![1; nd];
        new_shape[a] = -1;
        let shape_v = Value::List(std::rc::Rc::new(
            new_shape.iter().map(|&d| Value::Num(Num::Int(d))).collect(),
        ));
        let r = call(
            interp,
            "reshape",
            vec![Value::Array(wv), shape_v],
            vec![],
            span,
        )?;
        let Value::Array(r) = r else {
            return Err(Flow::Unknown);
        };
        r
    };
    // NumPy: integer and bool inputs average in f64.
    let promote = |interp: &mut Evaluator, a: Array| -> R<Value> {
        if a.dtype.is_float() {
            Ok(Value::Array(a))
        } else {
            call(
                interp,
                "astype",
                vec![Value::Array(a), Value::DType(DType::F64)],
                vec![],
                span,
            )
        }
    };
    let xv = promote(interp, x.clone())?;
    let wv2 = promote(interp, w.clone())?;
    let prod = binary(interp, BinOp::Mul, xv, wv2.clone(), span, span, span)?;
    let num = call(
        interp,
        "sum",
        vec![prod],
        vec![("axis", axis_value(axis))],
        span,
    )?;
    let den = if w.shape == x.shape {
        call(
            interp,
            "sum",
            vec![wv2],
            vec![("axis", axis_value(axis))],
            span,
        )?
    } else {
        let b = call(
            interp,
            "broadcast_to",
            vec![
                wv2,
                Value::List(std::rc::Rc::new(
                    x.shape
                        .iter()
                        .map(|d| Value::Num(Num::Int(d.unwrap_or(0) as i64)))
                        .collect(),
                )),
            ],
            vec![],
            span,
        )?;
        call(
            interp,
            "sum",
            vec![b],
            vec![("axis", axis_value(axis))],
            span,
        )?
    };
    binary(interp, BinOp::Div, num, den, span, span, span)
}

/// `x` sliced to `start..start+len` on `axis`.
fn slice_axis(interp: &Evaluator, x: &Array, axis: usize, start: usize, len: usize) -> Array {
    let mut shape = x.shape.clone();
    shape[axis] = Some(len);
    let node = if interp.check {
        None
    } else {
        x.node.clone().map(|n| {
            let items = (0..n.shape.len())
                .map(|k| SliceItem::Take {
                    axis: k,
                    start: if k == axis { start as i64 } else { 0 },
                    step: 1,
                    len: if k == axis { len } else { n.shape[k] },
                })
                .collect();
            build::slice(n, items)
        })
    };
    Array {
        dtype: x.dtype,
        shape,
        node,
    }
}

fn diff(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let nd = x.shape.len();
    if nd == 0 {
        return args.error("x", "diff needs at least one dimension", "0-d array");
    }
    let n = args.int_or("n", 1)?;
    if n < 0 {
        return args.error(
            "n",
            format!("order must be non-negative but got {n}"),
            "negative",
        );
    }
    let axis = args.axis_value("axis", args.int_or("axis", -1)?, nd)?;
    let span = args.span;
    let mut cur = x;
    for _ in 0..n {
        let Some(len) = cur.shape[axis] else {
            return Err(Flow::Unknown);
        };
        let m = len.saturating_sub(1);
        let hi = slice_axis(interp, &cur, axis, len.min(1), m);
        let lo = slice_axis(interp, &cur, axis, 0, m);
        let op = if cur.dtype == DType::Bool {
            BinOp::Ne
        } else {
            BinOp::Sub
        };
        let r = binary(
            interp,
            op,
            Value::Array(hi),
            Value::Array(lo),
            span,
            span,
            span,
        )?;
        let Value::Array(r) = r else {
            return Err(Flow::Unknown);
        };
        cur = r;
    }
    Ok(Value::Array(cur))
}
