//! Zarr stores on local disk (format 2 and 3) through the zarrs crate: `from_zarr` reads
//! regions lazily with blocks aligned to the store's chunks; `to_zarr` streams blocks into
//! a new store in a temporary folder that replaces the target only when complete.
//!
//! Element types: Arr's own are read as they are; `int8 int16 uint16` widen to `i32` and
//! `uint32` to `i64`; others are an unsupported dtype. Codecs: those zarrs is built with here
//! (zstd, gzip, crc32c, transpose, sharding); others give a clear error.

use super::{Ascending, apply_flips, ascending, shown};
use crate::data::Data;
use crate::exec::region::Region;
use crate::graph::NodeRef;
use crate::graph::node::ArraySource;
use crate::sema::dtype::DType;
use ndarray::{ArrayD, IxDyn};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zarrs::array::Array;
use zarrs::array::data_type as zdt;
use zarrs::filesystem::FilesystemStore;

/// What `from_zarr` learns from an array's metadata.
#[derive(Clone, Debug)]
pub struct Info {
    /// The dtype Arr reads it as.
    pub dtype: DType,
    /// Its shape.
    pub shape: Vec<usize>,
    /// Its chunk shape.
    pub chunk: Option<Vec<usize>>,
}

/// How stored elements are read.
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

fn stored_of(dt: &zarrs::array::DataType) -> Option<Stored> {
    Some(if dt.is::<zdt::BoolDataType>() {
        Stored::Bool
    } else if dt.is::<zdt::UInt8DataType>() {
        Stored::U8
    } else if dt.is::<zdt::Int8DataType>() {
        Stored::I8
    } else if dt.is::<zdt::Int16DataType>() {
        Stored::I16
    } else if dt.is::<zdt::UInt16DataType>() {
        Stored::U16
    } else if dt.is::<zdt::Int32DataType>() {
        Stored::I32
    } else if dt.is::<zdt::UInt32DataType>() {
        Stored::U32
    } else if dt.is::<zdt::Int64DataType>() {
        Stored::I64
    } else if dt.is::<zdt::Float32DataType>() {
        Stored::F32
    } else if dt.is::<zdt::Float64DataType>() {
        Stored::F64
    } else {
        return None;
    })
}

fn dtype_of(s: Stored) -> DType {
    match s {
        Stored::Bool => DType::Bool,
        Stored::U8 => DType::U8,
        Stored::I8 | Stored::I16 | Stored::U16 | Stored::I32 => DType::I32,
        Stored::U32 | Stored::I64 => DType::I64,
        Stored::F32 => DType::F32,
        Stored::F64 => DType::F64,
    }
}

/// Checks that `path` is a Zarr array folder; gives its format (2 or 3).
fn array_format(path: &Path) -> Result<u8, String> {
    if !path.exists() {
        return Err(format!("no such Zarr store: {}", shown(path)));
    }
    if !path.is_dir() {
        return Err(format!(
            "{} is not a Zarr store (a Zarr array is a folder)",
            shown(path)
        ));
    }
    let has = |name: &str| path.join(name).is_file();
    if has(".zgroup") && !has(".zarray") || is_v3_group(path) {
        let names = group_arrays(path);
        return Err(format!(
            "{} is a Zarr group, not an array; give the variable, e.g. from_zarr({}, \"{}\"){}",
            shown(path),
            shown(path),
            names.first().map(String::as_str).unwrap_or("name"),
            if names.is_empty() {
                String::new()
            } else {
                format!(" (it holds {})", names.join(", "))
            }
        ));
    }
    if has(".zarray") {
        return Ok(2);
    }
    if has("zarr.json") {
        return Ok(3);
    }
    Err(format!(
        "{} is not a Zarr array (it has no zarr.json or .zarray)",
        shown(path)
    ))
}

/// The arrays directly inside a group folder, sorted.
pub fn group_arrays(path: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(path)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| {
                    let p = e.path();
                    p.join(".zarray").is_file()
                        || (p.join("zarr.json").is_file() && !is_v3_group(&p))
                })
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Opens a format 3 array through zarrs.
fn open_v3(path: &Path) -> Result<Array<FilesystemStore>, String> {
    let store = FilesystemStore::new(path)
        .map_err(|e| format!("cannot open Zarr store {}: {e}", shown(path)))?;
    Array::open(Arc::new(store), "/")
        .map_err(|e| format!("cannot open Zarr array {}: {e}", shown(path)))
}

