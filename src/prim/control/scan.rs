//! `scan`: a loop over the leading axis of its `xs` with a carry, stacking
//! the per-step outputs `ys`. Inputs are consts, the initial carry, then the
//! scanned arrays; the body maps (consts, carry, x slices) to (carry, y
//! slices). Reverse mode follows JAX: partial evaluation splits the body
//! (carries unknown at the fixpoint), the known scan stacks the per-step
//! residuals as extra ys (residuals that are loop-invariant consts are
//! passed once), and the transpose is a scan in the other direction.

use super::{carry_fixpoint, count, expand, host_arrays, hosts, run, same_types, select, sub, Prim};
use crate::array::Array;
use crate::error::Result;
use crate::ir::{Atom, Aval, Eqn, Graph, Var};
use crate::prim::{avals_str, instantiate, LinArg, Tangent};
use crate::runtime::host::HostData;
use crate::trace::{bind, make_graph};
use crate::transform::batching::{batched_outputs, move_axis, move_to_front, to_batched, vmap_eval};
use crate::transform::jvp::{jvp_eval, nonzero_tangents};
use crate::transform::linearize::{split_graph, split_graph_forced, transpose_graph, EqnSplit};
use crate::transform::simplify::{dce, simplify};

fn slice_aval(a: &Aval) -> Aval {
    a.with_shape(a.shape[1..].to_vec())
}
fn stacked_aval(a: &Aval, length: usize) -> Aval {
    let mut shape = vec![length];
    shape.extend_from_slice(&a.shape);
    a.with_shape(shape)
}

pub fn scan_shape(body: &Graph, length: usize, nc: usize, ncarry: usize, ins: &[Aval]) -> Result<Vec<Aval>> {
    if ins.len() < nc + ncarry {
        crate::bail!(Type, "scan takes {nc} consts and {ncarry} carries, got {} operands", ins.len());
    }
    let (consts, rest) = ins.split_at(nc);
    let (init, xs) = rest.split_at(ncarry);
    for x in xs {
        if x.shape.first() != Some(&length) {
            crate::bail!(Type, "scan got value with leading axis size {} (type {x}) for a scan of length {length}", x.shape.first().map(|d| d.to_string()).unwrap_or("none".into()));
        }
    }
    let mut want = consts.to_vec();
    want.extend_from_slice(init);
    want.extend(xs.iter().map(slice_aval));
    if !same_types(&body.in_avals(), &want) {
        crate::bail!(Type, "scan body takes [{}], got [{}]", avals_str(&body.in_avals()), avals_str(&want));
    }
    let outs = body.out_avals();
    if outs.len() < ncarry || !same_types(&outs[..ncarry], init) {
        crate::bail!(
            Type,
            "scan body function carry input and carry output must have equal types (the same shapes and dtypes), but the input carry is [{}] and the output carry is [{}]",
            avals_str(init),
            avals_str(&outs[..ncarry.min(outs.len())])
        );
    }
    let mut r: Vec<Aval> = init.iter().zip(&outs).map(|(a, o)| a.clone().weak(a.weak_type && o.weak_type)).collect();
    r.extend(outs[ncarry..].iter().map(|a| stacked_aval(a, length)));
    Ok(r)
}

pub fn scan_eval(body: &Graph, length: usize, reverse: bool, nc: usize, ncarry: usize, ins: &[&HostData], outs: &[Aval]) -> Result<Vec<HostData>> {
    use crate::prim::structural::{concatenate_eval, slice_eval};
    let bav = body.in_avals();
    let consts = host_arrays(&bav[..nc], &ins[..nc]);
    let mut carry = host_arrays(&bav[nc..nc + ncarry], &ins[nc..nc + ncarry]);
    let xs = &ins[nc + ncarry..];
    let ny = outs.len() - ncarry;
    let mut ys: Vec<Vec<Option<HostData>>> = vec![vec![None; length]; ny];
    for step in 0..length {
        let i = if reverse { length - 1 - step } else { step };
        let mut args = consts.clone();
        args.append(&mut carry);
        for (x, a) in xs.iter().zip(&bav[nc + ncarry..]) {
            let mut start = vec![0; x.shape().len()];
            let mut limit = x.shape().to_vec();
            start[0] = i;
            limit[0] = i + 1;
            let h = slice_eval(&start, &limit, &vec![1; start.len()], x)?.reshaped(&a.shape);
            args.push(Array::from_host_aval(h, a.clone()));
        }
        let mut o = run(body, &args)?;
        for (k, y) in o.split_off(ncarry).into_iter().enumerate() {
            let mut shape = vec![1];
            shape.extend_from_slice(y.shape());
            ys[k][i] = Some(y.host()?.reshaped(&shape));
        }
        carry = o;
    }
    let mut r = hosts(carry)?;
    for (k, parts) in ys.into_iter().enumerate() {
        let a = &outs[ncarry + k];
        if length == 0 {
            r.push(HostData::full(a.dtype, &a.shape, 0.0));
        } else {
            let parts: Vec<HostData> = parts.into_iter().map(|p| p.expect("every step ran")).collect();
            let refs: Vec<&HostData> = parts.iter().collect();
            r.push(concatenate_eval(0, &refs)?);
        }
    }
    Ok(r)
}

