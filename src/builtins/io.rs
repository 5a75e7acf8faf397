//! Input/output builtins (LANGUAGE.md §11): `from_hdf5 to_hdf5 from_npy to_npy from_zarr
//! to_zarr glob` and the pictures `imshow plot hist`. The formats live in `src/io/`.
//!
//! Check mode reads only headers (a source's shape and dtype must be known to check the
//! script) and writes nothing; a file that an earlier store in the same script writes gets
//! an unknown shape there and is opened when the script runs.

use crate::builtins::{Args, Builtin, Group};
use crate::data::Data;
use crate::eval::{Evaluator, Flow, R};
use crate::graph::NodeRef;
use crate::graph::build;
use crate::graph::node::{ArraySource, Source};
use crate::io::{self, BlockSink, pictures};
use crate::sema::dtype::DType;
use crate::value::{Array, Value};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

/// Adds this group's builtins to the table.
pub fn register(t: &mut Vec<Builtin>) {
    let mut add = |name, params, doc, run| {
        t.push(Builtin {
            name,
            params,
            doc,
            group: Group::Host,
            run,
        })
    };
    add(
        "from_hdf5",
        "path, dataset, chunks=\"auto\"",
        "A lazy array over an HDF5 dataset (blocks follow its HDF5 chunks by default).",
        from_hdf5,
    );
    add(
        "to_hdf5",
        "x, path, dataset, chunks=none, compression=none, compression_opts=4",
        "Streams arrays (one, or a list with a list of names) into datasets of an HDF5 file.",
        to_hdf5,
    );
    add(
        "from_npy",
        "path, chunks=\"auto\"",
        "A lazy array over a memory-mapped NumPy .npy file.",
        from_npy,
    );
    add(
        "to_npy",
        "x, path",
        "Streams an array into a NumPy .npy file.",
        to_npy,
    );
    add(
        "from_zarr",
        "path, variable=none, chunks=\"auto\"",
        "A lazy array over a Zarr array on disk (format 2 or 3), or a variable of a Zarr group (xarray's stores).",
        from_zarr,
    );
    add(
        "to_zarr",
        "x, path, chunks=none, zarr_format=3, compression=\"zstd\", variable=none, dims=none",
        "Streams an array into a new Zarr array on disk, or into a variable of a Zarr group xarray opens.",
        to_zarr,
    );
    add(
        "from_netcdf",
        "path, variable, chunks=\"auto\", decode=true",
        "A lazy array over a NetCDF-4 variable, CF-decoded (scale_factor, add_offset, _FillValue/missing_value and valid_range -> nan) as xarray does.",
        from_netcdf,
    );
    add(
        "to_netcdf",
        "x, path, variable, dims=none, compression=\"gzip\"",
        "Streams an array into a variable of a NetCDF-4 file with named dimensions (xarray and netCDF4 open it).",
        to_netcdf,
    );
    add(
        "glob",
        "pattern",
        "The paths matching a shell pattern, sorted.",
        glob,
    );
    add(
        "imshow",
        "x, path=none, cmap=\"viridis\", vmin=none, vmax=none, width=none, height=none, title=none, colorbar=true",
        "Draws a 2-D array as a PNG picture through a colour map (`width` x `height` pixels for the array, default its own size up to 2048), with a colour bar labelled with the value range on its right (`colorbar=false` leaves it out) and an optional `title`. Each pixel averages the elements that fall in it; nan pixels are transparent. The array streams block by block, so it may be larger than memory.",
        imshow,
    );
    add(
        "plot",
        "y, path=none, width=800, height=500, title=none, xlabel=\"index\", ylabel=none",
        "Draws a line plot of a 1-D array against its index as a PNG picture, with axis labels and an optional title. Arrays longer than twice the width keep each pixel column's minimum and maximum, so peaks stay visible; the array streams block by block.",
        plot,
    );
    add(
        "hist",
        "x, bins=10, path=none, range=none, width=800, height=500, title=none, xlabel=\"value\", ylabel=\"count\"",
        "Draws a histogram of every element (nan skipped) in `bins` equal bins over `range` (default the data's minimum and maximum, one extra pass) as a PNG picture with labelled axes; returns the counts per bin, as NumPy's histogram counts.",
        hist,
    );
}

