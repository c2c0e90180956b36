//! Table-driven checks of every primitive's transformation rules, in f64 at
//! random points: JVP against central finite differences, VJP against JVP
//! (<vjp(c), t> = <c, jvp(t)>), vmap against a loop (batch axis first, last,
//! and unmapped arguments), and grad of grad for the smooth ones.

mod common;

use common::*;
use jaxcore::lax;
use jaxcore::numpy as jnp;
use jaxcore::prim::*;
use jaxcore::transform::{grad, jvp, vjp, vmap};
use jaxcore::{Array, DType, Function};
use std::collections::BTreeSet;

#[test]
fn every_primitive_has_a_row() {
    let mut seen = BTreeSet::new();
    for c in cases() {
        let xs = inputs(&c, 1);
        let g = fun(&c).graph(&jaxcore::trace::avals_of(&xs)).unwrap();
        for e in &g.eqns {
            kind(&e.prim);
            seen.insert(e.prim.name().to_string());
        }
    }
    let mut want: Vec<&str> = UnaryOp::ALL.iter().map(|o| o.name()).collect();
    want.extend(BinaryOp::ALL.iter().map(|o| o.name()));
    want.extend(CmpOp::ALL.iter().map(|o| o.name()));
    want.extend(ReduceOp::ALL.iter().map(|o| o.name()));
    want.extend(CumOp::ALL.iter().map(|o| o.name()));
    want.extend([
        "integer_pow", "select_n", "clamp", "convert_element_type", "bitcast_convert_type", "stop_gradient", "broadcast_in_dim", "reshape",
        "transpose", "squeeze", "rev", "slice", "dynamic_slice", "dynamic_update_slice", "concatenate", "pad", "iota", "gather", "scatter",
        "scatter-add", "scatter-mul", "scatter-min", "scatter-max", "argmax", "argmin", "dot_general", "sort", "threefry2x32", "pjit",
    ]);
    let missing: Vec<&&str> = want.iter().filter(|n| !seen.contains(**n)).collect();
    assert!(missing.is_empty(), "primitives without a row: {missing:?}");
}

#[test]
fn jvp_matches_central_differences() {
    for c in cases() {
        let f = fun(&c);
        let xs = inputs(&c, 2);
        let ts: Vec<Array> = xs.iter().enumerate().map(|(i, x)| if is_float(x) { sample(x.shape(), Dom::Real, 900 + i as u32) } else { jnp::zeros_like(x).unwrap() }).collect();
        let (ys, tys) = jvp(&f, &xs, &ts).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        if !is_float(&ys[0]) {
            assert!(f64v(&tys[0]).iter().all(|&t| t == 0.0), "{}: integer output with a nonzero tangent", c.name);
            continue;
        }
        // float32 outputs need a larger step for the difference to resolve
        let eps = if ys[0].dtype() == DType::F32 { 1e-3 } else { 1e-6 };
        let shifted = |s: f64| -> Vec<f64> {
            let xe: Vec<Array> = xs.iter().zip(&ts).map(|(x, t)| if is_float(x) { jnp::add(x, &jnp::multiply(t, &jnp::scalar(s)).unwrap()).unwrap() } else { x.clone() }).collect();
            f64v(&f.call(&xe).unwrap()[0])
        };
        let (p, m) = (shifted(eps), shifted(-eps));
        let fd: Vec<f64> = p.iter().zip(&m).map(|(a, b)| (a - b) / (2.0 * eps)).collect();
        let (rtol, atol) = if ys[0].dtype() == DType::F32 { (5e-3, 1e-3) } else { (1e-5, 1e-6) };
        close(&f64v(&tys[0]), &fd, rtol, atol, &format!("jvp of {}", c.name));
    }
}

#[test]
fn vjp_is_the_transpose_of_jvp() {
    for c in cases() {
        let f = fun(&c);
        let xs = inputs(&c, 3);
        if !xs.iter().any(is_float) {
            continue;
        }
        let ts: Vec<Array> = xs.iter().enumerate().map(|(i, x)| if is_float(x) { sample(x.shape(), Dom::Real, 700 + i as u32) } else { jnp::zeros_like(x).unwrap() }).collect();
        let (ys, tys) = jvp(&f, &xs, &ts).unwrap();
        if !is_float(&ys[0]) {
            continue;
        }
        let (_, pb) = vjp(&f, &xs).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let ct = lax::convert_element_type(&sample(ys[0].shape(), Dom::Real, 333), ys[0].dtype()).unwrap();
        let cts = pb.call(&[ct.clone()]).unwrap_or_else(|e| panic!("pullback of {}: {e}", c.name));
        let dot = |a: &Array, b: &Array| -> f64 { f64v(a).iter().zip(f64v(b)).map(|(x, y)| x * y).sum() };
        let lhs: f64 = cts.iter().zip(&ts).zip(&xs).filter(|(_, x)| is_float(x)).map(|((c, t), _)| dot(c, t)).sum();
        let rhs = dot(&ct, &tys[0]);
        close(&[lhs], &[rhs], 1e-6, 1e-9, &format!("<vjp(c), t> = <c, jvp(t)> for {}", c.name));
    }
}

