//! `while_loop` and its reverse mode.
//!
//! The JVP of a while loop is two equations: the primal loop, extended with a
//! trip counter, and a `linear_while` that runs the tangent recurrence for
//! that many steps (re-running the primal body alongside, from the initial
//! carry). Partial evaluation needs nothing special: the primal loop is
//! known, `linear_while` is linear in the tangents, and its residuals are
//! only the trip count, the body consts and the initial carry.
//!
//! Transposing `linear_while` walks the steps backwards without storing
//! them: a stack of checkpoints filled by bisection (to reverse step t from
//! the top checkpoint at i < t, advance to the midpoint and push it). The
//! stack holds at most 1 + log2(n) carries and the body runs O(n log n)
//! times in all; JAX refuses this case ("Reverse-mode differentiation does
//! not work for lax.while_loop").

use super::{carry_fixpoint, count, expand, host_arrays, hosts, run, same_types, select, sub, Prim};
use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::ir::{Aval, Graph, SubGraph};
use crate::lax;
use crate::prim::{avals_str, instantiate, LinArg, Tangent};
use crate::runtime::host::HostData;
use crate::trace::{bind, eval_graph, make_graph, Function};
use crate::transform::batching::{batched_outputs, move_to_front, to_batched, vmap_eval};
use crate::transform::jvp::{jvp_eval, nonzero_tangents};
use crate::transform::linearize::{split_graph, transpose_graph};
use crate::transform::simplify::simplify;

/// Checkpoint slots of the reverse sweep: enough for any int32 trip count.
const STACK_SLOTS: usize = 34;

pub fn while_shape(cond: &Graph, body: &Graph, nc: usize, nb: usize, ins: &[Aval]) -> Result<Vec<Aval>> {
    if ins.len() < nc + nb {
        crate::bail!(Type, "while takes {} consts, got {} operands", nc + nb, ins.len());
    }
    let (cc, rest) = ins.split_at(nc);
    let (bc, init) = rest.split_at(nb);
    let mut want = cc.to_vec();
    want.extend_from_slice(init);
    if !same_types(&cond.in_avals(), &want) {
        crate::bail!(Type, "while_loop cond_fun takes [{}], got [{}]", avals_str(&cond.in_avals()), avals_str(&want));
    }
    let pred = cond.out_avals();
    if pred.len() != 1 || pred[0].dtype != DType::Bool || !pred[0].shape.is_empty() {
        crate::bail!(Type, "cond_fun must return a boolean scalar, but got output type(s) [{}].", avals_str(&pred));
    }
    let mut want = bc.to_vec();
    want.extend_from_slice(init);
    if !same_types(&body.in_avals(), &want) {
        crate::bail!(Type, "while_loop body_fun takes [{}], got [{}]", avals_str(&body.in_avals()), avals_str(&want));
    }
    let outs = body.out_avals();
    if !same_types(&outs, init) {
        crate::bail!(Type, "body_fun output and input must have identical types, got\nbody_fun output: [{}]\nbody_fun input: [{}]", avals_str(&outs), avals_str(init));
    }
    Ok(init.iter().zip(&outs).map(|(a, o)| a.clone().weak(a.weak_type && o.weak_type)).collect())
}

pub fn while_eval(cond: &Graph, body: &Graph, nc: usize, nb: usize, ins: &[&HostData]) -> Result<Vec<HostData>> {
    let cav = cond.in_avals();
    let bav = body.in_avals();
    let cc = host_arrays(&cav[..nc], &ins[..nc]);
    let bc = host_arrays(&bav[..nb], &ins[nc..nc + nb]);
    let mut carry = host_arrays(&bav[nb..], &ins[nc + nb..]);
    loop {
        let mut args = cc.clone();
        args.extend(carry.iter().cloned());
        if run(cond, &args)?[0].host()?.first_f64() == 0.0 {
            return hosts(carry);
        }
        let mut args = bc.clone();
        args.extend(carry);
        carry = run(body, &args)?;
    }
}

/// The carries whose tangents are nonzero at the loop's fixpoint.
fn carry_tangents(body: &Graph, nb: usize, consts_which: &[bool], init_which: Vec<bool>) -> Result<Vec<bool>> {
    let float: Vec<bool> = body.in_avals()[nb..].iter().map(|a| a.dtype.is_inexact()).collect();
    let init: Vec<bool> = init_which.iter().zip(&float).map(|(w, f)| *w && *f).collect();
    carry_fixpoint(init, |which| {
        let mut w = consts_which.to_vec();
        w.extend_from_slice(which);
        Ok(nonzero_tangents(body, &w)?.iter().zip(&float).map(|(o, f)| *o && *f).collect())
    })
}