/// A required string argument.
fn required_string(args: &Args, name: &str) -> R<String> {
    match args.string(name)? {
        Some(s) => Ok(s),
        None => args.error(name, format!("`{}` needs `{name}`", args.name), "missing"),
    }
}

/// The lazy array of a file source: in check mode only its type; in run mode a node whose
/// blocks follow `native` (the file's own chunks) unless `chunks=` says otherwise.
fn source_value(
    interp: &Evaluator,
    args: &Args,
    make: impl FnOnce() -> Result<Arc<dyn ArraySource>, String>,
    dtype: DType,
    shape: Vec<usize>,
    native: Option<Vec<usize>>,
) -> R<Value> {
    let explicit = match args.value("chunks") {
        None => false,
        Some(Value::Str(s)) => &**s != "auto",
        Some(_) => true,
    };
    let chunks = if explicit {
        args.resolve_chunks(interp, "chunks", &shape, dtype)?
    } else {
        let target = interp.session.borrow().auto_chunk_bytes();
        io::aligned_grid(&shape, native.as_deref(), dtype.size(), target)
    };
    let dims = shape.iter().map(|&d| Some(d)).collect();
    let node = if interp.check {
        None
    } else {
        let src = make().or_else(|m| args.error("path", m, "cannot read"))?;
        // Room in the shared decoded-chunk cache for every thread's blocks.
        let (threads, limit) = {
            let s = interp.session.borrow();
            (s.exec.threads, s.exec.memory_limit)
        };
        io::chunked::reserve(src.cache_bytes(&chunks, threads, limit));
        Some(build::source(Source::External(src), dtype, shape, chunks))
    };
    Ok(Value::Array(Array {
        dtype,
        shape: dims,
        node,
    }))
}

/// Refuses a file whose storage chunks (each decoded whole) exceed the memory limit: a
/// chunk shape comes from the file, so a crafted or unusual one is an error naming the
/// path, never an allocation that aborts.
fn chunks_fit(
    interp: &Evaluator,
    args: &Args,
    path: &Path,
    chunk: &[usize],
    itemsize: usize,
) -> R<()> {
    let limit = interp.session.borrow().exec.memory_limit;
    let bytes = io::checked_bytes(chunk, itemsize).unwrap_or(usize::MAX);
    if bytes > limit {
        return args.error(
            "path",
            format!(
                "the storage chunks of {} ({chunk:?}, {} each, decoded whole) do not fit the memory limit of {}",
                io::shown(path),
                crate::units::human_bytes(bytes),
                crate::units::human_bytes(limit)
            ),
            "cannot read",
        );
    }
    Ok(())
}

/// In check mode, a source whose file an earlier store writes is not opened yet.
fn planned(interp: &Evaluator, path: &Path) -> R<()> {
    if interp.check && io::is_planned(&interp.io_env(), path) {
        return Err(Flow::Unknown);
    }
    Ok(())
}

fn from_hdf5(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let path = PathBuf::from(required_string(args, "path")?);
    let dataset = required_string(args, "dataset")?;
    planned(interp, &path)?;
    let info = match io::hdf5::inspect(&path, &dataset) {
        Ok(i) => i,
        Err(m) if m.starts_with("no dataset") => {
            return args.error("dataset", m, "not in the file");
        }
        Err(m) => return args.error("path", m, "cannot read"),
    };
    let (dtype, shape, native) = (info.dtype, info.shape.clone(), info.chunk.clone());
    if let (true, Some(c)) = (info.filtered, &native) {
        chunks_fit(interp, args, &path, c, dtype.size())?;
    }
    source_value(
        interp,
        args,
        || Ok(Arc::new(io::hdf5::Hdf5Source::new(&path, &dataset, info)) as Arc<dyn ArraySource>),
        dtype,
        shape,
        native,
    )
}

