//! In-memory n-d arrays of every dtype: one `ndarray::ArrayD` per element type, with casts.

use crate::sema::dtype::DType;
use ndarray::{ArrayD, IxDyn};

/// A dense in-memory array whose element type is known at run time.
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    Bool(ArrayD<bool>),
    U8(ArrayD<u8>),
    I32(ArrayD<i32>),
    I64(ArrayD<i64>),
    F32(ArrayD<f32>),
    F64(ArrayD<f64>),
}

/// Runs `$body` with `$a` bound to the inner `ArrayD<T>` of a `Data`, whatever `T` is.
#[macro_export]
macro_rules! with_data {
    ($data:expr, $a:ident => $body:expr) => {
        match $data {
            $crate::data::Data::Bool($a) => $body,
            $crate::data::Data::U8($a) => $body,
            $crate::data::Data::I32($a) => $body,
            $crate::data::Data::I64($a) => $body,
            $crate::data::Data::F32($a) => $body,
            $crate::data::Data::F64($a) => $body,
        }
    };
}

/// Like `with_data!`, but rebuilds a `Data` of the same dtype from the body's `ArrayD<T>`.
#[macro_export]
macro_rules! map_data {
    ($data:expr, $a:ident => $body:expr) => {
        match $data {
            $crate::data::Data::Bool($a) => $crate::data::Data::Bool($body),
            $crate::data::Data::U8($a) => $crate::data::Data::U8($body),
            $crate::data::Data::I32($a) => $crate::data::Data::I32($body),
            $crate::data::Data::I64($a) => $crate::data::Data::I64($body),
            $crate::data::Data::F32($a) => $crate::data::Data::F32($body),
            $crate::data::Data::F64($a) => $crate::data::Data::F64($body),
        }
    };
}

/// Conversions between element types with NumPy's `astype` semantics (floats to ints
/// truncate toward zero and saturate; nan becomes 0; ints wrap when narrowing).
pub trait Element: Copy + Send + Sync + PartialEq + std::fmt::Debug + 'static {
    /// The dtype of this element type.
    const DTYPE: DType;
    /// Widens to f64.
    fn to_f64(self) -> f64;
    /// Widens to i64 (floats truncate).
    fn to_i64(self) -> i64;
    /// Narrows from f64.
    fn from_f64(v: f64) -> Self;
    /// Narrows from i64.
    fn from_i64(v: i64) -> Self;
    /// Whether the value is non-zero.
    fn truthy(self) -> bool;
    /// Wraps an array of this type.
    fn wrap(a: ArrayD<Self>) -> Data;
}

macro_rules! int_element {
    ($t:ty, $variant:ident) => {
        impl Element for $t {
            const DTYPE: DType = DType::$variant;
            fn to_f64(self) -> f64 {
                self as f64
            }
            fn to_i64(self) -> i64 {
                self as i64
            }
            fn from_f64(v: f64) -> Self {
                if v.is_nan() { 0 } else { v as i64 as $t }
            }
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            fn truthy(self) -> bool {
                self != 0
            }
            fn wrap(a: ArrayD<Self>) -> Data {
                Data::$variant(a)
            }
        }
    };
}
int_element!(u8, U8);
int_element!(i32, I32);
int_element!(i64, I64);

macro_rules! float_element {
    ($t:ty, $variant:ident) => {
        impl Element for $t {
            const DTYPE: DType = DType::$variant;
            fn to_f64(self) -> f64 {
                self as f64
            }
            fn to_i64(self) -> i64 {
                if self.is_nan() { 0 } else { self as i64 }
            }
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            fn truthy(self) -> bool {
                self != 0.0
            }
            fn wrap(a: ArrayD<Self>) -> Data {
                Data::$variant(a)
            }
        }
    };
}
float_element!(f32, F32);
float_element!(f64, F64);

impl Element for bool {
    const DTYPE: DType = DType::Bool;
    fn to_f64(self) -> f64 {
        self as u8 as f64
    }
    fn to_i64(self) -> i64 {
        self as i64
    }
    fn from_f64(v: f64) -> Self {
        v != 0.0
    }
    fn from_i64(v: i64) -> Self {
        v != 0
    }
    fn truthy(self) -> bool {
        self
    }
    fn wrap(a: ArrayD<Self>) -> Data {
        Data::Bool(a)
    }
}

/// Converts one element to another element type.
pub fn convert<S: Element, T: Element>(v: S) -> T {
    if T::DTYPE == DType::Bool {
        return T::from_i64(v.truthy() as i64);
    }
    if S::DTYPE.is_float() {
        T::from_f64(v.to_f64())
    } else {
        T::from_i64(v.to_i64())
    }
}

