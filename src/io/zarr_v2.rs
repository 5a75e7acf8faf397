//! Zarr format 2 arrays read by Arr itself: `.zarray` parsed here, each chunk file decoded
//! with numcodecs' codecs as `codecs.rs` implements them (compressors blosc with every
//! inner compressor and shuffle, zlib, gzip, zstd, lz4; filters delta, fixedscaleoffset,
//! bitround, quantize, shuffle), so every Zarr 2 store zarr-python, Dask and xarray write
//! is readable, chunk by chunk on every thread. A missing chunk file is the fill value.

use super::codecs::{self, Num};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

/// A codec of a `.zarray` (the compressor or a filter).
#[derive(Clone, Debug)]
pub enum Codec {
    Blosc,
    Zlib,
    Gzip,
    Zstd,
    Lz4,
    Shuffle(usize),
    Delta {
        dtype: Num,
        astype: Num,
    },
    FixedScaleOffset {
        offset: f64,
        scale: f64,
        dtype: Num,
        astype: Num,
    },
    /// Decoding is the identity (bitround, quantize).
    Identity,
}

/// What a `.zarray` says.
#[derive(Clone, Debug)]
pub struct Meta {
    /// Shape.
    pub shape: Vec<usize>,
    /// Chunk shape.
    pub chunks: Vec<usize>,
    /// The NumPy type string (`<f8`, `|b1`, ...).
    pub dtype: String,
    /// Bytes per element.
    pub itemsize: usize,
    /// Whether elements are stored big-endian.
    pub big_endian: bool,
    /// One element of the fill value, as stored bytes (little-endian).
    pub fill: Vec<u8>,
    /// The compressor, then the filters in writing order.
    pub compressor: Option<Codec>,
    /// The filters in writing order.
    pub filters: Vec<Codec>,
    /// The chunk key separator.
    pub separator: String,
}

fn num_of(v: Option<&Json>, what: &str) -> Result<Num, String> {
    let s = v
        .and_then(Json::as_str)
        .ok_or(format!("{what} needs a dtype"))?;
    Num::parse(s).ok_or(format!("{what}: unsupported dtype {s:?}"))
}

fn codec_of(c: &Json, dtype: &str) -> Result<Codec, String> {
    let id = c.get("id").and_then(Json::as_str).unwrap_or("?");
    let f = |k: &str| c.get(k).and_then(Json::as_f64);
    Ok(match id {
        "blosc" => Codec::Blosc,
        "zlib" => Codec::Zlib,
        "gzip" => Codec::Gzip,
        "zstd" => Codec::Zstd,
        "lz4" => Codec::Lz4,
        "shuffle" => Codec::Shuffle(
            f("elementsize")
                .map(|e| e as usize)
                .or_else(|| Num::parse(dtype).map(Num::size))
                .unwrap_or(1),
        ),
        "delta" => {
            let d = num_of(c.get("dtype"), "delta")?;
            let a = match c.get("astype") {
                Some(Json::String(_)) => num_of(c.get("astype"), "delta")?,
                _ => d,
            };
            Codec::Delta {
                dtype: d,
                astype: a,
            }
        }
        "fixedscaleoffset" => {
            let d = num_of(c.get("dtype"), "fixedscaleoffset")?;
            let a = match c.get("astype") {
                Some(Json::String(_)) => num_of(c.get("astype"), "fixedscaleoffset")?,
                _ => d,
            };
            Codec::FixedScaleOffset {
                offset: f("offset").unwrap_or(0.0),
                scale: f("scale").unwrap_or(1.0),
                dtype: d,
                astype: a,
            }
        }
        "bitround" | "quantize" => Codec::Identity,
        other => {
            return Err(format!(
                "codec {other:?} is not supported (Arr reads blosc, zlib, gzip, zstd, lz4, shuffle, delta, fixedscaleoffset, bitround and quantize)"
            ));
        }
    })
}

/// The stored bytes of one element of the fill value.
fn fill_bytes(v: &Json, dtype: &str, itemsize: usize) -> Vec<u8> {
    let t = dtype.trim_start_matches(['<', '>', '|', '=']);
    let x = match v {
        Json::Null => return vec![0; itemsize],
        Json::Bool(b) => f64::from(u8::from(*b)),
        Json::Number(n) => n.as_f64().unwrap_or(0.0),
        Json::String(s) => match s.as_str() {
            "NaN" => f64::NAN,
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            _ => 0.0,
        },
        _ => 0.0,
    };
    let exact_int = |n: &Json| n.as_i64();
    match t {
        "b1" | "u1" | "i1" => vec![x as i64 as u8],
        "i2" => (x as i16).to_le_bytes().to_vec(),
        "u2" => (x as u16).to_le_bytes().to_vec(),
        "i4" => (x as i32).to_le_bytes().to_vec(),
        "u4" => (x as u32).to_le_bytes().to_vec(),
        "i8" => exact_int(v).unwrap_or(x as i64).to_le_bytes().to_vec(),
        "u8" => v.as_u64().unwrap_or(x as u64).to_le_bytes().to_vec(),
        "f4" => (x as f32).to_le_bytes().to_vec(),
        "f8" => x.to_le_bytes().to_vec(),
        _ => vec![0; itemsize],
    }
}

