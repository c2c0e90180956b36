//! jit through XLA's CPU plugin equals the interpreter: every primitive row
//! of the shared table, in f64 and f32, and transformed programs; compile
//! caching; device-resident results.

mod common;

use common::*;
use jaxcore::numpy as jnp;
use jaxcore::transform::{cache_hit_count, compile_count, grad, jit, vmap};
use jaxcore::{Array, DType, Function};

fn have_plugin() -> bool {
    let ok = jaxcore::runtime::default_client().is_some();
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "CI must run these tests on the CPU plugin");
        eprintln!("skipping: no PJRT plugin (run scripts/fetch_cpu_plugin.sh)");
    }
    ok
}

/// Special functions are approximations on both sides (XLA's and ours).
const SPECIAL: [&str; 6] = ["digamma", "lgamma", "erf_inv", "polygamma", "erf", "erfc"];

fn check_same(got: &Array, want: &Array, what: &str) {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    assert_eq!(got.dtype(), want.dtype(), "{what}: dtype");
    let (g, w) = (f64v(got), f64v(want));
    if want.dtype().is_float() {
        let special = SPECIAL.iter().any(|s| what.starts_with(&format!("{s} ")));
        let tol = match (want.dtype() == DType::F64, special) {
            (true, false) => 1e-12,
            (true, true) => 1e-9,
            (false, false) => 2e-6,
            (false, true) => 1e-5,
        };
        close(&g, &w, tol, tol, what);
    } else {
        assert_eq!(g, w, "{what}: integers must match exactly");
    }
}

/// The case with its float inputs cast to `dt`.
fn cast_inputs(xs: &[Array], dt: DType) -> Vec<Array> {
    xs.iter().map(|x| if x.dtype().is_float() { jaxcore::lax::convert_element_type(x, dt).unwrap() } else { x.clone() }).collect()
}

