//! The optimised plan drawn as an SVG picture (`explain(x, path="plan.svg")`,
//! `arr explain --svg OUT.svg`, and the dashboard's plan graph): one box per node with its
//! op, dtype, shape, chunk summary and largest block; a kernel is a box holding the ops it
//! fuses; arrows run from inputs to the nodes that consume them. The layout (ranks, order,
//! coordinates, edge routing) is layout-rs's Sugiyama-style layout; this file only says
//! what the boxes read. Each node's boxes are in groups with `class="arr-node"
//! data-node="{i}"`, so a page can colour them.

use crate::exec::{ExecConfig, human_bytes};
use crate::graph::node::{Node, NodeRef, Op, Source};
use crate::value::type_text;
use layout::backends::svg::SVGWriter;
use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::Point;
use layout::core::style::StyleAttr;
use layout::std_shapes::render::get_shape_size;
use layout::std_shapes::shapes::{Arrow, Element, RecordDef, ShapeKind};
use layout::topo::layout::VisualGraph;
use std::collections::HashMap;
use std::sync::Arc;

/// The picture of the plan of `node` under `config` (the same plan `explain` prints; node
/// `#i` is the text's `#i`).
pub fn explain_svg(node: &NodeRef, config: &ExecConfig) -> Result<String, String> {
    let plan = config
        .plan(node)
        .map_err(|e| format!("plan refused: {e}"))?;
    let mut nodes = Vec::new();
    let mut ids = HashMap::new();
    pre_order(&plan.root, &mut nodes, &mut ids);
    let inputs: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| {
            n.inputs
                .iter()
                .filter_map(|i| ids.get(&Arc::as_ptr(i)).copied())
                .collect()
        })
        .collect();
    let m = &plan.memory;
    let caption = format!(
        "plan: {} in {} task(s), {} kernel(s)\nmemory: {} per task, {} at once, peak {}; limit {}",
        type_of(&plan.root),
        m.tasks,
        plan.kernels,
        human_bytes(m.per_task),
        m.parallel,
        human_bytes(m.schedule_peak),
        human_bytes(config.memory_limit)
    );
    Ok(draw(&nodes, &inputs, &caption))
}

/// Numbers nodes as the text plan does: depth first, a node before its inputs, shared nodes
/// once.
fn pre_order(node: &NodeRef, out: &mut Vec<NodeRef>, ids: &mut HashMap<*const Node, usize>) {
    if ids.contains_key(&Arc::as_ptr(node)) {
        return;
    }
    ids.insert(Arc::as_ptr(node), out.len());
    out.push(node.clone());
    if matches!(node.op, Op::Source(Source::Data(_))) {
        return;
    }
    for input in &node.inputs {
        pre_order(input, out, ids);
    }
}

fn type_of(node: &Node) -> String {
    type_text(
        node.dtype,
        &node.shape.iter().map(|&d| Some(d)).collect::<Vec<_>>(),
    )
}

/// The lines of a node's box, below its title.
fn details(node: &Node) -> String {
    format!(
        "{}\nchunks {}\n{} block(s), max {}",
        type_of(node),
        crate::exec::plan::grid_text(&node.chunks),
        node.n_chunks(),
        human_bytes(node.max_chunk_bytes())
    )
}

