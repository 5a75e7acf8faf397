//! The bytes ranks exchange: arrays (dtype, shape, elements in row-major order), the
//! executor's errors, and lists of results. Every rank runs the same binary, so the layout is
//! native-endian and unversioned; a message that does not decode is a bug, reported as an
//! internal error.

use crate::data::Data;
use crate::exec::ExecError;
use crate::sema::dtype::DType;
use ndarray::{ArrayD, IxDyn};

/// Appends to and reads from an exchange buffer.
pub trait Wire: Sized {
    /// Appends `self`.
    fn put(&self, out: &mut Vec<u8>);
    /// Reads one value at the reader's position.
    fn take(r: &mut Reader) -> Result<Self, ExecError>;
}

/// A position in a received buffer.
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    /// The next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], ExecError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| ExecError::Internal("a truncated MPI message".into()))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    /// The next u64.
    pub fn u64(&mut self) -> Result<u64, ExecError> {
        let b = self.bytes(8)?;
        Ok(u64::from_ne_bytes(b.try_into().expect("8 bytes")))
    }

    /// The next length (a u64 that must fit memory).
    pub fn length(&mut self) -> Result<usize, ExecError> {
        let n = self.u64()?;
        usize::try_from(n).map_err(|_| ExecError::Internal("a bad MPI message length".into()))
    }
}

/// Appends a u64.
pub fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_ne_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u64(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn take_str(r: &mut Reader) -> Result<String, ExecError> {
    let n = r.length()?;
    Ok(String::from_utf8_lossy(r.bytes(n)?).into_owned())
}

const DTYPES: [DType; 6] = [
    DType::Bool,
    DType::U8,
    DType::I32,
    DType::I64,
    DType::F32,
    DType::F64,
];

impl Wire for Data {
    fn put(&self, out: &mut Vec<u8>) {
        let tag = DTYPES.iter().position(|&d| d == self.dtype()).unwrap_or(0);
        put_u64(out, tag as u64);
        put_u64(out, self.shape().len() as u64);
        for &d in self.shape() {
            put_u64(out, d as u64);
        }
        crate::with_data!(self, a => {
            let a = a.as_standard_layout();
            let elems = a.as_slice().expect("standard layout is contiguous");
            // Safety: the element types (bool, u8, i32, i64, f32, f64) are plain bytes with
            // no padding (bool is one byte, 0 or 1); the slice is alive for the copy.
            let bytes = unsafe {
                std::slice::from_raw_parts(
                    elems.as_ptr().cast::<u8>(),
                    std::mem::size_of_val(elems),
                )
            };
            out.extend_from_slice(bytes);
        });
    }

    fn take(r: &mut Reader) -> Result<Data, ExecError> {
        let tag = r.length()?;
        let dtype = *DTYPES
            .get(tag)
            .ok_or_else(|| ExecError::Internal("a bad dtype in an MPI message".into()))?;
        let nd = r.length()?;
        let mut shape = Vec::with_capacity(nd.min(64));
        for _ in 0..nd {
            shape.push(r.length()?);
        }
        let n: usize = shape.iter().product();
        let bytes = r.bytes(n.saturating_mul(dtype.size()))?;
        let dim = IxDyn(&shape);
        let bad = |_| ExecError::Internal("a bad shape in an MPI message".into());
        Ok(match dtype {
            DType::Bool => Data::Bool(
                ArrayD::from_shape_vec(dim, bytes.iter().map(|&b| b != 0).collect())
                    .map_err(bad)?,
            ),
            DType::U8 => Data::U8(ArrayD::from_shape_vec(dim, bytes.to_vec()).map_err(bad)?),
            DType::I32 => Data::I32(ArrayD::from_shape_vec(dim, elems(bytes)).map_err(bad)?),
            DType::I64 => Data::I64(ArrayD::from_shape_vec(dim, elems(bytes)).map_err(bad)?),
            DType::F32 => Data::F32(ArrayD::from_shape_vec(dim, elems(bytes)).map_err(bad)?),
            DType::F64 => Data::F64(ArrayD::from_shape_vec(dim, elems(bytes)).map_err(bad)?),
        })
    }
}

/// Elements of a fixed-size number type read from native-endian bytes.
fn elems<T: FromNe>(bytes: &[u8]) -> Vec<T> {
    let n = bytes.len() / T::SIZE;
    let mut out: Vec<T> = Vec::with_capacity(n);
    // Safety: `T` is a plain number type of `T::SIZE` bytes (every bit pattern is a value);
    // exactly `n` elements are written before the length is set.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), out.as_mut_ptr().cast::<u8>(), n * T::SIZE);
        out.set_len(n);
    }
    out
}

