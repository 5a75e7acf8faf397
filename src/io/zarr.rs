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
use crate::graph::node::ArraySource;
use crate::sema::dtype::DType;
use ndarray::{ArrayD, Axis, IxDyn, Slice};
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

/// Opens the array stored at `path` (a folder).
fn open(path: &Path) -> Result<Array<FilesystemStore>, String> {
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
        return Err(format!(
            "{} is a Zarr group, not an array; give the path of an array inside it",
            shown(path)
        ));
    }
    if !has(".zarray") && !has("zarr.json") {
        return Err(format!(
            "{} is not a Zarr array (it has no zarr.json or .zarray)",
            shown(path)
        ));
    }
    let store = FilesystemStore::new(path)
        .map_err(|e| format!("cannot open Zarr store {}: {e}", shown(path)))?;
    Array::open(Arc::new(store), "/")
        .map_err(|e| format!("cannot open Zarr array {}: {e}", shown(path)))
}

fn is_v3_group(path: &Path) -> bool {
    std::fs::read_to_string(path.join("zarr.json"))
        .map(|t| {
            let t: String = t.split_whitespace().collect();
            t.contains("\"node_type\":\"group\"")
        })
        .unwrap_or(false)
}

fn info_of(array: &Array<FilesystemStore>, path: &Path) -> Result<(Info, Stored), String> {
    let stored = stored_of(array.data_type()).ok_or_else(|| {
        format!(
            "unsupported dtype {} in Zarr array {} (Arr reads bool, u8, i32, i64, f32 and f64, and widens int8, int16, uint16 and uint32)",
            array.data_type(),
            shown(path)
        )
    })?;
    let shape: Vec<usize> = array.shape().iter().map(|&d| d as usize).collect();
    let chunk = array
        .chunk_shape_usize(&vec![0; shape.len()])
        .ok()
        .filter(|c| c.len() == shape.len() && !c.is_empty());
    Ok((
        Info {
            dtype: dtype_of(stored),
            shape,
            chunk,
        },
        stored,
    ))
}

/// Reads an array's metadata: dtype, shape, chunking.
pub fn inspect(path: &Path) -> Result<Info, String> {
    let array = open(path)?;
    Ok(info_of(&array, path)?.0)
}

/// A Zarr array read region by region.
pub struct ZarrSource {
    path: PathBuf,
    info: Info,
    stored: Stored,
    array: Array<FilesystemStore>,
}

impl std::fmt::Debug for ZarrSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ZarrSource({})", self.path.display())
    }
}

impl ZarrSource {
    /// Opens an array.
    pub fn open(path: &Path) -> Result<ZarrSource, String> {
        let array = open(path)?;
        let (info, stored) = info_of(&array, path)?;
        Ok(ZarrSource {
            path: path.to_path_buf(),
            info,
            stored,
            array,
        })
    }

    /// Its metadata.
    pub fn info(&self) -> &Info {
        &self.info
    }

    /// Reads the box `lo..lo+len` (step 1) as elements of type `T`.
    fn read_box<T>(&self, ranges: &[Range<u64>]) -> Result<ArrayD<T>, String>
    where
        T: zarrs::array::ElementOwned,
    {
        let shape: Vec<usize> = ranges.iter().map(|r| (r.end - r.start) as usize).collect();
        let v: Vec<T> = self
            .array
            .retrieve_array_subset::<Vec<T>>(&ranges.to_vec())
            .map_err(|e| format!("cannot read Zarr array {}: {e}", shown(&self.path)))?;
        ArrayD::from_shape_vec(IxDyn(&shape), v).map_err(|e| e.to_string())
    }

