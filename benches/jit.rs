//! jit through XLA's CPU plugin, beside JAX 0.10.2's figures on this
//! project's machine (from issue 4). Run: `cargo bench --bench jit`
//! (fetch the plugin first: scripts/fetch_cpu_plugin.sh).

mod common;

use common::mlp_loss;
use jaxcore::numpy as jnp;
use jaxcore::transform::{grad_with, jit};
use jaxcore::{random, Array, DType, Function};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn time(n: usize, mut f: impl FnMut()) -> f64 {
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f();
        v.push(t.elapsed().as_secs_f64());
    }
    median(v)
}

fn report(what: &str, ours: f64, jax: f64) {
    println!("{what:<58} {:>10.3} ms   JAX {:>8.3} ms   ratio {:.2}", ours * 1e3, jax * 1e3, ours / jax);
}


fn mlp_args() -> Vec<Array> {
    let s = [784usize, 512, 512, 10];
    let mut args = Vec::new();
    for i in 0..3 {
        args.push(jnp::multiply(&random::normal(&random::key(i as i64), &[s[i], s[i + 1]], DType::F32).unwrap(), &jnp::scalar(0.05)).unwrap());
        args.push(jnp::zeros(&[s[i + 1]], DType::F32).unwrap());
    }
    args.push(random::normal(&random::key(10), &[128, 784], DType::F32).unwrap());
    let labels = random::normal(&random::key(11), &[128, 10], DType::F32).unwrap();
    args.push(jnp::one_hot(&jnp::argmax(&labels, Some(-1), false).unwrap(), 10, None).unwrap());
    args
}

/// First call of jit(grad(loss)) (trace + transform + compile or cache load) in this process.
fn first_call() -> f64 {
    let args = mlp_args();
    let t0 = Instant::now();
    let step = jit(&grad_with(&Function::new("loss", mlp_loss), &[0, 1, 2, 3, 4, 5], false), &[], &[]);
    let g = step.call(&args).unwrap();
    g[0].block_until_ready().unwrap();
    t0.elapsed().as_secs_f64()
}

/// Runs `first_call` in a fresh process with the compilation cache in `dir`.
fn first_call_in_new_process(dir: &std::path::Path) -> f64 {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--first-call")
        .env("JAXCORE_COMPILE_CACHE", dir)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

fn main() {
    if jaxcore::runtime::default_client().is_none() {
        eprintln!("no PJRT plugin: run scripts/fetch_cpu_plugin.sh");
        return;
    }
    if std::env::args().any(|a| a == "--first-call") {
        println!("{}", first_call());
        return;
    }
    // dispatch of x*x + 2*x on f32[4], argument already on the device
    let f = jit(&Function::new("f", |x| Ok(vec![jnp::add(&jnp::multiply(&x[0], &x[0])?, &jnp::multiply(&x[0], &jnp::scalar(2.0))?)?])), &[], &[]);
    let x = f.call(&[jnp::ones(&[4], DType::F32).unwrap()]).unwrap();
    let t = time(20000, || {
        let y = f.call(&x).unwrap();
        std::hint::black_box(y);
    });
    report("jit dispatch x*x+2*x f32[4] (Rust)", t, 7.7e-6);

    // the README's 5000x5000 x*x + x*2.0
    let big = random::normal(&random::key(0), &[5000, 5000], DType::F32).unwrap();
    let xb = f.call(&[big]).unwrap();
    xb[0].block_until_ready().unwrap();
    let t = time(15, || {
        let y = f.call(&xb).unwrap();
        y[0].block_until_ready().unwrap();
    });
    report("jit 5000x5000 x*x+x*2.0", t, 47.6e-3);
    let fd = jit(&Function::new("f", |x| Ok(vec![jnp::add(&jnp::multiply(&x[0], &x[0])?, &jnp::multiply(&x[0], &jnp::scalar(2.0))?)?])), &[], &[0]);
    let mut xd = fd.call(&[jnp::zeros(&[5000, 5000], DType::F32).unwrap()]).unwrap();
    let t = time(15, || {
        xd = fd.call(&xd).unwrap();
        xd[0].block_until_ready().unwrap();
    });
    report("jit 5000x5000 x*x+x*2.0, donate_argnums=0 (x = f(x))", t, 5.07e-3);

    // MLP 784-512-512-10, batch 128: first call cold and with a warm cache, each in a new process
    let dir = std::env::temp_dir().join(format!("jaxcore-bench-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    report("MLP jit(grad(loss)) first call, new process, cold", first_call_in_new_process(&dir), 386e-3);
    report("MLP jit(grad(loss)) first call, new process, warm cache", first_call_in_new_process(&dir), 386e-3);
    let _ = std::fs::remove_dir_all(&dir);
    let args = mlp_args();
    let step = jit(&grad_with(&Function::new("loss", mlp_loss), &[0, 1, 2, 3, 4, 5], false), &[], &[]);
    let dev_args: Vec<Array> = args.iter().map(|a| jit(&Function::new("id", |x| Ok(x.to_vec())), &[], &[]).call(&[a.clone()]).unwrap().pop().unwrap()).collect();
    let t = time(200, || {
        let g = step.call(&dev_args).unwrap();
        g[5].block_until_ready().unwrap();
    });
    report("MLP jit(grad(loss)) step", t, 5.17e-3);
}
