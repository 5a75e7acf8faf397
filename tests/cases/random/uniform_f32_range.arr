# f32 uniforms stay inside [low, high).
# out: f32 true true
x = random.uniform(0, 1, shape=100000, chunks=9999, seed=3, dtype=f32)
print(x.dtype, min(x) >= 0.0, max(x) < 1.0)
