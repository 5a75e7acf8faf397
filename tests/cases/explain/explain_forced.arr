# `arr explain` shows the plans of computations forced by float()/int() without running them,
# and goes on past an `if` that depends on such a value.
# opt-only
# flags: --threads 2 --memory-limit 1GiB explain
x = random.normal(shape=[1000], chunks=100, seed=1)
m = float(x.mean())
if m > 0 { print("positive") }
print(x[::2].sum())
# out: plan: f64 in 10 task(s), 1 kernel(s); generates 1000 element(s), reads 0 from files
# out: memory: 2.7 KiB per task, 2 task(s) at once, projected peak 5.3 KiB; limit 1.0 GiB
# out: passes: cse, fold, short_axis, slice_pushdown, cse, align, fuse
# out:   #0 mean(axis=[0]) f64 chunks () (1 block(s), max block 8 B)
# out:     #1 kernel k1 [random.normal, mul, add, mean] over 0 input(s) f64[1000] chunks (100x10) (10 block(s), max block 800 B)
# out:       #2 random.normal f64[1000] chunks (100x10) (10 block(s), max block 800 B)
# out: plan: f64 in 10 task(s), 1 kernel(s); generates 500 element(s), reads 0 from files
# out: memory: 2.3 KiB per task, 2 task(s) at once, projected peak 4.6 KiB; limit 1.0 GiB
# out: passes: cse, fold, short_axis, slice_pushdown, cse, align, fuse
# out:   #0 sum(axis=[0]) f64 chunks () (1 block(s), max block 8 B)
# out:     #1 kernel k1 [random.normal, mul, add, sum] over 0 input(s) f64[500] chunks (50x10) (10 block(s), max block 400 B)
# out:       #2 slice f64[500] chunks (50x10) (10 block(s), max block 400 B)
# out:         #3 random.normal f64[1000] chunks (100x10) (10 block(s), max block 800 B)
