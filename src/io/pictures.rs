//! Pictures to PNG: `imshow` (a 2-D array through a colour map), `plot` (a line plot) and
//! `hist` (a histogram), drawn with plotters and encoded with the png crate. Arrays larger
//! than the picture are reduced while they stream block by block: `imshow` averages the
//! elements falling in each pixel, `plot` keeps each pixel column's minimum and maximum, and
//! `hist` counts; so memory stays at the picture's size whatever the array's size.
//! Colour maps come from colorous (d3's tables of matplotlib's and ColorBrewer's maps).
//! `imshow` adds a colour bar with the value range and an optional title around the
//! picture; `plot` and `hist` label their axes. Text needs a system font (`fonts`).

use super::shown;
use crate::data::Data;
use crate::exec::region::Region;
use crate::graph::NodeRef;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// The largest side of a picture whose size is not given.
pub const MAX_SIDE: usize = 2048;

/// A colour map: a function from [0, 1] to RGB.
#[derive(Clone, Copy)]
pub struct ColorMap {
    kind: MapKind,
    reversed: bool,
}

#[derive(Clone, Copy)]
enum MapKind {
    Gray,
    Gradient(colorous::Gradient),
}

/// The colour maps by name (each also as NAME_r, reversed).
pub const COLORMAPS: &[&str] = &[
    "viridis", "magma", "inferno", "plasma", "cividis", "turbo", "gray", "Greys", "Blues",
    "Greens", "Oranges", "Reds", "Purples", "RdBu", "RdYlBu", "RdYlGn", "Spectral", "PiYG", "PRGn",
    "BrBG", "PuOr", "RdGy",
];

impl ColorMap {
    /// The map called `name` (matplotlib's names).
    pub fn by_name(name: &str) -> Option<ColorMap> {
        let (base, reversed) = match name.strip_suffix("_r") {
            Some(b) => (b, true),
            None => (name, false),
        };
        let g = match base {
            "gray" | "grey" => {
                return Some(ColorMap {
                    kind: MapKind::Gray,
                    reversed,
                });
            }
            "viridis" => colorous::VIRIDIS,
            "magma" => colorous::MAGMA,
            "inferno" => colorous::INFERNO,
            "plasma" => colorous::PLASMA,
            "cividis" => colorous::CIVIDIS,
            "turbo" => colorous::TURBO,
            "Greys" => colorous::GREYS,
            "Blues" => colorous::BLUES,
            "Greens" => colorous::GREENS,
            "Oranges" => colorous::ORANGES,
            "Reds" => colorous::REDS,
            "Purples" => colorous::PURPLES,
            "RdBu" => colorous::RED_BLUE,
            "RdYlBu" => colorous::RED_YELLOW_BLUE,
            "RdYlGn" => colorous::RED_YELLOW_GREEN,
            "Spectral" => colorous::SPECTRAL,
            "PiYG" => colorous::PINK_GREEN,
            "PRGn" => colorous::PURPLE_GREEN,
            "BrBG" => colorous::BROWN_GREEN,
            "PuOr" => colorous::PURPLE_ORANGE,
            "RdGy" => colorous::RED_GREY,
            _ => return None,
        };
        Some(ColorMap {
            kind: MapKind::Gradient(g),
            reversed,
        })
    }

    /// The colour at `t` in [0, 1] (clamped).
    pub fn at(&self, t: f64) -> [u8; 3] {
        let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
        let t = if self.reversed { 1.0 - t } else { t };
        match self.kind {
            MapKind::Gray => {
                let v = (t * 255.0).round() as u8;
                [v, v, v]
            }
            MapKind::Gradient(g) => {
                let c = g.eval_continuous(t);
                [c.r, c.g, c.b]
            }
        }
    }
}