/// Number types whose every bit pattern is a value (read straight from bytes).
trait FromNe {
    const SIZE: usize;
}

macro_rules! from_ne {
    ($($t:ty),*) => {$(
        impl FromNe for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
        }
    )*};
}
from_ne!(i32, i64, f32, f64);

impl Wire for ExecError {
    fn put(&self, out: &mut Vec<u8>) {
        let (tag, msg) = match self {
            ExecError::Cancelled => (0, ""),
            ExecError::OutOfMemory(m) => (1, m.as_str()),
            ExecError::IndexOutOfRange(m) => (2, m.as_str()),
            ExecError::Io(m) => (3, m.as_str()),
            ExecError::Invalid(m) => (4, m.as_str()),
            ExecError::Internal(m) => (5, m.as_str()),
        };
        put_u64(out, tag);
        put_str(out, msg);
    }

    fn take(r: &mut Reader) -> Result<ExecError, ExecError> {
        let tag = r.u64()?;
        let m = take_str(r)?;
        Ok(match tag {
            0 => ExecError::Cancelled,
            1 => ExecError::OutOfMemory(m),
            2 => ExecError::IndexOutOfRange(m),
            3 => ExecError::Io(m),
            4 => ExecError::Invalid(m),
            _ => ExecError::Internal(m),
        })
    }
}

impl Wire for String {
    fn put(&self, out: &mut Vec<u8>) {
        put_str(out, self);
    }

    fn take(r: &mut Reader) -> Result<String, ExecError> {
        take_str(r)
    }
}

impl Wire for DType {
    fn put(&self, out: &mut Vec<u8>) {
        put_u64(
            out,
            DTYPES.iter().position(|d| d == self).unwrap_or(0) as u64,
        );
    }

    fn take(r: &mut Reader) -> Result<DType, ExecError> {
        let tag = r.length()?;
        DTYPES
            .get(tag)
            .copied()
            .ok_or_else(|| ExecError::Internal("a bad dtype in an MPI message".into()))
    }
}

impl Wire for std::path::PathBuf {
    fn put(&self, out: &mut Vec<u8>) {
        use std::os::unix::ffi::OsStrExt;
        let bytes = self.as_os_str().as_bytes();
        put_u64(out, bytes.len() as u64);
        out.extend_from_slice(bytes);
    }

    fn take(r: &mut Reader) -> Result<std::path::PathBuf, ExecError> {
        use std::os::unix::ffi::OsStrExt;
        let n = r.length()?;
        Ok(std::ffi::OsStr::from_bytes(r.bytes(n)?).into())
    }
}

impl Wire for () {
    fn put(&self, _: &mut Vec<u8>) {}

    fn take(_: &mut Reader) -> Result<(), ExecError> {
        Ok(())
    }
}

impl Wire for u64 {
    fn put(&self, out: &mut Vec<u8>) {
        put_u64(out, *self);
    }

    fn take(r: &mut Reader) -> Result<u64, ExecError> {
        r.u64()
    }
}

impl Wire for f64 {
    fn put(&self, out: &mut Vec<u8>) {
        put_u64(out, self.to_bits());
    }

    fn take(r: &mut Reader) -> Result<f64, ExecError> {
        Ok(f64::from_bits(r.u64()?))
    }
}

impl Wire for i64 {
    fn put(&self, out: &mut Vec<u8>) {
        put_u64(out, *self as u64);
    }

    fn take(r: &mut Reader) -> Result<i64, ExecError> {
        Ok(r.u64()? as i64)
    }
}

impl Wire for usize {
    fn put(&self, out: &mut Vec<u8>) {
        put_u64(out, *self as u64);
    }

    fn take(r: &mut Reader) -> Result<usize, ExecError> {
        r.length()
    }
}

