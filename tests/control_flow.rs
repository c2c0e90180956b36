//! Control flow and custom derivatives under every transformation: each
//! result is checked against the same program written without the
//! construct (a Rust loop, the unrolled body, both branches evaluated),
//! against central finite differences, and compiled against interpreted.

use jaxcore::control_flow::{checkpoint, custom_jvp, custom_vjp};
use jaxcore::lax;
use jaxcore::numpy as jnp;
use jaxcore::transform::{grad, jit, jvp, linearize, vmap};
use jaxcore::{make_graph, random, Array, Aval, DType, Function};

fn v(x: &Array) -> Vec<f64> {
    x.to_f64_vec().unwrap()
}
fn close(a: &[f64], b: &[f64], tol: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= tol * (1.0 + y.abs()), "{what}: {a:?} vs {b:?}");
    }
}
fn s(x: f64) -> Array {
    Array::scalar(x)
}
fn f1(name: &str, f: impl Fn(&[Array]) -> jaxcore::Result<Array> + Send + Sync + 'static) -> Function {
    Function::new(name, move |a| Ok(vec![f(a)?]))
}
/// Central differences of a scalar function of one vector.
fn fd(f: &Function, x: &Array) -> Vec<f64> {
    let base = v(x);
    let h = 1e-6;
    (0..base.len())
        .map(|i| {
            let mut p = base.clone();
            let mut m = base.clone();
            p[i] += h;
            m[i] -= h;
            let at = |u: Vec<f64>| v(&f.call(&[jnp::array_f64(&u, x.shape(), Some(DType::F64)).unwrap()]).unwrap()[0])[0];
            (at(p) - at(m)) / (2.0 * h)
        })
        .collect()
}
fn arr(x: &[f64]) -> jaxcore::Result<Array> {
    jnp::array_f64(x, &[x.len()], Some(DType::F64))
}
fn normal(seed: u32, shape: &[usize]) -> Array {
    random::normal(&random::key(seed as i64), shape, DType::F64).unwrap()
}

// ---- cond / switch ----

fn branchy() -> Function {
    // x.sum() > 0 ? sin(x) * y : cos(x) - y, then summed
    f1("branchy", |a| {
        let (x, y) = (a[0].clone(), a[1].clone());
        let pred = jnp::greater(&jnp::sum(&x, None, false)?, &s(0.0))?;
        let t = f1("t", |o| jnp::multiply(&jnp::sin(&o[0])?, &o[1]));
        let f = f1("f", |o| jnp::subtract(&jnp::cos(&o[0])?, &o[1]));
        jnp::sum(&lax::cond(&pred, &t, &f, &[x, y])?[0], None, false)
    })
}

#[test]
fn cond_grad_on_both_branches_jit_and_vmap() {
    let y = normal(1, &[3]);
    for (seed, sign) in [(0, 1.0), (5, -1.0)] {
        let x = jnp::multiply(&jnp::abs(&normal(seed, &[3])).unwrap(), &s(sign)).unwrap();
        let yc = y.clone();
        let of_x = Function::new("of_x", move |a| branchy().call(&[a[0].clone(), yc.clone()]));
        let g = grad(&branchy()).call(&[x.clone(), y.clone()]).unwrap();
        close(&v(&g[0]), &fd(&of_x, &x), 1e-6, "grad through cond");
        let jg = jit(&grad(&branchy()), &[], &[]).call(&[x.clone(), y.clone()]).unwrap();
        close(&v(&jg[0]), &v(&g[0]), 1e-12, "jit(grad(cond))");
    }
    // a batched predicate: each row takes its own branch
    let xs = normal(3, &[5, 3]);
    let got = vmap(&branchy(), &[Some(0), None], &[Some(0)], None).call(&[xs.clone(), y.clone()]).unwrap();
    let gg = vmap(&grad(&branchy()), &[Some(0), None], &[Some(0)], None).call(&[xs.clone(), y.clone()]).unwrap();
    for i in 0..5 {
        let xi = lax::index_in_dim(&xs, i, 0, false).unwrap();
        close(&[v(&got[0])[i]], &v(&branchy().call(&[xi.clone(), y.clone()]).unwrap()[0]), 1e-12, "vmap(cond) row");
        close(&v(&gg[0])[i * 3..i * 3 + 3], &v(&grad(&branchy()).call(&[xi, y.clone()]).unwrap()[0]), 1e-12, "vmap(grad(cond)) row");
    }
    let jv = jit(&vmap(&branchy(), &[Some(0), None], &[Some(0)], None), &[], &[]).call(&[xs, y]).unwrap();
    close(&v(&jv[0]), &v(&got[0]), 1e-12, "jit(vmap(cond))");
}