#[allow(clippy::too_many_arguments)]
pub fn scan_jvp(body: &Graph, length: usize, reverse: bool, nc: usize, ncarry: usize, unroll: usize, primals: &[Array], tangents: &[Tangent]) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let bav = body.in_avals();
    let present = |ts: &[Tangent]| -> Vec<bool> { ts.iter().map(|t| t.is_some()).collect() };
    let cw = present(&tangents[..nc]);
    let xw = present(&tangents[nc + ncarry..]);
    let float: Vec<bool> = bav[nc..nc + ncarry].iter().map(|a| a.dtype.is_inexact()).collect();
    let init: Vec<bool> = present(&tangents[nc..nc + ncarry]).iter().zip(&float).map(|(a, b)| *a && *b).collect();
    let kw = carry_fixpoint(init, |kw| {
        let mut w = cw.clone();
        w.extend_from_slice(kw);
        w.extend_from_slice(&xw);
        Ok(nonzero_tangents(body, &w)?.iter().zip(&float).map(|(o, f)| *o && *f).collect())
    })?;
    let out_avals = body.out_avals();
    let yf: Vec<bool> = out_avals[ncarry..].iter().map(|a| a.dtype.is_inexact()).collect();
    let (ncw, nkw) = (count(&cw), count(&kw));
    let nx = bav.len() - nc - ncarry;
    let weak0 = |v: Vec<Aval>| -> Vec<Aval> { v.into_iter().map(|a| a.weak(false)).collect() };
    let mut avals = bav[..nc].to_vec();
    avals.extend(weak0(select(&cw, &bav[..nc])));
    avals.extend(bav[nc..nc + ncarry].iter().cloned());
    avals.extend(weak0(select(&kw, &bav[nc..nc + ncarry])));
    avals.extend(bav[nc + ncarry..].iter().cloned());
    avals.extend(weak0(select(&xw, &bav[nc + ncarry..])));
    let j = make_graph(
        |a| {
            let (c, r) = a.split_at(nc);
            let (ct, r) = r.split_at(ncw);
            let (k, r) = r.split_at(ncarry);
            let (kt, r) = r.split_at(nkw);
            let (x, xt) = r.split_at(nx);
            let mut primals = c.to_vec();
            primals.extend_from_slice(k);
            primals.extend_from_slice(x);
            let mut ts = expand(&cw, ct);
            ts.extend(expand(&kw, kt));
            ts.extend(expand(&xw, xt));
            let (outs, touts) = jvp_eval(body, &primals, &ts)?;
            let inst = |i: usize| instantiate(&touts[i], &outs[i].aval().clone().weak(false));
            let mut r = outs[..ncarry].to_vec();
            for i in (0..ncarry).filter(|&i| kw[i]) {
                r.push(inst(i)?);
            }
            r.extend(outs[ncarry..].iter().cloned());
            for i in (0..yf.len()).filter(|&i| yf[i]) {
                r.push(inst(ncarry + i)?);
            }
            Ok(r)
        },
        &avals,
    )?;
    let mut args: Vec<Array> = primals[..nc].to_vec();
    args.extend(tangents[..nc].iter().flatten().cloned());
    args.extend(primals[nc..nc + ncarry].iter().cloned());
    for i in (0..ncarry).filter(|&i| kw[i]) {
        args.push(instantiate(&tangents[nc + i], &bav[nc + i].clone().weak(false))?);
    }
    args.extend(primals[nc + ncarry..].iter().cloned());
    args.extend(tangents[nc + ncarry..].iter().flatten().cloned());
    let refs: Vec<&Array> = args.iter().collect();
    let p = Prim::Scan { body: sub(simplify(&j)), length, reverse, num_consts: nc + ncw, num_carry: ncarry + nkw, unroll };
    let outs = bind(p, &refs)?;
    let (carry, rest) = outs.split_at(ncarry);
    let (carry_t, rest) = rest.split_at(nkw);
    let ny = yf.len();
    let (ys, ys_t) = rest.split_at(ny);
    let mut prim_outs = carry.to_vec();
    prim_outs.extend_from_slice(ys);
    let mut touts = expand(&kw, carry_t);
    touts.extend(expand(&yf, ys_t));
    Ok((prim_outs, touts))
}

