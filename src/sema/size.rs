//! Checked array sizes: element counts and byte sizes never wrap. An array may hold at most
//! `MAX_BYTES` bytes (NumPy's limit, `isize::MAX`); shapes, lengths and sums of lengths
//! that would pass it are refused with NumPy's words ("array is too big").

use crate::sema::dtype::DType;

/// The most bytes one array may hold (NumPy: `isize::MAX`).
pub const MAX_BYTES: usize = isize::MAX as usize;

/// The element count of `shape`, if it does not overflow.
pub fn elements(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |p, &n| p.checked_mul(n))
}

/// The element count of `shape` when an array of `dtype` that size can exist, or NumPy's
/// error ("array is too big") with the type and its size.
pub fn check(dtype: DType, shape: &[usize]) -> Result<usize, String> {
    // An empty array is never too big, whatever its other dimensions.
    if shape.contains(&0) {
        return Ok(0);
    }
    match elements(shape).filter(|n| n.checked_mul(dtype.size()).is_some_and(|b| b <= MAX_BYTES)) {
        Some(n) => Ok(n),
        None => Err(too_big(dtype, shape)),
    }
}

/// The error for an array of `dtype` and `shape` that cannot exist.
pub fn too_big(dtype: DType, shape: &[usize]) -> String {
    let bytes = shape.iter().fold(dtype.size() as f64, |p, &n| p * n as f64);
    let dims: Vec<Option<usize>> = shape.iter().map(|&d| Some(d)).collect();
    format!(
        "array is too big: {} would need {bytes:.3e} bytes, more than the largest possible array ({MAX_BYTES} bytes)",
        crate::sema::dtype::type_text(dtype, &dims)
    )
}

/// `a + b` for lengths of an axis, or "array is too big" when the sum passes what an index
/// can count.
pub fn add(a: usize, b: usize) -> Result<usize, String> {
    a.checked_add(b)
        .filter(|&n| n <= MAX_BYTES)
        .ok_or_else(|| length_error(a as f64 + b as f64))
}

/// `a * b` for lengths of an axis, or "array is too big".
pub fn mul(a: usize, b: usize) -> Result<usize, String> {
    a.checked_mul(b)
        .filter(|&n| n <= MAX_BYTES)
        .ok_or_else(|| length_error(a as f64 * b as f64))
}

fn length_error(n: f64) -> String {
    format!("array is too big: an axis of {n:.3e} elements is longer than any array can be")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_never_wrap() {
        assert_eq!(check(DType::F64, &[3, 4]), Ok(12));
        assert_eq!(check(DType::F64, &[0, usize::MAX]), Ok(0));
        assert!(check(DType::F64, &[1 << 62, 4]).is_err());
        assert!(check(DType::F64, &[1 << 60]).is_err());
        assert!(check(DType::U8, &[1 << 60]).is_ok());
        assert!(check(DType::F64, &[10usize.pow(18), 10usize.pow(18)]).is_err());
        assert!(add(1 << 62, 1 << 62).is_err());
        assert!(mul(1 << 40, 1 << 40).is_err());
        assert!(
            too_big(DType::F64, &[1 << 62, 4])
                .starts_with("array is too big: f64[4611686018427387904, 4]")
        );
    }
}