pub fn while_jvp(cond: &Graph, body: &Graph, nc: usize, nb: usize, primals: &[Array], tangents: &[Tangent]) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let consts_which: Vec<bool> = tangents[nc..nc + nb].iter().map(|t| t.is_some()).collect();
    let init_t = &tangents[nc + nb..];
    let carry_which = carry_tangents(body, nb, &consts_which, init_t.iter().map(|t| t.is_some()).collect())?;
    let refs: Vec<&Array> = primals.iter().collect();
    if !carry_which.iter().any(|w| *w) {
        let outs = bind(Prim::While { cond: sub(cond.clone()), body: sub(body.clone()), cond_nconsts: nc, body_nconsts: nb }, &refs)?;
        let n = outs.len();
        return Ok((outs, vec![None; n]));
    }
    // the primal loop, counting its steps
    let counter = Aval::scalar(DType::I32);
    let cond_c = super::insert_invars(cond, cond.invars.len(), &[counter.clone()]);
    let mut bav = body.in_avals();
    bav.push(counter);
    let body_c = make_graph(
        |xs| {
            let (args, i) = xs.split_at(xs.len() - 1);
            let mut o = eval_graph(body, args)?;
            o.push(lax::add(&i[0], &Array::scalar(1i32))?);
            Ok(o)
        },
        &bav,
    )?;
    let zero = Array::scalar(0i32);
    let mut args = refs.clone();
    args.push(&zero);
    let mut outs = bind(Prim::While { cond: sub(cond_c), body: sub(body_c), cond_nconsts: nc, body_nconsts: nb }, &args)?;
    let n = outs.pop().expect("the counter");
    // the tangent loop
    let carry_avals = body.in_avals()[nb..].to_vec();
    let init_t: Vec<Array> = init_t.iter().zip(&carry_avals).zip(&carry_which).filter(|(_, w)| **w).map(|((t, a), _)| instantiate(t, &a.clone().weak(false))).collect::<Result<_>>()?;
    let lw = LinearWhile { body: sub(body.clone()), body_nconsts: nb, consts_which, carry_which: carry_which.clone() };
    let mut largs: Vec<&Array> = vec![&n];
    largs.extend(primals[nc..].iter());
    largs.extend(tangents[nc..nc + nb].iter().flatten());
    largs.extend(init_t.iter());
    let touts = bind(Prim::LinearWhile(lw), &largs)?;
    Ok((outs, expand(&carry_which, &touts)))
}

