//! Embedding Arr in a Rust program: pass ndarrays in, run Arr code, get ndarrays out, call Arr
//! functions, register a Rust function, and compile a program once to run it many times.
//! Run with `cargo run --release --example embed`.

use arr::{ErrorKind, Session};
use ndarray::{Array1, Array2, array};

fn main() -> Result<(), arr::Error> {
    let mut session = Session::new();

    // ndarray in, Arr code, ndarray out.
    session.set("m", array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    session.eval("col_means = m.mean(axis=0)")?;
    let col_means: Array1<f64> = session.get("col_means")?;
    println!("column means: {col_means}");

    // Arr functions are callable from Rust.
    session.eval("fn normalize(x) { (x - x.mean()) / x.std() }")?;
    let m = session.get_value("m").expect("m is bound");
    let z = session.call("normalize", &[m])?;
    session.set_value("z", z);
    let z: Array2<f64> = session.get("z")?;
    println!("normalized:\n{z:.3}");

    // A Rust function used from Arr: it runs block by block inside the chunked executor.
    session.register_fn("logistic", |v: f64| 1.0 / (1.0 + (-v).exp()));
    session.eval(
        "p = logistic(random.normal(0, 1, shape=1_000_000, chunks=100_000, seed=1)).mean()",
    )?;
    println!(
        "mean logistic of a million normals: {:.4}",
        session.get::<f64>("p")?
    );

    // Compile once (the names it reads must be bound), run many times with new inputs.
    session.set("v", Array1::<f64>::zeros(1));
    let program = session.compile("total = sum(v * v)")?;
    for n in [3, 4, 5] {
        session.set("v", Array1::from_iter((1..=n).map(|i| i as f64)));
        session.run_compiled(&program)?;
        println!("sum of squares 1..{n} = {}", session.get::<f64>("total")?);
    }

    // Errors carry the stage and the rendered diagnostic.
    match session.eval("bad = ones([2, 3]) + ones(4)") {
        Err(e) if e.kind == ErrorKind::Check => print!("caught before running:\n{}", e.rendered),
        other => println!("unexpected: {other:?}"),
    }
    Ok(())
}
