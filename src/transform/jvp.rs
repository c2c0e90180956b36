//! Forward mode: evaluates a graph on (primal, tangent) pairs with each
//! primitive's JVP rule. Symbolic zeros (`None`) are never materialized
//! until an output needs them.

use crate::array::Array;
use crate::error::Result;
use crate::ir::{Atom, Aval, Graph};
use crate::prim::{instantiate, Tangent};
use crate::trace::{bind, make_graph};

/// Primal and tangent outputs of `g` at `primals` with input `tangents`.
pub fn jvp_eval(g: &Graph, primals: &[Array], tangents: &[Tangent]) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let mut env: Vec<Option<(Array, Tangent)>> = vec![None; g.avals.len()];
    for ((v, x), t) in g.invars.iter().zip(primals).zip(tangents) {
        env[v.0 as usize] = Some((x.clone(), t.clone()));
    }
    for (v, c) in &g.consts {
        env[v.0 as usize] = Some((c.clone(), None));
    }
    let read = |env: &Vec<Option<(Array, Tangent)>>, a: &Atom| match a {
        Atom::Var(v) => env[v.0 as usize].clone().expect("graph is well formed"),
        Atom::Lit(x) => (x.clone(), None),
    };
    for e in &g.eqns {
        let ins: Vec<(Array, Tangent)> = e.inputs.iter().map(|a| read(&env, a)).collect();
        let ps: Vec<Array> = ins.iter().map(|p| p.0.clone()).collect();
        let ts: Vec<Tangent> = ins.iter().map(|p| p.1.clone()).collect();
        let ctx = |err: crate::error::Error| err.context(format!("jvp of {}", e.prim.name()));
        let (outs, touts) = match e.prim.jvp_joint(&ps, &ts) {
            Some(r) => r.map_err(ctx)?,
            None => {
                let refs: Vec<&Array> = ps.iter().collect();
                let outs = bind(e.prim.clone(), &refs)?;
                let touts = e.prim.jvp_rule(&ps, &ts, &outs).map_err(ctx)?;
                (outs, touts)
            }
        };
        for ((v, x), t) in e.outputs.iter().zip(outs).zip(touts) {
            env[v.0 as usize] = Some((x, t));
        }
    }
    Ok(g.outvars.iter().map(|a| read(&env, a)).unzip())
}

/// The JVP graph of `g`: inputs are its primals then the tangents of the
/// inputs marked in `which`; outputs are its outputs then their tangents
/// (zeros where symbolic).
pub fn jvp_graph(g: &Graph, which: &[bool]) -> Result<Graph> {
    let in_avals = g.in_avals();
    let mut avals: Vec<Aval> = in_avals.clone();
    avals.extend(in_avals.iter().zip(which).filter(|(_, w)| **w).map(|(a, _)| a.clone().weak(false)));
    let n = in_avals.len();
    make_graph(
        |args| {
            let (primals, ts) = args.split_at(n);
            let mut it = ts.iter();
            let tangents: Vec<Tangent> = which.iter().map(|&w| if w { it.next().cloned() } else { None }).collect();
            let (outs, touts) = jvp_eval(g, primals, &tangents)?;
            let mut r = outs.clone();
            for (o, t) in outs.iter().zip(&touts) {
                r.push(instantiate(t, &o.aval().clone().weak(false))?);
            }
            Ok(r)
        },
        &avals,
    )
}

/// Which outputs of `g` get nonzero tangents when the inputs marked in
/// `which` have them (traced once; loops use it to find their fixpoint).
pub fn nonzero_tangents(g: &Graph, which: &[bool]) -> Result<Vec<bool>> {
    let present = std::cell::RefCell::new(Vec::new());
    let in_avals = g.in_avals();
    let mut avals = in_avals.clone();
    avals.extend(in_avals.iter().zip(which).filter(|(_, w)| **w).map(|(a, _)| a.clone().weak(false)));
    let n = in_avals.len();
    make_graph(
        |args| {
            let (primals, ts) = args.split_at(n);
            let mut it = ts.iter();
            let tangents: Vec<Tangent> = which.iter().map(|&w| if w { it.next().cloned() } else { None }).collect();
            let (_, touts) = jvp_eval(g, primals, &tangents)?;
            *present.borrow_mut() = touts.iter().map(|t| t.is_some()).collect();
            Ok(vec![])
        },
        &avals,
    )?;
    Ok(present.into_inner())
}
