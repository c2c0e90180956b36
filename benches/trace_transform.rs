//! Trace + transform time of grad(loss) for the 784-512-512-10 tanh MLP with
//! softmax cross-entropy (batch 128): what JAX's `make_jaxpr(grad(loss))`
//! measures (13.1 ms on this project's machine with JAX 0.10.2).
//! Run: `cargo bench --bench trace_transform`.

mod common;

use common::mlp_loss;
use jaxcore::transform::grad_with;
use jaxcore::{Aval, DType, Function};
use std::time::Instant;


fn main() {
    let s = |d: &[usize]| Aval::new(d, DType::F32);
    let avals = vec![s(&[784, 512]), s(&[512]), s(&[512, 512]), s(&[512]), s(&[512, 10]), s(&[10]), s(&[128, 784]), s(&[128, 10])];
    let mut times = Vec::new();
    let mut neqns = 0;
    for _ in 0..300 {
        // a fresh function each time: nothing cached
        let loss = Function::new("loss", mlp_loss);
        let t = Instant::now();
        let g = grad_with(&loss, &[0, 1, 2, 3, 4, 5], false).graph(&avals).unwrap();
        times.push(t.elapsed().as_secs_f64());
        neqns = g.eqns.len();
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let med = times[times.len() / 2];
    println!("trace+transform grad(loss) MLP 784-512-512-10: median {:.1} us over {} runs ({} equations)", med * 1e6, times.len(), neqns);
    println!("JAX 0.10.2 make_jaxpr(grad(loss)) on this machine: 13100 us; ratio {:.3} (goal <= 0.1)", med * 1e6 / 13100.0);
}
