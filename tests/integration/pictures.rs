//! Decorated pictures, decoded pixel by pixel: `imshow`'s colour bar (the colour map's own
//! colours in the strip right of the picture, its top at the range's high value), the tick
//! labels beside it and the title above; `plot`'s and `hist`'s axis labels.

use std::path::Path;
use std::process::Command;

/// Decodes a PNG into (width, height, RGBA pixels).
fn decode(path: &Path) -> (usize, usize, Vec<[u8; 4]>) {
    let file = std::fs::File::open(path).expect("png exists");
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("a PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).expect("a PNG frame");
    let bytes = &buf[..info.buffer_size()];
    let px = match info.color_type {
        png::ColorType::Rgba => bytes
            .chunks_exact(4)
            .map(|c| [c[0], c[1], c[2], c[3]])
            .collect(),
        png::ColorType::Rgb => bytes
            .chunks_exact(3)
            .map(|c| [c[0], c[1], c[2], 255])
            .collect(),
        other => panic!("unexpected colour type {other:?}"),
    };
    (info.width as usize, info.height as usize, px)
}

/// Whether the rectangle [x0, x1) x [y0, y1) holds dark (text) pixels.
fn has_dark(px: &[[u8; 4]], w: usize, (x0, x1): (usize, usize), (y0, y1): (usize, usize)) -> bool {
    (y0..y1).any(|y| {
        (x0..x1).any(|x| {
            let p = px[y * w + x];
            p[3] > 0 && (p[0] as u32 + p[1] as u32 + p[2] as u32) < 200
        })
    })
}

fn fonts_installed() -> bool {
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    ]
    .iter()
    .any(|p| Path::new(p).exists())
}

#[test]
fn imshow_draws_a_colour_bar_with_its_range_and_a_title() {
    let dir = std::env::temp_dir().join(format!("arr-pictures-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let code = "ramp = zeros([200, 300]) + linspace(0, 1, 300)[newaxis, :]\n\
                imshow(ramp, path=\"bar.png\", cmap=\"viridis\", title=\"a ramp\")\n\
                imshow(ramp, path=\"bare.png\", colorbar=false)\n\
                plot(sin(linspace(0, 6, 500)), path=\"plot.png\", xlabel=\"time\", ylabel=\"sin\")\n\
                print(hist(arange(10), bins=2, path=\"hist.png\", title=\"h\"))\n";
    std::fs::write(dir.join("p.arr"), code).unwrap();
    let o = Command::new(crate::arr_bin())
        .current_dir(&dir)
        .args(["--threads", "2", "p.arr"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "[5, 5]\n");

    // Layout (src/io/pictures.rs, `layout`): margin 10, title band 30, picture 300 x 200,
    // gap 16, bar 20 wide and 200 tall, labels 84 wide.
    let (w, h, px) = decode(&dir.join("bar.png"));
    assert_eq!((w, h), (10 + 300 + 16 + 20 + 84 + 10, 10 + 30 + 200 + 10));
    let top = 40;
    let at = |x: usize, y: usize| px[y * w + x];
    // The picture itself: the ramp's left end is viridis(0), its right end viridis(1).
    assert_eq!(at(10, top + 100), [68, 1, 84, 255]);
    assert_eq!(at(10 + 299, top + 100), [253, 231, 37, 255]);
    // The bar: viridis(1) at the top, viridis(0) at the bottom, a gradient in between,
    // every row one colour across the strip.
    let bar_x = 10 + 300 + 16;
    assert_eq!(
        at(bar_x + 10, top),
        [253, 231, 37, 255],
        "bar top is the high end"
    );
    assert_eq!(
        at(bar_x + 10, top + 199),
        [68, 1, 84, 255],
        "bar bottom is the low end"
    );
    for y in (top..top + 200).step_by(10) {
        assert_eq!(
            at(bar_x + 3, y),
            at(bar_x + 16, y),
            "bar row {y} is one colour"
        );
    }
    let mid = at(bar_x + 10, top + 100);
    assert!(
        mid[1] > 100 && mid[0] < 100,
        "the middle of viridis is green-blue: {mid:?}"
    );
    // Nothing but white between the picture and the bar.
    assert_eq!(at(10 + 300 + 8, top + 100), [255, 255, 255, 255]);
    if fonts_installed() {
        // Tick labels right of the bar (0 at the bottom, 1 at the top) and the title above.
        let labels = (bar_x + 20 + 4, w);
        assert!(
            has_dark(&px, w, labels, (top, top + 12)),
            "label at the top"
        );
        assert!(
            has_dark(&px, w, labels, (top + 188, top + 200)),
            "label at the bottom"
        );
        assert!(has_dark(&px, w, (0, w), (10, 40)), "the title");
    } else {
        eprintln!("no font installed: label areas not checked");
    }
    // Without the bar (and no title): the picture alone, as before.
    let (w, h, _) = decode(&dir.join("bare.png"));
    assert_eq!((w, h), (300, 200));

    // Charts: axis labels below the x axis and left of the y axis.
    for name in ["plot.png", "hist.png"] {
        let (w, h, px) = decode(&dir.join(name));
        assert_eq!((w, h), (800, 500));
        if fonts_installed() {
            // The x label sits centred under the tick labels, the y label at the far left.
            assert!(
                has_dark(&px, w, (300, 500), (h - 30, h - 5)),
                "{name}: x label"
            );
            assert!(has_dark(&px, w, (0, 30), (150, 350)), "{name}: y label");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
