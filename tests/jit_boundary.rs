//! A jitted function used inside another trace stays one `pjit` equation
//! whose rules recurse: grad, vmap and nesting through the boundary equal
//! the same program without it, interpreted and compiled.

use jaxcore::numpy as jnp;
use jaxcore::transform::{grad, jit, value_and_grad, vmap};
use jaxcore::{make_graph, random, Array, Aval, DType, Function};

fn f64v(x: &Array) -> Vec<f64> {
    x.to_f64_vec().unwrap()
}
fn close(a: &[f64], b: &[f64], what: &str) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= 1e-10 * (1.0 + y.abs()), "{what}: {a:?} vs {b:?}");
    }
}

fn inner() -> Function {
    Function::new("inner", |a| Ok(vec![jnp::multiply(&jnp::sin(&a[0])?, &jnp::exp(&a[1])?)?]))
}

#[test]
fn the_boundary_is_one_equation() {
    let j = jit(&inner(), &[], &[]);
    let jc = j.clone();
    let g = make_graph(move |a| Ok(vec![jnp::sum(&jc.call(a)?[0], None, false)?]), &[Aval::new(&[3], DType::F64), Aval::new(&[3], DType::F64)]).unwrap();
    assert_eq!(g.eqns.iter().filter(|e| e.prim.name() == "pjit").count(), 1, "{g}");
    assert!(g.to_string().contains("pjit[name=inner"), "{g}");
}

#[test]
fn grad_vmap_and_nesting_through_the_boundary() {
    let x = random::normal(&random::key(0), &[4], DType::F64).unwrap();
    let y = random::normal(&random::key(1), &[4], DType::F64).unwrap();
    let plain = inner();
    let jitted = jit(&inner(), &[], &[]);
    let total = |f: Function| Function::new("total", move |a| Ok(vec![jnp::sum(&f.call(a)?[0], None, false)?]));
    // grad w.r.t. both arguments
    let (gp, gj) = (value_and_grad(&total(plain.clone()), &[0, 1], false), value_and_grad(&total(jitted.clone()), &[0, 1], false));
    let (a, b) = (gp.call(&[x.clone(), y.clone()]).unwrap(), gj.call(&[x.clone(), y.clone()]).unwrap());
    for (p, q) in a.iter().zip(&b) {
        close(&f64v(q), &f64v(p), "value_and_grad through jit");
    }
    // second order: grad of grad
    let g2 = |f: Function| {
        let g1 = grad(&total(f));
        grad(&Function::new("s", move |a| Ok(vec![jnp::sum(&g1.call(a)?[0], None, false)?])))
    };
    close(&f64v(&g2(jitted.clone()).call(&[x.clone(), y.clone()]).unwrap()[0]), &f64v(&g2(plain.clone()).call(&[x.clone(), y.clone()]).unwrap()[0]), "grad of grad");
    // vmap over the boundary, and jit of the whole thing
    let xs = random::normal(&random::key(2), &[3, 4], DType::F64).unwrap();
    let vp = vmap(&plain, &[Some(0), None], &[Some(0)], None).call(&[xs.clone(), y.clone()]).unwrap();
    let vj = vmap(&jitted, &[Some(0), None], &[Some(0)], None).call(&[xs.clone(), y.clone()]).unwrap();
    close(&f64v(&vj[0]), &f64v(&vp[0]), "vmap through jit");
    let outer = jit(&grad(&total(jitted.clone())), &[], &[]);
    close(&f64v(&outer.call(&[x.clone(), y.clone()]).unwrap()[0]), &f64v(&a[1]), "jit(grad(jit))");
    let pe = jit(&vmap(&grad(&total(jitted)), &[Some(0), None], &[Some(0)], None), &[], &[]);
    let want = vmap(&grad(&total(plain)), &[Some(0), None], &[Some(0)], None).call(&[xs.clone(), y.clone()]).unwrap();
    close(&f64v(&pe.call(&[xs, y]).unwrap()[0]), &f64v(&want[0]), "jit(vmap(grad(jit)))");
}

#[test]
fn a_jitted_closure_over_an_outer_tracer() {
    // d/dy of jit(lambda x: x * y)(2.0) = 2: the inner jit closes over y
    let f = Function::new("f", |ys| {
        let y = ys[0].clone();
        let inner = jit(&Function::new("mul", move |xs| Ok(vec![jnp::multiply(&xs[0], &y)?])), &[], &[]);
        inner.call(&[Array::scalar(2.0f64)])
    });
    assert_eq!(f64v(&grad(&f).call(&[Array::scalar(5.0f64)]).unwrap()[0]), vec![2.0]);
    assert_eq!(f64v(&grad(&f).call(&[Array::scalar(7.0f64)]).unwrap()[0]), vec![2.0]);
}
