//! The lazy array graph: nodes, their constructors, and chunk grids.

pub mod blockops;
pub mod build;
pub mod chunks;
pub mod linalg_op;
pub mod node;
pub mod walk;

pub use node::{Node, NodeRef, Op, Source};
