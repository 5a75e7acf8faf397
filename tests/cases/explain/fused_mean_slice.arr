# explain shows the graph: shapes, chunk grids, the element-wise chain fused into one kernel,
# and the projected memory per task.
# flags: --memory-limit 1GiB
x = random.normal(10, 0.1, shape=[20000, 20000], chunks=[1000, 1000], seed=42)
y = (x * 2 + 1).mean(axis=0)[::100]
explain(y)
# out: plan: f64[200] in 20 task(s); projected peak 12.0 MiB per task; memory limit 1.0 GiB
# out:   #0 slice f64[200] chunks (10x20) (20 block(s), max block 80 B)
# out:     #1 mean(axis=[0]) f64[20000] chunks (1000x20) (20 block(s), max block 7.8 KiB)
# out:       #2 add f64[20000, 20000] chunks (1000x20, 1000x20) (400 block(s), max block 7.6 MiB) [kernel: 2 op(s) fused over 3 input(s)]
# out:         #3 mul f64[20000, 20000] chunks (1000x20, 1000x20) (400 block(s), max block 7.6 MiB)
# out:           #4 random.normal f64[20000, 20000] chunks (1000x20, 1000x20) (400 block(s), max block 7.6 MiB)
# out:           #5 full f64 chunks () (1 block(s), max block 8 B)
# out:         #6 full f64 chunks () (1 block(s), max block 8 B)
