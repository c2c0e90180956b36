//! Graph clean-up after transformations: algebraic folding of the identities
//! AD leaves behind (x*1, x+0, double negation), common-subexpression
//! elimination, and dead-code elimination.

use crate::dtype::DType;
use crate::ir::{Atom, Eqn, Graph, Var};
use crate::prim::{BinaryOp, Prim, UnaryOp};
use std::collections::HashMap;

/// Runs every pass.
pub fn simplify(g: &Graph) -> Graph {
    dce(&cse(&fold(g)))
}

/// Removes equations whose outputs nothing uses (unless they have side
/// effects), and unused consts.
pub fn dce(g: &Graph) -> Graph {
    let mut live = vec![false; g.avals.len()];
    let mark = |live: &mut Vec<bool>, a: &Atom| {
        if let Atom::Var(v) = a {
            live[v.0 as usize] = true;
        }
    };
    for a in &g.outvars {
        mark(&mut live, a);
    }
    let mut keep = vec![false; g.eqns.len()];
    for (i, e) in g.eqns.iter().enumerate().rev() {
        if e.outputs.iter().any(|o| live[o.0 as usize]) || e.prim.has_effect() {
            keep[i] = true;
            for a in &e.inputs {
                mark(&mut live, a);
            }
        }
    }
    Graph {
        avals: g.avals.clone(),
        invars: g.invars.clone(),
        consts: g.consts.iter().filter(|(v, _)| live[v.0 as usize]).cloned().collect(),
        eqns: g.eqns.iter().zip(keep).filter(|(_, k)| *k).map(|(e, _)| e.clone()).collect(),
        outvars: g.outvars.clone(),
    }
}

/// A hashable identity of an atom: the var, or the literal's bits.
#[derive(PartialEq, Eq, Hash)]
enum Key {
    V(Var),
    L(DType, bool, Vec<u8>),
}

fn key(a: &Atom) -> Key {
    match a {
        Atom::Var(v) => Key::V(*v),
        Atom::Lit(x) => {
            let (d, w, b) = x.literal_key().expect("literals are concrete scalars");
            Key::L(d, w, b)
        }
    }
}

fn subst(a: &Atom, map: &HashMap<Var, Atom>) -> Atom {
    match a {
        Atom::Var(v) => map.get(v).cloned().unwrap_or(Atom::Var(*v)),
        lit => lit.clone(),
    }
}

/// Replaces repeated equations (same primitive, same inputs) by the first.
pub fn cse(g: &Graph) -> Graph {
    let mut seen: HashMap<(Prim, Vec<Key>), Vec<Var>> = HashMap::new();
    let mut map: HashMap<Var, Atom> = HashMap::new();
    let mut eqns = Vec::with_capacity(g.eqns.len());
    for e in &g.eqns {
        let inputs: Vec<Atom> = e.inputs.iter().map(|a| subst(a, &map)).collect();
        let k = (e.prim.clone(), inputs.iter().map(key).collect::<Vec<_>>());
        if e.prim.has_effect() {
            eqns.push(Eqn { prim: e.prim.clone(), inputs, outputs: e.outputs.clone() });
            continue;
        }
        if let Some(prev) = seen.get(&k) {
            for (o, p) in e.outputs.iter().zip(prev) {
                map.insert(*o, Atom::Var(*p));
            }
            continue;
        }
        seen.insert(k, e.outputs.clone());
        eqns.push(Eqn { prim: e.prim.clone(), inputs, outputs: e.outputs.clone() });
    }
    Graph { avals: g.avals.clone(), invars: g.invars.clone(), consts: g.consts.clone(), eqns, outvars: g.outvars.iter().map(|a| subst(a, &map)).collect() }
}

fn lit_value(a: &Atom) -> Option<f64> {
    match a {
        Atom::Lit(x) => x.host().ok().map(|h| h.first_f64()),
        _ => None,
    }
}

/// Folds `x * 1`, `1 * x`, `x + 0`, `0 + x`, `x - 0`, `x / 1` and `neg(neg(x))`
/// when the result has x's type (so nothing is broadcast away).
pub fn fold(g: &Graph) -> Graph {
    let mut map: HashMap<Var, Atom> = HashMap::new();
    let mut negs: HashMap<Var, Atom> = HashMap::new();
    let mut eqns = Vec::with_capacity(g.eqns.len());
    for e in &g.eqns {
        let inputs: Vec<Atom> = e.inputs.iter().map(|a| subst(a, &map)).collect();
        // complex values are computed by XLA, never folded here
        let complex = e.outputs.iter().any(|v| g.aval(*v).dtype.is_complex()) || e.inputs.iter().any(|a| g.atom_aval(a).dtype.is_complex());
        if e.outputs.is_empty() || e.prim.has_subgraphs() || matches!(e.prim, Prim::HostCallback(_)) || complex {
            eqns.push(Eqn { prim: e.prim.clone(), inputs, outputs: e.outputs.clone() });
            continue;
        }
        let out = e.outputs[0];
        let same_type = |a: &Atom| {
            let x = g.atom_aval(a);
            let o = g.aval(out);
            x.shape == o.shape && x.dtype == o.dtype
        };
        // equations of literals only (`div 1. 128.`) fold to a literal
        if !inputs.is_empty() && inputs.iter().all(|a| matches!(a, Atom::Lit(_))) && g.aval(out).shape.is_empty() && e.outputs.len() == 1 {
            let xs: Vec<crate::array::Array> = inputs.iter().map(|a| if let Atom::Lit(x) = a { x.clone() } else { unreachable!() }).collect();
            let hosts: Vec<&crate::runtime::host::HostData> = xs.iter().filter_map(|x| x.host().ok()).collect();
            if let Ok(mut v) = e.prim.eval(&hosts, &[g.aval(out).clone()]) {
                let lit = crate::array::Array::from_host(v.pop().unwrap()).with_weak_type(g.aval(out).weak_type);
                map.insert(out, Atom::Lit(lit));
                continue;
            }
        }
        let replacement = match &e.prim {
            Prim::Binary(op) => {
                let (a, b) = (&inputs[0], &inputs[1]);
                let (la, lb) = (lit_value(a), lit_value(b));
                match op {
                    BinaryOp::Mul if lb == Some(1.0) && same_type(a) => Some(a.clone()),
                    BinaryOp::Mul if la == Some(1.0) && same_type(b) => Some(b.clone()),
                    BinaryOp::Add if lb == Some(0.0) && same_type(a) => Some(a.clone()),
                    BinaryOp::Add if la == Some(0.0) && same_type(b) => Some(b.clone()),
                    BinaryOp::Sub if lb == Some(0.0) && same_type(a) => Some(a.clone()),
                    BinaryOp::Div if lb == Some(1.0) && same_type(a) => Some(a.clone()),
                    _ => None,
                }
            }
            Prim::Unary(UnaryOp::Neg) => match &inputs[0] {
                Atom::Var(v) => negs.get(v).cloned(),
                _ => None,
            },
            _ => None,
        };
        if let Some(r) = replacement {
            map.insert(out, r);
            continue;
        }
        if matches!(e.prim, Prim::Unary(UnaryOp::Neg)) && matches!(inputs[0], Atom::Var(_)) {
            negs.insert(out, inputs[0].clone());
        }
        eqns.push(Eqn { prim: e.prim.clone(), inputs, outputs: e.outputs.clone() });
    }
    Graph { avals: g.avals.clone(), invars: g.invars.clone(), consts: g.consts.clone(), eqns, outvars: g.outvars.iter().map(|a| subst(a, &map)).collect() }
}
