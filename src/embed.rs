//! Embedding: ndarray values in and out of a session, and Rust functions registered as Arr
//! functions (element-wise or per block), which run inside the chunked executor.

use crate::data::{Data, Element};
use crate::eval::signature::RawArg;
use crate::eval::{Evaluator, R, err_label};
use crate::graph::node::{Node, Op};
use crate::sema::dtype::DType;
use crate::syntax::ast::Span;
use crate::value::{Array, Num, Value};
use ndarray::{ArrayD, ArrayViewD, Dimension, IxDyn};
use std::sync::Arc;

/// A Rust function applied to one block of an f64 array, returning a block of the same shape.
pub type BlockFn = dyn Fn(ArrayViewD<'_, f64>) -> ArrayD<f64> + Send + Sync;

/// A registered Rust function.
pub struct NativeFn {
    /// The Arr name it is bound to.
    pub name: String,
    /// What it does to a block.
    pub block: Arc<BlockFn>,
}

impl std::fmt::Debug for NativeFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<rust fn {}>", self.name)
    }
}

/// Calls a registered function on one array argument: a lazy node that applies it per block.
pub fn call_native(
    interp: &mut Evaluator,
    f: &Arc<NativeFn>,
    args: Vec<RawArg>,
    span: Span,
) -> R<Value> {
    if args.len() != 1 || args[0].0.is_some() {
        return err_label(
            format!("`{}` takes one array argument", f.name),
            span,
            "in this call",
        );
    }
    let (_, v, vspan) = &args[0];
    let a = match v {
        Value::Array(a) => a.clone(),
        Value::Num(n) => {
            let out = (f.block)(ArrayD::from_elem(IxDyn(&[]), n.as_f64()).view());
            return Ok(Value::Num(Num::Float(
                out.iter().next().copied().unwrap_or(f64::NAN),
            )));
        }
        Value::Unknown(_) => return Ok(v.clone()),
        other => {
            return err_label(
                format!("`{}` needs an array, not {}", f.name, other.type_name()),
                *vspan,
                "not an array",
            );
        }
    };
    let node = if interp.check {
        None
    } else {
        a.node.clone().map(|n| {
            let n = if n.dtype == DType::F64 {
                n
            } else {
                crate::graph::build::map(crate::kernel::MapOp::Cast, n.dtype, DType::F64, vec![n])
            };
            Arc::new(Node {
                op: Op::Native(f.clone()),
                dtype: DType::F64,
                shape: n.shape.clone(),
                chunks: n.chunks.clone(),
                inputs: vec![n],
            })
        })
    };
    Ok(Value::Array(Array {
        dtype: DType::F64,
        shape: a.shape.clone(),
        node,
    }))
}

/// Element types that cross the embedding boundary.
pub trait EmbedElement: Element + Clone {}
impl<T: Element + Clone> EmbedElement for T {}

/// Wraps an ndarray as an Arr array value (cut into automatic chunks).
pub fn value_from_array<T: Element, D: Dimension>(a: ndarray::Array<T, D>) -> Value {
    let a = a.into_dyn();
    let shape = a.shape().to_vec();
    let chunks = crate::graph::chunks::auto(&shape, T::DTYPE.size());
    let node = crate::exec::data_node(T::wrap(a), chunks);
    Value::Array(Array {
        dtype: T::DTYPE,
        shape: shape.into_iter().map(Some).collect(),
        node: Some(node),
    })
}

/// Converts computed data to an ndarray of element type `T` (converting as `astype` does).
pub fn data_to_array<T: Element>(data: Data) -> ArrayD<T> {
    with_data!(data, a => a.mapv(crate::data::convert))
}

/// Types a session value can be converted to by `Session::get`.
pub trait FromArr: Sized {
    /// Converts (computing the value if it is a lazy array).
    fn from_value(session: &mut crate::Session, v: Value) -> Result<Self, crate::Error>;
}

