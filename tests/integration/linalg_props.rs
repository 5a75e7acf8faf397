//! Property tests of the linear algebra (issue: LANGUAGE.md §11a): blocked products and
//! contractions give the single-block result for random shapes and chunkings (on small
//! integers, so every summation order is exact); TSQR's Q is orthonormal and Q·R reproduces
//! the input to 1e-12 relative; products are bitwise the same for any thread count.

use arr::Session;
use proptest::prelude::*;

fn run(code: &str) -> String {
    Session::with_options(arr::Options {
        threads: 2,
        seed: Some(3),
        ..Default::default()
    })
    .eval_to_string(code)
    .unwrap_or_else(|e| format!("ERROR {}", e.rendered))
}

fn list(v: &[usize]) -> String {
    let s: Vec<String> = v.iter().map(|d| d.to_string()).collect();
    format!("[{}]", s.join(", "))
}

/// An integer-valued f64 array of `shape` cut into `chunks` (or one block).
fn input(name: &str, shape: &[usize], chunks: Option<&[usize]>, salt: usize) -> String {
    let n: usize = shape.iter().product();
    let c = chunks.map(list).unwrap_or_else(|| "-1".into());
    format!(
        "{name} = rechunk(((arange({n}.0) * {m} + {salt}) % 7 - 3).reshape({}), {c})\n",
        list(shape),
        m = 3 + salt
    )
}

/// Block lengths (1..=n) for each axis.
fn lens(shape: Vec<usize>) -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    let per: Vec<_> = shape.iter().map(|&n| 1usize..=n).collect();
    (Just(shape), per)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn chunked_matmul_equals_single_chunk(
        // k up to 40 in blocks as short as 1: more than `K_LEAF_BLOCKS` (8) contracted
        // blocks, so the pairwise sum of leaves is exercised too.
        (sa, ca) in (1usize..4, 1usize..9, 1usize..40, 1usize..9)
            .prop_flat_map(|(b, m, k, _)| lens(vec![b, m, k])),
        n in 1usize..9,
        cb in (1usize..9, 1usize..9),
        broadcast in any::<bool>(),
    ) {
        let k = sa[2];
        let sb = if broadcast { vec![k, n] } else { vec![sa[0], k, n] };
        let cbv: Vec<usize> = if broadcast {
            vec![cb.0.min(k), cb.1.min(n)]
        } else {
            vec![1, cb.0.min(k), cb.1.min(n)]
        };
        let expr = "print(a @ b)\nprint(einsum(\"...ij,...jk->...ik\", a, b))\n";
        let chunked = format!("{}{}{expr}", input("a", &sa, Some(&ca), 0), input("b", &sb, Some(&cbv), 1));
        let single = format!("{}{}{expr}", input("a", &sa, None, 0), input("b", &sb, None, 1));
        let (x, y) = (run(&chunked), run(&single));
        prop_assert!(!x.starts_with("ERROR"), "{}\n{}", chunked, x);
        prop_assert_eq!(x, y, "program:\n{}", chunked);
    }

    #[test]
    fn chunked_tensordot_and_einsum_equal_single_chunk(
        (sa, ca) in (1usize..6, 1usize..6, 1usize..6).prop_flat_map(|(p, q, r)| lens(vec![p, q, r])),
        s in 1usize..6,
        cs in 1usize..6,
    ) {
        let sb = vec![sa[1], sa[2], s];
        let cb = vec![1.max(ca[1]), ca[2], cs.min(s)];
        let expr = "print(tensordot(a, b, axes=2))\nprint(einsum(\"pqr,qrs->ps\", a, b))\nprint(einsum(\"pqr,qrs->sp\", a, b))\nprint(tensordot(a, b, axes=[[1], [0]]).shape)\n";
        let chunked = format!("{}{}{expr}", input("a", &sa, Some(&ca), 0), input("b", &sb, Some(&cb), 2));
        let single = format!("{}{}{expr}", input("a", &sa, None, 0), input("b", &sb, None, 2));
        let (x, y) = (run(&chunked), run(&single));
        prop_assert!(!x.starts_with("ERROR"), "{}\n{}", chunked, x);
        prop_assert_eq!(x, y, "program:\n{}", chunked);
    }

    #[test]
    fn tsqr_q_is_orthonormal_and_reproduces_the_input(
        rows in 1usize..400,
        cols in 1usize..9,
        block in 1usize..120,
        seed in 0u64..1000,
    ) {
        let p = rows.min(cols);
        let code = format!(
            "a = random.normal(0, 1, shape=[{rows}, {cols}], chunks=[{block}, {cols}], seed={seed})\n\
             q, r = linalg.qr(a)\n\
             print(max(abs(q @ r - a)) <= 1e-12 * max(abs(a)))\n\
             print(max(abs(q.T @ q - eye({p}))) <= 1e-12)\n\
             print(max(abs(tril(r, k=-1))) == 0.0)\n"
        );
        let out = run(&code);
        prop_assert_eq!(out.trim(), "true\ntrue\ntrue", "program:\n{}", code);
    }
}

#[test]
fn matmul_repeats_bitwise_for_any_thread_count() {
    let code = "a = random.normal(0, 1, shape=[130, 170], chunks=[40, 33], seed=5)\n\
                b = random.normal(0, 1, shape=[170, 90], chunks=[50, 20], seed=6)\n\
                c = a @ b\n\
                print(sum(c * c), c[::37, ::29])";
    let outs: Vec<String> = [1, 2, 4]
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

/// A product with one output block and many contracted blocks (`x.T @ x` of a tall array,
/// 60 row blocks): its leaves run in parallel, its sum is the same for any thread count and
/// agrees with the single-block product to rounding.
#[test]
fn gram_matrix_of_a_tall_array_repeats_bitwise_for_any_thread_count() {
    let code = "x = random.normal(0, 1, shape=[6000, 7], chunks=[100, 7], seed=8)\n\
                g = x.T @ x\n\
                one = rechunk(x, -1)\n\
                print(g[::3, ::2], max(abs(g - one.T @ one)) <= 1e-12 * max(abs(g)))";
    let outs: Vec<String> = [1, 2, 3]
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
    assert!(outs[0].trim_end().ends_with("true"), "{outs:?}");
    assert!(outs.windows(2).all(|w| w[0] == w[1]), "{outs:?}");
}
