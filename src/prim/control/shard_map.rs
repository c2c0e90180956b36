//! `shard_map` (manual mode): the body runs once per mesh device on that
//! device's pieces (split by `in_specs`), communicating through collectives;
//! the results are reassembled by `out_specs` (an axis an out spec leaves
//! out means the pieces along it are equal, and one is kept).
//!
//! The interpreter runs the body under nested named vmaps, one per mesh
//! axis (so collectives are their batching rules); under jit it lowers to
//! XLA's manual sharding (`SPMDFullToShardShape` ... `SPMDShardToFullShape`).
//! Reverse mode follows JAX's rule without replication checks: output
//! cotangents are divided over the axes their spec leaves out, input
//! cotangents are summed (psum) over the axes theirs leaves out.

use super::{sub, Tangent};
use crate::array::Array;
use crate::error::Result;
use crate::ir::{Aval, Eqn, Graph, SubGraph, Var};
use crate::lax;
use crate::prim::collective::{Collective, CollectiveOp};
use crate::prim::{LinArg, Prim};
use crate::runtime::host::HostData;
use crate::sharding::{Mesh, NamedSharding, PartitionSpec};
use crate::trace::{bind, eval_graph, make_graph, Function};
use crate::transform::linearize::EqnSplit;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ShardMap {
    pub body: SubGraph,
    pub mesh: Mesh,
    pub in_specs: Vec<PartitionSpec>,
    pub out_specs: Vec<PartitionSpec>,
}

/// The per-device type of a global value split by `spec`.
pub fn local_aval(mesh: &Mesh, spec: &PartitionSpec, a: &Aval, what: &str) -> Result<Aval> {
    let s = NamedSharding::new(mesh, spec.clone())?;
    s.check_shape(&a.shape, what)?;
    Ok(a.unsharded().with_shape(s.shard_shape(&a.shape)).weak(a.weak_type))
}

/// The global type of per-device values assembled by `spec`.
pub fn global_aval(mesh: &Mesh, spec: &PartitionSpec, a: &Aval) -> Result<Aval> {
    let s = NamedSharding::new(mesh, spec.clone())?;
    if spec.0.len() > a.ndim() {
        crate::bail!(Value, "shard_map out_specs {spec} has more entries than the output's rank ({a})");
    }
    let shape: Vec<usize> = a.shape.iter().enumerate().map(|(d, n)| n * s.parts(d)).collect();
    Ok(a.unsharded().with_shape(shape).weak(a.weak_type).with_sharding(s.explicit_part()))
}

fn spec_all_axes(mesh: &Mesh) -> PartitionSpec {
    PartitionSpec(vec![mesh.inner().names.clone()])
}

/// Mesh axes a spec leaves out, in mesh order, with their sizes.
fn unmentioned(mesh: &Mesh, spec: &PartitionSpec) -> (Vec<String>, Vec<usize>) {
    let used = spec.used_axes();
    let m = mesh.inner();
    m.names.iter().zip(&m.shape).filter(|(n, _)| !used.contains(&n.as_str())).map(|(n, s)| (n.clone(), *s)).unzip()
}

impl ShardMap {
    pub fn params_str(&self) -> String {
        let specs = |v: &[PartitionSpec]| crate::prim::tuple_str(v);
        format!("mesh={} in_specs={} out_specs={} jaxpr={{{} equations}}", self.mesh, specs(&self.in_specs), specs(&self.out_specs), self.body.0.eqns.len())
    }

    pub fn shape(&self, ins: &[Aval]) -> Result<Vec<Aval>> {
        let body = &self.body.0;
        if ins.len() != self.in_specs.len() || body.invars.len() != ins.len() {
            crate::bail!(Value, "shard_map got {} arguments for {} in_specs", ins.len(), self.in_specs.len());
        }
        for (i, ((a, spec), want)) in ins.iter().zip(&self.in_specs).zip(body.in_avals()).enumerate() {
            let l = local_aval(&self.mesh, spec, a, &format!("shard_map argument {i}"))?;
            if l.shape != want.shape || l.dtype != want.dtype {
                crate::bail!(Type, "shard_map argument {i} of type {a} split by {spec} gives {l}, but the body takes {want}");
            }
        }
        body.out_avals().iter().zip(&self.out_specs).map(|(a, s)| global_aval(&self.mesh, s, a)).collect()
    }

