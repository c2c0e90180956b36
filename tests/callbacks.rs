//! Host callbacks (pure_callback, io_callback, debug.callback): the host
//! function runs on concrete values at every run, eager or jitted, and its
//! results are checked against the same arithmetic done on the host.

mod common;

use common::*;
use jaxcore::control_flow::{host_callback, CallbackKind, VmapMethod};
use jaxcore::numpy as jnp;
use jaxcore::transform::{grad, jit, vmap};
use jaxcore::{Array, Aval, DType, Function};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A host function computing 3*x + 1 elementwise on concrete values, counting its calls.
fn affine(calls: Arc<AtomicUsize>) -> Function {
    Function::new("affine", move |xs: &[Array]| {
        calls.fetch_add(1, Ordering::SeqCst);
        let v: Vec<f32> = xs[0].to_f64_vec()?.iter().map(|x| (3.0 * x + 1.0) as f32).collect();
        Ok(vec![Array::from_vec(v, xs[0].shape())?])
    })
}

fn f32s(v: &[f32], shape: &[usize]) -> Array {
    Array::from_vec(v.to_vec(), shape).unwrap()
}

#[test]
fn pure_callback_runs_at_every_jitted_call_with_concrete_values() {
    let calls = Arc::new(AtomicUsize::new(0));
    let cb = affine(calls.clone());
    let f = Function::new("f", move |x: &[Array]| {
        let y = host_callback(&cb, &[jnp::sin(&x[0])?], vec![Aval::new(&[3], DType::F32)], CallbackKind::Pure, VmapMethod::Unspecified)?;
        Ok(vec![jnp::multiply(&y[0], &x[0])?])
    });
    let jf = jit(&f, &[], &[]);
    for (k, x) in [[0.5f32, -1.0, 2.0], [1.5, 0.25, -3.0]].iter().enumerate() {
        let got = f64v(&jf.call(&[f32s(x, &[3])]).unwrap()[0]);
        let want: Vec<f64> = x.iter().map(|&v| ((3.0 * (v as f64).sin() + 1.0) as f32 as f64) * v as f64).collect();
        close(&got, &want, 1e-6, 1e-6, "jit(pure_callback)");
        assert_eq!(calls.load(Ordering::SeqCst), k + 1, "the callback runs once per call, not at trace time");
    }
}

#[test]
fn debug_callbacks_survive_simplification_and_see_primals_under_grad() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::<f64>::new()));
    let s2 = seen.clone();
    let printer = Function::new("record", move |xs: &[Array]| {
        s2.lock().unwrap().extend(xs[0].to_f64_vec()?);
        Ok(vec![])
    });
    let f = Function::new("f", move |x: &[Array]| {
        // no outputs: only its effect keeps it in the program
        host_callback(&printer, &[x[0].clone()], vec![], CallbackKind::Debug, VmapMethod::Unspecified)?;
        Ok(vec![jnp::multiply(&x[0], &x[0])?])
    });
    let g = jit(&grad(&f), &[], &[]);
    let d = f64v(&g.call(&[f32s(&[3.0], &[])]).unwrap()[0]);
    assert_eq!(d, vec![6.0]);
    assert_eq!(*seen.lock().unwrap(), vec![3.0]);
    // vmap of a debug callback calls it once per element
    seen.lock().unwrap().clear();
    let vf = jit(&vmap(&f, &[Some(0)], &[Some(0)], None), &[], &[]);
    vf.call(&[f32s(&[1.0, 2.0, 4.0], &[3])]).unwrap();
    assert_eq!(*seen.lock().unwrap(), vec![1.0, 2.0, 4.0]);
}

#[test]
fn pure_callbacks_have_no_jvp_and_vmap_follows_vmap_method() {
    let calls = Arc::new(AtomicUsize::new(0));
    let cb = affine(calls.clone());
    let mk = |m: VmapMethod, shape: Vec<usize>| {
        let cb = cb.clone();
        Function::new("f", move |x: &[Array]| host_callback(&cb, &[x[0].clone()], vec![Aval::new(&shape, DType::F32)], CallbackKind::Pure, m))
    };
    let e = grad(&mk(VmapMethod::Sequential, vec![])).call(&[f32s(&[1.0], &[])]).unwrap_err();
    assert!(e.to_string().contains("Pure callbacks do not support JVP"), "{e}");
    let e = vmap(&mk(VmapMethod::Unspecified, vec![2]), &[Some(0)], &[Some(0)], None).call(&[f32s(&[1.0; 6], &[3, 2])]).unwrap_err();
    assert!(e.to_string().contains("vmap_method"), "{e}");
    let x = f32s(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2]);
    let want: Vec<f64> = (1..=6).map(|v| 3.0 * v as f64 + 1.0).collect();
    calls.store(0, Ordering::SeqCst);
    let seq = vmap(&mk(VmapMethod::Sequential, vec![2]), &[Some(0)], &[Some(0)], None).call(&[x.clone()]).unwrap();
    assert_eq!(f64v(&seq[0]), want);
    assert_eq!(calls.load(Ordering::SeqCst), 3, "sequential: one call per batch element");
    calls.store(0, Ordering::SeqCst);
    // expand_dims: one call on the whole batch (the callback is elementwise, so it handles it)
    let one = vmap(&mk(VmapMethod::ExpandDims, vec![2]), &[Some(0)], &[Some(0)], None).call(&[x]).unwrap();
    assert_eq!(f64v(&one[0]), want);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[test]
fn a_callback_returning_the_wrong_shape_is_an_error_naming_both() {
    let cb = affine(Arc::new(AtomicUsize::new(0)));
    let f = Function::new("f", move |x: &[Array]| host_callback(&cb, &[x[0].clone()], vec![Aval::new(&[4], DType::F32)], CallbackKind::Pure, VmapMethod::Unspecified));
    let e = jit(&f, &[], &[]).call(&[f32s(&[1.0, 2.0], &[2])]).unwrap_err().to_string();
    assert!(e.contains("f32[2]") && e.contains("f32[4]"), "{e}");
}
