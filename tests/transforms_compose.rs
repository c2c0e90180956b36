//! Composition of transformations: per-example gradients, closures over
//! outer tracers, transformed functions inside other traces, jacobians,
//! has_aux/argnums, linearize, errors, and the size of the MLP grad graph.

use jaxcore::lax;
use jaxcore::numpy as jnp;
use jaxcore::transform::*;
use jaxcore::{random, Array, Aval, DType, Function, Result};

fn f64v(x: &Array) -> Vec<f64> {
    x.to_f64_vec().unwrap()
}
fn close(a: &[f64], b: &[f64], tol: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}");
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= tol * (1.0 + y.abs()), "{what}: {a:?} vs {b:?}");
    }
}

/// Softmax cross-entropy of a tanh MLP; params (w1, b1, w2, b2, w3, b3), then x, y (one-hot).
fn mlp_loss(a: &[Array]) -> Result<Vec<Array>> {
    let (x, y) = (&a[6], &a[7]);
    let h1 = jnp::tanh(&jnp::add(&jnp::matmul(x, &a[0])?, &a[1])?)?;
    let h2 = jnp::tanh(&jnp::add(&jnp::matmul(&h1, &a[2])?, &a[3])?)?;
    let logits = jnp::add(&jnp::matmul(&h2, &a[4])?, &a[5])?;
    let lse = jnp::logsumexp(&logits, Some(&[-1]), true)?;
    let logp = jnp::subtract(&logits, &lse)?;
    let nll = jnp::negative(&jnp::sum(&jnp::multiply(&logp, y)?, Some(&[-1]), false)?)?;
    Ok(vec![jnp::mean(&nll, None, false)?])
}

fn mlp_params(sizes: &[usize], seed: i64) -> Vec<Array> {
    let mut p = Vec::new();
    let keys = random::split(&random::key(seed), sizes.len()).unwrap();
    for i in 0..sizes.len() - 1 {
        let k = jnp::getitem(&keys, &[jnp::Index::Int(i as i64)]).unwrap();
        let w = random::normal(&k, &[sizes[i], sizes[i + 1]], DType::F32).unwrap();
        p.push(jnp::multiply(&w, &jnp::scalar(1.0 / (sizes[i] as f64).sqrt())).unwrap());
        p.push(jnp::zeros(&[sizes[i + 1]], DType::F32).unwrap());
    }
    p
}

fn batch(n: usize, din: usize, classes: usize, seed: i64) -> (Array, Array) {
    let x = random::normal(&random::key(seed), &[n, din], DType::F32).unwrap();
    let labels = jnp::argmax(&random::normal(&random::key(seed + 1), &[n, classes], DType::F32).unwrap(), Some(-1), false).unwrap();
    (x, jnp::one_hot(&labels, classes, None).unwrap())
}

#[test]
fn per_example_gradients_equal_a_loop_of_grad() {
    let params = mlp_params(&[5, 8, 6, 3], 0);
    let (x, y) = batch(4, 5, 3, 10);
    let loss = Function::new("loss", mlp_loss);
    let g = grad_with(&loss, &[0, 1, 2, 3, 4, 5], false);
    // in_axes = (None for params..., 0, 0)
    let mut axes = vec![None; 6];
    axes.extend([Some(0), Some(0)]);
    let per_ex = vmap(&g, &axes, &[Some(0)], None);
    let mut args = params.clone();
    args.push(x.clone());
    args.push(y.clone());
    let got = per_ex.call(&args).unwrap();
    assert_eq!(got.len(), 6);
    for i in 0..4 {
        let mut a = params.clone();
        a.push(jnp::getitem(&x, &[jnp::Index::Int(i), jnp::Index::NewAxis]).unwrap().clone());
        a[6] = jnp::reshape(&jnp::getitem(&x, &[jnp::Index::Int(i)]).unwrap(), &[1, 5]).unwrap();
        a.push(jnp::reshape(&jnp::getitem(&y, &[jnp::Index::Int(i)]).unwrap(), &[1, 3]).unwrap());
        a.truncate(8);
        let want = g.call(&a).unwrap();
        for (k, w) in want.iter().enumerate() {
            let row = jnp::getitem(&got[k], &[jnp::Index::Int(i)]).unwrap();
            close(&f64v(&row), &f64v(w), 1e-5, &format!("per-example grad {k} of example {i}"));
        }
    }
}

