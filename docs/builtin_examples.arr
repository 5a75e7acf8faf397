# The examples of docs/builtins.md, one per builtin, each introduced by a line `#> NAME`.
# Each runs on its own in a fresh folder; what it prints goes into docs/builtins.md
# (regenerate it with: UPDATE_EXPECT=1 cargo test --release --test integration builtins_md).
# A builtin without an example needs a line `#> NAME -- no example: REASON`.

#> zeros
print(zeros([2, 3]))
print(zeros(4, dtype=i32, chunks=2).chunks)

#> ones
x = ones([1000, 1000], chunks=250)
print(x.shape, x.chunks[0], x.sum())

#> empty
print(empty(3))

#> full
print(full([2, 2], 7), full(3, 0.5, dtype=f32).dtype)

#> full_like
print(full_like(arange(4), 9))

#> arange
print(arange(5), arange(1, 2, 0.25))

#> linspace
print(linspace(0, 1, 5), linspace(0, 1, 4, endpoint=false))

#> eye
print(eye(3, k=1, dtype=i64))

#> array
a = array([[1, 2], [3, 4]], dtype=f32)
print(a, a.dtype)

#> random.normal
x = random.normal(10, 2, shape=[1000, 1000], chunks=250, seed=7)
print(round(x.mean(), decimals=2), round(x.std(), decimals=2))
# The value at an index depends only on the seed and the index, not on the chunks.
print(x[3, 4] == random.normal(10, 2, shape=[1000, 1000], seed=7)[3, 4])

#> random.uniform
u = random.uniform(-1, 1, shape=10**6, seed=3)
print(u.min() >= -1, u.max() < 1, round(u.mean(), decimals=2))

#> random.integers
print(random.integers(0, 10, shape=8, seed=1))

#> random.seed
random.seed(5)
a = random.normal(shape=3)
random.seed(5)
print(all(a == random.normal(shape=3)))

#> sort
print(sort(array([3.0, nan, 1.0, 2.0])))

#> argsort
print(argsort(array([30, 10, 20])))

#> unique
print(unique(array([[3, 1], [3, 2]])))

#> nonzero
rows, cols = nonzero(array([[0, 5], [7, 0]]))
print(rows, cols)

#> topk
x = array([5, 1, 9, 3, 7])
print(topk(x, 2), topk(x, -2))

#> argtopk
print(argtopk(array([5, 1, 9, 3, 7]), 2))

#> where
x = arange(6)
print(where(x % 2 == 0, x, -1))

#> clip
print(clip(arange(6), 1, 4))

#> round
print(round(array([0.5, 1.5, 2.675]), decimals=0), round(2.675, decimals=2))

#> nan_to_num
print(nan_to_num(array([nan, inf, -inf, 1.0]), posinf=9.0, neginf=-9.0))

#> astype
x = astype(array([1.7, -1.7]), i32)
print(x, x.dtype, astype(x, "f32").dtype)

#> print
print("sum:", arange(4).sum(), (2,), [1, "a"], f32, true)

#> compute
x = compute(arange(6).reshape([2, 3]) * 2)
print(x)

#> persist
x = persist(random.normal(shape=[500, 500], chunks=100, seed=1).mean(axis=0))
print(x.shape, round(float(x.std()), decimals=3))

#> len
print(len([1, 2, 3]), len("abc"), len(zeros([4, 2])))

#> range
print([i * i for i in range(5)], range(2, 8, 3))

#> float
print(float(arange(5).sum()) / 4)

#> int
print(int(ones(10).sum()) + 1, int(-2.7))

#> str
print(str(1.5) + "!", str(arange(3)))

#> assert
x = arange(10)
assert(x.sum() == 45, "the sum is wrong")
print("ok")

#> explain
explain(random.normal(shape=[4000, 4000], chunks=1000, seed=1)[::2, ::2].sum(axis=0))

#> from_hdf5
to_hdf5(arange(12).reshape([3, 4]), "data.h5", "/x")
x = from_hdf5("data.h5", "/x", chunks=[2, 4])
print(x.dtype, x.shape, x.chunks, x[1:, ::2])

