//! Fuzz target: the part of reading a compressed HDF5 chunk that Arr does itself. libhdf5
//! parses the chunk index and hands over each chunk's address, stored size and filter mask
//! (addresses and sizes are checked against the file's length before any read, see
//! `Filtered::decode_chunk`); Arr then undoes the dataset's filters on the stored bytes. Here
//! any bytes are a stored chunk with a fuzzed pipeline (deflate, shuffle, Fletcher-32, LZF,
//! Blosc, LZ4, Bitshuffle with its parameters, Zstd, in the orders h5py writes them), a
//! fuzzed filter mask and decoded size: the result is the chunk or an error, never a panic,
//! an out-of-bounds read, or an allocation that a size in a corrupt header asked for.
//! Run with `RUSTC_BOOTSTRAP=1 cargo fuzz run hdf5_chunk`.
#![no_main]

use arr::io::hdf5_filters::{Step, decode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let item = [1usize, 2, 4, 8][(data[0] >> 5) as usize % 4];
    let cd: Vec<u32> = vec![0, 2, item as u32, u32::from(data[7]) * 8, u32::from(data[6] % 4)];
    let steps: Vec<Step> = match data[0] % 12 {
        0 => vec![Step::Deflate],
        1 => vec![Step::Shuffle(item), Step::Deflate],
        2 => vec![Step::Shuffle(item), Step::Deflate, Step::Fletcher32],
        3 => vec![Step::Lzf],
        4 => vec![Step::Shuffle(item), Step::Lzf],
        5 => vec![Step::Blosc],
        6 => vec![Step::Lz4],
        7 => vec![Step::Bitshuffle(cd)],
        8 => vec![Step::Zstd],
        9 => vec![Step::Shuffle(item), Step::Zstd],
        10 => vec![Step::Fletcher32],
        _ => vec![Step::Shuffle(item)],
    };
    let mask = u32::from(data[1] & 7);
    // Decoded chunk sizes up to 1 MiB (HDF5 chunks are at most 4 GiB; Arr's cache and the
    // memory plan bound what it reads, and the cap logic is the same at any size).
    let expected = u32::from_le_bytes([data[2], data[3], data[4] & 0x0f, 0]) as usize;
    let _ = decode(data[8..].to_vec(), &steps, mask, expected);
});
