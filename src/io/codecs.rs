//! Compression codecs and filters that Arr runs itself, on any thread, outside libhdf5's
//! global lock: the HDF5 filter pipeline (deflate, shuffle, Fletcher-32, LZF, Blosc, Zstd,
//! LZ4, Bitshuffle) and numcodecs' codecs for Zarr format 2 (zlib, gzip, zstd, lz4, Blosc,
//! shuffle, delta, fixedscaleoffset, bitround), in both directions where writing is
//! defined. Every decoder checks its input and returns an error, never panics, on a
//! corrupt buffer.

use std::io::Read;

/// Reads a decoder's output, at most `decoded_cap(expected)` bytes (a small corrupt or
/// hostile stream that inflates without end is an error, not an allocation without bound).
fn read_bounded(r: impl Read, expected: usize, codec: &str) -> Result<Vec<u8>, String> {
    let cap = decoded_cap(expected);
    let mut out = Vec::with_capacity(expected.min(cap));
    r.take(cap as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("{codec}: {e}"))?;
    claimed(codec, out.len(), cap)?;
    Ok(out)
}

/// Inflates a zlib stream (HDF5's deflate filter, numcodecs' zlib) into `expected` bytes.
pub fn zlib_decode(src: &[u8], expected: usize) -> Result<Vec<u8>, String> {
    read_bounded(flate2::read::ZlibDecoder::new(src), expected, "deflate")
}

/// Inflates a gzip stream (numcodecs' gzip).
pub fn gzip_decode(src: &[u8], expected: usize) -> Result<Vec<u8>, String> {
    read_bounded(flate2::read::GzDecoder::new(src), expected, "gzip")
}

/// Deflates into a zlib stream.
pub fn zlib_encode(src: &[u8], level: u32) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(level));
    // Writing into a Vec cannot fail.
    let _ = e.write_all(src);
    e.finish().unwrap_or_default()
}

/// Deflates into a gzip stream.
pub fn gzip_encode(src: &[u8], level: u32) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    let _ = e.write_all(src);
    e.finish().unwrap_or_default()
}

/// Decodes one Zstandard frame (or several, concatenated).
pub fn zstd_decode(src: &[u8], expected: usize) -> Result<Vec<u8>, String> {
    let d = zstd::stream::read::Decoder::new(src).map_err(|e| format!("zstd: {e}"))?;
    read_bounded(d, expected, "zstd")
}

/// Compresses into one Zstandard frame.
pub fn zstd_encode(src: &[u8], level: i32) -> Result<Vec<u8>, String> {
    zstd::bulk::compress(src, level).map_err(|e| format!("zstd: {e}"))
}

