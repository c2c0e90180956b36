//! Reverse mode as JAX does it: partial evaluation splits a JVP graph into
//! the part computable from the primals (the forward pass, which also
//! yields residuals) and the part linear in the tangents; transposing that
//! linear part equation by equation, last to first, gives the pullback.

use crate::array::Array;
use crate::error::Result;
use crate::ir::{Atom, Graph, Var};
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

/// Splits `j` (inputs: `n_primals` primals then tangents; outputs: primal
/// outputs then tangent outputs).
pub fn partial_eval(j: &Graph, n_primals: usize) -> Result<Split> {
    let mut unknown = vec![false; j.avals.len()];
    for v in &j.invars[n_primals..] {
        unknown[v.0 as usize] = true;
    }
    let is_unknown = |u: &Vec<bool>, a: &Atom| matches!(a, Atom::Var(v) if u[v.0 as usize]);
    let (mut keqns, mut leqns) = (Vec::new(), Vec::new());
    for e in &j.eqns {
        if e.inputs.iter().any(|a| is_unknown(&unknown, a)) {
            for o in &e.outputs {
                unknown[o.0 as usize] = true;
            }
            leqns.push(e.clone());
        } else {
            keqns.push(e.clone());
        }
    }
    let nout = j.outvars.len() / 2;
    // residuals: known vars the linear part reads
    let mut residuals: Vec<Var> = Vec::new();
    let mut seen = vec![false; j.avals.len()];
    let mut note = |a: &Atom, residuals: &mut Vec<Var>| {
        if let Atom::Var(v) = a {
            if !unknown[v.0 as usize] && !std::mem::replace(&mut seen[v.0 as usize], true) {
                residuals.push(*v);
            }
        }
    };
    for e in &leqns {
        for a in &e.inputs {
            note(a, &mut residuals);
        }
    }
    for a in &j.outvars[nout..] {
        note(a, &mut residuals);
    }
    let mut known = Graph { avals: j.avals.clone(), invars: j.invars[..n_primals].to_vec(), consts: j.consts.clone(), eqns: keqns, outvars: j.outvars[..nout].to_vec() };
    known.outvars.extend(residuals.iter().map(|v| Atom::Var(*v)));
    let mut linear = Graph { avals: j.avals.clone(), invars: residuals.clone(), consts: vec![], eqns: leqns, outvars: j.outvars[nout..].to_vec() };
    linear.invars.extend_from_slice(&j.invars[n_primals..]);
    let known = super::simplify::dce(&known);
    Ok(Split { known, linear, num_outs: nout, num_residuals: residuals.len() })
}

/// Transposes the linear graph: cotangents of its tangent inputs from the
/// cotangents of its outputs (`None` = zero), given the residual values.
pub fn backward_pass(l: &Graph, residuals: &[Array], cts: &[Tangent]) -> Result<Vec<Tangent>> {
    let nres = residuals.len();
    let mut known: HashMap<Var, Array> = HashMap::new();
    for (v, x) in l.invars[..nres].iter().zip(residuals) {
        known.insert(*v, x.clone());
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
    for (a, ct) in l.outvars.iter().zip(cts) {
        if let (Atom::Var(v), Some(ct)) = (a, ct) {
            if !known.contains_key(v) {
                accumulate(&mut ct_env, *v, ct.clone())?;
            }
        }
    }
    for e in l.eqns.iter().rev() {
        let cts_out: Vec<Tangent> = e.outputs.iter().map(|v| ct_env.remove(v)).collect();
        if cts_out.iter().all(|c| c.is_none()) {
            continue;
        }
        let args: Vec<LinArg> = e
            .inputs
            .iter()
            .map(|a| match a {
                Atom::Lit(x) => LinArg::Const(x.clone()),
                Atom::Var(v) => match known.get(v) {
                    Some(x) => LinArg::Const(x.clone()),
                    None => LinArg::Lin(l.aval(*v).clone()),
                },
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
    Ok(l.invars[nres..].iter().map(|v| ct_env.remove(v)).collect())
}