/// Whether `path` is a Zarr store (array or group, format 2 or 3): a folder with Zarr
/// metadata directly inside.
pub fn is_store(path: &Path) -> bool {
    [".zarray", ".zgroup", "zarr.json"]
        .iter()
        .any(|m| path.join(m).is_file())
}

pub(crate) fn is_v3_group(path: &Path) -> bool {
    std::fs::read_to_string(path.join("zarr.json"))
        .map(|t| {
            let t: String = t.split_whitespace().collect();
            t.contains("\"node_type\":\"group\"")
        })
        .unwrap_or(false)
}

fn stored_of_v2(dtype: &str) -> Option<Stored> {
    let t = dtype.trim_start_matches(['<', '>', '|', '=']);
    Some(match t {
        "b1" => Stored::Bool,
        "u1" => Stored::U8,
        "i1" => Stored::I8,
        "i2" => Stored::I16,
        "u2" => Stored::U16,
        "i4" => Stored::I32,
        "u4" => Stored::U32,
        "i8" => Stored::I64,
        "f4" => Stored::F32,
        "f8" => Stored::F64,
        _ => return None,
    })
}

fn unsupported(what: &str, path: &Path) -> String {
    format!(
        "unsupported dtype {what} in Zarr array {} (Arr reads bool, u8, i32, i64, f32 and f64, and widens int8, int16, uint16 and uint32)",
        shown(path)
    )
}

/// Checks a shape and chunk shape read from metadata: no chunk side of 0 and no size that
/// overflows (a crafted `zarr.json` or `.zarray` is an error naming the store).
fn check_sizes(
    path: &Path,
    shape: &[usize],
    chunk: &[usize],
    itemsize: usize,
) -> Result<(), String> {
    if super::checked_bytes(shape, itemsize).is_none() {
        return Err(format!(
            "Zarr array {} is damaged: its shape {shape:?} describes more data than can exist",
            shown(path)
        ));
    }
    if chunk.contains(&0) || super::checked_bytes(chunk, itemsize).is_none() {
        return Err(format!(
            "Zarr array {} is damaged: its chunk shape {chunk:?} is not usable",
            shown(path)
        ));
    }
    Ok(())
}

/// Reads an array's metadata: dtype, shape, chunking.
pub fn inspect(path: &Path) -> Result<Info, String> {
    Ok(ZarrSource::open(path)?.info.clone())
}

/// How chunks are decoded: format 2 by Arr (`zarr_v2.rs`), format 3 by zarrs.
enum Kind {
    V2(super::zarr_v2::Meta),
    V3(Box<Array<FilesystemStore>>),
}

/// A Zarr array read chunk by chunk through the shared decoded-chunk cache.
pub struct ZarrSource {
    path: PathBuf,
    info: Info,
    stored: Stored,
    kind: Kind,
    layout: super::chunked::Layout,
    cache_id: u64,
    /// Set when the chunks are stored plainly (`zarr_plain.rs`): regions are read
    /// straight from the chunk files.
    plain: Option<super::zarr_plain::PlainChunks>,
}

impl std::fmt::Debug for ZarrSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ZarrSource({})", self.path.display())
    }
}

impl Drop for ZarrSource {
    fn drop(&mut self) {
        super::chunked::forget(self.cache_id);
    }
}

fn stored_size(s: Stored) -> usize {
    match s {
        Stored::Bool | Stored::U8 | Stored::I8 => 1,
        Stored::I16 | Stored::U16 => 2,
        Stored::I32 | Stored::U32 | Stored::F32 => 4,
        Stored::I64 | Stored::F64 => 8,
    }
}