    /// Reads the ascending strided region `axes`: the bounding box when the stride wastes
    /// little, otherwise one index at a time along the most strided axis.
    fn read_strided<T>(&self, axes: &[Ascending]) -> Result<ArrayD<T>, String>
    where
        T: zarrs::array::ElementOwned + Clone,
    {
        let out: usize = axes.iter().map(|a| a.len).product();
        let boxed: usize = axes.iter().map(|a| (a.len - 1) * a.stride + 1).product();
        if axes.is_empty() || boxed <= 4 * out + 4096 {
            let ranges: Vec<Range<u64>> = axes
                .iter()
                .map(|a| a.lo as u64..(a.lo + (a.len - 1) * a.stride + 1) as u64)
                .collect();
            let b = self.read_box::<T>(&ranges)?;
            let mut view = b.view();
            for (k, a) in axes.iter().enumerate() {
                view.slice_axis_inplace(Axis(k), Slice::new(0, None, a.stride as isize));
            }
            return Ok(view.to_owned());
        }
        let (k, _) = axes
            .iter()
            .enumerate()
            .max_by_key(|(_, a)| a.stride)
            .ok_or("an empty region")?;
        let mut parts = Vec::with_capacity(axes[k].len);
        for i in 0..axes[k].len {
            let mut sub = axes.to_vec();
            sub[k] = Ascending {
                lo: axes[k].lo + axes[k].stride * i,
                stride: 1,
                len: 1,
                flip: false,
            };
            parts.push(self.read_strided::<T>(&sub)?);
        }
        let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
        ndarray::concatenate(Axis(k), &views).map_err(|e| e.to_string())
    }
}

fn widen<S: Copy + Into<T>, T>(a: ArrayD<S>) -> ArrayD<T> {
    a.mapv(Into::into)
}

impl ArraySource for ZarrSource {
    fn describe(&self) -> String {
        format!("from_zarr(\"{}\")", self.path.display())
    }

    fn read(&self, start: &[i64], step: &[i64], len: &[usize]) -> Result<Data, String> {
        let axes = ascending(start, step, len, &self.info.shape)
            .map_err(|e| format!("reading {}: {e}", shown(&self.path)))?;
        let data = match self.stored {
            Stored::Bool => Data::Bool(self.read_strided::<bool>(&axes)?),
            Stored::U8 => Data::U8(self.read_strided::<u8>(&axes)?),
            Stored::I8 => Data::I32(widen(self.read_strided::<i8>(&axes)?)),
            Stored::I16 => Data::I32(widen(self.read_strided::<i16>(&axes)?)),
            Stored::U16 => Data::I32(widen(self.read_strided::<u16>(&axes)?)),
            Stored::I32 => Data::I32(self.read_strided::<i32>(&axes)?),
            Stored::U32 => Data::I64(widen(self.read_strided::<u32>(&axes)?)),
            Stored::I64 => Data::I64(self.read_strided::<i64>(&axes)?),
            Stored::F32 => Data::F32(self.read_strided::<f32>(&axes)?),
            Stored::F64 => Data::F64(self.read_strided::<f64>(&axes)?),
        };
        super::progress::add_read(data.nbytes() as u64);
        Ok(apply_flips(data, &axes))
    }
}

/// Compression of a written store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Zstd,
    Gzip,
}