#[test]
fn vmap_matches_a_loop() {
    let b = 3;
    for c in cases() {
        let f = fun(&c);
        let n = c.args.len();
        // per-example inputs, then stacked along the chosen axis
        let per: Vec<Vec<Array>> = (0..b).map(|k| inputs(&c, 10 + k as u32)).collect();
        let want: Vec<Array> = per.iter().map(|xs| f.call(xs).unwrap().pop().unwrap()).collect();
        let want = jnp::stack(&want.iter().collect::<Vec<_>>(), 0).unwrap();
        let mut variants: Vec<Vec<Option<isize>>> = vec![vec![Some(0); n], vec![Some(-1); n]];
        if n > 1 {
            // the first, then the last operand unmapped
            for unmapped in [0, n - 1] {
                let mut v = vec![Some(0); n];
                v[unmapped] = None;
                variants.push(v);
            }
        }
        for axes in variants {
            let args: Vec<Array> = (0..n)
                .map(|i| match axes[i] {
                    None => per[0][i].clone(),
                    Some(a) => {
                        let xs: Vec<&Array> = per.iter().map(|p| &p[i]).collect();
                        let ax = if a < 0 { xs[0].ndim() as isize } else { 0 };
                        jnp::stack(&xs, ax).unwrap()
                    }
                })
                .collect();
            let want = if axes.iter().any(Option::is_none) {
                // an unmapped argument is example 0's for every member
                let ys: Vec<Array> = (0..b).map(|k| {
                    let xs: Vec<Array> = (0..n).map(|i| if axes[i].is_none() { per[0][i].clone() } else { per[k][i].clone() }).collect();
                    f.call(&xs).unwrap().pop().unwrap()
                }).collect();
                jnp::stack(&ys.iter().collect::<Vec<_>>(), 0).unwrap()
            } else {
                want.clone()
            };
            let got = vmap(&f, &axes, &[Some(0)], None).call(&args).unwrap_or_else(|e| panic!("vmap of {} with in_axes {axes:?}: {e}", c.name));
            assert_eq!(got[0].shape(), want.shape(), "vmap of {} with in_axes {axes:?}", c.name);
            close(&f64v(&got[0]), &f64v(&want), 1e-12, 1e-12, &format!("vmap of {} with in_axes {axes:?}", c.name));
        }
    }
}

#[test]
fn grad_of_grad_matches_differences_of_grad() {
    let eps = 1e-5;
    for c in cases().into_iter().filter(|c| c.smooth) {
        let xs = inputs(&c, 4);
        if !is_float(&xs[0]) {
            continue;
        }
        let body = c.f.clone();
        let w = sample(body(&xs).unwrap().shape(), Dom::Real, 55);
        let w1 = w.clone();
        let s = Function::new("s", move |x| {
            let y = body(x)?;
            let y = lax::convert_element_type(&y, DType::F64)?;
            Ok(vec![jnp::sum(&jnp::multiply(&y, &w1)?, None, false)?])
        });
        let g1 = grad(&s);
        let v = sample(xs[0].shape(), Dom::Real, 66);
        let v1 = v.clone();
        let g1c = g1.clone();
        let s2 = Function::new("s2", move |x| Ok(vec![jnp::sum(&jnp::multiply(&g1c.call(x)?[0], &v1)?, None, false)?]));
        let hv = grad(&s2).call(&xs).unwrap_or_else(|e| panic!("grad of grad of {}: {e}", c.name));
        let at = |s: f64| -> Vec<f64> {
            let mut x = xs.clone();
            x[0] = jnp::add(&xs[0], &jnp::multiply(&v, &jnp::scalar(s)).unwrap()).unwrap();
            f64v(&g1.call(&x).unwrap()[0])
        };
        let fd: Vec<f64> = at(eps).iter().zip(at(-eps)).map(|(a, b)| (a - b) / (2.0 * eps)).collect();
        close(&f64v(&hv[0]), &fd, 1e-4, 1e-5, &format!("grad of grad of {}", c.name));
    }
}


#[test]
fn stop_gradient_blocks_derivatives() {
    // d/dx [x * stop_gradient(x)] = stop_gradient(x), whose derivative is 0 (as in JAX)
    let f = Function::new("f", |x| Ok(vec![lax::mul(&x[0], &lax::stop_gradient(&x[0])?)?]));
    let x = Array::scalar(3.0f64);
    assert_eq!(f64v(&grad(&f).call(&[x.clone()]).unwrap()[0]), vec![3.0]);
    assert_eq!(f64v(&grad(&grad(&f)).call(&[x]).unwrap()[0]), vec![0.0]);
}
