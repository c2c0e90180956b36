//! Primitives that hold sub-graphs. Today: `Call` (JAX's pjit), the jit
//! boundary that a jitted function leaves in an outer trace. Its rules
//! recurse into the body: JVP and batching trace a transformed body, the
//! transpose transposes the body. (cond, while and scan come with the
//! control-flow issue and reuse the same machinery.)

use super::{LinArg, Prim, Tangent};
use crate::array::Array;
use crate::error::Result;
use crate::ir::{Aval, Graph, SubGraph};
use crate::runtime::host::HostData;
use crate::trace::{bind, make_graph};
use std::sync::Arc;

/// Binds a call of `body` (which must be closed: no consts).
pub fn call(body: Graph, name: &str, args: &[&Array]) -> Result<Vec<Array>> {
    debug_assert!(body.consts.is_empty(), "a sub-graph is closed");
    bind(Prim::Call { body: SubGraph(Arc::new(body)), name: Arc::from(name) }, args)
}

pub fn call_shape(body: &Graph, name: &str, ins: &[Aval]) -> Result<Vec<Aval>> {
    let want = body.in_avals();
    if want.len() != ins.len() || want.iter().zip(ins).any(|(w, a)| w.shape != a.shape || w.dtype != a.dtype) {
        crate::bail!(Type, "pjit {name} takes [{}], got [{}]", super::avals_str(&want), super::avals_str(ins));
    }
    Ok(body.out_avals())
}

pub fn call_eval(body: &Graph, ins: &[&HostData]) -> Result<Vec<HostData>> {
    let args: Vec<Array> = ins.iter().zip(&body.invars).map(|(h, v)| Array::from_host_aval((*h).clone(), body.aval(*v).clone())).collect();
    let outs = crate::runtime::interp::eval_graph(body, &args)?;
    outs.iter().map(|x| x.host().cloned()).collect()
}

/// JVP: a call of the body's JVP graph (its tangent outputs only).
pub fn call_jvp(body: &Graph, name: &str, primals: &[Array], tangents: &[Tangent]) -> Result<Vec<Tangent>> {
    let which: Vec<bool> = tangents.iter().map(|t| t.is_some()).collect();
    let j = crate::transform::jvp::jvp_graph(body, &which)?;
    let nout = body.outvars.len();
    let mut jt = j.clone();
    jt.outvars = j.outvars[nout..].to_vec();
    let jt = crate::transform::simplify::simplify(&jt);
    let mut args: Vec<&Array> = primals.iter().collect();
    args.extend(tangents.iter().flatten());
    let touts = call(jt, &format!("jvp({name})"), &args)?;
    Ok(touts.into_iter().zip(body.out_avals()).map(|(t, a)| if a.dtype.is_float() { Some(t) } else { None }).collect())
}

/// Transpose: a call of the body transposed with respect to its linear inputs.
pub fn call_transpose(body: &Graph, name: &str, cts: &[Tangent], args: &[LinArg]) -> Result<Vec<Tangent>> {
    if cts.iter().all(|c| c.is_none()) {
        return Ok(vec![None; args.len()]);
    }
    let lin: Vec<bool> = args.iter().map(|a| a.is_lin()).collect();
    let consts: Vec<Array> = args.iter().filter_map(|a| if let LinArg::Const(x) = a { Some(x.clone()) } else { None }).collect();
    let outs = body.out_avals();
    let cts: Vec<Array> = cts.iter().zip(&outs).map(|(c, a)| super::instantiate(c, &a.clone().weak(false))).collect::<Result<_>>()?;
    let mut avals: Vec<Aval> = consts.iter().map(|c| c.aval().clone()).collect();
    avals.extend(cts.iter().map(|c| c.aval().clone()));
    let nc = consts.len();
    let lin_avals: Vec<Aval> = args.iter().filter(|a| a.is_lin()).map(|a| a.aval().weak(false)).collect();
    let t = make_graph(
        |xs| {
            let ct_in: Vec<Tangent> = xs[nc..].iter().map(|c| Some(c.clone())).collect();
            let got = crate::transform::linearize::transpose_graph(body, &lin, &xs[..nc], &ct_in)?;
            got.iter().zip(&lin_avals).map(|(c, a)| super::instantiate(c, a)).collect()
        },
        &avals,
    )?;
    let (t, tc) = t.closed();
    let mut call_args: Vec<&Array> = tc.iter().collect();
    call_args.extend(consts.iter());
    call_args.extend(cts.iter());
    let got = call(crate::transform::simplify::simplify(&t), &format!("transpose({name})"), &call_args)?;
    let mut it = got.into_iter();
    Ok(lin.iter().map(|&l| if l { it.next() } else { None }).collect())
}

/// Batching: a call of the body vmapped over the batched inputs (outputs batched at 0).
pub fn call_batch(body: &Graph, name: &str, args: &[Array], dims: &[Option<usize>], size: usize) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
    let avals: Vec<Aval> = args.iter().map(|a| a.aval().clone()).collect();
    let b = make_graph(
        |xs| {
            let (outs, odims) = crate::transform::batching::vmap_eval(body, xs, dims, size)?;
            outs.iter().zip(odims).map(|(x, d)| crate::transform::batching::to_batched(x, d, size)).collect()
        },
        &avals,
    )?;
    let (b, bc) = b.closed();
    let mut call_args: Vec<&Array> = bc.iter().collect();
    call_args.extend(args.iter());
    let outs = call(crate::transform::simplify::simplify(&b), &format!("vmap({name})"), &call_args)?;
    let n = outs.len();
    Ok((outs, vec![Some(0); n]))
}