fn from_netcdf(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let path = PathBuf::from(required_string(args, "path")?);
    let variable = required_string(args, "variable")?;
    planned(interp, &path)?;
    let decode = args.flag("decode", true)?;
    let info = match io::hdf5::inspect(&path, &variable) {
        Ok(i) => i,
        Err(m) if m.starts_with("no dataset") => {
            return args.error(
                "variable",
                m.replacen("no dataset", "no variable", 1),
                "not in the file",
            );
        }
        Err(m) => return args.error("path", m, "cannot read"),
    };
    let cf = if decode {
        io::netcdf::read_cf(&path, &variable).or_else(|m| args.error("path", m, "cannot read"))?
    } else {
        io::netcdf::Cf::default()
    };
    let (shape, native) = (info.shape.clone(), info.chunk.clone());
    if let (true, Some(c)) = (info.filtered, &native) {
        chunks_fit(interp, args, &path, c, info.dtype.size())?;
    }
    if cf.is_identity() {
        let dtype = info.dtype;
        return source_value(
            interp,
            args,
            || {
                Ok(Arc::new(io::hdf5::Hdf5Source::new(&path, &variable, info))
                    as Arc<dyn ArraySource>)
            },
            dtype,
            shape,
            native,
        );
    }
    let dtype = cf.out;
    source_value(
        interp,
        args,
        || {
            let inner = io::hdf5::Hdf5Source::new(&path, &variable, info);
            Ok(
                Arc::new(io::netcdf::NetcdfSource::new(inner, cf, &path, &variable))
                    as Arc<dyn ArraySource>,
            )
        },
        dtype,
        shape,
        native,
    )
}

fn to_netcdf(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let path = store_path(interp, args, false)?;
    let variable = required_string(args, "variable")?;
    if variable.is_empty() || variable.contains('/') {
        return args.error(
            "variable",
            format!("\"{variable}\" is not a variable name"),
            "bad name",
        );
    }
    let compression = match args.string("compression")?.as_deref() {
        None | Some("gzip") => io::hdf5::Compression::Gzip(4),
        Some("none") => io::hdf5::Compression::None,
        Some(other) => {
            return args.error(
                "compression",
                format!("unknown NetCDF compression \"{other}\""),
                "use \"gzip\" or \"none\"",
            );
        }
    };
    let dims: Vec<String> = match args.value("dims") {
        None | Some(Value::None) => (0..x.shape.len()).map(|k| format!("dim_{k}")).collect(),
        Some(Value::List(items)) | Some(Value::Tuple(items)) => {
            let mut v = Vec::new();
            for item in items.iter() {
                match item {
                    Value::Str(s) if !s.is_empty() && !s.contains('/') => v.push(s.to_string()),
                    Value::Unknown(_) => return Err(Flow::Unknown),
                    other => {
                        return args.error(
                            "dims",
                            format!(
                                "dimension names are non-empty strings without '/', not {}",
                                other.type_name()
                            ),
                            "bad name",
                        );
                    }
                }
            }
            v
        }
        Some(other) => {
            return args.error(
                "dims",
                format!("dims= is a list of names, not {}", other.type_name()),
                "not a list",
            );
        }
    };
    if dims.len() != x.shape.len() {
        return args.error(
            "dims",
            format!(
                "{} dimension name(s) for a {}-d array",
                dims.len(),
                x.shape.len()
            ),
            "one name per axis",
        );
    }
    if let Some(i) = (0..dims.len()).find(|&i| dims[..i].contains(&dims[i]) || dims[i] == variable)
    {
        return args.error(
            "dims",
            format!(
                "dimension \"{}\" is named twice (or as the variable)",
                dims[i]
            ),
            "repeated",
        );
    }
    let Some(node) = store_node(interp, args, &x)? else {
        return Ok(Value::None);
    };
    let result = io::store_collectively(
        &interp.io_env(),
        std::slice::from_ref(&node),
        || -> Result<(), String> {
            let _interrupt = io::InterruptGuard::install(&interp.io_env());
            let mut w =
                io::hdf5::Writer::create(&path, &interp.io_env().cancel, io::hdf5::Existing::Copy)?;
            let block: Vec<usize> = node
                .chunks
                .iter()
                .map(|c| c.first().copied().unwrap_or(1))
                .collect();
            let target = io::hdf5::Target {
                name: variable.clone(),
                dtype: node.dtype,
                shape: node.shape.clone(),
                chunk: io::hdf5::chunk_for(&block, node.dtype.size()),
            };
            let ds = w.dataset(&target, compression)?;
            io::netcdf::attach_dims(w.file()?, &ds, &dims, &node.shape)
                .map_err(|e| format!("cannot write {}: {e}", io::shown(&path)))?;
            io::stream_store(
                &interp.io_env(),
                "to_netcdf",
                &node,
                BlockSink::InOrder(&mut |region, data| w.write_block(&ds, region, &data)),
            )
            .map_err(|e| e.to_string())?;
            drop(ds);
            w.commit(&interp.io_env().cancel)
        },
    );
    result.or_else(|m| failed(args, m))?;
    Ok(Value::None)
}

