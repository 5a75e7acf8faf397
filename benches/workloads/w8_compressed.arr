# W8: sum, mean over axis 0 and std of a compressed 5000 x 5000 f64 array (chunks 500 x 500)
# read from gzip+shuffle HDF5, Blosc-LZ4 Zarr 2 or zstd Zarr 3.
#   arr w8_compressed.arr hdf5|zarr PATH

x = if args[0] == "hdf5" { from_hdf5(args[1], "/x") } else { from_zarr(args[1]) }
print("shape", x.shape)
print("sum", sum(x), "\nmean0", sum(mean(x, axis=0)), "\nstd", std(x))