/// A store being written into a temporary folder.
pub struct ZarrWriter {
    staged: super::atomic::Staged,
    array: Array<FilesystemStore>,
    target: PathBuf,
    blocks: usize,
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

fn v3_dtype(dtype: DType) -> zarrs::array::DataType {
    match dtype {
        DType::Bool => zdt::bool(),
        DType::U8 => zdt::uint8(),
        DType::I32 => zdt::int32(),
        DType::I64 => zdt::int64(),
        DType::F32 => zdt::float32(),
        DType::F64 => zdt::float64(),
    }
}

/// A zero of `dtype` (false for bool) as a Zarr fill value.
fn zero_fill(dtype: DType) -> zarrs::array::FillValue {
    use zarrs::array::FillValue;
    match dtype {
        DType::Bool => FillValue::from(false),
        DType::U8 => FillValue::from(0u8),
        DType::I32 => FillValue::from(0i32),
        DType::I64 => FillValue::from(0i64),
        DType::F32 => FillValue::from(0f32),
        DType::F64 => FillValue::from(0f64),
    }
}

impl ZarrWriter {
    /// Creates an empty array (format 2 or 3) with chunks `chunk` in a temporary folder.
    pub fn create(
        path: &Path,
        dtype: DType,
        shape: &[usize],
        chunk: &[usize],
        format: u8,
        compression: Compression,
    ) -> Result<ZarrWriter, String> {
        let staged = super::atomic::Staged::new_dir(path)?;
        let fail = |e: String| format!("cannot write Zarr store {}: {e}", shown(path));
        std::fs::create_dir_all(staged.temp()).map_err(|e| fail(e.to_string()))?;
        let store = Arc::new(FilesystemStore::new(staged.temp()).map_err(|e| fail(e.to_string()))?);
        let shape64: Vec<u64> = shape.iter().map(|&d| d as u64).collect();
        let chunk64: Vec<u64> = chunk.iter().map(|&c| c.max(1) as u64).collect();
        let array = if format == 2 {
            let compressor = match compression {
                Compression::None => "null".to_string(),
                Compression::Zstd => "{\"id\": \"zstd\", \"level\": 1}".to_string(),
                Compression::Gzip => "{\"id\": \"gzip\", \"level\": 5}".to_string(),
            };
            let fill = if dtype == DType::Bool { "false" } else { "0" };
            let json = format!(
                "{{\"zarr_format\": 2, \"shape\": {shape64:?}, \"chunks\": {chunk64:?}, \"dtype\": \"{}\", \"compressor\": {compressor}, \"fill_value\": {fill}, \"order\": \"C\", \"filters\": null}}",
                v2_dtype(dtype)
            );
            let meta: zarrs::array::ArrayMetadataV2 =
                serde_json::from_str(&json).map_err(|e| fail(e.to_string()))?;
            Array::new_with_metadata(store, "/", zarrs::array::ArrayMetadata::V2(meta))
                .map_err(|e| fail(e.to_string()))?
        } else {
            let mut b = zarrs::array::ArrayBuilder::new(
                shape64.clone(),
                chunk64.clone(),
                v3_dtype(dtype),
                zero_fill(dtype),
            );
            match compression {
                Compression::None => {}
                Compression::Zstd => {
                    b.bytes_to_bytes_codecs(vec![Arc::new(zarrs::array::codec::ZstdCodec::new(
                        1, false,
                    ))]);
                }
                Compression::Gzip => {
                    let gz =
                        zarrs::array::codec::GzipCodec::new(5).map_err(|e| fail(e.to_string()))?;
                    b.bytes_to_bytes_codecs(vec![Arc::new(gz)]);
                }
            }
            b.build(store, "/").map_err(|e| fail(e.to_string()))?
        };
        array.store_metadata().map_err(|e| fail(e.to_string()))?;
        Ok(ZarrWriter {
            staged,
            array,
            target: path.to_path_buf(),
            blocks: 0,
        })
    }

    /// Writes one block at its region.
    pub fn write_block(&mut self, region: &Region, data: &Data) -> Result<(), String> {
        super::atomic::injected_failure(self.blocks)?;
        self.blocks += 1;
        let ranges: Vec<Range<u64>> = region
            .iter()
            .map(|r| r.start as u64..r.start as u64 + r.len as u64)
            .collect();
        let fail = |e: zarrs::array::ArrayError| {
            format!("cannot write Zarr store {}: {e}", shown(&self.target))
        };
        with_data!(data, a => {
            let v: Vec<_> = a.iter().copied().collect();
            self.array.store_array_subset(&ranges, v).map_err(fail)
        })
    }

    /// Renames the finished folder over the target.
    pub fn commit(self) -> Result<(), String> {
        drop(self.array);
        self.staged.commit()
    }
}
