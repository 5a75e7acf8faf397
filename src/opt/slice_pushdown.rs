//! Slice pushdown: a basic slice moves below element-wise ops (each operand is sliced the
//! way broadcasting maps it), below transposes and rechunks, through the kept axes of a
//! reduction, merges with the slice under it, and ends in the source: `arange` and `full`
//! become smaller sources; random and file sources keep the slice right above them, and the
//! executor generates or reads only the kept elements. `(x + 1)[::2, ::2]` becomes
//! `x[::2, ::2] + 1`; `x.mean(axis=0)[::100]` becomes `x[:, ::100].mean(axis=0)`.
//! Every rewrite keeps the replaced node's grid, so results are bitwise unchanged.

use crate::graph::build;
use crate::graph::node::{FullValue, NodeRef, Op, SliceItem, Source};
use crate::opt::rewrite::{keep_grid, rewrite, same_with_inputs};
use std::collections::HashMap;
use std::sync::Arc;

/// The pass.
pub fn run(root: &NodeRef) -> NodeRef {
    let mut memo = HashMap::new();
    rewrite(root, &mut |node, inputs| {
        let rebuilt = same_with_inputs(node, inputs);
        match &rebuilt.op {
            Op::Slice(items) => {
                let items = items.clone();
                push(&rebuilt.inputs[0], &items, &mut memo)
            }
            _ => rebuilt,
        }
    })
}

type Memo = HashMap<(*const crate::graph::node::Node, String), NodeRef>;

/// `input[items]`, with the slice moved as far down as it goes.
fn push(input: &NodeRef, items: &[SliceItem], memo: &mut Memo) -> NodeRef {
    let key = (Arc::as_ptr(input), format!("{items:?}"));
    if let Some(done) = memo.get(&key) {
        return done.clone();
    }
    let plain = build::slice(input.clone(), items.to_vec());
    let pushed = match try_push(input, items, memo) {
        Some(new) if new.shape == plain.shape && new.dtype == plain.dtype => keep_grid(new, &plain),
        _ => plain,
    };
    memo.insert(key, pushed.clone());
    pushed
}

fn is_identity(input: &NodeRef, items: &[SliceItem]) -> bool {
    items.len() == input.shape.len()
        && items.iter().enumerate().all(|(k, it)| {
            matches!(*it, SliceItem::Take { axis, start: 0, step: 1, len } if axis == k && len == input.shape[k])
        })
}