#[test]
fn switch_clamps_and_checks_branch_types() {
    let branches: Vec<Function> = (0..3).map(|k| f1("b", move |o| jnp::multiply(&o[0], &s(k as f64 + 1.0)))).collect();
    for (i, want) in [(-4, 1.0), (0, 1.0), (1, 2.0), (2, 3.0), (9, 3.0)] {
        let out = lax::switch(&Array::scalar(i as i32), &branches, &[s(1.0)]).unwrap();
        assert_eq!(v(&out[0]), vec![want], "index {i}");
        let b = branches.clone();
        let j = jit(&Function::new("sw", move |a| lax::switch(&a[0], &b, &[s(1.0)])), &[], &[]).call(&[Array::scalar(i as i32)]).unwrap();
        assert_eq!(v(&j[0]), vec![want], "jit index {i}");
    }
    let bad = vec![f1("a", |o| Ok(o[0].clone())), f1("b", |o| jnp::stack(&[&o[0], &o[0]], 0))];
    let err = lax::switch(&Array::scalar(0i32), &bad, &[s(1.0)]).unwrap_err();
    assert!(err.to_string().contains("branch 0 and 1 outputs must have same type structure"), "{err}");
    let err = lax::cond(&arr(&[1.0, 2.0]).unwrap(), &bad[0], &bad[0], &[s(1.0)]).unwrap_err();
    assert!(err.to_string().contains("Pred must be a scalar"), "{err}");
}

// ---- while_loop / fori_loop ----

/// Newton's iteration for sqrt(a) from x0 = a until |x^2 - a| < 1e-12
/// (a trip count that depends on the input).
fn newton_sqrt() -> Function {
    f1("newton", |a| {
        let a0 = a[0].clone();
        let a1 = a0.clone();
        let cond = f1("c", move |c| jnp::greater(&jnp::abs(&jnp::subtract(&jnp::multiply(&c[0], &c[0])?, &a0)?)?, &s(1e-12)));
        let body = f1("b", move |c| jnp::multiply(&s(0.5), &jnp::add(&c[0], &jnp::divide(&a1, &c[0])?)?));
        Ok(lax::while_loop(&cond, &body, &[a[0].clone()])?.remove(0))
    })
}

#[test]
fn while_loop_grad_with_a_data_dependent_trip_count() {
    for a in [2.0, 9.0, 0.3] {
        let x = s(a);
        assert!((v(&newton_sqrt().call(&[x.clone()]).unwrap()[0])[0] - a.sqrt()).abs() < 1e-12);
        // the unrolled loop, to the count it ran
        let mut steps = 0;
        let mut c = a;
        while (c * c - a).abs() > 1e-12 {
            c = 0.5 * (c + a / c);
            steps += 1;
        }
        let unrolled = f1("unrolled", move |x| {
            let mut c = x[0].clone();
            for _ in 0..steps {
                c = jnp::multiply(&s(0.5), &jnp::add(&c, &jnp::divide(&x[0], &c)?)?)?;
            }
            Ok(c)
        });
        let g = grad(&newton_sqrt()).call(&[x.clone()]).unwrap();
        close(&v(&g[0]), &v(&grad(&unrolled).call(&[x.clone()]).unwrap()[0]), 1e-12, "grad(while) vs unrolled");
        let jg = jit(&grad(&newton_sqrt()), &[], &[]).call(&[x.clone()]).unwrap();
        close(&v(&jg[0]), &v(&g[0]), 1e-12, "jit(grad(while))");
        let (_, t) = jvp(&newton_sqrt(), &[x.clone()], &[s(1.0)]).unwrap();
        close(&v(&t[0]), &v(&g[0]), 1e-12, "jvp(while)");
    }
}