/// Streams `node`'s blocks through `f` (with the progress bar and Ctrl-C handling).
fn stream(
    session: &super::Env,
    what: &str,
    node: &NodeRef,
    f: &mut (dyn FnMut(&Region, Data) -> Result<(), String> + Send),
) -> Result<(), String> {
    super::stream_store(session, what, node, super::BlockSink::InOrder(f))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The error of a store or picture stopped by Ctrl-C (as the executor words it).
const CANCELLED: &str = "computation cancelled";

/// Fails with "computation cancelled" once `cancel` is set: every long loop of a picture
/// (colouring, decorating, encoding) asks between rows, so Ctrl-C is honoured in every
/// phase, not only while the array streams.
fn check_cancel(cancel: &AtomicBool) -> Result<(), String> {
    if cancel.load(Ordering::Relaxed) {
        return Err(CANCELLED.into());
    }
    Ok(())
}

/// Rows encoded between two looks at the cancel flag.
const ROWS_PER_CHECK: usize = 64;

/// Encodes an 8-bit RGB or RGBA image as PNG into `path` (atomically), a few rows at a
/// time so that Ctrl-C (`cancel`) stops it; the temporary file is removed then.
pub fn write_png(
    path: &Path,
    width: usize,
    height: usize,
    pixels: &[u8],
    rgba: bool,
    cancel: &AtomicBool,
) -> Result<(), String> {
    use std::io::Write;
    let staged = super::atomic::Staged::new(path)?;
    let fail = |e: String| format!("cannot write {}: {e}", shown(path));
    let file = std::fs::File::create(staged.temp()).map_err(|e| fail(e.to_string()))?;
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), width as u32, height as u32);
    enc.set_color(if rgba {
        png::ColorType::Rgba
    } else {
        png::ColorType::Rgb
    });
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().map_err(|e| fail(e.to_string()))?;
    {
        let mut stream = w.stream_writer().map_err(|e| fail(e.to_string()))?;
        let row = width * if rgba { 4 } else { 3 };
        for rows in pixels.chunks((row * ROWS_PER_CHECK).max(1)) {
            check_cancel(cancel)?;
            stream.write_all(rows).map_err(|e| fail(e.to_string()))?;
        }
        check_cancel(cancel)?;
        stream.finish().map_err(|e| fail(e.to_string()))?;
    }
    check_cancel(cancel)?;
    staged.commit()
}

/// Refuses a picture whose buffers (about `bytes_per_pixel` per pixel of the `width` x
/// `height` canvas, plus `extra` bytes) would not fit the memory limit, before anything is
/// allocated.
fn check_picture_memory(
    session: &super::Env,
    what: &str,
    (width, height): (usize, usize),
    bytes_per_pixel: usize,
    extra: usize,
) -> Result<(), String> {
    let bytes = width
        .checked_mul(height)
        .and_then(|p| p.checked_mul(bytes_per_pixel))
        .and_then(|b| b.checked_add(extra))
        .unwrap_or(usize::MAX);
    let limit = session.exec.memory_limit;
    if bytes > limit {
        return Err(format!(
            "{what} of {width} x {height} pixels needs about {} of memory, over the memory limit of {} (ask for a smaller width= and height=, or raise --memory-limit)",
            crate::units::human_bytes(bytes),
            crate::units::human_bytes(limit)
        ));
    }
    Ok(())
}

/// The bucket of index `i` of `n` when `n` indices are spread over `buckets` (computed
/// on the fly: no table the size of the array).
fn bucket(i: usize, buckets: usize, n: usize) -> usize {
    match i.checked_mul(buckets) {
        Some(p) => p / n.max(1),
        None => ((i as u128 * buckets as u128) / n.max(1) as u128) as usize,
    }
}

/// The picture size for an array of `rows` x `cols`: as asked, or the array's own size with
/// the longer side at most `MAX_SIDE` (one side given keeps the aspect ratio).
pub fn picture_size(
    rows: usize,
    cols: usize,
    width: Option<usize>,
    height: Option<usize>,
) -> (usize, usize) {
    let (rows, cols) = (rows.max(1), cols.max(1));
    match (width, height) {
        (Some(w), Some(h)) => (w, h),
        (Some(w), None) => (
            w,
            ((w * rows) as f64 / cols as f64).round().max(1.0) as usize,
        ),
        (None, Some(h)) => (
            ((h * cols) as f64 / rows as f64).round().max(1.0) as usize,
            h,
        ),
        (None, None) => {
            let scale = (MAX_SIDE as f64 / rows.max(cols) as f64).min(1.0);
            (
                ((cols as f64 * scale).round() as usize).max(1),
                ((rows as f64 * scale).round() as usize).max(1),
            )
        }
    }
}