#> to_hdf5
to_hdf5(linspace(0, 1, 5), "out.h5", "/y")
to_hdf5([ones(2), zeros(3)], "two.h5", ["/a", "/b"])
print(from_hdf5("out.h5", "/y"), from_hdf5("two.h5", "/b"))

#> from_npy
to_npy(arange(6, dtype=i32), "x.npy")
print(from_npy("x.npy", chunks=4).chunks, from_npy("x.npy"))

#> to_npy
to_npy(eye(2), "eye.npy")
print(from_npy("eye.npy"))

#> from_zarr
to_zarr(arange(10), "x.zarr", chunks=4)
z = from_zarr("x.zarr")
print(z.chunks, z.sum())

#> to_zarr
to_zarr(ones([4, 4]), "ones.zarr", chunks=[2, 2], zarr_format=2)
print(from_zarr("ones.zarr").sum())

#> from_netcdf
to_netcdf(arange(6.0).reshape([2, 3]), "t.nc", "temp", dims=["lat", "lon"])
t = from_netcdf("t.nc", "temp")
print(t.dtype, t.shape, t.sum())

#> to_netcdf
to_netcdf(linspace(0, 1, 4), "line.nc", "y", dims=["x"], compression="none")
print(from_netcdf("line.nc", "y"))

#> glob
to_npy(zeros(1), "a.npy")
to_npy(zeros(1), "b.npy")
print(glob("*.npy"))

#> imshow
x = linspace(-3, 3, 400)
bump = exp(-(x[:, newaxis] ** 2 + x[newaxis, :] ** 2))
imshow(bump, path="bump.png", cmap="magma", title="a bump")
print(len(glob("bump.png")))

#> plot
plot(sin(linspace(0, 20, 10**6)), path="sin.png", title="sin", ylabel="sin(t)")
print(glob("*.png"))

#> hist
print(hist(random.normal(0, 1, shape=10**6, seed=1), bins=4, range=(-2, 2), path="h.png"))

#> matmul
a = arange(6).reshape([2, 3])
print(matmul(a, a.T), a @ ones(3))

#> dot
print(dot(array([1, 2, 3]), array([4, 5, 6])))

#> outer
print(outer(arange(3), array([1, 10])))

#> tensordot
a = arange(24.0).reshape([2, 3, 4])
b = ones([4, 3])
print(tensordot(a, b, axes=1).shape, tensordot(a, b, axes=[[1, 2], [1, 0]]))

#> trace
print(trace(arange(9).reshape([3, 3])), trace(eye(4), offset=1))

#> kron
print(kron(eye(2, dtype=i64), array([[1, 2], [3, 4]])))

#> cov
x = array([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]])
print(cov(x))

#> corrcoef
x = array([[1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 5.0, 9.0]])
print(round(corrcoef(x), decimals=4))

#> einsum
a = arange(6.0).reshape([2, 3])
print(einsum("ij,ij->i", a, a), einsum("ij->ji", a).shape, einsum("ii", eye(3)))

#> linalg.norm
x = array([[3.0, 4.0], [6.0, 8.0]])
print(linalg.norm(x), linalg.norm(x, axis=1), linalg.norm(x, ord=1))
# Rows scaled to unit length, streamed block by block:
print(x / linalg.norm(x, axis=1, keepdims=true))

#> linalg.qr
a = random.normal(0, 1, shape=[1000, 3], chunks=[250, 3], seed=1)
q, r = linalg.qr(a)
print(q.shape, r.shape, abs(q @ r - a).max() < 1e-10)

#> linalg.svd
a = random.normal(0, 1, shape=[1000, 3], chunks=[250, 3], seed=1)
u, s, vt = linalg.svd(a)
print(u.shape, s.shape, vt.shape, abs((u * s) @ vt - a).max() < 1e-10)

