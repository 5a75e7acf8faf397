//! The executor's device sums (`Backend::sums_on_device`) without a GPU. A backend that runs
//! the interpreter and sums each piece on the host exactly as the GPU's kernels do (the
//! leaves of `pairwise_sum`, each summed as `emit::leaf_sums_function` sums it, then
//! `arr_pairwise_tree`'s tree) takes the reductions' device path: one launch per block, one
//! sum per piece back. Every value must be bitwise the interpreter's, and the path must be
//! taken where it applies (and not where it does not).

use arr::backend::interp::Interpreter;
use arr::backend::launch::{PieceLeaves, Span, TileBody, launch};
use arr::backend::{Backend, BackendError};
use arr::data::{Data, Element};
use arr::kernel::Kernel;
use arr::{Options, Session};
use ndarray::ArrayD;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The interpreter, with device sums done on the host the GPU's way.
struct HostSums {
    calls: Arc<AtomicUsize>,
}

struct HostSumsBody {
    inner: Arc<dyn TileBody>,
    calls: Arc<AtomicUsize>,
}

impl Backend for HostSums {
    fn name(&self) -> &'static str {
        "host-sums"
    }
    fn compile(&self, kernel: &Kernel) -> Result<Arc<dyn TileBody>, BackendError> {
        Ok(Arc::new(HostSumsBody {
            inner: Interpreter.compile(kernel)?,
            calls: self.calls.clone(),
        }))
    }
    fn sums_on_device(&self) -> bool {
        true
    }
}

/// A leaf's sum as the generated leaf-sum function computes it.
fn leaf_sum(values: &[f64]) -> f64 {
    let whole = if values.len() < 8 {
        0
    } else {
        values.len() & !7
    };
    let mut acc = [0.0f64; 8];
    for (e, x) in values[..whole].iter().enumerate() {
        acc[e & 7] += x;
    }
    let mut total = if whole > 0 {
        ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
    } else {
        0.0
    };
    for x in &values[whole..] {
        total += x;
    }
    total
}

/// `arr_pairwise_tree`: the leaves' sums combined in `pairwise_sum`'s tree.
fn tree(leaves: &[f64], next: &mut usize, len: u64) -> f64 {
    if len <= 128 {
        *next += 1;
        return leaves[*next - 1];
    }
    let half = (len / 2) & !7;
    let left = tree(leaves, next, half);
    let right = tree(leaves, next, len - half);
    left + right
}

impl TileBody for HostSumsBody {
    unsafe fn run(
        &self,
        len: usize,
        ptrs: &[*const u8],
        strides: &[isize],
        idx: &[i64],
        params: &[u64],
    ) -> Result<(), BackendError> {
        // SAFETY: the caller's promise, passed on.
        unsafe { self.inner.run(len, ptrs, strides, idx, params) }
    }

    fn region_piece_sums(
        &self,
        kernel: &Kernel,
        region: &[Span],
        inputs: &[Data],
        params: &[u64],
        pieces: &PieceLeaves,
    ) -> Option<Result<Vec<(f64, u64)>, BackendError>> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let out = match launch(&*self.inner, kernel, region, inputs, params) {
            Ok(mut o) => o.remove(0),
            Err(e) => return Some(Err(e)),
        };
        let values: Vec<f64> = arr::with_data!(&out, a => a.iter().map(|x| x.to_f64()).collect());
        assert_eq!(pieces.bounds.last().copied(), Some(values.len() as u64));
        let mut sums = Vec::new();
        let mut counts = Vec::new();
        for w in pieces.bounds.windows(2) {
            let leaf = &values[w[0] as usize..w[1] as usize];
            assert!(
                !leaf.is_empty() && leaf.len() <= 128,
                "a leaf of {}",
                leaf.len()
            );
            let kept: Vec<f64> = leaf
                .iter()
                .map(|&x| {
                    if pieces.skip_nan && x.is_nan() {
                        0.0
                    } else {
                        x
                    }
                })
                .collect();
            sums.push(leaf_sum(&kept));
            counts.push(
                leaf.iter()
                    .filter(|x| !(pieces.skip_nan && x.is_nan()))
                    .count() as u64,
            );
        }
        // Each piece's tree ends where the next piece's leaves begin (the last at the end).
        let ends = pieces
            .first_leaf
            .iter()
            .skip(1)
            .copied()
            .chain([sums.len() as u64]);
        let mut out = Vec::new();
        for ((first, len), end) in pieces.first_leaf.iter().zip(&pieces.len).zip(ends) {
            let mut next = *first as usize;
            let sum = tree(&sums, &mut next, *len);
            assert_eq!(
                next as u64, end,
                "a piece's tree ends where the next piece begins"
            );
            out.push((sum, counts[*first as usize..next].iter().sum()));
        }
        Some(Ok(out))
    }
}

fn session(backend: Option<Arc<dyn Backend>>, threads: usize) -> Session {
    let s = Session::with_options(Options {
        threads,
        seed: Some(1),
        backend: arr::backend::BackendKind::Interp,
        ..Default::default()
    });
    if let Some(b) = backend {
        s.state().borrow_mut().exec.backend = b;
    }
    s
}

const SETUP: &str = "x = random.normal(0.5, 2, shape=[3000, 700], chunks=[1000, 700], seed=3)\n\
    y = where(x > 2.5, nan, x)\n\
    v = arange(300001, chunks=70001) * 0.25 - 7\n\
    z = astype(x, f32)\n";

/// (expression, whether it takes the device path)
const CASES: &[(&str, bool)] = &[
    ("x.sum()", true),
    ("x.mean()", true),
    ("(x * 2 + 1)[::2, ::3].sum()", true),
    ("x[::-1, ::-2].mean()", true),
    ("x[17:2900, 5:693].sum()", true),
    ("nansum(y)", true),
    ("nanmean(y)", true),
    ("y.sum()", true),
    ("v.sum()", true),
    ("(v * v).mean()", true),
    ("z.sum()", true),
    ("nanmean(where(z > 1, nan, z))", true),
    ("x.sum(axis=0)[5]", true),
    ("x.sum(axis=0)", false),
    ("nanmean(y, axis=1)", false),
    ("x.std()", false),
    ("x.max()", false),
];

#[test]
fn device_sums_give_the_interpreters_bits() {
    let calls = Arc::new(AtomicUsize::new(0));
    for threads in [1, 2] {
        let mut want = session(None, threads);
        want.eval(SETUP).unwrap();
        let mut got = session(
            Some(Arc::new(HostSums {
                calls: calls.clone(),
            })),
            threads,
        );
        got.eval(SETUP).unwrap();
        for (i, (expr, device)) in CASES.iter().enumerate() {
            let code = format!("r{i} = {expr}");
            want.eval(&code).unwrap();
            let before = calls.load(Ordering::Relaxed);
            got.eval(&code).unwrap();
            let w: ArrayD<f64> = want.get(&format!("r{i}")).unwrap();
            let g: ArrayD<f64> = got.get(&format!("r{i}")).unwrap();
            let used = calls.load(Ordering::Relaxed) > before;
            let bits = |a: &ArrayD<f64>| a.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert!(
                w.shape() == g.shape() && bits(&w) == bits(&g),
                "{expr} ({threads} threads): interpreter {w}, device sums {g}"
            );
            assert_eq!(
                used,
                *device,
                "{expr}: the device path was {}taken",
                if used { "" } else { "not " }
            );
        }
    }
}
