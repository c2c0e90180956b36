//! Transformations as graph-to-graph rewrites: `jvp`, `linearize`, `vjp`,
//! `grad` (any order), `value_and_grad`, `jacfwd`, `jacrev`, `hessian` and
//! `vmap`. Each takes a `Function` and returns one; the result traces its
//! argument into a closed graph, transforms that graph, and evaluates it, so
//! they nest freely (`grad(grad(f))`, `vmap(grad(f))`) and perturbations
//! cannot be confused. Reverse mode is JVP + partial evaluation + transpose.

pub mod batching;
pub mod jit;
pub mod jvp;
pub mod linearize;
pub mod simplify;

pub use jit::{cache_hit_count, compile_count, jit, jit_with, total_compile_count, JitOptions};

use crate::array::Array;
use crate::error::Result;
use crate::ir::Aval;
use crate::numpy as jnp;
use crate::prim::{instantiate, Tangent};
use crate::trace::{avals_of, eval_graph, make_graph, Function};

/// Forward mode on a Rust closure, evaluated in the current context.
pub fn jvp_call(f: impl Fn(&[Array]) -> Result<Vec<Array>>, primals: &[Array], tangents: &[Tangent]) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let g = make_graph(|xs| f(xs), &avals_of(primals))?;
    jvp::jvp_eval(&g, primals, tangents)
}

fn check_tangents(primals: &[Array], tangents: &[Array]) -> Result<()> {
    if primals.len() != tangents.len() {
        crate::bail!(Type, "jvp: primal and tangent arguments must have the same length, got {} and {}", primals.len(), tangents.len());
    }
    for (p, t) in primals.iter().zip(tangents) {
        if p.shape() != t.shape() || p.dtype() != t.dtype() {
            crate::bail!(Type, "primal and tangent arguments to jax.jvp must have equal types; got primal {} and tangent {}", p.aval(), t.aval());
        }
    }
    Ok(())
}

/// `jax.jvp(f, primals, tangents)`: outputs and output tangents.
pub fn jvp(f: &Function, primals: &[Array], tangents: &[Array]) -> Result<(Vec<Array>, Vec<Array>)> {
    check_tangents(primals, tangents)?;
    let g = f.graph_of(primals)?;
    let ts: Vec<Tangent> = tangents.iter().map(|t| Some(t.clone())).collect();
    let (outs, touts) = jvp::jvp_eval(&g, primals, &ts)?;
    let touts = outs.iter().zip(&touts).map(|(o, t)| instantiate(t, &o.aval().clone().weak(false))).collect::<Result<_>>()?;
    Ok((outs, touts))
}

/// Which inputs are differentiable (floats and complex numbers).
fn float_mask(xs: &[Array]) -> Vec<bool> {
    xs.iter().map(|x| x.dtype().is_inexact()).collect()
}

/// The forward pass of reverse mode: outputs, the linear graph, residuals.
fn forward(f: &Function, primals: &[Array], which: &[bool]) -> Result<(Vec<Array>, std::sync::Arc<crate::ir::Graph>, Vec<Array>)> {
    let g = f.graph_of(primals)?;
    let j = jvp::jvp_graph(&g, which)?;
    let split = linearize::partial_eval(&j, primals.len())?;
    let mut kout = eval_graph(&split.known, primals)?;
    let res = kout.split_off(split.num_outs);
    Ok((kout, std::sync::Arc::new(split.linear), res))
}

/// `jax.linearize(f, *primals)`: outputs, and the JVP as a function of the
/// tangents only (the forward pass is not repeated).
pub fn linearize(f: &Function, primals: &[Array]) -> Result<(Vec<Array>, Function)> {
    let which = float_mask(primals);
    let (outs, lin, res) = forward(f, primals, &which)?;
    let f_jvp = Function::new(&format!("linearized({})", f.name()), move |ts: &[Array]| {
        let mut args = res.clone();
        args.extend(ts.iter().cloned());
        eval_graph(&lin, &args)
    });
    Ok((outs, f_jvp))
}