impl Data {
    /// The element type.
    pub fn dtype(&self) -> DType {
        match self {
            Data::Bool(_) => DType::Bool,
            Data::U8(_) => DType::U8,
            Data::I32(_) => DType::I32,
            Data::I64(_) => DType::I64,
            Data::F32(_) => DType::F32,
            Data::F64(_) => DType::F64,
        }
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        with_data!(self, a => a.shape())
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        with_data!(self, a => a.len())
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held by the elements.
    pub fn nbytes(&self) -> usize {
        self.len() * self.dtype().size()
    }

    /// A zero-filled array.
    pub fn zeros(dtype: DType, shape: &[usize]) -> Data {
        let dim = IxDyn(shape);
        match dtype {
            DType::Bool => Data::Bool(ArrayD::from_elem(dim, false)),
            DType::U8 => Data::U8(ArrayD::zeros(dim)),
            DType::I32 => Data::I32(ArrayD::zeros(dim)),
            DType::I64 => Data::I64(ArrayD::zeros(dim)),
            DType::F32 => Data::F32(ArrayD::zeros(dim)),
            DType::F64 => Data::F64(ArrayD::zeros(dim)),
        }
    }

    /// An array of `dtype` and `shape` whose row-major element bytes `fill` writes, every one
    /// of them (the memory is not zeroed first). An error from `fill` frees the memory.
    ///
    /// # Safety
    /// When `fill` returns `Ok`, it must have written every byte of the slice it was given
    /// with a valid element of `dtype` (for `Bool`, bytes 0 or 1).
    pub unsafe fn written_by<E>(
        dtype: DType,
        shape: &[usize],
        fill: impl FnOnce(&mut [std::mem::MaybeUninit<u8>]) -> Result<(), E>,
    ) -> Result<Data, E> {
        let n: usize = shape.iter().product();
        macro_rules! make {
            ($t:ty, $v:ident) => {{
                let mut v: Vec<$t> = Vec::with_capacity(n);
                let spare = v.spare_capacity_mut();
                // Safety: the spare capacity is `n` uninitialised elements, viewed as bytes.
                let bytes = unsafe {
                    std::slice::from_raw_parts_mut(
                        spare.as_mut_ptr() as *mut std::mem::MaybeUninit<u8>,
                        std::mem::size_of_val(spare),
                    )
                };
                fill(bytes)?;
                // Safety: the caller's `fill` wrote all `n` elements.
                unsafe { v.set_len(n) };
                Data::$v(ArrayD::from_shape_vec(IxDyn(shape), v).expect("n elements"))
            }};
        }
        Ok(match dtype {
            DType::Bool => make!(bool, Bool),
            DType::U8 => make!(u8, U8),
            DType::I32 => make!(i32, I32),
            DType::I64 => make!(i64, I64),
            DType::F32 => make!(f32, F32),
            DType::F64 => make!(f64, F64),
        })
    }

    /// Converts to another dtype (a cheap clone when it already has it).
    pub fn cast(&self, dtype: DType) -> Data {
        if self.dtype() == dtype {
            return self.clone();
        }
        with_data!(self, a => cast_array(a, dtype))
    }

    /// Converts to another dtype, consuming the array.
    pub fn into_dtype(self, dtype: DType) -> Data {
        if self.dtype() == dtype {
            self
        } else {
            self.cast(dtype)
        }
    }

    /// Reshapes a standard-layout copy of the data.
    pub fn reshaped(self, shape: &[usize]) -> Data {
        map_data!(self, a => {
            let a = if a.is_standard_layout() { a } else { a.as_standard_layout().into_owned() };
            a.into_shape_with_order(IxDyn(shape)).expect("caller keeps the element count")
        })
    }

    /// The values as f64 in row-major order.
    pub fn to_f64_vec(&self) -> Vec<f64> {
        with_data!(self, a => a.iter().map(|v| v.to_f64()).collect())
    }

    /// Calls `f` with every element as f64, in row-major order, without a copy of the
    /// array (pictures reduce blocks of any dtype this way: a `u8` block never becomes
    /// eight times its size).
    pub fn for_each_f64(&self, mut f: impl FnMut(f64)) {
        with_data!(self, a => a.iter().for_each(|v| f(v.to_f64())))
    }

    /// The element at a row-major flat index, as f64.
    pub fn f64_at(&self, flat: usize) -> f64 {
        with_data!(self, a => {
            let a = a.as_standard_layout();
            a.as_slice().map(|s| s[flat].to_f64()).unwrap_or(f64::NAN)
        })
    }
}

fn cast_array<S: Element>(a: &ArrayD<S>, dtype: DType) -> Data {
    match dtype {
        DType::Bool => Data::Bool(a.mapv(convert::<S, bool>)),
        DType::U8 => Data::U8(a.mapv(convert::<S, u8>)),
        DType::I32 => Data::I32(a.mapv(convert::<S, i32>)),
        DType::I64 => Data::I64(a.mapv(convert::<S, i64>)),
        DType::F32 => Data::F32(a.mapv(convert::<S, f32>)),
        DType::F64 => Data::F64(a.mapv(convert::<S, f64>)),
    }
}

/// Row-major strides of a shape, in elements.
pub fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for k in (0..shape.len().saturating_sub(1)).rev() {
        s[k] = s[k + 1] * shape[k + 1];
    }
    s
}
