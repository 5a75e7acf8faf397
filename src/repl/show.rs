//! How the prompt shows a value: computed results as `print` writes them (LANGUAGE.md §12),
//! but a lazy array of more than `SHOW_LIMIT` elements as a one-line summary (dtype, shape,
//! chunk grid, blocks, bytes), so a large array is never computed behind the user's back.

use crate::language::SourceFile;
use crate::language::Span;
use crate::value::Value;
use crate::{Error, Session};
use std::rc::Rc;

/// Arrays above this many elements are summarised rather than computed at the prompt.
pub const SHOW_LIMIT: usize = 1000;

/// A one-line description of a lazy array: dtype and shape, block shape, grid, bytes.
/// `None` for values that are not lazy arrays.
pub fn summary(v: &Value) -> Option<String> {
    let Value::Array(a) = v else { return None };
    let node = a.node.as_ref()?;
    let block: Vec<String> = node
        .chunks
        .iter()
        .map(|c| c.iter().max().copied().unwrap_or(0).to_string())
        .collect();
    let grid: Vec<String> = node.chunks.iter().map(|c| c.len().to_string()).collect();
    let blocks = node.n_chunks();
    let grid_text = if grid.len() > 1 {
        format!("{} = {blocks}", grid.join(" x "))
    } else {
        blocks.to_string()
    };
    let known = a.shape.iter().all(Option::is_some);
    let bytes = if known {
        crate::units::human_bytes(node.nbytes())
    } else {
        "size known when computed".to_string()
    };
    Some(format!(
        "lazy {}, chunks [{}], {grid_text} block{}, {bytes}",
        a.type_text(),
        block.join(", "),
        if blocks == 1 { "" } else { "s" },
    ))
}

/// Whether the prompt summarises `v` instead of computing it.
pub fn is_large(v: &Value) -> bool {
    match v {
        Value::Array(a) => {
            a.node.is_some()
                && (a.shape.iter().any(Option::is_none)
                    || a.node.as_ref().is_some_and(|n| n.size() > SHOW_LIMIT))
        }
        Value::List(items) | Value::Tuple(items) => items.iter().any(is_large),
        _ => false,
    }
}

/// The text the prompt shows for `v`, or `None` for `none` (nothing is shown). Small arrays
/// are computed; large lazy arrays, also inside tuples and lists, are summarised.
pub fn render(session: &mut Session, v: &Value) -> Result<Option<String>, Error> {
    match v {
        Value::None => Ok(None),
        Value::Array(_) if is_large(v) => Ok(summary(v)),
        Value::List(items) | Value::Tuple(items) if is_large(v) => {
            let (open, close) = if matches!(v, Value::List(_)) {
                ("[", "]")
            } else {
                ("(", ")")
            };
            let mut lines = Vec::with_capacity(items.len());
            for item in items.iter() {
                let text = render(session, item)?.unwrap_or_else(|| "none".into());
                lines.push(format!("  {text},"));
            }
            Ok(Some(format!("{open}\n{}\n{close}", lines.join("\n"))))
        }
        _ => session.display(v).map(Some),
    }
}

/// The span of the last non-blank line of `input`, without its indentation.
fn last_line_span(input: &str) -> Span {
    let end = input.trim_end().len();
    let line_start = input[..end].rfind('\n').map_or(0, |i| i + 1);
    let start =
        line_start + (input[line_start..end].len() - input[line_start..end].trim_start().len());
    Span { start, end }
}

/// Like `render`, for the value of `input` just typed as `name`: an error while computing the
/// value for display (a failure or a cancellation) points into that input's last line, as
/// errors from running it do, and comes back rendered.
pub fn render_input(
    session: &mut Session,
    v: &Value,
    name: &str,
    input: &str,
) -> Result<Option<String>, String> {
    render(session, v).map_err(|e| {
        if e.diagnostic.file.is_some() {
            return e.rendered;
        }
        let mut d = (*e.diagnostic).clone();
        d.span = last_line_span(input);
        if d.label.is_empty() {
            d.label = "while computing this value".into();
        }
        d.render(&SourceFile {
            name: name.into(),
            text: Rc::from(input),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_arrays_are_summarised_small_ones_computed() {
        let mut s = Session::new();
        let big = s
            .run(
                "<t>",
                "random.normal(0, 1, shape=[20000, 20000], chunks=[1000, 1000])",
            )
            .unwrap();
        assert!(is_large(&big));
        let text = render(&mut s, &big).unwrap().unwrap();
        assert_eq!(
            text,
            "lazy f64[20000, 20000], chunks [1000, 1000], 20 x 20 = 400 blocks, 3.0 GiB"
        );
        let small = s.run("<t>", "arange(4) * 2").unwrap();
        assert!(!is_large(&small));
        assert_eq!(render(&mut s, &small).unwrap().unwrap(), "[0, 2, 4, 6]");
        let one = s.run("<t>", "ones(10**6, chunks=10**6)").unwrap();
        assert_eq!(
            summary(&one).unwrap(),
            "lazy f64[1000000], chunks [1000000], 1 block, 7.6 MiB"
        );
        assert_eq!(render(&mut s, &Value::None).unwrap(), None);
    }

    #[test]
    fn display_errors_point_into_the_input() {
        assert_eq!(
            last_line_span("a = 1\n  b + 1  \n"),
            Span { start: 8, end: 13 }
        );
        let mut s = Session::new();
        let input = "sum(random.normal(0, 1, shape=10**8))";
        let v = s.run("<repl>", input).unwrap();
        s.cancel_handle()
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let err = render_input(&mut s, &v, "<repl>", input).unwrap_err();
        assert!(err.starts_with("error: computation cancelled"), "{err}");
        assert!(err.contains("<repl>:1:1") && err.contains(input), "{err}");
        s.cancel_handle()
            .store(false, std::sync::atomic::Ordering::SeqCst);
    }

    #[test]
    fn tuples_of_large_arrays_are_summarised_per_item() {
        let mut s = Session::new();
        let t = s.run("<t>", "(ones(10**5), 3)").unwrap();
        let text = render(&mut s, &t).unwrap().unwrap();
        assert!(text.starts_with("(\n  lazy f64[100000]"), "{text}");
        assert!(text.ends_with("  3,\n)"), "{text}");
    }
}
