//! Manual mode, the user API: `shard_map` and the collectives (JAX's
//! `jax.shard_map`, `jax.lax.psum`, ...). The primitives are in
//! `prim::collective` and `prim::control::shard_map`.

use super::{Mesh, PartitionSpec};
use crate::array::Array;
use crate::error::Result;
use crate::prim::collective::{bind_collective, CollectiveOp};
use crate::prim::control::shard_map::{local_aval, ShardMap};
use crate::prim::Prim;
use crate::trace::{bind, is_tracing, make_graph, Function};

/// `jax.shard_map(f, mesh=, in_specs=, out_specs=)`: `f` runs on each
/// device's pieces of the arguments (split by `in_specs`), with every mesh
/// axis bound for collectives; results are assembled by `out_specs`. Called
/// on concrete arrays over a mesh with devices, it is compiled (as in JAX).
pub fn shard_map(f: &Function, mesh: &Mesh, in_specs: &[PartitionSpec], out_specs: &[PartitionSpec]) -> Function {
    let (f2, mesh2, ins, outs) = (f.clone(), mesh.clone(), in_specs.to_vec(), out_specs.to_vec());
    let name = format!("shard_map({})", f.name());
    let inner = Function::new(&name, move |args| {
        if args.len() != ins.len() {
            crate::bail!(Value, "shard_map in_specs has {} entries for {} arguments", ins.len(), args.len());
        }
        let local = args.iter().zip(&ins).enumerate().map(|(i, (a, s))| local_aval(&mesh2, s, a.aval(), &format!("shard_map argument {i}"))).collect::<Result<Vec<_>>>()?;
        let env: Vec<(String, usize)> = mesh2.inner().names.iter().cloned().zip(mesh2.inner().shape.iter().copied()).collect();
        let g = super::with_axis_env(&env, || make_graph(|xs| f2.call(xs), &local))?;
        // one spec for several outputs applies to each (a pytree prefix)
        let outs: Vec<PartitionSpec> = if outs.len() == 1 && g.outvars.len() != 1 { vec![outs[0].clone(); g.outvars.len()] } else { outs.clone() };
        if g.outvars.len() != outs.len() {
            crate::bail!(Value, "shard_map out_specs has {} entries but {} returned {} outputs", outs.len(), f2.name(), g.outvars.len());
        }
        // values closed over from an enclosing trace enter replicated
        let (g, consts) = crate::prim::control::lift_tracer_consts(&g);
        let mut specs: Vec<PartitionSpec> = consts.iter().map(|_| PartitionSpec::replicated()).collect();
        specs.extend(ins.iter().cloned());
        let prim = Prim::ShardMap(ShardMap {
            body: crate::prim::control::sub(crate::transform::simplify::simplify(&g)),
            mesh: mesh2.clone(),
            in_specs: specs,
            out_specs: outs,
        });
        let mut all: Vec<&Array> = consts.iter().collect();
        all.extend(args.iter());
        bind(prim, &all)
    });
    let compiled = crate::transform::jit(&inner, &[], &[]);
    let has_devices = mesh.inner().client.is_some();
    Function::new(&name, move |args| if has_devices && !is_tracing() { compiled.call(args) } else { inner.call(args) })
}

/// `jax.lax.psum(x, axis_name)`: the sum over the devices along the axes.
pub fn psum(x: &Array, axes: &[&str]) -> Result<Array> {
    bind_collective(CollectiveOp::Psum, axes, Some(x))
}

/// `jax.lax.pmean`: psum divided by the number of devices along the axes.
pub fn pmean(x: &Array, axes: &[&str]) -> Result<Array> {
    let n: usize = axes.iter().map(|a| super::axis_size(a)).collect::<Result<Vec<_>>>()?.iter().product();
    crate::numpy::divide(&psum(x, axes)?, &Array::weak_scalar(crate::DType::F32, n as f64))
}

pub fn pmax(x: &Array, axes: &[&str]) -> Result<Array> {
    bind_collective(CollectiveOp::Pmax, axes, Some(x))
}

pub fn pmin(x: &Array, axes: &[&str]) -> Result<Array> {
    bind_collective(CollectiveOp::Pmin, axes, Some(x))
}

/// `jax.lax.all_gather(x, axis_name, axis=, tiled=)`: every device gets all
/// devices' values, stacked along a new dimension `axis` (or concatenated
/// along `axis` when tiled).
pub fn all_gather(x: &Array, axes: &[&str], axis: usize, tiled: bool) -> Result<Array> {
    if tiled {
        return bind_collective(CollectiveOp::AllGather { axis }, axes, Some(x));
    }
    if axis > x.ndim() {
        crate::bail!(Value, "all_gather: axis {axis} is out of bounds for an array of rank {}", x.ndim());
    }
    let e = crate::lax::expand_dims(x, &[axis])?;
    bind_collective(CollectiveOp::AllGather { axis }, axes, Some(&e))
}

/// `jax.lax.psum_scatter(x, axis_name, scatter_dimension=, tiled=)`: the sum
/// over devices, of which device i keeps the i-th piece of
/// `scatter_dimension` (untiled: that dimension has the axis size and goes).
pub fn psum_scatter(x: &Array, axes: &[&str], scatter_dimension: usize, tiled: bool) -> Result<Array> {
    let r = bind_collective(CollectiveOp::PsumScatter { dim: scatter_dimension }, axes, Some(x))?;
    if tiled {
        return Ok(r);
    }
    let n: usize = axes.iter().map(|a| super::axis_size(a)).collect::<Result<Vec<_>>>()?.iter().product();
    if x.shape()[scatter_dimension] != n {
        crate::bail!(Value, "psum_scatter: dimension {scatter_dimension} of {} must equal the axis size {n} (or use tiled=True)", x.aval());
    }
    crate::lax::squeeze(&r, &[scatter_dimension])
}

/// `jax.lax.ppermute(x, axis_name, perm)`: device `dst` gets device `src`'s
/// value for each `(src, dst)`; devices no pair reaches get zeros.
pub fn ppermute(x: &Array, axis: &str, perm: &[(usize, usize)]) -> Result<Array> {
    bind_collective(CollectiveOp::Ppermute { perm: perm.to_vec() }, &[axis], Some(x))
}

/// `jax.lax.all_to_all(x, axis_name, split_axis, concat_axis, tiled=)`.
/// Untiled: `x.shape[split_axis]` equals the axis size; the result has that
/// dimension removed and one of the axis size inserted at `concat_axis`.
pub fn all_to_all(x: &Array, axis: &str, split_axis: usize, concat_axis: usize, tiled: bool) -> Result<Array> {
    if tiled {
        return bind_collective(CollectiveOp::AllToAll { split: split_axis, concat: concat_axis }, &[axis], Some(x));
    }
    let n = super::axis_size(axis)?;
    if split_axis >= x.ndim() || x.shape()[split_axis] != n {
        crate::bail!(Value, "all_to_all: dimension {split_axis} of {} must equal the axis size {n} (or use tiled=True)", x.aval());
    }
    let y = bind_collective(CollectiveOp::AllToAll { split: split_axis, concat: split_axis }, &[axis], Some(x))?;
    crate::transform::batching::move_axis(&y, split_axis, concat_axis)
}

/// `jax.lax.axis_index(axis_name)`: this device's position along the axes (int32).
pub fn axis_index(axes: &[&str]) -> Result<Array> {
    bind_collective(CollectiveOp::AxisIndex, axes, None)
}
