//! Every exported function, given null handles and null out-pointers,
//! returns an error status (never crashes); every primitive is reachable
//! through `jc_op` under its `lax.` name.

use jaxcore::capi::*;
use std::ffi::CString;
use std::ptr::{null, null_mut};

fn invalid(s: jc_status) -> bool {
    s == JC_ERR_INVALID_ARGUMENT
}

#[test]
fn every_function_refuses_null_handles() {
    let (a, f, c, d): (jc_array, jc_fn, jc_client, jc_device) = (null_mut(), null_mut(), null_mut(), null_mut());
    let m: jc_mesh = null_mut();
    let mut om: jc_mesh = null_mut();
    let mut oa: jc_array = null_mut();
    let mut of: jc_fn = null_mut();
    let mut n = 0usize;
    let mut b = false;
    let mut dt = 0u32;
    let mut i = 0i64;
    let mut buf = [0i8; 8];
    unsafe {
        let checks: Vec<(&str, jc_status)> = vec![
            ("jc_add", jc_add(a, a, &mut oa)),
            ("jc_subtract", jc_subtract(a, a, &mut oa)),
            ("jc_multiply", jc_multiply(a, a, &mut oa)),
            ("jc_divide", jc_divide(a, a, &mut oa)),
            ("jc_matmul", jc_matmul(a, a, &mut oa)),
            ("jc_tanh", jc_tanh(a, &mut oa)),
            ("jc_exp", jc_exp(a, &mut oa)),
            ("jc_log", jc_log(a, &mut oa)),
            ("jc_negative", jc_negative(a, &mut oa)),
            ("jc_sum", jc_sum(a, &mut oa)),
            ("jc_array_to_host", jc_array_to_host(a, null_mut(), 0)),
            ("jc_array_ndim", jc_array_ndim(a, &mut n)),
            ("jc_array_shape", jc_array_shape(a, &mut i, 1)),
            ("jc_array_dtype", jc_array_dtype(a, &mut dt)),
            ("jc_array_size", jc_array_size(a, &mut n)),
            ("jc_array_weak_type", jc_array_weak_type(a, &mut b)),
            ("jc_array_is_tracer", jc_array_is_tracer(a, &mut b)),
            ("jc_array_known_value", jc_array_known_value(a, &mut oa)),
            ("jc_array_to_string", jc_array_to_string(a, buf.as_mut_ptr(), 8, &mut n)),
            ("jc_array_block_until_ready", jc_array_block_until_ready(a)),
            ("jc_array_retain", jc_array_retain(a, &mut oa)),
            ("jc_array_from_host (null shape)", jc_array_from_host(JC_FLOAT32, null(), 1, null(), 4, &mut oa)),
            ("jc_array_scalar (null out)", jc_array_scalar(JC_FLOAT32, 1.0, null_mut())),
            ("jc_weak_float (null out)", jc_weak_float(1.0, null_mut())),
            ("jc_weak_int (null out)", jc_weak_int(1, null_mut())),
            ("jc_dtype_from_name", jc_dtype_from_name(null(), &mut dt)),
            ("jc_op (null name)", jc_op(null(), null(), 0, null(), &mut oa, 1, &mut n)),
            ("jc_op (null arg)", jc_op(c"exp".as_ptr(), &a, 1, null(), &mut oa, 1, &mut n)),
            ("jc_op_exists", jc_op_exists(null(), &mut b)),
            ("jc_fn_from_callback", jc_fn_from_callback(None, null_mut(), None, null(), &mut of)),
            ("jc_fn_call", jc_fn_call(f, null(), 0, &mut oa, 1, &mut n)),
            ("jc_grad", jc_grad(f, null(), 0, false, &mut of)),
            ("jc_value_and_grad", jc_value_and_grad(f, null(), 0, false, &mut of)),
            ("jc_vmap", jc_vmap(f, &0, 1, null(), 0, -1, &mut of)),
            ("jc_jit", jc_jit(f, null(), 0, null(), 0, &mut of)),
            ("jc_jacfwd", jc_jacfwd(f, null(), 0, &mut of)),
            ("jc_jacrev", jc_jacrev(f, null(), 0, &mut of)),
            ("jc_hessian", jc_hessian(f, null(), 0, &mut of)),
            ("jc_jvp", jc_jvp(f, null(), null(), 0, &mut oa, &mut oa, 1, &mut n)),
            ("jc_vjp", jc_vjp(f, null(), 0, &mut oa, 1, &mut n, &mut of)),
            ("jc_fn_graph_string", jc_fn_graph_string(f, null(), 0, buf.as_mut_ptr(), 8, &mut n)),
            ("jc_fn_stablehlo", jc_fn_stablehlo(f, null(), 0, buf.as_mut_ptr(), 8, &mut n)),
            ("jc_default_backend (null len)", jc_default_backend(buf.as_mut_ptr(), 8, null_mut())),
            ("jc_array_free_all (null list)", jc_array_free_all(null(), 2)),
            ("jc_client_open", jc_client_open(null(), null(), null_mut())),
            ("jc_client_default (null out)", jc_client_default(null_mut())),
            ("jc_client_platform", jc_client_platform(c, buf.as_mut_ptr(), 8, &mut n)),
            ("jc_client_device_count", jc_client_device_count(c, &mut n)),
            ("jc_client_device", jc_client_device(c, 0, null_mut())),
            ("jc_device_id", jc_device_id(d, &mut i)),
            ("jc_array_device_put", jc_array_device_put(a, d, &mut oa)),
            ("jc_array_device_index", jc_array_device_index(a, &mut i)),
            ("jc_make_mesh (null names)", jc_make_mesh([8usize].as_ptr(), null(), null(), 1, &mut om)),
            ("jc_mesh_size", jc_mesh_size(m, &mut n)),
            ("jc_mesh_to_string", jc_mesh_to_string(m, buf.as_mut_ptr(), 8, &mut n)),
            ("jc_device_put_sharded", jc_device_put_sharded(a, m, null(), 0, &mut oa)),
            ("jc_reshard", jc_reshard(a, m, null(), 0, &mut oa)),
            ("jc_array_type_string", jc_array_type_string(a, buf.as_mut_ptr(), 8, &mut n)),
            ("jc_array_sharding_string", jc_array_sharding_string(a, buf.as_mut_ptr(), 8, &mut n)),
            ("jc_array_shard_count", jc_array_shard_count(a, &mut n)),
            ("jc_array_shard", jc_array_shard(a, 0, null_mut(), null_mut(), 0, &mut oa)),
            ("jc_shard_map", jc_shard_map(f, m, null(), null(), 0, null(), null(), 0, &mut of)),
        ];
        let bad: Vec<&str> = checks.iter().filter(|(_, s)| !invalid(*s) && *s != JC_ERR_RUNTIME).map(|(n, _)| *n).collect();
        assert!(bad.is_empty(), "these did not report an invalid argument: {bad:?}");
        // frees accept null
        assert_eq!(jc_array_free(a), JC_OK);
        assert_eq!(jc_fn_free(f), JC_OK);
        assert_eq!(jc_client_free(c), JC_OK);
        assert_eq!(jc_device_free(d), JC_OK);
        assert_eq!(jc_mesh_free(m), JC_OK);
        // 0 devices is a bad value, not a crash
        assert_eq!(jc_set_cpu_device_count(0), JC_ERR_VALUE);
        // the functions without handles
        assert!(jc_abi_version() >= 1000);
        assert_eq!(jc_config_set_x64(false), JC_OK);
        let _ = (jc_last_error(), jc_last_status(), jc_array_live_count(), jc_fn_live_count());
        jc_set_error(JC_ERR_VALUE, null());
    }
}