impl<T: Element, D: Dimension> FromArr for ndarray::Array<T, D> {
    fn from_value(session: &mut crate::Session, v: Value) -> Result<Self, crate::Error> {
        let data = match &v {
            Value::Num(n) => Data::F64(ArrayD::from_elem(IxDyn(&[]), n.as_f64())),
            _ => session.compute_value(&v)?,
        };
        let ndim = data.shape().len();
        data_to_array::<T>(data)
            .into_dimensionality::<D>()
            .map_err(|_| {
                session.embed_error(format!(
                    "the value has {ndim} dimension(s), which does not fit the requested array type"
                ))
            })
    }
}

impl<T: Element> FromArr for Vec<T> {
    fn from_value(session: &mut crate::Session, v: Value) -> Result<Self, crate::Error> {
        let a: ndarray::Array1<T> = FromArr::from_value(session, v)?;
        Ok(a.to_vec())
    }
}

fn scalar(session: &mut crate::Session, v: Value) -> Result<Num, crate::Error> {
    match v {
        Value::Num(n) => Ok(n),
        Value::Array(a) if a.shape.iter().all(|d| *d == Some(1)) => {
            let data = session.compute_value(&Value::Array(a))?;
            Ok(match data.dtype() {
                DType::Bool => Num::Bool(data.f64_at(0) != 0.0),
                d if d.is_float() => Num::Float(data.f64_at(0)),
                _ => Num::Int(
                    with_data!(&data, x => x.iter().next().map(|v| v.to_i64()).unwrap_or(0)),
                ),
            })
        }
        other => Err(session.embed_error(format!(
            "expected a single number, got {}",
            other.type_name()
        ))),
    }
}

impl FromArr for f64 {
    fn from_value(session: &mut crate::Session, v: Value) -> Result<Self, crate::Error> {
        scalar(session, v).map(|n| n.as_f64())
    }
}

impl FromArr for i64 {
    fn from_value(session: &mut crate::Session, v: Value) -> Result<Self, crate::Error> {
        match scalar(session, v)? {
            Num::Int(i) => Ok(i),
            Num::Bool(b) => Ok(b as i64),
            Num::Float(f) => Err(session.embed_error(format!("expected an integer, got {f}"))),
        }
    }
}

impl FromArr for bool {
    fn from_value(session: &mut crate::Session, v: Value) -> Result<Self, crate::Error> {
        match scalar(session, v)? {
            Num::Bool(b) => Ok(b),
            other => Err(session.embed_error(format!("expected a bool, got {other:?}"))),
        }
    }
}

impl FromArr for String {
    fn from_value(session: &mut crate::Session, v: Value) -> Result<Self, crate::Error> {
        match v {
            Value::Str(s) => Ok(s.to_string()),
            other => session.display(&other),
        }
    }
}

impl crate::Session {
    /// Chooses where kernels run: `"cpu"` (the backend of `Options::backend`), `"cuda"`
    /// (GPU 0), `"cuda:N"` or `"cuda:all"` (every GPU, launches round-robin), as
    /// `--device`. On a GPU, the memory budget becomes at most the GPU's free memory.
    /// Without an NVIDIA driver, NVRTC or such a GPU it returns what is missing and keeps the
    /// current device.
    pub fn set_device(&mut self, device: &str) -> Result<(), String> {
        use crate::backend::cuda;
        let backend: Arc<dyn crate::backend::Backend> = if device == "cpu" {
            let kind = if self.state.borrow().exec.backend.name() == "interp" {
                crate::backend::BackendKind::Interp
            } else {
                crate::backend::BackendKind::Jit
            };
            crate::backend::of_kind(kind)
        } else {
            let spec = cuda::DeviceSpec::parse(device).ok_or_else(|| {
                format!("unknown --device {device:?}; use cpu, cuda, cuda:N or cuda:all")
            })?;
            let gpu = cuda::open(spec)?;
            // Every launch's inputs and outputs are on the GPU while it runs: the budget the
            // schedule is planned against is at most the GPU's free memory.
            let free = gpu.free_memory()?;
            let mut st = self.state.borrow_mut();
            st.exec.memory_limit = st.exec.memory_limit.min(free);
            drop(st);
            Arc::new(gpu)
        };
        self.state.borrow_mut().exec.backend = backend;
        Ok(())
    }
}
