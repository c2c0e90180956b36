//! Functions through the C ABI: host callbacks become transformable
//! functions; grad, value_and_grad, vjp, jvp, vmap, jit, jacfwd, jacrev,
//! hessian take and return `jc_fn` handles; calls, graph printing and
//! StableHLO text.

use super::array::{arrs, jc_array, new_arr, put_arr, take_arr, write_string};
use super::registry::Registry;
use super::{cstr, guard, invalid, jc_status, kind_of, last_error, put, slice, JC_OK};
use crate::array::Array;
use crate::error::{Error, Result};
use crate::trace::Function;
use crate::transform;
use std::ffi::{c_char, c_void};

/// Opaque function handle.
#[repr(C)]
pub struct jc_fn_s {
    _private: [u8; 0],
}
/// A transformable function (a host callback, or a transformation of one).
pub type jc_fn = *mut jc_fn_s;

/// A host function: reads `n_inputs` arrays, creates its results with `jc_`
/// calls and writes up to `out_cap` handles to `outputs` (ownership passes
/// to the engine) and their number to `n_outputs`. Returns JC_OK, or an
/// error status after `jc_set_error` (or after a failing `jc_` call, whose
/// message is kept). Input handles are valid during the call only.
pub type jc_callback = Option<unsafe extern "C" fn(user_data: *mut c_void, inputs: *const jc_array, n_inputs: usize, outputs: *mut jc_array, out_cap: usize, n_outputs: *mut usize) -> jc_status>;

/// Releases a callback's user data when the last function using it is freed.
pub type jc_free_fn = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

static FNS: Registry<Function> = Registry::new(2, "jc_fn");

pub(crate) fn func(h: jc_fn) -> Result<Function> {
    FNS.get(h as usize)
}
/// Registers `f` and writes its handle to `out` (null `out` leaks nothing).
pub(crate) fn put_fn(out: *mut jc_fn, f: Function, what: &str) -> Result<()> {
    if out.is_null() {
        return Err(invalid(format!("{what}: the out-pointer is null")));
    }
    put(out, FNS.insert(f) as jc_fn, what)
}

/// The user data of a callback, freed with its destructor when dropped.
struct UserData {
    ptr: *mut c_void,
    free: jc_free_fn,
}
// The callback's owner promises the data may be used from the calling threads.
unsafe impl Send for UserData {}
unsafe impl Sync for UserData {}
impl UserData {
    fn ptr(&self) -> *mut c_void {
        self.ptr
    }
}
impl Drop for UserData {
    fn drop(&mut self) {
        if let Some(f) = self.free {
            // SAFETY: the destructor the caller registered for this pointer; called once.
            unsafe { f(self.ptr) };
        }
    }
}

/// Room for the outputs of a callback (more is reported as an error).
const MAX_CALLBACK_OUTPUTS: usize = 1024;

/// Makes a function from a host callback. `user_data` is passed to every
/// call; `free_user_data` (may be null) runs when the function and every
/// transformation of it are freed. `name` (may be null) names it in graphs.
#[no_mangle]
pub unsafe extern "C" fn jc_fn_from_callback(cb: jc_callback, user_data: *mut c_void, free_user_data: jc_free_fn, name: *const c_char, out: *mut jc_fn) -> jc_status {
    let data = UserData { ptr: user_data, free: free_user_data };
    guard(move || {
        let cb = cb.ok_or_else(|| invalid("jc_fn_from_callback: null callback"))?;
        let name = if name.is_null() { "callback".to_string() } else { super::cstr(name, "jc_fn_from_callback name")?.to_string() };
        let fname = name.clone();
        let f = Function::new(&name, move |xs: &[Array]| {
            let ins: Vec<jc_array> = xs.iter().map(|x| new_arr(x.clone())).collect();
            let mut outs: Vec<jc_array> = vec![std::ptr::null_mut(); MAX_CALLBACK_OUTPUTS];
            let mut n: usize = 0;
            // SAFETY: the callback contract above; buffers are ours and sized as promised.
            let st = unsafe { cb(data.ptr(), ins.as_ptr(), ins.len(), outs.as_mut_ptr(), outs.len(), &mut n) };
            for h in ins {
                let _ = take_arr(h); // the callback may have freed them: ignore
            }
            let claimed = n;
            let n = n.min(MAX_CALLBACK_OUTPUTS);
            let taken: Vec<Result<Array>> = outs[..n].iter().map(|&h| take_arr(h)).collect();
            if st == JC_OK && claimed > MAX_CALLBACK_OUTPUTS {
                crate::bail!(Value, "callback {fname} reported {claimed} outputs but had room for {MAX_CALLBACK_OUTPUTS}");
            }
            if st != JC_OK {
                let (_, msg) = last_error();
                let msg = if msg.is_empty() { format!("callback {fname} failed with status {st}") } else { msg };
                return Err(Error::new(kind_of(st), msg));
            }
            taken.into_iter().enumerate().map(|(i, r)| r.map_err(|e| crate::err!(Value, "callback {fname}: output {i} is not a valid array handle ({})", e.msg))).collect()
        });
        put_fn(out, f, "jc_fn_from_callback")
    })
}

