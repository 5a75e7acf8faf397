//! NumPy's `.npy` format: `from_npy` memory-maps the file and reads any strided region
//! lazily (C or Fortran order, either byte order); `to_npy` streams blocks into their places
//! in a temporary file that replaces the target only when complete.
//!
//! Element types: Arr's own (`bool u8 i32 i64 f32 f64`) are read as they are; `i8 i16 u16`
//! widen to `i32` and `u32` to `i64` (losslessly); anything else is an unsupported dtype.

use super::{Ascending, apply_flips, ascending, shown};
use crate::data::Data;
use crate::exec::region::Region;
use crate::graph::node::ArraySource;
use crate::sema::dtype::DType;
use ndarray::{ArrayD, IxDyn};
use std::io::{Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// How elements are stored in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stored {
    Bool,
    U8,
    I8,
    I16,
    U16,
    I32,
    U32,
    I64,
    F32,
    F64,
}

impl Stored {
    fn size(self) -> usize {
        match self {
            Stored::Bool | Stored::U8 | Stored::I8 => 1,
            Stored::I16 | Stored::U16 => 2,
            Stored::I32 | Stored::U32 | Stored::F32 => 4,
            Stored::I64 | Stored::F64 => 8,
        }
    }

    /// The Arr dtype the elements are read as.
    fn dtype(self) -> DType {
        match self {
            Stored::Bool => DType::Bool,
            Stored::U8 => DType::U8,
            Stored::I8 | Stored::I16 | Stored::U16 | Stored::I32 => DType::I32,
            Stored::U32 | Stored::I64 => DType::I64,
            Stored::F32 => DType::F32,
            Stored::F64 => DType::F64,
        }
    }
}

/// A parsed `.npy` header.
#[derive(Clone, Debug)]
pub struct Header {
    stored: Stored,
    big_endian: bool,
    fortran: bool,
    /// The array's shape.
    pub shape: Vec<usize>,
    data_offset: usize,
}

impl Header {
    /// The dtype Arr reads the file as.
    pub fn dtype(&self) -> DType {
        self.stored.dtype()
    }

    /// The bytes of data the header describes; `None` when that overflows (a crafted
    /// header), which `read_header` reports.
    fn data_bytes(&self) -> Option<usize> {
        super::checked_bytes(&self.shape, self.stored.size())
    }

    /// Element strides per axis (in elements) for the file's order.
    fn strides(&self) -> Vec<usize> {
        let nd = self.shape.len();
        let mut s = vec![1usize; nd];
        if self.fortran {
            for k in 1..nd {
                s[k] = s[k - 1] * self.shape[k - 1];
            }
        } else {
            for k in (0..nd.saturating_sub(1)).rev() {
                s[k] = s[k + 1] * self.shape[k + 1];
            }
        }
        s
    }
}

const MAGIC: &[u8] = b"\x93NUMPY";

