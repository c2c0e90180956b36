//! Control flow and custom derivatives through the C ABI: `lax.cond`,
//! `switch`, `while_loop`, `fori_loop`, `scan` take `jc_fn` sub-functions
//! (callbacks from any language) and write their results; `checkpoint`,
//! `custom_jvp` and `custom_vjp` make new `jc_fn` handles.

use super::array::{arr, arrs, dtype, jc_array, jc_dtype, shape_of};
use crate::ir::Aval;
use super::function::{func, jc_fn, put_fn, write_outputs};
use super::{guard, jc_status, slice};
use crate::control_flow;
use crate::error::Result;
use crate::trace::Function;

/// `lax.cond(pred, true_fn, false_fn, *operands)`: writes the chosen
/// branch's outputs (room for `out_cap`, count to `n_outs`).
#[no_mangle]
pub unsafe extern "C" fn jc_cond(
    pred: jc_array,
    true_fn: jc_fn,
    false_fn: jc_fn,
    operands: *const jc_array,
    n_operands: usize,
    outs: *mut jc_array,
    out_cap: usize,
    n_outs: *mut usize,
) -> jc_status {
    guard(|| {
        let ys = control_flow::cond(&arr(pred)?, &func(true_fn)?, &func(false_fn)?, &arrs(operands, n_operands, "jc_cond operands")?)?;
        write_outputs(ys, outs, out_cap, n_outs, "jc_cond")
    })
}

/// `lax.switch(index, branches, *operands)` (the index is clamped).
#[no_mangle]
pub unsafe extern "C" fn jc_switch(
    index: jc_array,
    branches: *const jc_fn,
    n_branches: usize,
    operands: *const jc_array,
    n_operands: usize,
    outs: *mut jc_array,
    out_cap: usize,
    n_outs: *mut usize,
) -> jc_status {
    guard(|| {
        let bs: Vec<Function> = slice(branches, n_branches, "jc_switch branches")?.iter().map(|&b| func(b)).collect::<Result<_>>()?;
        let ys = control_flow::switch(&arr(index)?, &bs, &arrs(operands, n_operands, "jc_switch operands")?)?;
        write_outputs(ys, outs, out_cap, n_outs, "jc_switch")
    })
}

/// `lax.while_loop(cond_fn, body_fn, init)` over a flat carry of `n` arrays.
#[no_mangle]
pub unsafe extern "C" fn jc_while_loop(cond_fn: jc_fn, body_fn: jc_fn, init: *const jc_array, n: usize, outs: *mut jc_array, out_cap: usize, n_outs: *mut usize) -> jc_status {
    guard(|| {
        let ys = control_flow::while_loop(&func(cond_fn)?, &func(body_fn)?, &arrs(init, n, "jc_while_loop init")?)?;
        write_outputs(ys, outs, out_cap, n_outs, "jc_while_loop")
    })
}

/// `lax.fori_loop(lower, upper, body, init)`: `body` takes (i, carry...)
/// and returns the carry.
#[no_mangle]
pub unsafe extern "C" fn jc_fori_loop(lower: jc_array, upper: jc_array, body: jc_fn, init: *const jc_array, n: usize, outs: *mut jc_array, out_cap: usize, n_outs: *mut usize) -> jc_status {
    guard(|| {
        let ys = control_flow::fori_loop(&arr(lower)?, &arr(upper)?, &func(body)?, &arrs(init, n, "jc_fori_loop init")?)?;
        write_outputs(ys, outs, out_cap, n_outs, "jc_fori_loop")
    })
}

/// `lax.scan(f, init, xs, length, reverse, unroll)`: `f` takes (carry...,
/// x...) and returns (carry..., y...). Writes the final carry then the
/// stacked ys. `length` < 0: taken from the xs.
#[no_mangle]
pub unsafe extern "C" fn jc_scan(
    f: jc_fn,
    init: *const jc_array,
    n_carry: usize,
    xs: *const jc_array,
    n_xs: usize,
    length: i64,
    reverse: bool,
    unroll: i64,
    outs: *mut jc_array,
    out_cap: usize,
    n_outs: *mut usize,
) -> jc_status {
    guard(|| {
        let length = if length < 0 { None } else { Some(length as usize) };
        let (mut carry, ys) = control_flow::scan(&func(f)?, &arrs(init, n_carry, "jc_scan init")?, &arrs(xs, n_xs, "jc_scan xs")?, length, reverse, unroll.max(1) as usize)?;
        carry.extend(ys);
        write_outputs(carry, outs, out_cap, n_outs, "jc_scan")
    })
}

/// `jax.checkpoint(f)`: a function whose intermediates are recomputed in
/// the backward pass instead of saved.
#[no_mangle]
pub unsafe extern "C" fn jc_checkpoint(f: jc_fn, out: *mut jc_fn) -> jc_status {
    guard(|| put_fn(out, control_flow::checkpoint(&func(f)?), "jc_checkpoint"))
}