impl ZarrSource {
    /// Opens an array.
    pub fn open(path: &Path) -> Result<ZarrSource, String> {
        let format = array_format(path)?;
        let (kind, stored, shape, chunk) = if format == 2 {
            let meta = super::zarr_v2::read_meta(path)
                .map_err(|e| format!("cannot open Zarr array {}: {e}", shown(path)))?;
            let stored = stored_of_v2(&meta.dtype).ok_or_else(|| unsupported(&meta.dtype, path))?;
            let (shape, chunk) = (meta.shape.clone(), meta.chunks.clone());
            (Kind::V2(meta), stored, shape, chunk)
        } else {
            let array = open_v3(path)?;
            let stored = stored_of(array.data_type())
                .ok_or_else(|| unsupported(&array.data_type().to_string(), path))?;
            let shape: Vec<usize> = array.shape().iter().map(|&d| d as usize).collect();
            let chunk = array
                .chunk_shape_usize(&vec![0; shape.len()])
                .map_err(|e| format!("cannot open Zarr array {}: {e}", shown(path)))?;
            if chunk.len() != shape.len() {
                return Err(format!(
                    "Zarr array {} has an irregular chunk grid",
                    shown(path)
                ));
            }
            (Kind::V3(Box::new(array)), stored, shape, chunk)
        };
        check_sizes(path, &shape, &chunk, stored_size(stored))?;
        let plain = match &kind {
            Kind::V2(meta) => super::zarr_plain::is_plain_v2(meta).then(|| meta.fill.clone()),
            Kind::V3(array) => super::zarr_plain::is_plain_v3(array.metadata())
                .then(|| array.fill_value().as_ne_bytes().to_vec()),
        }
        .filter(|fill| fill.len() == stored_size(stored))
        .map(|fill| super::zarr_plain::PlainChunks { fill });
        let info = Info {
            dtype: dtype_of(stored),
            shape: shape.clone(),
            chunk: (!chunk.is_empty()).then(|| chunk.clone()),
        };
        Ok(ZarrSource {
            path: path.to_path_buf(),
            info,
            stored,
            kind,
            layout: super::chunked::Layout {
                shape,
                chunk,
                itemsize: stored_size(stored),
            },
            cache_id: super::chunked::new_source_id(),
            plain,
        })
    }

    /// The file of the chunk at `coords`.
    fn chunk_file(&self, coords: &[usize]) -> PathBuf {
        match &self.kind {
            Kind::V2(meta) => meta.chunk_path(&self.path, coords),
            Kind::V3(array) => {
                let c: Vec<u64> = coords.iter().map(|&q| q as u64).collect();
                self.path.join(array.chunk_key(&c).as_str())
            }
        }
    }

    /// Its metadata.
    pub fn info(&self) -> &Info {
        &self.info
    }

    /// The decoded chunk at `coords`.
    fn decode_chunk(&self, coords: &[usize]) -> Result<Vec<u8>, String> {
        match &self.kind {
            Kind::V2(meta) => meta.decode_chunk(&self.path, coords),
            Kind::V3(array) => {
                let c: Vec<u64> = coords.iter().map(|&q| q as u64).collect();
                let e = |e: zarrs::array::ArrayError| e.to_string();
                if self.stored == Stored::Bool {
                    let v: Vec<bool> = array.retrieve_chunk(&c).map_err(e)?;
                    return Ok(v.into_iter().map(u8::from).collect());
                }
                // The decoded bytes as zarrs returns them (native order), without a copy
                // through a typed vector.
                let bytes: zarrs::array::ArrayBytes<'static> =
                    array.retrieve_chunk(&c).map_err(e)?;
                Ok(bytes.into_fixed().map_err(|e| e.to_string())?.into_owned())
            }
        }
    }

    fn region<T: Copy>(&self, axes: &[Ascending]) -> Result<ArrayD<T>, String> {
        let lens: Vec<usize> = axes.iter().map(|a| a.len).collect();
        if let Some(plain) = &self.plain {
            let v = plain
                .read_region::<T>(&self.layout, axes, &|c| self.chunk_file(c))
                .map_err(|e| format!("cannot read Zarr array {}: {e}", shown(&self.path)))?;
            return ArrayD::from_shape_vec(IxDyn(&lens), v).map_err(|e| e.to_string());
        }
        let fetch = |flat: usize, coords: &[usize]| {
            super::chunked::get(self.cache_id, flat as u64, || self.decode_chunk(coords)).map_err(
                |e| {
                    format!(
                        "cannot read chunk {coords:?} of Zarr array {}: {e} (is the store corrupt?)",
                        shown(&self.path)
                    )
                },
            )
        };
        let v = super::chunked::read_region::<T>(&self.layout, axes, &fetch)?;
        ArrayD::from_shape_vec(IxDyn(&lens), v).map_err(|e| e.to_string())
    }
}