#[test]
fn long_while_loop_differentiates_with_a_small_checkpoint_stack() {
    // x <- x + 1e-4 * sin(x), 10,000 times, with the count in the carry
    let f = f1("long", |a| {
        let cond = Function::new("c", |c| Ok(vec![jnp::less(&c[0], &Array::scalar(10_000i32))?]));
        let body = Function::new("b", |c| Ok(vec![jnp::add(&c[0], &Array::scalar(1i32))?, jnp::add(&c[1], &jnp::multiply(&s(1e-4), &jnp::sin(&c[1])?)?)?]));
        Ok(lax::while_loop(&cond, &body, &[Array::scalar(0i32), a[0].clone()])?.remove(1))
    });
    let g = jit(&grad(&f), &[], &[]).call(&[s(1.0)]).unwrap();
    let want = fd(&f, &s(1.0));
    close(&v(&g[0]), &want, 1e-6, "grad of a 10,000-step while loop");
    // the reverse sweep's saved carries: a fixed stack, not one per step
    let gr = make_graph(|a| grad(&f).call(a), &[Aval::scalar(DType::F64)]).unwrap();
    let text = gr.to_string();
    assert!(text.contains("f64[34]"), "the checkpoint stack holds 34 carries:\n{text}");
    assert!(!text.contains("10000,"), "nothing is stored per step:\n{text}");
}

#[test]
fn vmap_of_while_with_a_batched_predicate_equals_a_loop() {
    let xs = arr(&[2.0, 9.0, 0.3, 100.0]).unwrap();
    let got = vmap(&newton_sqrt(), &[Some(0)], &[Some(0)], None).call(&[xs.clone()]).unwrap();
    let g = vmap(&grad(&newton_sqrt()), &[Some(0)], &[Some(0)], None).call(&[xs.clone()]).unwrap();
    let jg = jit(&vmap(&grad(&newton_sqrt()), &[Some(0)], &[Some(0)], None), &[], &[]).call(&[xs.clone()]).unwrap();
    for (i, a) in v(&xs).into_iter().enumerate() {
        close(&[v(&got[0])[i]], &v(&newton_sqrt().call(&[s(a)]).unwrap()[0]), 1e-15, "vmap(while)");
        close(&[v(&g[0])[i]], &v(&grad(&newton_sqrt()).call(&[s(a)]).unwrap()[0]), 1e-12, "vmap(grad(while))");
    }
    close(&v(&jg[0]), &v(&g[0]), 1e-12, "jit(vmap(grad(while)))");
}

#[test]
fn fori_loop_of_ten_steps_equals_the_hand_loop() {
    let body = Function::new("b", |a| {
        let i = jnp::astype(&a[0], DType::F64)?;
        Ok(vec![jnp::add(&jnp::multiply(&a[1], &s(0.9))?, &jnp::sin(&jnp::multiply(&i, &a[1])?)?)?])
    });
    let b2 = body.clone();
    let f = f1("fori", move |a| Ok(lax::fori_loop(&Array::scalar(0i32), &Array::scalar(10i32), &b2, &[a[0].clone()])?.remove(0)));
    let x = arr(&[0.5, -1.0]).unwrap();
    let mut want = v(&x);
    for i in 0..10 {
        want = want.iter().map(|c| c * 0.9 + (i as f64 * c).sin()).collect();
    }
    close(&v(&f.call(&[x.clone()]).unwrap()[0]), &want, 1e-14, "fori_loop");
    close(&v(&jit(&f, &[], &[]).call(&[x.clone()]).unwrap()[0]), &want, 1e-12, "jit(fori_loop)");
    let total = {
        let f = f.clone();
        f1("total", move |a| jnp::sum(&f.call(a)?[0], None, false))
    };
    let unrolled = f1("unrolled", |a| {
        let mut c = a[0].clone();
        for i in 0..10 {
            c = jnp::add(&jnp::multiply(&c, &s(0.9))?, &jnp::sin(&jnp::multiply(&s(i as f64), &c)?)?)?;
        }
        jnp::sum(&c, None, false)
    });
    close(&v(&grad(&total).call(&[x.clone()]).unwrap()[0]), &v(&grad(&unrolled).call(&[x.clone()]).unwrap()[0]), 1e-12, "grad(fori_loop)");
    // traced bounds: a while loop
    let b3 = body.clone();
    let g = Function::new("fori_dyn", move |a| lax::fori_loop(&Array::scalar(0i32), &a[1], &b3, &[a[0].clone()]));
    close(&v(&jit(&g, &[], &[]).call(&[x.clone(), Array::scalar(10i32)]).unwrap()[0]), &want, 1e-12, "fori_loop with a traced bound");
}