#> linalg.svd_compressed
a = random.normal(0, 1, shape=[1000, 50], chunks=[250, 50], seed=2)
u, s, vt = linalg.svd_compressed(a, 5, seed=3)
print(u.shape, s.shape, vt.shape)

#> linalg.lstsq
a = array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
b = array([1.0, 3.0, 5.0])
x, residuals, rank, sv = linalg.lstsq(a, b)
print(round(x, decimals=6), rank)

#> linalg.solve
a = array([[3.0, 1.0], [1.0, 2.0]])
print(linalg.solve(a, array([9.0, 8.0])))

#> linalg.cholesky
print(linalg.cholesky(array([[4.0, 2.0], [2.0, 3.0]])))

#> linalg.inv
print(linalg.inv(array([[2.0, 0.0], [0.0, 4.0]])))

#> linalg.det
print(round(linalg.det(array([[1.0, 2.0], [3.0, 4.0]])), decimals=6))

#> linalg.slogdet
sign, logdet = linalg.slogdet(array([[1.0, 2.0], [3.0, 4.0]]))
print(sign, round(logdet, decimals=6))

#> linalg.eigh
w, v = linalg.eigh(array([[2.0, 1.0], [1.0, 2.0]]))
print(round(w, decimals=6), v.shape)

#> linalg.eigvalsh
print(round(linalg.eigvalsh(array([[2.0, 1.0], [1.0, 2.0]])), decimals=6))

#> linalg.pinv
print(round(linalg.pinv(array([[1.0, 2.0], [2.0, 4.0]])), decimals=4))

#> linalg.matrix_rank
print(linalg.matrix_rank(array([[1.0, 2.0], [2.0, 4.0]])), linalg.matrix_rank(eye(3)))

#> reshape
print(arange(6).reshape([3, -1]), reshape(arange(4), 2, 2).shape)

#> transpose
x = zeros([2, 3, 4])
print(transpose(x).shape, x.transpose(1, 0, 2).shape, x.T.shape)

#> swapaxes
print(swapaxes(zeros([2, 3, 4]), 0, 2).shape)

#> moveaxis
print(moveaxis(zeros([2, 3, 4]), 0, -1).shape)

#> squeeze
print(squeeze(zeros([1, 3, 1])).shape, squeeze(zeros([1, 3, 1]), axis=0).shape)

#> expand_dims
print(expand_dims(arange(3), 0), expand_dims(arange(3), 1).shape)

#> ravel
print(ravel(arange(6).reshape([2, 3]).T))

#> broadcast_to
print(broadcast_to(arange(3), [2, 3]))

#> stack
print(stack([arange(3), arange(3) * 10]), stack([ones(2), zeros(2)], axis=1).shape)

#> concatenate
print(concatenate([arange(3), arange(2)]))

#> flip
print(flip(arange(5)), flip(arange(4).reshape([2, 2]), axis=1))

#> triu
print(triu(ones([3, 3], dtype=i64)))

#> tril
print(tril(ones([3, 3], dtype=i64), k=-1))

#> diagonal
print(diagonal(arange(9).reshape([3, 3])), diagonal(arange(9).reshape([3, 3]), offset=1))

#> rechunk
x = rechunk(arange(10, chunks=5), 3)
print(x.chunks, x.sum())

#> abs
print(abs(array([-2, 0, 3])), abs(-1.5))

#> sign
print(sign(array([-2.0, 0.0, 3.0])))

#> sqrt
print(sqrt(array([4.0, 2.0])), sqrt(-1.0))

#> cbrt
print(cbrt(array([27.0, -8.0])))

#> exp
print(exp(array([0.0, 1.0])))

#> exp2
print(exp2(arange(4)))

#> expm1
print(expm1(1e-10))

#> log
print(log(array([1.0, e])), log(0.0))

#> log2
print(log2(array([1, 8, 1024])))

#> log10
print(log10(array([1, 1000])))

#> log1p
print(log1p(1e-10))

#> sin
print(round(sin(array([0, pi / 2, pi])), decimals=12))

