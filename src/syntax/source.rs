//! Reading program text from files safely: only regular files are read (a FIFO, a device
//! such as `/dev/urandom` or a directory would block forever or never end), and text that is
//! not UTF-8 is reported with the line and column of its first bad byte.

use std::io::Read;
use std::path::Path;

/// Largest script or import read (the parser holds it whole).
pub const MAX_SOURCE_BYTES: u64 = 256 << 20;

/// The text of the program file at `path`, or why it cannot be read (the message names the
/// path; for invalid UTF-8, `path:line:col` of the first bad byte).
pub fn read_source(path: &Path) -> Result<String, String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    if !meta.is_file() {
        let kind = file_kind(&meta);
        return Err(format!(
            "cannot read {shown}: it is {kind}, not a regular file (scripts and imports must be files)"
        ));
    }
    if meta.len() > MAX_SOURCE_BYTES {
        return Err(format!(
            "cannot read {shown}: {} bytes is more than a program may have ({MAX_SOURCE_BYTES})",
            meta.len()
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_SOURCE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let bad = e.as_bytes()[good.len()];
        let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        // Columns count characters, as diagnostics do.
        let col = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
        format!("{shown}:{line}:{col}: the file is not valid UTF-8 (byte 0x{bad:02x})")
    })
}

fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if meta.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_files_and_bad_bytes() {
        let dir = std::env::temp_dir().join(format!("arr-source-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("bad.arr");
        std::fs::write(&f, b"x = 1\nprint(\"a\xffb\")\n").unwrap();
        let e = read_source(&f).unwrap_err();
        assert!(
            e.ends_with("bad.arr:2:9: the file is not valid UTF-8 (byte 0xff)"),
            "{e}"
        );
        assert!(read_source(&dir).unwrap_err().contains("a directory"));
        #[cfg(unix)]
        assert!(
            read_source(Path::new("/dev/urandom"))
                .unwrap_err()
                .contains("a device")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
