//! Eight threads calling one jitted function through the C ABI at once,
//! each with its own inputs, get their own correct results.

use jaxcore::capi::*;
use std::ffi::c_void;

unsafe extern "C" fn poly(_: *mut c_void, ins: *const jc_array, _: usize, outs: *mut jc_array, _: usize, n: *mut usize) -> jc_status {
    // x * x + 2 * x
    let x = unsafe { *ins };
    let (mut xx, mut two, mut tx) = (std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut());
    unsafe {
        let mut s = jc_multiply(x, x, &mut xx);
        if s == JC_OK {
            s = jc_weak_float(2.0, &mut two);
        }
        if s == JC_OK {
            s = jc_multiply(two, x, &mut tx);
        }
        if s == JC_OK {
            s = jc_add(xx, tx, outs);
        }
        jc_array_free(xx);
        jc_array_free(two);
        jc_array_free(tx);
        *n = 1;
        s
    }
}

#[test]
fn eight_threads_one_jitted_function() {
    let mut f = std::ptr::null_mut();
    let mut j = std::ptr::null_mut();
    unsafe {
        assert_eq!(jc_fn_from_callback(Some(poly), std::ptr::null_mut(), None, c"poly".as_ptr(), &mut f), JC_OK);
        assert_eq!(jc_jit(f, std::ptr::null(), 0, std::ptr::null(), 0, &mut j), JC_OK);
    }
    let j = j as usize;
    let handles: Vec<_> = (0..8)
        .map(|t| {
            std::thread::spawn(move || {
                for k in 0..50 {
                    let v: Vec<f32> = (0..64).map(|i| (t * 1000 + k * 10 + i) as f32 * 0.01).collect();
                    let shape = [64i64];
                    let mut x = std::ptr::null_mut();
                    let mut y = std::ptr::null_mut();
                    let mut n = 0usize;
                    let mut got = vec![0f32; 64];
                    unsafe {
                        assert_eq!(jc_array_from_host(JC_FLOAT32, shape.as_ptr(), 1, v.as_ptr() as *const c_void, 256, &mut x), JC_OK);
                        assert_eq!(jc_fn_call(j as jc_fn, &x, 1, &mut y, 1, &mut n), JC_OK);
                        assert_eq!(jc_array_to_host(y, got.as_mut_ptr() as *mut c_void, 256), JC_OK);
                        jc_array_free(x);
                        jc_array_free(y);
                    }
                    for (a, b) in v.iter().zip(&got) {
                        assert!((a * a + 2.0 * a - b).abs() <= 1e-4 * (1.0 + b.abs()), "thread {t}: {a} -> {b}");
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    unsafe {
        jc_fn_free(j as jc_fn);
        jc_fn_free(f);
    }
}