/// Decodes numcodecs' LZ4: a little-endian u32 of the decoded size, then one LZ4 block.
pub fn lz4_numcodecs_decode(src: &[u8], cap: usize) -> Result<Vec<u8>, String> {
    let size = src
        .get(..4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or("lz4: truncated buffer")?;
    claimed("lz4", size, cap)?;
    lz4_flex::block::decompress_size_prepended(src).map_err(|e| format!("lz4: {e}"))
}

/// Encodes numcodecs' LZ4.
pub fn lz4_numcodecs_encode(src: &[u8]) -> Vec<u8> {
    lz4_flex::block::compress_prepend_size(src)
}

/// Decodes HDF5's LZ4 filter (id 32004): a big-endian u64 of the decoded size and u32 of
/// the block size, then per block a big-endian u32 of its stored size and the LZ4 block
/// (stored raw when compression did not help).
pub fn lz4_hdf5_decode(src: &[u8], cap: usize) -> Result<Vec<u8>, String> {
    let bad = || "lz4: truncated or corrupt buffer".to_string();
    if src.len() < 12 {
        return Err(bad());
    }
    let total = u64::from_be_bytes(src[0..8].try_into().map_err(|_| bad())?) as usize;
    let block = u32::from_be_bytes(src[8..12].try_into().map_err(|_| bad())?) as usize;
    if block == 0 && total > 0 {
        return Err(bad());
    }
    claimed("lz4", total, cap)?;
    let mut out = vec![0u8; total];
    let (mut at, mut done) = (12usize, 0usize);
    while done < total {
        let this = block.min(total - done);
        let size = src
            .get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .ok_or_else(bad)?;
        at += 4;
        let stored = src.get(at..at + size).ok_or_else(bad)?;
        if size == this {
            out[done..done + this].copy_from_slice(stored);
        } else {
            let n = lz4_flex::block::decompress_into(stored, &mut out[done..done + this])
                .map_err(|e| format!("lz4: {e}"))?;
            if n != this {
                return Err(bad());
            }
        }
        at += size;
        done += this;
    }
    Ok(out)
}

/// Decodes liblzf's format (h5py's LZF filter, id 32000) into exactly `expected` bytes.
pub fn lzf_decode(src: &[u8], expected: usize) -> Result<Vec<u8>, String> {
    let bad = || "lzf: corrupt buffer".to_string();
    let mut out: Vec<u8> = Vec::with_capacity(expected);
    let mut ip = 0usize;
    while ip < src.len() {
        let ctrl = src[ip] as usize;
        ip += 1;
        if ctrl < 32 {
            let n = ctrl + 1;
            let lit = src.get(ip..ip + n).ok_or_else(bad)?;
            out.extend_from_slice(lit);
            ip += n;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                len += *src.get(ip).ok_or_else(bad)? as usize;
                ip += 1;
            }
            let low = *src.get(ip).ok_or_else(bad)? as usize;
            ip += 1;
            let back = ((ctrl & 0x1f) << 8) + low + 1;
            if back > out.len() {
                return Err(bad());
            }
            let from = out.len() - back;
            for i in 0..len + 2 {
                let b = out[from + i];
                out.push(b);
            }
        }
        if out.len() > expected {
            return Err(bad());
        }
    }
    if out.len() != expected {
        return Err(format!(
            "lzf: decoded {} bytes, expected {expected}",
            out.len()
        ));
    }
    Ok(out)
}

/// Undoes byte shuffling (HDF5's shuffle filter, numcodecs' Shuffle, Blosc's shuffle):
/// byte `b` of every element was stored together.
pub fn unshuffle(src: &[u8], elem: usize) -> Vec<u8> {
    if elem <= 1 || src.len() < elem {
        return src.to_vec();
    }
    let n = src.len() / elem;
    let mut out = vec![0u8; src.len()];
    for b in 0..elem {
        let plane = &src[b * n..(b + 1) * n];
        for (i, &v) in plane.iter().enumerate() {
            out[i * elem + b] = v;
        }
    }
    // Trailing bytes that do not make a whole element are stored as they are.
    out[n * elem..].copy_from_slice(&src[n * elem..]);
    out
}

/// Shuffles bytes (the inverse of `unshuffle`).
pub fn shuffle(src: &[u8], elem: usize) -> Vec<u8> {
    if elem <= 1 || src.len() < elem {
        return src.to_vec();
    }
    let n = src.len() / elem;
    let mut out = vec![0u8; src.len()];
    for b in 0..elem {
        for i in 0..n {
            out[b * n + i] = src[i * elem + b];
        }
    }
    out[n * elem..].copy_from_slice(&src[n * elem..]);
    out
}

