//! Factorisations and square-matrix routines (LANGUAGE.md §11a), with faer's dense kernels.
//!
//! `linalg.qr`, `linalg.svd` and `linalg.lstsq` go through TSQR: the R factor of every row
//! block is computed in one streaming pass (`exec::linalg`'s `TsqrR` node), the stacked Rs
//! are factored in memory, and Q stays lazy (`TsqrQ`: each block recomputed from its row
//! block), so memory is one row block plus the small factors. `linalg.svd_compressed` is
//! Dask's randomised SVD over the same pieces. The square routines (`solve`, `cholesky`,
//! `inv`, `det`, `slogdet`, `eigh`, `eigvalsh`, `pinv`, `matrix_rank`) need the matrix in
//! memory: the check refuses one larger than the memory limit before anything runs, and
//! singular or non-positive-definite input is an error naming the condition at the call.

use crate::builtins::linalg::{arr, call, int, matmul_values};
use crate::builtins::{Args, Builtin, Group};
use crate::data::Data;
use crate::eval::ops::compute_array;
use crate::eval::{Evaluator, Flow, R, err_label};
use crate::exec::linalg::{Dense, LinalgOp, TsqrFactors};
use crate::graph::build;
use crate::graph::node::{Node, NodeRef, Op};
use crate::sema::dtype::DType;
use crate::syntax::ast::Span;
use crate::value::{Array, Dim, Num, Value};
use faer::Side;
use faer::linalg::solvers::{DenseSolveCore, Solve};
use std::sync::Arc;

/// Adds the factorisations and square routines.
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
        "linalg.qr",
        "a",
        "Reduced QR (q, r) by TSQR: memory is one row block plus the small factors.",
        qr,
    );
    add(
        "linalg.svd",
        "a, full_matrices=false, compute_uv=true",
        "Singular value decomposition (u, s, vh); reduced by TSQR unless full_matrices.",
        svd,
    );
    add(
        "linalg.svd_compressed",
        "a, k, n_power_iter=0, seed=none",
        "Randomised rank-k SVD (u, s, vh), as Dask's.",
        svd_compressed,
    );
    add(
        "linalg.lstsq",
        "a, b, rcond=none",
        "Least-squares solution (x, residuals, rank, s) by TSQR.",
        lstsq,
    );
    add(
        "linalg.solve",
        "a, b",
        "Solves a @ x = b for square a (in memory).",
        solve,
    );
    add(
        "linalg.cholesky",
        "a",
        "Lower Cholesky factor of a positive-definite matrix (in memory).",
        cholesky,
    );
    add("linalg.inv", "a", "Matrix inverse (in memory).", inv);
    add("linalg.det", "a", "Determinant (in memory).", det);
    add(
        "linalg.slogdet",
        "a",
        "(sign, logabsdet) of the determinant (in memory).",
        slogdet,
    );
    add(
        "linalg.eigh",
        "a",
        "Eigenvalues (ascending) and eigenvectors (w, v) of a symmetric matrix (lower triangle).",
        eigh,
    );
    add(
        "linalg.eigvalsh",
        "a",
        "Eigenvalues (ascending) of a symmetric matrix (lower triangle).",
        eigvalsh,
    );
    add(
        "linalg.pinv",
        "a, rcond=1e-15",
        "Moore-Penrose pseudo-inverse (in memory).",
        pinv,
    );
    add(
        "linalg.matrix_rank",
        "a, tol=none",
        "Number of singular values above tol (default: largest * max(m, n) * eps).",
        matrix_rank,
    );
}

/// The result dtype of a factorisation (NumPy: f32 stays f32, everything else is f64).
fn float_out(d: DType) -> DType {
    if d == DType::F32 {
        DType::F32
    } else {
        DType::F64
    }
}

/// An in-memory result as an array value.
fn data_value(data: Data) -> Value {
    let shape = data.shape().to_vec();
    let dtype = data.dtype();
    let chunks = crate::graph::chunks::auto(&shape, dtype.size());
    Value::Array(Array {
        dtype,
        shape: shape.iter().map(|&d| Some(d)).collect(),
        node: Some(crate::exec::data_node(data, chunks)),
    })
}

/// A lazy array value of a node.
fn node_value(node: NodeRef) -> Value {
    Value::Array(Array {
        dtype: node.dtype,
        shape: node.shape.iter().map(|&d| Some(d)).collect(),
        node: Some(node),
    })
}

