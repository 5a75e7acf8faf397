//! Property tests: for random shapes, chunkings and op chains, the chunked result equals the
//! single-chunk result; random arrays are identical for different chunkings with one seed,
//! and a slice of a random array equals the same elements of the whole array.

use arr::Session;
use proptest::prelude::*;

fn session() -> Session {
    arr::Session::with_options(arr::Options {
        threads: 2,
        seed: Some(3),
        ..Default::default()
    })
}

fn run(code: &str) -> String {
    session()
        .eval_to_string(code)
        .unwrap_or_else(|e| format!("ERROR {}", e.rendered))
}

/// A shape of 1 to 3 axes with small lengths.
fn shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1usize..9, 1..4)
}

/// Block lengths for each axis of `shape`.
fn chunks_for(shape: Vec<usize>) -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    let per_axis: Vec<_> = shape.iter().map(|&n| 1usize..=n).collect();
    (Just(shape), per_axis)
}

/// Element-wise and structural steps applied to `x` (all exact on small integers).
fn step() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "x + 1",
        "x * 2 - 3",
        "abs(x - 4)",
        "maximum(x, 2)",
        "where(x > 3, x, -x)",
        "x % 5",
        "x // 2",
        "flip(x)",
        "x[::-1]",
        "x[::2]",
        "x[1:]",
        "x.T",
        "ravel(x)",
        "cumsum(x, axis=0)",
        "x - x.sum(axis=0, keepdims=true)",
        "x * x.max()",
        "astype(x, f32) * 0.5",
        "stack([x, x + 1])",
        "concatenate([x, x], axis=0)",
    ])
}

/// A final reduction (or none).
fn finish() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "x",
        "sum(x)",
        "x.sum(axis=0)",
        "x.max(axis=-1)",
        "x.min()",
        "argmax(x)",
        "x.mean(axis=0)",
        "prod(x % 3 + 1, axis=0)",
        "count_nonzero(x)",
        "any(x > 5)",
    ])
}

fn program(shape: &[usize], chunks: &str, steps: &[&str], fin: &str) -> String {
    let n: usize = shape.iter().product();
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let mut p = format!(
        "x = rechunk((arange({n}) % 11 - 4).reshape([{}]), {chunks})\n",
        dims.join(", ")
    );
    for s in steps {
        p.push_str(&format!("x = {s}\n"));
    }
    p.push_str(&format!("print({fin})\n"));
    p
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn chunked_equals_single_chunk(
        (shape, lens) in shape().prop_flat_map(chunks_for),
        steps in prop::collection::vec(step(), 0..4),
        fin in finish(),
    ) {
        let grid: Vec<String> = lens.iter().map(|l| l.to_string()).collect();
        let chunked = program(&shape, &format!("[{}]", grid.join(", ")), &steps, fin);
        let single = program(&shape, "-1", &steps, fin);
        let a = run(&chunked);
        let b = run(&single);
        prop_assert!(!a.starts_with("ERROR") || b.starts_with("ERROR"), "chunked run failed:\n{chunked}\n{a}");
        prop_assert_eq!(a, b, "program:\n{}", chunked);
    }

    #[test]
    fn random_does_not_depend_on_chunks(
        (shape, lens) in shape().prop_flat_map(chunks_for),
        seed in 0u64..1000,
        dist in prop::sample::select(vec!["normal(1, 2", "uniform(-1, 1", "integers(0, 100"]),
    ) {
        let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
        let grid: Vec<String> = lens.iter().map(|l| l.to_string()).collect();
        let a = run(&format!("print(random.{dist}, shape=[{}], chunks=[{}], seed={seed}))", dims.join(", "), grid.join(", ")));
        let b = run(&format!("print(random.{dist}, shape=[{}], chunks=-1, seed={seed}))", dims.join(", ")));
        prop_assert_eq!(a, b);
    }

    #[test]
    fn slice_of_random_equals_same_elements(n in 2usize..60, start in 0usize..10, step in 1i64..5, seed in 0u64..100) {
        let code = format!(
            "x = random.normal(0, 1, shape={n}, chunks=7, seed={seed})\nfull = compute(x)\nprint(x[{start}::{step}])\nprint(full[{start}::{step}])\nprint(x[::-{step}])\nprint(full[::-{step}])"
        );
        let out = run(&code);
        let lines: Vec<&str> = out.lines().collect();
        prop_assert_eq!(lines.len(), 4, "{}", out);
        prop_assert_eq!(lines[0], lines[1]);
        prop_assert_eq!(lines[2], lines[3]);
    }
}

#[test]
fn results_repeat_bitwise_for_any_thread_count() {
    let code = "x = random.normal(0, 1, shape=[300, 200], chunks=[17, 23], seed=5)\nprint(sum(x), x.var(axis=0)[:3], x.std())";
    let outs: Vec<String> = [1, 2, 4, 7]
        .iter()
        .map(|&t| {
            let mut s = Session::with_options(arr::Options {
                threads: t,
                seed: Some(1),
                ..Default::default()
            });
            s.eval_to_string(code).expect("runs")
        })
        .collect();
    assert!(outs.windows(2).all(|w| w[0] == w[1]), "{outs:?}");
}