#[allow(clippy::too_many_arguments)]
pub fn scan_partial_eval(
    e: &Eqn,
    body: &Graph,
    length: usize,
    reverse: bool,
    nc: usize,
    ncarry: usize,
    unroll: usize,
    mask: &[bool],
    fresh: &mut dyn FnMut(Aval) -> Var,
) -> Result<EqnSplit> {
    let (cm, rest) = mask.split_at(nc);
    let (km, xm) = rest.split_at(ncarry);
    let full = |ku: &[bool]| -> Vec<bool> {
        let mut m = cm.to_vec();
        m.extend_from_slice(ku);
        m.extend_from_slice(xm);
        m
    };
    let ku = carry_fixpoint(km.to_vec(), |ku| Ok(split_graph(body, &full(ku))?.2))?;
    let m = full(&ku);
    let mut force = ku.clone();
    force.resize(body.outvars.len(), false);
    let (k, l, out_unknown, nres) = split_graph_forced(body, &m, &force)?;
    let nk_out = k.outvars.len() - nres;
    let res_atoms = k.outvars[nk_out..].to_vec();
    // residuals that are known consts of the body are passed once, not stacked
    let hoisted: Vec<Option<Atom>> = res_atoms
        .iter()
        .map(|a| match a {
            Atom::Var(v) => body.invars[..nc].iter().position(|iv| iv == v).filter(|&i| !cm[i]).map(|i| e.inputs[i].clone()),
            Atom::Lit(_) => None,
        })
        .collect();
    let mut kb = k.clone();
    kb.outvars.truncate(nk_out);
    kb.outvars.extend(res_atoms.iter().zip(&hoisted).filter(|(_, h)| h.is_none()).map(|(a, _)| a.clone()));
    let kb = dce(&kb);
    let stacked: Vec<Var> = res_atoms.iter().zip(&hoisted).filter(|(_, h)| h.is_none()).map(|(a, _)| fresh(stacked_aval(&k.atom_aval(a), length))).collect();
    let kins: Vec<Atom> = e.inputs.iter().zip(&m).filter(|(_, u)| !**u).map(|(a, _)| a.clone()).collect();
    let mut kouts: Vec<Var> = e.outputs.iter().zip(&out_unknown).filter(|(_, u)| !**u).map(|(v, _)| *v).collect();
    kouts.extend(stacked.iter().copied());
    let known = Eqn {
        prim: Prim::Scan { body: sub(kb), length, reverse, num_consts: count(&cm.iter().map(|m| !m).collect::<Vec<_>>()), num_carry: ncarry - count(&ku), unroll },
        inputs: kins,
        outputs: kouts,
    };
    // the unknown scan: [hoisted residuals, unknown consts][unknown carries][stacked residuals, unknown xs]
    let (res_vars, rest) = l.invars.split_at(nres);
    let (uc, rest) = rest.split_at(count(cm));
    let (uk, ux) = rest.split_at(count(&ku));
    let mut lb = l.clone();
    let mut invars: Vec<Var> = res_vars.iter().zip(&hoisted).filter(|(_, h)| h.is_some()).map(|(v, _)| *v).collect();
    let nhoist = invars.len();
    invars.extend_from_slice(uc);
    invars.extend_from_slice(uk);
    invars.extend(res_vars.iter().zip(&hoisted).filter(|(_, h)| h.is_none()).map(|(v, _)| *v));
    invars.extend_from_slice(ux);
    lb.invars = invars;
    let mut lins: Vec<Atom> = hoisted.iter().flatten().cloned().collect();
    lins.extend(e.inputs[..nc].iter().zip(cm).filter(|(_, u)| **u).map(|(a, _)| a.clone()));
    lins.extend(e.inputs[nc..nc + ncarry].iter().zip(&ku).filter(|(_, u)| **u).map(|(a, _)| a.clone()));
    lins.extend(stacked.iter().map(|v| Atom::Var(*v)));
    lins.extend(e.inputs[nc + ncarry..].iter().zip(xm).filter(|(_, u)| **u).map(|(a, _)| a.clone()));
    let louts: Vec<Var> = e.outputs.iter().zip(&out_unknown).filter(|(_, u)| **u).map(|(v, _)| *v).collect();
    let unknown = Eqn {
        prim: Prim::Scan { body: sub(lb), length, reverse, num_consts: nhoist + count(cm), num_carry: count(&ku), unroll },
        inputs: lins,
        outputs: louts,
    };
    Ok(EqnSplit { known: vec![known], unknown: vec![unknown], out_unknown })
}