/// `jax.vjp(f, *primals)`: outputs and the pullback, a function from one
/// cotangent per output to one cotangent per input (zeros for int inputs).
pub fn vjp(f: &Function, primals: &[Array]) -> Result<(Vec<Array>, Function)> {
    let which = float_mask(primals);
    let in_avals = avals_of(primals);
    let (outs, lin, res) = forward(f, primals, &which)?;
    let out_avals = avals_of(&outs);
    let pullback = Function::new(&format!("vjp({})", f.name()), move |cts: &[Array]| {
        if cts.len() != out_avals.len() {
            crate::bail!(Type, "the vjp function takes one cotangent per output: {} expected, got {}", out_avals.len(), cts.len());
        }
        for (c, o) in cts.iter().zip(&out_avals) {
            if c.shape() != &o.shape[..] {
                crate::bail!(Type, "the cotangent {} does not match the output {}", c.aval(), o);
            }
        }
        // JAX's weak types: a cotangent result is weak when its primal is,
        // unless a weakly typed output got a strongly typed cotangent
        let strengthened = cts.iter().zip(&out_avals).any(|(c, o)| o.weak_type && !c.aval().weak_type);
        let cts: Vec<Tangent> = cts.iter().map(|c| Some(c.clone())).collect();
        let got = linearize::backward_pass(&lin, &res, &cts)?;
        let mut it = got.into_iter();
        in_avals
            .iter()
            .zip(&which)
            .map(|(a, &w)| {
                let ct = if w { it.next().flatten() } else { None };
                with_weak(&instantiate(&ct, &a.clone().weak(false))?, a.weak_type && !strengthened)
            })
            .collect()
    });
    Ok((outs, pullback))
}

/// Outputs and gradients of the first output w.r.t. `argnums`.
fn value_and_grads(f: &Function, args: &[Array], argnums: &[usize], has_aux: bool) -> Result<(Vec<Array>, Vec<Array>)> {
    for &i in argnums {
        if i >= args.len() {
            crate::bail!(Value, "grad: argnums {i} is out of range for a function of {} arguments", args.len());
        }
        if !args[i].dtype().is_inexact() {
            crate::bail!(
                Type,
                "grad requires real- or complex-valued inputs (input dtype that is a sub-dtype of np.inexact), but got {}. If you want to use Boolean- or integer-valued inputs, use vjp or set allow_int to True.",
                args[i].dtype()
            );
        }
    }
    let which: Vec<bool> = (0..args.len()).map(|i| argnums.contains(&i)).collect();
    let (outs, lin, res) = forward(f, args, &which)?;
    if outs.is_empty() || (!has_aux && outs.len() != 1) {
        crate::bail!(Type, "grad requires a function with a single output (return auxiliary data with has_aux=True); got {} outputs", outs.len());
    }
    let y = &outs[0];
    if y.ndim() != 0 {
        crate::bail!(Type, "Gradient only defined for scalar-output functions. Output had shape: {}.", y.aval().shape_str());
    }
    if !y.dtype().is_float() {
        crate::bail!(
            Type,
            "grad requires real-valued outputs (output dtype that is a sub-dtype of np.floating), but got {}. For differentiating non-holomorphic functions involving complex outputs, use jax.vjp directly.",
            y.dtype()
        );
    }
    let mut cts: Vec<Tangent> = vec![Some(Array::full_scalar(y.dtype(), 1.0))];
    cts.extend(std::iter::repeat_n(None, outs.len() - 1));
    let got = linearize::backward_pass(&lin, &res, &cts)?;
    // backward_pass gives one cotangent per differentiated input, in input order
    let mut by_input: Vec<Option<Tangent>> = vec![None; args.len()];
    let mut it = got.into_iter();
    for (i, w) in which.iter().enumerate() {
        if *w {
            by_input[i] = Some(it.next().flatten());
        }
    }
    // as JAX, a gradient is weakly typed exactly when its primal is
    let grads = argnums
        .iter()
        .map(|&i| with_weak(&instantiate(by_input[i].as_ref().unwrap(), &args[i].aval().clone().weak(false))?, args[i].aval().weak_type))
        .collect::<Result<_>>()?;
    Ok((outs, grads))
}

/// `x` with the given weak-type flag (values unchanged).
fn with_weak(x: &Array, weak: bool) -> Result<Array> {
    if x.aval().weak_type == weak {
        Ok(x.clone())
    } else {
        crate::lax::convert_weak(x, x.dtype(), weak)
    }
}

/// `jax.grad(f, argnums, has_aux)`: one gradient per argnum (then the aux
/// outputs when `has_aux`).
pub fn grad_with(f: &Function, argnums: &[usize], has_aux: bool) -> Function {
    let (f, argnums) = (f.clone(), argnums.to_vec());
    Function::staged(&format!("grad({})", f.name()), move |args| {
        let (outs, mut grads) = value_and_grads(&f, args, &argnums, has_aux)?;
        if has_aux {
            grads.extend(outs.into_iter().skip(1));
        }
        Ok(grads)
    })
}

/// `jax.grad(f)`: the gradient with respect to the first argument.
pub fn grad(f: &Function) -> Function {
    grad_with(f, &[0], false)
}