// ---- scan ----

/// An RNN-like scan: h <- tanh(W h + x_t), ys = h . v
fn rnn() -> Function {
    Function::new("rnn", |a| {
        let (w, xs, vv) = (a[0].clone(), a[1].clone(), a[2].clone());
        let (w2, v2) = (w.clone(), vv.clone());
        let step = Function::new("step", move |c| {
            let h = jnp::tanh(&jnp::add(&jnp::matmul(&w2, &c[0])?, &c[1])?)?;
            let y = jnp::dot(&h, &v2)?;
            Ok(vec![h, y])
        });
        let h0 = jnp::zeros(&[3], DType::F64)?;
        let (h, ys) = lax::scan(&step, &[h0], &[xs], None, false, 1)?;
        Ok(vec![jnp::add(&jnp::sum(&ys[0], None, false)?, &jnp::sum(&h[0], None, false)?)?])
    })
}
fn rnn_unrolled() -> Function {
    Function::new("rnn_unrolled", |a| {
        let (w, xs, vv) = (&a[0], &a[1], &a[2]);
        let mut h = jnp::zeros(&[3], DType::F64)?;
        let mut total = s(0.0);
        for t in 0..xs.shape()[0] {
            h = jnp::tanh(&jnp::add(&jnp::matmul(w, &h)?, &lax::index_in_dim(xs, t, 0, false)?)?)?;
            total = jnp::add(&total, &jnp::dot(&h, vv)?)?;
        }
        Ok(vec![jnp::add(&total, &jnp::sum(&h, None, false)?)?])
    })
}

#[test]
fn scan_grad_equals_the_unrolled_loop_and_compiles() {
    let (w, xs, vv) = (jnp::multiply(&normal(0, &[3, 3]), &s(0.5)).unwrap(), normal(1, &[6, 3]), normal(2, &[3]));
    let args = vec![w.clone(), xs.clone(), vv.clone()];
    close(&v(&rnn().call(&args).unwrap()[0]), &v(&rnn_unrolled().call(&args).unwrap()[0]), 1e-12, "scan value");
    let gs = jaxcore::transform::grad_with(&rnn(), &[0, 1, 2], false).call(&args).unwrap();
    let gu = jaxcore::transform::grad_with(&rnn_unrolled(), &[0, 1, 2], false).call(&args).unwrap();
    for (a, b) in gs.iter().zip(&gu) {
        close(&v(a), &v(b), 1e-12, "grad(scan) vs unrolled");
    }
    let gj = jit(&jaxcore::transform::grad_with(&rnn(), &[0, 1, 2], false), &[], &[]).call(&args).unwrap();
    for (a, b) in gj.iter().zip(&gu) {
        close(&v(a), &v(b), 1e-12, "jit(grad(scan))");
    }
    // forward mode and linearize
    let tw = normal(7, &[3, 3]);
    let (_, t) = jvp(&rnn(), &args, &[tw.clone(), jnp::zeros_like(&xs).unwrap(), jnp::zeros_like(&vv).unwrap()]).unwrap();
    let (_, tu) = jvp(&rnn_unrolled(), &args, &[tw.clone(), jnp::zeros_like(&xs).unwrap(), jnp::zeros_like(&vv).unwrap()]).unwrap();
    close(&v(&t[0]), &v(&tu[0]), 1e-12, "jvp(scan)");
    let (_, lin) = linearize(&rnn(), &args).unwrap();
    close(&v(&lin.call(&[tw, jnp::zeros_like(&xs).unwrap(), jnp::zeros_like(&vv).unwrap()]).unwrap()[0]), &v(&tu[0]), 1e-12, "linearize(scan)");
    // second order
    let g1 = grad(&rnn());
    let hv = grad(&Function::new("s", move |a| Ok(vec![jnp::sum(&g1.call(a)?[0], None, false)?]))).call(&args).unwrap();
    let g1u = grad(&rnn_unrolled());
    let hvu = grad(&Function::new("s", move |a| Ok(vec![jnp::sum(&g1u.call(a)?[0], None, false)?]))).call(&args).unwrap();
    close(&v(&hv[0]), &v(&hvu[0]), 1e-10, "grad(grad(scan))");
}