    /// Runs the body under one named vmap per mesh axis.
    pub fn eval(&self, ins: &[&HostData]) -> Result<Vec<HostData>> {
        let m = self.mesh.inner();
        let args: Vec<Array> = ins.iter().map(|h| Array::from_host((*h).clone())).collect();
        let stacked: Vec<Array> = args.iter().zip(&self.in_specs).map(|(x, s)| to_stacked(x, s, &self.mesh)).collect::<Result<_>>()?;
        let mut f = Function::from_graph("shard_map body", (*self.body.0).clone());
        for a in (0..m.names.len()).rev() {
            let in_axes: Vec<Option<isize>> = self.in_specs.iter().map(|s| s.used_axes().contains(&m.names[a].as_str()).then_some(0)).collect();
            f = crate::transform::vmap_with(&f, &in_axes, &[Some(0)], Some(m.shape[a]), Some(&m.names[a]));
        }
        let outs = f.call(&stacked)?;
        outs.iter().zip(&self.out_specs).map(|(y, s)| Ok(from_stacked(y, s, &self.mesh)?.host()?.clone())).collect()
    }

    fn rebind(&self, body: Graph, in_specs: Vec<PartitionSpec>, out_specs: Vec<PartitionSpec>, args: &[&Array]) -> Result<Vec<Array>> {
        let body = crate::transform::simplify::simplify(&body);
        bind(Prim::ShardMap(ShardMap { body: sub(body), mesh: self.mesh.clone(), in_specs, out_specs }), args)
    }

    /// JVP: a shard_map of the body's JVP (tangents split like their primals).
    pub fn jvp(&self, primals: &[Array], tangents: &[Tangent]) -> Result<(Vec<Array>, Vec<Tangent>)> {
        let which: Vec<bool> = tangents.iter().map(|t| t.is_some()).collect();
        let j = crate::transform::jvp::jvp_graph(&self.body.0, &which)?;
        let mut in_specs = self.in_specs.clone();
        in_specs.extend(self.in_specs.iter().zip(&which).filter(|(_, w)| **w).map(|(s, _)| s.clone()));
        let mut out_specs = self.out_specs.clone();
        out_specs.extend(self.out_specs.iter().cloned());
        let mut args: Vec<&Array> = primals.iter().collect();
        args.extend(tangents.iter().flatten());
        let mut outs = self.rebind(j, in_specs, out_specs, &args)?;
        let touts = outs.split_off(self.out_specs.len());
        let touts = touts.into_iter().zip(self.body.0.out_avals()).map(|(t, a)| a.dtype.is_inexact().then_some(t)).collect();
        Ok((outs, touts))
    }

    /// Splits into a known shard_map giving residuals (each device's stacked
    /// along a new leading dimension split over all mesh axes) and an unknown one.
    pub fn partial_eval(&self, e: &Eqn, mask: &[bool], fresh: &mut dyn FnMut(Aval) -> Var) -> Result<EqnSplit> {
        let (k, l, out_unknown, nres) = crate::transform::linearize::split_graph(&self.body.0, mask)?;
        let nk = k.outvars.len() - nres;
        let res_local: Vec<Aval> = k.outvars[nk..].iter().map(|a| k.atom_aval(a)).collect();
        let lead = |a: &Aval| {
            let mut s = vec![1];
            s.extend_from_slice(&a.shape);
            a.unsharded().with_shape(s).weak(false)
        };
        let kk = make_graph(
            |xs| {
                let mut o = eval_graph(&k, xs)?;
                for (r, a) in o[nk..].iter_mut().zip(&res_local) {
                    *r = lax::reshape(r, &lead(a).shape)?;
                }
                Ok(o)
            },
            &k.in_avals(),
        )?;
        let mut l_avals: Vec<Aval> = res_local.iter().map(lead).collect();
        l_avals.extend(l.in_avals()[nres..].iter().cloned());
        let ll = make_graph(
            |xs| {
                let mut ins: Vec<Array> = xs[..nres].iter().zip(&res_local).map(|(r, a)| lax::reshape(r, &a.shape)).collect::<Result<_>>()?;
                ins.extend(xs[nres..].iter().cloned());
                eval_graph(&l, &ins)
            },
            &l_avals,
        )?;
        let all = spec_all_axes(&self.mesh);
        let res: Vec<Var> = res_local.iter().map(|a| global_aval(&self.mesh, &all, &lead(a)).map(|g| fresh(g))).collect::<Result<_>>()?;
        let pick = |v: &[PartitionSpec], which: &[bool], want: bool| -> Vec<PartitionSpec> { v.iter().zip(which).filter(|(_, w)| **w == want).map(|(s, _)| s.clone()).collect() };
        let mut k_out_specs = pick(&self.out_specs, &out_unknown, false);
        k_out_specs.extend(res.iter().map(|_| all.clone()));
        let mut l_in_specs: Vec<PartitionSpec> = res.iter().map(|_| all.clone()).collect();
        l_in_specs.extend(pick(&self.in_specs, mask, true));
        let mk = |g: Graph, i: Vec<PartitionSpec>, o: Vec<PartitionSpec>| {
            Prim::ShardMap(ShardMap { body: sub(crate::transform::simplify::simplify(&g)), mesh: self.mesh.clone(), in_specs: i, out_specs: o })
        };
        let known = mk(kk, pick(&self.in_specs, mask, false), k_out_specs);
        let unknown = mk(ll, l_in_specs, pick(&self.out_specs, &out_unknown, true));
        Ok(super::split_eqn(e, mask, out_unknown, &res, known, unknown))
    }