fn from_npy(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let path = PathBuf::from(required_string(args, "path")?);
    planned(interp, &path)?;
    let header = io::npy::read_header(&path).or_else(|m| args.error("path", m, "cannot read"))?;
    source_value(
        interp,
        args,
        || Ok(Arc::new(io::npy::NpySource::open(&path)?) as Arc<dyn ArraySource>),
        header.dtype(),
        header.shape.clone(),
        None,
    )
}

fn from_zarr(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let mut path = PathBuf::from(required_string(args, "path")?);
    planned(interp, &path)?;
    if let Some(v) = args.string("variable")? {
        path = path.join(v);
        planned(interp, &path)?;
    }
    let info = io::zarr::inspect(&path).or_else(|m| args.error("path", m, "cannot read"))?;
    if let Some(c) = &info.chunk {
        chunks_fit(interp, args, &path, c, info.dtype.size())?;
    }
    source_value(
        interp,
        args,
        || Ok(Arc::new(io::zarr::ZarrSource::open(&path)?) as Arc<dyn ArraySource>),
        info.dtype,
        info.shape.clone(),
        info.chunk.clone(),
    )
}

fn glob(_interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let pattern = required_string(args, "pattern")?;
    let paths = ::glob::glob(&pattern)
        .or_else(|e| args.error("pattern", format!("bad glob pattern: {e}"), "bad pattern"))?;
    let mut out: Vec<String> = Vec::new();
    for p in paths {
        match p {
            Ok(p) => out.push(p.to_string_lossy().into_owned()),
            Err(e) => {
                return args.error("pattern", format!("cannot list {e}"), "unreadable");
            }
        }
    }
    out.sort();
    Ok(Value::List(Rc::new(
        out.iter().map(|s| Value::str(s)).collect(),
    )))
}

/// The target path of a store: validated, and recorded in check mode.
fn store_path(interp: &Evaluator, args: &Args, is_dir: bool) -> R<PathBuf> {
    let path = PathBuf::from(required_string(args, "path")?);
    io::check_target(&path, is_dir).or_else(|m| args.error("path", m, "cannot write here"))?;
    if interp.check {
        io::plan_write(&interp.io_env(), &path);
    }
    Ok(path)
}

/// The array argument of a store (its node in run mode; `None` in check mode, and under
/// `arr explain`, which shows the plan of the store's computation instead of running it).
fn store_node(interp: &Evaluator, args: &Args, a: &Array) -> R<Option<NodeRef>> {
    if interp.check {
        return Ok(None);
    }
    let node = a.node.clone().ok_or(Flow::Unknown)?;
    if interp.explaining() {
        crate::builtins::host::explain_plan(interp, &node, args)?;
        return Ok(None);
    }
    Ok(Some(node))
}

/// A store's runtime failure, at the call.
fn failed<T>(args: &Args, message: String) -> R<T> {
    args.error("path", message, "while writing this")
}

fn to_npy(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let path = store_path(interp, args, false)?;
    let Some(node) = store_node(interp, args, &x)? else {
        return Ok(Value::None);
    };
    let result = io::store_collectively(
        &interp.io_env(),
        std::slice::from_ref(&node),
        || -> Result<(), String> {
            let _interrupt = io::InterruptGuard::install(&interp.io_env());
            let staged = io::atomic::Staged::new(&path)?;
            let w = io::npy::NpyWriter::create(staged.temp(), node.dtype, &node.shape)?;
            let shared = io::SharedTarget::Npy {
                file: staged.temp().to_path_buf(),
                dtype: node.dtype,
                shape: node.shape.clone(),
            };
            io::stream_store_each_rank(
                &interp.io_env(),
                "to_npy",
                &node,
                &shared,
                &|region, data| w.write_block(region, &data),
            )
            .map_err(|e| e.to_string())?;
            w.finish()?;
            staged.commit()
        },
    );
    result.or_else(|m| failed(args, m))?;
    Ok(Value::None)
}

