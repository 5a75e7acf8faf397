# Irregular chunk grids are summarised as Dask does (`20 blocks of 1..20`), never listed
# number by number; a few irregular blocks are listed in full.
# opt-only
# flags: --threads 2 --memory-limit 1GiB
a = arange(210, chunks=[[i + 1 for i in range(20)]])
explain(a.sum())
explain(ones(10, chunks=[[3, 5, 2]]))
# out: plan: i64 in 20 task(s), 1 kernel(s); generates 210 element(s), reads 0 from files
# out: memory: 2.5 KiB per task, 2 task(s) at once, projected peak 5.0 KiB; limit 1.0 GiB
# out: passes: cse, fold, short_axis, slice_pushdown, cse, align, fuse
# out:   #0 sum(axis=[0]) i64 chunks () (1 block(s), max block 8 B)
# out:     #1 kernel k1 [add, mul, add, sum] over 0 input(s) i64[210] chunks (20 blocks of 1..20) (20 block(s), max block 160 B)
# out:       #2 arange i64[210] chunks (20 blocks of 1..20) (20 block(s), max block 160 B)
# out: plan: f64[10] in 3 task(s), 0 kernel(s); generates 0 element(s), reads 0 from files
# out: memory: 40 B per task, 2 task(s) at once, projected peak 160 B; limit 1.0 GiB
# out: passes: cse, fold, short_axis, slice_pushdown, cse, align, fuse
# out:   #0 full f64[10] chunks ([3, 5, 2]) (3 block(s), max block 40 B)