/// `jax.value_and_grad(f, argnums, has_aux)`: outputs are the value, the aux
/// outputs (if any), then one gradient per argnum.
pub fn value_and_grad(f: &Function, argnums: &[usize], has_aux: bool) -> Function {
    let (f, argnums) = (f.clone(), argnums.to_vec());
    Function::staged(&format!("value_and_grad({})", f.name()), move |args| {
        let (mut outs, grads) = value_and_grads(&f, args, &argnums, has_aux)?;
        outs.extend(grads);
        Ok(outs)
    })
}

/// Runs `f` vmapped over arguments with batch dims `dims`, moving output batch
/// dims to `out_axes` (one entry, or one per output; negative counts from the
/// end; None: the output must not depend on the batch).
pub fn vmap_call(f: &Function, args: &[Array], dims: &[Option<usize>], out_axes: &[Option<isize>], size: usize) -> Result<Vec<Array>> {
    vmap_call_named(f, args, dims, out_axes, size, None)
}

/// `vmap_call` mapping a named axis: collectives over `axis_name` inside
/// `f` (psum, all_gather, ...) act across the batch.
pub fn vmap_call_named(f: &Function, args: &[Array], dims: &[Option<usize>], out_axes: &[Option<isize>], size: usize, axis_name: Option<&str>) -> Result<Vec<Array>> {
    let unbatched: Vec<Aval> = args
        .iter()
        .zip(dims)
        .map(|(x, d)| {
            let mut a = x.aval().clone();
            if let Some(d) = d {
                a.shape.remove(*d);
            }
            a
        })
        .collect();
    let env: Vec<(String, usize)> = axis_name.map(|n| (n.to_string(), size)).into_iter().collect();
    let g = crate::sharding::with_axis_env(&env, || f.graph(&unbatched))?;
    let (outs, odims) = crate::sharding::with_batch_axis(axis_name, || batching::vmap_eval(&g, args, dims, size))?;
    let n = outs.len();
    if out_axes.len() != 1 && out_axes.len() != n {
        crate::bail!(Value, "vmap out_axes has {} entries for a function with {n} outputs", out_axes.len());
    }
    outs.into_iter()
        .zip(odims)
        .enumerate()
        .map(|(i, (x, d))| {
            let want = if out_axes.len() == 1 { out_axes[0] } else { out_axes[i] };
            match (want, d) {
                (None, None) => Ok(x),
                (None, Some(_)) => crate::bail!(Value, "vmap has mapped output (output {i}) but out_axes is None"),
                (Some(k), d) => {
                    let y = batching::to_batched(&x, d, size)?;
                    batching::move_axis(&y, 0, jnp::norm_axis(k, y.ndim())?)
                }
            }
        })
        .collect()
}

/// `jax.vmap(f, in_axes, out_axes, axis_size)`. `in_axes` has one entry per
/// argument (None: not mapped; negative axes count from the end); `out_axes`
/// one per output or a single entry for all.
pub fn vmap(f: &Function, in_axes: &[Option<isize>], out_axes: &[Option<isize>], axis_size: Option<usize>) -> Function {
    vmap_with(f, in_axes, out_axes, axis_size, None)
}

/// `jax.vmap(f, in_axes, out_axes, axis_size=..., axis_name=...)`.
pub fn vmap_with(f: &Function, in_axes: &[Option<isize>], out_axes: &[Option<isize>], axis_size: Option<usize>, axis_name: Option<&str>) -> Function {
    let (f, in_axes, out_axes) = (f.clone(), in_axes.to_vec(), out_axes.to_vec());
    let axis_name = axis_name.map(|s| s.to_string());
    Function::staged(&format!("vmap({})", f.name()), move |args| {
        let in_axes: Vec<Option<isize>> = if in_axes.len() == 1 && args.len() != 1 { vec![in_axes[0]; args.len()] } else { in_axes.clone() };
        if in_axes.len() != args.len() {
            crate::bail!(
                Value,
                "vmap in_axes must be an int, None, or a tuple of entries corresponding to the positional arguments passed to the function, but got len(in_axes)={}, len(args)={}",
                in_axes.len(),
                args.len()
            );
        }
        let mut dims = Vec::with_capacity(args.len());
        let mut size = axis_size;
        let mut sizes_seen = Vec::new();
        for (i, (x, a)) in args.iter().zip(&in_axes).enumerate() {
            match a {
                None => dims.push(None),
                Some(a) => {
                    let d = jnp::norm_axis(*a, x.ndim()).map_err(|_| {
                        crate::err!(Value, "vmap was requested to map its argument along axis {a}, which implies that its rank should be at least {}, but is only {} (its shape is {})", a.unsigned_abs() + 1, x.ndim(), x.aval().shape_str())
                    })?;
                    let n = x.shape()[d];
                    sizes_seen.push(format!("axis {d} of argument {i} of type {} had size {n}", x.aval()));
                    if let Some(s) = size {
                        if s != n {
                            crate::bail!(Value, "vmap got inconsistent sizes for array axes to be mapped:\n  * {}", sizes_seen.join(";\n  * "));
                        }
                    }
                    size = Some(n);
                    dims.push(Some(d));
                }
            }
        }
        let Some(size) = size else {
            crate::bail!(Value, "vmap must have at least one non-None value in in_axes (or an axis_size)");
        };
        vmap_call_named(&f, args, &dims, &out_axes, size, axis_name.as_deref())
    })
}