/// HDF5's Fletcher-32 checksum (`H5_checksum_fletcher32`).
fn fletcher32(data: &[u8]) -> u32 {
    let (mut s1, mut s2) = (0u32, 0u32);
    let mut words = data.chunks_exact(2);
    let mut left = data.len() / 2;
    while left > 0 {
        let t = left.min(360);
        left -= t;
        for w in words.by_ref().take(t) {
            s1 = s1.wrapping_add(((w[0] as u32) << 8) | w[1] as u32);
            s2 = s2.wrapping_add(s1);
        }
        s1 = (s1 & 0xffff) + (s1 >> 16);
        s2 = (s2 & 0xffff) + (s2 >> 16);
    }
    if data.len() % 2 == 1 {
        s1 = s1.wrapping_add((data[data.len() - 1] as u32) << 8);
        s2 = s2.wrapping_add(s1);
        s1 = (s1 & 0xffff) + (s1 >> 16);
        s2 = (s2 & 0xffff) + (s2 >> 16);
    }
    s1 = (s1 & 0xffff) + (s1 >> 16);
    s2 = (s2 & 0xffff) + (s2 >> 16);
    (s2 << 16) | s1
}

/// Checks and strips HDF5's Fletcher-32 checksum (the last 4 bytes, little-endian; files
/// from old libhdf5 versions stored it byte-swapped, which libhdf5 also accepts).
pub fn fletcher32_check(src: &[u8]) -> Result<Vec<u8>, String> {
    if src.len() < 4 {
        return Err("fletcher32: buffer shorter than its checksum".into());
    }
    let (data, sum) = src.split_at(src.len() - 4);
    let stored = u32::from_le_bytes([sum[0], sum[1], sum[2], sum[3]]);
    let f = fletcher32(data);
    let c = f.to_le_bytes();
    let reversed = u32::from_le_bytes([c[1], c[0], c[3], c[2]]);
    if stored != f && stored != reversed {
        return Err("fletcher32: checksum mismatch (the chunk is corrupt)".into());
    }
    Ok(data.to_vec())
}

/// The most bytes a stage of a chunk's pipeline may decode to, for a chunk of `expected`
/// decoded bytes: a size read from a (possibly corrupt) buffer header is checked against it
/// before anything is allocated. Generous, as filters may widen (a delta filter's `astype`).
pub fn decoded_cap(expected: usize) -> usize {
    expected.saturating_mul(8).max(1 << 20)
}

fn claimed(codec: &str, size: usize, cap: usize) -> Result<(), String> {
    if size > cap {
        return Err(format!(
            "{codec}: the buffer claims {size} decoded bytes, more than the chunk can hold ({cap}): corrupt"
        ));
    }
    Ok(())
}

/// Decodes a Blosc (version 1) buffer with the C library, checking its header first (and
/// its decoded size against `cap`).
pub fn blosc_decode(src: &[u8], cap: usize) -> Result<Vec<u8>, String> {
    let mut nbytes: usize = 0;
    // Safety: `src` is a valid slice; blosc_cbuffer_validate reads at most `src.len()`
    // bytes and writes the decoded size into `nbytes`.
    let ok =
        unsafe { blosc_src::blosc_cbuffer_validate(src.as_ptr().cast(), src.len(), &mut nbytes) };
    if ok != 0 {
        return Err("blosc: not a valid Blosc buffer".into());
    }
    claimed("blosc", nbytes, cap)?;
    let mut out = vec![0u8; nbytes];
    if nbytes == 0 {
        return Ok(out);
    }
    // Safety: `out` holds exactly `nbytes` bytes, the size the validated header states;
    // the `_ctx` variant keeps no global state, so threads may call it at once.
    let n = unsafe {
        blosc_src::blosc_decompress_ctx(src.as_ptr().cast(), out.as_mut_ptr().cast(), nbytes, 1)
    };
    if n < 0 || n as usize != nbytes {
        return Err(format!("blosc: decompression failed ({n})"));
    }
    Ok(out)
}

/// Blosc's inner compressors, by numcodecs' names.
pub const BLOSC_CNAMES: [&str; 5] = ["blosclz", "lz4", "lz4hc", "zlib", "zstd"];