    pub fn transpose(&self, cts: &[Tangent], args: &[LinArg]) -> Result<Vec<Tangent>> {
        if cts.iter().all(|c| c.is_none()) {
            return Ok(vec![None; args.len()]);
        }
        let body = &self.body.0;
        let lin: Vec<bool> = args.iter().map(|a| a.is_lin()).collect();
        let in_local = body.in_avals();
        let out_local = body.out_avals();
        let consts: Vec<Array> = args.iter().filter_map(|a| if let LinArg::Const(x) = a { Some(x.clone()) } else { None }).collect();
        let mut avals: Vec<Aval> = in_local.iter().zip(&lin).filter(|(_, l)| !**l).map(|(a, _)| a.clone()).collect();
        avals.extend(out_local.iter().map(|a| a.clone().weak(false)));
        let nc = consts.len();
        let mesh = self.mesh.clone();
        let t = make_graph(
            |xs| {
                let cts_local: Vec<Tangent> = xs[nc..]
                    .iter()
                    .zip(&self.out_specs)
                    .map(|(c, s)| {
                        let (_, sizes) = unmentioned(&mesh, s);
                        let n: usize = sizes.iter().product();
                        Ok(Some(if n > 1 && c.dtype().is_float() { lax::div(c, &Array::full_scalar(c.dtype(), n as f64))? } else { c.clone() }))
                    })
                    .collect::<Result<_>>()?;
                let got = crate::transform::linearize::transpose_graph(body, &lin, &xs[..nc], &cts_local)?;
                let lin_in: Vec<(&Aval, &PartitionSpec)> = in_local.iter().zip(&self.in_specs).zip(&lin).filter(|(_, l)| **l).map(|(p, _)| p).collect();
                got.iter()
                    .zip(lin_in)
                    .map(|(c, (a, s))| {
                        let c = crate::prim::instantiate(c, &a.clone().weak(false))?;
                        let (axes, sizes) = unmentioned(&mesh, s);
                        if axes.is_empty() {
                            return Ok(c);
                        }
                        crate::trace::bind1(Prim::Collective(Collective { op: CollectiveOp::Psum, axes, sizes }), &[&c])
                    })
                    .collect()
            },
            &avals,
        )?;
        let (t, tc) = super::lift_tracer_consts(&t);
        if !tc.is_empty() {
            crate::bail!(Value, "transpose of shard_map: the body closes over traced values");
        }
        let out_cts: Vec<Array> = cts
            .iter()
            .zip(&out_local)
            .zip(&self.out_specs)
            .map(|((c, a), s)| match c {
                Some(c) => Ok(c.clone()),
                None => {
                    let g = global_aval(&self.mesh, s, a)?;
                    crate::numpy::zeros(&g.shape, g.dtype)
                }
            })
            .collect::<Result<_>>()?;
        let mut in_specs: Vec<PartitionSpec> = self.in_specs.iter().zip(&lin).filter(|(_, l)| !**l).map(|(s, _)| s.clone()).collect();
        in_specs.extend(self.out_specs.iter().cloned());
        let out_specs: Vec<PartitionSpec> = self.in_specs.iter().zip(&lin).filter(|(_, l)| **l).map(|(s, _)| s.clone()).collect();
        let mut call_args: Vec<&Array> = consts.iter().collect();
        call_args.extend(out_cts.iter());
        let got = self.rebind(t, in_specs, out_specs, &call_args)?;
        let mut it = got.into_iter();
        Ok(lin.iter().map(|&l| if l { it.next() } else { None }).collect())
    }