/// Reads and checks the header of a `.npy` file (and that the file is long enough).
pub fn read_header(path: &Path) -> Result<Header, String> {
    let mut f = std::fs::File::open(path).map_err(|e| open_error(path, &e))?;
    let file_len = f
        .metadata()
        .map_err(|e| format!("cannot read {}: {e}", shown(path)))?
        .len() as usize;
    let corrupt = |why: &str| format!("{} is not a valid .npy file: {why}", shown(path));
    let mut pre = [0u8; 12];
    let got =
        read_up_to(&mut f, &mut pre).map_err(|e| format!("cannot read {}: {e}", shown(path)))?;
    if got < 10 || &pre[..6] != MAGIC {
        return Err(corrupt("it does not start with NumPy's magic bytes"));
    }
    let major = pre[6];
    let (header_len, prefix) = match major {
        1 => (u16::from_le_bytes([pre[8], pre[9]]) as usize, 10),
        2 | 3 => {
            if got < 12 {
                return Err(corrupt("the header is cut short"));
            }
            (
                u32::from_le_bytes([pre[8], pre[9], pre[10], pre[11]]) as usize,
                12,
            )
        }
        v => return Err(corrupt(&format!("unknown format version {v}"))),
    };
    if prefix + header_len > file_len || header_len > 1 << 20 {
        return Err(corrupt("the header is cut short"));
    }
    let mut text = vec![0u8; header_len];
    f.read_exact_at(&mut text, prefix as u64)
        .map_err(|e| format!("cannot read {}: {e}", shown(path)))?;
    let text = String::from_utf8_lossy(&text).into_owned();
    let descr = dict_value(&text, "descr").ok_or_else(|| corrupt("the header has no 'descr'"))?;
    let fortran = dict_value(&text, "fortran_order")
        .ok_or_else(|| corrupt("the header has no 'fortran_order'"))?;
    let shape_text =
        dict_value(&text, "shape").ok_or_else(|| corrupt("the header has no 'shape'"))?;
    let descr = descr.trim().trim_matches(|c| c == '\'' || c == '"');
    let (stored, big_endian) = parse_descr(descr).ok_or_else(|| {
        format!(
            "unsupported dtype '{descr}' in {} (Arr reads bool, u8, i32, i64, f32 and f64, and widens int8, int16, uint16 and uint32)",
            shown(path)
        )
    })?;
    let fortran = match fortran.trim() {
        "True" => true,
        "False" => false,
        _ => return Err(corrupt("bad 'fortran_order'")),
    };
    let shape = parse_shape(&shape_text).ok_or_else(|| corrupt("bad 'shape'"))?;
    let header = Header {
        stored,
        big_endian,
        fortran,
        shape,
        data_offset: prefix + header_len,
    };
    let Some(data_bytes) = header.data_bytes() else {
        return Err(corrupt(&format!(
            "its shape {shape_text} describes more data than can exist"
        )));
    };
    if header
        .data_offset
        .checked_add(data_bytes)
        .is_none_or(|end| end > file_len)
    {
        return Err(corrupt(&format!(
            "it holds {} bytes of data but its header describes {data_bytes}",
            file_len.saturating_sub(header.data_offset),
        )));
    }
    Ok(header)
}

fn read_up_to(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// The error for a file that cannot be opened.
pub fn open_error(path: &Path, e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => format!("no such file: {}", shown(path)),
        _ => format!("cannot open {}: {e}", shown(path)),
    }
}

/// The raw text of `'key': VALUE` in a Python dict literal.
fn dict_value(text: &str, key: &str) -> Option<String> {
    let pos = text
        .find(&format!("'{key}'"))
        .or_else(|| text.find(&format!("\"{key}\"")))?;
    let rest = &text[pos + key.len() + 2..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let end = if rest.starts_with('(') {
        rest.find(')')? + 1
    } else if let Some(q) = rest.chars().next().filter(|c| *c == '\'' || *c == '"') {
        rest[1..].find(q)? + 2
    } else {
        rest.find([',', '}']).unwrap_or(rest.len())
    };
    Some(rest[..end].to_string())
}

fn parse_descr(d: &str) -> Option<(Stored, bool)> {
    let (order, code) = match d.chars().next()? {
        c @ ('<' | '>' | '|' | '=') => (c, &d[1..]),
        _ => ('=', d),
    };
    let big = order == '>';
    let stored = match code {
        "b1" | "?" => Stored::Bool,
        "u1" | "B" => Stored::U8,
        "i1" | "b" => Stored::I8,
        "i2" => Stored::I16,
        "u2" => Stored::U16,
        "i4" => Stored::I32,
        "u4" => Stored::U32,
        "i8" => Stored::I64,
        "f4" => Stored::F32,
        "f8" => Stored::F64,
        _ => return None,
    };
    Some((stored, big))
}

fn parse_shape(t: &str) -> Option<Vec<usize>> {
    let inner = t.trim().strip_prefix('(')?.strip_suffix(')')?;
    inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches('L').parse::<usize>().ok())
        .collect()
}