/// Compresses with Blosc (`shuffle`: 0 none, 1 bytes, 2 bits).
pub fn blosc_encode(
    src: &[u8],
    cname: &str,
    clevel: i32,
    shuffle: i32,
    typesize: usize,
) -> Result<Vec<u8>, String> {
    if !BLOSC_CNAMES.contains(&cname) {
        return Err(format!("blosc: unknown compressor {cname:?}"));
    }
    let name = std::ffi::CString::new(cname).map_err(|e| e.to_string())?;
    let mut out = vec![0u8; src.len() + 16];
    // Safety: `out` has room for the input plus Blosc's 16-byte overhead (its documented
    // bound), and the `_ctx` variant is thread-safe.
    let n = unsafe {
        blosc_src::blosc_compress_ctx(
            clevel,
            shuffle,
            typesize.max(1),
            src.len(),
            src.as_ptr().cast(),
            out.as_mut_ptr().cast(),
            out.len(),
            name.as_ptr(),
            0,
            1,
        )
    };
    if n <= 0 {
        return Err(format!("blosc: compression failed ({n})"));
    }
    out.truncate(n as usize);
    Ok(out)
}

/// Undoes bit shuffling of `n` elements of `elem` bytes (`n` a multiple of 8): bit `j` of
/// every element was stored as one row of bits, element `i` at bit `i % 8` of byte `i / 8`.
fn bitunshuffle_block(src: &[u8], out: &mut [u8], n: usize, elem: usize) {
    let row = n / 8;
    for j in 0..8 * elem {
        let (b, bit) = (j / 8, j % 8);
        let plane = &src[j * row..(j + 1) * row];
        for (q, &v) in plane.iter().enumerate() {
            if v == 0 {
                continue;
            }
            for m in 0..8 {
                if v >> m & 1 == 1 {
                    out[(q * 8 + m) * elem + b] |= 1 << bit;
                }
            }
        }
    }
}

/// Decodes the Bitshuffle HDF5 filter (id 32008). `cd` are its client values: element size
/// at 2, block size at 3, compression at 4 (0 none, 2 LZ4, 3 Zstd).
pub fn bitshuffle_decode(src: &[u8], cd: &[u32], expected: usize) -> Result<Vec<u8>, String> {
    let bad = || "bitshuffle: truncated or corrupt buffer".to_string();
    let elem = *cd.get(2).ok_or("bitshuffle: no element size")? as usize;
    if elem == 0 {
        return Err(bad());
    }
    let compression = cd.get(4).copied().unwrap_or(0);
    let (mut at, total, mut block) = if compression == 2 || compression == 3 {
        if src.len() < 12 {
            return Err(bad());
        }
        let total = u64::from_be_bytes(src[0..8].try_into().map_err(|_| bad())?) as usize;
        let bytes = u32::from_be_bytes(src[8..12].try_into().map_err(|_| bad())?) as usize;
        claimed("bitshuffle", total, decoded_cap(expected))?;
        (12, total, bytes / elem)
    } else {
        (0, expected, cd.get(3).copied().unwrap_or(0) as usize)
    };
    if block == 0 {
        block = ((8192 / elem) / 8 * 8).max(128);
    }
    if block % 8 != 0 {
        return Err(bad());
    }
    let size = total / elem;
    let mut out = vec![0u8; total];
    let mut done = 0usize;
    let mut scratch: Vec<u8>;
    while size - done >= 8 {
        let this = block.min((size - done) / 8 * 8);
        let bytes = this * elem;
        let raw: &[u8] = match compression {
            2 | 3 => {
                let c = src
                    .get(at..at + 4)
                    .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
                    .ok_or_else(bad)?;
                at += 4;
                let stored = src.get(at..at + c).ok_or_else(bad)?;
                at += c;
                scratch = if compression == 2 {
                    let mut s = vec![0u8; bytes];
                    let n = lz4_flex::block::decompress_into(stored, &mut s)
                        .map_err(|e| format!("bitshuffle lz4: {e}"))?;
                    if n != bytes {
                        return Err(bad());
                    }
                    s
                } else {
                    zstd_decode(stored, bytes)?
                };
                if scratch.len() != bytes {
                    return Err(bad());
                }
                &scratch
            }
            _ => {
                let s = src.get(at..at + bytes).ok_or_else(bad)?;
                at += bytes;
                s
            }
        };
        bitunshuffle_block(raw, &mut out[done * elem..(done + this) * elem], this, elem);
        done += this;
    }
    // The last `size % 8` elements are stored as they are.
    let rest = (size - done) * elem;
    out[done * elem..done * elem + rest].copy_from_slice(src.get(at..at + rest).ok_or_else(bad)?);
    Ok(out)
}