/// The transpose of a scan linear in its carries and in the marked consts
/// and xs: a scan the other way whose carry accumulates the cotangents of
/// the linear consts next to the carry cotangent.
#[allow(clippy::too_many_arguments)]
pub fn scan_transpose(body: &Graph, length: usize, reverse: bool, nc: usize, ncarry: usize, unroll: usize, cts: &[Tangent], args: &[LinArg]) -> Result<Vec<Tangent>> {
    if cts.iter().all(|c| c.is_none()) {
        return Ok(vec![None; args.len()]);
    }
    let (ca, rest) = args.split_at(nc);
    let (_, xa) = rest.split_at(ncarry);
    let c_lin: Vec<bool> = ca.iter().map(|a| a.is_lin()).collect();
    let x_lin: Vec<bool> = xa.iter().map(|a| a.is_lin()).collect();
    let kc: Vec<Array> = ca.iter().filter_map(|a| if let LinArg::Const(x) = a { Some(x.clone()) } else { None }).collect();
    let kx: Vec<Array> = xa.iter().filter_map(|a| if let LinArg::Const(x) = a { Some(x.clone()) } else { None }).collect();
    let bav = body.in_avals();
    let weak0 = |v: Vec<Aval>| -> Vec<Aval> { v.into_iter().map(|a| a.weak(false)).collect() };
    let lc_avals = weak0(select(&c_lin, &bav[..nc]));
    let k_avals = weak0(bav[nc..nc + ncarry].to_vec());
    let lx_avals = weak0(select(&x_lin, &bav[nc + ncarry..]));
    let y_avals = weak0(body.out_avals()[ncarry..].to_vec());
    let ct_carry: Vec<Array> = cts[..ncarry].iter().zip(&k_avals).map(|(c, a)| instantiate(c, a)).collect::<Result<_>>()?;
    let ct_ys: Vec<Array> = cts[ncarry..].iter().zip(&y_avals).map(|(c, a)| instantiate(c, &stacked_aval(a, length))).collect::<Result<_>>()?;
    let mut lin = c_lin.clone();
    lin.extend(vec![true; ncarry]);
    lin.extend_from_slice(&x_lin);
    let (nkc, nlc, nkx) = (kc.len(), lc_avals.len(), kx.len());
    let mut avals: Vec<Aval> = kc.iter().map(|x| x.aval().clone()).collect();
    avals.extend(lc_avals.iter().cloned());
    avals.extend(k_avals.iter().cloned());
    avals.extend(kx.iter().map(|x| slice_aval(x.aval())));
    avals.extend(y_avals.iter().cloned());
    let bt = make_graph(
        |a| {
            let (kcv, r) = a.split_at(nkc);
            let (acc, r) = r.split_at(nlc);
            let (ctc, r) = r.split_at(ncarry);
            let (kxv, cty) = r.split_at(nkx);
            let mut known = kcv.to_vec();
            known.extend_from_slice(kxv);
            let cts_in: Vec<Tangent> = ctc.iter().chain(cty).map(|c| Some(c.clone())).collect();
            let got = transpose_graph(body, &lin, &known, &cts_in)?;
            let (gc, r) = got.split_at(nlc);
            let (gk, gx) = r.split_at(ncarry);
            let mut out = Vec::new();
            for (acc, g) in acc.iter().zip(gc) {
                out.push(match g {
                    Some(g) => crate::lax::add(acc, g)?,
                    None => acc.clone(),
                });
            }
            for (g, a) in gk.iter().zip(&k_avals) {
                out.push(instantiate(g, a)?);
            }
            for (g, a) in gx.iter().zip(&lx_avals) {
                out.push(instantiate(g, a)?);
            }
            Ok(out)
        },
        &avals,
    )?;
    let mut call: Vec<Array> = kc.clone();
    for a in &lc_avals {
        call.push(crate::numpy::zeros(&a.shape, a.dtype)?);
    }
    call.extend(ct_carry);
    call.extend(kx);
    call.extend(ct_ys);
    let refs: Vec<&Array> = call.iter().collect();
    let p = Prim::Scan { body: sub(simplify(&bt)), length, reverse: !reverse, num_consts: nkc, num_carry: nlc + ncarry, unroll };
    let outs = bind(p, &refs)?;
    let (gc, r) = outs.split_at(nlc);
    let (gk, gx) = r.split_at(ncarry);
    let mut gc = gc.iter();
    let mut gx = gx.iter();
    let mut res: Vec<Tangent> = c_lin.iter().map(|&l| if l { gc.next().cloned() } else { None }).collect();
    res.extend(gk.iter().map(|g| Some(g.clone())));
    res.extend(x_lin.iter().map(|&l| if l { gx.next().cloned() } else { None }));
    Ok(res)
}