/// A memory-mapped `.npy` file, read region by region.
pub struct NpySource {
    path: PathBuf,
    header: Header,
    map: memmap2::Mmap,
}

impl std::fmt::Debug for NpySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NpySource({})", self.path.display())
    }
}

impl NpySource {
    /// Opens and maps a file.
    pub fn open(path: &Path) -> Result<NpySource, String> {
        let header = read_header(path)?;
        let file = std::fs::File::open(path).map_err(|e| open_error(path, &e))?;
        // Safety: the map is read-only and private to this process. A file changed or cut
        // short by another process while mapped is outside what Arr can guard against (as
        // with NumPy's `mmap_mode='r'`); Arr's own stores never modify a file in place, they
        // write a new file and rename it over the old one, which leaves this map intact.
        let map = unsafe { memmap2::Mmap::map(&file) }
            .map_err(|e| format!("cannot map {}: {e}", shown(path)))?;
        if header
            .data_bytes()
            .and_then(|b| b.checked_add(header.data_offset))
            .is_none_or(|end| map.len() < end)
        {
            return Err(format!(
                "{} is not a valid .npy file: it is cut short",
                shown(path)
            ));
        }
        Ok(NpySource {
            path: path.to_path_buf(),
            header,
            map,
        })
    }

    /// The parsed header.
    pub fn header(&self) -> &Header {
        &self.header
    }
}

/// Elements that can be decoded from file bytes.
trait Raw: Copy {
    const SIZE: usize;
    fn decode(b: &[u8], big: bool) -> Self;
}

macro_rules! raw_num {
    ($t:ty) => {
        impl Raw for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            fn decode(b: &[u8], big: bool) -> Self {
                let mut a = [0u8; std::mem::size_of::<$t>()];
                a.copy_from_slice(&b[..Self::SIZE]);
                if big {
                    <$t>::from_be_bytes(a)
                } else {
                    <$t>::from_le_bytes(a)
                }
            }
        }
    };
}
raw_num!(u8);
raw_num!(i8);
raw_num!(i16);
raw_num!(u16);
raw_num!(i32);
raw_num!(u32);
raw_num!(i64);
raw_num!(f32);
raw_num!(f64);

impl Raw for bool {
    const SIZE: usize = 1;
    fn decode(b: &[u8], _big: bool) -> Self {
        b[0] != 0
    }
}

/// Reads the ascending region `axes` of a file mapped in `bytes` (element strides `strides`).
fn gather<S: Raw>(bytes: &[u8], strides: &[usize], axes: &[Ascending], big: bool) -> Vec<S> {
    let total: usize = axes.iter().map(|a| a.len).product();
    let mut out = Vec::with_capacity(total);
    if total == 0 {
        return out;
    }
    let nd = axes.len();
    if nd == 0 {
        out.push(S::decode(bytes, big));
        return out;
    }
    let inner = axes[nd - 1];
    let inner_step = strides[nd - 1] * inner.stride;
    let mut idx = vec![0usize; nd - 1];
    loop {
        let base: usize = (0..nd - 1)
            .map(|k| (axes[k].lo + axes[k].stride * idx[k]) * strides[k])
            .sum::<usize>()
            + inner.lo * strides[nd - 1];
        if inner_step == 1 {
            let run = &bytes[base * S::SIZE..(base + inner.len) * S::SIZE];
            out.extend(run.chunks_exact(S::SIZE).map(|c| S::decode(c, big)));
        } else {
            for i in 0..inner.len {
                let o = (base + i * inner_step) * S::SIZE;
                out.push(S::decode(&bytes[o..o + S::SIZE], big));
            }
        }
        // Advance the index over the outer axes, last fastest.
        let mut k = nd - 1;
        loop {
            if k == 0 {
                return out;
            }
            k -= 1;
            idx[k] += 1;
            if idx[k] < axes[k].len {
                break;
            }
            idx[k] = 0;
        }
    }
}

