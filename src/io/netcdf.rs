//! NetCDF-4 files (HDF5 files underneath). `from_netcdf` reads a variable as `from_hdf5`
//! does (compressed chunks decoded by Arr, `hdf5_filters.rs`) and applies the CF
//! conventions lazily, region by region, as xarray's `decode_cf` does: raw values equal to
//! `_FillValue` or `missing_value` (and, as netCDF4-python does, outside `valid_range` /
//! `valid_min` / `valid_max`) become nan, then `raw * scale_factor + add_offset`; the float
//! type is xarray's choice (`_choose_float_dtype`). `to_netcdf` writes a variable with
//! named dimensions (HDF5 dimension scales, as netCDF-C and h5netcdf write them).

use super::shown;
use crate::data::Data;
use crate::graph::node::ArraySource;
use crate::sema::dtype::DType;
use hdf5::types::{FloatSize, IntSize, TypeDescriptor};
use ndarray::ArrayD;
use std::path::Path;

/// The CF attributes of a variable that change its values.
#[derive(Clone, Debug, PartialEq)]
pub struct Cf {
    /// `scale_factor`.
    pub scale: Option<f64>,
    /// `add_offset`.
    pub offset: Option<f64>,
    /// `_FillValue` and `missing_value` entries (raw units).
    pub missing: Vec<f64>,
    /// The valid range (raw units), either end optional.
    pub valid: (Option<f64>, Option<f64>),
    /// The decoded float type.
    pub out: DType,
}

impl Default for Cf {
    fn default() -> Cf {
        Cf {
            scale: None,
            offset: None,
            missing: Vec::new(),
            valid: (None, None),
            out: DType::F64,
        }
    }
}

impl Cf {
    /// Whether decoding changes anything.
    pub fn is_identity(&self) -> bool {
        self.scale.is_none()
            && self.offset.is_none()
            && self.missing.is_empty()
            && self.valid == (None, None)
    }
}

fn attr_values(ds: &hdf5::Dataset, name: &str) -> Option<(Vec<f64>, TypeDescriptor)> {
    let a = ds.attr(name).ok()?;
    let t = a.dtype().ok()?.to_descriptor().ok()?;
    if !matches!(
        t,
        TypeDescriptor::Float(_) | TypeDescriptor::Integer(_) | TypeDescriptor::Unsigned(_)
    ) {
        return None;
    }
    let v = a.read_raw::<f64>().ok()?;
    Some((v, t))
}

/// xarray's `_choose_float_dtype`: the float type values decode to.
fn choose_float(
    stored: &TypeDescriptor,
    scale: &Option<TypeDescriptor>,
    offset: &Option<TypeDescriptor>,
) -> DType {
    let is_f32 = |t: &TypeDescriptor| matches!(t, TypeDescriptor::Float(FloatSize::U4));
    let is_float = |t: &TypeDescriptor| matches!(t, TypeDescriptor::Float(_));
    let float_of = |t: &TypeDescriptor| if is_f32(t) { DType::F32 } else { DType::F64 };
    let int_size = match stored {
        TypeDescriptor::Integer(s) | TypeDescriptor::Unsigned(s) => Some(*s),
        _ => None,
    };
    if scale.is_some() || offset.is_some() {
        if let (Some(s), Some(o)) = (scale, offset)
            && s == o
            && is_float(s)
        {
            if int_size == Some(IntSize::U4) {
                return DType::F64;
            }
            return float_of(s);
        }
        if offset.is_some() {
            return DType::F64;
        }
        return match scale {
            Some(s) if is_float(s) => float_of(s),
            _ => DType::F64,
        };
    }
    match stored {
        TypeDescriptor::Float(FloatSize::U4) => DType::F32,
        TypeDescriptor::Integer(IntSize::U1 | IntSize::U2)
        | TypeDescriptor::Unsigned(IntSize::U1 | IntSize::U2) => DType::F32,
        _ => DType::F64,
    }
}

/// Reads a variable's CF attributes.
pub fn read_cf(path: &Path, variable: &str) -> Result<Cf, String> {
    let file = hdf5::File::open(path).map_err(|e| format!("cannot read {}: {e}", shown(path)))?;
    let ds = file
        .dataset(variable)
        .map_err(|_| format!("no variable \"{variable}\" in {}", shown(path)))?;
    let stored = ds
        .dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(|e| format!("cannot read the type of \"{variable}\": {e}"))?;
    let scale = attr_values(&ds, "scale_factor");
    let offset = attr_values(&ds, "add_offset");
    let mut missing = Vec::new();
    for name in ["_FillValue", "missing_value"] {
        if let Some((v, _)) = attr_values(&ds, name) {
            missing.extend(v);
        }
    }
    let mut valid = (
        attr_values(&ds, "valid_min").and_then(|v| v.0.first().copied()),
        attr_values(&ds, "valid_max").and_then(|v| v.0.first().copied()),
    );
    if let Some((v, _)) = attr_values(&ds, "valid_range")
        && v.len() == 2
    {
        valid = (Some(v[0]), Some(v[1]));
    }
    let out = choose_float(
        &stored,
        &scale.as_ref().map(|s| s.1.clone()),
        &offset.as_ref().map(|s| s.1.clone()),
    );
    Ok(Cf {
        scale: scale.and_then(|s| s.0.first().copied()),
        offset: offset.and_then(|s| s.0.first().copied()),
        missing,
        valid,
        out,
    })
}