fn widen<S: Copy + Into<T>, T>(a: ArrayD<S>) -> ArrayD<T> {
    a.mapv(Into::into)
}

impl ArraySource for ZarrSource {
    fn describe(&self) -> String {
        format!("from_zarr(\"{}\")", self.path.display())
    }

    fn cache_bytes(&self, chunks: &[Vec<usize>], threads: usize, limit: usize) -> usize {
        if self.plain.is_some() {
            // Plain chunks are read in place (`zarr_plain.rs`), never cached.
            return 0;
        }
        let compressed = match &self.kind {
            Kind::V2(meta) => meta.compressor.is_some() || !meta.filters.is_empty(),
            Kind::V3(array) => {
                let chain = array.codecs();
                !chain.bytes_to_bytes_codecs().is_empty()
                    || !chain.array_to_array_codecs().is_empty()
            }
        };
        self.layout.cache_need(chunks, threads, limit, compressed)
    }

    fn read(&self, start: &[i64], step: &[i64], len: &[usize]) -> Result<Data, String> {
        let axes = ascending(start, step, len, &self.info.shape)
            .map_err(|e| format!("reading {}: {e}", shown(&self.path)))?;
        let data = match self.stored {
            Stored::Bool => Data::Bool(self.region::<u8>(&axes)?.mapv(|b| b != 0)),
            Stored::U8 => Data::U8(self.region::<u8>(&axes)?),
            Stored::I8 => Data::I32(widen(self.region::<i8>(&axes)?)),
            Stored::I16 => Data::I32(widen(self.region::<i16>(&axes)?)),
            Stored::U16 => Data::I32(widen(self.region::<u16>(&axes)?)),
            Stored::I32 => Data::I32(self.region::<i32>(&axes)?),
            Stored::U32 => Data::I64(widen(self.region::<u32>(&axes)?)),
            Stored::I64 => Data::I64(self.region::<i64>(&axes)?),
            Stored::F32 => Data::F32(self.region::<f32>(&axes)?),
            Stored::F64 => Data::F64(self.region::<f64>(&axes)?),
        };
        super::progress::add_read(data.nbytes() as u64);
        Ok(apply_flips(data, &axes))
    }
}

/// Compression of a written store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Zstd,
    Gzip,
    Zlib,
    /// Blosc with an inner compressor (`lz4`, `zstd`, `zlib`, `blosclz`, `lz4hc`) and
    /// byte shuffling.
    Blosc(String),
}

/// How a written array is laid out: on its own, or as a variable of an xarray store.
#[derive(Clone, Debug, Default)]
pub struct Naming {
    /// Dimension names (`_ARRAY_DIMENSIONS` in format 2, `dimension_names` in 3).
    pub dims: Option<Vec<String>>,
    /// Whether the array is a variable of an xarray store (floats' fill value is NaN, so
    /// xarray masks nothing Arr wrote; integers have none).
    pub xarray: bool,
}

/// A store being written into a temporary folder.
pub struct ZarrWriter {
    staged: Option<super::atomic::Staged>,
    array: Array<FilesystemStore>,
    target: PathBuf,
    blocks: super::atomic::BlockCount,
    /// The folder the array is written in.
    folder: PathBuf,
    /// The chunk shape.
    chunk: Vec<usize>,
    /// Set when whole-chunk blocks are written from their own memory (no compression, or
    /// zstd: `zarr_plain.rs`).
    direct: Option<super::zarr_plain::DirectWrite>,
    /// The element type and compression (for the other ranks of an MPI job: `join`).
    dtype: DType,
    compression: Compression,
}

/// How whole chunks of an array with `compression` and the fill value `fill` are written
/// from the blocks' own memory, where Arr does that itself (`zarr_plain.rs`).
fn direct_write(
    compression: &Compression,
    fill: Vec<u8>,
    dtype: DType,
) -> Option<super::zarr_plain::DirectWrite> {
    // The codecs `array_metadata` writes: bytes (little-endian), then zstd level 1.
    let codec = match compression {
        Compression::None => super::zarr_plain::ChunkCodec::Plain,
        Compression::Zstd => super::zarr_plain::ChunkCodec::Zstd {
            level: 1,
            checksum: false,
        },
        _ => return None,
    };
    (cfg!(target_endian = "little") && fill.len() == dtype.size())
        .then_some(super::zarr_plain::DirectWrite { codec, fill })
}