fn to_array<T>(shape: &[usize], v: Vec<T>) -> Result<ArrayD<T>, String> {
    ArrayD::from_shape_vec(IxDyn(shape), v).map_err(|e| e.to_string())
}

impl ArraySource for NpySource {
    fn describe(&self) -> String {
        format!("from_npy(\"{}\")", self.path.display())
    }

    fn read(&self, start: &[i64], step: &[i64], len: &[usize]) -> Result<Data, String> {
        let h = &self.header;
        let axes = ascending(start, step, len, &h.shape)
            .map_err(|e| format!("reading {}: {e}", shown(&self.path)))?;
        let bytes = &self.map[h.data_offset..];
        let strides = h.strides();
        let big = h.big_endian;
        let data = match h.stored {
            Stored::Bool => Data::Bool(to_array(len, gather::<bool>(bytes, &strides, &axes, big))?),
            Stored::U8 => Data::U8(to_array(len, gather::<u8>(bytes, &strides, &axes, big))?),
            Stored::I8 => Data::I32(to_array(
                len,
                widen(gather::<i8>(bytes, &strides, &axes, big)),
            )?),
            Stored::I16 => Data::I32(to_array(
                len,
                widen(gather::<i16>(bytes, &strides, &axes, big)),
            )?),
            Stored::U16 => Data::I32(to_array(
                len,
                widen(gather::<u16>(bytes, &strides, &axes, big)),
            )?),
            Stored::I32 => Data::I32(to_array(len, gather::<i32>(bytes, &strides, &axes, big))?),
            Stored::U32 => Data::I64(to_array(
                len,
                widen(gather::<u32>(bytes, &strides, &axes, big)),
            )?),
            Stored::I64 => Data::I64(to_array(len, gather::<i64>(bytes, &strides, &axes, big))?),
            Stored::F32 => Data::F32(to_array(len, gather::<f32>(bytes, &strides, &axes, big))?),
            Stored::F64 => Data::F64(to_array(len, gather::<f64>(bytes, &strides, &axes, big))?),
        };
        super::progress::add_read(data.nbytes() as u64);
        Ok(apply_flips(data, &axes))
    }
}

fn widen<S: Into<T>, T>(v: Vec<S>) -> Vec<T> {
    v.into_iter().map(Into::into).collect()
}

/// The header bytes NumPy writes for an array (version 1.0, padded to 64 bytes).
pub fn header_bytes(dtype: DType, shape: &[usize]) -> Vec<u8> {
    let descr = match dtype {
        DType::Bool => "|b1",
        DType::U8 => "|u1",
        DType::I32 => "<i4",
        DType::I64 => "<i8",
        DType::F32 => "<f4",
        DType::F64 => "<f8",
    };
    let shape_text = match shape.len() {
        0 => "()".to_string(),
        1 => format!("({},)", shape[0]),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut dict =
        format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}");
    let unpadded = MAGIC.len() + 2 + 2 + dict.len() + 1;
    let pad = (64 - unpadded % 64) % 64;
    dict.push_str(&" ".repeat(pad));
    dict.push('\n');
    let mut out = Vec::with_capacity(10 + dict.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out
}

/// The little-endian bytes of an array's elements in row-major order.
pub fn le_bytes(data: &Data) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.nbytes());
    match data {
        Data::Bool(a) => out.extend(a.iter().map(|&b| b as u8)),
        Data::U8(a) => out.extend(a.iter().copied()),
        Data::I32(a) => a
            .iter()
            .for_each(|v| out.extend_from_slice(&v.to_le_bytes())),
        Data::I64(a) => a
            .iter()
            .for_each(|v| out.extend_from_slice(&v.to_le_bytes())),
        Data::F32(a) => a
            .iter()
            .for_each(|v| out.extend_from_slice(&v.to_le_bytes())),
        Data::F64(a) => a
            .iter()
            .for_each(|v| out.extend_from_slice(&v.to_le_bytes())),
    }
    out
}