/// The arrays and dataset names of `to_hdf5`: one array and one name, or lists of each.
fn hdf5_targets(args: &Args) -> R<Vec<(Array, String)>> {
    let arrays: Vec<Array> = match args.value("x") {
        Some(Value::List(items)) | Some(Value::Tuple(items)) => {
            let mut v = Vec::new();
            for item in items.iter() {
                match item {
                    Value::Array(a) => v.push(a.clone()),
                    Value::Unknown(_) => return Err(Flow::Unknown),
                    other => {
                        return args.error(
                            "x",
                            format!("to_hdf5 stores arrays, not {}", other.type_name()),
                            "not an array",
                        );
                    }
                }
            }
            v
        }
        _ => vec![args.array("x")?],
    };
    let names: Vec<String> = match args.value("dataset") {
        Some(Value::List(items)) | Some(Value::Tuple(items)) => {
            let mut v = Vec::new();
            for item in items.iter() {
                match item {
                    Value::Str(s) => v.push(s.to_string()),
                    Value::Unknown(_) => return Err(Flow::Unknown),
                    other => {
                        return args.error(
                            "dataset",
                            format!("dataset names are strings, not {}", other.type_name()),
                            "not a string",
                        );
                    }
                }
            }
            v
        }
        _ => vec![required_string(args, "dataset")?],
    };
    if names.len() != arrays.len() {
        return args.error(
            "dataset",
            format!(
                "to_hdf5 got {} array(s) but {} dataset name(s)",
                arrays.len(),
                names.len()
            ),
            "one name per array",
        );
    }
    for (i, n) in names.iter().enumerate() {
        if n.is_empty() || n.trim_matches('/').is_empty() {
            return args.error(
                "dataset",
                "a dataset needs a name like \"/t2m\"",
                "empty name",
            );
        }
        if names[..i].contains(n) {
            return args.error(
                "dataset",
                format!("dataset \"{n}\" is named twice"),
                "repeated",
            );
        }
    }
    Ok(arrays.into_iter().zip(names).collect())
}

fn to_hdf5(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let targets = hdf5_targets(args)?;
    let path = store_path(interp, args, false)?;
    let compression = match args.string("compression")?.as_deref() {
        None | Some("none") => io::hdf5::Compression::None,
        Some("gzip") => {
            let level = args.int_or("compression_opts", 4)?;
            if !(0..=9).contains(&level) {
                return args.error(
                    "compression_opts",
                    format!("gzip levels are 0 to 9, not {level}"),
                    "bad level",
                );
            }
            io::hdf5::Compression::Gzip(level as u8)
        }
        Some(other) => {
            return args.error(
                "compression",
                format!("unknown HDF5 compression \"{other}\""),
                "use \"gzip\" or none",
            );
        }
    };
    let grid_spec = args.get("chunks").is_some();
    if interp.check {
        for (a, _) in &targets {
            if grid_spec && let Some(shape) = a.known_shape() {
                args.resolve_chunks(interp, "chunks", &shape, a.dtype)?;
            }
        }
        return Ok(Value::None);
    }
    let mut nodes = Vec::new();
    let mut explained = false;
    for (a, name) in &targets {
        let Some(mut node) = store_node(interp, args, a)? else {
            explained = true;
            continue;
        };
        if grid_spec {
            let grid = args.resolve_chunks(interp, "chunks", &node.shape, node.dtype)?;
            node = build::rechunk(node, grid);
        }
        nodes.push((node, name.clone()));
    }
    if explained {
        return Ok(Value::None);
    }
    let hdf5_nodes: Vec<NodeRef> = nodes.iter().map(|(n, _)| n.clone()).collect();
    let result = io::store_collectively(&interp.io_env(), &hdf5_nodes, || -> Result<(), String> {
        let _interrupt = io::InterruptGuard::install(&interp.io_env());
        let mut w = io::hdf5::Writer::create(
            &path,
            &interp.io_env().cancel,
            io::hdf5::Existing::AddDatasets,
        )?;
        for (node, name) in &nodes {
            let block: Vec<usize> = node
                .chunks
                .iter()
                .map(|c| c.first().copied().unwrap_or(1))
                .collect();
            let target = io::hdf5::Target {
                name: name.clone(),
                dtype: node.dtype,
                shape: node.shape.clone(),
                chunk: io::hdf5::chunk_for(&block, node.dtype.size()),
            };
            let ds = w.dataset(&target, compression)?;
            io::stream_store(
                &interp.io_env(),
                "to_hdf5",
                node,
                BlockSink::InOrder(&mut |region, data| w.write_block(&ds, region, &data)),
            )
            .map_err(|e| e.to_string())?;
        }
        w.commit(&interp.io_env().cancel)
    });
    result.or_else(|m| failed(args, m))?;
    Ok(Value::None)
}

