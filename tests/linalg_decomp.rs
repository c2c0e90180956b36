//! jnp.linalg decompositions against their defining identities (A x = b,
//! A A^-1 = I, L L^T = A, det multiplicative, Jacobi's formula for the
//! gradient of det), batched against a loop, compiled against eager.

use jaxcore::numpy as jnp;
use jaxcore::numpy::decomp;
use jaxcore::transform::{grad, jit};
use jaxcore::{random, Array, DType, Function};

fn v(x: &Array) -> Vec<f64> {
    x.to_f64_vec().unwrap()
}
fn close(a: &[f64], b: &[f64], tol: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}");
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= tol * (1.0 + y.abs()), "{what}: {a:?} vs {b:?}");
    }
}
fn mat(seed: i64, shape: &[usize]) -> Array {
    random::normal(&random::key(seed), shape, DType::F64).unwrap()
}

#[test]
fn solve_inv_det_cholesky_identities() {
    let a = mat(0, &[5, 5]);
    let b = mat(1, &[5, 3]);
    let x = decomp::solve(&a, &b).unwrap();
    close(&v(&jnp::matmul(&a, &x).unwrap()), &v(&b), 1e-10, "A x = b");
    let bv = mat(2, &[5]);
    let xv = decomp::solve(&a, &bv).unwrap();
    assert_eq!(xv.shape(), &[5]);
    close(&v(&jnp::matmul(&a, &xv).unwrap()), &v(&bv), 1e-10, "A x = b (vector)");
    let ai = decomp::inv(&a).unwrap();
    close(&v(&jnp::matmul(&a, &ai).unwrap()), &v(&jnp::eye(5, None, 0, Some(DType::F64)).unwrap()), 1e-10, "A A^-1 = I");
    // det of a triangular matrix is the product of its diagonal; det is multiplicative
    let t = jnp::triu(&a, 0).unwrap();
    let dt: f64 = (0..5).map(|i| v(&t)[i * 5 + i]).product();
    close(&v(&decomp::det(&t).unwrap()), &[dt], 1e-12, "det triangular");
    let c = mat(3, &[5, 5]);
    let dab = v(&decomp::det(&jnp::matmul(&a, &c).unwrap()).unwrap())[0];
    close(&[dab], &[v(&decomp::det(&a).unwrap())[0] * v(&decomp::det(&c).unwrap())[0]], 1e-10, "det(AC) = det A det C");
    let (s, l) = decomp::slogdet(&a).unwrap();
    close(&[v(&s)[0] * v(&l)[0].exp()], &v(&decomp::det(&a).unwrap()), 1e-10, "slogdet");
    // permuting two rows flips the sign
    let p = jnp::take(&a, &Array::from_vec(vec![1i32, 0, 2, 3, 4], &[5]).unwrap(), Some(0)).unwrap();
    close(&v(&decomp::det(&p).unwrap()), &[-v(&decomp::det(&a).unwrap())[0]], 1e-10, "row swap");
    let spd = jnp::add(&jnp::matmul(&a, &jnp::transpose(&a, None).unwrap()).unwrap(), &jnp::eye(5, None, 0, Some(DType::F64)).unwrap()).unwrap();
    let lo = decomp::cholesky(&spd).unwrap();
    close(&v(&jnp::matmul(&lo, &jnp::transpose(&lo, None).unwrap()).unwrap()), &v(&spd), 1e-10, "L L^T = A");
    close(&v(&jnp::triu(&lo, 1).unwrap()), &[0.0; 25], 0.0, "L is lower");
}

#[test]
fn batched_jitted_and_differentiated() {
    let a = mat(4, &[3, 4, 4]);
    let d = decomp::det(&a).unwrap();
    for i in 0..3 {
        let ai = jaxcore::lax::index_in_dim(&a, i, 0, false).unwrap();
        close(&[v(&d)[i]], &v(&decomp::det(&ai).unwrap()), 1e-12, "batched det");
    }
    let f = Function::new("inv", |x| Ok(vec![decomp::inv(&x[0])?]));
    close(&v(&jit(&f, &[], &[]).call(&[a.clone()]).unwrap()[0]), &v(&decomp::inv(&a).unwrap()), 1e-10, "jit(inv)");
    // Jacobi: d det(A) / dA = det(A) A^-T
    let m = mat(5, &[4, 4]);
    let g = grad(&Function::new("det", |x| Ok(vec![decomp::det(&x[0])?]))).call(&[m.clone()]).unwrap();
    let want = jnp::multiply(&decomp::det(&m).unwrap(), &jnp::transpose(&decomp::inv(&m).unwrap(), None).unwrap()).unwrap();
    close(&v(&g[0]), &v(&want), 1e-9, "grad det");
    let gs = grad(&Function::new("s", |x| Ok(vec![jnp::sum(&decomp::solve(&x[0], &x[1])?, None, false)?]))).call(&[m.clone(), mat(6, &[4])]).unwrap();
    // d sum(A^-1 b)/dA = -A^-T 1 x^T
    let x = decomp::solve(&m, &mat(6, &[4])).unwrap();
    let w = decomp::solve(&jnp::transpose(&m, None).unwrap(), &jnp::ones(&[4], DType::F64).unwrap()).unwrap();
    close(&v(&gs[0]), &v(&jnp::negative(&jnp::outer(&w, &x).unwrap()).unwrap()), 1e-9, "grad solve");
    let err = decomp::inv(&mat(7, &[3, 4])).unwrap_err();
    assert!(err.to_string().contains("square"), "{err}");
}