/// A check-mode placeholder.
fn typed(dtype: DType, shape: Vec<Dim>) -> Value {
    Value::Array(Array {
        dtype,
        shape,
        node: None,
    })
}

fn f64_vec(v: Vec<f64>, dtype: DType) -> Data {
    let n = v.len();
    Data::F64(ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[n]), v).expect("shape"))
        .into_dtype(dtype)
}

fn matrix_arg(args: &Args, name: &str, square: bool) -> R<Array> {
    let a = args.array(name)?;
    if a.shape.len() < 2 {
        return args.error(
            name,
            format!(
                "`{}` needs a matrix (at least 2 dimensions), got {}",
                args.name,
                a.type_text()
            ),
            "not a matrix",
        );
    }
    let nd = a.shape.len();
    if square
        && let (Some(p), Some(q)) = (a.shape[nd - 2], a.shape[nd - 1])
        && p != q
    {
        return args.error(
            name,
            format!(
                "`{}` needs square matrices, got {}",
                args.name,
                a.type_text()
            ),
            "not square",
        );
    }
    Ok(a)
}

/// Refuses, before anything runs, a matrix that cannot be held in memory.
fn must_fit(interp: &Evaluator, args: &Args, name: &str, a: &Array) -> R<()> {
    let Some(shape) = a.known_shape() else {
        return Ok(());
    };
    let bytes = shape.iter().product::<usize>().saturating_mul(8);
    let limit = interp.session.borrow().exec.memory_limit;
    if bytes > limit {
        return args.error(
            name,
            format!(
                "`{}` needs the whole {} in memory ({} as f64) but the memory limit is {}",
                args.name,
                a.type_text(),
                crate::exec::human_bytes(bytes),
                crate::exec::human_bytes(limit)
            ),
            "too large for an in-memory factorisation",
        );
    }
    Ok(())
}

/// The matrices of a (.., m, n) array as f64, in row-major order of the leading axes.
fn matrices(data: Data) -> (Vec<usize>, Vec<Dense>) {
    let shape = data.shape().to_vec();
    let nd = shape.len();
    let (m, n) = (shape[nd - 2], shape[nd - 1]);
    let lead = shape[..nd - 2].to_vec();
    let d = Dense::from_data(data.reshaped(&[shape.iter().product::<usize>().max(1), 1]));
    let per = m * n;
    let count: usize = lead.iter().product();
    let mats = (0..count)
        .map(|i| Dense {
            rows: m,
            cols: n,
            v: d.v[i * per..(i + 1) * per].to_vec(),
        })
        .collect();
    (lead, mats)
}

/// Stacks per-matrix results (each of shape `each`) under the leading axes.
fn stack(lead: &[usize], each: &[usize], parts: Vec<Vec<f64>>, dtype: DType) -> Data {
    let mut shape = lead.to_vec();
    shape.extend_from_slice(each);
    let v: Vec<f64> = parts.into_iter().flatten().collect();
    Data::F64(ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&shape), v).expect("shape"))
        .into_dtype(dtype)
}

/// Computes a matrix argument (run mode) after the fit check.
fn input(interp: &Evaluator, args: &Args, name: &str, square: bool) -> R<(Array, Option<Data>)> {
    let a = matrix_arg(args, name, square)?;
    must_fit(interp, args, name, &a)?;
    if interp.check {
        return Ok((a, None));
    }
    let d = compute_array(interp, &a, args.span)?;
    Ok((a, Some(d)))
}

fn fail<T>(args: &Args, message: String, label: &str) -> R<T> {
    err_label(message, args.span, label)
}

struct Lu {
    lu: faer::linalg::solvers::PartialPivLu<f64>,
    n: usize,
}

impl Lu {
    fn new(a: &Dense) -> Lu {
        Lu {
            lu: a.view().partial_piv_lu(),
            n: a.rows,
        }
    }
    /// Whether a pivot is exactly zero (LAPACK's singular test).
    fn singular(&self) -> bool {
        let u = self.lu.U();
        (0..self.n).any(|i| u[(i, i)] == 0.0)
    }
    /// The sign of the row permutation.
    fn perm_sign(&self) -> f64 {
        let (fwd, _) = self.lu.P().arrays();
        let mut seen = vec![false; fwd.len()];
        let mut sign = 1.0;
        for i in 0..fwd.len() {
            if seen[i] {
                continue;
            }
            let mut len = 0;
            let mut j = i;
            while !seen[j] {
                seen[j] = true;
                j = fwd[j];
                len += 1;
            }
            if len % 2 == 0 {
                sign = -sign;
            }
        }
        sign
    }
    /// (sign, log|det|).
    fn slogdet(&self) -> (f64, f64) {
        let u = self.lu.U();
        let mut sign = self.perm_sign();
        let mut log = 0.0;
        for i in 0..self.n {
            let d = u[(i, i)];
            if d == 0.0 {
                return (0.0, f64::NEG_INFINITY);
            }
            if d < 0.0 {
                sign = -sign;
            }
            log += d.abs().ln();
        }
        (sign, log)
    }
    fn det(&self) -> f64 {
        let u = self.lu.U();
        let mut p = self.perm_sign();
        for i in 0..self.n {
            p *= u[(i, i)];
        }
        p
    }
}

