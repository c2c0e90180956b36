//! The seed README's values through the transformations.

use jaxcore::numpy as jnp;
use jaxcore::transform::{grad, vmap};
use jaxcore::{Array, DType, Function};

fn tanh_fn() -> Function {
    Function::new("tanh", |x| Ok(vec![jnp::tanh(&x[0])?]))
}

/// Within `ulps` float32 ulps of `want`.
fn near_f32(got: f32, want: f32, ulps: i32) {
    let d = (got.to_bits() as i32 - want.to_bits() as i32).abs();
    assert!(d <= ulps, "got {got} ({:#x}), want {want} ({:#x})", got.to_bits(), want.to_bits());
}

#[test]
fn grad_of_tanh() {
    let g = grad(&tanh_fn());
    let y = g.call(&[Array::scalar(1.0f32)]).unwrap()[0].to_vec::<f32>().unwrap()[0];
    near_f32(y, 0.4199743, 1);
}

#[test]
fn third_derivative_of_tanh() {
    let g3 = grad(&grad(&grad(&tanh_fn())));
    let y = g3.call(&[Array::scalar(1.0f32)]).unwrap()[0].to_vec::<f32>().unwrap()[0];
    // the seed README says 0.62162673, JAX 0.10.2 prints 0.6216267 (0x3f1f22ed): one ulp apart
    near_f32(y, f32::from_bits(0x3f1f22ed), 1);
    near_f32(y, 0.62162673, 1);
}

#[test]
fn pairwise_l1_distances_by_nested_vmap() {
    let pts = jaxcore::random::normal(&jaxcore::random::key(0), &[100, 3], DType::F32).unwrap();
    let dist = Function::new("l1", |xs| Ok(vec![jnp::sum(&jnp::abs(&jnp::subtract(&xs[0], &xs[1])?)?, None, false)?]));
    let inner = vmap(&dist, &[None, Some(0)], &[Some(0)], None);
    let outer = vmap(&inner, &[Some(0), None], &[Some(0)], None);
    let d = outer.call(&[pts.clone(), pts.clone()]).unwrap().pop().unwrap();
    assert_eq!(d.shape(), &[100, 100]);
    let p = pts.to_vec::<f32>().unwrap();
    let got = d.to_vec::<f32>().unwrap();
    for i in 0..100 {
        for j in 0..100 {
            let want: f32 = (0..3).map(|k| (p[i * 3 + k] - p[j * 3 + k]).abs()).sum();
            assert!((got[i * 100 + j] - want).abs() <= 1e-6 * want.max(1.0), "({i},{j})");
        }
    }
}
