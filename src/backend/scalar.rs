//! The scalar semantics every backend must match live in `crate::scalar` (shared with the
//! host evaluator and constant folding); this path keeps backends' imports short.

pub use crate::scalar::*;
