//! Control flow and custom derivatives through the C ABI: `lax.cond`,
//! `switch`, `while_loop`, `fori_loop`, `scan` take `jc_fn` sub-functions
//! (callbacks from any language) and write their results; `checkpoint`,
//! `custom_jvp` and `custom_vjp` make new `jc_fn` handles.

use super::array::{arr, arrs, jc_array};
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
