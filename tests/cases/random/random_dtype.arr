# dtype= for random arrays; an f32 stream is also the same for any grid.
# out: f32 f32 i32
# out: true
a = random.normal(0, 1, shape=100, seed=9, dtype=f32)
b = random.uniform(0, 1, shape=100, seed=9, dtype=f32)
c = random.integers(0, 100, shape=100, seed=9, dtype=i32)
print(a.dtype, b.dtype, c.dtype)
print(all(a == random.normal(0, 1, shape=100, chunks=7, seed=9, dtype=f32)))
