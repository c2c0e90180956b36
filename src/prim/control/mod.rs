//! Primitives that hold sub-graphs: `Call` (JAX's pjit, the jit boundary a
//! jitted function leaves in an outer trace) here; `cond`, `while`, `scan`,
//! `checkpoint` and the custom-derivative primitives in their files. Their
//! rules recurse into the bodies: JVP and batching trace transformed bodies,
//! partial evaluation splits them, the transpose transposes them.
//!
//! Sub-graphs are closed over tracers (tracers of an enclosing trace are
//! lifted to explicit leading inputs); they may hold concrete consts.

pub mod callback;
pub mod cond;
pub mod custom;
pub mod scan;
pub mod shard_map;
pub mod while_loop;

pub use custom::{CustomJvp, CustomLin, CustomVjp, FnRef};
pub use while_loop::LinearWhile;

use super::{LinArg, Prim, Tangent};
use crate::array::Array;
use crate::error::Result;
use crate::ir::{Atom, Aval, Eqn, Graph, SubGraph, Var};
use crate::runtime::host::HostData;
use crate::trace::{bind, make_graph};
use crate::transform::linearize::{split_graph, EqnSplit};
use std::sync::Arc;

pub fn sub(g: Graph) -> SubGraph {
    SubGraph(Arc::new(g))
}

/// Equal shapes and dtypes (weak types may differ).
pub fn same_types(a: &[Aval], b: &[Aval]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.shape == y.shape && x.dtype == y.dtype)
}

/// `g` with its tracer consts (of an enclosing trace) lifted to leading
/// inputs, and their values; concrete consts stay.
pub fn lift_tracer_consts(g: &Graph) -> (Graph, Vec<Array>) {
    let mut g = g.clone();
    let (tracers, concrete): (Vec<_>, Vec<_>) = std::mem::take(&mut g.consts).into_iter().partition(|(_, c)| c.is_tracer());
    g.consts = concrete;
    let mut invars: Vec<Var> = tracers.iter().map(|(v, _)| *v).collect();
    invars.extend_from_slice(&g.invars);
    g.invars = invars;
    (g, tracers.into_iter().map(|(_, c)| c).collect())
}

/// `g` with unused inputs of `avals` inserted before input `at`.
pub fn insert_invars(g: &Graph, at: usize, avals: &[Aval]) -> Graph {
    let mut g = g.clone();
    let new: Vec<Var> = avals
        .iter()
        .map(|a| {
            g.avals.push(a.clone());
            Var(g.avals.len() as u32 - 1)
        })
        .collect();
    g.invars.splice(at..at, new);
    g
}

/// Concrete arrays for a graph's inputs from host data (in the interpreter).
pub(crate) fn host_args(g: &Graph, ins: &[&HostData]) -> Vec<Array> {
    host_arrays(&g.in_avals(), ins)
}

/// Concrete arrays of the given avals from host data.
pub(crate) fn host_arrays(avals: &[Aval], ins: &[&HostData]) -> Vec<Array> {
    ins.iter().zip(avals).map(|(h, a)| Array::from_host_aval((*h).clone(), a.clone())).collect()
}

/// The entries of `xs` marked in `which`.
pub(crate) fn select<T: Clone>(which: &[bool], xs: &[T]) -> Vec<T> {
    xs.iter().zip(which).filter(|(_, w)| **w).map(|(x, _)| x.clone()).collect()
}

/// The present tangents put back in place (`None` elsewhere).
pub(crate) fn expand(which: &[bool], xs: &[Array]) -> Vec<Tangent> {
    let mut it = xs.iter();
    which.iter().map(|&w| if w { it.next().cloned() } else { None }).collect()
}

pub(crate) fn count(which: &[bool]) -> usize {
    which.iter().filter(|w| **w).count()
}

/// The least fixpoint of a property of a loop's carries (has a tangent, is
/// unknown, is batched): from `init`, a carry gains it when `step`, run on
/// the current marking, says the body's output for it has it.
pub(crate) fn carry_fixpoint(init: Vec<bool>, mut step: impl FnMut(&[bool]) -> Result<Vec<bool>>) -> Result<Vec<bool>> {
    let mut cur = init;
    loop {
        let out = step(&cur)?;
        let new: Vec<bool> = cur.iter().zip(&out).map(|(a, b)| *a || *b).collect();
        if new == cur {
            return Ok(cur);
        }
        cur = new;
    }
}

/// Runs a graph on the interpreter, whatever trace is active.
pub(crate) fn run(g: &Graph, args: &[Array]) -> Result<Vec<Array>> {
    crate::runtime::interp::eval_graph(g, args)
}

pub(crate) fn hosts(xs: Vec<Array>) -> Result<Vec<HostData>> {
    xs.iter().map(|x| x.host().cloned()).collect()
}