fn solve(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let a = matrix_arg(args, "a", true)?;
    let b = args.array("b")?;
    if a.shape.len() != 2 {
        return args.error("a", "linalg.solve takes a 2-D matrix", "not 2-D");
    }
    if b.shape.is_empty() || b.shape.len() > 2 {
        return args.error("b", "linalg.solve takes b of 1 or 2 dimensions", "bad b");
    }
    if let (Some(p), Some(q)) = (a.shape[0], b.shape[0])
        && p != q
    {
        let both = format!("linalg.solve({}, {})", a.type_text(), b.type_text());
        return err_label(
            format!("{both}: a has {p} rows but b has {q}"),
            args.span,
            both,
        );
    }
    must_fit(interp, args, "a", &a)?;
    must_fit(interp, args, "b", &b)?;
    let dtype = float_out(crate::sema::dtype::promote(a.dtype, b.dtype));
    if interp.check {
        return Ok(typed(dtype, b.shape.clone()));
    }
    let da = Dense::from_data(compute_array(interp, &a, args.span)?);
    let bd = compute_array(interp, &b, args.span)?;
    let b_shape = bd.shape().to_vec();
    let db = Dense::from_data(bd);
    let lu = Lu::new(&da);
    if lu.singular() {
        return fail(
            args,
            format!("linalg.solve: the matrix {} is singular", a.type_text()),
            "singular matrix",
        );
    }
    let x = lu.lu.solve(db.view());
    let x = Dense::from_mat(x.as_ref()).into_data().reshaped(&b_shape);
    Ok(data_value(x.into_dtype(dtype)))
}

fn cholesky(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let (a, data) = input(interp, args, "a", true)?;
    let dtype = float_out(a.dtype);
    let Some(data) = data else {
        return Ok(typed(dtype, a.shape.clone()));
    };
    let (lead, mats) = matrices(data);
    let n = mats.first().map(|m| m.rows).unwrap_or(0);
    let mut parts = Vec::new();
    for m in &mats {
        let llt = m.view().llt(Side::Lower).or_else(|_| {
            fail(
                args,
                format!(
                    "linalg.cholesky: the matrix {} is not positive definite",
                    a.type_text()
                ),
                "not positive definite",
            )
        })?;
        let l = llt.L();
        let mut v = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..=i {
                v[i * n + j] = l[(i, j)];
            }
        }
        parts.push(v);
    }
    Ok(data_value(stack(&lead, &[n, n], parts, dtype)))
}

fn inv(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let (a, data) = input(interp, args, "a", true)?;
    let dtype = float_out(a.dtype);
    let Some(data) = data else {
        return Ok(typed(dtype, a.shape.clone()));
    };
    let (lead, mats) = matrices(data);
    let n = mats.first().map(|m| m.rows).unwrap_or(0);
    let mut parts = Vec::new();
    for m in &mats {
        let lu = Lu::new(m);
        if lu.singular() {
            return fail(
                args,
                format!("linalg.inv: the matrix {} is singular", a.type_text()),
                "singular matrix",
            );
        }
        parts.push(Dense::from_mat(lu.lu.inverse().as_ref()).v);
    }
    Ok(data_value(stack(&lead, &[n, n], parts, dtype)))
}

fn det(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let (a, data) = input(interp, args, "a", true)?;
    let dtype = float_out(a.dtype);
    let lead_shape = a.shape[..a.shape.len() - 2].to_vec();
    let Some(data) = data else {
        return Ok(typed(dtype, lead_shape));
    };
    let (lead, mats) = matrices(data);
    let parts = mats.iter().map(|m| vec![Lu::new(m).det()]).collect();
    Ok(data_value(stack(&lead, &[], parts, dtype)))
}

