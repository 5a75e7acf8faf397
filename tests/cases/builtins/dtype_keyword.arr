# dtype= accepts a dtype value or its name, in every creation function.
# out: i32 i32 u8 bool f32 f32
print(zeros(2, dtype=i32).dtype, zeros(2, dtype="i32").dtype, ones(2, dtype=u8).dtype, full(2, 1, dtype=bool).dtype, arange(3, dtype=f32).dtype, linspace(0, 1, 3, dtype="f32").dtype)
