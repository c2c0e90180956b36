//! Reverse mode as JAX does it: partial evaluation splits a JVP graph into
//! the part computable from the primals (the forward pass, which also
//! yields residuals) and the part linear in the tangents; transposing that
//! linear part equation by equation, last to first, gives the pullback.
//! A call (jit boundary) with both kinds of inputs is split the same way,
//! recursively, into a known call and a linear call.

use crate::array::Array;
use crate::error::Result;
use crate::ir::{Atom, Aval, Eqn, Graph, Var};
use crate::prim::{LinArg, Tangent};
use std::collections::HashMap;

/// A JVP graph split in two. `known` maps primals to (primal outputs,
/// residuals); `linear` maps (residuals, tangents) to output tangents.
pub struct Split {
    pub known: Graph,
    pub linear: Graph,
    pub num_outs: usize,
    pub num_residuals: usize,
}

fn is_unknown(u: &[bool], a: &Atom) -> bool {
    matches!(a, Atom::Var(v) if u[v.0 as usize])
}

/// How a primitive with sub-graphs splits an equation with both known and
/// unknown inputs: equations for the known part (which may define new
/// residual vars) and for the unknown part, and which outputs are unknown.
pub struct EqnSplit {
    pub known: Vec<Eqn>,
    pub unknown: Vec<Eqn>,
    pub out_unknown: Vec<bool>,
}

/// Sorts equations into known (all inputs known) and unknown ones, growing
/// `unknown` (indexed by var) as it goes; equations of primitives with
/// sub-graphs and mixed inputs are split by their rule.
fn split_eqns(avals: &mut Vec<Aval>, eqns: &[Eqn], unknown: &mut Vec<bool>) -> Result<(Vec<Eqn>, Vec<Eqn>)> {
    let (mut keqns, mut leqns) = (Vec::new(), Vec::new());
    for e in eqns {
        let mask: Vec<bool> = e.inputs.iter().map(|a| is_unknown(unknown, a)).collect();
        if !mask.iter().any(|&m| m) {
            keqns.push(e.clone());
            continue;
        }
        if !mask.iter().all(|&m| m) {
            let mut fresh = |a: Aval| {
                avals.push(a);
                unknown.push(false);
                Var(avals.len() as u32 - 1)
            };
            let split = crate::prim::control::partial_eval(e, &mask, &mut fresh).map_err(|err| err.context(format!("partial evaluation of {}", e.prim.name())))?;
            if let Some(split) = split {
                for (v, &u) in e.outputs.iter().zip(&split.out_unknown) {
                    unknown[v.0 as usize] = u;
                }
                keqns.extend(split.known);
                leqns.extend(split.unknown);
                continue;
            }
        }
        for o in &e.outputs {
            unknown[o.0 as usize] = true;
        }
        leqns.push(e.clone());
    }
    Ok((keqns, leqns))
}

/// Known vars read by `eqns` (and `extra` atoms), in first-use order.
fn residuals_of(eqns: &[Eqn], extra: &[Atom], unknown: &[bool]) -> Vec<Var> {
    let mut seen = vec![false; unknown.len()];
    let mut res = Vec::new();
    for a in eqns.iter().flat_map(|e| e.inputs.iter()).chain(extra.iter()) {
        if let Atom::Var(v) = a {
            if !unknown[v.0 as usize] && !std::mem::replace(&mut seen[v.0 as usize], true) {
                res.push(*v);
            }
        }
    }
    res
}

/// Splits a closed graph by which inputs are unknown: K maps the known inputs
/// to (known outputs, residuals), L maps (residuals, unknown inputs) to the
/// unknown outputs. Also gives which outputs are unknown and the residual count.
pub fn split_graph(g: &Graph, unknown_in: &[bool]) -> Result<(Graph, Graph, Vec<bool>, usize)> {
    split_graph_forced(g, unknown_in, &vec![false; g.outvars.len()])
}

/// `split_graph`, with the outputs marked in `force_out` made unknown even
/// when computable from the known inputs (L then reads them as residuals),
/// so that branches and loop bodies can agree on one split.
pub fn split_graph_forced(g: &Graph, unknown_in: &[bool], force_out: &[bool]) -> Result<(Graph, Graph, Vec<bool>, usize)> {
    let mut avals = g.avals.clone();
    let mut unknown = vec![false; avals.len()];
    for (v, &u) in g.invars.iter().zip(unknown_in) {
        unknown[v.0 as usize] = u;
    }
    let (keqns, leqns) = split_eqns(&mut avals, &g.eqns, &mut unknown)?;
    let out_unknown: Vec<bool> = g.outvars.iter().zip(force_out).map(|(a, &f)| f || is_unknown(&unknown, a)).collect();
    let forced: Vec<Atom> = g.outvars.iter().zip(force_out).filter(|(a, &f)| f && !is_unknown(&unknown, a)).map(|(a, _)| a.clone()).collect();
    let res = residuals_of(&leqns, &forced, &unknown);
    let mut kout: Vec<Atom> = g.outvars.iter().zip(&out_unknown).filter(|(_, u)| !**u).map(|(a, _)| a.clone()).collect();
    kout.extend(res.iter().map(|v| Atom::Var(*v)));
    let kin: Vec<Var> = g.invars.iter().zip(unknown_in).filter(|(_, u)| !**u).map(|(v, _)| *v).collect();
    let mut lin: Vec<Var> = res.clone();
    lin.extend(g.invars.iter().zip(unknown_in).filter(|(_, u)| **u).map(|(v, _)| *v));
    let lout: Vec<Atom> = g.outvars.iter().zip(&out_unknown).filter(|(_, u)| **u).map(|(a, _)| a.clone()).collect();
    let k = Graph { avals: avals.clone(), invars: kin, consts: g.consts.clone(), eqns: keqns, outvars: kout };
    let l = Graph { avals, invars: lin, consts: vec![], eqns: leqns, outvars: lout };
    Ok((super::simplify::dce(&k), l, out_unknown, res.len()))
}