/// Frees a function handle (null is accepted).
#[no_mangle]
pub unsafe extern "C" fn jc_fn_free(f: jc_fn) -> jc_status {
    guard(|| {
        if f.is_null() {
            return Ok(());
        }
        FNS.remove(f as usize).map(|_| ())
    })
}

/// The number of live function handles.
#[no_mangle]
pub extern "C" fn jc_fn_live_count() -> usize {
    FNS.live()
}

/// Calls `f` on `n_inputs` arrays; writes up to `out_cap` result handles to
/// `outputs` and their number to `n_outputs`.
#[no_mangle]
pub unsafe extern "C" fn jc_fn_call(f: jc_fn, inputs: *const jc_array, n_inputs: usize, outputs: *mut jc_array, out_cap: usize, n_outputs: *mut usize) -> jc_status {
    guard(|| {
        let f = func(f)?;
        let xs = arrs(inputs, n_inputs, "jc_fn_call inputs")?;
        let ys = f.call(&xs)?;
        write_outputs(ys, outputs, out_cap, n_outputs, "jc_fn_call")
    })
}

pub(crate) fn write_outputs(ys: Vec<Array>, outputs: *mut jc_array, cap: usize, n: *mut usize, what: &str) -> Result<()> {
    put(n, ys.len(), what)?;
    if ys.len() > cap {
        crate::bail!(Value, "{what}: {} outputs but room for {cap}", ys.len());
    }
    for (i, y) in ys.into_iter().enumerate() {
        // SAFETY: i < cap; put checks for null.
        put_arr(unsafe { outputs.add(i) }, y, what)?;
    }
    Ok(())
}

fn usizes(p: *const i64, n: usize, what: &str) -> Result<Vec<usize>> {
    slice(p, n, what)?.iter().map(|&v| if v < 0 { Err(crate::err!(Value, "{what}: negative index {v}")) } else { Ok(v as usize) }).collect()
}

/// argnums from C: an empty list means (0,), as in JAX.
fn argnums_or_first(p: *const i64, n: usize, what: &str) -> Result<Vec<usize>> {
    let a = usizes(p, n, what)?;
    Ok(if a.is_empty() { vec![0] } else { a })
}

/// `jax.grad(f, argnums, has_aux)`: the returned function gives one gradient
/// per argnum (then the aux outputs). `argnums` null/0 means (0,).
#[no_mangle]
pub unsafe extern "C" fn jc_grad(f: jc_fn, argnums: *const i64, n_argnums: usize, has_aux: bool, out: *mut jc_fn) -> jc_status {
    guard(|| {
        let a = argnums_or_first(argnums, n_argnums, "jc_grad argnums")?;
        put_fn(out, transform::grad_with(&func(f)?, &a, has_aux), "jc_grad")
    })
}

/// `jax.value_and_grad(f, argnums, has_aux)`: outputs are the value, the aux
/// outputs, then one gradient per argnum.
#[no_mangle]
pub unsafe extern "C" fn jc_value_and_grad(f: jc_fn, argnums: *const i64, n_argnums: usize, has_aux: bool, out: *mut jc_fn) -> jc_status {
    guard(|| {
        let a = argnums_or_first(argnums, n_argnums, "jc_value_and_grad argnums")?;
        put_fn(out, transform::value_and_grad(&func(f)?, &a, has_aux), "jc_value_and_grad")
    })
}

