//! Generating any region of a source (random, arange, linspace, full, eye, tri) directly
//! from indices: nothing outside the region is produced.

use crate::data::{Data, Element};
use crate::exec::ExecCtx;
use crate::exec::region::{Region, region_shape, strides};
use crate::graph::node::{Distribution, FullValue, Node, Source};
use crate::kernel::philox::RandomStream;
use crate::sema::dtype::DType;
use ndarray::{ArrayD, IxDyn};

/// Generates `region` of the source node.
pub fn generate(ctx: &ExecCtx, node: &Node, src: &Source, region: &Region) -> Data {
    let shape = region_shape(region);
    let n: usize = shape.iter().product();
    if !matches!(src, Source::Full(_)) {
        ctx.stats.add_generated(n as u64);
    }
    match src {
        Source::Random { dist, stream } => random(node, *dist, stream, region),
        Source::Arange { start, step } => {
            let r = region[0];
            if node.dtype.is_float() {
                let v: Vec<f64> = (0..r.len).map(|i| start + step * r.at(i) as f64).collect();
                from_f64(v, &shape, node.dtype)
            } else {
                let (s, st) = (*start as i64, *step as i64);
                let v: Vec<i64> = (0..r.len).map(|i| s + st * r.at(i)).collect();
                from_i64(v, &shape, node.dtype)
            }
        }
        Source::Linspace {
            start,
            stop,
            num,
            endpoint,
        } => {
            let div = if *endpoint {
                num.saturating_sub(1)
            } else {
                *num
            };
            let step = if div > 0 {
                (stop - start) / div as f64
            } else {
                f64::NAN
            };
            let r = region[0];
            let v: Vec<f64> = (0..r.len)
                .map(|i| {
                    let idx = r.at(i) as usize;
                    if *endpoint && *num > 1 && idx == num - 1 {
                        *stop
                    } else if div > 0 {
                        idx as f64 * step + start
                    } else {
                        idx as f64 * (stop - start) + start
                    }
                })
                .collect();
            from_f64(v, &shape, node.dtype)
        }
        Source::Full(value) => match value {
            FullValue::Float(f) => from_f64(vec![*f; n], &shape, node.dtype),
            FullValue::Int(i) => from_i64(vec![*i; n], &shape, node.dtype),
            FullValue::Bool(b) => from_i64(vec![*b as i64; n], &shape, node.dtype),
        },
        Source::Eye { k } => index_pattern(region, &shape, node.dtype, |r, c| c - r == *k),
        Source::Tri { k, lower } => index_pattern(region, &shape, node.dtype, |r, c| {
            if *lower { c - r <= *k } else { c - r >= *k }
        }),
        Source::Data(d) => crate::exec::region::slice_data(d, region),
        // Read errors are reported by `region::eval` before this point; see there.
        Source::External(_) => Data::zeros(node.dtype, &shape),
    }
}

fn index_pattern(
    region: &Region,
    shape: &[usize],
    dtype: DType,
    f: impl Fn(i64, i64) -> bool,
) -> Data {
    let nd = region.len();
    let (rows, cols) = (region[nd - 2], region[nd - 1]);
    let n: usize = shape.iter().product();
    let per_matrix = rows.len * cols.len;
    let mut v = Vec::with_capacity(n);
    for _ in 0..n / per_matrix.max(1) {
        for i in 0..rows.len {
            for j in 0..cols.len {
                v.push(f(rows.at(i), cols.at(j)) as i64);
            }
        }
    }
    from_i64(v, shape, dtype)
}

fn from_f64(v: Vec<f64>, shape: &[usize], dtype: DType) -> Data {
    let a = ArrayD::from_shape_vec(IxDyn(shape), v).expect("one value per element");
    Data::F64(a).into_dtype(dtype)
}

fn from_i64(v: Vec<i64>, shape: &[usize], dtype: DType) -> Data {
    let a = ArrayD::from_shape_vec(IxDyn(shape), v).expect("one value per element");
    Data::I64(a).into_dtype(dtype)
}

/// Calls `run(flat_start, flat_step, out_offset, count)` for each row of the region's last
/// axis (its flat indices are `flat_start + k * flat_step`).
fn for_each_run(
    region: &Region,
    full_shape: &[usize],
    mut run: impl FnMut(u64, i64, usize, usize),
) {
    let nd = region.len();
    if nd == 0 {
        run(0, 1, 0, 1);
        return;
    }
    let st = strides(full_shape);
    let last = region[nd - 1];
    let outer: Vec<usize> = region[..nd - 1].iter().map(|r| r.len).collect();
    let n_outer: usize = outer.iter().product();
    let mut idx = vec![0usize; nd - 1];
    for o in 0..n_outer {
        let base: i64 = idx
            .iter()
            .enumerate()
            .map(|(k, &i)| region[k].at(i) * st[k] as i64)
            .sum();
        run(
            (base + last.start) as u64,
            last.step,
            o * last.len,
            last.len,
        );
        for k in (0..nd - 1).rev() {
            idx[k] += 1;
            if idx[k] < outer[k] {
                break;
            }
            idx[k] = 0;
        }
    }
}

fn random(node: &Node, dist: Distribution, stream: &RandomStream, region: &Region) -> Data {
    let shape = region_shape(region);
    let n: usize = shape.iter().product();
    match dist {
        Distribution::Normal { loc, scale } => {
            let mut v = vec![0.0f64; n];
            for_each_run(region, &node.shape, |flat, step, at, count| {
                stream.fill_normal_strided(flat, step, &mut v[at..at + count]);
            });
            for x in v.iter_mut() {
                *x = loc + scale * *x;
            }
            from_f64(v, &shape, node.dtype)
        }
        Distribution::Uniform { low, high } => {
            let mut v = vec![0.0f64; n];
            for_each_run(region, &node.shape, |flat, step, at, count| {
                stream.fill_uniform_strided(flat, step, &mut v[at..at + count]);
            });
            for x in v.iter_mut() {
                *x = low + (high - low) * *x;
            }
            from_f64(v, &shape, node.dtype)
        }
        Distribution::Integers { low, high } => {
            let mut v = vec![0i64; n];
            for_each_run(region, &node.shape, |flat, step, at, count| {
                stream.fill_integers_strided(flat, step, low, high, &mut v[at..at + count]);
            });
            from_i64(v, &shape, node.dtype)
        }
    }
}

/// Converts a value to a fill of a dtype (used by constant folding of scalars).
pub fn full_value_of<T: Element>(v: T) -> FullValue {
    if T::DTYPE.is_float() {
        FullValue::Float(v.to_f64())
    } else if T::DTYPE == DType::Bool {
        FullValue::Bool(v.truthy())
    } else {
        FullValue::Int(v.to_i64())
    }
}