#[test]
fn scan_vmap_reverse_and_errors() {
    // cumulative sum with a running max as ys, reversed too
    let step = Function::new("step", |c| {
        let sum = jnp::add(&c[0], &c[1])?;
        Ok(vec![sum.clone(), jnp::maximum(&sum, &s(0.0))?])
    });
    let xs = normal(4, &[5, 2]);
    for reverse in [false, true] {
        let (c, ys) = lax::scan(&step, &[jnp::zeros(&[2], DType::F64).unwrap()], &[xs.clone()], None, reverse, 1).unwrap();
        let rows: Vec<Vec<f64>> = (0..5).map(|i| v(&lax::index_in_dim(&xs, i, 0, false).unwrap())).collect();
        let mut acc = vec![0.0; 2];
        let mut want = vec![vec![0.0; 2]; 5];
        let order: Vec<usize> = if reverse { (0..5).rev().collect() } else { (0..5).collect() };
        for i in order {
            acc = acc.iter().zip(&rows[i]).map(|(a, b)| a + b).collect();
            want[i] = acc.iter().map(|a| a.max(0.0)).collect();
        }
        close(&v(&c[0]), &acc, 1e-14, "scan carry");
        close(&v(&ys[0]), &want.concat(), 1e-14, "scan ys");
        let st = step.clone();
        let sf = Function::new("sf", move |a| {
            let (c, ys) = lax::scan(&st, &[a[0].clone()], &[a[1].clone()], None, reverse, 1)?;
            Ok(vec![c[0].clone(), ys[0].clone()])
        });
        let j = jit(&sf, &[], &[]).call(&[jnp::zeros(&[2], DType::F64).unwrap(), xs.clone()]).unwrap();
        close(&v(&j[1]), &want.concat(), 1e-14, "jit(scan) ys");
    }
    // vmap of the RNN over a batch of sequences (batch axis 1 of xs) equals a loop
    let (w, vv) = (jnp::multiply(&normal(0, &[3, 3]), &s(0.5)).unwrap(), normal(2, &[3]));
    let xb = normal(9, &[6, 4, 3]);
    let gb = vmap(&grad(&rnn()), &[None, Some(1), None], &[Some(0)], None).call(&[w.clone(), xb.clone(), vv.clone()]).unwrap();
    for b in 0..4 {
        let xi = lax::index_in_dim(&xb, b, 1, false).unwrap();
        let want = grad(&rnn()).call(&[w.clone(), xi, vv.clone()]).unwrap();
        close(&v(&gb[0])[b * 9..b * 9 + 9], &v(&want[0]), 1e-12, "vmap(grad(scan)) row");
    }
    let err = lax::scan(&step, &[s(0.0)], &[normal(1, &[3]), normal(1, &[4])], None, false, 1).unwrap_err();
    assert!(err.to_string().contains("different leading axis sizes: 3, 4"), "{err}");
    let bad = Function::new("bad", |c| Ok(vec![jnp::stack(&[&c[0], &c[0]], 0)?, c[1].clone()]));
    let err = lax::scan(&bad, &[s(0.0)], &[normal(1, &[3])], None, false, 1).unwrap_err();
    assert!(err.to_string().contains("carry input and carry output must have equal types"), "{err}");
}

// ---- checkpoint ----

