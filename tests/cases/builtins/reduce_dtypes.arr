# Float reductions keep f32; means of ints and bools are f64.
# out: f32 f32 f64 1.0
f = ones(3, dtype=f32)
print(sum(f).dtype, mean(f).dtype, mean(full(300, 200, dtype=u8)).dtype, mean(ones(5, dtype=bool)))