/// A while loop of batched operands. With an unbatched predicate the body is
/// vmapped; with a batched one the loop runs while any member's predicate
/// holds and members that are done keep their carry (as in JAX).
pub fn while_batch(cond: &Graph, body: &Graph, nc: usize, nb: usize, args: &[Array], dims: &[Option<usize>], size: usize) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
    let ncarry = args.len() - nc - nb;
    let args: Vec<Array> = args.iter().zip(dims).map(|(x, d)| move_to_front(x, *d)).collect::<Result<_>>()?;
    let d: Vec<Option<usize>> = dims.iter().map(|d| d.map(|_| 0)).collect();
    let (cd, bd, id) = (&d[..nc], &d[nc..nc + nb], &d[nc + nb..]);
    let to_dims = |b: &[bool]| -> Vec<Option<usize>> { b.iter().map(|&b| if b { Some(0) } else { None }).collect() };
    let mut batched = carry_fixpoint(id.iter().map(|d| d.is_some()).collect(), |b| {
        let mut dd = bd.to_vec();
        dd.extend(to_dims(b));
        batched_outputs(body, &dd, size)
    })?;
    let mut cdd = cd.to_vec();
    cdd.extend(to_dims(&batched));
    let pred_batched = batched_outputs(cond, &cdd, size)?[0];
    if pred_batched {
        batched = vec![true; ncarry];
    }
    let carry_dims = to_dims(&batched);
    let carries: Vec<Array> = args[nc + nb..].iter().zip(id).zip(&batched).map(|((x, d), &b)| if b { to_batched(x, *d, size) } else { Ok(x.clone()) }).collect::<Result<_>>()?;
    let mut cdims = cd.to_vec();
    cdims.extend(carry_dims.iter().copied());
    let mut bdims = bd.to_vec();
    bdims.extend(carry_dims.iter().copied());
    let batched_body = |xs: &[Array]| -> Result<Vec<Array>> {
        let (o, od) = vmap_eval(body, xs, &bdims, size)?;
        o.iter().zip(od).zip(&batched).map(|((x, d), &b)| if b { to_batched(x, d, size) } else { Ok(x.clone()) }).collect()
    };
    let avals = |xs: &[Array]| -> Vec<Aval> { xs.iter().map(|x| x.aval().clone()).collect() };
    let (cc, bc) = (&args[..nc], &args[nc..nc + nb]);
    let mut cav = avals(cc);
    cav.extend(avals(&carries));
    if !pred_batched {
        let cond_b = make_graph(|xs| Ok(vmap_eval(cond, xs, &cdims, size)?.0), &cav)?;
        let mut bav = avals(bc);
        bav.extend(avals(&carries));
        let body_b = make_graph(batched_body, &bav)?;
        let mut call: Vec<&Array> = args[..nc + nb].iter().collect();
        call.extend(carries.iter());
        let outs = bind(Prim::While { cond: sub(simplify(&cond_b)), body: sub(simplify(&body_b)), cond_nconsts: nc, body_nconsts: nb }, &call)?;
        return Ok((outs, carry_dims));
    }
    let any_pred = make_graph(
        |xs| {
            let p = vmap_eval(cond, xs, &cdims, size)?.0.remove(0);
            Ok(vec![lax::reduce_or(&p, &[0])?])
        },
        &cav,
    )?;
    let mut bav = avals(cc);
    bav.extend(avals(bc));
    bav.extend(avals(&carries));
    let body_b = make_graph(
        |xs| {
            let (ccv, rest) = xs.split_at(nc);
            let (bcv, c) = rest.split_at(nb);
            let mut cargs = ccv.to_vec();
            cargs.extend(c.iter().cloned());
            let p = vmap_eval(cond, &cargs, &cdims, size)?.0.remove(0);
            let mut bargs = bcv.to_vec();
            bargs.extend(c.iter().cloned());
            let new = batched_body(&bargs)?;
            new.iter()
                .zip(c)
                .map(|(n, o)| {
                    let p = lax::broadcast_in_dim(&p, n.shape(), &[0])?;
                    lax::select(&p, n, o)
                })
                .collect()
        },
        &bav,
    )?;
    let mut call: Vec<&Array> = cc.iter().collect();
    call.extend(cc.iter());
    call.extend(bc.iter());
    call.extend(carries.iter());
    let outs = bind(Prim::While { cond: sub(simplify(&any_pred)), body: sub(simplify(&body_b)), cond_nconsts: nc, body_nconsts: nc + nb }, &call)?;
    Ok((outs, vec![Some(0); ncarry]))
}

/// The tangent recurrence of a while loop, run for a given number of steps.
/// Inputs: the trip count (int32), the body consts, the initial carry, the
/// tangents of the consts marked in `consts_which`, the tangents of the
/// carries marked in `carry_which`. Outputs: the final carry tangents.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LinearWhile {
    pub body: SubGraph,
    pub body_nconsts: usize,
    pub consts_which: Vec<bool>,
    pub carry_which: Vec<bool>,
}

impl LinearWhile {
    pub fn params_str(&self) -> String {
        format!("body={{{} equations}} body_nconsts={}", self.body.0.eqns.len(), self.body_nconsts)
    }

    fn in_avals(&self) -> Vec<Aval> {
        let bav = self.body.0.in_avals();
        let nb = self.body_nconsts;
        let mut a = vec![Aval::scalar(DType::I32)];
        a.extend(bav.iter().cloned());
        a.extend(select(&self.consts_which, &bav[..nb]).into_iter().map(|a| a.weak(false)));
        a.extend(select(&self.carry_which, &bav[nb..]).into_iter().map(|a| a.weak(false)));
        a
    }

    pub fn shape(&self, ins: &[Aval]) -> Result<Vec<Aval>> {
        let want = self.in_avals();
        if !same_types(&want, ins) {
            crate::bail!(Type, "linear_while takes [{}], got [{}]", avals_str(&want), avals_str(ins));
        }
        Ok(select(&self.carry_which, &self.body.0.in_avals()[self.body_nconsts..]).into_iter().map(|a| a.weak(false)).collect())
    }

