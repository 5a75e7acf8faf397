//! The embedding API: ndarray in and out, calls, compiled programs, Rust callbacks and typed
//! errors.

use arr::{ErrorKind, Session};
use ndarray::{Array1, Array2, ArrayD, array};

fn session() -> Session {
    Session::with_options(arr::Options {
        threads: 2,
        seed: Some(1),
        ..Default::default()
    })
}

#[test]
fn arrays_in_and_out() {
    let mut s = session();
    s.set("m", array![[1i32, 2, 3], [4, 5, 6]]);
    s.eval("t = m.T * 2; total = sum(m)").unwrap();
    let t: Array2<i32> = s.get("t").unwrap();
    assert_eq!(t, array![[2, 8], [4, 10], [6, 12]]);
    assert_eq!(s.get::<i64>("total").unwrap(), 21);
    let d: ArrayD<f64> = s.get("t").unwrap();
    assert_eq!(d.shape(), &[3, 2]);
    let wrong = s.get::<Array1<f64>>("t").unwrap_err();
    assert_eq!(wrong.kind, ErrorKind::Embed);
    assert!(s.get::<f64>("nothing").is_err());
}

#[test]
fn calls_compiled_programs_and_callbacks() {
    let mut s = session();
    s.eval("fn scale(x, k) { x * k }").unwrap();
    s.set("x", array![1.0, 2.0]);
    let x = s.get_value("x").unwrap();
    let y = s
        .call(
            "scale",
            &[x.clone(), arr::Value::Num(arr::value::Num::Float(1.5))],
        )
        .unwrap();
    s.set_value("y", y);
    assert_eq!(s.get::<Vec<f64>>("y").unwrap(), vec![1.5, 3.0]);
    assert_eq!(s.call("scale", &[x]).unwrap_err().kind, ErrorKind::Check);

    let p = s.compile("z = x.sum() * 10").unwrap();
    for (input, want) in [(array![1.0, 1.0], 20.0), (array![2.0, 3.0], 50.0)] {
        s.set("x", input);
        s.run_compiled(&p).unwrap();
        assert_eq!(s.get::<f64>("z").unwrap(), want);
    }

    s.register_fn("cube", |v| v * v * v);
    s.register_block_fn("cumulative", |b| {
        let mut out = b.to_owned();
        let mut acc = 0.0;
        out.iter_mut().for_each(|v| {
            acc += *v;
            *v = acc;
        });
        out
    });
    s.eval("c = cube(arange(5, chunks=2)); k = cumulative(ones(4, chunks=2))")
        .unwrap();
    assert_eq!(
        s.get::<Vec<f64>>("c").unwrap(),
        vec![0.0, 1.0, 8.0, 27.0, 64.0]
    );
    // Per block: the running sum restarts in each block of 2.
    assert_eq!(s.get::<Vec<f64>>("k").unwrap(), vec![1.0, 2.0, 1.0, 2.0]);
}

#[test]
fn errors_say_which_stage_failed() {
    let mut s = session();
    assert_eq!(s.eval("x = (").unwrap_err().kind, ErrorKind::Syntax);
    let e = s.eval("x = ones(3) + ones(4)").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Check);
    assert!(
        e.rendered
            .starts_with("error: cannot broadcast f64[3] with f64[4]"),
        "{}",
        e.rendered
    );
    assert_eq!(
        s.eval("x = arange(3)[array([5])]").unwrap_err().kind,
        ErrorKind::Check
    );
    s.eval("i = astype(arange(3) + 4, i64)").unwrap();
    assert_eq!(
        s.eval("y = arange(3)[i]; print(y)").unwrap_err().kind,
        ErrorKind::Run
    );
}