/// Draws nodes (`inputs[i]` are the ids node `i` reads) with a caption box.
pub fn draw(nodes: &[NodeRef], inputs: &[Vec<usize>], caption: &str) -> String {
    let dir = Orientation::TopToBottom;
    let font = 14;
    let mut graph = VisualGraph::new(dir);
    let mut handles = Vec::with_capacity(nodes.len());
    let mut kernels = 0;
    for (i, node) in nodes.iter().enumerate() {
        let (shape, fill) = match &node.op {
            Op::Fused(k) => {
                kernels += 1;
                let ops: Vec<RecordDef> = k
                    .op_names()
                    .iter()
                    .map(|name| RecordDef::new_text(name))
                    .collect();
                // A record's fields run across the box; a nested one runs down it.
                let record = RecordDef::Array(vec![RecordDef::Array(vec![
                    RecordDef::new_text(&format!("#{i} kernel k{kernels}\n{}", details(node))),
                    RecordDef::Array(ops),
                ])]);
                // Records do not carry properties through layout-rs: the fill marks the
                // node (a transparent colour holding its index), and `Marked` below puts the
                // real fill and the node's attributes back.
                (ShapeKind::Record(record), "")
            }
            Op::Source(_) => (
                ShapeKind::Box(format!("#{i} {}\n{}", node.op_name(), details(node))),
                "#e3f0fb",
            ),
            _ => (
                ShapeKind::Box(format!("#{i} {}\n{}", node.op_name(), details(node))),
                "#ffffff",
            ),
        };
        let fill = if fill.is_empty() {
            Color::new(((i as u32 + 1) & 0x00ff_ffff) << 8)
        } else {
            Color::fast(fill)
        };
        let look = StyleAttr::new(Color::fast("#44546a"), 1, Some(fill), 4, font);
        let size = get_shape_size(dir, &shape, font, false);
        let element = Element::create_with_properties(
            shape,
            look,
            dir,
            size,
            format!("class=\"arr-node\" data-node=\"{i}\""),
        );
        handles.push(graph.add_node(element));
    }
    for (i, ins) in inputs.iter().enumerate() {
        for &j in ins {
            graph.add_edge(Arrow::simple(""), handles[j], handles[i]);
        }
    }
    let shape = ShapeKind::Box(caption.to_string());
    let look = StyleAttr::new(
        Color::fast("#888888"),
        1,
        Some(Color::fast("#f4f4f4")),
        0,
        13,
    );
    let size = get_shape_size(dir, &shape, 13, false);
    graph.add_node(Element::create_with_properties(
        shape,
        look,
        dir,
        size,
        "class=\"arr-caption\"",
    ));
    let mut svg = Marked {
        svg: SVGWriter::new(),
        max: Point::new(0., 0.),
    };
    graph.do_it(false, false, false, &mut svg);
    svg.finish()
}

/// The SVG writer with two fixes: kernel records get their fill and node attributes (see
/// `draw`), and the picture's size is the drawing's extent (layout-rs's own estimate grows
/// with the length of every label).
struct Marked {
    svg: SVGWriter,
    max: Point,
}

/// The fill of kernel boxes.
const KERNEL_FILL: &str = "#fff3d6";

impl Marked {
    fn grow(&mut self, p: Point) {
        self.max = Point::new(self.max.x.max(p.x), self.max.y.max(p.y));
    }

    fn finish(self) -> String {
        let text = self.svg.finalize();
        let (w, h) = (self.max.x.ceil() + 10., self.max.y.ceil() + 10.);
        let Some(start) = text.find("<svg ") else {
            return text;
        };
        let Some(len) = text[start..].find('>') else {
            return text;
        };
        let head = format!(
            "<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\">"
        );
        let body =
            text[start + len + 1..].replace("font-family: Times, serif", "font-family: sans-serif");
        format!("{}{head}{body}", &text[..start])
    }
}

impl RenderBackend for Marked {
    fn draw_rect(
        &mut self,
        xy: Point,
        size: Point,
        look: &StyleAttr,
        properties: Option<String>,
        clip: Option<ClipHandle>,
    ) {
        self.grow(Point::new(xy.x + size.x, xy.y + size.y));
        let marked = look
            .fill_color
            .map(|c| c.to_web_color())
            .filter(|c| c.len() == 9 && c.ends_with("00"))
            .and_then(|c| u32::from_str_radix(&c[1..7], 16).ok());
        match marked {
            Some(k) if k > 0 => {
                let mut look = look.clone();
                look.fill_color = Some(Color::fast(KERNEL_FILL));
                let props = format!("class=\"arr-node\" data-node=\"{}\"", k - 1);
                self.svg.draw_rect(xy, size, &look, Some(props), clip);
            }
            _ => self.svg.draw_rect(xy, size, look, properties, clip),
        }
    }

    fn draw_line(
        &mut self,
        start: Point,
        stop: Point,
        look: &StyleAttr,
        properties: Option<String>,
    ) {
        self.grow(start);
        self.grow(stop);
        self.svg.draw_line(start, stop, look, properties);
    }

    fn draw_circle(
        &mut self,
        xy: Point,
        size: Point,
        look: &StyleAttr,
        properties: Option<String>,
    ) {
        self.grow(Point::new(xy.x + size.x / 2., xy.y + size.y / 2.));
        self.svg.draw_circle(xy, size, look, properties);
    }

    fn draw_text(&mut self, xy: Point, text: &str, look: &StyleAttr) {
        self.svg.draw_text(xy, text, look);
    }

    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        dashed: bool,
        head: (bool, bool),
        look: &StyleAttr,
        properties: Option<String>,
        text: &str,
    ) {
        for (a, b) in path {
            self.grow(*a);
            self.grow(*b);
        }
        self.svg
            .draw_arrow(path, dashed, head, look, properties, text);
    }

    fn create_clip(&mut self, xy: Point, size: Point, rounded_px: usize) -> ClipHandle {
        self.svg.create_clip(xy, size, rounded_px)
    }
}