/// Options of `imshow`.
pub struct ImshowOptions<'a> {
    /// Where to write.
    pub path: &'a Path,
    /// The colour map.
    pub cmap: ColorMap,
    /// The value at the bottom of the map (default: the smallest shown).
    pub vmin: Option<f64>,
    /// The value at the top of the map (default: the largest shown).
    pub vmax: Option<f64>,
    /// Picture width in pixels.
    pub width: usize,
    /// Picture height in pixels.
    pub height: usize,
    /// A title above the picture.
    pub title: Option<String>,
    /// Whether a colour bar with the value range is drawn to the right of the picture.
    pub colorbar: bool,
}

/// Layout of `imshow`'s decorations, in pixels.
pub mod layout {
    /// Blank border around everything.
    pub const MARGIN: usize = 10;
    /// Height of the title band (only with `title=`).
    pub const TITLE: usize = 30;
    /// Gap between the picture and the colour bar.
    pub const GAP: usize = 16;
    /// Width of the colour bar.
    pub const BAR: usize = 20;
    /// Width of the tick labels' area right of the bar.
    pub const LABELS: usize = 84;
    /// The colour bar is at least this tall, however small the picture.
    pub const MIN_BAR_HEIGHT: usize = 120;
}

/// Draws a 2-D array: each pixel of a reduced grid of at most the picture's size averages
/// the finite elements that fall in it; the grid is scaled to the picture (nearest pixel).
/// Pixels with no finite element are transparent.
pub fn imshow(session: &super::Env, node: &NodeRef, o: &ImshowOptions) -> Result<(), String> {
    let (n0, n1) = (node.shape[0], node.shape[1]);
    let (h, w) = (o.height.min(n0).max(1), o.width.min(n1).max(1));
    // The reduced grid (sum, count, mean: 20 bytes a cell), the picture (4 a pixel) and,
    // with decorations, the canvas in RGB and RGBA (7 more, and its margins).
    let decorated = o.colorbar || o.title.is_some();
    let per_pixel = 4 + if decorated { 7 } else { 0 };
    let margins = if decorated {
        (o.width + o.height + 400) * 300 * 7
    } else {
        0
    };
    check_picture_memory(
        session,
        "imshow",
        (o.width, o.height),
        per_pixel,
        h * w * 20 + margins,
    )?;
    let mut sum = vec![0f64; h * w];
    let mut count = vec![0u32; h * w];
    stream(session, "imshow", node, &mut |region, data| {
        let (r0, c0) = (region[0].start as usize, region[1].start as usize);
        let cols = region[1].len.max(1);
        // The block's own columns' buckets: a table the size of the block's row.
        let col_bucket: Vec<usize> = (0..cols).map(|j| bucket(c0 + j, w, n1)).collect();
        let (mut i, mut j) = (0, 0);
        let mut rb = bucket(r0, h, n0) * w;
        data.for_each_f64(|v| {
            if !v.is_nan() {
                let b = rb + col_bucket[j];
                sum[b] += v;
                count[b] = count[b].saturating_add(1);
            }
            j += 1;
            if j == cols {
                j = 0;
                i += 1;
                rb = bucket(r0 + i, h, n0) * w;
            }
        });
        Ok(())
    })?;
    let means: Vec<f64> = sum
        .iter()
        .zip(&count)
        .map(|(&s, &c)| if c == 0 { f64::NAN } else { s / c as f64 })
        .collect();
    let finite = means.iter().copied().filter(|v| v.is_finite());
    let lo = o
        .vmin
        .unwrap_or_else(|| finite.clone().fold(f64::INFINITY, f64::min));
    let hi = o
        .vmax
        .unwrap_or_else(|| finite.fold(f64::NEG_INFINITY, f64::max));
    let span = hi - lo;
    let mut pixels = vec![0u8; o.width * o.height * 4];
    for y in 0..o.height {
        if y % ROWS_PER_CHECK == 0 {
            check_cancel(&session.cancel)?;
        }
        let ry = y * h / o.height;
        for x in 0..o.width {
            let v = means[ry * w + x * w / o.width];
            let p = (y * o.width + x) * 4;
            if v.is_nan() {
                continue;
            }
            let t = if span > 0.0 && span.is_finite() {
                (v - lo) / span
            } else if v > lo {
                1.0
            } else {
                0.0
            };
            let c = o.cmap.at(t);
            pixels[p..p + 3].copy_from_slice(&c);
            pixels[p + 3] = 255;
        }
    }
    if !decorated {
        return write_png(o.path, o.width, o.height, &pixels, true, &session.cancel);
    }
    let range = (lo.is_finite() && hi.is_finite()).then_some((lo, hi));
    decorate(o, &pixels, range, &session.cancel)
}