/// Splits `j` (inputs: `n_primals` primals then tangents; outputs: primal
/// outputs then tangent outputs).
pub fn partial_eval(j: &Graph, n_primals: usize) -> Result<Split> {
    let mut avals = j.avals.clone();
    let mut unknown = vec![false; avals.len()];
    for v in &j.invars[n_primals..] {
        unknown[v.0 as usize] = true;
    }
    let (keqns, leqns) = split_eqns(&mut avals, &j.eqns, &mut unknown)?;
    let nout = j.outvars.len() / 2;
    // residuals: known vars the linear part reads (tangent outputs may be known zeros)
    let residuals = residuals_of(&leqns, &j.outvars[nout..], &unknown);
    let mut known = Graph { avals: avals.clone(), invars: j.invars[..n_primals].to_vec(), consts: j.consts.clone(), eqns: keqns, outvars: j.outvars[..nout].to_vec() };
    known.outvars.extend(residuals.iter().map(|v| Atom::Var(*v)));
    let mut linear = Graph { avals, invars: residuals.clone(), consts: vec![], eqns: leqns, outvars: j.outvars[nout..].to_vec() };
    linear.invars.extend_from_slice(&j.invars[n_primals..]);
    let known = super::simplify::dce(&known);
    Ok(Split { known, linear, num_outs: nout, num_residuals: residuals.len() })
}

/// Transposes `g` with respect to the inputs marked in `lin`: cotangents of
/// those inputs from the cotangents of the outputs (`None` = zero), given the
/// values of the other inputs (in order). Equations of known values only are
/// evaluated forward first.
pub fn transpose_graph(g: &Graph, lin: &[bool], known_vals: &[Array], cts: &[Tangent]) -> Result<Vec<Tangent>> {
    let mut known: HashMap<Var, Array> = HashMap::new();
    let mut kv = known_vals.iter();
    for (v, &l) in g.invars.iter().zip(lin) {
        if !l {
            known.insert(*v, kv.next().expect("one value per known input").clone());
        }
    }
    for (v, c) in &g.consts {
        known.insert(*v, c.clone());
    }
    let value = |known: &HashMap<Var, Array>, a: &Atom| -> Option<Array> {
        match a {
            Atom::Lit(x) => Some(x.clone()),
            Atom::Var(v) => known.get(v).cloned(),
        }
    };
    let mut linear_eqns = Vec::new();
    for e in &g.eqns {
        let vals: Option<Vec<Array>> = e.inputs.iter().map(|a| value(&known, a)).collect();
        match vals {
            Some(vals) => {
                let refs: Vec<&Array> = vals.iter().collect();
                for (v, x) in e.outputs.iter().zip(crate::trace::bind(e.prim.clone(), &refs)?) {
                    known.insert(*v, x);
                }
            }
            None => linear_eqns.push(e),
        }
    }
    let mut ct_env: HashMap<Var, Array> = HashMap::new();
    let accumulate = |env: &mut HashMap<Var, Array>, v: Var, ct: Array| -> Result<()> {
        let new = match env.remove(&v) {
            Some(old) => crate::lax::add(&old, &ct)?,
            None => ct,
        };
        env.insert(v, new);
        Ok(())
    };
    for (a, ct) in g.outvars.iter().zip(cts) {
        if let (Atom::Var(v), Some(ct)) = (a, ct) {
            if !known.contains_key(v) {
                accumulate(&mut ct_env, *v, ct.clone())?;
            }
        }
    }
    for e in linear_eqns.into_iter().rev() {
        let cts_out: Vec<Tangent> = e.outputs.iter().map(|v| ct_env.remove(v)).collect();
        if cts_out.iter().all(|c| c.is_none()) {
            continue;
        }
        let args: Vec<LinArg> = e
            .inputs
            .iter()
            .map(|a| match value(&known, a) {
                Some(x) => LinArg::Const(x),
                None => LinArg::Lin(g.atom_aval(a)),
            })
            .collect();
        let cts_in = e.prim.transpose_rule(&cts_out, &args).map_err(|err| err.context(format!("transpose of {}", e.prim.name())))?;
        for (a, ct) in e.inputs.iter().zip(cts_in) {
            if let (Atom::Var(v), Some(ct)) = (a, ct) {
                if !known.contains_key(v) {
                    accumulate(&mut ct_env, *v, ct)?;
                }
            }
        }
    }
    Ok(g.invars.iter().zip(lin).filter(|(_, l)| **l).map(|(v, _)| ct_env.remove(v)).collect())
}

/// Transposes the linear graph of a `Split`: its inputs are the residuals
/// (known) then the tangents (linear).
pub fn backward_pass(l: &Graph, residuals: &[Array], cts: &[Tangent]) -> Result<Vec<Tangent>> {
    let mut lin = vec![false; residuals.len()];
    lin.resize(l.invars.len(), true);
    transpose_graph(l, &lin, residuals, cts)
}