/// `jax.custom_jvp(f)` with the rule `jvp`: (primals..., tangents...) ->
/// (outputs..., output tangents...).
#[no_mangle]
pub unsafe extern "C" fn jc_custom_jvp(f: jc_fn, jvp: jc_fn, out: *mut jc_fn) -> jc_status {
    guard(|| put_fn(out, control_flow::custom_jvp(&func(f)?, &func(jvp)?), "jc_custom_jvp"))
}

/// `jax.custom_vjp(f)` with `fwd`: primals -> (outputs..., residuals...)
/// and `bwd`: (residuals..., output cotangents...) -> one cotangent per input.
#[no_mangle]
pub unsafe extern "C" fn jc_custom_vjp(f: jc_fn, fwd: jc_fn, bwd: jc_fn, out: *mut jc_fn) -> jc_status {
    guard(|| put_fn(out, control_flow::custom_vjp(&func(f)?, &func(fwd)?, &func(bwd)?), "jc_custom_vjp"))
}

/// `jax.closure_convert(f, *args)`: `*out` gets `f` traced at `args` with
/// the tracers it closes over hoisted as leading inputs (call it with
/// (hoisted..., args...)); the hoisted values go to `consts` (up to
/// `consts_cap`, their number to `n_consts`). Free both when done.
#[no_mangle]
pub unsafe extern "C" fn jc_closure_convert(f: jc_fn, args: *const jc_array, n_args: usize, out: *mut jc_fn, consts: *mut jc_array, consts_cap: usize, n_consts: *mut usize) -> jc_status {
    guard(|| {
        if out.is_null() {
            return Err(super::invalid("jc_closure_convert: the out-pointer is null"));
        }
        let (g, hoisted) = control_flow::closure_convert(&func(f)?, &arrs(args, n_args, "jc_closure_convert args")?)?;
        // the hoisted values first: when they do not fit, nothing is handed out
        write_outputs(hoisted, consts, consts_cap, n_consts, "jc_closure_convert")?;
        put_fn(out, g, "jc_closure_convert")
    })
}

/// `kind` of `jc_host_callback`: `jax.pure_callback`.
pub const JC_CALLBACK_PURE: i32 = 0;
/// `jax.experimental.io_callback(..., ordered=False)`.
pub const JC_CALLBACK_IO: i32 = 1;
/// `jax.experimental.io_callback(..., ordered=True)`.
pub const JC_CALLBACK_IO_ORDERED: i32 = 2;
/// `jax.debug.callback` (what `jax.debug.print` uses).
pub const JC_CALLBACK_DEBUG: i32 = 3;

/// A host callback: `callback` (made by `jc_fn_from_callback`) is called
/// with concrete arrays each time the program runs, eagerly, under `jit`
/// (such programs run on the interpreter) or under vmap and grad, and must
/// return `n_results` arrays of the declared dtypes and shapes (result `i`
/// has `result_ndims[i]` dimensions, taken in order from `result_dims`).
/// `kind` is a `JC_CALLBACK_*`; `vmap_method` 0 none (vmap raises), 1
/// sequential, 2 sequential_unrolled, 3 expand_dims, 4 broadcast_all,
/// 5 legacy_vectorized.
#[no_mangle]
pub unsafe extern "C" fn jc_host_callback(
    callback: jc_fn,
    args: *const jc_array,
    n_args: usize,
    result_dtypes: *const jc_dtype,
    result_ndims: *const usize,
    result_dims: *const i64,
    n_results: usize,
    kind: i32,
    vmap_method: i32,
    outs: *mut jc_array,
    out_cap: usize,
    n_outs: *mut usize,
) -> jc_status {
    use crate::prim::control::callback::{host_callback, CallbackKind, VmapMethod};
    guard(|| {
        let kind = match kind {
            JC_CALLBACK_PURE => CallbackKind::Pure,
            JC_CALLBACK_IO => CallbackKind::Io { ordered: false },
            JC_CALLBACK_IO_ORDERED => CallbackKind::Io { ordered: true },
            JC_CALLBACK_DEBUG => CallbackKind::Debug,
            k => crate::bail!(Value, "jc_host_callback: unknown kind {k} (JC_CALLBACK_PURE, _IO, _IO_ORDERED or _DEBUG)"),
        };
        let dtypes = slice(result_dtypes, n_results, "jc_host_callback result_dtypes")?;
        let ndims = slice(result_ndims, n_results, "jc_host_callback result_ndims")?;
        let total: usize = ndims.iter().try_fold(0usize, |a, &n| a.checked_add(n)).ok_or_else(|| crate::err!(Value, "jc_host_callback: result_ndims overflow"))?;
        let dims = shape_of(result_dims, total, "jc_host_callback result_dims")?;
        let mut at = 0;
        let mut results = Vec::with_capacity(n_results);
        for (&d, &n) in dtypes.iter().zip(ndims) {
            results.push(Aval::new(&dims[at..at + n], dtype(d)?));
            at += n;
        }
        let ys = host_callback(&func(callback)?, &arrs(args, n_args, "jc_host_callback args")?, results, kind, VmapMethod::from_code(vmap_method)?)?;
        write_outputs(ys, outs, out_cap, n_outs, "jc_host_callback")
    })
}
