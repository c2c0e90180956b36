//! vmap: evaluates a graph on values that carry a batch dimension, using each
//! primitive's batching rule; plus the helpers the rules share.

use crate::array::Array;
use crate::error::Result;
use crate::ir::{Atom, Graph};
use crate::lax;
use crate::trace::bind;

/// Moves the batch dim `d` of `x` to the front (no-op for None or 0).
pub fn move_to_front(x: &Array, d: Option<usize>) -> Result<Array> {
    match d {
        None | Some(0) => Ok(x.clone()),
        Some(d) => {
            let mut perm: Vec<usize> = vec![d];
            perm.extend((0..x.ndim()).filter(|&i| i != d));
            lax::transpose(x, &perm)
        }
    }
}

/// `x` with its batch dim at the front: moved there, or broadcast if unbatched.
pub fn to_batched(x: &Array, d: Option<usize>, size: usize) -> Result<Array> {
    match d {
        Some(_) => move_to_front(x, d),
        None => {
            let mut shape = vec![size];
            shape.extend_from_slice(x.shape());
            lax::broadcast_in_dim(x, &shape, &(1..=x.ndim()).collect::<Vec<_>>())
        }
    }
}

/// Moves a batch dim from `from` to `to`.
pub fn move_axis(x: &Array, from: usize, to: usize) -> Result<Array> {
    if from == to {
        return Ok(x.clone());
    }
    let mut perm: Vec<usize> = (0..x.ndim()).filter(|&i| i != from).collect();
    perm.insert(to, from);
    lax::transpose(x, &perm)
}

/// Evaluates `g` on batched arguments: the outputs and their batch dims.
pub fn vmap_eval(g: &Graph, args: &[Array], dims: &[Option<usize>], size: usize) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
    let mut env: Vec<Option<(Array, Option<usize>)>> = vec![None; g.avals.len()];
    for ((v, x), d) in g.invars.iter().zip(args).zip(dims) {
        env[v.0 as usize] = Some((x.clone(), *d));
    }
    for (v, c) in &g.consts {
        env[v.0 as usize] = Some((c.clone(), None));
    }
    let read = |env: &Vec<Option<(Array, Option<usize>)>>, a: &Atom| match a {
        Atom::Var(v) => env[v.0 as usize].clone().expect("graph is well formed"),
        Atom::Lit(x) => (x.clone(), None),
    };
    for e in &g.eqns {
        let ins: Vec<(Array, Option<usize>)> = e.inputs.iter().map(|a| read(&env, a)).collect();
        let xs: Vec<Array> = ins.iter().map(|p| p.0.clone()).collect();
        let ds: Vec<Option<usize>> = ins.iter().map(|p| p.1).collect();
        let named = crate::sharding::current_batch_axis().is_some_and(|a| e.prim.mentions_axis(&a));
        let (outs, odims) = if ds.iter().all(|d| d.is_none()) && !named {
            let refs: Vec<&Array> = xs.iter().collect();
            let o = bind(e.prim.clone(), &refs)?;
            let n = o.len();
            (o, vec![None; n])
        } else {
            e.prim.batch_rule(&xs, &ds, size).map_err(|err| err.context(format!("vmap of {}", e.prim.name())))?
        };
        for ((v, x), d) in e.outputs.iter().zip(outs).zip(odims) {
            env[v.0 as usize] = Some((x, d));
        }
    }
    Ok(g.outvars.iter().map(|a| read(&env, a)).unzip())
}

/// Which outputs of `g` come out batched when the inputs have batch dims
/// `dims` (traced once; loops use it to find their fixpoint).
pub fn batched_outputs(g: &Graph, dims: &[Option<usize>], size: usize) -> Result<Vec<bool>> {
    let out = std::cell::RefCell::new(Vec::new());
    let avals: Vec<crate::ir::Aval> = g
        .in_avals()
        .into_iter()
        .zip(dims)
        .map(|(mut a, d)| {
            if let Some(d) = d {
                a.shape.insert(*d, size);
            }
            a
        })
        .collect();
    crate::trace::make_graph(
        |xs| {
            let (_, od) = vmap_eval(g, xs, dims, size)?;
            *out.borrow_mut() = od.iter().map(|d| d.is_some()).collect();
            Ok(vec![])
        },
        &avals,
    )?;
    Ok(out.into_inner())
}