/// A numeric element type named by a NumPy type string (`<f8`, `|u1`, ...), for the
/// codecs that compute on values (delta, fixedscaleoffset, bitround).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Num {
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
}

impl Num {
    /// Parses a little-endian or byte-order-free NumPy type string.
    pub fn parse(s: &str) -> Option<Num> {
        let t = s.trim_start_matches(['<', '|', '=']);
        Some(match t {
            "i1" | "int8" => Num::I8,
            "i2" | "int16" => Num::I16,
            "i4" | "int32" => Num::I32,
            "i8" | "int64" => Num::I64,
            "u1" | "uint8" | "b1" | "bool" => Num::U8,
            "u2" | "uint16" => Num::U16,
            "u4" | "uint32" => Num::U32,
            "u8" | "uint64" => Num::U64,
            "f4" | "float32" => Num::F32,
            "f8" | "float64" => Num::F64,
            _ => return None,
        })
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            Num::I8 | Num::U8 => 1,
            Num::I16 | Num::U16 => 2,
            Num::I32 | Num::U32 | Num::F32 => 4,
            Num::I64 | Num::U64 | Num::F64 => 8,
        }
    }

    fn is_float(self) -> bool {
        matches!(self, Num::F32 | Num::F64)
    }

    /// The elements of `bytes` as f64 (exact for every integer type but 64-bit beyond 2^53).
    fn decode_f64(self, bytes: &[u8]) -> Vec<f64> {
        macro_rules! conv {
            ($t:ty) => {
                bytes
                    .chunks_exact(std::mem::size_of::<$t>())
                    .map(|c| <$t>::from_le_bytes(c.try_into().expect("exact chunk")) as f64)
                    .collect()
            };
        }
        match self {
            Num::I8 => conv!(i8),
            Num::I16 => conv!(i16),
            Num::I32 => conv!(i32),
            Num::I64 => conv!(i64),
            Num::U8 => conv!(u8),
            Num::U16 => conv!(u16),
            Num::U32 => conv!(u32),
            Num::U64 => conv!(u64),
            Num::F32 => conv!(f32),
            Num::F64 => conv!(f64),
        }
    }

    /// `values` stored as this type (integers: NumPy's `astype`, truncation toward zero
    /// with wrapping; the callers round first where numcodecs does).
    fn encode_f64(self, values: &[f64]) -> Vec<u8> {
        let mut out = Vec::with_capacity(values.len() * self.size());
        macro_rules! conv {
            ($t:ty) => {
                for &v in values {
                    out.extend_from_slice(&(v as $t).to_le_bytes());
                }
            };
        }
        match self {
            Num::I8 => conv!(i8),
            Num::I16 => conv!(i16),
            Num::I32 => conv!(i32),
            Num::I64 => conv!(i64),
            Num::U8 => conv!(u8),
            Num::U16 => conv!(u16),
            Num::U32 => conv!(u32),
            Num::U64 => conv!(u64),
            Num::F32 => conv!(f32),
            Num::F64 => conv!(f64),
        }
        out
    }
}

