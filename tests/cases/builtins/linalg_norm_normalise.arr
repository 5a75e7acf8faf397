# The embedding normalisation of the seed: x / linalg.norm(x, axis=1, keepdims=true) on
# f32 rows in several blocks (each row block is reduced and divided block by block).
# out: f32 (60, 8) 7
# out: [[0.0, 0.44618, 0.48214, 0.07483, -0.40128, -0.50846, -0.14816, 0.34836], [-0.1632, -0.49248, -0.36897, 0.09376, 0.47029, 0.41444, -0.02245, -0.4387], [0.29514, 0.48286, 0.22664, -0.23795, -0.48377, -0.28482, 0.176, 0.475], [-0.39095, -0.43077, -0.07454, 0.35022, 0.45299, 0.13928, -0.30248, -0.46614], [0.4516, 0.34551, -0.07824, -0.43006, -0.38648, 0.01243, 0.39991, 0.41972]]
# out: true
x = astype(sin(arange(480.0, chunks=64)), f32).reshape([60, 8]).rechunk([7, 8])
y = x / linalg.norm(x, axis=1, keepdims=true)
print(y.dtype, y.shape, y.chunks[0][0])
print(round(astype(y, f64), decimals=5)[::13])
print(max(abs(sum(astype(y, f64) * astype(y, f64), axis=1) - 1.0)) < 1e-6)