/// `None` in `jc_vmap`'s axes.
pub const JC_AXIS_NONE: i64 = i64::MIN;

/// `jax.vmap(f, in_axes, out_axes, axis_size)`: one in_axes entry per argument
/// (or one for all); JC_AXIS_NONE for unmapped; `axis_size` < 0 for none.
#[no_mangle]
pub unsafe extern "C" fn jc_vmap(f: jc_fn, in_axes: *const i64, n_in: usize, out_axes: *const i64, n_out: usize, axis_size: i64, out: *mut jc_fn) -> jc_status {
    unsafe { jc_vmap_named(f, in_axes, n_in, out_axes, n_out, axis_size, std::ptr::null(), out) }
}

/// `jax.vmap(..., axis_name=name)`: collectives over `name` inside `f`
/// (jc_op "lax.psum" ...) act across the mapped axis. `name` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn jc_vmap_named(f: jc_fn, in_axes: *const i64, n_in: usize, out_axes: *const i64, n_out: usize, axis_size: i64, axis_name: *const c_char, out: *mut jc_fn) -> jc_status {
    guard(|| {
        let name = if axis_name.is_null() { None } else { Some(cstr(axis_name, "jc_vmap_named axis_name")?) };
        let conv = |v: &i64| if *v == JC_AXIS_NONE { None } else { Some(*v as isize) };
        let ia: Vec<Option<isize>> = slice(in_axes, n_in, "jc_vmap in_axes")?.iter().map(conv).collect();
        let mut oa: Vec<Option<isize>> = slice(out_axes, n_out, "jc_vmap out_axes")?.iter().map(conv).collect();
        if oa.is_empty() {
            oa.push(Some(0));
        }
        if ia.is_empty() {
            return Err(invalid("jc_vmap: in_axes must have at least one entry"));
        }
        let size = if axis_size < 0 { None } else { Some(axis_size as usize) };
        put_fn(out, transform::vmap_with(&func(f)?, &ia, &oa, size, name), "jc_vmap")
    })
}

/// `jax.jit(f, static_argnums, donate_argnums)`.
#[no_mangle]
pub unsafe extern "C" fn jc_jit(f: jc_fn, static_argnums: *const i64, n_static: usize, donate_argnums: *const i64, n_donate: usize, out: *mut jc_fn) -> jc_status {
    guard(|| {
        let s = usizes(static_argnums, n_static, "jc_jit static_argnums")?;
        let d = usizes(donate_argnums, n_donate, "jc_jit donate_argnums")?;
        put_fn(out, transform::jit(&func(f)?, &s, &d), "jc_jit")
    })
}

/// `jax.jacfwd(f, argnums)`: jacobians of each output w.r.t. each argnum, output-major.
#[no_mangle]
pub unsafe extern "C" fn jc_jacfwd(f: jc_fn, argnums: *const i64, n_argnums: usize, out: *mut jc_fn) -> jc_status {
    guard(|| {
        let a = argnums_or_first(argnums, n_argnums, "jc_jacfwd argnums")?;
        put_fn(out, transform::jacfwd(&func(f)?, &a), "jc_jacfwd")
    })
}

/// `jax.jacrev(f, argnums)`.
#[no_mangle]
pub unsafe extern "C" fn jc_jacrev(f: jc_fn, argnums: *const i64, n_argnums: usize, out: *mut jc_fn) -> jc_status {
    guard(|| {
        let a = argnums_or_first(argnums, n_argnums, "jc_jacrev argnums")?;
        put_fn(out, transform::jacrev(&func(f)?, &a), "jc_jacrev")
    })
}

/// `jax.hessian(f, argnums)`.
#[no_mangle]
pub unsafe extern "C" fn jc_hessian(f: jc_fn, argnums: *const i64, n_argnums: usize, out: *mut jc_fn) -> jc_status {
    guard(|| {
        let a = argnums_or_first(argnums, n_argnums, "jc_hessian argnums")?;
        put_fn(out, transform::hessian(&func(f)?, &a), "jc_hessian")
    })
}

