# tour.arr — a ten-line tour of Arr (run it with `make run`).

x = random.normal(10, 0.1, shape=[20000, 20000], chunks=[1000, 1000], seed=42)
y = x.mean(axis=0)[::100]            # lazy: nothing has run yet
print("y:", y.dtype, y.shape)         # known before any computation
print("first means:", y[:3])          # generates only the 3 kept columns

fn zscore(v: f64[n]) -> f64[n] { (v - v.mean()) / v.std() }
z = zscore(y)
print("z range:", round(float(z.min()), decimals=3), round(float(z.max()), decimals=3))

a = arange(12, chunks=5).reshape([3, 4])
print("a =", a)
print("column sums:", a.sum(axis=0), " total:", sum(a))
print("chunks of ones(20, chunks=5)[::2]:", ones(20, chunks=5)[::2].chunks)