fn slogdet(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let (a, data) = input(interp, args, "a", true)?;
    let dtype = float_out(a.dtype);
    let lead_shape = a.shape[..a.shape.len() - 2].to_vec();
    let Some(data) = data else {
        return Ok(Value::tuple(vec![
            typed(dtype, lead_shape.clone()),
            typed(dtype, lead_shape),
        ]));
    };
    let (lead, mats) = matrices(data);
    let (mut signs, mut logs) = (Vec::new(), Vec::new());
    for m in &mats {
        let (s, l) = Lu::new(m).slogdet();
        signs.push(vec![s]);
        logs.push(vec![l]);
    }
    Ok(Value::tuple(vec![
        data_value(stack(&lead, &[], signs, dtype)),
        data_value(stack(&lead, &[], logs, dtype)),
    ]))
}

fn eig_common(interp: &mut Evaluator, args: &mut Args, vectors: bool) -> R<Value> {
    let (a, data) = input(interp, args, "a", true)?;
    let dtype = float_out(a.dtype);
    let nd = a.shape.len();
    let Some(data) = data else {
        let w = typed(dtype, a.shape[..nd - 1].to_vec());
        return Ok(if vectors {
            Value::tuple(vec![w, typed(dtype, a.shape.clone())])
        } else {
            w
        });
    };
    let (lead, mats) = matrices(data);
    let n = mats.first().map(|m| m.rows).unwrap_or(0);
    let (mut ws, mut vs) = (Vec::new(), Vec::new());
    for m in &mats {
        let e = m.view().self_adjoint_eigen(Side::Lower).or_else(|_| {
            fail(
                args,
                format!("`{}`: the eigenvalue iteration did not converge", args.name),
                "no convergence",
            )
        })?;
        ws.push(e.S().column_vector().iter().copied().collect::<Vec<f64>>());
        vs.push(Dense::from_mat(e.U()).v);
    }
    let w = data_value(stack(&lead, &[n], ws, dtype));
    if !vectors {
        return Ok(w);
    }
    Ok(Value::tuple(vec![
        w,
        data_value(stack(&lead, &[n, n], vs, dtype)),
    ]))
}

fn eigh(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    eig_common(interp, args, true)
}

fn eigvalsh(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    eig_common(interp, args, false)
}

/// Thin SVD of one matrix: (U m×p, s, Vt p×n), p = min(m, n).
fn thin_svd(a: &Dense, args: &Args) -> R<(Dense, Vec<f64>, Dense)> {
    let s = a.view().thin_svd().or_else(|_| {
        fail(
            args,
            format!("`{}`: the SVD did not converge", args.name),
            "no convergence",
        )
    })?;
    let u = Dense::from_mat(s.U());
    let v = Dense::from_mat(s.V());
    let sv: Vec<f64> = s.S().column_vector().iter().copied().collect();
    Ok((u, sv, transpose(&v)))
}

fn transpose(a: &Dense) -> Dense {
    let mut v = vec![0.0; a.rows * a.cols];
    for i in 0..a.rows {
        for j in 0..a.cols {
            v[j * a.rows + i] = a.v[i * a.cols + j];
        }
    }
    Dense {
        rows: a.cols,
        cols: a.rows,
        v,
    }
}

fn singular_values(a: &Dense, args: &Args) -> R<Vec<f64>> {
    a.view().singular_values().or_else(|_| {
        fail(
            args,
            format!("`{}`: the SVD did not converge", args.name),
            "no convergence",
        )
    })
}

fn pinv(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let (a, data) = input(interp, args, "a", false)?;
    let rcond = args.float("rcond")?.unwrap_or(1e-15);
    let dtype = float_out(a.dtype);
    let nd = a.shape.len();
    let Some(data) = data else {
        let mut s = a.shape.clone();
        s.swap(nd - 2, nd - 1);
        return Ok(typed(dtype, s));
    };
    let (lead, mats) = matrices(data);
    let (m, n) = mats.first().map(|d| (d.rows, d.cols)).unwrap_or((0, 0));
    let mut parts = Vec::new();
    for d in &mats {
        let (u, s, vt) = thin_svd(d, args)?;
        let cutoff = rcond * s.iter().copied().fold(0.0, f64::max);
        let p = s.len();
        // pinv = V diag(1/s) U^T.
        let mut out = vec![0.0; n * m];
        for i in 0..n {
            for j in 0..m {
                let mut acc = 0.0;
                for (k, &sk) in s.iter().enumerate() {
                    if sk > cutoff {
                        acc += vt.v[k * n + i] / sk * u.v[j * p + k];
                    }
                }
                out[i * m + j] = acc;
            }
        }
        parts.push(out);
    }
    Ok(data_value(stack(&lead, &[n, m], parts, dtype)))
}