/// Splits an equation with known and unknown inputs (`mask`: unknown) for
/// reverse mode; `fresh` makes new known vars for residuals. `None`: the
/// whole equation is unknown.
pub fn partial_eval(e: &Eqn, mask: &[bool], fresh: &mut dyn FnMut(Aval) -> Var) -> Result<Option<EqnSplit>> {
    match &e.prim {
        Prim::Call { body, name } => call_partial_eval(e, &body.0, name, mask, fresh).map(Some),
        Prim::Cond { branches } => cond::cond_partial_eval(e, branches, mask, fresh),
        Prim::Scan { body, length, reverse, num_consts, num_carry, unroll } => {
            scan::scan_partial_eval(e, &body.0, *length, *reverse, *num_consts, *num_carry, *unroll, mask, fresh).map(Some)
        }
        Prim::Remat { body } => custom::remat_partial_eval(e, &body.0, mask).map(Some),
        Prim::ShardMap(sm) => sm.partial_eval(e, mask, fresh).map(Some),
        _ => Ok(None),
    }
}

/// A call splits into a call of the known part (giving residuals) and a
/// call of the unknown part.
fn call_partial_eval(e: &Eqn, body: &Graph, name: &Arc<str>, mask: &[bool], fresh: &mut dyn FnMut(Aval) -> Var) -> Result<EqnSplit> {
    let (k, l, out_unknown, nres) = split_graph(body, mask)?;
    let res: Vec<Var> = k.outvars[k.outvars.len() - nres..].iter().map(|a| fresh(k.atom_aval(a))).collect();
    let call = |g: Graph| Prim::Call { body: sub(g), name: name.clone() };
    Ok(split_eqn(e, mask, out_unknown, &res, call(k), call(l)))
}

/// The two equations of a split whose halves take the operands in order:
/// the known half takes the known inputs and gives the known outputs then
/// the residuals; the unknown half takes the residuals then the unknown
/// inputs and gives the unknown outputs.
pub(crate) fn split_eqn(e: &Eqn, mask: &[bool], out_unknown: Vec<bool>, res: &[Var], known: Prim, unknown: Prim) -> EqnSplit {
    let pick_in = |want: bool| e.inputs.iter().zip(mask).filter(move |(_, m)| **m == want).map(|(a, _)| a.clone());
    let pick_out = |want: bool| e.outputs.iter().zip(&out_unknown).filter(move |(_, u)| **u == want).map(|(v, _)| *v);
    let kouts: Vec<Var> = pick_out(false).chain(res.iter().copied()).collect();
    let lins: Vec<Atom> = res.iter().map(|v| Atom::Var(*v)).chain(pick_in(true)).collect();
    let (kins, louts): (Vec<Atom>, Vec<Var>) = (pick_in(false).collect(), pick_out(true).collect());
    EqnSplit {
        known: vec![Eqn { prim: known, inputs: kins, outputs: kouts }],
        unknown: vec![Eqn { prim: unknown, inputs: lins, outputs: louts }],
        out_unknown,
    }
}

/// Binds a call of `body` (closed over tracers; concrete consts are fine).
pub fn call(body: Graph, name: &str, args: &[&Array]) -> Result<Vec<Array>> {
    debug_assert!(!body.has_tracer_consts(), "a sub-graph is closed over tracers");
    bind(Prim::Call { body: SubGraph(Arc::new(body)), name: Arc::from(name) }, args)
}

pub fn call_shape(body: &Graph, name: &str, ins: &[Aval]) -> Result<Vec<Aval>> {
    let want = body.in_avals();
    if !same_types(&want, ins) {
        crate::bail!(Type, "{name} takes [{}], got [{}]", super::avals_str(&want), super::avals_str(ins));
    }
    Ok(body.out_avals())
}

pub fn call_eval(body: &Graph, ins: &[&HostData]) -> Result<Vec<HostData>> {
    hosts(run(body, &host_args(body, ins))?)
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
    Ok(touts.into_iter().zip(body.out_avals()).map(|(t, a)| if a.dtype.is_inexact() { Some(t) } else { None }).collect())
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
    let name: Arc<str> = Arc::from(format!("vmap({name})"));
    call_batch_with(body, args, dims, size, |g, xs| bind(Prim::Call { body: sub(g), name: name.clone() }, xs))
}

/// The body vmapped (outputs batched at 0), bound by `bind_body`.
pub fn call_batch_with(
    body: &Graph,
    args: &[Array],
    dims: &[Option<usize>],
    size: usize,
    bind_body: impl FnOnce(Graph, &[&Array]) -> Result<Vec<Array>>,
) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
    let avals: Vec<Aval> = args.iter().map(|a| a.aval().clone()).collect();
    let b = make_graph(
        |xs| {
            let (outs, odims) = crate::transform::batching::vmap_eval(body, xs, dims, size)?;
            outs.iter().zip(odims).map(|(x, d)| crate::transform::batching::to_batched(x, d, size)).collect()
        },
        &avals,
    )?;
    let refs: Vec<&Array> = args.iter().collect();
    let outs = bind_body(crate::transform::simplify::simplify(&b), &refs)?;
    let n = outs.len();
    Ok((outs, vec![Some(0); n]))
}