impl<T: Wire> Wire for Vec<T> {
    fn put(&self, out: &mut Vec<u8>) {
        put_u64(out, self.len() as u64);
        for v in self {
            v.put(out);
        }
    }

    fn take(r: &mut Reader) -> Result<Vec<T>, ExecError> {
        let n = r.length()?;
        let mut v = Vec::with_capacity(n.min(1 << 16));
        for _ in 0..n {
            v.push(T::take(r)?);
        }
        Ok(v)
    }
}

impl<T: Wire> Wire for Option<T> {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            None => put_u64(out, 0),
            Some(v) => {
                put_u64(out, 1);
                v.put(out);
            }
        }
    }

    fn take(r: &mut Reader) -> Result<Option<T>, ExecError> {
        Ok(match r.u64()? {
            0 => None,
            _ => Some(T::take(r)?),
        })
    }
}

impl<T: Wire> Wire for std::sync::Arc<T> {
    fn put(&self, out: &mut Vec<u8>) {
        (**self).put(out);
    }

    fn take(r: &mut Reader) -> Result<std::sync::Arc<T>, ExecError> {
        Ok(std::sync::Arc::new(T::take(r)?))
    }
}

impl<A: Wire, B: Wire> Wire for (A, B) {
    fn put(&self, out: &mut Vec<u8>) {
        self.0.put(out);
        self.1.put(out);
    }

    fn take(r: &mut Reader) -> Result<(A, B), ExecError> {
        Ok((A::take(r)?, B::take(r)?))
    }
}

impl<T: Wire> Wire for Result<T, ExecError> {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            Ok(v) => {
                put_u64(out, 0);
                v.put(out);
            }
            Err(e) => {
                put_u64(out, 1);
                e.put(out);
            }
        }
    }

    fn take(r: &mut Reader) -> Result<Result<T, ExecError>, ExecError> {
        Ok(match r.u64()? {
            0 => Ok(T::take(r)?),
            _ => Err(ExecError::take(r)?),
        })
    }
}

/// `value` as one message.
pub fn encode<T: Wire>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    value.put(&mut out);
    out
}

/// The value of one whole message.
pub fn decode<T: Wire>(bytes: &[u8]) -> Result<T, ExecError> {
    let mut r = Reader::new(bytes);
    let v = T::take(&mut r)?;
    if r.at != bytes.len() {
        return Err(ExecError::Internal(
            "an MPI message with trailing bytes".into(),
        ));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_and_errors_round_trip() {
        let a = Data::F64(
            ArrayD::from_shape_vec(IxDyn(&[2, 3]), vec![1.0, -0.0, f64::NAN, 4.0, 5.0, 6.0])
                .unwrap(),
        );
        let b = Data::Bool(ArrayD::from_shape_vec(IxDyn(&[2]), vec![true, false]).unwrap());
        let c = Data::I32(ArrayD::from_shape_vec(IxDyn(&[0, 4]), vec![]).unwrap());
        let msg: Result<Vec<Data>, ExecError> = Ok(vec![a.clone(), b, c]);
        let back: Result<Vec<Data>, ExecError> = decode(&encode(&msg)).unwrap();
        let back = back.unwrap();
        assert_eq!(back.len(), 3);
        match (&back[0], &a) {
            (Data::F64(x), Data::F64(y)) => {
                assert!(x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits()));
                assert_eq!(x.shape(), y.shape());
            }
            _ => panic!("dtype changed"),
        }
        assert_eq!(back[2].shape(), &[0, 4]);
        let err: Result<Vec<Data>, ExecError> = Err(ExecError::Io("disk on fire".into()));
        let back: Result<Vec<Data>, ExecError> = decode(&encode(&err)).unwrap();
        assert_eq!(back.unwrap_err(), ExecError::Io("disk on fire".into()));
        assert!(decode::<Vec<Data>>(&[1, 2, 3]).is_err());
    }

    #[test]
    fn paths_round_trip_byte_for_byte() {
        use std::os::unix::ffi::OsStrExt;
        let odd = std::path::PathBuf::from(std::ffi::OsStr::from_bytes(b"/tmp/a\xff b/c.zarr"));
        let back: std::path::PathBuf = decode(&encode(&odd)).unwrap();
        assert_eq!(back.as_os_str().as_bytes(), odd.as_os_str().as_bytes());
    }
}