/// `imshow`'s picture with its decorations: the title band above (with `title=`), and the
/// colour bar right of the picture (with `colorbar=true`) running from the range's low
/// value at the bottom to its high value at the top, labelled at round values. Pixels with no
/// value stay transparent; the rest of the canvas is white.
fn decorate(
    o: &ImshowOptions,
    image: &[u8],
    range: Option<(f64, f64)>,
    cancel: &AtomicBool,
) -> Result<(), String> {
    use layout::*;
    use plotters::prelude::*;
    let top = MARGIN + if o.title.is_some() { TITLE } else { 0 };
    let bar_h = o.height.max(MIN_BAR_HEIGHT);
    let side = if o.colorbar { GAP + BAR + LABELS } else { 0 };
    let (cw, ch) = (
        MARGIN + o.width + side + MARGIN,
        top + o.height.max(if o.colorbar { bar_h } else { 0 }) + MARGIN,
    );
    let mut rgb = vec![255u8; cw * ch * 3];
    let set = |buf: &mut [u8], x: usize, y: usize, c: [u8; 3]| {
        let p = (y * cw + x) * 3;
        buf[p..p + 3].copy_from_slice(&c);
    };
    for y in 0..o.height {
        if y % ROWS_PER_CHECK == 0 {
            check_cancel(cancel)?;
        }
        for x in 0..o.width {
            let q = (y * o.width + x) * 4;
            if image[q + 3] != 0 {
                set(
                    &mut rgb,
                    MARGIN + x,
                    top + y,
                    [image[q], image[q + 1], image[q + 2]],
                );
            }
        }
    }
    let bar_x = MARGIN + o.width + GAP;
    if o.colorbar {
        for y in 0..bar_h {
            let t = 1.0 - y as f64 / (bar_h - 1).max(1) as f64;
            let c = o.cmap.at(t);
            for x in bar_x..bar_x + BAR {
                set(&mut rgb, x, top + y, c);
            }
        }
    }
    let text = fonts();
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (cw as u32, ch as u32)).into_drawing_area();
        let px = |x: usize, y: usize| (x as i32, y as i32);
        if o.colorbar {
            // The frame lies around the bar, so every row of the bar keeps its colour.
            let frame = [
                px(bar_x - 1, top - 1),
                px(bar_x + BAR, top - 1),
                px(bar_x + BAR, top + bar_h),
                px(bar_x - 1, top + bar_h),
                px(bar_x - 1, top - 1),
            ];
            root.draw(&PathElement::new(frame.to_vec(), BLACK))
                .map_err(draw_error)?;
            if let Some((lo, hi)) = range {
                for v in nice_ticks(lo, hi) {
                    let f = if hi > lo { (v - lo) / (hi - lo) } else { 0.0 };
                    let y = top + ((1.0 - f) * (bar_h - 1) as f64).round() as usize;
                    let x0 = bar_x + BAR;
                    root.draw(&PathElement::new(vec![px(x0, y), px(x0 + 4, y)], BLACK))
                        .map_err(draw_error)?;
                    if text {
                        let style = TextStyle::from(("sans-serif", 13).into_font()).pos(
                            plotters::style::text_anchor::Pos::new(
                                plotters::style::text_anchor::HPos::Left,
                                plotters::style::text_anchor::VPos::Center,
                            ),
                        );
                        root.draw(&Text::new(tick(v), px(x0 + 9, y), style))
                            .map_err(draw_error)?;
                    }
                }
            }
        }
        if let (Some(title), true) = (&o.title, text) {
            let style = TextStyle::from(("sans-serif", 17).into_font()).pos(
                plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Center,
                ),
            );
            root.draw(&Text::new(
                title.clone(),
                px(cw / 2, MARGIN + TITLE / 2),
                style,
            ))
            .map_err(draw_error)?;
        }
        root.present().map_err(draw_error)?;
    }
    check_cancel(cancel)?;
    let mut rgba = Vec::with_capacity(cw * ch * 4);
    for c in rgb.chunks_exact(3) {
        rgba.extend_from_slice(&[c[0], c[1], c[2], 255]);
    }
    drop(rgb);
    check_cancel(cancel)?;
    for y in 0..o.height {
        for x in 0..o.width {
            if image[(y * o.width + x) * 4 + 3] == 0 {
                rgba[((top + y) * cw + MARGIN + x) * 4 + 3] = 0;
            }
        }
    }
    write_png(o.path, cw, ch, &rgba, true, cancel)
}

