# Promotion between arrays follows NumPy 2.
# out: f64 f32 i64 i32 bool u8 f64 f64
# out: f64 f64 i32
# out: [true, false]
x32 = astype(ones(2), f32)
i32a = astype(ones(2), i32)
u8a = astype(ones(2), u8)
b = array([true, false])
i64a = arange(2)
print((i32a + x32).dtype, (u8a + x32).dtype, (i32a + i64a).dtype, (u8a + i32a).dtype, (b + b).dtype, (b + u8a).dtype, (x32 + ones(2)).dtype, (i64a + x32).dtype)
print((i32a / 2).dtype, (u8a / u8a).dtype, (i32a ** 2).dtype)
print(b + b)