    /// vmap of a shard_map: a shard_map of the vmapped body; the batch
    /// dimension (moved to the front) is not split.
    pub fn batch(&self, args: &[Array], dims: &[Option<usize>], size: usize) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
        let body = &self.body.0;
        let args: Vec<Array> = args.iter().zip(dims).map(|(x, d)| crate::transform::batching::move_to_front(x, *d)).collect::<Result<_>>()?;
        let front: Vec<Option<usize>> = dims.iter().map(|d| d.map(|_| 0)).collect();
        let local: Vec<Aval> = body
            .in_avals()
            .into_iter()
            .zip(&front)
            .map(|(a, d)| {
                if d.is_none() {
                    return a;
                }
                let mut shape = vec![size];
                shape.extend_from_slice(&a.shape);
                a.with_shape(shape)
            })
            .collect();
        let b = make_graph(
            |xs| {
                let (outs, od) = crate::transform::batching::vmap_eval(body, xs, &front, size)?;
                outs.iter().zip(od).map(|(x, d)| crate::transform::batching::to_batched(x, d, size)).collect()
            },
            &local,
        )?;
        let lead = |s: &PartitionSpec| {
            let mut v = vec![vec![]];
            v.extend(s.0.iter().cloned());
            PartitionSpec(v)
        };
        let in_specs = self.in_specs.iter().zip(&front).map(|(s, d)| if d.is_some() { lead(s) } else { s.clone() }).collect();
        let out_specs: Vec<PartitionSpec> = self.out_specs.iter().map(lead).collect();
        let refs: Vec<&Array> = args.iter().collect();
        let n = out_specs.len();
        Ok((self.rebind(b, in_specs, out_specs, &refs)?, vec![Some(0); n]))
    }
}

/// A global array as [mesh axes its spec mentions (mesh order)..., local dims...].
fn to_stacked(x: &Array, spec: &PartitionSpec, mesh: &Mesh) -> Result<Array> {
    let s = NamedSharding::new(mesh, spec.clone())?;
    s.check_shape(x.shape(), "shard_map")?;
    let local = s.shard_shape(x.shape());
    let mut shape = Vec::new();
    let mut axis_dims: Vec<(usize, usize)> = Vec::new(); // (mesh axis index, position)
    let mut local_dims = Vec::new();
    for d in 0..x.ndim() {
        for a in spec.dim(d) {
            axis_dims.push((mesh.axis_index(a)?, shape.len()));
            shape.push(mesh.axis_size(a)?);
        }
        local_dims.push(shape.len());
        shape.push(local[d]);
    }
    let y = lax::reshape(x, &shape)?;
    axis_dims.sort();
    let mut perm: Vec<usize> = axis_dims.iter().map(|p| p.1).collect();
    perm.extend(local_dims);
    lax::transpose(&y, &perm)
}

/// The inverse for results: [all mesh axes..., local dims...] to the global
/// array; axes the spec leaves out keep member 0's value.
fn from_stacked(y: &Array, spec: &PartitionSpec, mesh: &Mesh) -> Result<Array> {
    let m = mesh.inner();
    let na = m.names.len();
    let used = spec.used_axes();
    let mut y = y.clone();
    for a in (0..na).rev() {
        if !used.contains(&m.names[a].as_str()) {
            y = lax::index_in_dim(&y, 0, a, false)?;
        }
    }
    // remaining leading dims: the used axes in mesh order
    let kept: Vec<usize> = (0..na).filter(|&a| used.contains(&m.names[a].as_str())).collect();
    let nk = kept.len();
    let ndim = y.ndim() - nk;
    let mut perm = Vec::new();
    let mut shape = Vec::new();
    for d in 0..ndim {
        let mut n = y.shape()[nk + d];
        for a in spec.dim(d) {
            let ai = mesh.axis_index(a)?;
            perm.push(kept.iter().position(|&k| k == ai).expect("used axis"));
            n *= m.shape[ai];
        }
        perm.push(nk + d);
        shape.push(n);
    }
    lax::reshape(&lax::transpose(&y, &perm)?, &shape)
}