fn v2_dtype(dtype: DType) -> &'static str {
    match dtype {
        DType::Bool => "|b1",
        DType::U8 => "|u1",
        DType::I32 => "<i4",
        DType::I64 => "<i8",
        DType::F32 => "<f4",
        DType::F64 => "<f8",
    }
}

fn v3_dtype(dtype: DType) -> &'static str {
    match dtype {
        DType::Bool => "bool",
        DType::U8 => "uint8",
        DType::I32 => "int32",
        DType::I64 => "int64",
        DType::F32 => "float32",
        DType::F64 => "float64",
    }
}

/// The `.zarray` (format 2) or `zarr.json` (format 3) of an array Arr writes.
pub fn array_metadata(
    dtype: DType,
    shape: &[usize],
    chunk: &[usize],
    format: u8,
    compression: &Compression,
    naming: &Naming,
) -> serde_json::Value {
    use serde_json::json;
    let float = matches!(dtype, DType::F32 | DType::F64);
    if format == 2 {
        let compressor = match compression {
            Compression::None => json!(null),
            Compression::Zstd => json!({"id": "zstd", "level": 1}),
            Compression::Gzip => json!({"id": "gzip", "level": 5}),
            Compression::Zlib => json!({"id": "zlib", "level": 5}),
            Compression::Blosc(cname) => {
                json!({"id": "blosc", "cname": cname, "clevel": 5, "shuffle": 1, "blocksize": 0})
            }
        };
        let fill = match (naming.xarray, dtype) {
            (true, _) if float => json!("NaN"),
            (true, _) => json!(null),
            (false, DType::Bool) => json!(false),
            (false, _) if float => json!(0.0),
            (false, _) => json!(0),
        };
        return json!({
            "zarr_format": 2, "shape": shape, "chunks": chunk, "dtype": v2_dtype(dtype),
            "compressor": compressor, "fill_value": fill, "order": "C", "filters": null,
            "dimension_separator": "."
        });
    }
    let mut codecs = vec![json!({"name": "bytes", "configuration": {"endian": "little"}})];
    match compression {
        Compression::None => {}
        Compression::Zstd => {
            codecs.push(json!({"name": "zstd", "configuration": {"level": 1, "checksum": false}}))
        }
        Compression::Gzip => codecs.push(json!({"name": "gzip", "configuration": {"level": 5}})),
        Compression::Zlib => {
            codecs.push(json!({"name": "numcodecs.zlib", "configuration": {"level": 5}}))
        }
        Compression::Blosc(cname) => codecs.push(json!({"name": "blosc", "configuration": {
            "cname": cname, "clevel": 5, "shuffle": if dtype.size() > 1 { "shuffle" } else { "noshuffle" },
            "typesize": dtype.size(), "blocksize": 0}})),
    }
    let fill = match dtype {
        DType::Bool => json!(false),
        _ if float && naming.xarray => json!("NaN"),
        _ if float => json!(0.0),
        _ => json!(0),
    };
    let mut meta = json!({
        "zarr_format": 3, "node_type": "array", "shape": shape, "data_type": v3_dtype(dtype),
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunk}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": fill, "codecs": codecs, "attributes": {}
    });
    if let Some(d) = &naming.dims {
        meta["dimension_names"] = json!(d);
    }
    meta
}

/// Streams `node` into the array being written by `w`, with the store's progress bar:
/// blocks are encoded and written by the workers that computed them (under MPI, by the rank
/// that computed them) when they cover whole chunks, in order on one thread otherwise.
pub fn stream_into(session: &super::Env, node: &NodeRef, w: &ZarrWriter) -> Result<(), String> {
    let write = |region: &Region, data: Data| w.write_block(region, &data);
    let mut write_in_order = write;
    let streamed = if w.blocks_cover_whole_chunks(&node.chunks) {
        // Each chunk file is written by one block, so every rank writes its own blocks.
        super::stream_store_each_rank(session, "to_zarr", node, &w.shared_target(), &write)
    } else {
        super::stream_store(
            session,
            "to_zarr",
            node,
            super::BlockSink::InOrder(&mut write_in_order),
        )
    };
    streamed.map(|_| ()).map_err(|e| e.to_string())
}