/// Reads `path/.zarray`.
pub fn read_meta(path: &Path) -> Result<Meta, String> {
    let text = std::fs::read_to_string(path.join(".zarray"))
        .map_err(|e| format!("cannot read {}: {e}", super::shown(&path.join(".zarray"))))?;
    let j: Json = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{} is not valid JSON: {e}",
            super::shown(&path.join(".zarray"))
        )
    })?;
    let dims = |k: &str| -> Result<Vec<usize>, String> {
        j.get(k)
            .and_then(Json::as_array)
            .ok_or(format!(".zarray has no {k}"))?
            .iter()
            .map(|d| {
                d.as_u64()
                    .map(|d| d as usize)
                    .ok_or(format!(".zarray: bad {k}"))
            })
            .collect()
    };
    let shape = dims("shape")?;
    let chunks = dims("chunks")?;
    if chunks.len() != shape.len() || chunks.contains(&0) {
        return Err(".zarray: chunks do not match the shape".into());
    }
    let dtype = j
        .get("dtype")
        .and_then(Json::as_str)
        .ok_or(".zarray has no simple dtype (structured dtypes are not supported)")?
        .to_string();
    if j.get("order").and_then(Json::as_str) == Some("F") {
        return Err("Fortran-ordered (order \"F\") Zarr 2 arrays are not supported".into());
    }
    let itemsize: usize = dtype
        .get(2..)
        .and_then(|s| s.parse().ok())
        .ok_or(format!("unsupported dtype {dtype:?}"))?;
    let compressor = match j.get("compressor") {
        None | Some(Json::Null) => None,
        Some(c) => Some(codec_of(c, &dtype)?),
    };
    let filters = match j.get("filters") {
        Some(Json::Array(fs)) => fs
            .iter()
            .map(|c| codec_of(c, &dtype))
            .collect::<Result<Vec<_>, _>>()?,
        _ => Vec::new(),
    };
    let big_endian = dtype.starts_with('>') && itemsize > 1;
    if big_endian && !filters.is_empty() {
        return Err("big-endian Zarr 2 arrays with filters are not supported".into());
    }
    Ok(Meta {
        fill: fill_bytes(j.get("fill_value").unwrap_or(&Json::Null), &dtype, itemsize),
        shape,
        chunks,
        itemsize,
        big_endian,
        compressor,
        filters,
        separator: j
            .get("dimension_separator")
            .and_then(Json::as_str)
            .unwrap_or(".")
            .to_string(),
        dtype,
    })
}

fn decode_one(c: &Codec, buf: Vec<u8>, expected: usize) -> Result<Vec<u8>, String> {
    Ok(match c {
        Codec::Blosc => codecs::blosc_decode(&buf, codecs::decoded_cap(expected))?,
        Codec::Zlib => codecs::zlib_decode(&buf, expected)?,
        Codec::Gzip => codecs::gzip_decode(&buf, expected)?,
        Codec::Zstd => codecs::zstd_decode(&buf, expected)?,
        Codec::Lz4 => codecs::lz4_numcodecs_decode(&buf, codecs::decoded_cap(expected))?,
        Codec::Shuffle(e) => codecs::unshuffle(&buf, *e),
        Codec::Delta { dtype, astype } => codecs::delta_decode(&buf, *dtype, *astype),
        Codec::FixedScaleOffset {
            offset,
            scale,
            dtype,
            astype,
        } => codecs::fixedscaleoffset_decode(&buf, *offset, *scale, *dtype, *astype),
        Codec::Identity => buf,
    })
}

impl Meta {
    /// The file of the chunk at `coords`.
    pub fn chunk_path(&self, root: &Path, coords: &[usize]) -> PathBuf {
        if coords.is_empty() {
            return root.join("0");
        }
        let key: Vec<String> = coords.iter().map(|c| c.to_string()).collect();
        root.join(key.join(&self.separator))
    }

    /// The decoded chunk at `coords` (little-endian elements over the full chunk shape).
    pub fn decode_chunk(&self, root: &Path, coords: &[usize]) -> Result<Vec<u8>, String> {
        let n: usize = self.chunks.iter().product();
        let expected = n * self.itemsize;
        let file = self.chunk_path(root, coords);
        let stored = match std::fs::read(&file) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(self.fill.repeat(n));
            }
            Err(e) => return Err(e.to_string()),
        };
        let mut buf = match &self.compressor {
            Some(c) => decode_one(c, stored, expected)?,
            None => stored,
        };
        for f in self.filters.iter().rev() {
            buf = decode_one(f, buf, expected)?;
        }
        if buf.len() != expected {
            return Err(format!("decoded {} bytes, expected {expected}", buf.len()));
        }
        if self.big_endian {
            for e in buf.chunks_exact_mut(self.itemsize) {
                e.reverse();
            }
        }
        Ok(buf)
    }
}
