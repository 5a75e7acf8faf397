# W3 in small is ONE kernel: the normal generator (seed, stream, loc and scale as parameters),
# the slice as a strided flat index (flat = 0 + 8000*i + 2*j), the +1 and the sum as its sink.
# opt-only
# flags: --threads 2 --memory-limit 1GiB
# structure: kernels=1 tasks=16 generated=4000000
x = random.normal(10, 1, shape=[4000, 4000], chunks=[1000, 1000], seed=9)
y = (x + 1)[::2, ::2].sum()
explain(y, kernels=true)
print(abs(float(y) / 4000000 - 11) < 0.01)
# out: plan: f64 in 16 task(s), 1 kernel(s); generates 4000000 element(s), reads 0 from files
# out: memory: 1.5 MiB per task, 2 task(s) at once, projected peak 3.0 MiB; limit 1.0 GiB
# out: passes: cse, fold, short_axis, slice_pushdown, cse, align, fuse
# out:   #0 sum(axis=[0, 1]) f64 chunks () (1 block(s), max block 8 B)
# out:     #1 kernel k1 [random.normal, mul, add, add, sum] over 0 input(s) f64[2000, 2000] chunks (500x4, 500x4) (16 block(s), max block 1.9 MiB)
# out:       | kernel rank=2 inputs= params=i64,i64,f64,f64,i64
# out:       |   v0 = param p0 i64
# out:       |   v1 = param p1 i64
# out:       |   v2 = random normal seed=p0 stream=p1 flat=0,8000,2
# out:       |   v3 = param p2 f64
# out:       |   v4 = param p3 f64
# out:       |   v5 = mul f64->f64 v4 v2
# out:       |   v6 = add f64->f64 v3 v5
# out:       |   v7 = param p4 i64
# out:       |   v8 = cast v7 f64
# out:       |   v9 = add f64->f64 v6 v8
# out:       |   reduce sum v9
# out:       #2 slice f64[2000, 2000] chunks (500x4, 500x4) (16 block(s), max block 1.9 MiB)
# out:         #3 random.normal f64[4000, 4000] chunks (1000x4, 1000x4) (16 block(s), max block 7.6 MiB)
# out:       #4 full f64 chunks () (1 block(s), max block 8 B)
# out: true