#[allow(clippy::too_many_arguments)]
pub fn scan_batch(
    body: &Graph,
    length: usize,
    reverse: bool,
    nc: usize,
    ncarry: usize,
    unroll: usize,
    args: &[Array],
    dims: &[Option<usize>],
    size: usize,
) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
    let mut a: Vec<Array> = Vec::with_capacity(args.len());
    let mut bd: Vec<Option<usize>> = Vec::with_capacity(args.len());
    for (i, (x, d)) in args.iter().zip(dims).enumerate() {
        if i < nc + ncarry {
            a.push(move_to_front(x, *d)?);
        } else {
            // the scanned axis stays first; the batch axis goes second
            a.push(match d {
                Some(d) => move_axis(x, *d, 1)?,
                None => x.clone(),
            });
        }
        bd.push(d.map(|_| 0));
    }
    let cb = carry_fixpoint(bd[nc..nc + ncarry].iter().map(|d| d.is_some()).collect(), |cb| {
        let mut dd = bd.clone();
        for (k, &b) in cb.iter().enumerate() {
            dd[nc + k] = if b { Some(0) } else { None };
        }
        batched_outputs(body, &dd, size)
    })?;
    for (k, &b) in cb.iter().enumerate() {
        if b {
            a[nc + k] = to_batched(&a[nc + k], bd[nc + k], size)?;
            bd[nc + k] = Some(0);
        }
    }
    let mut avals: Vec<Aval> = a[..nc + ncarry].iter().map(|x| x.aval().clone()).collect();
    avals.extend(a[nc + ncarry..].iter().map(|x| slice_aval(x.aval())));
    let ys_batched = std::cell::RefCell::new(Vec::new());
    let g = make_graph(
        |xs| {
            let (o, od) = vmap_eval(body, xs, &bd, size)?;
            let mut r = Vec::with_capacity(o.len());
            for (k, (x, d)) in o.iter().zip(&od).enumerate() {
                if k < ncarry {
                    r.push(if cb[k] { to_batched(x, *d, size)? } else { x.clone() });
                } else {
                    ys_batched.borrow_mut().push(d.is_some());
                    r.push(move_to_front(x, *d)?);
                }
            }
            Ok(r)
        },
        &avals,
    )?;
    let refs: Vec<&Array> = a.iter().collect();
    let outs = bind(Prim::Scan { body: sub(simplify(&g)), length, reverse, num_consts: nc, num_carry: ncarry, unroll }, &refs)?;
    let mut odims: Vec<Option<usize>> = cb.iter().map(|&b| if b { Some(0) } else { None }).collect();
    odims.extend(ys_batched.into_inner().into_iter().map(|b| if b { Some(1) } else { None }));
    Ok((outs, odims))
}
