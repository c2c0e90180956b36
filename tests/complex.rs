//! Complex numbers and the FFT, computed by XLA (eager operations go there
//! as one-op programs): checked against arithmetic done on the host in f64
//! (a naive DFT for the FFT), derivatives against JAX's convention (a
//! complex cotangent is dL/dRe - i dL/dIm) and finite differences.

use jaxcore::lax;
use jaxcore::numpy as jnp;
use jaxcore::prim::FftKind;
use jaxcore::runtime::host::{Cf32, Complex};
use jaxcore::transform::{grad, jit, vjp};
use jaxcore::{Array, DType, Function};

fn c(v: &[(f32, f32)], shape: &[usize]) -> Array {
    let data: Vec<Cf32> = v.iter().map(|&(re, im)| Complex { re, im }).collect();
    Array::from_slice(&data, shape).unwrap()
}
fn parts(x: &Array) -> Vec<(f64, f64)> {
    x.to_vec::<Cf32>().unwrap().iter().map(|z| (z.re as f64, z.im as f64)).collect()
}
fn close(got: &[(f64, f64)], want: &[(f64, f64)], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (g, w) in got.iter().zip(want) {
        assert!((g.0 - w.0).abs() <= tol * (1.0 + w.0.abs()) && (g.1 - w.1).abs() <= tol * (1.0 + w.1.abs()), "{what}: {got:?} vs {want:?}");
    }
}
fn cmul(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

#[test]
fn arithmetic_parts_and_promotion() {
    let z = c(&[(1.0, 2.0), (3.0, -1.0)], &[2]);
    let w = c(&[(2.0, -1.0), (0.5, 0.5)], &[2]);
    let (zz, ww) = (parts(&z), parts(&w));
    close(&parts(&jnp::multiply(&z, &w).unwrap()), &[cmul(zz[0], ww[0]), cmul(zz[1], ww[1])], 1e-6, "z * w");
    close(&parts(&jnp::add(&z, &w).unwrap()), &[(3.0, 1.0), (3.5, -0.5)], 1e-6, "z + w");
    // exp(a + ib) = e^a (cos b + i sin b)
    let e: Vec<(f64, f64)> = zz.iter().map(|&(a, b)| (a.exp() * b.cos(), a.exp() * b.sin())).collect();
    close(&parts(&jnp::exp(&z).unwrap()), &e, 1e-5, "exp");
    let abs = jnp::abs(&z).unwrap();
    assert_eq!(abs.dtype(), DType::F32);
    let want: Vec<f64> = zz.iter().map(|&(a, b)| a.hypot(b)).collect();
    for (g, w) in abs.to_f64_vec().unwrap().iter().zip(&want) {
        assert!((g - w).abs() < 1e-5);
    }
    assert_eq!(lax::real(&z).unwrap().to_f64_vec().unwrap(), vec![1.0, 3.0]);
    assert_eq!(lax::imag(&z).unwrap().to_f64_vec().unwrap(), vec![2.0, -1.0]);
    close(&parts(&lax::conj(&z).unwrap()), &[(1.0, -2.0), (3.0, 1.0)], 0.0, "conj");
    let re = Array::from_slice(&[1.0f32, 2.0], &[2]).unwrap();
    close(&parts(&lax::complex(&re, &re).unwrap()), &[(1.0, 1.0), (2.0, 2.0)], 0.0, "complex");
    // float32 with complex64 is complex64; a weak complex scalar keeps float32 arrays complex64
    assert_eq!(jnp::add(&re, &z).unwrap().dtype(), DType::C64);
    assert_eq!(jnp::multiply(&re, &jnp::complex_scalar(0.0, 1.0)).unwrap().dtype(), DType::C64);
    // complex -> real keeps the real part
    assert_eq!(lax::convert_element_type(&z, DType::F32).unwrap().to_f64_vec().unwrap(), vec![1.0, 3.0]);
    // ordering comparisons are refused, with the op named
    let e = lax::lt(&z, &w).unwrap_err();
    assert!(e.msg.contains("not ordered"), "{e}");
    // a jitted complex program gives the eager values
    let f = Function::new("zw", |xs| Ok(vec![jnp::multiply(&jnp::exp(&xs[0])?, &xs[1])?]));
    let eager = parts(&f.call(&[z.clone(), w.clone()]).unwrap()[0]);
    close(&parts(&jit(&f, &[], &[]).call(&[z, w]).unwrap()[0]), &eager, 1e-6, "jit");
}

#[test]
fn fft_against_a_naive_dft() {
    let xs: Vec<(f32, f32)> = (0..6).map(|k| ((k as f32).sin(), (0.3 * k as f32).cos())).collect();
    let x = c(&xs, &[6]);
    let n = xs.len();
    let dft = |sign: f64| -> Vec<(f64, f64)> {
        (0..n)
            .map(|k| {
                let mut acc = (0.0, 0.0);
                for (j, &(a, b)) in xs.iter().enumerate() {
                    let t = sign * 2.0 * std::f64::consts::PI * (j * k) as f64 / n as f64;
                    let p = cmul((a as f64, b as f64), (t.cos(), t.sin()));
                    acc = (acc.0 + p.0, acc.1 + p.1);
                }
                acc
            })
            .collect()
    };
    close(&parts(&lax::fft(&x, FftKind::Fft, &[6]).unwrap()), &dft(-1.0), 1e-5, "fft");
    let inv: Vec<(f64, f64)> = dft(1.0).iter().map(|&(a, b)| (a / n as f64, b / n as f64)).collect();
    close(&parts(&lax::fft(&x, FftKind::Ifft, &[6]).unwrap()), &inv, 1e-5, "ifft");
    // rfft of the real parts: the first n/2 + 1 frequencies of their DFT
    let r = lax::real(&x).unwrap();
    let rf = lax::fft(&r, FftKind::Rfft, &[6]).unwrap();
    assert_eq!(rf.shape(), &[4]);
    let back = lax::fft(&rf, FftKind::Irfft, &[6]).unwrap();
    for (g, w) in back.to_f64_vec().unwrap().iter().zip(r.to_f64_vec().unwrap()) {
        assert!((g - w).abs() < 1e-5, "irfft(rfft(x)) = x");
    }
    let e = lax::fft(&r, FftKind::Fft, &[6]).unwrap_err();
    assert!(e.msg.contains("complex operand"), "{e}");
}

#[test]
fn derivatives_follow_jax_convention() {
    // grad |z|^2 at 1+1j is 2 - 2j in JAX (dL/dRe - i dL/dIm = 2 - 2i)
    let f = Function::new("abs2", |xs| {
        let a = jnp::abs(&xs[0])?;
        Ok(vec![jnp::multiply(&a, &a)?])
    });
    let z = c(&[(1.0, 1.0)], &[]);
    close(&parts(&grad(&f).call(&[z.clone()]).unwrap()[0]), &[(2.0, -2.0)], 1e-6, "grad |z|^2");
    // the vjp of a complex-linear map is multiplication by the same factor (no conjugate)
    let sq = Function::new("sq", |xs| Ok(vec![jnp::multiply(&xs[0], &xs[0])?]));
    let (_, pull) = vjp(&sq, &[z.clone()]).unwrap();
    let one = c(&[(1.0, 0.0)], &[]);
    close(&parts(&pull.call(&[one]).unwrap()[0]), &[(2.0, 2.0)], 1e-6, "vjp z^2");
    // d/dx sum(irfft(x (1 + 0.5i))^3) against central differences (real input)
    let loss = |v: &[f64]| -> f64 {
        let n = 8;
        (0..n)
            .map(|j| {
                let mut y = 0.0;
                for (k, &r) in v.iter().enumerate() {
                    let w = if k == 0 || k == n / 2 { 1.0 } else { 2.0 };
                    let t = 2.0 * std::f64::consts::PI * (j * k) as f64 / n as f64;
                    // Re((r + 0.5 r i) e^{it}) = r cos t - 0.5 r sin t; Im of the DC and Nyquist bins is ignored
                    let im = if k == 0 || k == n / 2 { 0.0 } else { 0.5 * r };
                    y += w * (r * t.cos() - im * t.sin());
                }
                (y / n as f64).powi(3)
            })
            .sum()
    };
    let g = Function::new("irfft_loss", |xs| {
        let zc = jnp::multiply(&xs[0], &jnp::complex_scalar(1.0, 0.5))?;
        let y = lax::fft(&zc, FftKind::Irfft, &[8])?;
        Ok(vec![jnp::sum(&jnp::multiply(&jnp::multiply(&y, &y)?, &y)?, None, false)?])
    });
    let v = [0.0f32, 1.0, 2.0, 3.0, 4.0];
    let got = grad(&g).call(&[Array::from_slice(&v, &[5]).unwrap()]).unwrap()[0].to_f64_vec().unwrap();
    let v64: Vec<f64> = v.iter().map(|&x| x as f64).collect();
    for i in 0..5 {
        let (mut hi, mut lo) = (v64.clone(), v64.clone());
        hi[i] += 1e-6;
        lo[i] -= 1e-6;
        let fd = (loss(&hi) - loss(&lo)) / 2e-6;
        assert!((got[i] - fd).abs() < 1e-3 * (1.0 + fd.abs()), "d/dx{i}: {} vs {fd}", got[i]);
    }
}