    /// The body's JVP: (consts, const tangents, carry, carry tangents) ->
    /// (carry, carry tangents).
    fn jvp_body(&self) -> Result<Graph> {
        let (body, nb) = (&self.body.0, self.body_nconsts);
        let bav = body.in_avals();
        let ncarry = bav.len() - nb;
        let (cw, kw) = (&self.consts_which, &self.carry_which);
        let mut avals = bav[..nb].to_vec();
        avals.extend(select(cw, &bav[..nb]).into_iter().map(|a| a.weak(false)));
        avals.extend(bav[nb..].iter().cloned());
        avals.extend(select(kw, &bav[nb..]).into_iter().map(|a| a.weak(false)));
        let nbt = count(cw);
        let g = make_graph(
            |xs| {
                let (bc, rest) = xs.split_at(nb);
                let (bct, rest) = rest.split_at(nbt);
                let (c, ct) = rest.split_at(ncarry);
                let mut primals = bc.to_vec();
                primals.extend(c.iter().cloned());
                let mut tangents = expand(cw, bct);
                tangents.extend(expand(kw, ct));
                let (mut outs, touts) = jvp_eval(body, &primals, &tangents)?;
                let tout: Vec<Array> = touts.iter().zip(&outs).zip(kw).filter(|(_, w)| **w).map(|((t, o), _)| instantiate(t, &o.aval().clone().weak(false))).collect::<Result<_>>()?;
                outs.extend(tout);
                Ok(outs)
            },
            &avals,
        )?;
        Ok(simplify(&g))
    }

    /// The recurrence as an ordinary counted while loop.
    fn expansion(&self) -> Result<Graph> {
        let j = self.jvp_body()?;
        let nb = self.body_nconsts;
        let ncarry = self.carry_which.len();
        let (nbt, nct) = (count(&self.consts_which), count(&self.carry_which));
        let i32s = Aval::scalar(DType::I32);
        let carry_avals: Vec<Aval> = j.in_avals()[nb + nbt..].to_vec();
        let mut cav = vec![i32s.clone(), i32s.clone()];
        cav.extend(carry_avals.iter().cloned());
        let cond = make_graph(|xs| Ok(vec![lax::lt(&xs[1], &xs[0])?]), &cav)?;
        let mut bav = j.in_avals()[..nb + nbt].to_vec();
        bav.push(i32s);
        bav.extend(carry_avals.iter().cloned());
        let body = make_graph(
            |xs| {
                let mut args = xs[..nb + nbt].to_vec();
                args.extend(xs[nb + nbt + 1..].iter().cloned());
                let mut o = vec![lax::add(&xs[nb + nbt], &Array::scalar(1i32))?];
                o.extend(eval_graph(&j, &args)?);
                Ok(o)
            },
            &bav,
        )?;
        let w = Prim::While { cond: sub(cond), body: sub(simplify(&body)), cond_nconsts: 1, body_nconsts: nb + nbt };
        make_graph(
            |xs| {
                let (n, rest) = xs.split_at(1);
                let (bc, rest) = rest.split_at(nb);
                let (c, rest) = rest.split_at(ncarry);
                let (bct, ct) = rest.split_at(nbt);
                let zero = Array::scalar(0i32);
                let mut args: Vec<&Array> = vec![&n[0]];
                args.extend(bc.iter());
                args.extend(bct.iter());
                args.push(&zero);
                args.extend(c.iter());
                args.extend(ct.iter());
                let outs = bind(w.clone(), &args)?;
                Ok(outs[1 + ncarry..1 + ncarry + nct].to_vec())
            },
            &self.in_avals(),
        )
    }

    pub fn eval(&self, ins: &[&HostData]) -> Result<Vec<HostData>> {
        let g = self.expansion()?;
        hosts(run(&g, &super::host_args(&g, ins))?)
    }

    pub fn jvp(&self, primals: &[Array], tangents: &[Tangent]) -> Result<(Vec<Array>, Vec<Tangent>)> {
        jvp_eval(&self.expansion()?, primals, tangents)
    }

