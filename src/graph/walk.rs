//! Graph walks that do not use the machine stack: a loop of 10^6 steps builds a lazy graph
//! 10^6 nodes deep, so every traversal over the whole graph keeps its own stack (a `Vec`),
//! visits each shared node once, and keys its tables by node address with a cheap hasher
//! (`PtrMap`), so a walk is linear in the number of nodes and edges.

use crate::graph::node::{Node, NodeRef};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

/// A hasher for node addresses (and other small integers): one multiply per word, with the
/// high bits folded down so aligned addresses spread over the low bits a table indexes by.
#[derive(Default, Clone, Copy)]
pub struct PtrHasher(u64);

const K: u64 = 0x9e37_79b9_7f4a_7c15;

impl Hasher for PtrHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(K);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 31)
    }
}

/// A table keyed by node address.
pub type PtrMap<V> = HashMap<*const Node, V, BuildHasherDefault<PtrHasher>>;

/// Every node under `root` once, inputs before consumers: the order of a recursive
/// depth-first walk that visits inputs left to right.
pub fn post_order(root: &NodeRef) -> Vec<NodeRef> {
    Indexed::of(root).nodes.into_iter().cloned().collect()
}

/// Every node under `root` once, inputs before consumers, not looking below nodes for which
/// `expand` is false (they are listed, their inputs are not visited through them).
pub fn post_order_where(root: &NodeRef, expand: &dyn Fn(&Node) -> bool) -> Vec<NodeRef> {
    let mut out = Vec::new();
    let mut seen: PtrMap<()> = PtrMap::default();
    // (node, inputs already pushed)
    let mut stack: Vec<(&NodeRef, bool)> = vec![(root, false)];
    while let Some((node, expanded)) = stack.pop() {
        if expanded {
            out.push(node.clone());
            continue;
        }
        if seen.insert(Arc::as_ptr(node), ()).is_some() {
            continue;
        }
        stack.push((node, true));
        if expand(node) {
            for input in node.inputs.iter().rev() {
                if !seen.contains_key(&Arc::as_ptr(input)) {
                    stack.push((input, false));
                }
            }
        }
    }
    out
}

/// A graph numbered in post order (the root last), each node's inputs as numbers.
pub struct Indexed<'a> {
    /// The nodes, inputs before consumers.
    pub nodes: Vec<&'a NodeRef>,
    /// Node `k`'s inputs are `inputs[starts[k]..starts[k + 1]]`.
    starts: Vec<usize>,
    inputs: Vec<usize>,
}

impl<'a> Indexed<'a> {
    /// Numbers the graph under `root` without recursing, in the order of a recursive
    /// depth-first walk that visits inputs left to right. Only nodes with more than one
    /// reference go in the table that finds a node seen before: a node whose one reference
    /// is its consumer's input slot can be reached by no other path (a chain built by a
    /// loop is numbered without hashing).
    pub fn of(root: &'a NodeRef) -> Indexed<'a> {
        /// A node whose inputs are being numbered: its next input, and where its inputs'
        /// numbers start on `pending`.
        struct Frame<'a> {
            node: &'a NodeRef,
            next: usize,
            first: usize,
        }
        let mut index: PtrMap<usize> = PtrMap::default();
        let mut nodes: Vec<&'a NodeRef> = Vec::new();
        let mut starts: Vec<usize> = Vec::new();
        let mut inputs: Vec<usize> = Vec::new();
        let mut pending: Vec<usize> = Vec::new();
        let mut frames = vec![Frame {
            node: root,
            next: 0,
            first: 0,
        }];
        while let Some(top) = frames.last_mut() {
            if let Some(input) = top.node.inputs.get(top.next) {
                top.next += 1;
                let shared = Arc::strong_count(input) > 1;
                if shared && let Some(&k) = index.get(&Arc::as_ptr(input)) {
                    pending.push(k);
                    continue;
                }
                frames.push(Frame {
                    node: input,
                    next: 0,
                    first: pending.len(),
                });
                continue;
            }
            let Frame { node, first, .. } = frames.pop().expect("a frame is on top");
            let k = nodes.len();
            nodes.push(node);
            starts.push(inputs.len());
            inputs.extend(pending.drain(first..));
            if Arc::strong_count(node) > 1 {
                index.insert(Arc::as_ptr(node), k);
            }
            pending.push(k);
        }
        starts.push(inputs.len());
        Indexed {
            nodes,
            starts,
            inputs,
        }
    }