#> cos
print(round(cos(array([0, pi / 2, pi])), decimals=12))

#> tan
print(round(tan(pi / 4), decimals=12))

#> arcsin
print(arcsin(array([0.0, 1.0])))

#> arccos
print(arccos(array([1.0, 0.0])))

#> arctan
print(arctan(array([0.0, 1.0])))

#> arctan2
print(arctan2(array([1.0, -1.0]), array([-1.0, -1.0])))

#> sinh
print(sinh(array([0.0, 1.0])))

#> cosh
print(cosh(array([0.0, 1.0])))

#> tanh
print(tanh(array([0.0, 1.0, 100.0])))

#> floor
print(floor(array([-1.5, 1.5])), floor(arange(3)).dtype)

#> ceil
print(ceil(array([-1.5, 1.5])))

#> trunc
print(trunc(array([-1.7, 1.7])))

#> rint
print(rint(array([0.5, 1.5, 2.5, -0.5])))

#> minimum
print(minimum(array([1.0, 5.0, nan]), array([3.0, 2.0, 0.0])))

#> maximum
print(maximum(arange(4), 2))

#> isnan
print(isnan(array([1.0, nan, inf])))

#> isinf
print(isinf(array([1.0, nan, -inf])))

#> isfinite
print(isfinite(array([1.0, nan, inf])))

#> hypot
print(hypot(array([3.0, 5.0]), array([4.0, 12.0])))

#> sum
x = arange(6).reshape([2, 3])
print(sum(x), x.sum(axis=0), x.sum(axis=1, keepdims=true), sum(array([true, true, false])))

#> prod
print(prod(arange(1, 6)), prod(arange(1, 5).reshape([2, 2]), axis=1))

#> mean
print(mean(arange(4)), arange(6).reshape([2, 3]).mean(axis=1))

#> var
x = array([1.0, 2.0, 3.0, 4.0])
print(var(x), var(x, ddof=1))

#> std
x = array([1.0, 2.0, 3.0, 4.0])
print(std(x), std(x, ddof=1))

#> min
print(min(array([3, 1, 2])), min(array([1.0, nan])), arange(6).reshape([2, 3]).min(axis=0))

#> max
print(max(array([3, 1, 2])), arange(6).reshape([2, 3]).max(axis=1))

#> argmin
print(argmin(array([3, 1, 2])), argmin(array([[3, 1], [0, 4]]), axis=1))

#> argmax
print(argmax(array([3, 1, 2])), argmax(array([[3, 1], [0, 4]]), axis=0))

#> any
print(any(array([0, 0, 1])), any(zeros(3)))

#> all
print(all(array([1, 2, 3]) > 0), all(array([[true, false], [true, true]]), axis=1))

#> count_nonzero
print(count_nonzero(array([0, 1, 2, 0])), count_nonzero(eye(3), axis=0))

#> nansum
print(nansum(array([1.0, nan, 2.0])), sum(array([1.0, nan, 2.0])))

#> nanprod
print(nanprod(array([2.0, nan, 3.0])))

#> nanmean
print(nanmean(array([1.0, nan, 3.0])))

#> nanvar
print(nanvar(array([1.0, nan, 3.0])))

#> nanstd
print(nanstd(array([1.0, nan, 3.0])))

#> nanmin
print(nanmin(array([nan, 2.0, 1.0])))

#> nanmax
print(nanmax(array([nan, 2.0, 1.0])))

#> cumsum
print(cumsum(arange(1, 6)), cumsum(arange(4).reshape([2, 2]), axis=0))

#> cumprod
print(cumprod(arange(1, 6)))

#> zeros_like
print(zeros_like(arange(3)), zeros_like(arange(3), dtype=f64))

#> ones_like
print(ones_like(array([1.5, 2.5])))

#> empty_like
print(empty_like(arange(2)))

#> hstack
print(hstack([arange(2), arange(3)]), hstack([ones([2, 1]), zeros([2, 2])]).shape)

#> vstack
print(vstack([arange(3), arange(3) + 3]))