impl ZarrWriter {
    /// Creates an empty array (format 2 or 3) with chunks `chunk` in a temporary folder
    /// that replaces `path` on commit.
    pub fn create(
        path: &Path,
        dtype: DType,
        shape: &[usize],
        chunk: &[usize],
        format: u8,
        compression: Compression,
    ) -> Result<ZarrWriter, String> {
        let staged = super::atomic::Staged::new_dir(path)?;
        let folder = staged.temp().to_path_buf();
        let mut w = ZarrWriter::create_at(
            &folder,
            path,
            dtype,
            shape,
            chunk,
            format,
            &compression,
            &Naming::default(),
        )?;
        w.staged = Some(staged);
        Ok(w)
    }

    /// Creates an empty array in `folder` (a temporary folder another owner commits);
    /// messages name `target`.
    #[allow(clippy::too_many_arguments)]
    pub fn create_at(
        folder: &Path,
        target: &Path,
        dtype: DType,
        shape: &[usize],
        chunk: &[usize],
        format: u8,
        compression: &Compression,
        naming: &Naming,
    ) -> Result<ZarrWriter, String> {
        let fail = |e: String| format!("cannot write Zarr store {}: {e}", shown(target));
        std::fs::create_dir_all(folder).map_err(|e| fail(e.to_string()))?;
        let store = Arc::new(FilesystemStore::new(folder).map_err(|e| fail(e.to_string()))?);
        let chunk: Vec<usize> = chunk.iter().map(|&c| c.max(1)).collect();
        let json = array_metadata(dtype, shape, &chunk, format, compression, naming);
        let meta = if format == 2 {
            zarrs::array::ArrayMetadata::V2(
                serde_json::from_value(json).map_err(|e| fail(e.to_string()))?,
            )
        } else {
            zarrs::array::ArrayMetadata::V3(
                serde_json::from_value(json).map_err(|e| fail(e.to_string()))?,
            )
        };
        let array = Array::new_with_metadata(store, "/", meta).map_err(|e| fail(e.to_string()))?;
        array.store_metadata().map_err(|e| fail(e.to_string()))?;
        if format == 2
            && let Some(d) = &naming.dims
        {
            let attrs = serde_json::json!({"_ARRAY_DIMENSIONS": d});
            std::fs::write(folder.join(".zattrs"), attrs.to_string())
                .map_err(|e| fail(e.to_string()))?;
        }
        let fill = array.fill_value().as_ne_bytes().to_vec();
        Ok(ZarrWriter {
            staged: None,
            array,
            target: target.to_path_buf(),
            blocks: super::atomic::BlockCount::default(),
            folder: folder.to_path_buf(),
            chunk,
            direct: direct_write(compression, fill, dtype),
            dtype,
            compression: compression.clone(),
        })
    }

    /// Opens the array that another rank of the MPI job is writing in `folder` (its
    /// metadata written) to write this rank's own whole-chunk blocks (`SharedTarget`);
    /// messages name `target`. The other rank commits.
    pub fn join(
        folder: &Path,
        target: &Path,
        dtype: DType,
        compression: &Compression,
    ) -> Result<ZarrWriter, String> {
        let fail = |e: String| format!("cannot write Zarr store {}: {e}", shown(target));
        let store = Arc::new(FilesystemStore::new(folder).map_err(|e| fail(e.to_string()))?);
        let array = Array::open(store, "/").map_err(|e| fail(e.to_string()))?;
        let chunk = array
            .chunk_shape_usize(&vec![0; array.dimensionality()])
            .map_err(|e| fail(e.to_string()))?;
        let fill = array.fill_value().as_ne_bytes().to_vec();
        Ok(ZarrWriter {
            staged: None,
            array,
            target: target.to_path_buf(),
            blocks: super::atomic::BlockCount::default(),
            folder: folder.to_path_buf(),
            chunk,
            direct: direct_write(compression, fill, dtype),
            dtype,
            compression: compression.clone(),
        })
    }