fn matrix_rank(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("a")?;
    if x.shape.len() < 2 {
        // NumPy: a vector has rank 1 unless it is all zeros.
        let span = args.span;
        let any = call(interp, "any", vec![Value::Array(x)], vec![], span)?;
        return call(interp, "astype", vec![any, Value::str("i64")], vec![], span);
    }
    let (a, data) = input(interp, args, "a", false)?;
    let tol = args.float("tol")?;
    let nd = a.shape.len();
    let Some(data) = data else {
        return Ok(typed(DType::I64, a.shape[..nd - 2].to_vec()));
    };
    let (lead, mats) = matrices(data);
    let mut parts = Vec::new();
    for d in &mats {
        let s = singular_values(d, args)?;
        let smax = s.iter().copied().fold(0.0, f64::max);
        let t = tol.unwrap_or(smax * d.rows.max(d.cols) as f64 * f64::EPSILON);
        parts.push(vec![s.iter().filter(|&&v| v > t).count() as f64]);
    }
    Ok(data_value(stack(&lead, &[], parts, DType::I64)))
}

/// The spectral matrix norms over axes (row, col): `p` = 2 (largest singular value), -2
/// (smallest) or 0 (nuclear: their sum). Computes the stack of matrices in memory.
pub fn spectral_norm(
    interp: &mut Evaluator,
    x: &Array,
    row: usize,
    col: usize,
    p: i64,
    span: Span,
) -> R<Value> {
    let nd = x.shape.len();
    // Move the two axes last.
    let mut perm: Vec<usize> = (0..nd).filter(|&k| k != row && k != col).collect();
    perm.push(row);
    perm.push(col);
    let t = arr(call(
        interp,
        "transpose",
        vec![
            Value::Array(x.clone()),
            crate::builtins::linalg::ints(&perm),
        ],
        vec![],
        span,
    )?)?;
    let out_shape: Vec<Dim> = t.shape[..nd - 2].to_vec();
    if let Some(shape) = t.known_shape() {
        let bytes = shape.iter().product::<usize>().saturating_mul(8);
        let limit = interp.session.borrow().exec.memory_limit;
        if bytes > limit {
            return err_label(
                format!(
                    "the spectral norm needs the whole {} in memory ({}) but the memory limit is {}",
                    x.type_text(),
                    crate::exec::human_bytes(bytes),
                    crate::exec::human_bytes(limit)
                ),
                span,
                "too large for an in-memory SVD",
            );
        }
    }
    if interp.check {
        return Ok(typed(x.dtype, out_shape));
    }
    let data = compute_array(interp, &t, span)?;
    let (lead, mats) = matrices(data);
    let mut parts = Vec::new();
    for d in &mats {
        let s = d.view().singular_values().map_err(|_| {
            Flow::Error(Box::new(crate::syntax::diag::Diagnostic::error(
                "norm: the SVD did not converge".to_string(),
                span,
            )))
        })?;
        let v = match p {
            2 => s.iter().copied().fold(0.0, f64::max),
            -2 => s.iter().copied().fold(f64::INFINITY, f64::min),
            _ => s.iter().sum(),
        };
        parts.push(vec![v]);
    }
    Ok(data_value(stack(&lead, &[], parts, x.dtype)))
}

/// The row blocks of `a` (2-D, run mode) as a node with one column block and no empty row
/// blocks.
fn tsqr_input(a: &NodeRef) -> NodeRef {
    let rows: Vec<usize> = a.chunks[0].iter().copied().filter(|&c| c > 0).collect();
    let rows = if rows.is_empty() { vec![0] } else { rows };
    if rows == a.chunks[0] && a.chunks[1].len() <= 1 {
        return a.clone();
    }
    build::rechunk(a.clone(), vec![rows, vec![a.shape[1]]])
}

/// TSQR of a 2-D array: the lazy Q node (m × p) and R (p × n) in memory, p = min(m, n).
struct Tsqr {
    q: NodeRef,
    r: Dense,
}