fn to_zarr(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let path = store_path(interp, args, true)?;
    let format = args.int_or("zarr_format", 3)?;
    if format != 2 && format != 3 {
        return args.error(
            "zarr_format",
            format!("Zarr formats are 2 and 3, not {format}"),
            "bad format",
        );
    }
    let compression = match args.string("compression")?.as_deref() {
        Some("none") => io::zarr::Compression::None,
        None | Some("zstd") => io::zarr::Compression::Zstd,
        Some("gzip") => io::zarr::Compression::Gzip,
        Some("zlib") => io::zarr::Compression::Zlib,
        Some("blosc") => io::zarr::Compression::Blosc("lz4".into()),
        Some(b)
            if b.strip_prefix("blosc-")
                .is_some_and(|c| io::codecs::BLOSC_CNAMES.contains(&c)) =>
        {
            io::zarr::Compression::Blosc(b["blosc-".len()..].to_string())
        }
        Some(other) => {
            return args.error(
                "compression",
                format!("unknown Zarr compression \"{other}\""),
                "use \"zstd\", \"gzip\", \"zlib\", \"blosc\" (lz4 inside), \"blosc-zstd\", \"blosc-zlib\", \"blosc-blosclz\", \"blosc-lz4hc\" or \"none\"",
            );
        }
    };
    let variable = args.string("variable")?;
    if let Some(v) = &variable
        && (v.is_empty() || v.starts_with('.') || v.contains(['/', '\\']))
    {
        return args.error(
            "variable",
            format!("\"{v}\" is not a variable name (no slashes, not starting with a dot)"),
            "bad name",
        );
    }
    let dims: Option<Vec<String>> = match args.value("dims") {
        None | Some(Value::None) => None,
        Some(Value::List(items)) | Some(Value::Tuple(items)) => {
            let mut v = Vec::new();
            for item in items.iter() {
                match item {
                    Value::Str(s) => v.push(s.to_string()),
                    Value::Unknown(_) => return Err(Flow::Unknown),
                    other => {
                        return args.error(
                            "dims",
                            format!("dimension names are strings, not {}", other.type_name()),
                            "not a string",
                        );
                    }
                }
            }
            Some(v)
        }
        Some(other) => {
            return args.error(
                "dims",
                format!("dims= is a list of names, not {}", other.type_name()),
                "not a list",
            );
        }
    };
    if let Some(d) = &dims {
        if x.shape.len() != d.len() {
            return args.error(
                "dims",
                format!(
                    "{} dimension name(s) for a {}-d array",
                    d.len(),
                    x.shape.len()
                ),
                "one name per axis",
            );
        }
        if let Some(i) = (0..d.len()).find(|&i| d[..i].contains(&d[i])) {
            return args.error(
                "dims",
                format!("dimension \"{}\" is named twice", d[i]),
                "repeated",
            );
        }
    }
    if interp.check {
        if args.get("chunks").is_some()
            && let Some(shape) = x.known_shape()
        {
            args.resolve_chunks(interp, "chunks", &shape, x.dtype)?;
        }
        return Ok(Value::None);
    }
    let Some(mut node) = store_node(interp, args, &x)? else {
        return Ok(Value::None);
    };
    if args.get("chunks").is_some() {
        let grid = args.resolve_chunks(interp, "chunks", &node.shape, node.dtype)?;
        node = build::rechunk(node, grid);
    }
    let chunk: Vec<usize> = node
        .chunks
        .iter()
        .map(|c| c.first().copied().unwrap_or(1).max(1))
        .collect();
    if let Some(variable) = variable {
        let explicit_format = args.get("zarr_format").is_some();
        let result = io::store_collectively(&interp.io_env(), std::slice::from_ref(&node), || {
            to_zarr_variable(
                interp,
                &node,
                &path,
                &variable,
                dims,
                &chunk,
                (format as u8, explicit_format),
                &compression,
            )
        });
        result.or_else(|m| failed(args, m))?;
        return Ok(Value::None);
    }
    let result = io::store_collectively(
        &interp.io_env(),
        std::slice::from_ref(&node),
        || -> Result<(), String> {
            let _interrupt = io::InterruptGuard::install(&interp.io_env());
            let mut w = io::zarr::ZarrWriter::create(
                &path,
                node.dtype,
                &node.shape,
                &chunk,
                format as u8,
                compression,
            )?;
            if let Some(d) = &dims {
                w.set_dims(d)?;
            }
            io::zarr::stream_into(&interp.io_env(), &node, &w).map_err(|e| e.to_string())?;
            w.commit()
        },
    );
    result.or_else(|m| failed(args, m))?;
    Ok(Value::None)
}

