//! `checkpoint` (remat) and user-defined derivatives.
//!
//! - `checkpoint`: evaluates like a call; under partial evaluation its known
//!   part saves nothing but its inputs, and the unknown part re-runs the
//!   whole body (the transpose evaluates the forward equations again).
//! - `custom_jvp_call`: the body evaluates, lowers, and batches; its JVP is
//!   the user's rule (a `Function`: primals, tangents -> outputs, tangents).
//! - `custom_vjp_call`: the JVP runs the user's `fwd` (primals -> outputs,
//!   residuals) and binds `custom_lin`, linear in the tangents, whose
//!   transpose is the user's `bwd` (residuals, cotangents -> cotangents).
//!
//! Closed-over tracers of the user's function are lifted to `num_consts`
//! leading inputs; the rules do not see them and they get no derivative
//! through the custom rule.

use super::{call_batch_with, sub, Prim};
use crate::array::Array;
use crate::error::Result;
use crate::ir::{Aval, Eqn, Graph, SubGraph};
use crate::prim::{avals_str, instantiate, LinArg, Tangent};
use crate::trace::{bind, Function};
use crate::transform::batching::to_batched;
use crate::transform::linearize::{split_graph, EqnSplit};
use crate::transform::simplify::{dce, simplify};

/// A `Function` as a primitive parameter, compared by identity.
#[derive(Clone)]
pub struct FnRef(pub Function);
impl PartialEq for FnRef {
    fn eq(&self, o: &Self) -> bool {
        self.0.same(&o.0)
    }
}
impl Eq for FnRef {}
impl std::hash::Hash for FnRef {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.0.id().hash(h)
    }
}
impl std::fmt::Debug for FnRef {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{}", self.0.name())
    }
}

/// A function vmapped with every input and output batched at 0.
fn vmapped(f: &Function, size: usize) -> Function {
    let f = f.clone();
    Function::new(&format!("vmap({})", f.name()), move |xs: &[Array]| crate::transform::vmap_call(&f, xs, &vec![Some(0); xs.len()], &[Some(0)], size))
}

fn all_batched(args: &[Array], dims: &[Option<usize>], size: usize) -> Result<Vec<Array>> {
    args.iter().zip(dims).map(|(x, d)| to_batched(x, *d, size)).collect()
}

fn batched_avals(avals: &[Aval], size: usize) -> Vec<Aval> {
    avals
        .iter()
        .map(|a| {
            let mut s = vec![size];
            s.extend_from_slice(&a.shape);
            a.with_shape(s)
        })
        .collect()
}

fn float_tangents(outs: &[Array], touts: Vec<Array>) -> Vec<Tangent> {
    outs.iter().zip(touts).map(|(o, t)| if o.dtype().is_inexact() { Some(t) } else { None }).collect()
}

// ---- checkpoint ----

pub fn remat_jvp(body: &Graph, primals: &[Array], tangents: &[Tangent]) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let which: Vec<bool> = tangents.iter().map(|t| t.is_some()).collect();
    let nout = body.outvars.len();
    let float: Vec<bool> = body.out_avals().iter().map(|a| a.dtype.is_inexact()).collect();
    let mut j = crate::transform::jvp::jvp_graph(body, &which)?;
    let touts = j.outvars.split_off(nout);
    j.outvars.extend(touts.into_iter().zip(&float).filter(|(_, f)| **f).map(|(t, _)| t));
    let mut args: Vec<&Array> = primals.iter().collect();
    args.extend(tangents.iter().flatten());
    let mut outs = bind(Prim::Remat { body: sub(simplify(&j)) }, &args)?;
    let mut t = outs.split_off(nout).into_iter();
    Ok((outs, float.iter().map(|&f| if f { t.next() } else { None }).collect()))
}

pub fn remat_batch(body: &Graph, args: &[Array], dims: &[Option<usize>], size: usize) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
    call_batch_with(body, args, dims, size, |g, xs| bind(Prim::Remat { body: sub(g) }, xs))
}