fn tsqr(interp: &Evaluator, a: &Array, dtype: DType, span: Span) -> R<Tsqr> {
    let Some(node) = &a.node else {
        return Err(Flow::Unknown);
    };
    let x = tsqr_input(node);
    let n = x.shape[1];
    let r_rows: Vec<usize> = x.chunks[0].iter().map(|&c| c.min(n)).collect();
    let total: usize = r_rows.iter().sum();
    let rnode = Arc::new(Node {
        op: Op::Linalg(LinalgOp::TsqrR),
        inputs: vec![x.clone()],
        dtype: DType::F64,
        shape: vec![total, n],
        chunks: vec![r_rows.clone(), vec![n]],
    });
    let stacked = Array {
        dtype: DType::F64,
        shape: vec![Some(total), Some(n)],
        node: Some(rnode),
    };
    let rs = Dense::from_data(compute_array(interp, &stacked, span)?);
    let qr = rs.view().qr();
    let q2 = Dense::from_mat(qr.compute_thin_Q().as_ref());
    let r = Dense::from_mat(qr.thin_R());
    let mut offsets = vec![0];
    for &c in &r_rows {
        offsets.push(offsets.last().copied().unwrap_or(0) + c);
    }
    let p = q2.cols;
    let factors = Arc::new(TsqrFactors {
        q2: q2.v,
        cols: p,
        offsets,
    });
    let q = Arc::new(Node {
        op: Op::Linalg(LinalgOp::TsqrQ(factors)),
        inputs: vec![x.clone()],
        dtype,
        shape: vec![x.shape[0], p],
        chunks: vec![x.chunks[0].clone(), vec![p]],
    });
    Ok(Tsqr { q, r })
}

fn two_d(args: &Args, name: &str) -> R<Array> {
    let a = args.array(name)?;
    if a.shape.len() != 2 {
        return args.error(
            name,
            format!("`{}` takes a 2-D array, got {}", args.name, a.type_text()),
            "not 2-D",
        );
    }
    Ok(a)
}

fn min_dim(a: &Array) -> Dim {
    Some(a.shape[0]?.min(a.shape[1]?))
}

/// The R-factor stack must fit in memory: one min(rows_i, n) × n block per row block.
fn tsqr_fits(interp: &Evaluator, args: &Args, a: &Array) -> R<()> {
    let Some(n) = a.shape[1] else { return Ok(()) };
    let bytes = n.saturating_mul(n).saturating_mul(8);
    let limit = interp.session.borrow().exec.memory_limit;
    if bytes.saturating_mul(2) > limit {
        return args.error(
            "a",
            format!(
                "`{}` of {} needs {} per R factor but the memory limit is {}",
                args.name,
                a.type_text(),
                crate::exec::human_bytes(bytes),
                crate::exec::human_bytes(limit)
            ),
            "too many columns for TSQR",
        );
    }
    Ok(())
}

fn qr(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let a = two_d(args, "a")?;
    tsqr_fits(interp, args, &a)?;
    let dtype = float_out(a.dtype);
    if interp.check {
        let p = min_dim(&a);
        return Ok(Value::tuple(vec![
            typed(dtype, vec![a.shape[0], p]),
            typed(dtype, vec![p, a.shape[1]]),
        ]));
    }
    let t = tsqr(interp, &a, dtype, args.span)?;
    Ok(Value::tuple(vec![
        node_value(t.q),
        data_value(t.r.into_data().into_dtype(dtype)),
    ]))
}

fn svd(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let full = args.flag("full_matrices", false)?;
    let uv = args.flag("compute_uv", true)?;
    let a = two_d(args, "a")?;
    let dtype = float_out(a.dtype);
    let (m, n) = (a.shape[0], a.shape[1]);
    let p = min_dim(&a);
    if full {
        must_fit(interp, args, "a", &a)?;
        if interp.check {
            return Ok(if uv {
                Value::tuple(vec![
                    typed(dtype, vec![m, m]),
                    typed(dtype, vec![p]),
                    typed(dtype, vec![n, n]),
                ])
            } else {
                typed(dtype, vec![p])
            });
        }
        let d = Dense::from_data(compute_array(interp, &a, args.span)?);
        let s = d.view().svd().or_else(|_| {
            fail(
                args,
                "linalg.svd: the SVD did not converge".into(),
                "no convergence",
            )
        })?;
        let sv: Vec<f64> = s.S().column_vector().iter().copied().collect();
        if !uv {
            return Ok(data_value(f64_vec(sv, dtype)));
        }
        return Ok(Value::tuple(vec![
            data_value(Dense::from_mat(s.U()).into_data().into_dtype(dtype)),
            data_value(f64_vec(sv, dtype)),
            data_value(
                transpose(&Dense::from_mat(s.V()))
                    .into_data()
                    .into_dtype(dtype),
            ),
        ]));
    }
    tsqr_fits(interp, args, &a)?;
    if interp.check {
        return Ok(if uv {
            Value::tuple(vec![
                typed(dtype, vec![m, p]),
                typed(dtype, vec![p]),
                typed(dtype, vec![p, n]),
            ])
        } else {
            typed(dtype, vec![p])
        });
    }
    let t = tsqr(interp, &a, dtype, args.span)?;
    let (ur, s, vt) = thin_svd(&t.r, args)?;
    if !uv {
        return Ok(data_value(f64_vec(s, dtype)));
    }
    let u = matmul_values(
        interp,
        &node_value(t.q),
        &data_value(ur.into_data().into_dtype(dtype)),
        args.span,
    )?;
    Ok(Value::tuple(vec![
        u,
        data_value(f64_vec(s, dtype)),
        data_value(vt.into_data().into_dtype(dtype)),
    ]))
}

