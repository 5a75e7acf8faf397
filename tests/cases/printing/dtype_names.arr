# dtypes print by name.
# out: bool u8 i32 i64 f32 f64
# out: bool u8 i32 i64 f32 f64
print(bool, u8, i32, i64, f32, f64)
print(ones(1, dtype=bool).dtype, ones(1, dtype=u8).dtype, ones(1, dtype=i32).dtype, ones(1, dtype=i64).dtype, ones(1, dtype=f32).dtype, ones(1).dtype)