/// Integer elements as i128 (exact), for delta coding of integers.
fn ints(t: Num, bytes: &[u8]) -> Vec<i128> {
    macro_rules! conv {
        ($ty:ty) => {
            bytes
                .chunks_exact(std::mem::size_of::<$ty>())
                .map(|c| <$ty>::from_le_bytes(c.try_into().expect("exact chunk")) as i128)
                .collect()
        };
    }
    match t {
        Num::I8 => conv!(i8),
        Num::I16 => conv!(i16),
        Num::I32 => conv!(i32),
        Num::I64 => conv!(i64),
        Num::U8 => conv!(u8),
        Num::U16 => conv!(u16),
        Num::U32 => conv!(u32),
        Num::U64 => conv!(u64),
        Num::F32 | Num::F64 => Vec::new(),
    }
}

/// i128 values wrapped into integer type `t`.
fn from_ints(t: Num, values: &[i128]) -> Vec<u8> {
    let mut out = Vec::with_capacity(values.len() * t.size());
    macro_rules! conv {
        ($ty:ty) => {
            for &v in values {
                out.extend_from_slice(&(v as $ty).to_le_bytes());
            }
        };
    }
    match t {
        Num::I8 => conv!(i8),
        Num::I16 => conv!(i16),
        Num::I32 => conv!(i32),
        Num::I64 => conv!(i64),
        Num::U8 => conv!(u8),
        Num::U16 => conv!(u16),
        Num::U32 => conv!(u32),
        Num::U64 => conv!(u64),
        Num::F32 | Num::F64 => {}
    }
    out
}

/// numcodecs' Delta decode: cumulative sums in `astype`, stored as `dtype`.
pub fn delta_decode(src: &[u8], dtype: Num, astype: Num) -> Vec<u8> {
    if astype.is_float() || dtype.is_float() {
        let mut v = astype.decode_f64(src);
        let mut acc = 0f64;
        for x in v.iter_mut() {
            acc = if astype == Num::F32 {
                (acc as f32 + *x as f32) as f64
            } else {
                acc + *x
            };
            *x = acc;
        }
        return dtype.encode_f64(&v);
    }
    let mut v = ints(astype, src);
    let mut acc: i128 = 0;
    let bits = 8 * astype.size() as u32;
    for x in v.iter_mut() {
        acc = wrap(acc + *x, astype, bits);
        *x = acc;
    }
    from_ints(dtype, &v)
}

/// Wraps `v` into the range of the integer type `t` of `bits` bits.
fn wrap(v: i128, t: Num, bits: u32) -> i128 {
    let m = 1i128 << bits;
    let r = v.rem_euclid(m);
    let signed = matches!(t, Num::I8 | Num::I16 | Num::I32 | Num::I64);
    if signed && r >= m / 2 { r - m } else { r }
}

/// numcodecs' Delta encode: the first element, then differences, as `astype`.
pub fn delta_encode(src: &[u8], dtype: Num, astype: Num) -> Vec<u8> {
    if astype.is_float() || dtype.is_float() {
        let v = dtype.decode_f64(src);
        let d: Vec<f64> = (0..v.len())
            .map(|i| if i == 0 { v[0] } else { v[i] - v[i - 1] })
            .collect();
        return astype.encode_f64(&d);
    }
    let v = ints(dtype, src);
    let d: Vec<i128> = (0..v.len())
        .map(|i| if i == 0 { v[0] } else { v[i] - v[i - 1] })
        .collect();
    from_ints(astype, &d)
}

/// numcodecs' FixedScaleOffset decode: `x / scale + offset`, as `dtype`.
pub fn fixedscaleoffset_decode(
    src: &[u8],
    offset: f64,
    scale: f64,
    dtype: Num,
    astype: Num,
) -> Vec<u8> {
    let v: Vec<f64> = astype
        .decode_f64(src)
        .into_iter()
        .map(|x| x / scale + offset)
        .collect();
    dtype.encode_f64(&v)
}

/// numcodecs' FixedScaleOffset encode: `round((x - offset) * scale)`, as `astype`.
pub fn fixedscaleoffset_encode(
    src: &[u8],
    offset: f64,
    scale: f64,
    dtype: Num,
    astype: Num,
) -> Vec<u8> {
    let v: Vec<f64> = dtype
        .decode_f64(src)
        .into_iter()
        .map(|x| ((x - offset) * scale).round_ties_even())
        .collect();
    astype.encode_f64(&v)
}

