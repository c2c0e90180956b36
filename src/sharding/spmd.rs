//! Programs over a mesh (JAX's automatic mode): a jitted function whose
//! arguments, results or constraints carry shardings is lowered with GSPMD
//! sharding annotations, compiled once for all the mesh's devices (XLA's
//! SPMD partitioner splits it and inserts the communication) and run with
//! one argument list per device. Also the host side of sharded arrays:
//! splitting a host array into per-device pieces and gathering it back.

use super::{Mesh, NamedSharding};
use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::ir::{Aval, Graph};
use crate::prim::Prim;
use crate::runtime::host::HostData;
use crate::runtime::pjrt::{Buffer, Client, Executable};
use std::sync::Arc;

/// Calls `f(full_byte_offset, block_byte_offset, bytes)` for each contiguous
/// row of the block at `offs` (shape `block`) inside a row-major array of
/// shape `full`.
fn for_each_row(full: &[usize], offs: &[usize], block: &[usize], esize: usize, mut f: impl FnMut(usize, usize, usize)) {
    let nd = full.len();
    if nd == 0 {
        f(0, 0, esize);
        return;
    }
    if block.iter().any(|&b| b == 0) {
        return;
    }
    let strides = crate::runtime::host::strides_of(full);
    let row = block[nd - 1] * esize;
    let rows: usize = block[..nd - 1].iter().product();
    let mut idx = vec![0usize; nd - 1];
    for r in 0..rows {
        let mut off = offs[nd - 1];
        for d in 0..nd - 1 {
            off += (offs[d] + idx[d]) * strides[d];
        }
        f(off * esize, r * row, row);
        for d in (0..nd - 1).rev() {
            idx[d] += 1;
            if idx[d] < block[d] {
                break;
            }
            idx[d] = 0;
        }
    }
}

/// The pieces of `h` for each mesh device, as host data.
pub(crate) fn split_host(h: &HostData, s: &NamedSharding) -> Result<Vec<HostData>> {
    s.check_shape(h.shape(), "device_put")?;
    let bytes = h.to_bytes();
    let esize = h.dtype().size_in_bytes();
    let block = s.shard_shape(h.shape());
    let n: usize = block.iter().product::<usize>() * esize;
    s.device_offsets(h.shape())
        .into_iter()
        .map(|offs| {
            let mut out = vec![0u8; n];
            for_each_row(h.shape(), &offs, &block, esize, |fo, bo, len| out[bo..bo + len].copy_from_slice(&bytes[fo..fo + len]));
            HostData::from_bytes(h.dtype(), &block, &out)
        })
        .collect()
}

/// Copies each mesh device's piece of `h` to that device.
pub(crate) fn put_shards(client: &Arc<Client>, h: &HostData, s: &NamedSharding) -> Result<Vec<Buffer>> {
    let devices = &s.mesh.inner().devices;
    split_host(h, s)?.iter().zip(devices).map(|(piece, &d)| client.buffer_from_host(piece, d)).collect()
}

/// The global array assembled from per-device pieces (one copy of each piece read).
pub(crate) fn gather_shards(shards: &[Buffer], s: &NamedSharding, dtype: DType, shape: &[usize]) -> Result<HostData> {
    let esize = dtype.size_in_bytes();
    let block = s.shard_shape(shape);
    let mut out = vec![0u8; shape.iter().product::<usize>() * esize];
    for (k, offs) in s.device_offsets(shape).into_iter().enumerate() {
        if !s.is_primary(k, shape.len()) {
            continue;
        }
        let piece = shards[k].to_host(dtype, &block)?.to_bytes();
        for_each_row(shape, &offs, &block, esize, |fo, bo, len| out[fo..fo + len].copy_from_slice(&piece[bo..bo + len]));
    }
    HostData::from_bytes(dtype, shape, &out)
}

/// `jax.lax.with_sharding_constraint(x, sharding)` / `reshard`: inside a
/// trace an equation the partitioner honours; on a concrete array, a placement.
pub fn sharding_constraint(x: &Array, s: &NamedSharding) -> Result<Array> {
    s.check_shape(x.shape(), "with_sharding_constraint")?;
    if !x.is_tracer() {
        return x.device_put_sharded(s);
    }
    crate::trace::bind1(Prim::ShardingConstraint { sharding: s.clone() }, &[x])
}