/// A NetCDF variable decoded per the CF conventions, region by region.
#[derive(Debug)]
pub struct NetcdfSource {
    inner: super::hdf5::Hdf5Source,
    cf: Cf,
    describe: String,
}

impl NetcdfSource {
    /// Decodes `inner` with `cf`.
    pub fn new(
        inner: super::hdf5::Hdf5Source,
        cf: Cf,
        path: &Path,
        variable: &str,
    ) -> NetcdfSource {
        NetcdfSource {
            inner,
            cf,
            describe: format!("from_netcdf(\"{}\", \"{variable}\")", path.display()),
        }
    }
}

/// Decodes raw values per `cf` (see the module docs).
pub fn decode(raw: Data, cf: &Cf) -> Data {
    let a: ArrayD<f64> = match raw {
        Data::F64(a) => a,
        Data::F32(a) => a.mapv(f64::from),
        Data::I32(a) => a.mapv(f64::from),
        Data::I64(a) => a.mapv(|v| v as f64),
        Data::U8(a) => a.mapv(f64::from),
        Data::Bool(a) => a.mapv(|b| f64::from(u8::from(b))),
    };
    let scale = cf.scale.unwrap_or(1.0);
    let offset = cf.offset.unwrap_or(0.0);
    let (lo, hi) = cf.valid;
    let f = |v: f64| -> f64 {
        if cf
            .missing
            .iter()
            .any(|m| *m == v || (m.is_nan() && v.is_nan()))
            || lo.is_some_and(|l| v < l)
            || hi.is_some_and(|h| v > h)
        {
            return f64::NAN;
        }
        match (cf.scale, cf.offset) {
            (None, None) => v,
            _ => v * scale + offset,
        }
    };
    match cf.out {
        DType::F32 => {
            // In float32 as xarray computes: the raw value and the attributes as float32.
            let (s32, o32) = (scale as f32, offset as f32);
            Data::F32(a.mapv(|v| {
                let d = f(v);
                if d.is_nan() {
                    f32::NAN
                } else {
                    match (cf.scale, cf.offset) {
                        (None, None) => v as f32,
                        _ => v as f32 * s32 + o32,
                    }
                }
            }))
        }
        _ => Data::F64(a.mapv(f)),
    }
}

impl ArraySource for NetcdfSource {
    fn describe(&self) -> String {
        self.describe.clone()
    }

    fn read(&self, start: &[i64], step: &[i64], len: &[usize]) -> Result<Data, String> {
        Ok(decode(self.inner.read(start, step, len)?, &self.cf))
    }

    fn cache_bytes(&self, chunks: &[Vec<usize>], threads: usize, limit: usize) -> usize {
        self.inner.cache_bytes(chunks, threads, limit)
    }
}

unsafe extern "C" {
    /// libhdf5_hl: makes `dsid` a dimension scale named `name`.
    fn H5DSset_scale(dsid: i64, name: *const std::ffi::c_char) -> i32;
    /// libhdf5_hl: attaches scale `dsid` to axis `idx` of `did`.
    fn H5DSattach_scale(did: i64, dsid: i64, idx: u32) -> i32;
}

#[link(name = "hdf5_hl")]
unsafe extern "C" {}

/// Names the axes of the variable `var` in the file being written with `dims` of lengths
/// `shape`: each name is a dimension scale dataset (created when missing, as netCDF-C
/// writes a dimension without a coordinate variable) attached to its axis.
pub fn attach_dims(
    file: &hdf5::File,
    var: &hdf5::Dataset,
    dims: &[String],
    shape: &[usize],
) -> Result<(), String> {
    for (k, (d, &n)) in dims.iter().zip(shape).enumerate() {
        let scale = if file.link_exists(d) {
            let s = file.dataset(d).map_err(|e| e.to_string())?;
            if s.shape() != [n] {
                return Err(format!(
                    "dimension \"{d}\" has length {} in the file but {n} here",
                    s.shape().first().copied().unwrap_or(0)
                ));
            }
            s
        } else {
            let s = file
                .new_dataset::<f32>()
                .shape([n])
                .create(d.as_str())
                .map_err(|e| e.to_string())?;
            let name = std::ffi::CString::new(format!(
                "This is a netCDF dimension but not a netCDF variable.{n:10}"
            ))
            .map_err(|e| e.to_string())?;
            // Safety: `s` is an open dataset; the name is a NUL-terminated string; the
            // call runs under hdf5-metno's global lock.
            let rc = hdf5::sync::sync(|| unsafe { H5DSset_scale(s.id(), name.as_ptr()) });
            if rc < 0 {
                return Err(format!("cannot make \"{d}\" a dimension scale"));
            }
            s
        };
        // Safety: both are open datasets of this file; `k` is an axis of `var`.
        let rc = hdf5::sync::sync(|| unsafe { H5DSattach_scale(var.id(), scale.id(), k as u32) });
        if rc < 0 {
            return Err(format!("cannot attach dimension \"{d}\" to axis {k}"));
        }
    }
    Ok(())
}