/// Basis of the input space of `x`: `eye(n)` reshaped to `[n] + x.shape`.
fn basis(a: &Aval) -> Result<Array> {
    let n = a.size();
    let e = jnp::eye(n, None, 0, Some(a.dtype))?;
    let mut shape = vec![n];
    shape.extend_from_slice(&a.shape);
    crate::lax::reshape(&e, &shape)
}

/// `jax.jacfwd(f, argnums)`: for each output, for each argnum, the Jacobian
/// of shape `out.shape + arg.shape` (output-major order).
pub fn jacfwd(f: &Function, argnums: &[usize]) -> Function {
    let (f, argnums) = (f.clone(), argnums.to_vec());
    Function::staged(&format!("jacfwd({})", f.name()), move |args| {
        let outs_avals = f.graph_of(args)?.out_avals();
        let mut per_arg: Vec<Vec<Array>> = Vec::new();
        for &i in &argnums {
            let a = args[i].aval().clone().weak(false);
            let b = basis(&a)?;
            let (fc, args_c) = (f.clone(), args.to_vec());
            let push = Function::new("pushforward", move |t: &[Array]| {
                let ts: Vec<Array> = args_c.iter().enumerate().map(|(j, x)| if j == i { Ok(t[0].clone()) } else { jnp::zeros_like(&x.with_weak_type(false)) }).collect::<Result<_>>()?;
                Ok(jvp(&fc, &args_c, &ts)?.1)
            });
            let cols = vmap_call(&push, &[b], &[Some(0)], &[Some(0)], a.size())?;
            per_arg.push(cols.iter().zip(&outs_avals).map(|(c, o)| {
                // [n_in] + out.shape -> out.shape + in.shape
                let moved = batching::move_axis(c, 0, c.ndim() - 1)?;
                let j = crate::lax::reshape(&moved, &[o.shape.clone(), a.shape.clone()].concat())?;
                // JAX's: weak when the argument and the output both are
                with_weak(&j, args[i].aval().weak_type && o.weak_type)
            }).collect::<Result<_>>()?);
        }
        Ok((0..outs_avals.len()).flat_map(|o| per_arg.iter().map(move |p| p[o].clone())).collect())
    })
}

/// `jax.jacrev(f, argnums)`: same layout as `jacfwd`, by reverse mode.
pub fn jacrev(f: &Function, argnums: &[usize]) -> Function {
    let (f, argnums) = (f.clone(), argnums.to_vec());
    Function::staged(&format!("jacrev({})", f.name()), move |args| {
        let (outs, pullback) = vjp(&f, args)?;
        let mut jac = Vec::new();
        for (o, y) in outs.iter().enumerate() {
            let ya = y.aval().clone().weak(false);
            let b = basis(&ya)?;
            let (pb, outs_c) = (pullback.clone(), outs.clone());
            let row = Function::new("pullback_row", move |c: &[Array]| {
                let cts: Vec<Array> = outs_c.iter().enumerate().map(|(k, y)| if k == o { Ok(c[0].clone()) } else { jnp::zeros_like(&y.with_weak_type(false)) }).collect::<Result<_>>()?;
                pb.call(&cts)
            });
            let rows = vmap_call(&row, &[b], &[Some(0)], &[Some(0)], ya.size())?;
            for &i in &argnums {
                let shape = [ya.shape.clone(), args[i].shape().to_vec()].concat();
                // JAX's: weak exactly when the argument is, as a gradient
                jac.push(with_weak(&crate::lax::reshape(&rows[i], &shape)?, args[i].aval().weak_type)?);
            }
        }
        Ok(jac)
    })
}

/// `jax.hessian(f, argnums)`: `jacfwd(jacrev(f))`.
pub fn hessian(f: &Function, argnums: &[usize]) -> Function {
    jacfwd(&jacrev(f, argnums), argnums)
}