#> ptp
print(ptp(array([4, 9, 1])), ptp(arange(6).reshape([2, 3]), axis=1))

#> norm
print(norm(array([3.0, 4.0])), norm(array([[3.0, 4.0], [6.0, 8.0]]), axis=1))

#> nanargmin
print(nanargmin(array([nan, 3.0, 1.0])), argmin(array([nan, 3.0, 1.0])))

#> nanargmax
print(nanargmax(array([nan, 3.0, 1.0])))

#> map_blocks
x = arange(12.0, chunks=4)
# The function runs once per block; each block here is 4 elements.
y = map_blocks(|b| b - b.mean(), x)
print(y, y.chunks)
print(map_blocks(|b| b.sum(keepdims=true), x, chunks=[[1, 1, 1]]))

#> map_overlap
x = array([1.0, 2.0, 4.0, 8.0, 16.0, 32.0], chunks=3)
# A 3-point moving average: each block sees one element of its neighbours.
avg = map_overlap(|b| (b[:-2] + b[1:-1] + b[2:]) / 3, x, depth=1, boundary="nearest", trim=false)
print(avg)

#> coarsen
x = arange(16.0).reshape([4, 4])
print(coarsen(x, 2), coarsen(x, [1, 4], func=max))

#> histogram
counts, edges = histogram(array([1.0, 2.0, 2.5, 3.0, 9.0]), bins=4, range=[0, 8])
print(counts, edges)

#> bincount
print(bincount(array([0, 1, 1, 3])), bincount(array([0, 1]), weights=array([0.5, 2.0]), minlength=3))

#> digitize
print(digitize(array([0.5, 1.0, 2.5, 7.0]), array([1.0, 2.0, 3.0])))

#> searchsorted
print(searchsorted(array([1, 3, 5, 7]), array([0, 3, 6])), searchsorted(array([1, 3, 5]), array([3]), side="right"))

#> isin
print(isin(arange(6), array([1, 4, 9])), isin(arange(3), array([1]), invert=true))

#> percentile
x = random.normal(0, 1, shape=10**6, chunks=10**5, seed=4)
# Exact, as NumPy's method="linear", in a few passes of bounded memory.
print(round(percentile(x, [25, 75]), decimals=3))
print(percentile(arange(10.0).reshape([2, 5]), 50, axis=1))

#> quantile
print(quantile(arange(11.0), [0.1, 0.5]), quantile(arange(4.0), 0.5, keepdims=true))

#> nanpercentile
print(nanpercentile(array([1.0, nan, 3.0, 5.0]), 50))

#> nanquantile
print(nanquantile(array([nan, 2.0, 4.0]), [0.0, 1.0]))

#> median
print(median(array([3.0, 1.0, 2.0, 10.0])), median(arange(6.0).reshape([2, 3]), axis=0))

#> nanmedian
print(nanmedian(array([1.0, nan, 7.0])))

#> average
print(average(array([1.0, 2.0, 3.0]), weights=array([3.0, 1.0, 0.0])), average(arange(6.0).reshape([2, 3]), axis=1))

#> diff
print(diff(array([1, 4, 9, 16])), diff(array([1, 4, 9, 16]), n=2))

#> pad
print(pad(array([1, 2, 3]), 2), pad(array([1, 2, 3]), [1, 0], mode="edge"))

#> roll
print(roll(arange(5), 2), roll(arange(6).reshape([2, 3]), -1, axis=1))

#> take
print(take(arange(10) * 10, array([7, 2, 2])), take(arange(6).reshape([2, 3]), array([2, 0]), axis=1))

#> argwhere
print(argwhere(array([[0, 3], [5, 0]])))

#> repeat
print(repeat(array([1, 2]), 3), repeat(array([[1, 2]]), 2, axis=0))

#> tile
print(tile(array([1, 2]), 3), tile(array([1, 2]), [2, 1]))

#> meshgrid
xs, ys = meshgrid(arange(3), arange(2))
print(xs, ys)

#> indices
print(indices([2, 3]))