/// Known part: the body for the known outputs only, saving nothing; unknown
/// part: the whole body again, reading the known inputs.
pub fn remat_partial_eval(e: &Eqn, body: &Graph, mask: &[bool]) -> Result<EqnSplit> {
    let (_, _, out_unknown, _) = split_graph(body, mask)?;
    let pick = |unknown: bool| body.outvars.iter().zip(&out_unknown).filter(|(_, u)| **u == unknown).map(|(a, _)| a.clone()).collect::<Vec<_>>();
    let mut known = Vec::new();
    if out_unknown.iter().any(|u| !*u) {
        let mut kb = body.clone();
        kb.invars = body.invars.iter().zip(mask).filter(|(_, m)| !**m).map(|(v, _)| *v).collect();
        kb.outvars = pick(false);
        known.push(Eqn {
            prim: Prim::Call { body: sub(dce(&kb)), name: "checkpoint".into() },
            inputs: e.inputs.iter().zip(mask).filter(|(_, m)| !**m).map(|(a, _)| a.clone()).collect(),
            outputs: e.outputs.iter().zip(&out_unknown).filter(|(_, u)| !**u).map(|(v, _)| *v).collect(),
        });
    }
    let mut ub = body.clone();
    ub.outvars = pick(true);
    let unknown = Eqn {
        prim: Prim::Remat { body: sub(dce(&ub)) },
        inputs: e.inputs.clone(),
        outputs: e.outputs.iter().zip(&out_unknown).filter(|(_, u)| **u).map(|(v, _)| *v).collect(),
    };
    Ok(EqnSplit { known, unknown: vec![unknown], out_unknown })
}

// ---- custom_jvp ----

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CustomJvp {
    pub body: SubGraph,
    pub jvp: FnRef,
    pub num_consts: usize,
}

impl CustomJvp {
    pub fn params_str(&self) -> String {
        format!("call_jaxpr={{{} equations}} jvp={} num_consts={}", self.body.0.eqns.len(), self.jvp.0.name(), self.num_consts)
    }

    pub fn jvp(&self, primals: &[Array], tangents: &[Tangent]) -> Result<(Vec<Array>, Vec<Tangent>)> {
        let nc = self.num_consts;
        let out_avals = self.body.0.out_avals();
        let nout = out_avals.len();
        let mut args: Vec<Array> = primals[nc..].to_vec();
        for (t, p) in tangents[nc..].iter().zip(&primals[nc..]) {
            args.push(instantiate(t, &p.aval().clone().weak(false))?);
        }
        let r = self.jvp.0.call(&args).map_err(|e| e.context(format!("custom_jvp rule {}", self.jvp.0.name())))?;
        if r.len() != 2 * nout {
            crate::bail!(
                Type,
                "Custom JVP rule must produce a pair (list or tuple of length two) representing primal and tangent outputs: expected {nout} primal and {nout} tangent outputs, got {} values",
                r.len()
            );
        }
        let (outs, touts) = r.split_at(nout);
        let got: Vec<Aval> = outs.iter().map(|x| x.aval().clone()).collect();
        if !super::same_types(&got, &out_avals) {
            crate::bail!(
                Type,
                "Custom JVP rule must produce primal outputs with the same shapes and dtypes as the custom_jvp-decorated function: expected [{}], got [{}]",
                avals_str(&out_avals),
                avals_str(&got)
            );
        }
        for (o, t) in outs.iter().zip(touts) {
            if o.shape() != t.shape() || (o.dtype().is_inexact() && o.dtype() != t.dtype()) {
                crate::bail!(
                    Type,
                    "Custom JVP rule must produce primal and tangent outputs with corresponding shapes and dtypes, but got primal {} and tangent {}",
                    o.aval(),
                    t.aval()
                );
            }
        }
        Ok((outs.to_vec(), float_tangents(outs, touts.to_vec())))
    }

    pub fn batch(&self, args: &[Array], dims: &[Option<usize>], size: usize) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
        let xs = all_batched(args, dims, size)?;
        let jvp = FnRef(vmapped(&self.jvp.0, size));
        let nc = self.num_consts;
        call_batch_with(&self.body.0, &xs, &vec![Some(0); xs.len()], size, |g, ys| bind(Prim::CustomJvp(CustomJvp { body: sub(g), jvp: jvp.clone(), num_consts: nc }), ys))
    }
}

// ---- custom_vjp ----

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CustomVjp {
    pub body: SubGraph,
    pub fwd: FnRef,
    pub bwd: FnRef,
    pub num_consts: usize,
}

impl CustomVjp {
    pub fn params_str(&self) -> String {
        format!("call_jaxpr={{{} equations}} fwd={} bwd={} num_consts={}", self.body.0.eqns.len(), self.fwd.0.name(), self.bwd.0.name(), self.num_consts)
    }