fn lstsq(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let a = two_d(args, "a")?;
    let b = args.array("b")?;
    if b.shape.is_empty() || b.shape.len() > 2 {
        return args.error("b", "linalg.lstsq takes b of 1 or 2 dimensions", "bad b");
    }
    if let (Some(p), Some(q)) = (a.shape[0], b.shape[0])
        && p != q
    {
        let both = format!("linalg.lstsq({}, {})", a.type_text(), b.type_text());
        return err_label(
            format!("{both}: a has {p} rows but b has {q}"),
            args.span,
            both,
        );
    }
    tsqr_fits(interp, args, &a)?;
    let dtype = float_out(crate::sema::dtype::promote(a.dtype, b.dtype));
    let n = a.shape[1];
    let mut xs = vec![n];
    let mut rs = vec![];
    if b.shape.len() == 2 {
        xs.push(b.shape[1]);
    }
    let p = min_dim(&a);
    if interp.check {
        rs.push(None);
        return Ok(Value::tuple(vec![
            typed(dtype, xs),
            typed(dtype, rs),
            Value::Unknown(crate::value::Hint::Any),
            typed(dtype, vec![p]),
        ]));
    }
    let span = args.span;
    let rcond = args.float("rcond")?;
    let t = tsqr(interp, &a, DType::F64, span)?;
    let (ur, s, vt) = thin_svd(&t.r, args)?;
    // Q^T b, computed (p × k, small).
    let qt = call(interp, "transpose", vec![node_value(t.q)], vec![], span)?;
    let qtb = arr(matmul_values(interp, &qt, &Value::Array(b.clone()), span)?)?;
    let qtb_shape = qtb.known_shape().unwrap_or_default();
    let qtb = Dense::from_data(compute_array(interp, &qtb, span)?);
    let k = qtb_shape.get(1).copied().unwrap_or(1);
    let (m_rows, n_cols) = (a.shape[0].unwrap_or(0), n.unwrap_or(0));
    let smax = s.iter().copied().fold(0.0, f64::max);
    let cutoff = rcond.unwrap_or(f64::EPSILON * m_rows.max(n_cols) as f64) * smax;
    let rank = s.iter().filter(|&&v| v > cutoff).count();
    // x = V diag(1/s) Ur^T (Q^T b), over the kept singular values.
    let pp = s.len();
    let mut y = vec![0.0; pp * k];
    for i in 0..pp {
        if s[i] <= cutoff {
            continue;
        }
        for c in 0..k {
            let mut acc = 0.0;
            for j in 0..ur.rows {
                acc += ur.v[j * ur.cols + i] * qtb.v[j * k + c];
            }
            y[i * k + c] = acc / s[i];
        }
    }
    let mut x = vec![0.0; n_cols * k];
    for r in 0..n_cols {
        for c in 0..k {
            let mut acc = 0.0;
            for i in 0..pp {
                acc += vt.v[i * n_cols + r] * y[i * k + c];
            }
            x[r * k + c] = acc;
        }
    }
    let x_shape: Vec<usize> = if b.shape.len() == 2 {
        vec![n_cols, k]
    } else {
        vec![n_cols]
    };
    let xd =
        Data::F64(ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&x_shape), x).expect("shape"))
            .into_dtype(dtype);
    let xv = data_value(xd);
    // Residuals: squared norms of b - a @ x per column when a has full column rank and
    // more rows than columns, else empty (NumPy).
    let residuals = if rank == n_cols && m_rows > n_cols {
        let ax = matmul_values(interp, &Value::Array(a.clone()), &xv, span)?;
        let d = crate::builtins::linalg::bin(
            interp,
            crate::syntax::ast::BinOp::Sub,
            Value::Array(b.clone()),
            ax,
            span,
        )?;
        let sq = crate::builtins::linalg::bin(
            interp,
            crate::syntax::ast::BinOp::Mul,
            d.clone(),
            d,
            span,
        )?;
        let r = call(interp, "sum", vec![sq], vec![("axis", int(0))], span)?;
        let r = call(
            interp,
            "astype",
            vec![r, Value::str(dtype.name())],
            vec![],
            span,
        )?;
        if b.shape.len() == 1 {
            let ra = arr(r)?;
            Value::Array(arr(crate::builtins::shape_ops::insert_axes(
                interp,
                &ra,
                &[0],
            ))?)
        } else {
            r
        }
    } else {
        data_value(Data::zeros(dtype, &[0]))
    };
    Ok(Value::tuple(vec![
        xv,
        residuals,
        Value::Num(Num::Int(rank as i64)),
        data_value(f64_vec(s, dtype)),
    ]))
}