fn try_push(input: &NodeRef, items: &[SliceItem], memo: &mut Memo) -> Option<NodeRef> {
    if is_identity(input, items) {
        return Some(input.clone());
    }
    match &input.op {
        Op::Slice(inner) => {
            let composed = compose(inner, items)?;
            Some(push(&input.inputs[0], &composed, memo))
        }
        Op::Rechunk => Some(push(&input.inputs[0], items, memo)),
        Op::Map { op, compute } => {
            let rank = input.shape.len();
            let mut operands = Vec::with_capacity(input.inputs.len());
            for operand in &input.inputs {
                let own = operand_items(items, rank, &operand.shape, &input.shape)?;
                operands.push(push(operand, &own, memo));
            }
            Some(build::map(*op, *compute, input.dtype, operands))
        }
        Op::Transpose(perm) => {
            if items.iter().any(|i| matches!(i, SliceItem::NewAxis)) {
                return None;
            }
            // Items on the transpose's axes, re-addressed to the input's axes, in its order.
            let mut on_input: Vec<SliceItem> = items
                .iter()
                .map(|it| match *it {
                    SliceItem::Take {
                        axis,
                        start,
                        step,
                        len,
                    } => SliceItem::Take {
                        axis: perm[axis],
                        start,
                        step,
                        len,
                    },
                    SliceItem::Fix { axis, index } => SliceItem::Fix {
                        axis: perm[axis],
                        index,
                    },
                    SliceItem::NewAxis => SliceItem::NewAxis,
                })
                .collect();
            let kept_order: Vec<usize> = on_input
                .iter()
                .filter_map(|it| match it {
                    SliceItem::Take { axis, .. } => Some(*axis),
                    _ => None,
                })
                .collect();
            on_input.sort_by_key(item_axis);
            let sorted: Vec<usize> = on_input
                .iter()
                .filter_map(|it| match it {
                    SliceItem::Take { axis, .. } => Some(*axis),
                    _ => None,
                })
                .collect();
            let new_perm: Vec<usize> = kept_order
                .iter()
                .map(|a| sorted.iter().position(|b| b == a).expect("kept axis"))
                .collect();
            let sliced = push(&input.inputs[0], &on_input, memo);
            Some(build::transpose(sliced, new_perm))
        }
        Op::Reduce {
            op,
            axes,
            keepdims: false,
            ddof,
        } => {
            if items.iter().any(|i| matches!(i, SliceItem::NewAxis)) {
                return None;
            }
            let x = &input.inputs[0];
            let kept: Vec<usize> = (0..x.shape.len()).filter(|k| !axes.contains(k)).collect();
            let mut on_x = Vec::with_capacity(x.shape.len());
            for j in 0..x.shape.len() {
                if axes.contains(&j) {
                    on_x.push(SliceItem::Take {
                        axis: j,
                        start: 0,
                        step: 1,
                        len: x.shape[j],
                    });
                } else {
                    let k = kept.iter().position(|&a| a == j)?;
                    let it = items.iter().find(|it| item_axis(it) == k)?;
                    on_x.push(match *it {
                        SliceItem::Take {
                            start, step, len, ..
                        } => SliceItem::Take {
                            axis: j,
                            start,
                            step,
                            len,
                        },
                        SliceItem::Fix { index, .. } => SliceItem::Fix { axis: j, index },
                        SliceItem::NewAxis => return None,
                    });
                }
            }
            // The reduced axes' positions after fixed axes disappear.
            let mut new_axes = Vec::new();
            let mut pos = 0;
            for it in &on_x {
                if let SliceItem::Take { axis, .. } = it {
                    if axes.contains(axis) {
                        new_axes.push(pos);
                    }
                    pos += 1;
                }
            }
            let sliced = push(x, &on_x, memo);
            Some(build::reduce(*op, sliced, new_axes, false, *ddof))
        }
        Op::Source(Source::Full(v)) => {
            let plain = build::slice(input.clone(), items.to_vec());
            Some(build::source(
                Source::Full(*v),
                input.dtype,
                plain.shape.clone(),
                plain.chunks.clone(),
            ))
        }
        Op::Source(Source::Arange { start, step }) => match items {
            [
                SliceItem::Take {
                    start: s,
                    step: st,
                    len,
                    ..
                },
            ] => {
                let plain = build::slice(input.clone(), items.to_vec());
                Some(build::source(
                    Source::Arange {
                        start: start + step * *s as f64,
                        step: step * *st as f64,
                    },
                    input.dtype,
                    vec![*len],
                    plain.chunks.clone(),
                ))
            }
            [SliceItem::Fix { index, .. }] => {
                let value = start + step * *index as f64;
                let fill = if input.dtype.is_float() {
                    FullValue::Float(value)
                } else {
                    FullValue::Int(value as i64)
                };
                Some(build::source(
                    Source::Full(fill),
                    input.dtype,
                    vec![],
                    vec![],
                ))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The input axis an item addresses (new axes sort last; they are refused before sorting).
fn item_axis(it: &SliceItem) -> usize {
    match *it {
        SliceItem::Take { axis, .. } | SliceItem::Fix { axis, .. } => axis,
        SliceItem::NewAxis => usize::MAX,
    }
}

/// `x[inner][outer]` as one slice of `x`, when it can be written as one.
fn compose(inner: &[SliceItem], outer: &[SliceItem]) -> Option<Vec<SliceItem>> {
    // The axes the inner slice produces, in order.
    let produced: Vec<&SliceItem> = inner
        .iter()
        .filter(|it| !matches!(it, SliceItem::Fix { .. }))
        .collect();
    let mut out: Vec<SliceItem> = inner
        .iter()
        .filter(|it| matches!(it, SliceItem::Fix { .. }))
        .copied()
        .collect();
    let mut ordered = Vec::new();
    for it in outer {
        match *it {
            SliceItem::NewAxis => ordered.push(SliceItem::NewAxis),
            SliceItem::Take {
                axis,
                start,
                step,
                len,
            } => match *produced.get(axis)? {
                SliceItem::Take {
                    axis: xa,
                    start: s0,
                    step: st0,
                    ..
                } => ordered.push(SliceItem::Take {
                    axis: *xa,
                    start: s0 + st0 * start,
                    step: st0 * step,
                    len,
                }),
                SliceItem::NewAxis if len == 1 => ordered.push(SliceItem::NewAxis),
                _ => return None,
            },
            SliceItem::Fix { axis, index } => match *produced.get(axis)? {
                SliceItem::Take {
                    axis: xa,
                    start: s0,
                    step: st0,
                    ..
                } => out.push(SliceItem::Fix {
                    axis: *xa,
                    index: (s0 + st0 * index as i64) as usize,
                }),
                SliceItem::NewAxis => {}
                SliceItem::Fix { .. } => return None,
            },
        }
    }
    // Fixed axes may sit anywhere; taken axes keep their order (they were in order before).
    out.extend(ordered);
    Some(out)
}

/// The slice of an operand of an element-wise op of rank `rank` and shape `out_shape` that
/// gives the operand's part of `out[items]` (broadcasting right-aligned): axes the operand
/// lacks are dropped, its length-1 axes stay length 1, and new axes appear only after the
/// operand's first own axis.
fn operand_items(
    items: &[SliceItem],
    rank: usize,
    shape: &[usize],
    out_shape: &[usize],
) -> Option<Vec<SliceItem>> {
    let off = rank - shape.len();
    let mut own = Vec::new();
    let mut started = false;
    for it in items {
        match *it {
            SliceItem::NewAxis => {
                if started {
                    own.push(SliceItem::NewAxis);
                }
            }
            SliceItem::Take {
                axis,
                start,
                step,
                len,
            } => {
                if axis < off {
                    if started {
                        return None;
                    }
                    continue;
                }
                started = true;
                let j = axis - off;
                if shape[j] == 1 && out_shape[axis] != 1 {
                    own.push(SliceItem::Take {
                        axis: j,
                        start: 0,
                        step: 1,
                        len: 1.min(len),
                    });
                } else {
                    own.push(SliceItem::Take {
                        axis: j,
                        start,
                        step,
                        len,
                    });
                }
            }
            SliceItem::Fix { axis, index } => {
                if axis < off {
                    continue;
                }
                let j = axis - off;
                let index = if shape[j] == 1 { 0 } else { index };
                own.push(SliceItem::Fix { axis: j, index });
            }
        }
    }
    Some(own)
}
