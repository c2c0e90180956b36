//! The MLP loss both benchmarks measure: 784-512-512-10 tanh layers,
//! softmax cross-entropy. Arguments: w1, b1, w2, b2, w3, b3, x, y (one-hot).

use jaxcore::numpy as jnp;
use jaxcore::{Array, Result};

pub fn mlp_loss(a: &[Array]) -> Result<Vec<Array>> {
    let (x, y) = (&a[6], &a[7]);
    let h1 = jnp::tanh(&jnp::add(&jnp::matmul(x, &a[0])?, &a[1])?)?;
    let h2 = jnp::tanh(&jnp::add(&jnp::matmul(&h1, &a[2])?, &a[3])?)?;
    let logits = jnp::add(&jnp::matmul(&h2, &a[4])?, &a[5])?;
    let logp = jnp::subtract(&logits, &jnp::logsumexp(&logits, Some(&[-1]), true)?)?;
    let nll = jnp::negative(&jnp::sum(&jnp::multiply(&logp, y)?, Some(&[-1]), false)?)?;
    Ok(vec![jnp::mean(&nll, None, false)?])
}
