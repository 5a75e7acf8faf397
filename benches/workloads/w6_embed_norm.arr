# W6 — the embeddings seed: normalise every row of an N x 768 f32 Zarr store to unit length,
# x / linalg.norm(x, axis=1, keepdims=true), and store the result to Zarr. Streams: each
# row block is read, its norms reduced, divided and written; peak memory is a few blocks.
#   arr w6_embed_norm.arr IN.zarr OUT.zarr

x = from_zarr(args[0])
y = x / linalg.norm(x, axis=1, keepdims=true)
to_zarr(y, args[1])
z = from_zarr(args[1])
print("shape", z.shape)
print("check", float(sum(astype(z[:2000], f64))))