/// `to_zarr(x, store, variable=...)`: the variable written into a new or existing group
/// store that xarray opens (see `io::zarr_group`), atomically.
#[allow(clippy::too_many_arguments)]
fn to_zarr_variable(
    interp: &Evaluator,
    node: &NodeRef,
    store: &Path,
    variable: &str,
    dims: Option<Vec<String>>,
    chunk: &[usize],
    (format, explicit_format): (u8, bool),
    compression: &io::zarr::Compression,
) -> Result<(), String> {
    use io::zarr_group;
    let existing = zarr_group::group_format(store)?;
    let format = match existing {
        Some(f) if explicit_format && f != format => {
            return Err(format!(
                "{} is a Zarr format {f} store; cannot add a format {format} variable",
                io::shown(store)
            ));
        }
        Some(f) => f,
        None => format,
    };
    let dims = dims.unwrap_or_else(|| (0..node.shape.len()).map(|k| format!("dim_{k}")).collect());
    let naming = io::zarr::Naming {
        dims: Some(dims.clone()),
        xarray: true,
    };
    let _interrupt = io::InterruptGuard::install(&interp.io_env());
    let stream = |folder: &Path| -> Result<(), String> {
        let w = io::zarr::ZarrWriter::create_at(
            folder,
            store,
            node.dtype,
            &node.shape,
            chunk,
            format,
            compression,
            &naming,
        )?;
        io::zarr::stream_into(&interp.io_env(), node, &w).map_err(|e| e.to_string())?;
        w.commit()
    };
    let fail = |e: String| format!("cannot write Zarr store {}: {e}", io::shown(store));
    match existing {
        None => {
            // A new store is built whole beside its place and renamed into it.
            let staged = io::atomic::Staged::new_dir(store)?;
            zarr_group::write_group(staged.temp(), format).map_err(fail)?;
            stream(&staged.temp().join(variable))?;
            zarr_group::consolidate(staged.temp(), format).map_err(fail)?;
            staged.commit()
        }
        Some(_) => {
            zarr_group::check_dims(store, variable, &dims, &node.shape)?;
            let staged = io::atomic::Staged::new_dir(&store.join(variable))?;
            stream(staged.temp())?;
            staged.commit()?;
            zarr_group::consolidate(store, format).map_err(fail)
        }
    }
}

/// A picture size argument (1 to 16384 pixels).
fn pixels(args: &Args, name: &str) -> R<Option<usize>> {
    match args.int(name)? {
        None => Ok(None),
        Some(v) if (1..=16384).contains(&v) => Ok(Some(v as usize)),
        Some(v) => args.error(
            name,
            format!("`{name}` must be 1 to 16384 pixels, not {v}"),
            "bad size",
        ),
    }
}

/// The `path=` of a picture.
fn picture_path(interp: &Evaluator, args: &Args) -> R<PathBuf> {
    if args.get("path").is_none() {
        return args.error(
            "path",
            format!("`{}` needs `path=` for the PNG file", args.name),
            "missing path=",
        );
    }
    store_path(interp, args, false)
}

fn imshow(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    if x.shape.len() != 2 {
        return args.error(
            "x",
            format!("imshow needs a 2-D array, got {}", x.type_text()),
            "not 2-D",
        );
    }
    let path = picture_path(interp, args)?;
    let cmap_name = args.string("cmap")?.unwrap_or_else(|| "viridis".into());
    let Some(cmap) = pictures::ColorMap::by_name(&cmap_name) else {
        return args.error(
            "cmap",
            format!(
                "unknown colour map \"{cmap_name}\"; known: {} (add _r to reverse)",
                pictures::COLORMAPS.join(", ")
            ),
            "unknown colour map",
        );
    };
    let vmin = args.float("vmin")?;
    let vmax = args.float("vmax")?;
    let (width, height) = (pixels(args, "width")?, pixels(args, "height")?);
    let Some(node) = store_node(interp, args, &x)? else {
        return Ok(Value::None);
    };
    let (width, height) = pictures::picture_size(node.shape[0], node.shape[1], width, height);
    let opts = pictures::ImshowOptions {
        path: &path,
        cmap,
        vmin,
        vmax,
        width,
        height,
        title: args.string("title")?,
        colorbar: args.flag("colorbar", true)?,
    };
    let _interrupt = io::InterruptGuard::install(&interp.io_env());
    io::store_collectively(&interp.io_env(), &[], || {
        pictures::imshow(&interp.io_env(), &node, &opts)
    })
    .or_else(|m| failed(args, m))?;
    Ok(Value::None)
}

