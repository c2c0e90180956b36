//! `cond` (JAX's `switch`/`cond`): an int32 index picks one of the branches,
//! each a closed graph of the same operands with identically typed outputs.
//! Partial evaluation splits every branch the same way (residuals of all
//! branches travel together, zeros where a branch has none); a batched
//! index turns the cond into a select of every branch's result, as in JAX.

use super::{hosts, host_args, run, same_types, sub, Prim};
use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::ir::{Atom, Aval, Eqn, Graph, SubGraph, Var};
use crate::prim::{avals_str, instantiate, LinArg, Tangent};
use crate::runtime::host::HostData;
use crate::trace::{bind, eval_graph, make_graph};
use crate::transform::batching::{move_to_front, to_batched, vmap_eval};
use crate::transform::linearize::{split_graph, split_graph_forced, transpose_graph, EqnSplit};
use crate::transform::simplify::simplify;

pub fn cond_shape(branches: &[SubGraph], ins: &[Aval]) -> Result<Vec<Aval>> {
    let Some((idx, ops)) = ins.split_first() else { crate::bail!(Type, "cond takes an index operand") };
    if !idx.shape.is_empty() || idx.dtype != DType::I32 {
        crate::bail!(Type, "cond index must be a scalar int32, got {idx}");
    }
    if branches.is_empty() {
        crate::bail!(Value, "cond needs at least one branch");
    }
    let out0 = branches[0].0.out_avals();
    for (i, b) in branches.iter().enumerate() {
        let want = b.0.in_avals();
        if !same_types(&want, ops) {
            crate::bail!(Type, "cond branch {i} takes [{}], got [{}]", avals_str(&want), avals_str(ops));
        }
        let outs = b.0.out_avals();
        if !same_types(&outs, &out0) {
            crate::bail!(Type, "branch 0 and {i} outputs must have same type structure, got [{}] and [{}].", avals_str(&out0), avals_str(&outs));
        }
    }
    Ok(out0.iter().enumerate().map(|(k, a)| a.clone().weak(branches.iter().all(|b| b.0.atom_aval(&b.0.outvars[k]).weak_type))).collect())
}

/// An out-of-range index runs the last branch (StableHLO's `case`).
fn branch_index(idx: i64, n: usize) -> usize {
    if idx < 0 || idx as usize >= n {
        n - 1
    } else {
        idx as usize
    }
}

pub fn cond_eval(branches: &[SubGraph], ins: &[&HostData]) -> Result<Vec<HostData>> {
    let b = &branches[branch_index(ins[0].first_i128() as i64, branches.len())].0;
    hosts(run(b, &host_args(b, &ins[1..]))?)
}