/// Writes blocks of a C-ordered array into their places in an open `.npy` file.
pub struct NpyWriter {
    file: std::fs::File,
    shape: Vec<usize>,
    itemsize: usize,
    data_offset: u64,
    blocks: super::atomic::BlockCount,
}

impl NpyWriter {
    /// Creates the file at `path` with its header and full length.
    pub fn create(path: &Path, dtype: DType, shape: &[usize]) -> Result<NpyWriter, String> {
        let header = header_bytes(dtype, shape);
        let fail = |e: std::io::Error| format!("cannot write {}: {e}", shown(path));
        let mut file = std::fs::File::create(path).map_err(fail)?;
        file.write_all(&header).map_err(fail)?;
        let total = header.len() + shape.iter().product::<usize>() * dtype.size();
        file.set_len(total as u64).map_err(fail)?;
        Ok(NpyWriter {
            file,
            shape: shape.to_vec(),
            itemsize: dtype.size(),
            data_offset: header.len() as u64,
            blocks: super::atomic::BlockCount::default(),
        })
    }

    /// Opens the file at `path` that another rank of the MPI job created (`create`), to
    /// write this rank's own blocks into it (`SharedTarget`).
    pub fn join(path: &Path, dtype: DType, shape: &[usize]) -> Result<NpyWriter, String> {
        let header = header_bytes(dtype, shape);
        let fail = |e: std::io::Error| format!("cannot write {}: {e}", shown(path));
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(fail)?;
        Ok(NpyWriter {
            file,
            shape: shape.to_vec(),
            itemsize: dtype.size(),
            data_offset: header.len() as u64,
            blocks: super::atomic::BlockCount::default(),
        })
    }

    /// Writes one block at its region (step 1 on every axis). Blocks of separate regions
    /// may be written from several threads at once (positioned writes).
    pub fn write_block(&self, region: &Region, data: &Data) -> Result<(), String> {
        self.blocks.next()?;
        if data.is_empty() {
            return Ok(());
        }
        let bytes = le_bytes(data);
        let nd = self.shape.len();
        if nd == 0 {
            return self
                .file
                .write_all_at(&bytes, self.data_offset)
                .map_err(|e| e.to_string());
        }
        // The block is contiguous in the file from axis `k` on when it covers every later axis.
        let mut k = nd - 1;
        while k > 0 && region[k].len == self.shape[k] {
            k -= 1;
        }
        let run_elems: usize = region[k].len * self.shape[k + 1..].iter().product::<usize>();
        let run_bytes = run_elems * self.itemsize;
        let mut strides = vec![1usize; nd];
        for j in (0..nd - 1).rev() {
            strides[j] = strides[j + 1] * self.shape[j + 1];
        }
        let mut idx = vec![0usize; k];
        let mut pos = 0;
        loop {
            let elem: usize = (0..k)
                .map(|j| (region[j].start as usize + idx[j]) * strides[j])
                .sum::<usize>()
                + region[k].start as usize * strides[k];
            let at = self.data_offset + (elem * self.itemsize) as u64;
            self.file
                .write_all_at(&bytes[pos..pos + run_bytes], at)
                .map_err(|e| e.to_string())?;
            pos += run_bytes;
            let mut j = k;
            loop {
                if j == 0 {
                    return Ok(());
                }
                j -= 1;
                idx[j] += 1;
                if idx[j] < region[j].len {
                    break;
                }
                idx[j] = 0;
            }
        }
    }

    /// Flushes the file to disk.
    pub fn finish(self) -> Result<(), String> {
        self.file.sync_all().map_err(|e| e.to_string())
    }
}
