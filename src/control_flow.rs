//! Control flow and custom derivatives as users call them: JAX's
//! `lax.cond`, `switch`, `while_loop`, `fori_loop`, `scan`, and
//! `checkpoint`, `custom_jvp`, `custom_vjp`. Each traces the user's
//! functions into sub-graphs (closed-over tracers become explicit leading
//! operands) and binds one primitive; the rules are in `prim/control`.

use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::ir::{Aval, Graph};
use crate::lax;
use crate::prim::control::{insert_invars, lift_tracer_consts, same_types, sub, CustomJvp, CustomVjp, FnRef};
use crate::prim::{avals_str, Prim};
use crate::trace::{avals_of, bind, Function};

/// `f` traced at `avals`, with its tracer consts lifted to leading inputs.
fn trace_closed(f: &Function, avals: &[Aval]) -> Result<(Graph, Vec<Array>)> {
    Ok(lift_tracer_consts(&*f.graph(avals)?))
}

/// Traces a loop body whose outputs start with the carry, which must come
/// back with the carry's shapes and dtypes. A weakly typed carry whose
/// output is strong keeps this one trace, as JAX's (its types match up to
/// weak type): values computed from the carry in the body stay weak, the
/// loop's final carry is strong. `prefix` inputs (not carried) come after.
fn trace_carry(f: &Function, prefix: &[Aval], carry: &[Aval], what: &str) -> Result<(Graph, Vec<Array>, Vec<Aval>)> {
    let mut avals = carry.to_vec();
    avals.extend_from_slice(prefix);
    let (g, consts) = trace_closed(f, &avals)?;
    let outs = g.out_avals();
    if outs.len() < carry.len() || !same_types(&outs[..carry.len()], carry) {
        crate::bail!(
            Type,
            "{what} function carry input and carry output must have equal types (the same shapes and dtypes), but the input carry is [{}] and the output carry is [{}]",
            avals_str(carry),
            avals_str(&outs[..carry.len().min(outs.len())])
        );
    }
    Ok((g, consts, carry.to_vec()))
}

/// `lax.switch(index, branches, *operands)`: runs `branches[clamp(index)]`.
pub fn switch(index: &Array, branches: &[Function], operands: &[Array]) -> Result<Vec<Array>> {
    if branches.is_empty() {
        crate::bail!(Value, "Empty branch sequence");
    }
    if index.ndim() != 0 {
        crate::bail!(Type, "Branch index must be scalar, got {}", index.aval());
    }
    if !index.dtype().is_int() {
        crate::bail!(Type, "Index type must be an integer, got {}.", index.dtype());
    }
    let idx = lax::convert_element_type(index, DType::I32)?;
    let idx = lax::clamp(&Array::scalar(0i32), &idx, &Array::scalar(branches.len() as i32 - 1))?;
    bind_cond(&idx, branches, operands, None)
}

/// `lax.cond(pred, true_fun, false_fun, *operands)`.
pub fn cond(pred: &Array, true_fn: &Function, false_fn: &Function, operands: &[Array]) -> Result<Vec<Array>> {
    if pred.ndim() != 0 {
        crate::bail!(Type, "Pred must be a scalar, got {}", pred.aval());
    }
    let p = if pred.dtype() == DType::Bool { pred.clone() } else { lax::ne(pred, &crate::numpy::zeros(&[], pred.dtype())?)? };
    let idx = lax::convert_element_type(&p, DType::I32)?;
    bind_cond(&idx, &[false_fn.clone(), true_fn.clone()], operands, Some(("false_fun", "true_fun")))
}

fn bind_cond(idx: &Array, branches: &[Function], operands: &[Array], names: Option<(&str, &str)>) -> Result<Vec<Array>> {
    let avals = avals_of(operands);
    let traced: Vec<(Graph, Vec<Array>)> = branches.iter().map(|f| trace_closed(f, &avals)).collect::<Result<_>>()?;
    let out0 = traced[0].0.out_avals();
    for (i, (g, _)) in traced.iter().enumerate().skip(1) {
        let outs = g.out_avals();
        if !same_types(&out0, &outs) {
            match names {
                Some((f, t)) => crate::bail!(Type, "{t} and {f} output must have identical types, got\n{t}: [{}]\n{f}: [{}]", avals_str(&outs), avals_str(&out0)),
                None => crate::bail!(Type, "branch 0 and {i} outputs must have same type structure, got [{}] and [{}].", avals_str(&out0), avals_str(&outs)),
            }
        }
    }
    // every branch takes every branch's consts
    let consts: Vec<Array> = traced.iter().flat_map(|(_, c)| c.iter().cloned()).collect();
    let const_avals = avals_of(&consts);
    let mut start = 0;
    let mut graphs = Vec::new();
    for (g, c) in &traced {
        let end = start + c.len();
        let g = insert_invars(g, end, &const_avals[end..]);
        graphs.push(sub(insert_invars(&g, 0, &const_avals[..start])));
        start = end;
    }
    let mut args: Vec<&Array> = vec![idx];
    args.extend(consts.iter());
    args.extend(operands.iter());
    bind(Prim::Cond { branches: graphs }, &args)
}

