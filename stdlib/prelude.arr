# The Arr prelude: functions written in Arr itself, loaded before every program.

# Zeros with the shape of x (and its dtype and chunks unless given).
fn zeros_like(x, dtype=none, chunks=none) { full_like(x, 0, dtype=dtype, chunks=chunks) }

# Ones with the shape of x (and its dtype and chunks unless given).
fn ones_like(x, dtype=none, chunks=none) { full_like(x, 1, dtype=dtype, chunks=chunks) }

# An array with the shape of x, filled with zeros (as empty).
fn empty_like(x, dtype=none, chunks=none) { full_like(x, 0, dtype=dtype, chunks=chunks) }

# Joins along the second axis (the first for 1-D arrays), as NumPy's hstack.
fn hstack(arrays) {
    if arrays[0].ndim == 1 { concatenate(arrays, axis=0) } else { concatenate(arrays, axis=1) }
}

# Joins along the first axis, treating 1-D arrays as rows, as NumPy's vstack.
fn vstack(arrays) {
    concatenate([if a.ndim == 1 { a[newaxis, :] } else { a } for a in arrays], axis=0)
}

# The peak-to-peak range along an axis.
fn ptp(x, axis=none, keepdims=false) {
    max(x, axis=axis, keepdims=keepdims) - min(x, axis=axis, keepdims=keepdims)
}

# The Euclidean norm (vector 2-norm, or over the given axis).
fn norm(x, axis=none, keepdims=false) { sqrt(sum(x * x, axis=axis, keepdims=keepdims)) }