/// `plot`'s and `hist`'s options; `labels` are the axis labels used when none are given.
fn chart_options<'a>(
    args: &Args,
    path: &'a Path,
    labels: (Option<&str>, Option<&str>),
) -> R<pictures::ChartOptions<'a>> {
    Ok(pictures::ChartOptions {
        path,
        width: pixels(args, "width")?.unwrap_or(800),
        height: pixels(args, "height")?.unwrap_or(500),
        title: args.string("title")?,
        xlabel: args.string("xlabel")?.or(labels.0.map(str::to_string)),
        ylabel: args.string("ylabel")?.or(labels.1.map(str::to_string)),
    })
}

fn plot(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let y = args.array("y")?;
    if y.shape.len() != 1 {
        return args.error(
            "y",
            format!("plot needs a 1-D array, got {}", y.type_text()),
            "not 1-D",
        );
    }
    let path = picture_path(interp, args)?;
    let opts = chart_options(args, &path, (Some("index"), None))?;
    let Some(node) = store_node(interp, args, &y)? else {
        return Ok(Value::None);
    };
    let _interrupt = io::InterruptGuard::install(&interp.io_env());
    io::store_collectively(&interp.io_env(), &[], || {
        pictures::plot(&interp.io_env(), &node, &opts)
    })
    .or_else(|m| failed(args, m))?;
    Ok(Value::None)
}

fn hist(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let bins = args.int_or("bins", 10)?;
    if !(1..=100_000).contains(&bins) {
        return args.error(
            "bins",
            format!("`bins` must be 1 to 100000, not {bins}"),
            "bad bin count",
        );
    }
    let range = match args.value("range") {
        None => None,
        Some(v) => {
            let pair = match v {
                Value::List(items) | Value::Tuple(items) if items.len() == 2 => {
                    match (&items[0], &items[1]) {
                        (Value::Num(a), Value::Num(b)) => Some((a.as_f64(), b.as_f64())),
                        _ => None,
                    }
                }
                Value::Unknown(_) => return Err(Flow::Unknown),
                _ => None,
            };
            match pair {
                Some((a, b)) if a < b && a.is_finite() && b.is_finite() => Some((a, b)),
                _ => {
                    return args.error(
                        "range",
                        "`range` must be (low, high) with low < high",
                        "bad range",
                    );
                }
            }
        }
    };
    let path = picture_path(interp, args)?;
    let opts = chart_options(args, &path, (Some("value"), Some("count")))?;
    let Some(node) = store_node(interp, args, &x)? else {
        if interp.explaining() {
            return Ok(Value::Unknown(crate::value::Hint::Any));
        }
        return Ok(Value::Array(Array {
            dtype: DType::I64,
            shape: vec![Some(bins as usize)],
            node: None,
        }));
    };
    let _interrupt = io::InterruptGuard::install(&interp.io_env());
    let counts = io::store_collectively(&interp.io_env(), &[], || {
        pictures::hist(&interp.io_env(), &node, bins as usize, range, &opts)
    })
    .or_else(|m| failed(args, m))?;
    let n = counts.len();
    let data = Data::I64(
        ndarray::ArrayD::from_shape_vec(
            ndarray::IxDyn(&[n]),
            counts.into_iter().map(|c| c as i64).collect(),
        )
        .map_err(|e| {
            Flow::Error(Box::new(crate::syntax::diag::Diagnostic::error(
                e.to_string(),
                args.span,
            )))
        })?,
    );
    Ok(Value::Array(Array {
        dtype: DType::I64,
        shape: vec![Some(n)],
        node: Some(crate::exec::data_node(data, vec![vec![n]])),
    }))
}