#[test]
fn mlp_grad_graph_is_small() {
    let loss = Function::new("loss", mlp_loss);
    let g = grad_with(&loss, &[0, 1, 2, 3, 4, 5], false);
    let s = |d: &[usize]| Aval::new(d, DType::F32);
    let avals = vec![s(&[784, 512]), s(&[512]), s(&[512, 512]), s(&[512]), s(&[512, 10]), s(&[10]), s(&[128, 784]), s(&[128, 10])];
    let graph = g.graph(&avals).unwrap();
    graph.check().unwrap();
    let n = graph.eqns.len();
    println!("grad(loss) of the 784-512-512-10 MLP: {n} equations\n{graph}");
    // JAX 0.10.2's jaxpr of the same program has 48 equations; ours 51 (tanh's
    // derivative is JAX's rule, three operations on the cotangent)
    assert!(n <= 52, "grad graph has {n} equations");
}

#[test]
fn closure_over_an_outer_tracer_under_grad() {
    // d/dy grad_x(x * y)(x0) = d/dy y = 1: the inner grad closes over the outer tracer y
    let outer = Function::new("outer", |ys| {
        let y = ys[0].clone();
        let inner = Function::new("inner", move |xs| Ok(vec![jnp::multiply(&jnp::sin(&xs[0])?, &y)?]));
        grad(&inner).call(&[Array::scalar(0.5f64)])
    });
    let d = grad(&outer).call(&[Array::scalar(2.0f64)]).unwrap();
    close(&f64v(&d[0]), &[0.5f64.cos()], 1e-12, "d/dy cos(0.5) * y");
}

#[test]
fn no_perturbation_confusion() {
    // the classic: d/dx [x * d/dy (x + y)] at y=... is 1 (not 2)
    let f = Function::new("f", |xs| {
        let x = xs[0].clone();
        let inner = Function::new("inner", move |ys| Ok(vec![jnp::add(&x, &ys[0])?]));
        let dy = grad(&inner).call(&[Array::scalar(1.0f64)])?;
        Ok(vec![jnp::multiply(&xs[0], &dy[0])?])
    });
    assert_eq!(f64v(&grad(&f).call(&[Array::scalar(3.0f64)]).unwrap()[0]), vec![1.0]);
}

#[test]
fn jacobians_and_hessian() {
    // f(x) = [x0^2 * x1, sin(x1)] ; J = [[2 x0 x1, x0^2], [0, cos x1]]
    let f = Function::new("f", |a| {
        let x0 = jnp::getitem(&a[0], &[jnp::Index::Int(0)])?;
        let x1 = jnp::getitem(&a[0], &[jnp::Index::Int(1)])?;
        Ok(vec![jnp::stack(&[&jnp::multiply(&jnp::multiply(&x0, &x0)?, &x1)?, &jnp::sin(&x1)?], 0)?])
    });
    let x = Array::from_slice(&[1.5f64, 0.3], &[2]).unwrap();
    let want = [2.0 * 1.5 * 0.3, 1.5 * 1.5, 0.0, 0.3f64.cos()];
    let jf = jacfwd(&f, &[0]).call(&[x.clone()]).unwrap();
    let jr = jacrev(&f, &[0]).call(&[x.clone()]).unwrap();
    assert_eq!(jf[0].shape(), &[2, 2]);
    close(&f64v(&jf[0]), &want, 1e-12, "jacfwd");
    close(&f64v(&jr[0]), &want, 1e-12, "jacrev");
    // hessian of sum(x^3) is diag(6x)
    let s = Function::new("s", |a| Ok(vec![jnp::sum(&lax::integer_pow(&a[0], 3)?, None, false)?]));
    let h = hessian(&s, &[0]).call(&[x]).unwrap();
    close(&f64v(&h[0]), &[9.0, 0.0, 0.0, 1.8], 1e-12, "hessian");
}

#[test]
fn argnums_has_aux_value_and_grad_linearize_jvp() {
    let f = Function::new("f", |a| {
        let v = jnp::multiply(&jnp::sin(&a[0])?, &a[1])?;
        Ok(vec![v.clone(), jnp::multiply(&v, &jnp::scalar(10.0))?])
    });
    let (x, y) = (Array::scalar(0.7f64), Array::scalar(2.0f64));
    let vg = value_and_grad(&f, &[0, 1], true).call(&[x.clone(), y.clone()]).unwrap();
    assert_eq!(vg.len(), 4); // value, aux, d/dx, d/dy
    close(&f64v(&vg[0]), &[0.7f64.sin() * 2.0], 1e-12, "value");
    close(&f64v(&vg[1]), &[0.7f64.sin() * 20.0], 1e-12, "aux");
    close(&f64v(&vg[2]), &[0.7f64.cos() * 2.0], 1e-12, "d/dx");
    close(&f64v(&vg[3]), &[0.7f64.sin()], 1e-12, "d/dy");
    let g = grad_with(&f, &[1], true).call(&[x.clone(), y.clone()]).unwrap();
    close(&f64v(&g[0]), &[0.7f64.sin()], 1e-12, "grad argnums=1");
    let (outs, lin) = linearize(&f, &[x.clone(), y.clone()]).unwrap();
    assert_eq!(outs.len(), 2);
    let t = lin.call(&[Array::scalar(1.0f64), Array::scalar(0.0f64)]).unwrap();
    close(&f64v(&t[0]), &[0.7f64.cos() * 2.0], 1e-12, "linearize");
    let (_, tj) = jvp(&f, &[x, y], &[Array::scalar(0.0f64), Array::scalar(1.0f64)]).unwrap();
    close(&f64v(&tj[1]), &[0.7f64.sin() * 10.0], 1e-12, "jvp");
}

