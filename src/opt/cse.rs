//! Common-subexpression elimination: nodes with the same op over the same inputs, dtype,
//! shape and grid become one node, so their work runs once (a barrier computed twice in
//! `a.sum() + a.sum()` is computed once). Random sources merge too: the same distribution
//! and stream give the same numbers. Data, files, registered functions and masks are
//! compared by identity, never by value.
//!
//! A node's key is hashed without building it (its op's `Debug` text streams into the
//! hasher), and nodes with the same hash are compared field by field, so the pass costs a
//! hash per node, not a formatted string.

use crate::graph::node::{FullValue, NodeRef, Op, Source};
use crate::graph::walk::PtrHasher;
use crate::kernel::MapOp;
use crate::opt::rewrite::{rewrite, same_with_inputs};
use crate::sema::dtype::DType;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::Arc;

/// The pass.
pub fn run(root: &NodeRef) -> NodeRef {
    // Hash of a node's key → the first node seen with that hash; `more`: the other
    // distinct nodes with the same hash, first seen first.
    let mut first: HashMap<u64, NodeRef, BuildHasherDefault<PtrHasher>> = HashMap::default();
    let mut more: HashMap<u64, Vec<NodeRef>, BuildHasherDefault<PtrHasher>> = HashMap::default();
    let mut text = String::new();
    rewrite(root, &mut |node, inputs| {
        let node = same_with_inputs(node, inputs);
        let hash = hash_of(&node);
        let Some(seen) = first.get(&hash) else {
            first.insert(hash, node.clone());
            return node;
        };
        if same_value(seen, &node, &mut text) {
            return seen.clone();
        }
        let others = more.entry(hash).or_default();
        if let Some(same) = others.iter().find(|b| same_value(b, &node, &mut text)) {
            return same.clone();
        }
        others.push(node.clone());
        node
    })
}

/// What identifies a node's op: its address for data, files, registered functions and
/// masks; its fields for the commonest ops (element-wise maps, fills; a fill's value by its
/// bits); its `Debug` text otherwise.
enum OpKey<'a> {
    Identity(&'static str, *const ()),
    Map(MapOp, DType),
    Fill(u8, u64),
    Text(&'a Op),
}

fn op_key(op: &Op) -> OpKey<'_> {
    match op {
        Op::Map { op, compute } => OpKey::Map(*op, *compute),
        Op::Source(Source::Full(v)) => match *v {
            FullValue::Int(i) => OpKey::Fill(0, i as u64),
            FullValue::Float(f) => OpKey::Fill(1, f.to_bits()),
            FullValue::Bool(b) => OpKey::Fill(2, b as u64),
        },
        Op::Source(Source::Data(d)) => OpKey::Identity("data", Arc::as_ptr(d) as *const ()),
        Op::Source(Source::External(s)) => OpKey::Identity("external", Arc::as_ptr(s) as *const ()),
        Op::Native(f) => OpKey::Identity("native", Arc::as_ptr(f) as *const ()),
        Op::Compress { revealed, .. } => {
            OpKey::Identity("compress", Arc::as_ptr(revealed) as *const ())
        }
        other => OpKey::Text(other),
    }
}

/// Feeds formatted text into a hasher.
struct HashWriter<'a, H: Hasher>(&'a mut H);

impl<H: Hasher> std::fmt::Write for HashWriter<'_, H> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

/// Compares formatted text with `expected`, piece by piece, without building it.
struct CompareWriter<'a> {
    rest: &'a str,
}

impl std::fmt::Write for CompareWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        match self.rest.strip_prefix(s) {
            Some(rest) => {
                self.rest = rest;
                Ok(())
            }
            None => Err(std::fmt::Error),
        }
    }
}