    pub fn jvp(&self, primals: &[Array], tangents: &[Tangent]) -> Result<(Vec<Array>, Vec<Tangent>)> {
        let nc = self.num_consts;
        let out_avals = self.body.0.out_avals();
        let nout = out_avals.len();
        let mut r = self.fwd.0.call(&primals[nc..]).map_err(|e| e.context(format!("custom_vjp fwd {}", self.fwd.0.name())))?;
        if r.len() < nout {
            crate::bail!(Type, "Custom VJP fwd rule must produce the primal outputs ({nout} values) followed by the residuals, got {} values", r.len());
        }
        let res = r.split_off(nout);
        let got: Vec<Aval> = r.iter().map(|x| x.aval().clone()).collect();
        if !super::same_types(&got, &out_avals) {
            crate::bail!(
                Type,
                "Custom VJP fwd rule must produce a pair where the first element represents the primal output (equal to the output of the custom_vjp-decorated function): expected [{}], got [{}]",
                avals_str(&out_avals),
                avals_str(&got)
            );
        }
        let in_avals: Vec<Aval> = primals[nc..].iter().map(|p| p.aval().clone().weak(false)).collect();
        let mut args = res.clone();
        for (t, a) in tangents[nc..].iter().zip(&in_avals) {
            args.push(instantiate(t, a)?);
        }
        let lin = CustomLin { bwd: self.bwd.clone(), num_res: res.len(), in_avals, out_avals: out_avals.iter().map(|a| a.clone().weak(false)).collect() };
        let refs: Vec<&Array> = args.iter().collect();
        let touts = bind(Prim::CustomLin(lin), &refs)?;
        let t = float_tangents(&r, touts);
        Ok((r, t))
    }

    pub fn batch(&self, args: &[Array], dims: &[Option<usize>], size: usize) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
        let xs = all_batched(args, dims, size)?;
        let (fwd, bwd) = (FnRef(vmapped(&self.fwd.0, size)), FnRef(vmapped(&self.bwd.0, size)));
        let nc = self.num_consts;
        call_batch_with(&self.body.0, &xs, &vec![Some(0); xs.len()], size, |g, ys| {
            bind(Prim::CustomVjp(CustomVjp { body: sub(g), fwd: fwd.clone(), bwd: bwd.clone(), num_consts: nc }), ys)
        })
    }
}

/// Inputs: residuals, then one tangent per primal input; outputs: one
/// tangent per primal output. Only its transpose (the user's bwd) exists.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CustomLin {
    pub bwd: FnRef,
    pub num_res: usize,
    pub in_avals: Vec<Aval>,
    pub out_avals: Vec<Aval>,
}

impl CustomLin {
    pub fn params_str(&self) -> String {
        format!("bwd={} num_res={}", self.bwd.0.name(), self.num_res)
    }

    pub fn shape(&self, ins: &[Aval]) -> Result<Vec<Aval>> {
        if ins.len() != self.num_res + self.in_avals.len() || !super::same_types(&ins[self.num_res..], &self.in_avals) {
            crate::bail!(Type, "custom_lin takes {} residuals and tangents [{}], got [{}]", self.num_res, avals_str(&self.in_avals), avals_str(ins));
        }
        Ok(self.out_avals.clone())
    }

    pub fn transpose(&self, cts: &[Tangent], args: &[LinArg]) -> Result<Vec<Tangent>> {
        let mut call: Vec<Array> = args[..self.num_res].iter().map(|a| a.value("custom_vjp residual").cloned()).collect::<Result<_>>()?;
        for (c, a) in cts.iter().zip(&self.out_avals) {
            call.push(instantiate(c, a)?);
        }
        let r = self.bwd.0.call(&call).map_err(|e| e.context(format!("custom_vjp bwd {}", self.bwd.0.name())))?;
        if r.len() != self.in_avals.len() {
            crate::bail!(
                Type,
                "Custom VJP bwd rule must produce an output with the same container (pytree) structure as the args tuple of the primal function, and in particular must produce a tuple of length equal to the number of arguments to the primal function, but got bwd output of length {} for a primal function of {} arguments.",
                r.len(),
                self.in_avals.len()
            );
        }
        for (g, a) in r.iter().zip(&self.in_avals) {
            if g.shape() != &a.shape[..] {
                crate::bail!(Type, "Custom VJP bwd rule must produce an output with the shapes of the primal inputs: expected {a}, got {}", g.aval());
            }
        }
        let mut out = vec![None; self.num_res];
        out.extend(r.into_iter().zip(&args[self.num_res..]).map(|(g, a)| if a.is_lin() { Some(g) } else { None }));
        Ok(out)
    }

    pub fn batch(&self, args: &[Array], dims: &[Option<usize>], size: usize) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
        let xs = all_batched(args, dims, size)?;
        let lin = CustomLin {
            bwd: FnRef(vmapped(&self.bwd.0, size)),
            num_res: self.num_res,
            in_avals: batched_avals(&self.in_avals, size),
            out_avals: batched_avals(&self.out_avals, size),
        };
        let refs: Vec<&Array> = xs.iter().collect();
        let outs = bind(Prim::CustomLin(lin), &refs)?;
        let n = outs.len();
        Ok((outs, vec![Some(0); n]))
    }
}