/// `jax.jvp(f, primals, tangents)`: writes `n` outputs... the function's
/// outputs to `outs` and their tangents to `tangent_outs` (room for `out_cap`
/// each); `n_outs` receives the count.
#[no_mangle]
pub unsafe extern "C" fn jc_jvp(f: jc_fn, primals: *const jc_array, tangents: *const jc_array, n: usize, outs: *mut jc_array, tangent_outs: *mut jc_array, out_cap: usize, n_outs: *mut usize) -> jc_status {
    guard(|| {
        let (ys, ts) = transform::jvp(&func(f)?, &arrs(primals, n, "jc_jvp primals")?, &arrs(tangents, n, "jc_jvp tangents")?)?;
        write_outputs(ts, tangent_outs, out_cap, n_outs, "jc_jvp tangents")?;
        write_outputs(ys, outs, out_cap, n_outs, "jc_jvp")
    })
}

/// `jax.vjp(f, *primals)`: writes the outputs (room for `out_cap`, count to
/// `n_outs`) and a pullback function taking one cotangent per output and
/// giving one per input.
#[no_mangle]
pub unsafe extern "C" fn jc_vjp(f: jc_fn, primals: *const jc_array, n: usize, outs: *mut jc_array, out_cap: usize, n_outs: *mut usize, pullback: *mut jc_fn) -> jc_status {
    guard(|| {
        let (ys, pb) = transform::vjp(&func(f)?, &arrs(primals, n, "jc_vjp primals")?)?;
        if pullback.is_null() {
            return Err(invalid("jc_vjp: null pullback out-pointer"));
        }
        write_outputs(ys, outs, out_cap, n_outs, "jc_vjp")?;
        put_fn(pullback, pb, "jc_vjp")
    })
}

/// The graph of `f` traced at the types of `example_inputs`, printed as a
/// jaxpr (`jax.make_jaxpr`), into `buf` (see jc_array_to_string).
#[no_mangle]
pub unsafe extern "C" fn jc_fn_graph_string(f: jc_fn, example_inputs: *const jc_array, n: usize, buf: *mut c_char, cap: usize, len: *mut usize) -> jc_status {
    guard(|| {
        let xs = arrs(example_inputs, n, "jc_fn_graph_string inputs")?;
        let g = func(f)?.graph(&crate::trace::avals_of(&xs))?;
        write_string(&g.to_string(), buf, cap, len)
    })
}

/// The StableHLO text `jit` compiles for `f` at the types of `example_inputs`.
#[no_mangle]
pub unsafe extern "C" fn jc_fn_stablehlo(f: jc_fn, example_inputs: *const jc_array, n: usize, buf: *mut c_char, cap: usize, len: *mut usize) -> jc_status {
    guard(|| {
        let xs = arrs(example_inputs, n, "jc_fn_stablehlo inputs")?;
        let g = func(f)?.graph(&crate::trace::avals_of(&xs))?;
        let g = crate::transform::simplify::simplify(&g);
        write_string(&crate::lower::stablehlo::lower(&g, "main")?, buf, cap, len)
    })
}

/// `jax.config.update("jax_enable_x64", on)`.
#[no_mangle]
pub extern "C" fn jc_config_set_x64(on: bool) -> jc_status {
    guard(|| {
        crate::numpy::set_x64(on);
        Ok(())
    })
}

/// `jax.default_backend()` ("cpu", "cuda", ... or "interp"), into `buf`.
#[no_mangle]
pub unsafe extern "C" fn jc_default_backend(buf: *mut c_char, cap: usize, len: *mut usize) -> jc_status {
    guard(|| write_string(&crate::runtime::default_backend(), buf, cap, len))
}

/// Frees every handle in `hs` (nulls skipped); the first error is reported.
#[no_mangle]
pub unsafe extern "C" fn jc_array_free_all(hs: *const jc_array, n: usize) -> jc_status {
    guard(|| {
        let mut first = None;
        for &h in slice(hs, n, "jc_array_free_all")? {
            if !h.is_null() {
                if let Err(e) = take_arr(h) {
                    first.get_or_insert(e);
                }
            }
        }
        first.map_or(Ok(()), Err)
    })
}