/// Every mesh a graph refers to: in its types and its sharding constraints
/// (sub-graphs included).
fn graph_meshes(g: &Graph, out: &mut Vec<Mesh>) {
    for a in &g.avals {
        if let Some(s) = &a.sharding {
            out.push(s.mesh.clone());
        }
    }
    for e in &g.eqns {
        if let Prim::ShardingConstraint { sharding } = &e.prim {
            out.push(sharding.mesh.clone());
        }
        if let Prim::ShardMap(sm) = &e.prim {
            out.push(sm.mesh.clone());
        }
        e.prim.for_each_subgraph(&mut |sub| graph_meshes(sub, out));
    }
}

/// The one mesh a jitted computation runs over, if any: from the arguments'
/// shardings, the requested in/out shardings and the graph. Two different
/// meshes are an error, as in JAX.
pub fn mesh_for(name: &str, g: &Graph, args: &[Array], in_sh: &[Option<NamedSharding>], out_sh: &[Option<NamedSharding>]) -> Result<Option<Mesh>> {
    let mut found: Vec<(String, Mesh)> = Vec::new();
    for (i, a) in args.iter().enumerate() {
        if let Some(s) = a.sharding() {
            found.push((format!("argument {i} of type {}", a.aval()), s.mesh.clone()));
        }
    }
    for (i, s) in in_sh.iter().enumerate() {
        if let Some(s) = s {
            found.push((format!("in_shardings[{i}]"), s.mesh.clone()));
        }
    }
    for (i, s) in out_sh.iter().enumerate() {
        if let Some(s) = s {
            found.push((format!("out_shardings[{i}]"), s.mesh.clone()));
        }
    }
    let mut ms = Vec::new();
    graph_meshes(g, &mut ms);
    found.extend(ms.into_iter().map(|m| ("a sharding inside the function".to_string(), m)));
    let Some((what0, m0)) = found.first().cloned() else { return Ok(None) };
    for (what, m) in &found {
        if m.inner().devices != m0.inner().devices || m.inner().shape != m0.inner().shape || m.inner().names != m0.inner().names {
            crate::bail!(Value, "Received incompatible devices for jitted computation {name}. Got {what0} on {m0} with device ids {:?} and {what} on {m} with device ids {:?}", m0.device_ids(), m.device_ids());
        }
    }
    Ok(Some(m0))
}

/// The sharding of output `i` when a sharding constraint produces it (JAX's
/// `out_shardings` of a jit is such a constraint on the results).
fn constrained_output(g: &Graph, i: usize) -> Option<NamedSharding> {
    let crate::ir::Atom::Var(v) = &g.outvars[i] else { return None };
    g.eqns.iter().rev().find(|e| e.outputs.contains(v)).and_then(|e| match &e.prim {
        Prim::ShardingConstraint { sharding } => Some(sharding.clone()),
        _ => None,
    })
}

/// A jitted function compiled for a mesh.
pub struct Plan {
    pub mesh: Mesh,
    pub in_shardings: Vec<NamedSharding>,
    pub out_shardings: Vec<NamedSharding>,
    exe: Executable,
    /// Each graph const replicated: per const, one buffer per mesh device.
    consts: Vec<Vec<Buffer>>,
    /// For each position of the executable's device list, the mesh position.
    order: Vec<usize>,
}