/// numcodecs' BitRound encode: keeps `keepbits` mantissa bits of each float, rounding to
/// nearest with ties to even (decoding is the identity).
pub fn bitround_encode(src: &[u8], keepbits: u32, dtype: Num) -> Result<Vec<u8>, String> {
    match dtype {
        Num::F32 => {
            if keepbits >= 23 {
                return Ok(src.to_vec());
            }
            let maskbits = 23 - keepbits;
            let mask = (u32::MAX >> maskbits) << maskbits;
            let half = (1u32 << (maskbits - 1)).wrapping_sub(1);
            let mut out = Vec::with_capacity(src.len());
            for c in src.chunks_exact(4) {
                let b = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
                let r = b.wrapping_add((b >> maskbits) & 1).wrapping_add(half) & mask;
                out.extend_from_slice(&r.to_le_bytes());
            }
            Ok(out)
        }
        Num::F64 => {
            if keepbits >= 52 {
                return Ok(src.to_vec());
            }
            let maskbits = 52 - keepbits;
            let mask = (u64::MAX >> maskbits) << maskbits;
            let half = (1u64 << (maskbits - 1)).wrapping_sub(1);
            let mut out = Vec::with_capacity(src.len());
            for c in src.chunks_exact(8) {
                let b = u64::from_le_bytes(c.try_into().map_err(|_| "bitround: odd size")?);
                let r = b.wrapping_add((b >> maskbits) & 1).wrapping_add(half) & mask;
                out.extend_from_slice(&r.to_le_bytes());
            }
            Ok(out)
        }
        _ => Err("bitround applies to float32 and float64 only".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shuffle_round_trips() {
        let v: Vec<u8> = (0..83).collect();
        assert_eq!(unshuffle(&shuffle(&v, 8), 8), v);
    }

    #[test]
    fn lzf_rejects_garbage_without_panicking() {
        assert!(lzf_decode(&[0xff, 0xff, 0x00], 10).is_err());
        assert!(lzf_decode(&[5, 1, 2], 6).is_err());
        assert_eq!(lzf_decode(&[2, 7, 8, 9], 3).unwrap(), vec![7, 8, 9]);
        // A literal then a back reference of length 3 at distance 1.
        assert_eq!(lzf_decode(&[0, 4, 0x20, 0], 4).unwrap(), vec![4, 4, 4, 4]);
    }

    #[test]
    fn delta_round_trips_with_wrapping() {
        let v: Vec<u8> = [250u8, 3, 7, 255, 0].to_vec();
        let e = delta_encode(&v, Num::U8, Num::U8);
        assert_eq!(delta_decode(&e, Num::U8, Num::U8), v);
    }

    #[test]
    fn corrupt_buffers_are_errors() {
        assert!(blosc_decode(&[1, 2, 3], 1 << 20).is_err());
        assert!(lz4_hdf5_decode(&[0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 4, 0, 0, 0], 1 << 20).is_err());
        // A header claiming 2^60 bytes is refused before anything is allocated.
        let huge = [
            [0x10u8, 0, 0, 0, 0, 0, 0, 0].as_slice(),
            &[0, 0, 0, 4],
            &[0; 8],
        ]
        .concat();
        assert!(
            lz4_hdf5_decode(&huge, 1 << 20)
                .unwrap_err()
                .contains("corrupt")
        );
        assert!(
            bitshuffle_decode(&huge, &[0, 2, 4, 0, 2], 1024)
                .unwrap_err()
                .contains("corrupt")
        );
        assert!(zlib_decode(&[1, 2, 3, 4], 8).is_err());
        assert!(fletcher32_check(&[1, 2, 3, 4, 5]).is_err());
    }
}