#[test]
fn vmap_of_grad_and_grad_of_vmap_agree() {
    let f = Function::new("f", |a| Ok(vec![jnp::sum(&jnp::tanh(&jnp::multiply(&a[0], &a[1])?)?, None, false)?]));
    let xs = random::normal(&random::key(3), &[5, 4], DType::F64).unwrap();
    let w = random::normal(&random::key(4), &[4], DType::F64).unwrap();
    let per = vmap(&grad(&f), &[Some(0), None], &[Some(0)], None).call(&[xs.clone(), w.clone()]).unwrap();
    // grad of the summed vmap gives the same rows
    let fv = vmap(&f, &[Some(0), None], &[Some(0)], None);
    let total = Function::new("total", move |a| Ok(vec![jnp::sum(&fv.call(a)?[0], None, false)?]));
    let g = grad(&total).call(&[xs, w]).unwrap();
    close(&f64v(&per[0]), &f64v(&g[0]), 1e-12, "vmap(grad) vs grad(sum(vmap))");
}

#[test]
fn transform_errors_are_jax_like() {
    let f = Function::new("f", |a| Ok(vec![jnp::sin(&a[0])?]));
    let e = grad(&f).call(&[Array::from_slice(&[1.0f32, 2.0], &[2]).unwrap()]).unwrap_err();
    assert!(e.msg.contains("Gradient only defined for scalar-output functions. Output had shape: (2,)."), "{e}");
    let e = grad(&f).call(&[Array::scalar(1i32)]).unwrap_err();
    assert!(e.msg.contains("grad requires real- or complex-valued inputs"), "{e}");
    let g = Function::new("g", |a| Ok(vec![jnp::add(&a[0], &a[1])?]));
    let e = vmap(&g, &[Some(0), Some(0)], &[Some(0)], None)
        .call(&[jnp::zeros(&[3], DType::F32).unwrap(), jnp::zeros(&[4], DType::F32).unwrap()])
        .unwrap_err();
    assert!(e.msg.contains("vmap got inconsistent sizes for array axes to be mapped"), "{e}");
    let z = jnp::zeros(&[3], DType::F32).unwrap();
    let e = vmap(&g, &[Some(0), Some(0), None], &[Some(0)], None).call(&[z.clone(), z]).unwrap_err();
    assert!(e.msg.contains("vmap in_axes must be an int, None, or a tuple"), "{e}");
    let e = vmap(&f, &[None], &[Some(0)], None).call(&[Array::scalar(1.0f32)]).unwrap_err();
    assert!(e.msg.contains("at least one non-None"), "{e}");
    let e = jvp(&f, &[Array::scalar(1.0f32)], &[Array::scalar(1.0f64)]).unwrap_err();
    assert!(e.msg.contains("must have equal types"), "{e}");
}

#[test]
fn graphs_of_transforms_are_cached() {
    let f = Function::new("f", |a| Ok(vec![jnp::sum(&jnp::exp(&a[0])?, None, false)?]));
    let g = grad(&f);
    let x = jnp::ones(&[3], DType::F32).unwrap();
    g.call(&[x.clone()]).unwrap();
    g.call(&[x]).unwrap();
    assert_eq!(g.cache_size(), 1);
    assert_eq!(f.cache_size(), 1);
}

#[test]
fn abs_has_slope_one_at_zero_as_in_jax() {
    // JAX's rule is select(x >= 0, t, -t): the kink gets the right-hand slope
    let f = Function::new("abs", |xs| Ok(vec![jnp::abs(&xs[0])?]));
    for (x, want) in [(-2.0f64, -1.0), (0.0, 1.0), (3.0, 1.0)] {
        assert_eq!(f64v(&grad(&f).call(&[Array::scalar(x)]).unwrap()[0]), vec![want], "d|x|/dx at {x}");
    }
}
