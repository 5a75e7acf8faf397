# Result dtypes of element-wise functions follow NumPy 2: floor/ceil/trunc/round keep ints,
# transcendental functions of ints give f64, f32 stays f32, predicates give bool.
# out: i64 i64 i64 i64 f64 f64 f32
# out: bool f32 f64 f64 u8 bool
a = arange(3)
print(floor(a).dtype, ceil(a).dtype, trunc(a).dtype, round(a).dtype, sqrt(a).dtype, exp(astype(arange(2), i32)).dtype, sqrt(ones(2, dtype=f32)).dtype)
print(abs(array([true, false])).dtype, arctan2(ones(2, dtype=f32), 1.0).dtype, hypot(arange(2), arange(2)).dtype, minimum(arange(2), 1.5).dtype, clip(arange(3, dtype=u8), 1, 2).dtype, isnan(arange(2)).dtype)