    /// Where the other ranks of an MPI job write their blocks of this array.
    pub fn shared_target(&self) -> super::SharedTarget {
        super::SharedTarget::Zarr {
            folder: self.folder.clone(),
            target: self.target.clone(),
            dtype: self.dtype,
            compression: self.compression.clone(),
        }
    }

    /// Writes one block at its region. Blocks that cover whole chunks may be written from
    /// several threads at once (each chunk is its own file; see `stream_into`).
    pub fn write_block(&self, region: &Region, data: &Data) -> Result<(), String> {
        self.blocks.next()?;
        let ranges: Vec<Range<u64>> = region
            .iter()
            .map(|r| r.start as u64..r.start as u64 + r.len as u64)
            .collect();
        if let Some(direct) = &self.direct
            && let Some(indices) = self.whole_chunk(region)
        {
            let file = self.folder.join(self.array.chunk_key(&indices).as_str());
            let written = with_data!(data, a => a.as_slice().map(|elements| {
                direct.write_chunk(&file, super::zarr_plain::as_bytes(elements))
            }));
            if let Some(result) = written {
                return result
                    .map_err(|e| format!("cannot write Zarr store {}: {e}", shown(&self.target)));
            }
        }
        let fail = |e: zarrs::array::ArrayError| {
            format!("cannot write Zarr store {}: {e}", shown(&self.target))
        };
        with_data!(data, a => match a.as_slice() {
            Some(elements) => self.array.store_array_subset(&ranges, elements).map_err(fail),
            None => {
                let v: Vec<_> = a.iter().copied().collect();
                self.array.store_array_subset(&ranges, v).map_err(fail)
            }
        })
    }

    /// The chunk indices of `region` when it is exactly one whole chunk.
    fn whole_chunk(&self, region: &Region) -> Option<Vec<u64>> {
        if region.is_empty() || region.len() != self.chunk.len() {
            return None;
        }
        region
            .iter()
            .zip(&self.chunk)
            .map(|(r, &c)| {
                (r.step == 1 && r.len == c && r.start >= 0 && (r.start as usize).is_multiple_of(c))
                    .then(|| (r.start as usize / c) as u64)
            })
            .collect()
    }

    /// Whether every block of the grid `chunks` covers whole chunks of this array (then no
    /// two blocks write the same chunk file, and blocks may be written in parallel).
    fn blocks_cover_whole_chunks(&self, chunks: &[Vec<usize>]) -> bool {
        let Ok(first) = self.array.chunk_shape_usize(&vec![0; chunks.len()]) else {
            return false;
        };
        chunks.iter().zip(&first).all(|(blocks, &c)| {
            let total: usize = blocks.iter().sum();
            let mut at = 0;
            blocks.iter().all(|&b| {
                let ok = at % c.max(1) == 0;
                at += b;
                ok && (at % c.max(1) == 0 || at == total)
            })
        })
    }
    /// Records dimension names on a standalone array (format 2: `.zattrs`; format 3:
    /// `dimension_names` in its metadata).
    pub fn set_dims(&mut self, dims: &[String]) -> Result<(), String> {
        let fail = |e: String| format!("cannot write Zarr store {}: {e}", shown(&self.target));
        let folder = match &self.staged {
            Some(s) => s.temp().to_path_buf(),
            None => return Err(fail("no folder".into())),
        };
        if folder.join(".zarray").is_file() {
            let attrs = serde_json::json!({"_ARRAY_DIMENSIONS": dims});
            return std::fs::write(folder.join(".zattrs"), attrs.to_string())
                .map_err(|e| fail(e.to_string()));
        }
        let file = folder.join("zarr.json");
        let mut meta: serde_json::Value = std::fs::read_to_string(&file)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .ok_or_else(|| fail("cannot read back zarr.json".into()))?;
        meta["dimension_names"] = serde_json::json!(dims);
        std::fs::write(&file, meta.to_string()).map_err(|e| fail(e.to_string()))
    }

    /// Renames the finished folder over the target (when this writer staged it; otherwise
    /// its owner commits).
    pub fn commit(self) -> Result<(), String> {
        drop(self.array);
        match self.staged {
            Some(s) => s.commit(),
            None => Ok(()),
        }
    }
}
