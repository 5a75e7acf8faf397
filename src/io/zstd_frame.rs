//! One zstd frame from one whole buffer, streamed to a writer without copying the buffer.
//!
//! zstd's streaming API copies its input into the compressor's own window before matching
//! (7 % of W6's CPU); with the experimental `ZSTD_c_stableInBuffer` parameter it matches in the
//! caller's buffer instead, which must then stay where it is, unchanged, until the frame ends.
//! The `zstd` crate's safe API refuses that parameter (it cannot promise the buffer stays), so
//! this file drives the C library through `zstd-sys` directly: the whole input is one borrowed
//! slice for the whole frame, which is exactly the promise the parameter asks for. The output
//! goes out through a small buffer, so no compressed copy of the chunk is held.

use std::io::Write;
use zstd_sys as z;

/// How much compressed output is handed to the writer at a time.
const OUT_PIECE: usize = 1 << 18;

/// A compression context, freed on drop.
struct Context(*mut z::ZSTD_CCtx);

impl Drop for Context {
    fn drop(&mut self) {
        // Safety: the pointer came from `ZSTD_createCCtx` and is freed once, here.
        unsafe {
            z::ZSTD_freeCCtx(self.0);
        }
    }
}

/// zstd's message for the result code `code`, if it is an error.
fn check(code: usize) -> Result<usize, String> {
    // Safety: plain calls on a result code; the name is a static C string.
    unsafe {
        if z::ZSTD_isError(code) != 0 {
            let name = std::ffi::CStr::from_ptr(z::ZSTD_getErrorName(code));
            return Err(format!("zstd: {}", name.to_string_lossy()));
        }
    }
    Ok(code)
}

/// Writes `src` to `out` as one zstd frame at `level`, with the content size in its header
/// (as zarrs and numcodecs write it) and a checksum when `checksum` is set.
pub fn write_frame(
    out: &mut impl Write,
    src: &[u8],
    level: i32,
    checksum: bool,
) -> Result<(), String> {
    // A context per frame, as the streaming encoder had: one kept per thread sat in the
    // middle of the thread's malloc arena and kept ~30 MB of freed blocks from going back
    // to the system (W6's peak RSS 144 -> 203 MiB).
    // Safety: creates a context this function owns (freed by `Context::drop`).
    let context = Context(unsafe { z::ZSTD_createCCtx() });
    if context.0.is_null() {
        return Err("zstd: cannot allocate a compression context".into());
    }
    let mut piece = vec![0u8; OUT_PIECE];
    frame(context.0, &mut piece, out, src, level, checksum)
}

/// The body of `write_frame` on the new context `cctx`, its output through `piece`.
fn frame(
    cctx: *mut z::ZSTD_CCtx,
    piece: &mut [u8],
    out: &mut impl Write,
    src: &[u8],
    level: i32,
    checksum: bool,
) -> Result<(), String> {
    use z::ZSTD_cParameter::*;
    // Safety: `cctx` is a live context. The input buffer points into `src`,
    // which is borrowed, unmoved and unchanged for the whole frame (every call below), as
    // `ZSTD_c_stableInBuffer` requires; the output buffer points into `piece`, which is
    // written out and reused only between calls.
    unsafe {
        check(z::ZSTD_CCtx_setParameter(
            cctx,
            ZSTD_c_compressionLevel,
            level,
        ))?;
        check(z::ZSTD_CCtx_setParameter(
            cctx,
            ZSTD_c_checksumFlag,
            i32::from(checksum),
        ))?;
        check(z::ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1))?;
        // ZSTD_c_stableInBuffer.
        check(z::ZSTD_CCtx_setParameter(
            cctx,
            ZSTD_c_experimentalParam9,
            1,
        ))?;
        check(z::ZSTD_CCtx_setPledgedSrcSize(cctx, src.len() as u64))?;
        let mut input = z::ZSTD_inBuffer {
            src: src.as_ptr().cast(),
            size: src.len(),
            pos: 0,
        };
        loop {
            let mut output = z::ZSTD_outBuffer {
                dst: piece.as_mut_ptr().cast(),
                size: piece.len(),
                pos: 0,
            };
            let left = check(z::ZSTD_compressStream2(
                cctx,
                &mut output,
                &mut input,
                z::ZSTD_EndDirective::ZSTD_e_end,
            ))?;
            out.write_all(&piece[..output.pos])
                .map_err(|e| e.to_string())?;
            if left == 0 {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_decode_to_their_input_with_size_and_checksum() {
        // Sizes around the output piece and zstd's block size, compressible and not.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let noise: Vec<u8> = (0..3 * OUT_PIECE + 17)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let ramp: Vec<u8> = (0..5_000_000u32).map(|i| (i / 1000) as u8).collect();
        for (src, checksum) in [
            (&noise[..], false),
            (&noise[..1], true),
            (&noise[..0], false),
            (&ramp[..], true),
            (&noise[..OUT_PIECE], true),
        ] {
            let mut framed = Vec::new();
            write_frame(&mut framed, src, 1, checksum).unwrap();
            let size = zstd::zstd_safe::get_frame_content_size(&framed).unwrap();
            assert_eq!(size, Some(src.len() as u64));
            assert_eq!(zstd::stream::decode_all(&framed[..]).unwrap(), src);
            // The checksum flag is bit 2 of the frame header descriptor (after the magic).
            assert_eq!(framed[4] & 0b100 != 0, checksum);
        }
        // The ramp compresses: the matcher ran on the caller's buffer.
        let mut framed = Vec::new();
        write_frame(&mut framed, &ramp, 1, false).unwrap();
        assert!(framed.len() < ramp.len() / 20, "{}", framed.len());
    }
}