    /// The numbers of node `k`'s inputs, in order.
    pub fn inputs_of(&self, k: usize) -> &[usize] {
        &self.inputs[self.starts[k]..self.starts[k + 1]]
    }

    /// How many input slots refer to each node (the root: none).
    pub fn uses(&self) -> Vec<usize> {
        let mut uses = vec![0; self.nodes.len()];
        for &i in &self.inputs {
            uses[i] += 1;
        }
        uses
    }
}

/// Drops the inputs of a node being dropped without recursing: each input whose last
/// reference this was hands its own inputs to the same loop (a chain of 10^6 nodes would
/// otherwise need 10^6 nested `drop` frames).
pub(crate) fn drop_inputs(inputs: &mut Vec<NodeRef>) {
    if inputs.iter().all(|i| i.inputs.is_empty()) {
        return;
    }
    let mut stack = std::mem::take(inputs);
    while let Some(node) = stack.pop() {
        if let Some(mut node) = Arc::into_inner(node) {
            stack.append(&mut node.inputs);
            // `node` drops here with no inputs.
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::build;
    use crate::graph::node::{FullValue, Source};
    use crate::kernel::MapOp;
    use crate::sema::dtype::DType;

    fn fill(v: f64) -> NodeRef {
        build::source(
            Source::Full(FullValue::Float(v)),
            DType::F64,
            vec![3],
            vec![vec![3]],
        )
    }

    fn add(a: NodeRef, b: NodeRef) -> NodeRef {
        build::map(
            MapOp::Binary(crate::kernel::BinaryOp::Add),
            DType::F64,
            DType::F64,
            vec![a, b],
        )
    }

    fn chain(n: usize) -> NodeRef {
        let mut y = fill(1.0);
        for _ in 0..n {
            y = add(y, fill(1.0));
        }
        y
    }

    /// The recursive walk the iterative one must match.
    fn recursive(root: &NodeRef) -> Vec<*const Node> {
        fn go(n: &NodeRef, seen: &mut PtrMap<()>, out: &mut Vec<*const Node>) {
            if seen.insert(Arc::as_ptr(n), ()).is_some() {
                return;
            }
            for i in &n.inputs {
                go(i, seen, out);
            }
            out.push(Arc::as_ptr(n));
        }
        let mut out = Vec::new();
        go(root, &mut PtrMap::default(), &mut out);
        out
    }

    #[test]
    fn post_order_matches_the_recursive_walk_on_a_shared_graph() {
        let a = fill(2.0);
        let b = add(a.clone(), fill(3.0));
        let c = add(b.clone(), a.clone());
        let d = add(c.clone(), b.clone());
        let root = add(d, add(a.clone(), c.clone()));
        let got: Vec<*const Node> = post_order(&root).iter().map(Arc::as_ptr).collect();
        assert_eq!(got, recursive(&root));
        let all: Vec<*const Node> = post_order_where(&root, &|_| true)
            .iter()
            .map(Arc::as_ptr)
            .collect();
        assert_eq!(all, got);
        // Not below `c`: `a` is reached through `b` and the last add only.
        let cut: Vec<*const Node> = post_order_where(&root, &|n| !std::ptr::eq(n, &*c))
            .iter()
            .map(Arc::as_ptr)
            .collect();
        assert!(cut.contains(&Arc::as_ptr(&c)) && cut.len() == got.len());
        let graph = Indexed::of(&root);
        let numbered: Vec<*const Node> = graph.nodes.iter().map(|n| Arc::as_ptr(n)).collect();
        assert_eq!(numbered, got);
        let uses = graph.uses();
        let at = |n: &NodeRef| got.iter().position(|p| *p == Arc::as_ptr(n)).expect("in");
        assert_eq!(uses[at(&root)], 0);
        assert_eq!(uses[at(&a)], 3);
        assert_eq!(uses[at(&b)], 2);
        assert_eq!(graph.inputs_of(at(&b)), &[at(&a), at(&b) - 1][..]);
    }

    #[test]
    fn a_million_deep_chain_is_walked_and_dropped_on_a_small_stack() {
        // 256 KiB of stack: any recursion per level would overflow long before 10^6 levels.
        std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(|| {
                let root = chain(1_000_000);
                assert_eq!(post_order(&root).len(), 2_000_001);
                assert_eq!(Indexed::of(&root).uses().iter().sum::<usize>(), 2_000_000);
                drop(root);
            })
            .expect("thread")
            .join()
            .expect("no overflow");
    }
}
