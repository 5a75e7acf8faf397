//! Common-subexpression elimination: nodes with the same op over the same inputs, dtype,
//! shape and grid become one node, so their work runs once (a barrier computed twice in
//! `a.sum() + a.sum()` is computed once). Random sources merge too: the same distribution
//! and stream give the same numbers. Data, files, registered functions and masks are
//! compared by identity, never by value.

use crate::graph::node::{NodeRef, Op, Source};
use crate::opt::rewrite::{rewrite, same_with_inputs};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The pass.
pub fn run(root: &NodeRef) -> NodeRef {
    let mut table: HashMap<String, NodeRef> = HashMap::new();
    rewrite(root, &mut |node, inputs| {
        let node = same_with_inputs(node, inputs);
        let key = key_of(&node);
        table.entry(key).or_insert(node).clone()
    })
}

/// What identifies a node's value.
fn key_of(node: &NodeRef) -> String {
    let op = match &node.op {
        Op::Source(Source::Data(d)) => format!("data@{:p}", Arc::as_ptr(d)),
        Op::Source(Source::External(s)) => format!("external@{:p}", Arc::as_ptr(s)),
        Op::Native(f) => format!("native@{:p}", Arc::as_ptr(f)),
        Op::Compress { revealed, .. } => format!("compress@{:p}", Arc::as_ptr(revealed)),
        other => format!("{other:?}"),
    };
    let inputs: Vec<String> = node
        .inputs
        .iter()
        .map(|i| format!("{:p}", Arc::as_ptr(i)))
        .collect();
    let mut grid = std::collections::hash_map::DefaultHasher::new();
    node.chunks.hash(&mut grid);
    format!(
        "{op}|{}|{:?}|{:?}|{:x}",
        inputs.join(","),
        node.dtype,
        node.shape,
        grid.finish()
    )
}
