//! Zarr stores as xarray writes and opens them: a group whose arrays are variables, each
//! with dimension names (`_ARRAY_DIMENSIONS` in format 2, `dimension_names` in format 3),
//! and consolidated metadata (`.zmetadata` in format 2, `consolidated_metadata` inside the
//! root `zarr.json` in format 3), so `xr.open_zarr(path)` opens what `to_zarr(x, path,
//! variable=...)` writes.
//!
//! Writing a variable is atomic: into a new store, the whole store is built in a temporary
//! sibling folder and renamed into place; into an existing store, the variable is built in
//! a hidden temporary folder inside it, renamed over the variable's folder, and only then
//! is the consolidated metadata replaced (written beside and renamed). A store that fails
//! before that is left byte-identical.

use super::shown;
use serde_json::{Value as Json, json};
use std::path::Path;

/// The format of the group at `path` (2 or 3), `None` when nothing is there; an error when
/// something that is not a Zarr group is there.
pub fn group_format(path: &Path) -> Result<Option<u8>, String> {
    if !path.exists() {
        return Ok(None);
    }
    if !path.is_dir() {
        return Err(format!("{} exists and is not a Zarr store", shown(path)));
    }
    if path.join(".zgroup").is_file() {
        return Ok(Some(2));
    }
    if super::zarr::is_v3_group(path) {
        return Ok(Some(3));
    }
    if path.join(".zarray").is_file() || path.join("zarr.json").is_file() {
        return Err(format!(
            "{} is a Zarr array, not a group: a variable needs a group store (choose another path)",
            shown(path)
        ));
    }
    if std::fs::read_dir(path)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false)
    {
        return Ok(None);
    }
    Err(format!(
        "{} is a folder that is not a Zarr store (remove it or choose another path)",
        shown(path)
    ))
}

/// Writes a fresh group's own metadata into `folder`.
pub fn write_group(folder: &Path, format: u8) -> Result<(), String> {
    std::fs::create_dir_all(folder).map_err(|e| e.to_string())?;
    if format == 2 {
        std::fs::write(
            folder.join(".zgroup"),
            json!({"zarr_format": 2}).to_string(),
        )
        .and_then(|_| std::fs::write(folder.join(".zattrs"), "{}"))
        .map_err(|e| e.to_string())
    } else {
        std::fs::write(
            folder.join("zarr.json"),
            json!({"zarr_format": 3, "node_type": "group", "attributes": {}}).to_string(),
        )
        .map_err(|e| e.to_string())
    }
}

fn read_json(path: &Path) -> Option<Json> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// The dimension names and shape of every array directly in the group.
pub fn variables(store: &Path) -> Vec<(String, Vec<String>, Vec<usize>)> {
    let mut out = Vec::new();
    for name in super::zarr::group_arrays(store) {
        let dir = store.join(&name);
        let (meta, dims) = if let Some(m) = read_json(&dir.join(".zarray")) {
            let d =
                read_json(&dir.join(".zattrs")).and_then(|a| a.get("_ARRAY_DIMENSIONS").cloned());
            (m, d)
        } else if let Some(m) = read_json(&dir.join("zarr.json")) {
            let d = m.get("dimension_names").cloned();
            (m, d)
        } else {
            continue;
        };
        let shape: Vec<usize> = meta
            .get("shape")
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_u64().map(|v| v as usize))
                    .collect()
            })
            .unwrap_or_default();
        let dims: Vec<String> = dims
            .and_then(|d| d.as_array().cloned())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        out.push((name, dims, shape));
    }
    out
}

/// Checks that `dims` of lengths `shape` agree with the other variables of the store
/// (xarray needs one length per dimension name).
pub fn check_dims(
    store: &Path,
    variable: &str,
    dims: &[String],
    shape: &[usize],
) -> Result<(), String> {
    for (name, other_dims, other_shape) in variables(store) {
        if name == variable {
            continue;
        }
        for (d, n) in dims.iter().zip(shape) {
            if let Some(k) = other_dims.iter().position(|o| o == d)
                && other_shape.get(k).is_some_and(|m| m != n)
            {
                return Err(format!(
                    "dimension \"{d}\" has length {n} here but {} in variable \"{name}\" of {}; xarray needs one length per dimension (name the dimensions with dims=[...])",
                    other_shape[k],
                    shown(store)
                ));
            }
        }
    }
    Ok(())
}

/// Replaces `path`'s contents atomically (a sibling written, then renamed).
fn replace_file(path: &Path, text: &str) -> Result<(), String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.arr-tmp-{}", std::process::id()));
    std::fs::write(&tmp, text).map_err(|e| e.to_string())?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        e.to_string()
    })
}

/// Rewrites the store's consolidated metadata from what its folders hold.
pub fn consolidate(store: &Path, format: u8) -> Result<(), String> {
    if format == 2 {
        let mut meta = serde_json::Map::new();
        for key in [".zgroup", ".zattrs"] {
            if let Some(j) = read_json(&store.join(key)) {
                meta.insert(key.to_string(), j);
            }
        }
        for name in super::zarr::group_arrays(store) {
            for key in [".zarray", ".zattrs"] {
                if let Some(j) = read_json(&store.join(&name).join(key)) {
                    meta.insert(format!("{name}/{key}"), j);
                }
            }
        }
        let doc = json!({"metadata": meta, "zarr_consolidated_format": 1});
        return replace_file(&store.join(".zmetadata"), &doc.to_string());
    }
    let mut root = read_json(&store.join("zarr.json"))
        .unwrap_or_else(|| json!({"zarr_format": 3, "node_type": "group", "attributes": {}}));
    let mut arrays = serde_json::Map::new();
    for name in super::zarr::group_arrays(store) {
        if let Some(j) = read_json(&store.join(&name).join("zarr.json")) {
            arrays.insert(name, j);
        }
    }
    root["consolidated_metadata"] =
        json!({"kind": "inline", "must_understand": false, "metadata": arrays});
    replace_file(&store.join("zarr.json"), &root.to_string())
}
