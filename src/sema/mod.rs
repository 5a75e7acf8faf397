//! Semantic rules shared by the checker and the evaluator: dtypes and NumPy 2 promotion.
//! (Shape rules live beside the operations they govern in `eval::ops` and `builtins`; the
//! whole program is checked by running the evaluator in check mode, see `eval`.)

pub mod dtype;
pub mod names;
pub mod size;