fn hash_of(node: &NodeRef) -> u64 {
    let mut h = PtrHasher::default();
    match op_key(&node.op) {
        OpKey::Identity(kind, ptr) => {
            kind.hash(&mut h);
            (ptr as usize).hash(&mut h);
        }
        OpKey::Map(op, compute) => {
            op.hash(&mut h);
            compute.hash(&mut h);
        }
        OpKey::Fill(kind, bits) => {
            kind.hash(&mut h);
            bits.hash(&mut h);
        }
        OpKey::Text(op) => {
            // Formatting into a hasher cannot fail.
            let _ = write!(HashWriter(&mut h), "{op:?}");
        }
    }
    for input in &node.inputs {
        (Arc::as_ptr(input) as usize).hash(&mut h);
    }
    node.dtype.hash(&mut h);
    node.shape.hash(&mut h);
    node.chunks.hash(&mut h);
    h.finish()
}

/// Whether `a` and `b` compute the same value (same op key, the same input nodes, dtype,
/// shape and grid). `text` is scratch space for one op's `Debug` text.
fn same_value(a: &NodeRef, b: &NodeRef, text: &mut String) -> bool {
    if a.dtype != b.dtype
        || a.shape != b.shape
        || a.chunks != b.chunks
        || a.inputs.len() != b.inputs.len()
        || !a
            .inputs
            .iter()
            .zip(&b.inputs)
            .all(|(x, y)| Arc::ptr_eq(x, y))
    {
        return false;
    }
    match (op_key(&a.op), op_key(&b.op)) {
        (OpKey::Identity(ka, pa), OpKey::Identity(kb, pb)) => ka == kb && pa == pb,
        (OpKey::Map(oa, ca), OpKey::Map(ob, cb)) => oa == ob && ca == cb,
        (OpKey::Fill(ka, va), OpKey::Fill(kb, vb)) => ka == kb && va == vb,
        (OpKey::Text(oa), OpKey::Text(ob)) => {
            text.clear();
            let _ = write!(text, "{oa:?}");
            let mut cmp = CompareWriter { rest: text };
            write!(cmp, "{ob:?}").is_ok() && cmp.rest.is_empty()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::build;

    fn fill(v: f64, chunks: Vec<Vec<usize>>) -> NodeRef {
        build::source(
            Source::Full(FullValue::Float(v)),
            DType::F64,
            vec![4],
            chunks,
        )
    }

    #[test]
    fn equal_nodes_merge_and_different_ones_do_not() {
        let a = fill(1.0, vec![vec![4]]);
        let b = fill(1.0, vec![vec![4]]);
        let c = fill(2.0, vec![vec![4]]);
        let d = fill(1.0, vec![vec![2, 2]]);
        let e = fill(10.0, vec![vec![4]]);
        // Ops compared by their Debug text: the same slice of one input merges.
        let f3 = fill(3.0, vec![vec![4]]);
        let rev = |x: &NodeRef, step: i64| {
            Arc::new(crate::graph::node::Node {
                op: Op::Reshape,
                inputs: vec![x.clone()],
                dtype: DType::F64,
                shape: vec![4 + step as usize],
                chunks: vec![vec![4 + step as usize]],
            })
        };
        let add = |x: &NodeRef, y: &NodeRef| {
            build::map(
                MapOp::Binary(crate::kernel::BinaryOp::Add),
                DType::F64,
                DType::F64,
                vec![x.clone(), y.clone()],
            )
        };
        let root = Arc::new(crate::graph::node::Node {
            op: Op::Pack,
            inputs: vec![
                add(&a, &c),
                add(&b, &c),
                add(&a, &d),
                add(&a, &e),
                rev(&f3, 0),
                rev(&f3, 0),
                rev(&f3, 1),
            ],
            dtype: DType::F64,
            shape: vec![],
            chunks: vec![],
        });
        let out = run(&root);
        let r = &out.inputs;
        assert!(Arc::ptr_eq(&r[0], &r[1]), "a + c and b + c are one node");
        assert!(!Arc::ptr_eq(&r[0], &r[2]), "another grid is another node");
        assert!(!Arc::ptr_eq(&r[0], &r[3]), "1 + 10 is not 1 + 2");
        assert!(Arc::ptr_eq(&r[0].inputs[0], &r[3].inputs[0]));
        assert!(Arc::ptr_eq(&r[4], &r[5]), "the same reshape of one input");
        assert!(!Arc::ptr_eq(&r[4], &r[6]), "another shape");
    }
}