#[test]
fn checkpoint_saves_fewer_values_and_keeps_gradients() {
    let layers = |x: &Array| -> jaxcore::Result<Array> {
        let mut h = x.clone();
        for _ in 0..4 {
            h = jnp::sin(&jnp::tanh(&h)?)?;
        }
        Ok(h)
    };
    let plain = f1("plain", move |a| jnp::sum(&layers(&a[0])?, None, false));
    let inner = f1("inner", move |a| layers(&a[0]));
    let remat = checkpoint(&inner);
    let with = f1("with", move |a| jnp::sum(&remat.call(a)?[0], None, false));
    let x = normal(3, &[4]);
    close(&v(&grad(&with).call(&[x.clone()]).unwrap()[0]), &v(&grad(&plain).call(&[x.clone()]).unwrap()[0]), 1e-14, "grad(checkpoint)");
    close(&v(&jit(&grad(&with), &[], &[]).call(&[x.clone()]).unwrap()[0]), &v(&grad(&plain).call(&[x.clone()]).unwrap()[0]), 1e-14, "jit(grad(checkpoint))");
    let residuals = |f: &Function| {
        let g = make_graph(|a| f.call(a), &[Aval::new(&[4], DType::F64)]).unwrap();
        let j = jaxcore::transform::jvp::jvp_graph(&g, &[true]).unwrap();
        jaxcore::transform::linearize::partial_eval(&j, 1).unwrap().num_residuals
    };
    let (r_plain, r_remat) = (residuals(&plain), residuals(&with));
    eprintln!("values saved for the backward pass: {r_plain} without checkpoint, {r_remat} with it");
    assert!(r_remat < r_plain, "checkpoint saves {r_remat} values, plain {r_plain}");
    assert_eq!(r_remat, 1, "only the input is saved");
}

// ---- custom_jvp / custom_vjp ----

fn log1pexp() -> Function {
    let f = f1("log1pexp", |a| jnp::log(&jnp::add(&s(1.0), &jnp::exp(&a[0])?)?));
    let rule = Function::new("log1pexp_jvp", |a| {
        let (x, t) = (&a[0], &a[1]);
        let y = jnp::log(&jnp::add(&s(1.0), &jnp::exp(x)?)?)?;
        // the stable derivative: 1 - 1/(1 + e^x)
        let d = jnp::subtract(&s(1.0), &jnp::divide(&s(1.0), &jnp::add(&s(1.0), &jnp::exp(x)?)?)?)?;
        Ok(vec![y, jnp::multiply(&d, t)?])
    });
    custom_jvp(&f, &rule)
}

#[test]
fn custom_jvp_gives_a_stable_derivative_under_grad_vmap_and_jit() {
    let f = log1pexp();
    let g = grad(&f).call(&[s(100.0)]).unwrap();
    assert_eq!(v(&g[0]), vec![1.0], "no NaN at x=100");
    let naive = f1("naive", |a| jnp::log(&jnp::add(&s(1.0), &jnp::exp(&a[0])?)?));
    assert!(v(&grad(&naive).call(&[s(1000.0)]).unwrap()[0])[0].is_nan(), "the naive derivative is NaN at 1000");
    let xs = arr(&[-3.0, 0.0, 2.0, 100.0]).unwrap();
    let gv = vmap(&grad(&f), &[Some(0)], &[Some(0)], None).call(&[xs.clone()]).unwrap();
    let gj = jit(&vmap(&grad(&f), &[Some(0)], &[Some(0)], None), &[], &[]).call(&[xs.clone()]).unwrap();
    let want: Vec<f64> = v(&xs).iter().map(|x| 1.0 / (1.0 + (-x).exp())).collect();
    close(&v(&gv[0]), &want, 1e-14, "vmap(grad(custom_jvp))");
    close(&v(&gj[0]), &want, 1e-14, "jit(vmap(grad(custom_jvp)))");
    close(&v(&jit(&f, &[], &[]).call(&[s(2.0)]).unwrap()[0]), &[(1.0 + 2f64.exp()).ln()], 1e-14, "jit(custom_jvp)");
    let bad = custom_jvp(&f1("f", |a| Ok(a[0].clone())), &f1("only_one", |a| Ok(a[0].clone())));
    let err = grad(&bad).call(&[s(1.0)]).unwrap_err();
    assert!(err.to_string().contains("Custom JVP rule must produce"), "{err}");
}

fn clip_gradient() -> Function {
    // identity forward; the backward clips the cotangent to [-1, 1]
    let f = f1("clip_gradient", |a| Ok(a[0].clone()));
    let fwd = Function::new("fwd", |a| Ok(vec![a[0].clone()]));
    let bwd = Function::new("bwd", |a| Ok(vec![jnp::clip(&a[0], Some(&s(-1.0)), Some(&s(1.0)))?]));
    custom_vjp(&f, &fwd, &bwd)
}