/// Lowers `g` with the shardings of its arguments (`in_sh`, one per graph
/// input) and results (given, else the result type's explicit sharding,
/// else replicated), and compiles it for the mesh.
pub fn compile(client: &Arc<Client>, g: &Graph, name: &str, mesh: &Mesh, in_sh: Vec<NamedSharding>, out_sh: &[Option<NamedSharding>]) -> Result<Plan> {
    let out_avals = g.out_avals();
    let out_shardings: Vec<NamedSharding> = out_avals
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let s = out_sh
                .get(i)
                .cloned()
                .flatten()
                .or_else(|| a.sharding.as_deref().cloned())
                .or_else(|| constrained_output(g, i))
                .unwrap_or_else(|| NamedSharding::replicated(mesh));
            s.check_shape(&a.shape, &format!("{name} output {i}"))?;
            Ok(s)
        })
        .collect::<Result<_>>()?;
    let mut arg_texts: Vec<String> = g.consts.iter().map(|_| "{replicated}".to_string()).collect();
    for (s, v) in in_sh.iter().zip(&g.invars) {
        let a = g.aval(*v);
        s.check_shape(&a.shape, name)?;
        arg_texts.push(s.hlo(a.ndim()));
    }
    let res_texts: Vec<String> = out_shardings.iter().zip(&out_avals).map(|(s, a)| s.hlo(a.ndim())).collect();
    let part = crate::lower::stablehlo::Partitioning { partitions: mesh.size(), args: &arg_texts, results: &res_texts };
    let module = crate::transform::jit::module_name(name);
    let text = crate::lower::stablehlo::lower_module(g, &module, &[], Some(&part))?;
    let options = crate::runtime::pjrt::compile_options_spmd(&mesh.device_ids());
    let exe = crate::transform::jit::build_executable(client, &text, &options, name, g)?;
    let devices = &mesh.inner().devices;
    let order = exe
        .addressable_devices()?
        .iter()
        .map(|d| devices.iter().position(|x| x == d).ok_or_else(|| crate::err!(Runtime, "{name}: XLA placed the program on device {d}, which is not in the mesh")))
        .collect::<Result<Vec<_>>>()?;
    if order.len() != mesh.size() {
        crate::bail!(Runtime, "{name}: the compiled program runs on {} devices, the mesh has {}", order.len(), mesh.size());
    }
    let consts = g
        .consts
        .iter()
        .map(|(_, c)| devices.iter().map(|&d| client.buffer_from_host(c.host()?, d)).collect::<Result<Vec<_>>>())
        .collect::<Result<_>>()?;
    Ok(Plan { mesh: mesh.clone(), in_shardings: in_sh, out_shardings, exe, consts, order })
}

/// Runs a plan: arguments already laid out as wanted are used in place,
/// others are split on the host and copied; results are sharded arrays.
pub fn run(plan: &Plan, g: &Graph, args: &[Array]) -> Result<Vec<Array>> {
    let client = plan.mesh.inner().client.clone().expect("a compiled plan has a client");
    let n = plan.mesh.size();
    let mut owned: Vec<Vec<Buffer>> = Vec::new();
    let mut which: Vec<Option<usize>> = Vec::new();
    for (i, (x, v)) in args.iter().zip(&g.invars).enumerate() {
        let want = g.aval(*v);
        if x.shape() != &want.shape[..] || x.dtype() != want.dtype {
            crate::bail!(Type, "argument {i} has type {} but the function was compiled for {}", x.aval(), want);
        }
        let s = &plan.in_shardings[i];
        let in_place = x.sharding() == Some(s) && x.shard_buffers().is_some_and(|b| b.first().is_some_and(|b| Arc::ptr_eq(b.client(), &client)));
        if in_place {
            which.push(None);
        } else {
            owned.push(put_shards(&client, x.host()?, s)?);
            which.push(Some(owned.len() - 1));
        }
    }
    let lists: Vec<Vec<&Buffer>> = (0..n)
        .map(|p| {
            let k = plan.order[p];
            let mut l: Vec<&Buffer> = plan.consts.iter().map(|c| &c[k]).collect();
            for (x, w) in args.iter().zip(&which) {
                l.push(match w {
                    Some(j) => &owned[*j][k],
                    None => &x.shard_buffers().expect("checked")[k],
                });
            }
            l
        })
        .collect();
    let outs = plan.exe.execute_sharded(&lists)?;
    // regroup: per output, the pieces in mesh order
    let mut per_out: Vec<Vec<Option<Buffer>>> = (0..plan.out_shardings.len()).map(|_| (0..n).map(|_| None).collect()).collect();
    for (p, list) in outs.into_iter().enumerate() {
        for (o, b) in list.into_iter().enumerate() {
            per_out[o][plan.order[p]] = Some(b);
        }
    }
    per_out
        .into_iter()
        .zip(&plan.out_shardings)
        .zip(g.out_avals())
        .map(|((bufs, s), a): ((Vec<Option<Buffer>>, &NamedSharding), Aval)| Ok(Array::from_shards(bufs.into_iter().map(|b| b.expect("one per device")).collect(), s.clone(), a)))
        .collect()
}
