# A literal next to an array takes the array's kind when it fits (LANGUAGE.md §4).
# out: f32 i32 f64 i64 u8 f64 f64
# out: [2, 1] [0, 0] [2.5, 0.0]
# out: [255, 255] f32
x32 = astype(ones(2), f32)
i32a = astype(ones(2), i32)
u8a = astype(ones(2), u8)
b = array([true, false])
i64a = arange(2)
print((x32 * 2.0).dtype, (i32a + 1).dtype, (i64a + 0.5).dtype, (b + 1).dtype, (u8a + 1).dtype, (u8a + 1.5).dtype, (i32a * 2.5).dtype)
print(b + 1, u8a + 255, b * 2.5)
print(u8a - 2, (x32 / 2).dtype)