fn svd_compressed(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let a = two_d(args, "a")?;
    let span = args.span;
    let Some(k) = args.int("k")? else {
        return args.error("k", "svd_compressed needs k", "missing k");
    };
    let iters = args.int_or("n_power_iter", 0)?;
    let dtype = float_out(a.dtype);
    let (m, n) = (a.shape[0], a.shape[1]);
    if let Some(p) = min_dim(&a)
        && (k < 1 || k as usize > p)
    {
        return args.error(
            "k",
            format!("k must be between 1 and {p} for {}", a.type_text()),
            "k out of range",
        );
    }
    if iters < 0 {
        return args.error("n_power_iter", "n_power_iter must be >= 0", "negative");
    }
    let k = k as usize;
    tsqr_fits(interp, args, &a)?;
    if interp.check {
        return Ok(Value::tuple(vec![
            typed(dtype, vec![m, Some(k)]),
            typed(dtype, vec![Some(k)]),
            typed(dtype, vec![Some(k), n]),
        ]));
    }
    let (Some(_), Some(n)) = (m, n) else {
        return Err(Flow::Unknown);
    };
    // Dask: a subspace of k + 10 columns (at least 20, at most n).
    let comp = (k + 10).max(20).min(n);
    let mut kw = vec![("shape", crate::builtins::linalg::ints(&[n, comp]))];
    if let Some(v) = args.value("seed") {
        kw.push(("seed", v.clone()));
    }
    let omega = call(
        interp,
        "random.normal",
        vec![Value::Num(Num::Float(0.0)), Value::Num(Num::Float(1.0))],
        kw,
        span,
    )?;
    let av = Value::Array(a.clone());
    let y = arr(matmul_values(interp, &av, &omega, span)?)?;
    let mut q = tsqr(interp, &y, DType::F64, span)?.q;
    let at = call(interp, "transpose", vec![av.clone()], vec![], span)?;
    for _ in 0..iters {
        let h = arr(matmul_values(interp, &at, &node_value(q.clone()), span)?)?;
        let q2 = tsqr(interp, &h, DType::F64, span)?.q;
        let y = arr(matmul_values(interp, &av, &node_value(q2), span)?)?;
        q = tsqr(interp, &y, DType::F64, span)?.q;
    }
    // B = Q^T A (comp × n, small), its SVD, U = Q @ Ub.
    let qt = call(
        interp,
        "transpose",
        vec![node_value(q.clone())],
        vec![],
        span,
    )?;
    let bm = arr(matmul_values(interp, &qt, &av, span)?)?;
    let bd = Dense::from_data(compute_array(interp, &bm, span)?);
    let (ub, s, vt) = thin_svd(&bd, args)?;
    let ub_k = Dense {
        rows: ub.rows,
        cols: k,
        v: (0..ub.rows)
            .flat_map(|i| ub.v[i * ub.cols..i * ub.cols + k].to_vec())
            .collect(),
    };
    let u = matmul_values(interp, &node_value(q), &data_value(ub_k.into_data()), span)?;
    let u = call(
        interp,
        "astype",
        vec![u, Value::str(dtype.name())],
        vec![],
        span,
    )?;
    let vt_k = Dense {
        rows: k,
        cols: vt.cols,
        v: vt.v[..k * vt.cols].to_vec(),
    };
    Ok(Value::tuple(vec![
        u,
        data_value(f64_vec(s[..k].to_vec(), dtype)),
        data_value(vt_k.into_data().into_dtype(dtype)),
    ]))
}
