//! Dispatch through the C ABI (the exported functions, as C calls them):
//! a jitted `x*x+2*x` on f32[4] including the result handle, and eager
//! `jc_add` on f32[4]. JAX from Python on this machine: 7.7 us and 11.7 us
//! (issue 5's figures; see README for same-session ones).
//! Run: `cargo bench --bench capi`.

use jaxcore::capi::*;
use std::ffi::c_void;
use std::time::Instant;

unsafe extern "C" fn poly(_: *mut c_void, ins: *const jc_array, _: usize, outs: *mut jc_array, _: usize, n: *mut usize) -> jc_status {
    let x = unsafe { *ins };
    let (mut xx, mut two, mut tx) = (std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut());
    unsafe {
        jc_multiply(x, x, &mut xx);
        jc_weak_float(2.0, &mut two);
        jc_multiply(two, x, &mut tx);
        let s = jc_add(xx, tx, outs);
        jc_array_free(xx);
        jc_array_free(two);
        jc_array_free(tx);
        *n = 1;
        s
    }
}

fn median_us(mut f: impl FnMut(), n: usize) -> f64 {
    let mut v: Vec<f64> = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[n / 2]
}

fn main() {
    unsafe {
        let (mut f, mut j, mut x, mut y) = (std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut());
        jc_fn_from_callback(Some(poly), std::ptr::null_mut(), None, c"poly".as_ptr(), &mut f);
        jc_jit(f, std::ptr::null(), 0, std::ptr::null(), 0, &mut j);
        let data = [1.0f32, 2.0, 3.0, 4.0];
        let shape = [4i64];
        jc_array_from_host(JC_FLOAT32, shape.as_ptr(), 1, data.as_ptr() as *const c_void, 16, &mut x);
        let mut n = 0usize;
        // warm up (compile), then keep the argument on the device
        jc_fn_call(j, &x, 1, &mut y, 1, &mut n);
        let xd = y;
        let t = median_us(
            || {
                let mut out = std::ptr::null_mut();
                jc_fn_call(j, &xd, 1, &mut out, 1, &mut n);
                jc_array_free(out);
            },
            20000,
        );
        println!("C dispatch jit x*x+2*x f32[4] incl. result handle: {t:.2} us   (JAX from Python 7.7 us; goal <= 2 us)");
        let t = median_us(
            || {
                let mut out = std::ptr::null_mut();
                jc_add(x, x, &mut out);
                jc_array_free(out);
            },
            20000,
        );
        println!("C eager jc_add f32[4]: {t:.2} us   (JAX eager 11.7 us; goal <= 4 us)");
    }
}
