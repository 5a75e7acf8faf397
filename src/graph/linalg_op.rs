//! The kinds of linear-algebra graph nodes (`Op::Linalg`): what they compute is described
//! here; `exec::linalg` evaluates them.

use std::sync::Arc;

/// A linear-algebra node kind.
#[derive(Clone)]
pub enum LinalgOp {
    /// Inputs `a` (batch.., m, k) and `b` (batch.., k, n) of one batch shape; the output is
    /// (batch.., m, n), the sum over `a`'s blocks of k (in order) of the block products.
    MatMul,
    /// Input `a` (m, n) with one block of columns; output row block `i` is the R factor
    /// (min(rows_i, n) × n, upper triangular) of `a`'s row block `i`.
    TsqrR,
    /// Input `a` (m, n) with one block of columns; output row block `i` is
    /// `Q(a_i) @ factors[offsets[i]..offsets[i + 1]]`, where `Q(a_i)` is the thin Q factor of
    /// row block `i` and `factors` the stacked second-level Q (f64).
    TsqrQ(Arc<TsqrFactors>),
}

/// The second level of TSQR: the Q factor of the stacked block Rs.
pub struct TsqrFactors {
    /// Stacked (sum of r_i) × p, f64, row-major.
    pub q2: Vec<f64>,
    /// Columns of `q2` (p).
    pub cols: usize,
    /// Row offsets of each block's slice of `q2` (length blocks + 1).
    pub offsets: Vec<usize>,
}

impl std::fmt::Debug for LinalgOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinalgOp::MatMul => f.write_str("MatMul"),
            LinalgOp::TsqrR => f.write_str("TsqrR"),
            // Compared by identity (CSE keys use Debug).
            LinalgOp::TsqrQ(q) => write!(f, "TsqrQ@{:p}", Arc::as_ptr(q)),
        }
    }
}

impl LinalgOp {
    /// The name shown in plans.
    pub fn name(&self) -> &'static str {
        match self {
            LinalgOp::MatMul => "matmul",
            LinalgOp::TsqrR => "tsqr.r",
            LinalgOp::TsqrQ(_) => "tsqr.q",
        }
    }
}