/// Registers a system font for labels once; false when none is installed (pictures are
/// then drawn without text).
fn fonts() -> bool {
    static READY: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *READY.get_or_init(|| {
        const CANDIDATES: &[&str] = &[
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
            "/usr/share/fonts/dejavu/DejaVuSans.ttf",
            "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
            "/usr/share/fonts/truetype/lato/Lato-Regular.ttf",
            "/System/Library/Fonts/Supplemental/Arial.ttf",
        ];
        for c in CANDIDATES {
            if let Ok(bytes) = std::fs::read(c) {
                // The font lives as long as the process, as plotters requires.
                let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
                if plotters::style::register_font(
                    "sans-serif",
                    plotters::style::FontStyle::Normal,
                    bytes,
                )
                .is_ok()
                {
                    return true;
                }
            }
        }
        false
    })
}

/// Round values for the colour bar's labels: multiples of 1, 2, 2.5 or 5 times a power of
/// ten, about six of them between `lo` and `hi` (both ends included when they are round).
pub fn nice_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) {
        return Vec::new();
    }
    if hi <= lo {
        return vec![lo];
    }
    let raw = (hi - lo) / 6.0;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    // A small tolerance keeps ends that are round up to rounding error.
    (first..=last)
        .map(|k| k as f64 * step)
        .filter(|v| *v >= lo - step * 1e-9 && *v <= hi + step * 1e-9)
        .collect()
}

/// Options of `plot` and `hist`.
pub struct ChartOptions<'a> {
    /// Where to write.
    pub path: &'a Path,
    /// Picture width in pixels.
    pub width: usize,
    /// Picture height in pixels.
    pub height: usize,
    /// A title above the chart.
    pub title: Option<String>,
    /// The label under the x axis.
    pub xlabel: Option<String>,
    /// The label beside the y axis.
    pub ylabel: Option<String>,
}

fn draw_error<E: std::fmt::Debug>(e: E) -> String {
    format!("cannot draw the picture: {e:?}")
}

/// A tick label: integers without a fraction, others with at most four significant digits.
fn tick(v: f64) -> String {
    // Rounding leaves ticks meant as zero at 1e-16 or so.
    let v = if v.abs() < 1e-12 { 0.0 } else { v };
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else if v.abs() >= 1e-3 && v.abs() < 1e6 {
        let t = format!("{v:.4}");
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{v:.3e}")
    }
}