    pub fn batch(&self, args: &[Array], dims: &[Option<usize>], size: usize) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
        vmap_eval(&self.expansion()?, args, dims, size)
    }

    /// The lowering emits the expansion.
    pub fn lowered(&self) -> Result<Graph> {
        self.expansion()
    }

    /// The reverse sweep with a bisection checkpoint stack (see the top).
    pub fn transpose(&self, cts: &[Tangent], args: &[LinArg]) -> Result<Vec<Tangent>> {
        let (body, nb) = (&self.body.0, self.body_nconsts);
        let ncarry = self.carry_which.len();
        let (nbt, nct) = (count(&self.consts_which), count(&self.carry_which));
        if cts.iter().all(|c| c.is_none()) {
            return Ok(vec![None; args.len()]);
        }
        let n = args[0].value("linear_while trip count")?.clone();
        let bc: Vec<Array> = args[1..1 + nb].iter().map(|a| a.value("linear_while body const").cloned()).collect::<Result<_>>()?;
        let init: Vec<Array> = args[1 + nb..1 + nb + ncarry].iter().map(|a| a.value("linear_while initial carry").cloned()).collect::<Result<_>>()?;
        let bav = body.in_avals();
        let carry_avals = bav[nb..].to_vec();
        let ct_avals: Vec<Aval> = select(&self.carry_which, &carry_avals).into_iter().map(|a| a.weak(false)).collect();
        let bct_avals: Vec<Aval> = select(&self.consts_which, &bav[..nb]).into_iter().map(|a| a.weak(false)).collect();
        let ct0: Vec<Array> = cts.iter().zip(&ct_avals).map(|(c, a)| instantiate(c, a)).collect::<Result<_>>()?;

        // one step backwards: (consts, carry before the step, carry cotangent)
        // -> (const tangent cotangents, carry cotangent before the step)
        let mut jt = self.jvp_body()?;
        jt.outvars = jt.outvars[ncarry..].to_vec();
        let mut lin = vec![false; nb];
        lin.extend(vec![true; nbt]);
        lin.extend(vec![false; ncarry]);
        lin.extend(vec![true; nct]);
        let mut step_avals = bav.clone();
        step_avals.extend(ct_avals.iter().cloned());
        let mut out_avals = bct_avals.clone();
        out_avals.extend(ct_avals.iter().cloned());
        // the JVP body computes primals and tangents together (an inner scan
        // or loop is one joint equation): split off its primal part first,
        // so only the linear part is transposed
        let (known_g, lin_g, out_unknown, nres) = split_graph(&jt, &lin)?;
        let n_known_out = out_unknown.iter().filter(|u| !**u).count();
        let mut lin_l = vec![false; nres];
        lin_l.extend(vec![true; nbt + nct]);
        let step = make_graph(
            |xs| {
                let (known, ctv) = xs.split_at(nb + ncarry);
                let residuals = eval_graph(&known_g, known)?.split_off(n_known_out);
                let cts: Vec<Tangent> = ctv.iter().zip(&out_unknown).filter(|(_, u)| **u).map(|(c, _)| Some(c.clone())).collect();
                let got = transpose_graph(&lin_g, &lin_l, &residuals, &cts)?;
                got.iter().zip(&out_avals).map(|(c, a)| instantiate(c, a)).collect()
            },
            &step_avals,
        )?;
        let step = std::sync::Arc::new(simplify(&step));
        let body = std::sync::Arc::new(body.clone());

        // state: t, sp, idx stack, carry stacks, const cotangents, carry cotangents
        let mut state = vec![lax::sub(&n, &i32s(1))?, i32s(1), crate::numpy::zeros(&[STACK_SLOTS], DType::I32)?];
        for (x, a) in init.iter().zip(&carry_avals) {
            let mut shape = vec![STACK_SLOTS];
            shape.extend_from_slice(&a.shape);
            state.push(set(&crate::numpy::zeros(&shape, a.dtype)?, &i32s(0), x)?);
        }
        for a in &bct_avals {
            state.push(crate::numpy::zeros(&a.shape, a.dtype)?);
        }
        state.extend(ct0);
        let outer_cond = Function::new("reverse_sweep_cond", |s: &[Array]| Ok(vec![lax::ge(&s[0], &Array::scalar(0i32))?]));
        let bc_outer = bc.clone();
        let outer_body = Function::new("reverse_sweep", move |s: &[Array]| {
            let (t, sp) = (&s[0], &s[1]);
            // advance until the top checkpoint is step t
            let t_in = t.clone();
            let advance_cond = Function::new("advance_cond", move |a: &[Array]| {
                let top = get(&a[1], &lax::sub(&a[0], &i32s(1))?)?;
                Ok(vec![lax::lt(&top, &t_in)?])
            });
            let (t_in, bc_in, body_in) = (t.clone(), bc_outer.clone(), body.clone());
            let advance = Function::new("advance", move |a: &[Array]| {
                let (sp, idx) = (&a[0], &a[1]);
                let top = lax::sub(sp, &i32s(1))?;
                let i = get(idx, &top)?;
                let mut c: Vec<Array> = a[2..].iter().map(|st| get(st, &top)).collect::<Result<_>>()?;
                let m = lax::div(&lax::add(&lax::add(&i, &t_in)?, &i32s(1))?, &i32s(2))?;
                let m_in = m.clone();
                let run_cond = Function::new("to_midpoint_cond", move |r: &[Array]| Ok(vec![lax::lt(&r[0], &m_in)?]));
                let (bc_r, body_r) = (bc_in.clone(), body_in.clone());
                let run_body = Function::new("to_midpoint", move |r: &[Array]| {
                    let mut args = bc_r.clone();
                    args.extend(r[1..].iter().cloned());
                    let mut o = vec![lax::add(&r[0], &i32s(1))?];
                    o.extend(eval_graph(&body_r, &args)?);
                    Ok(o)
                });
                let mut init = vec![i];
                init.append(&mut c);
                let reached = crate::control_flow::while_loop(&run_cond, &run_body, &init)?;
                let mut out = vec![lax::add(sp, &i32s(1))?, set(idx, sp, &m)?];
                for (st, x) in a[2..].iter().zip(&reached[1..]) {
                    out.push(set(st, sp, x)?);
                }
                Ok(out)
            });
            let stacks = &s[3..3 + ncarry];
            let mut inner = vec![sp.clone(), s[2].clone()];
            inner.extend(stacks.iter().cloned());
            let inner = crate::control_flow::while_loop(&advance_cond, &advance, &inner)?;
            let (sp, idx, stacks) = (&inner[0], &inner[1], &inner[2..]);
            // reverse step t from its checkpoint, then pop it
            let top = lax::sub(sp, &i32s(1))?;
            let mut args = bc_outer.clone();
            for st in stacks {
                args.push(get(st, &top)?);
            }
            args.extend(s[3 + ncarry + nbt..].iter().cloned());
            let got = eval_graph(&step, &args)?;
            let mut out = vec![lax::sub(t, &i32s(1))?, top, idx.clone()];
            out.extend(stacks.iter().cloned());
            for (acc, g) in s[3 + ncarry..3 + ncarry + nbt].iter().zip(&got[..nbt]) {
                out.push(lax::add(acc, g)?);
            }
            out.extend(got[nbt..].iter().cloned());
            Ok(out)
        });
        let fin = crate::control_flow::while_loop(&outer_cond, &outer_body, &state)?;
        let ct_bct = &fin[3 + ncarry..3 + ncarry + nbt];
        let ct_init = &fin[3 + ncarry + nbt..];
        let mut r: Vec<Tangent> = vec![None; 1 + nb + ncarry];
        r.extend(ct_bct.iter().zip(&args[1 + nb + ncarry..]).map(|(c, a)| if a.is_lin() { Some(c.clone()) } else { None }));
        r.extend(ct_init.iter().zip(&args[1 + nb + ncarry + nbt..]).map(|(c, a)| if a.is_lin() { Some(c.clone()) } else { None }));
        Ok(r)
    }
}

fn i32s(v: i32) -> Array {
    Array::scalar(v)
}

/// `stack[i]` for a dynamic `i`.
fn get(stack: &Array, i: &Array) -> Result<Array> {
    let mut starts = vec![i.clone()];
    starts.extend((1..stack.ndim()).map(|_| i32s(0)));
    let refs: Vec<&Array> = starts.iter().collect();
    let mut sizes = stack.shape().to_vec();
    sizes[0] = 1;
    let x = lax::dynamic_slice(stack, &refs, &sizes)?;
    lax::reshape(&x, &stack.shape()[1..])
}

/// `stack.at[i].set(x)` for a dynamic `i`.
fn set(stack: &Array, i: &Array, x: &Array) -> Result<Array> {
    let mut starts = vec![i.clone()];
    starts.extend((1..stack.ndim()).map(|_| i32s(0)));
    let refs: Vec<&Array> = starts.iter().collect();
    let mut shape = vec![1];
    shape.extend_from_slice(x.shape());
    lax::dynamic_update_slice(stack, &lax::reshape(x, &shape)?, &refs)
}
