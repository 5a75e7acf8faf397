//! A `map_blocks`/`map_overlap` block computed in slabs of its first axis, when that is
//! sound: the traced function is one fused kernel whose every load is a window (slices,
//! rechunks) of a block argument keeping the first axis whole, which never reads that
//! axis's index and draws no random numbers. Then row `t` of the result depends only on row
//! `t` of each argument, so each slab of rows reads just those rows of the inputs (for
//! `map_overlap`, the halo'd rows from the neighbours' regions), runs the kernel over them
//! in place, and lands in the result block. A task holds its result block plus one slab of
//! input, instead of the whole halo'd block next to the result; the values are the same
//! bits as the whole-block run (the same kernel over the same elements).

use crate::backend::{cache, launch};
use crate::data::Data;
use crate::exec::region::{
    AxisRange, Region, broadcast_region, eval, plain_slice_input, region_shape, spans,
};
use crate::exec::{ExecCtx, ExecError};
use crate::graph::blockops::{MapBlocks, Template};
use crate::graph::node::{NodeRef, Op};
use crate::kernel::{Instr, lower};
use std::sync::Arc;

/// Input bytes one slab aims at (at least one row is read).
const SLAB_BYTES: usize = 1 << 20;

/// The result block `want` (shape) of `m` computed slab by slab from the input block
/// regions `regions`, or `None` when the template does not allow it (the caller runs the
/// whole block).
pub fn map_in_slabs(
    ctx: &ExecCtx,
    node: &NodeRef,
    m: &MapBlocks,
    idx: &[usize],
    regions: &[Region],
    want: &[usize],
) -> Result<Option<Data>, ExecError> {
    if !ctx.backend.host_tiles() || want.len() < 2 || want[0] < 2 {
        return Ok(None);
    }
    let shapes: Vec<Vec<usize>> = regions.iter().map(region_shape).collect();
    let Some(template) = m.templates.iter().find(|t| t.in_shapes == shapes) else {
        return Ok(None);
    };
    let root = &template.result;
    let Op::Fused(kernel) = &root.op else {
        return Ok(None);
    };
    let rows = want[0];
    // The result is the block as it is (no trim on this block) and every argument is cut
    // along the first axis exactly as the result.
    let untrimmed = m.trim.is_empty() || (0..want.len()).all(|k| m.trim[k][idx[k]].0 == 0);
    let aligned = m.axis_map.iter().zip(&shapes).all(|(axes, s)| {
        axes.len() == want.len() && axes.first() == Some(&Some(0)) && s[0] == rows
    });
    if root.shape != want || root.dtype != node.dtype || !untrimmed || !aligned {
        return Ok(None);
    }
    let spec = lower::specialize(kernel, &root.inputs, &root.shape);
    let rowwise = !spec
        .kernel
        .body
        .iter()
        .any(|i| matches!(i, Instr::Index(0) | Instr::Random { .. }));
    if !rowwise || launch::output_values(&spec.kernel).len() != 1 {
        return Ok(None);
    }
    // Every load is a window of an argument that maps the first axis one to one.
    let whole: Region = want.iter().map(|&n| AxisRange::full(n)).collect();
    for leaf in &spec.loads {
        let Some((_, at)) = argument_window(template, leaf, &broadcast_region(&whole, &leaf.shape))
        else {
            return Ok(None);
        };
        if leaf.shape.len() != want.len() || at[0] != AxisRange::full(rows) {
            return Ok(None);
        }
    }
    let row_bytes = shapes
        .iter()
        .zip(&node.inputs)
        .map(|(s, input)| s[1..].iter().product::<usize>() * input.dtype.size())
        .max()
        .unwrap_or(1)
        .max(1);
    let per_slab = (SLAB_BYTES / row_bytes).clamp(1, rows);
    let body = cache::compiled(&*ctx.backend, &spec.kernel)
        .map_err(|e| ExecError::Internal(format!("kernel: {e}")))?;
    let out_value = launch::output_values(&spec.kernel)[0];
    if spec.kernel.types[out_value] != node.dtype {
        return Err(ExecError::Internal("a slab kernel of another dtype".into()));
    }
    let row_out = want[1..].iter().product::<usize>() * node.dtype.size();
    let fill = |bytes: &mut [std::mem::MaybeUninit<u8>]| -> Result<(), ExecError> {
        let mut t0 = 0;
        while t0 < rows {
            let len = per_slab.min(rows - t0);
            // The slab's rows of each argument.
            let mut args = Vec::with_capacity(regions.len());
            for (input, region) in node.inputs.iter().zip(regions) {
                let mut r = region.clone();
                r[0] = AxisRange {
                    start: region[0].start + region[0].step * t0 as i64,
                    step: region[0].step,
                    len,
                };
                args.push(eval(ctx, input, &r)?);
            }
            // The kernel over rows 0..len of the slab (it never reads the row index).
            let mut slab = whole.clone();
            slab[0] = AxisRange::span(0, len);
            let mut windows = Vec::with_capacity(spec.loads.len());
            for leaf in &spec.loads {
                let (i, at) =
                    argument_window(template, leaf, &broadcast_region(&slab, &leaf.shape))
                        .ok_or_else(|| {
                            ExecError::Internal("a slab load lost its argument".into())
                        })?;
                let start: Vec<i64> = at.iter().map(|r| r.start).collect();
                let step: Vec<i64> = at.iter().map(|r| r.step).collect();
                windows.push(
                    launch::Window::slice(&args[i], &start, &step, &region_shape(&at)).ok_or_else(
                        || ExecError::Internal("a slab load lies outside its rows".into()),
                    )?,
                );
            }
            let n: usize = slab.iter().map(|r| r.len).product();
            ctx.stats
                .add_generated(spec.generated_per_element * n as u64);
            // Straight into the slab's rows of the block.
            launch::launch_windows_into(
                &*body,
                &spec.kernel,
                &spans(&slab),
                &windows,
                &spec.params,
                &mut bytes[t0 * row_out..(t0 + len) * row_out],
            )
            .map_err(|e| ExecError::Internal(format!("kernel: {e}")))?;
            t0 += len;
            ctx.check_cancelled()?;
        }
        Ok(())
    };
    // Safety: the slabs cover rows 0..rows, and the kernel writes every element of each
    // (a launch runs its body over the whole region), with values of the node's dtype.
    let out = unsafe { Data::written_by(node.dtype, want, fill)? };
    Ok(Some(out))
}

/// The argument (its index) and the region of it a load of the template reads, through
/// rechunks and plain slices (every axis kept, in order); `None` for anything else.
fn argument_window(
    template: &Template,
    leaf: &NodeRef,
    region: &Region,
) -> Option<(usize, Region)> {
    let mut node = leaf.clone();
    let mut region = region.clone();
    loop {
        if let Some(i) = template
            .placeholders
            .iter()
            .position(|p| Arc::ptr_eq(p, &node))
        {
            return Some((i, region));
        }
        let next = match &node.op {
            Op::Rechunk => region,
            Op::Slice(items) => plain_slice_input(items, node.inputs[0].shape.len(), &region)?,
            _ => return None,
        };
        node = node.inputs[0].clone();
        region = next;
    }
}