/// The y range with a margin, never empty.
fn padded(lo: f64, hi: f64) -> (f64, f64) {
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if hi <= lo {
        return (lo - 0.5, hi + 0.5);
    }
    let m = (hi - lo) * 0.05;
    (lo - m, hi + m)
}

/// A line plot of a 1-D array against its index. Longer arrays than twice the picture's
/// width keep, per pixel column, the minimum and maximum (so peaks stay visible).
pub fn plot(session: &super::Env, node: &NodeRef, o: &ChartOptions) -> Result<(), String> {
    let n = node.shape[0];
    check_picture_memory(session, "plot", (o.width, o.height), 3, o.width * 32)?;
    let buckets = n.min(2 * o.width).max(1);
    let mut lo = vec![f64::INFINITY; buckets];
    let mut hi = vec![f64::NEG_INFINITY; buckets];
    stream(session, "plot", node, &mut |region, data| {
        let mut at = region[0].start as usize;
        data.for_each_f64(|v| {
            if !v.is_nan() {
                let b = bucket(at, buckets, n);
                lo[b] = lo[b].min(v);
                hi[b] = hi[b].max(v);
            }
            at += 1;
        });
        Ok(())
    })?;
    let ymin = lo
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::INFINITY, f64::min);
    let ymax = hi
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    let (y0, y1) = padded(ymin, ymax);
    // Runs of consecutive buckets with values; a bucket holds one point or a min-max stroke.
    let mut segments: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for b in 0..buckets {
        let x = (b as f64 + 0.5) * n as f64 / buckets as f64 - 0.5;
        if lo[b] > hi[b] {
            if segments.last().is_some_and(|s| !s.is_empty()) {
                segments.push(Vec::new());
            }
            continue;
        }
        if let Some(s) = segments.last_mut() {
            s.push((x, lo[b].clamp(y0, y1)));
            if hi[b] > lo[b] {
                s.push((x, hi[b].clamp(y0, y1)));
            }
        }
    }
    let x_max = (n.max(2) - 1) as f64;
    render(session, o, |root, text| {
        use plotters::prelude::*;
        let mut builder = ChartBuilder::on(root);
        builder.margin(12);
        if text {
            builder.x_label_area_size(45).y_label_area_size(80);
            if let Some(t) = &o.title {
                builder.caption(t, ("sans-serif", 18));
            }
        }
        let mut chart = builder
            .build_cartesian_2d(0f64..x_max, y0..y1)
            .map_err(draw_error)?;
        let mut mesh = chart.configure_mesh();
        mesh.x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| tick(*v));
        if text {
            axis_labels(&mut mesh, o);
        } else {
            mesh.disable_x_axis().disable_y_axis();
        }
        mesh.draw().map_err(draw_error)?;
        for s in segments.into_iter().filter(|s| !s.is_empty()) {
            chart
                .draw_series(LineSeries::new(s, BLUE.stroke_width(1)))
                .map_err(draw_error)?;
        }
        Ok(())
    })
}

