# explain shows the optimised plan: the slice pushed below the element-wise chain into the
# random source (a 50th of the elements generated), the chain fused into one kernel, tasks and memory.
# opt-only
# flags: --memory-limit 1GiB --threads 2
x = random.normal(10, 0.1, shape=[20000, 20000], chunks=[1000, 1000], seed=42)
y = (x * 2 + 1).mean(axis=0)[::100]
explain(y)
# out: plan: f64[200] in 400 task(s), 1 kernel(s); generates 4000000 element(s), reads 0 from files
# out: memory: 239.5 KiB per task, 2 task(s) at once, projected peak 480.5 KiB; limit 1.0 GiB
# out: passes: cse, fold, short_axis, slice_pushdown, cse, align, fuse
# out:   #0 mean(axis=[0]) f64[200] chunks (10x20) (20 block(s), max block 80 B)
# out:     #1 kernel k1 [random.normal, mul, add, mul, add, mean] over 0 input(s) f64[20000, 200] chunks (1000x20, 10x20) (400 block(s), max block 78.1 KiB)
# out:       #2 slice f64[20000, 200] chunks (1000x20, 10x20) (400 block(s), max block 78.1 KiB)
# out:         #3 random.normal f64[20000, 20000] chunks (1000x20, 1000x20) (400 block(s), max block 7.6 MiB)
# out:       #4 full f64 chunks () (1 block(s), max block 8 B)
# out:       #5 full f64 chunks () (1 block(s), max block 8 B)