#[test]
fn custom_vjp_clips_gradients_under_grad_vmap_and_jit() {
    let cg = clip_gradient();
    let cg2 = cg.clone();
    let f = f1("loss", move |a| jnp::sum(&jnp::multiply(&cg2.call(a)?[0], &s(3.0))?, None, false));
    let x = arr(&[1.0, -2.0]).unwrap();
    assert_eq!(v(&grad(&f).call(&[x.clone()]).unwrap()[0]), vec![1.0, 1.0]);
    assert_eq!(v(&jit(&grad(&f), &[], &[]).call(&[x.clone()]).unwrap()[0]), vec![1.0, 1.0]);
    let cg3 = cg.clone();
    let per = f1("per", move |a| jnp::multiply(&cg3.call(&a[..1])?[0], &a[1]));
    let gv = vmap(&grad(&per), &[Some(0), Some(0)], &[Some(0)], None).call(&[x.clone(), arr(&[0.5, -7.0]).unwrap()]).unwrap();
    assert_eq!(v(&gv[0]), vec![0.5, -1.0]);
    assert_eq!(v(&cg.call(&[x.clone()]).unwrap()[0]), v(&x));
    let err = jvp(&cg, &[x.clone()], &[x.clone()]).unwrap_err();
    assert!(err.to_string().contains("can't apply forward-mode autodiff (jvp) to a custom_vjp function"), "{err}");
}

#[test]
fn grad_through_a_while_loop_whose_body_holds_a_scan() {
    // x -> twice: v = scan(v, xs) with carry a*b + sin(a); the body's JVP is
    // a joint scan whose primal part must be split off before transposing
    let f = f1("while_of_scan", |x| {
        let cond = Function::new("cond", |c: &[Array]| Ok(vec![lax::lt(&c[0], &Array::scalar(2i32))?]));
        let body = Function::new("body", |c: &[Array]| {
            let step = Function::new("step", |ab: &[Array]| {
                let a = jnp::add(&jnp::multiply(&ab[0], &ab[1])?, &jnp::sin(&ab[0])?)?;
                Ok(vec![a])
            });
            let xs = arr(&[0.5, 1.0, 1.5])?;
            let (carry, _) = jaxcore::control_flow::scan(&step, &[c[1].clone()], &[xs], None, false, 1)?;
            Ok(vec![lax::add(&c[0], &Array::scalar(1i32))?, carry[0].clone()])
        });
        let out = jaxcore::control_flow::while_loop(&cond, &body, &[Array::scalar(0i32), jnp::sum(&x[0], None, false)?])?;
        Ok(out[1].clone())
    });
    for a in [0.3, -0.8] {
        let x = arr(&[a]).unwrap();
        let g = grad(&f).call(&[x.clone()]).unwrap();
        close(&v(&g[0]), &fd(&f, &x), 1e-6, "grad(while(scan)) vs central differences");
        let jg = jit(&grad(&f), &[], &[]).call(&[x]).unwrap();
        close(&v(&jg[0]), &v(&g[0]), 1e-12, "jit(grad(while(scan)))");
    }
}

#[test]
fn closure_convert_hoists_the_tracers_a_function_closes_over() {
    use jaxcore::control_flow::closure_convert;
    // concrete closures stay inside: nothing hoisted
    let c = Array::scalar(3.0f64);
    let f = Function::new("times_c", move |xs| Ok(vec![jnp::multiply(&xs[0], &c)?]));
    let (g, hoisted) = closure_convert(&f, &[Array::scalar(1.0f64)]).unwrap();
    assert!(hoisted.is_empty());
    assert_eq!(v(&g.call(&[Array::scalar(2.0f64)]).unwrap()[0]), vec![6.0]);
    // under grad the closed-over y is a tracer: hoisted as the leading input,
    // and the derivative flows through it when passed back explicitly
    let outer = Function::new("outer", |ys| {
        let y = ys[0].clone();
        let inner = Function::new("sin_x_times_y", move |xs| Ok(vec![jnp::multiply(&jnp::sin(&xs[0])?, &y)?]));
        let (g, hoisted) = closure_convert(&inner, &[Array::scalar(0.5f64)])?;
        assert_eq!(hoisted.len(), 1);
        g.call(&[hoisted[0].clone(), Array::scalar(0.5f64)])
    });
    let d = grad(&outer).call(&[Array::scalar(2.0f64)]).unwrap();
    close(&v(&d[0]), &[0.5f64.sin()], 1e-12, "d/dy sin(0.5) y");
}