/// A histogram of every element of `x` (nan skipped) in `bins` equal bins over `range`, or
/// over the data's own minimum and maximum (one extra pass over the data).
pub fn hist(
    session: &super::Env,
    node: &NodeRef,
    bins: usize,
    range: Option<(f64, f64)>,
    o: &ChartOptions,
) -> Result<Vec<u64>, String> {
    check_picture_memory(session, "hist", (o.width, o.height), 3, bins * 16)?;
    let (lo, hi) = match range {
        Some(r) => r,
        None => {
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            stream(session, "hist (range)", node, &mut |_, data| {
                data.for_each_f64(|v| {
                    if v.is_finite() {
                        lo = lo.min(v);
                        hi = hi.max(v);
                    }
                });
                Ok(())
            })?;
            if lo > hi {
                (0.0, 1.0)
            } else if lo == hi {
                (lo - 0.5, hi + 0.5)
            } else {
                (lo, hi)
            }
        }
    };
    let mut counts = vec![0u64; bins];
    let width = (hi - lo) / bins as f64;
    stream(session, "hist", node, &mut |_, data| {
        data.for_each_f64(|v| {
            // NumPy's rule: bins are half-open except the last, which includes `hi`.
            if !(v.is_nan() || v < lo || v > hi) {
                let b = (((v - lo) / width) as usize).min(bins - 1);
                counts[b] += 1;
            }
        });
        Ok(())
    })?;
    let top = counts.iter().copied().max().unwrap_or(0).max(1) as f64 * 1.05;
    let drawn = counts.clone();
    render(session, o, |root, text| {
        use plotters::prelude::*;
        let mut builder = ChartBuilder::on(root);
        builder.margin(12);
        if text {
            builder.x_label_area_size(45).y_label_area_size(80);
            if let Some(t) = &o.title {
                builder.caption(t, ("sans-serif", 18));
            }
        }
        let mut chart = builder
            .build_cartesian_2d(lo..hi, 0f64..top)
            .map_err(draw_error)?;
        let mut mesh = chart.configure_mesh();
        mesh.disable_x_mesh()
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| tick(*v));
        if text {
            axis_labels(&mut mesh, o);
        } else {
            mesh.disable_x_axis().disable_y_axis();
        }
        mesh.draw().map_err(draw_error)?;
        let bars = drawn.iter().enumerate().map(|(b, &c)| {
            let x0 = lo + b as f64 * width;
            Rectangle::new([(x0, 0.0), (x0 + width, c as f64)], BLUE.mix(0.7).filled())
        });
        chart.draw_series(bars).map_err(draw_error)?;
        Ok(())
    })?;
    Ok(counts)
}

/// Names the axes of a chart (`xlabel=`, `ylabel=`).
fn axis_labels<'a, X, Y>(
    mesh: &mut plotters::chart::MeshStyle<'a, '_, X, Y, plotters::backend::BitMapBackend<'_>>,
    o: &'a ChartOptions,
) where
    X: plotters::coord::ranged1d::Ranged<ValueType = f64>
        + plotters::coord::ranged1d::ValueFormatter<f64>,
    Y: plotters::coord::ranged1d::Ranged<ValueType = f64>
        + plotters::coord::ranged1d::ValueFormatter<f64>,
{
    if let Some(x) = &o.xlabel {
        mesh.x_desc(x.as_str());
    }
    if let Some(y) = &o.ylabel {
        mesh.y_desc(y.as_str());
    }
    mesh.axis_desc_style(("sans-serif", 15));
}

type Root<'a> =
    plotters::drawing::DrawingArea<plotters::backend::BitMapBackend<'a>, plotters::coord::Shift>;

/// Draws on a white RGB canvas of the asked size and writes it as PNG.
fn render(
    session: &super::Env,
    o: &ChartOptions,
    draw: impl FnOnce(&Root, bool) -> Result<(), String>,
) -> Result<(), String> {
    use plotters::prelude::*;
    let mut buf = vec![255u8; o.width * o.height * 3];
    let text = fonts();
    {
        let root = BitMapBackend::with_buffer(&mut buf, (o.width as u32, o.height as u32))
            .into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        draw(&root, text)?;
        root.present().map_err(draw_error)?;
    }
    write_png(o.path, o.width, o.height, &buf, false, &session.cancel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_bar_ticks_are_round_and_inside_the_range() {
        assert_eq!(
            nice_ticks(0.0, 1.0),
            [0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        assert_eq!(nice_ticks(-8.0, 8.0), [-5.0, 0.0, 5.0]);
        assert_eq!(
            nice_ticks(-24.46, 33.79),
            [-20.0, -10.0, 0.0, 10.0, 20.0, 30.0]
        );
        assert_eq!(nice_ticks(3.0, 3.0), [3.0]);
        assert!(nice_ticks(f64::NAN, 1.0).is_empty());
        assert_eq!(tick(0.6000000000000001), "0.6");
    }
}