#[test]
fn every_primitive_is_reachable_by_name() {
    let names = [
        "neg", "sign", "floor", "ceil", "round", "is_finite", "exp", "exp2", "log", "log1p", "expm1", "tanh", "logistic", "sin", "cos", "tan",
        "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "sqrt", "rsqrt", "cbrt", "abs", "not", "erf", "erfc", "erf_inv",
        "lgamma", "digamma", "polygamma", "square", "integer_pow", "add", "sub", "mul", "div", "rem", "pow", "max", "min", "atan2", "and",
        "or", "xor", "shift_left", "shift_right_logical", "shift_right_arithmetic", "nextafter", "eq", "ne", "lt", "le", "gt", "ge",
        "select_n", "clamp", "convert_element_type", "bitcast_convert_type", "stop_gradient", "broadcast_in_dim", "reshape", "transpose",
        "squeeze", "expand_dims", "rev", "slice", "dynamic_slice", "dynamic_update_slice", "concatenate", "pad", "iota", "gather",
        "scatter", "scatter_add", "scatter_mul", "scatter_min", "scatter_max", "reduce_sum", "reduce_max", "reduce_min", "reduce_prod",
        "reduce_and", "reduce_or", "argmax", "argmin", "cumsum", "cumprod", "cummax", "cummin", "dot_general", "sort", "threefry2x32", "psum", "pmean", "pmax", "pmin", "all_gather",
        "psum_scatter", "ppermute", "all_to_all", "axis_index",
    ];
    let mut missing = Vec::new();
    for n in names {
        let c = CString::new(format!("lax.{n}")).unwrap();
        let mut b = false;
        unsafe { assert_eq!(jc_op_exists(c.as_ptr(), &mut b), JC_OK) };
        if !b {
            missing.push(n);
        }
    }
    assert!(missing.is_empty(), "lax primitives not reachable through jc_op: {missing:?}");
}

