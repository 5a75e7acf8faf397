//! Property tests of the block-wise data-dependent builtins (`exec::block_map`): `unique`,
//! `nonzero`, `argwhere`, `topk` and `argtopk` of an array cut into random blocks give what
//! they give for the same array in one block — with many ties (values modulo a small number)
//! and nan, along either axis, for any k — so merging the blocks' results is exact.

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

/// The program: `x` built from a formula with ties (and nan where `nan` is set), cut into
/// `chunks` (`-1`: one block), then every data-dependent result printed.
fn program(rows: usize, cols: usize, chunks: &str, modulus: usize, nan: bool, k: i64) -> String {
    let n = rows * cols;
    let base = format!("((arange({n}.0) * 7 + 3) % {modulus}).reshape([{rows}, {cols}])");
    let x = if nan {
        format!("where({base} == 1, nan, {base})")
    } else {
        base
    };
    let k0 = k.clamp(-(rows as i64), rows as i64);
    let k1 = k.clamp(-(cols as i64), cols as i64);
    format!(
        "x = rechunk({x}, {chunks})\n\
         print(unique(x))\n\
         r, c = nonzero(x > 2)\n\
         print(r, c)\n\
         print(argwhere(x == 0))\n\
         print(topk(x, {k0}, axis=0), argtopk(x, {k0}, axis=0))\n\
         print(topk(x, {k1}, axis=1), argtopk(x, {k1}, axis=1))\n"
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, .. ProptestConfig::default() })]

    #[test]
    fn block_wise_results_equal_one_block(
        rows in 1usize..14,
        cols in 1usize..14,
        cut in (1usize..14, 1usize..14),
        modulus in 2usize..6,
        nan in any::<bool>(),
        k in prop_oneof![1i64..6, -5i64..0],
    ) {
        let chunks = format!("[{}, {}]", cut.0.min(rows), cut.1.min(cols));
        let blocks = run(&program(rows, cols, &chunks, modulus, nan, k));
        let whole = run(&program(rows, cols, "-1", modulus, nan, k));
        prop_assert!(!whole.contains("ERROR"), "{whole}");
        prop_assert_eq!(blocks, whole);
    }
}