#[test]
fn every_primitive_compiled_equals_the_interpreter() {
    if !have_plugin() {
        return;
    }
    let mut failures = Vec::new();
    for c in cases() {
        for dt in [DType::F64, DType::F32] {
            let f = fun(&c);
            let xs = cast_inputs(&inputs(&c, 5), dt);
            let want = match f.call(&xs) {
                Ok(w) => w,
                Err(_) => continue, // the row is f64-only (e.g. a literal of another type)
            };
            match jit(&f, &[], &[]).call(&xs) {
                Ok(got) => {
                    assert!(got[0].is_on_device(), "jit output stays on the device");
                    let r = std::panic::catch_unwind(|| check_same(&got[0], &want[0], &format!("{} {dt}", c.name)));
                    if r.is_err() {
                        failures.push(format!("{} {dt}: values differ", c.name));
                    }
                }
                Err(e) => failures.push(format!("{} {dt}: {}", c.name, e.msg.lines().next().unwrap_or(""))),
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn transformed_programs_compiled_equal_the_interpreter() {
    if !have_plugin() {
        return;
    }
    let f = Function::new("f", |a| Ok(vec![jnp::sum(&jnp::tanh(&jnp::multiply(&a[0], &a[1])?)?, None, false)?]));
    let xs = jaxcore::random::normal(&jaxcore::random::key(1), &[5, 4], DType::F32).unwrap();
    let w = jaxcore::random::normal(&jaxcore::random::key(2), &[4], DType::F32).unwrap();
    let progs: Vec<(&str, Function, Vec<Array>)> = vec![
        ("grad", grad(&f), vec![xs.clone(), w.clone()]),
        ("grad(grad)", grad(&Function::new("g", {
            let gf = grad(&f);
            move |a| Ok(vec![jnp::sum(&gf.call(a)?[0], None, false)?])
        })), vec![xs.clone(), w.clone()]),
        ("vmap", vmap(&f, &[Some(0), None], &[Some(0)], None), vec![xs.clone(), w.clone()]),
        ("vmap(grad)", vmap(&grad(&f), &[Some(0), None], &[Some(0)], None), vec![xs.clone(), w.clone()]),
    ];
    for (name, p, args) in progs {
        let want = p.call(&args).unwrap();
        let got = jit(&p, &[], &[]).call(&args).unwrap();
        for (g, w) in got.iter().zip(&want) {
            check_same(g, w, name);
        }
    }
}

#[test]
fn seed_values_through_jit() {
    if !have_plugin() {
        return;
    }
    let tanh = Function::new("tanh", |x| Ok(vec![jnp::tanh(&x[0])?]));
    let d3 = jit(&grad(&grad(&grad(&tanh))), &[], &[]);
    let y = d3.call(&[Array::scalar(1.0f32)]).unwrap()[0].to_vec::<f32>().unwrap()[0];
    let want = f32::from_bits(0x3f1f22ed);
    assert!((y.to_bits() as i32 - want.to_bits() as i32).abs() <= 1, "third derivative {y}");
}

#[test]
fn compiles_once_per_signature() {
    if !have_plugin() {
        return;
    }
    let f = jit(&Function::new("sq", |x| Ok(vec![jnp::add(&jnp::multiply(&x[0], &x[0])?, &jnp::multiply(&x[0], &jnp::scalar(2.0))?)?])), &[], &[]);
    let x = jnp::ones(&[4], DType::F32).unwrap();
    let n0 = compile_count();
    let y = f.call(&[x.clone()]).unwrap();
    let n1 = compile_count();
    assert!(n1 > n0, "first call compiles");
    // device-resident output fed back in: no host round trip, no new compile
    let z = f.call(&y).unwrap();
    f.call(&[x.clone()]).unwrap();
    assert_eq!(compile_count(), n1, "same signature, no recompilation");
    assert_eq!(z[0].to_vec::<f32>().unwrap(), vec![15.0; 4]);
    f.call(&[jnp::ones(&[5], DType::F32).unwrap()]).unwrap();
    assert_eq!(compile_count(), n1 + 1, "a new shape compiles again");
}

#[test]
fn static_arguments_are_baked_in() {
    if !have_plugin() {
        return;
    }
    let f = jit(&Function::new("pow", |a| {
        let n = a[1].item_i64()? as i32;
        Ok(vec![jaxcore::lax::integer_pow(&a[0], n)?])
    }), &[1], &[]);
    let x = Array::from_slice(&[2.0f32, 3.0], &[2]).unwrap();
    assert_eq!(f.call(&[x.clone(), Array::scalar(3i32)]).unwrap()[0].to_vec::<f32>().unwrap(), vec![8.0, 27.0]);
    assert_eq!(f.call(&[x, Array::scalar(2i32)]).unwrap()[0].to_vec::<f32>().unwrap(), vec![4.0, 9.0]);
}


#[test]
fn donated_input_is_reused_for_the_output() {
    if !have_plugin() {
        return;
    }
    let f = jit(&Function::new("step", |x| Ok(vec![jnp::add(&jnp::multiply(&x[0], &x[0])?, &jnp::multiply(&x[0], &jnp::scalar(2.0))?)?])), &[], &[0]);
    let mut x = f.call(&[jnp::ones(&[1000], DType::F32).unwrap()]).unwrap();
    for _ in 0..3 {
        x = f.call(&x).unwrap();
    }
    // 1 -> 3 -> 15 -> 255 -> 65535
    assert_eq!(x[0].to_vec::<f32>().unwrap()[..2], [65535.0, 65535.0]);
    // a donated array cannot be read again: an error, not a crash
    let y = f.call(&[jnp::ones(&[1000], DType::F32).unwrap()]).unwrap();
    let z = f.call(&y).unwrap();
    assert_eq!(z[0].to_vec::<f32>().unwrap()[0], 15.0);
    let e = jaxcore::numpy::sum(&y[0], None, false);
    assert!(e.is_err(), "reading a donated buffer must fail");
}

#[test]
fn persistent_cache_reuses_and_survives_corruption() {
    if !have_plugin() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("jaxcore-cc-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::env::set_var("JAXCORE_COMPILE_CACHE", &dir);
    // a program no other test compiles
    let mk = || jit(&Function::new("cc", |x| Ok(vec![jnp::multiply(&jnp::cos(&x[0])?, &jnp::scalar(3.25))?])), &[], &[]);
    let x = jnp::ones(&[7, 3], DType::F32).unwrap();
    let hits0 = cache_hit_count();
    let want = mk().call(&[x.clone()]).unwrap()[0].to_vec::<f32>().unwrap();
    let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()).collect();
    assert!(!entries.is_empty(), "an entry was written");
    // a new jit of the same program loads it instead of compiling
    let got = mk().call(&[x.clone()]).unwrap()[0].to_vec::<f32>().unwrap();
    assert_eq!(got, want);
    assert_eq!(cache_hit_count(), hits0 + 1);
    // corrupt every entry: it is ignored and replaced, never trusted
    for e in std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()) {
        std::fs::write(e.path(), b"jaxcore-compile-cache-v1\ngarbage").unwrap();
    }
    let got = mk().call(&[x]).unwrap()[0].to_vec::<f32>().unwrap();
    assert_eq!(got, want);
    assert_eq!(cache_hit_count(), hits0 + 1, "a corrupt entry is not a hit");
    std::env::remove_var("JAXCORE_COMPILE_CACHE");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn jit_accepts_arguments_on_other_devices() {
    if !have_plugin() {
        return;
    }
    use jaxcore::runtime::pjrt::{cpu_plugin_cache_path, Client, Plugin};
    let other = Client::new(Plugin::load(&cpu_plugin_cache_path()).unwrap(), Some(4)).unwrap();
    let x = Array::from_slice(&[1.0f32, 2.0, 3.0], &[3]).unwrap().device_put(&other, 2).unwrap();
    assert_eq!(x.device_index(), Some(2));
    let f = jit(&Function::new("twice", |a| Ok(vec![jnp::multiply(&a[0], &jnp::scalar(2.0))?])), &[], &[]);
    assert_eq!(f.call(&[x]).unwrap()[0].to_vec::<f32>().unwrap(), vec![2.0, 4.0, 6.0]);
}

#[test]
fn eager_ops_on_large_arrays_run_on_xla_and_match_host_arithmetic() {
    if !have_plugin() {
        return;
    }
    // 400 x 400 = 160,000 elements: above the eager XLA threshold (2^17)
    let (r, c) = (400usize, 400usize);
    let v: Vec<f32> = (0..r * c).map(|i| ((i % 97) as f32) * 0.25 - 3.0).collect();
    let x = Array::from_vec(v.clone(), &[r, c]).unwrap();
    let y = jnp::add(&jnp::multiply(&x, &x).unwrap(), &jnp::multiply(&x, &jnp::scalar(2.0)).unwrap()).unwrap();
    assert!(y.is_on_device(), "a large eager op runs as an XLA program");
    let want: Vec<f64> = v.iter().map(|&a| (a * a + a * 2.0) as f64).collect();
    close(&f64v(&y), &want, 1e-6, 1e-6, "x*x+2x");
    let rows = jnp::sum(&y, Some(&[1]), false).unwrap();
    let want_rows: Vec<f64> = (0..r).map(|i| want[i * c..(i + 1) * c].iter().sum()).collect();
    close(&f64v(&rows), &want_rows, 1e-5, 1e-3, "row sums");
    let p = jnp::matmul(&x, &x).unwrap();
    let xs: Vec<f64> = v.iter().map(|&a| a as f64).collect();
    for &(i, j) in &[(0usize, 0usize), (17, 251), (399, 3)] {
        let dot: f64 = (0..c).map(|k| xs[i * c + k] * xs[k * c + j]).sum();
        let got = f64v(&p)[i * c + j];
        assert!((got - dot).abs() <= 1e-4 * dot.abs().max(1.0), "matmul[{i},{j}]: {got} vs {dot}");
    }
    // small arrays stay on the interpreter
    let small = jnp::multiply(&jnp::ones(&[8], DType::F32).unwrap(), &jnp::scalar(3.0)).unwrap();
    assert!(!small.is_on_device());
}

/// Compiled transcendental functions on long vectors (XLA vectorizes them
/// in blocks; the XLA of jaxlib 0.10.2+ got `atan` wrong past 64 elements,
/// jax-ml/jax#39352) against Rust's f64 functions.
#[test]
fn compiled_transcendentals_on_long_vectors_are_accurate() {
    if !have_plugin() {
        return;
    }
    use jaxcore::lax;
    type Op = (&'static str, fn(&Array) -> jaxcore::Result<Array>, fn(f64) -> f64, f64, f64);
    let ops: [Op; 14] = [
        ("atan", lax::atan, f64::atan, -8.0, 8.0),
        ("asin", lax::asin, f64::asin, -0.99, 0.99),
        ("acos", lax::acos, f64::acos, -0.99, 0.99),
        ("tan", lax::tan, f64::tan, -1.4, 1.4),
        ("sinh", lax::sinh, f64::sinh, -5.0, 5.0),
        ("cosh", lax::cosh, f64::cosh, -5.0, 5.0),
        ("asinh", lax::asinh, f64::asinh, -8.0, 8.0),
        ("atanh", lax::atanh, f64::atanh, -0.99, 0.99),
        ("tanh", lax::tanh, f64::tanh, -4.0, 4.0),
        ("exp", lax::exp, f64::exp, -8.0, 8.0),
        ("log", lax::log, f64::ln, 0.01, 50.0),
        ("log1p", lax::log1p, f64::ln_1p, -0.9, 50.0),
        ("sin", lax::sin, f64::sin, -8.0, 8.0),
        ("cbrt", lax::cbrt, f64::cbrt, -8.0, 8.0),
    ];
    let n = 1000;
    for (name, op, reference, lo, hi) in ops {
        let xs: Vec<f32> = (0..n).map(|i| (lo + (hi - lo) * ((i * 37 % n) as f64 + 0.5) / n as f64) as f32).collect();
        let x = Array::from_vec(xs.clone(), &[n]).unwrap();
        let f = jit(&Function::new(name, move |a| Ok(vec![op(&a[0])?])), &[], &[]);
        let got = f64v(&f.call(&[x]).unwrap()[0]);
        let want: Vec<f64> = xs.iter().map(|&v| reference(v as f64)).collect();
        close(&got, &want, 1e-5, 1e-6, &format!("jit({name}) on {n} elements"));
    }
}

/// A program whose result cannot fit the host is refused before XLA sees it
/// (the CPU plugin dies compiling a 4 TB iota).
#[test]
fn jitted_results_larger_than_the_host_are_refused_before_compiling() {
    if !have_plugin() || !std::path::Path::new("/proc/meminfo").exists() {
        return;
    }
    let f = jit(&Function::new("huge", |_| Ok(vec![jaxcore::lax::iota(DType::F32, &[1 << 40], 0)?])), &[], &[]);
    let err = f.call(&[]).unwrap_err().to_string();
    assert!(err.contains("RESOURCE_EXHAUSTED") && err.contains("f32[1099511627776]"), "{err}");
}
