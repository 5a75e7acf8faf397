//! File blocks a task already holds, offered to the rest of its kernel's operands. When a
//! kernel loads a block of a file source and other operands that read the same source again
//! (`x / linalg.norm(x, axis=1, keepdims=true)`: the norms' reduction reads the very rows of
//! `x` the division loads), the file block is read first and those reads are cut from it,
//! so each block of the file is read once per task, not once per consumer.
//!
//! A region's value depends only on its node and its region, so a block found here is
//! exactly what reading it again would give (whichever task offered it). Nothing is held
//! that the launch does not hold anyway: the offer ends when the operands are evaluated.
//! Offers live on the evaluating thread (a stack: nested launches offer and withdraw in
//! order, and rayon runs a stolen job to its end before the thief resumes its own).

use crate::data::Data;
use crate::exec::region::{AxisRange, Region, slice_data};
use crate::graph::node::{NodeRef, Op, Source};
use std::cell::RefCell;
use std::sync::Arc;

struct Held {
    node: usize,
    region: Region,
    data: Arc<Data>,
}

thread_local! {
    static HELD: RefCell<Vec<Held>> = const { RefCell::new(Vec::new()) };
}

/// An offered block; dropping it withdraws the offer made last on this thread.
pub struct Offer(());

impl Drop for Offer {
    fn drop(&mut self) {
        HELD.with(|h| {
            h.borrow_mut().pop();
        });
    }
}

/// Whether a kernel operand's block is worth offering to the kernel's other operands: a
/// file source (reading it again costs a read; a generator is cheaper to recompute).
pub fn worth_offering(leaf: &NodeRef) -> bool {
    matches!(leaf.op, Op::Source(Source::External(_)))
}

/// Offers `data`, the region `region` of `node`, until the returned guard is dropped.
pub fn offer(node: &NodeRef, region: &Region, data: Arc<Data>) -> Offer {
    HELD.with(|h| {
        h.borrow_mut().push(Held {
            node: Arc::as_ptr(node) as usize,
            region: region.clone(),
            data,
        })
    });
    Offer(())
}

/// The region `region` of `node` cut from a block offered on this thread, if one holds it.
pub fn lookup(node: &NodeRef, region: &Region) -> Option<Data> {
    HELD.with(|h| {
        let h = h.borrow();
        let ptr = Arc::as_ptr(node) as usize;
        h.iter()
            .rev()
            .filter(|b| b.node == ptr && b.region.len() == region.len())
            .find_map(|b| {
                let rel: Option<Region> = region
                    .iter()
                    .zip(&b.region)
                    .map(|(r, w)| {
                        let (lo, hi) = r.bounds();
                        let (wlo, whi) = w.bounds();
                        (w.step == 1 && r.step >= 1 && r.len > 0 && lo >= wlo && hi <= whi).then(
                            || AxisRange {
                                start: r.start - w.start,
                                step: r.step,
                                len: r.len,
                            },
                        )
                    })
                    .collect();
                rel.filter(|rel| rel.len() == b.region.len())
                    .map(|rel| slice_data(&b.data, &rel))
            })
    })
}