/// `jc_op` with length-prefixed list parameters computes what lax computes.
#[test]
fn list_parameters_decode_as_documented() {
    use std::ffi::c_void;
    unsafe {
        let v: Vec<f32> = (0..6).map(|x| x as f32).collect();
        let mut x: jc_array = null_mut();
        assert_eq!(jc_array_from_host(JC_FLOAT32, [2i64, 3].as_ptr(), 2, v.as_ptr() as *const c_void, 24, &mut x), JC_OK);
        let run = |name: &std::ffi::CStr, args: &[jc_array], ints: &[i64]| -> Vec<f32> {
            let mut p: jc_params = std::mem::zeroed();
            p.struct_size = std::mem::size_of::<jc_params>();
            p.ints = ints.as_ptr();
            p.n_ints = ints.len();
            p.dtype = -1;
            let (mut out, mut n) = (null_mut(), 0usize);
            assert_eq!(jc_op(name.as_ptr(), args.as_ptr(), args.len(), &p, &mut out, 1, &mut n), JC_OK, "{}", std::ffi::CStr::from_ptr(jc_last_error()).to_string_lossy());
            let mut size = 0;
            jc_array_size(out, &mut size);
            let mut host = vec![0f32; size];
            jc_array_to_host(out, host.as_mut_ptr() as *mut c_void, size * 4);
            jc_array_free(out);
            host
        };
        // broadcast_in_dim: shape (2, 2, 3), dims (1, 2)
        assert_eq!(run(c"lax.broadcast_in_dim", &[x], &[3, 2, 2, 3, 2, 1, 2])[6..], [0., 1., 2., 3., 4., 5.]);
        // slice: start (0, 1), limit (2, 3), strides (1, 2)
        assert_eq!(run(c"lax.slice", &[x], &[2, 0, 1, 2, 2, 3, 2, 1, 2]), vec![1., 4.]);
        // dot_general x . x^T: contract (1,) with (1,), no batch
        assert_eq!(run(c"lax.dot_general", &[x, x], &[1, 1, 1, 1, 0, 0]), vec![5., 14., 14., 50.]);
        jc_array_free(x);
    }
}
