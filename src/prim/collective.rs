//! Collectives over named mesh axes (JAX's `psum`, `pmax`, `pmin`,
//! `all_gather`, `psum_scatter`, `ppermute`, `all_to_all`, `axis_index`):
//! the communication of manual mode, inside `shard_map` (or a `vmap` with an
//! axis name). One primitive with an op; every form is the tiled one (the
//! user API expresses the stacked forms through it). The axis sizes are
//! parameters, fixed when the collective is traced.
//!
//! Semantics are defined by batching: a collective over the axis a named
//! vmap maps is computed from the whole batch (a sum over the batch
//! dimension, a concatenation, a permutation). That is how the interpreter
//! runs `shard_map`, and the reference XLA's lowering is tested against.

use super::{LinArg, Prim, Tangent};
use crate::array::Array;
use crate::error::Result;
use crate::ir::Aval;
use crate::lax;
use crate::numpy as jnp;
use crate::transform::batching::{move_axis, move_to_front};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CollectiveOp {
    Psum,
    Pmax,
    Pmin,
    /// Concatenates the members' values along `axis` (tiled).
    AllGather { axis: usize },
    /// Sums, then member i keeps the i-th piece of dimension `dim` (tiled).
    PsumScatter { dim: usize },
    /// Member `dst` gets member `src`'s value for each pair; others get zeros.
    Ppermute { perm: Vec<(usize, usize)> },
    /// Splits `split` into pieces, sends piece j to member j, which
    /// concatenates what it receives along `concat` (tiled).
    AllToAll { split: usize, concat: usize },
    /// This member's index along the axes (int32; no operand).
    AxisIndex,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Collective {
    pub op: CollectiveOp,
    /// Mesh axis names, major to minor, and their sizes.
    pub axes: Vec<String>,
    pub sizes: Vec<usize>,
}

impl Collective {
    pub fn name(&self) -> &'static str {
        match self.op {
            CollectiveOp::Psum => "psum",
            CollectiveOp::Pmax => "pmax",
            CollectiveOp::Pmin => "pmin",
            CollectiveOp::AllGather { .. } => "all_gather",
            CollectiveOp::PsumScatter { .. } => "reduce_scatter",
            CollectiveOp::Ppermute { .. } => "ppermute",
            CollectiveOp::AllToAll { .. } => "all_to_all",
            CollectiveOp::AxisIndex => "axis_index",
        }
    }
    fn n(&self) -> usize {
        self.sizes.iter().product()
    }
    pub fn params_str(&self) -> String {
        let axes = crate::prim::tuple_str(&self.axes.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>());
        match &self.op {
            CollectiveOp::AllGather { axis } => format!("all_gather_dimension={axis} axis_name={axes} axis_size={} tiled=True", self.n()),
            CollectiveOp::PsumScatter { dim } => format!("axis_name={axes} scatter_dimension={dim} tiled=True"),
            CollectiveOp::Ppermute { perm } => format!("axis_name={axes} perm={perm:?}"),
            CollectiveOp::AllToAll { split, concat } => format!("axis_name={axes} concat_axis={concat} split_axis={split} tiled=True"),
            CollectiveOp::AxisIndex => format!("axis_name={axes}"),
            _ => format!("axes={axes}"),
        }
    }

    pub fn shape(&self, ins: &[Aval]) -> Result<Aval> {
        let name = self.name();
        let n = self.n();
        if self.op == CollectiveOp::AxisIndex {
            super::arity(name, ins, 0)?;
            return Ok(Aval::scalar(crate::DType::I32));
        }
        super::arity(name, ins, 1)?;
        let x = &ins[0];
        let mut shape = x.shape.clone();
        match &self.op {
            CollectiveOp::AllGather { axis } => {
                super::check_axis(name, *axis, x.ndim())?;
                shape[*axis] *= n;
            }
            CollectiveOp::PsumScatter { dim } => {
                super::check_axis(name, *dim, x.ndim())?;
                if shape[*dim] % n != 0 {
                    crate::bail!(Value, "psum_scatter: dimension {dim} of {x} (size {}) is not divisible by the axis size {n}", shape[*dim]);
                }
                shape[*dim] /= n;
            }
            CollectiveOp::AllToAll { split, concat } => {
                super::check_axis(name, *split, x.ndim())?;
                super::check_axis(name, *concat, x.ndim())?;
                if shape[*split] % n != 0 {
                    crate::bail!(Value, "all_to_all: split dimension {split} of {x} (size {}) is not divisible by the axis size {n}", shape[*split]);
                }
                shape[*split] /= n;
                shape[*concat] *= n;
            }
            CollectiveOp::Ppermute { perm } => {
                let (mut srcs, mut dsts) = (vec![], vec![]);
                for &(s, d) in perm {
                    if s >= n || d >= n || srcs.contains(&s) || dsts.contains(&d) {
                        crate::bail!(Value, "ppermute perm {perm:?} must be pairs of distinct sources and distinct destinations in range({n})");
                    }
                    srcs.push(s);
                    dsts.push(d);
                }
            }
            _ => {}
        }
        Ok(Aval { shape, dtype: x.dtype, weak_type: x.weak_type, sharding: None })
    }

    fn with(&self, op: CollectiveOp) -> Prim {
        Prim::Collective(Collective { op, axes: self.axes.clone(), sizes: self.sizes.clone() })
    }

    pub fn jvp(&self, t: &Tangent) -> Result<Tangent> {
        match self.op {
            CollectiveOp::Pmax | CollectiveOp::Pmin => crate::bail!(Value, "Differentiation rule for '{}' not implemented", self.name()),
            CollectiveOp::AxisIndex => Ok(None),
            _ => match t {
                None => Ok(None),
                Some(t) => Ok(Some(crate::trace::bind1(Prim::Collective(self.clone()), &[t])?)),
            },
        }
    }

    /// The linear collectives transpose into each other: psum into psum,
    /// all_gather and psum_scatter into one another, a permutation into its
    /// inverse, all_to_all with split and concat swapped.
    pub fn transpose(&self, ct: &Array, _args: &[LinArg]) -> Result<Vec<Tangent>> {
        let op = match &self.op {
            CollectiveOp::Psum => CollectiveOp::Psum,
            CollectiveOp::AllGather { axis } => CollectiveOp::PsumScatter { dim: *axis },
            CollectiveOp::PsumScatter { dim } => CollectiveOp::AllGather { axis: *dim },
            CollectiveOp::Ppermute { perm } => CollectiveOp::Ppermute { perm: perm.iter().map(|&(s, d)| (d, s)).collect() },
            CollectiveOp::AllToAll { split, concat } => CollectiveOp::AllToAll { split: *concat, concat: *split },
            _ => crate::bail!(Value, "{} is not a linear primitive: it has no transpose rule", self.name()),
        };
        Ok(vec![Some(crate::trace::bind1(self.with(op), &[ct])?)])
    }

    /// Batching. Over the axis the current named vmap maps (the last axis of
    /// this collective), the communication happens here, across the batch;
    /// over other axes, the batch dimension rides along.
    pub fn batch(&self, args: &[Array], dims: &[Option<usize>], size: usize) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
        let current = crate::sharding::current_batch_axis();
        if let Some(pos) = current.as_ref().and_then(|c| self.axes.iter().position(|a| a == c)) {
            return self.batch_named(pos, args, dims, size);
        }
        if self.op == CollectiveOp::AxisIndex {
            return Ok((vec![crate::trace::bind1(Prim::Collective(self.clone()), &[])?], vec![None]));
        }
        let x = move_to_front(&args[0], dims[0])?;
        let shift = |d: usize| d + 1;
        let op = match &self.op {
            CollectiveOp::AllGather { axis } => CollectiveOp::AllGather { axis: shift(*axis) },
            CollectiveOp::PsumScatter { dim } => CollectiveOp::PsumScatter { dim: shift(*dim) },
            CollectiveOp::AllToAll { split, concat } => CollectiveOp::AllToAll { split: shift(*split), concat: shift(*concat) },
            op => op.clone(),
        };
        Ok((vec![crate::trace::bind1(self.with(op), &[&x])?], vec![Some(0)]))
    }

    /// The rest of this collective (the axes before `pos`), applied after
    /// this axis is done; `None` when nothing is left.
    fn rest(&self, pos: usize, op: CollectiveOp) -> Option<Collective> {
        (pos > 0).then(|| Collective { op, axes: self.axes[..pos].to_vec(), sizes: self.sizes[..pos].to_vec() })
    }

    fn batch_named(&self, pos: usize, args: &[Array], dims: &[Option<usize>], size: usize) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
        let name = self.name();
        if pos + 1 != self.axes.len() {
            crate::bail!(Value, "{name} over axes {:?}: the axes must be listed in mesh order (major to minor)", self.axes);
        }
        let outer: usize = self.sizes[..pos].iter().product();
        let then = |c: Option<Collective>, x: Array| -> Result<Array> {
            match c {
                Some(c) => crate::trace::bind1(Prim::Collective(c), &[&x]),
                None => Ok(x),
            }
        };
        // the operand with the batch at the front (broadcast when unbatched)
        let batched = || crate::transform::batching::to_batched(&args[0], dims[0], size);
        match &self.op {
            CollectiveOp::Psum | CollectiveOp::Pmax | CollectiveOp::Pmin => {
                let x = batched()?;
                let r = match self.op {
                    CollectiveOp::Psum => lax::reduce_sum(&x, &[0])?,
                    CollectiveOp::Pmax => lax::reduce_max(&x, &[0])?,
                    _ => lax::reduce_min(&x, &[0])?,
                };
                Ok((vec![then(self.rest(pos, self.op.clone()), r)?], vec![None]))
            }
            CollectiveOp::AllGather { axis } => {
                // [n, ..., a, ...] -> [..., n*a, ...]: member order is major
                let x = batched()?;
                let y = move_axis(&x, 0, *axis)?;
                let mut shape = args[0].shape().to_vec();
                if let Some(d) = dims[0] {
                    shape.remove(d);
                }
                shape[*axis] *= size;
                let r = lax::reshape(&y, &shape)?;
                Ok((vec![then(self.rest(pos, self.op.clone()), r)?], vec![None]))
            }
            CollectiveOp::PsumScatter { dim } => {
                // sum over members, then member j keeps the pieces j, j+n, ... of
                // the `outer` groups the remaining axes scatter further
                let x = batched()?;
                let s = lax::reduce_sum(&x, &[0])?;
                let mut shape = s.shape().to_vec();
                let c = shape[*dim] / (outer * size);
                if shape[*dim] % (outer * size) != 0 {
                    crate::bail!(Value, "psum_scatter: dimension {dim} of {} is not divisible by the axis size {}", s.aval(), outer * size);
                }
                shape.splice(*dim..=*dim, [outer, size, c]);
                let r = lax::reshape(&s, &shape)?;
                let r = move_axis(&r, dim + 1, 0)?;
                let mut merged = r.shape().to_vec();
                merged.splice(dim + 1..dim + 3, [outer * c]);
                let r = lax::reshape(&r, &merged)?;
                Ok((vec![match self.rest(pos, self.op.clone()) {
                    Some(rest) => crate::trace::bind1(Prim::Collective(Collective { op: CollectiveOp::PsumScatter { dim: dim + 1 }, ..rest }), &[&r])?,
                    None => r,
                }], vec![Some(0)]))
            }
            CollectiveOp::Ppermute { perm } => {
                if pos != 0 {
                    crate::bail!(Value, "ppermute over several axes {:?} is not supported; permute over one axis at a time", self.axes);
                }
                let x = batched()?;
                let zero = jnp::zeros_like(&lax::index_in_dim(&x, 0, 0, false)?)?;
                let rows: Vec<Array> = (0..size)
                    .map(|dst| match perm.iter().find(|p| p.1 == dst) {
                        Some(&(src, _)) => lax::index_in_dim(&x, src, 0, false),
                        None => Ok(zero.clone()),
                    })
                    .collect::<Result<_>>()?;
                Ok((vec![jnp::stack(&rows.iter().collect::<Vec<_>>(), 0)?], vec![Some(0)]))
            }
            CollectiveOp::AllToAll { split, concat } => {
                if pos != 0 {
                    crate::bail!(Value, "all_to_all over several axes {:?} is not supported", self.axes);
                }
                // X[i, ..., S, ...] -> X[i, ..., n_j, S/n, ...]; member j gets
                // the i-pieces concatenated along `concat`
                let x = batched()?;
                let mut shape = x.shape().to_vec();
                let s = shape[split + 1] / size;
                shape.splice(split + 1..split + 2, [size, s]);
                let y = lax::reshape(&x, &shape)?;
                let y = move_axis(&y, split + 1, 0)?; // [n_j, n_i, ..., S/n, ...]
                // per-member dims after dropping j, i: concat is at 2 + concat
                let y = move_axis(&y, 1, 1 + concat)?; // i just before the concat dim
                let mut out = y.shape().to_vec();
                out.splice(1 + concat..3 + concat, [size * y.shape()[2 + concat]]);
                Ok((vec![lax::reshape(&y, &out)?], vec![Some(0)]))
            }
            CollectiveOp::AxisIndex => {
                let idx = lax::iota(crate::DType::I32, &[size], 0)?;
                let r = match self.rest(pos, CollectiveOp::AxisIndex) {
                    Some(rest) => {
                        let major = crate::trace::bind1(Prim::Collective(rest), &[])?;
                        lax::add(&lax::mul(&major, &Array::scalar(size as i32))?, &idx)?
                    }
                    None => idx,
                };
                Ok((vec![r], vec![Some(0)]))
            }
        }
    }
}

/// Binds a collective over `axes` (sizes from the enclosing `shard_map` or
/// named `vmap`: JAX's "unbound axis name" error otherwise).
pub fn bind_collective(op: CollectiveOp, axes: &[&str], x: Option<&Array>) -> Result<Array> {
    let sizes = axes.iter().map(|a| crate::sharding::axis_size(a)).collect::<Result<Vec<_>>>()?;
    let c = Collective { op, axes: axes.iter().map(|s| s.to_string()).collect(), sizes };
    let ins: Vec<&Array> = x.into_iter().collect();
    crate::trace::bind1(Prim::Collective(c), &ins)
}