/// `lax.while_loop(cond_fun, body_fun, init_val)` over a flat carry.
pub fn while_loop(cond_fn: &Function, body_fn: &Function, init: &[Array]) -> Result<Vec<Array>> {
    let (gb, bconsts, carry) = trace_carry(body_fn, &[], &avals_of(init), "body_fun")?;
    if gb.outvars.len() != init.len() {
        crate::bail!(Type, "body_fun output and input must have identical types, got {} outputs for {} carries", gb.outvars.len(), init.len());
    }
    let (gc, cconsts) = trace_closed(cond_fn, &carry)?;
    let pred = gc.out_avals();
    if pred.len() != 1 || pred[0].dtype != DType::Bool || !pred[0].shape.is_empty() {
        crate::bail!(Type, "cond_fun must return a boolean scalar, but got output type(s) [{}].", avals_str(&pred));
    }
    let mut args: Vec<&Array> = cconsts.iter().collect();
    args.extend(bconsts.iter());
    args.extend(init.iter());
    bind(Prim::While { cond: sub(gc), body: sub(gb), cond_nconsts: cconsts.len(), body_nconsts: bconsts.len() }, &args)
}

/// `lax.fori_loop(lower, upper, body_fun, init_val)`; `body` maps
/// (i, carry...) to carry. With concrete bounds it is a scan (so reverse
/// mode stores per-step residuals), otherwise a while loop, as in JAX.
pub fn fori_loop(lower: &Array, upper: &Array, body: &Function, init: &[Array]) -> Result<Vec<Array>> {
    for (x, what) in [(lower, "lower"), (upper, "upper")] {
        if x.ndim() != 0 || !x.dtype().is_int() {
            crate::bail!(Type, "fori_loop {what} bound must be an integer scalar, got {}", x.aval());
        }
    }
    let (dtype, weak) = crate::numpy::promote::result_type(&[(lower.dtype(), lower.weak_type()), (upper.dtype(), upper.weak_type())]);
    let (lo, hi) = (lax::convert_weak(lower, dtype, weak)?, lax::convert_weak(upper, dtype, weak)?);
    let step = {
        let body = body.clone();
        move |i: &Array, carry: &[Array]| -> Result<Vec<Array>> {
            let mut args = vec![i.clone()];
            args.extend_from_slice(carry);
            let out = body.call(&args)?;
            let one = Array::full_scalar(i.dtype(), 1.0).with_weak_type(i.weak_type());
            let mut r = vec![lax::add(i, &one)?];
            r.extend(out);
            Ok(r)
        }
    };
    if !lo.is_tracer() && !hi.is_tracer() {
        let length = (hi.item_i64()? - lo.item_i64()?).max(0) as usize;
        let f = Function::new(&format!("fori_loop({})", body.name()), move |xs: &[Array]| step(&xs[0], &xs[1..]));
        let mut carry = vec![lo];
        carry.extend_from_slice(init);
        let (out, _) = scan(&f, &carry, &[], Some(length), false, 1)?;
        return Ok(out[1..].to_vec());
    }
    let hi_c = hi.clone();
    let cond_f = Function::new("fori_cond", move |xs: &[Array]| Ok(vec![lax::lt(&xs[0], &hi_c)?]));
    let body_f = Function::new(&format!("fori_loop({})", body.name()), move |xs: &[Array]| step(&xs[0], &xs[1..]));
    let mut carry = vec![lo];
    carry.extend_from_slice(init);
    Ok(while_loop(&cond_f, &body_f, &carry)?[1..].to_vec())
}