pub fn cond_jvp(branches: &[SubGraph], primals: &[Array], tangents: &[Tangent]) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let which: Vec<bool> = tangents[1..].iter().map(|t| t.is_some()).collect();
    let out_avals = branches[0].0.out_avals();
    let nout = out_avals.len();
    let float_out: Vec<bool> = out_avals.iter().map(|a| a.dtype.is_inexact()).collect();
    let new = branches
        .iter()
        .map(|b| {
            let mut j = crate::transform::jvp::jvp_graph(&b.0, &which)?;
            let touts = j.outvars.split_off(nout);
            j.outvars.extend(touts.into_iter().zip(&float_out).filter(|(_, f)| **f).map(|(t, _)| t));
            Ok(sub(simplify(&j)))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut args: Vec<&Array> = primals.iter().collect();
    args.extend(tangents.iter().flatten());
    let mut outs = bind(Prim::Cond { branches: new }, &args)?;
    let mut touts = outs.split_off(nout).into_iter();
    Ok((outs, float_out.iter().map(|&f| if f { touts.next() } else { None }).collect()))
}

/// Every branch split alike: the union of their unknown outputs is forced
/// on each, and each known branch outputs every branch's residuals.
pub fn cond_partial_eval(e: &Eqn, branches: &[SubGraph], mask: &[bool], fresh: &mut dyn FnMut(Aval) -> Var) -> Result<Option<EqnSplit>> {
    if mask[0] {
        return Ok(None);
    }
    let mops = &mask[1..];
    let mut out_unknown = vec![false; e.outputs.len()];
    for b in branches {
        let (_, _, ou, _) = split_graph(&b.0, mops)?;
        out_unknown.iter_mut().zip(ou).for_each(|(u, o)| *u |= o);
    }
    let splits = branches.iter().map(|b| split_graph_forced(&b.0, mops, &out_unknown)).collect::<Result<Vec<_>>>()?;
    let nknown_out = out_unknown.iter().filter(|u| !**u).count();
    let res_avals: Vec<Vec<Aval>> = splits.iter().map(|(k, _, _, nres)| k.outvars[k.outvars.len() - nres..].iter().map(|a| k.atom_aval(a)).collect()).collect();
    let all_res: Vec<Aval> = res_avals.iter().flatten().cloned().collect();
    let op_avals = branches[0].0.in_avals();
    let known_avals: Vec<Aval> = op_avals.iter().zip(mops).filter(|(_, m)| !**m).map(|(a, _)| a.clone()).collect();
    let unknown_avals: Vec<Aval> = op_avals.iter().zip(mops).filter(|(_, m)| **m).map(|(a, _)| a.clone()).collect();
    let mut known_branches = Vec::new();
    let mut unknown_branches = Vec::new();
    let mut offset = 0;
    for (bi, (k, l, _, nres)) in splits.iter().enumerate() {
        let kb = make_graph(
            |xs| {
                let mut o = eval_graph(k, xs)?;
                let own = o.split_off(nknown_out);
                for (bj, avals) in res_avals.iter().enumerate() {
                    if bj == bi {
                        o.extend(own.iter().cloned());
                    } else {
                        for a in avals {
                            o.push(crate::numpy::zeros(&a.shape, a.dtype)?);
                        }
                    }
                }
                Ok(o)
            },
            &known_avals,
        )?;
        known_branches.push(sub(kb));
        let mut lavals = all_res.clone();
        lavals.extend(unknown_avals.iter().cloned());
        let (from, n) = (offset, *nres);
        let lb = make_graph(
            |xs| {
                let mut args: Vec<Array> = xs[from..from + n].to_vec();
                args.extend(xs[all_res.len()..].iter().cloned());
                eval_graph(l, &args)
            },
            &lavals,
        )?;
        unknown_branches.push(sub(lb));
        offset += nres;
    }
    let res: Vec<Var> = all_res.iter().map(|a| fresh(a.clone())).collect();
    let mut kins = vec![e.inputs[0].clone()];
    kins.extend(e.inputs[1..].iter().zip(mops).filter(|(_, m)| !**m).map(|(a, _)| a.clone()));
    let mut kouts: Vec<Var> = e.outputs.iter().zip(&out_unknown).filter(|(_, u)| !**u).map(|(v, _)| *v).collect();
    kouts.extend(res.iter().copied());
    let mut lins = vec![e.inputs[0].clone()];
    lins.extend(res.iter().map(|v| Atom::Var(*v)));
    lins.extend(e.inputs[1..].iter().zip(mops).filter(|(_, m)| **m).map(|(a, _)| a.clone()));
    let louts: Vec<Var> = e.outputs.iter().zip(&out_unknown).filter(|(_, u)| **u).map(|(v, _)| *v).collect();
    Ok(Some(EqnSplit {
        known: vec![Eqn { prim: Prim::Cond { branches: known_branches }, inputs: kins, outputs: kouts }],
        unknown: vec![Eqn { prim: Prim::Cond { branches: unknown_branches }, inputs: lins, outputs: louts }],
        out_unknown,
    }))
}

/// A cond of the transposed branches (the index and known operands are consts).
pub fn cond_transpose(branches: &[SubGraph], cts: &[Tangent], args: &[LinArg]) -> Result<Vec<Tangent>> {
    let index = args[0].value("cond index")?;
    let ops = &args[1..];
    let lin: Vec<bool> = ops.iter().map(|a| a.is_lin()).collect();
    let consts: Vec<Array> = ops.iter().filter_map(|a| if let LinArg::Const(x) = a { Some(x.clone()) } else { None }).collect();
    let cts: Vec<Array> = cts.iter().zip(branches[0].0.out_avals()).map(|(c, a)| instantiate(c, &a.weak(false))).collect::<Result<_>>()?;
    let lin_avals: Vec<Aval> = ops.iter().filter(|a| a.is_lin()).map(|a| a.aval().weak(false)).collect();
    let mut avals: Vec<Aval> = consts.iter().map(|c| c.aval().clone()).collect();
    avals.extend(cts.iter().map(|c| c.aval().clone()));
    let nc = consts.len();
    let new = branches
        .iter()
        .map(|b| {
            let t = make_graph(
                |xs| {
                    let ct_in: Vec<Tangent> = xs[nc..].iter().map(|c| Some(c.clone())).collect();
                    let got = transpose_graph(&b.0, &lin, &xs[..nc], &ct_in)?;
                    got.iter().zip(&lin_avals).map(|(c, a)| instantiate(c, a)).collect()
                },
                &avals,
            )?;
            Ok(sub(simplify(&t)))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut call_args: Vec<&Array> = vec![index];
    call_args.extend(consts.iter());
    call_args.extend(cts.iter());
    let got = bind(Prim::Cond { branches: new }, &call_args)?;
    let mut it = got.into_iter();
    let mut r = vec![None];
    r.extend(lin.iter().map(|&l| if l { it.next() } else { None }));
    Ok(r)
}

/// The branches vmapped (outputs batched at 0) under an unbatched index; a
/// batched index selects among all branches' results.
pub fn cond_batch(branches: &[SubGraph], args: &[Array], dims: &[Option<usize>], size: usize) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
    let (ops, odims) = (&args[1..], &dims[1..]);
    let nout = branches[0].0.outvars.len();
    let batched = |b: &Graph, xs: &[Array]| -> Result<Vec<Array>> {
        let (outs, ds) = vmap_eval(b, xs, odims, size)?;
        outs.iter().zip(ds).map(|(x, d)| to_batched(x, d, size)).collect()
    };
    if dims[0].is_none() {
        let avals: Vec<Aval> = ops.iter().map(|x| x.aval().clone()).collect();
        let new = branches.iter().map(|b| Ok(sub(simplify(&make_graph(|xs| batched(&b.0, xs), &avals)?)))).collect::<Result<Vec<_>>>()?;
        let mut call_args: Vec<&Array> = vec![&args[0]];
        call_args.extend(ops.iter());
        return Ok((bind(Prim::Cond { branches: new }, &call_args)?, vec![Some(0); nout]));
    }
    let idx = move_to_front(&args[0], dims[0])?;
    let n = branches.len() as i32;
    let idx = crate::lax::clamp(&Array::scalar(0i32), &idx, &Array::scalar(n - 1))?;
    let results = branches.iter().map(|b| batched(&b.0, ops)).collect::<Result<Vec<_>>>()?;
    let outs = (0..nout)
        .map(|k| {
            let shape = results[0][k].shape().to_vec();
            let which = crate::lax::broadcast_in_dim(&idx, &shape, &[0])?;
            let cases: Vec<&Array> = results.iter().map(|r| &r[k]).collect();
            crate::lax::select_n(&which, &cases)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((outs, vec![Some(0); nout]))
}
