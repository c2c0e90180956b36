//! The README's demo: trace `tanh` to a graph and print it (as JAX's
//! make_jaxpr would), evaluate it on the interpreter, then a small
//! numpy-style program with JAX's random numbers.

use jaxcore::numpy as jnp;
use jaxcore::{make_graph, random, Array, Aval, DType, Result};

fn main() -> Result<()> {
    // jax.make_jaxpr(jnp.tanh)(1.0)
    let g = make_graph(|x| Ok(vec![jnp::tanh(&x[0])?]), &[Aval::scalar(DType::F32)])?;
    println!("graph of tanh:\n{g}\n");
    let y = jaxcore::trace::eval_graph(&g, &[Array::scalar(1.0f32)])?;
    println!("tanh(1.0) = {}", y[0]);

    // a two-layer MLP forward on JAX's random stream
    let keys = random::split(&random::key(0), 3)?;
    let k = |i: usize| jnp::getitem(&keys, &[jnp::Index::Int(i as i64)]);
    let w1 = random::normal(&k(0)?, &[3, 4], DType::F32)?;
    let w2 = random::normal(&k(1)?, &[4, 2], DType::F32)?;
    let x = random::normal(&k(2)?, &[5, 3], DType::F32)?;
    let mlp = |xs: &[Array]| -> Result<Vec<Array>> {
        let h = jnp::tanh(&jnp::matmul(&xs[0], &xs[1])?)?;
        let logits = jnp::matmul(&h, &xs[2])?;
        Ok(vec![jnp::mean(&jnp::logsumexp(&logits, Some(&[-1]), false)?, None, false)?])
    };
    let g = make_graph(mlp, &[x.aval().clone(), w1.aval().clone(), w2.aval().clone()])?;
    println!("\ngraph of an MLP forward ({} equations):\n{g}\n", g.eqns.len());
    println!("value: {}", mlp(&[x.clone(), w1, w2])?[0]);

    // numpy-style: broadcasting, weak scalars, reductions, indexing
    let a = jnp::arange(0.0, 6.0, 1.0, Some(DType::F32))?;
    let a = jnp::reshape(&a, &[2, 3])?;
    let b = jnp::add(&jnp::multiply(&a, &jnp::scalar(2.0))?, &jnp::arange(0.0, 3.0, 1.0, Some(DType::F32))?)?;
    println!("\na = {a}\n2*a + arange(3) = {b}");
    println!("sum over axis 0 = {}", jnp::sum(&b, Some(&[0]), false)?);
    println!("a[:, ::-1] = {}", jnp::getitem(&a, &[jnp::Index::Slice(None, None, None), jnp::Index::Slice(None, None, Some(-1))])?);
    Ok(())
}