/// `lax.scan(f, init, xs, length, reverse, unroll)` over flat lists: `f`
/// maps (carry..., x...) to (carry..., y...); gives (final carry, stacked ys).
pub fn scan(f: &Function, init: &[Array], xs: &[Array], length: Option<usize>, reverse: bool, unroll: usize) -> Result<(Vec<Array>, Vec<Array>)> {
    let lens: Vec<usize> = xs.iter().map(|x| x.shape().first().copied().ok_or_else(|| crate::err!(Value, "scan got value with no leading axis to scan over: {}", x.aval()))).collect::<Result<_>>()?;
    let sizes = || lens.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", ");
    let length = match (length, lens.first()) {
        (Some(l), _) if lens.iter().any(|&n| n != l) => crate::bail!(Value, "scan got `length` argument of {l} which disagrees with leading axis sizes [{}].", sizes()),
        (Some(l), _) => l,
        (None, Some(&l)) if lens.iter().any(|&n| n != l) => crate::bail!(Value, "scan got values with different leading axis sizes: {}.", sizes()),
        (None, Some(&l)) => l,
        (None, None) => crate::bail!(Value, "scan got no values to scan over and `length` not provided."),
    };
    let x_avals: Vec<Aval> = xs.iter().map(|x| x.aval().with_shape(x.shape()[1..].to_vec())).collect();
    let (g, consts, _) = trace_carry(f, &x_avals, &avals_of(init), "scan body")?;
    let ncarry = init.len();
    let mut args: Vec<&Array> = consts.iter().collect();
    args.extend(init.iter());
    args.extend(xs.iter());
    let p = Prim::Scan { body: sub(g), length, reverse, num_consts: consts.len(), num_carry: ncarry, unroll: unroll.max(1) };
    let mut outs = bind(p, &args)?;
    let ys = outs.split_off(ncarry);
    Ok((outs, ys))
}

/// `jax.checkpoint(f)` (remat): `f`'s intermediate values are not saved for
/// the backward pass but recomputed there.
pub fn checkpoint(f: &Function) -> Function {
    let f = f.clone();
    Function::new(&format!("checkpoint({})", f.name()), move |args: &[Array]| {
        let (g, consts) = trace_closed(&f, &avals_of(args))?;
        let mut all: Vec<&Array> = consts.iter().collect();
        all.extend(args.iter());
        bind(Prim::Remat { body: sub(g) }, &all)
    })
}

/// `jax.custom_jvp(f)` with `f.defjvp(jvp)`: `jvp` maps (primals...,
/// tangents...) to (outputs..., output tangents...).
pub fn custom_jvp(f: &Function, jvp: &Function) -> Function {
    let (f, jvp) = (f.clone(), FnRef(jvp.clone()));
    Function::new(&format!("custom_jvp({})", f.name()), move |args: &[Array]| {
        let (g, consts) = trace_closed(&f, &avals_of(args))?;
        let mut all: Vec<&Array> = consts.iter().collect();
        all.extend(args.iter());
        bind(Prim::CustomJvp(CustomJvp { body: sub(g), jvp: jvp.clone(), num_consts: consts.len() }), &all)
    })
}

/// `jax.custom_vjp(f)` with `f.defvjp(fwd, bwd)`: `fwd` maps primals to
/// (outputs..., residuals...); `bwd` maps (residuals..., output
/// cotangents...) to one cotangent per primal input.
pub fn custom_vjp(f: &Function, fwd: &Function, bwd: &Function) -> Function {
    let (f, fwd, bwd) = (f.clone(), FnRef(fwd.clone()), FnRef(bwd.clone()));
    Function::new(&format!("custom_vjp({})", f.name()), move |args: &[Array]| {
        let (g, consts) = trace_closed(&f, &avals_of(args))?;
        let mut all: Vec<&Array> = consts.iter().collect();
        all.extend(args.iter());
        bind(Prim::CustomVjp(CustomVjp { body: sub(g), fwd: fwd.clone(), bwd: bwd.clone(), num_consts: consts.len() }), &all)
    })
}

/// `jax.closure_convert(f, *args)`: `f` traced at `args`, with the tracers
/// it closes over (values of enclosing transformations) hoisted out as
/// leading inputs. Returns that function and the hoisted values, so rules
/// that run later (a custom_vjp's bwd) can take them as explicit arguments.
pub fn closure_convert(f: &Function, args: &[Array]) -> Result<(Function, Vec<Array>)> {
    let (g, consts) = trace_closed(f, &avals_of(args))?;
    Ok((Function::from_graph(&format!("closure_convert({})", f.name()), g), consts))
}

pub use crate::prim::control::callback::{host_callback, CallbackKind, VmapMethod};
