//! gather and scatter with XLA's dimension numbers (index_vector_dim is always
//! the last dimension of the indices, as in JAX). The numpy layer builds
//! indexing (`x[idx]`, `x.at[idx].add(v)`) on these.

use super::{instantiate, F64Bits, LinArg, Tangent};
use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::ir::Aval;
use crate::lax;
use crate::transform::batching::to_batched;
use crate::runtime::host::{strides_of, unravel, Arith, Elem, HostData};
use ndarray::{ArrayD, IxDyn};

#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct GatherDims {
    pub offset_dims: Vec<usize>,
    pub collapsed_slice_dims: Vec<usize>,
    pub start_index_map: Vec<usize>,
    pub operand_batching_dims: Vec<usize>,
    pub start_indices_batching_dims: Vec<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct ScatterDims {
    pub update_window_dims: Vec<usize>,
    pub inserted_window_dims: Vec<usize>,
    pub scatter_dims_to_operand_dims: Vec<usize>,
    pub operand_batching_dims: Vec<usize>,
    pub scatter_indices_batching_dims: Vec<usize>,
}

/// What happens to out-of-bounds indices (JAX's GatherScatterMode).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IndexMode {
    /// Clamp the start so the window fits.
    Clip,
    /// Gather returns the fill value for the whole window; scatter drops it.
    FillOrDrop,
    /// The user promises indices are in bounds (we clamp, as XLA does).
    PromiseInBounds,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScatterOp {
    Replace,
    Add,
    Mul,
    Min,
    Max,
}

impl ScatterOp {
    pub fn name(self) -> &'static str {
        match self {
            ScatterOp::Replace => "scatter",
            ScatterOp::Add => "scatter-add",
            ScatterOp::Mul => "scatter-mul",
            ScatterOp::Min => "scatter-min",
            ScatterOp::Max => "scatter-max",
        }
    }
}

fn l(v: &[usize]) -> String {
    super::tuple_str(v)
}

/// Operand dims that are neither collapsed/inserted nor batching: the window dims, in order.
fn window_dims(ndim: usize, removed: &[usize], batching: &[usize]) -> Vec<usize> {
    (0..ndim).filter(|d| !removed.contains(d) && !batching.contains(d)).collect()
}

pub fn gather_shape(dims: &GatherDims, slice_sizes: &[usize], ins: &[Aval]) -> Result<Aval> {
    super::arity("gather", ins, 2)?;
    let (x, idx) = (&ins[0], &ins[1]);
    if !idx.dtype.is_int() {
        crate::bail!(Type, "gather: indices must have an integer type, got {}", idx.dtype);
    }
    if idx.ndim() == 0 || idx.shape[idx.ndim() - 1] != dims.start_index_map.len() {
        crate::bail!(
            Type,
            "gather: the last dimension of indices (shape {}) must equal len(start_index_map) = {}",
            idx.shape_str(),
            dims.start_index_map.len()
        );
    }
    if slice_sizes.len() != x.ndim() || slice_sizes.iter().zip(&x.shape).any(|(s, d)| s > d) {
        crate::bail!(Type, "gather: slice_sizes {} must have one entry per operand dimension and fit in shape {}", l(slice_sizes), x.shape_str());
    }
    for &d in dims.collapsed_slice_dims.iter().chain(&dims.operand_batching_dims) {
        if d >= x.ndim() || slice_sizes[d] != 1 {
            crate::bail!(Type, "gather: collapsed and batching dims must have slice size 1; got slice_sizes {} and dims {:?}", l(slice_sizes), dims);
        }
    }
    if dims.start_index_map.iter().any(|&d| d >= x.ndim()) || dims.operand_batching_dims.len() != dims.start_indices_batching_dims.len() {
        crate::bail!(Type, "gather: bad dimension numbers {:?} for operand shape {}", dims, x.shape_str());
    }
    let win = window_dims(x.ndim(), &dims.collapsed_slice_dims, &dims.operand_batching_dims);
    if win.len() != dims.offset_dims.len() {
        crate::bail!(Type, "gather: offset_dims {} must have one entry per window dimension ({} of them)", l(&dims.offset_dims), win.len());
    }
    let batch_shape = &idx.shape[..idx.ndim() - 1];
    let rank = batch_shape.len() + win.len();
    let (mut bi, mut wi) = (0, 0);
    let mut shape = Vec::with_capacity(rank);
    for p in 0..rank {
        if dims.offset_dims.contains(&p) {
            shape.push(slice_sizes[win[wi]]);
            wi += 1;
        } else {
            if bi >= batch_shape.len() {
                crate::bail!(Type, "gather: offset_dims {} out of range for output rank {rank}", l(&dims.offset_dims));
            }
            shape.push(batch_shape[bi]);
            bi += 1;
        }
    }
    Ok(x.with_shape(shape))
}

/// The value gather writes for out-of-bounds windows in fill mode: NaN for
/// floats, the most negative value for signed ints, the largest for
/// unsigned, true for bool (JAX's defaults).
pub(crate) fn default_fill(d: DType) -> f64 {
    if d.is_float() {
        f64::NAN
    } else if d.is_signed_int() {
        -(2f64.powi(d.bits() as i32 - 1))
    } else if d.is_unsigned_int() {
        2f64.powi(d.bits() as i32) - 1.0
    } else {
        1.0
    }
}

pub fn gather_eval(
    dims: &GatherDims,
    slice_sizes: &[usize],
    mode: IndexMode,
    fill: Option<F64Bits>,
    x: &HostData,
    idx: &HostData,
    out: &Aval,
) -> Result<HostData> {
    let xs = x.shape().to_vec();
    let xstr = strides_of(&xs);
    let ishape = idx.shape().to_vec();
    let nvec = *ishape.last().unwrap();
    let indices: Vec<i64> = idx.to_vec::<i64>();
    let win = window_dims(xs.len(), &dims.collapsed_slice_dims, &dims.operand_batching_dims);
    let batch_pos: Vec<usize> = (0..out.ndim()).filter(|p| !dims.offset_dims.contains(p)).collect();
    let fill_v = fill.map(|f| f.0).unwrap_or_else(|| default_fill(x.dtype()));
    Ok(crate::map_host!(x, a, T => {
        let src: Vec<T> = a.iter().copied().collect();
        let fillt = T::from_f64(fill_v);
        let n = out.size();
        let mut res = Vec::with_capacity(n);
        let mut oi = vec![0usize; out.ndim()];
        let mut start = vec![0i64; xs.len()];
        for i in 0..n {
            unravel(i, &out.shape, &mut oi);
            // position in the indices array (all but its last dim)
            let mut ipos = 0usize;
            for (k, &p) in batch_pos.iter().enumerate() {
                ipos = ipos * ishape[k] + oi[p];
            }
            start.iter_mut().for_each(|s| *s = 0);
            for (k, &od) in dims.start_index_map.iter().enumerate() {
                start[od] = indices[ipos * nvec + k];
            }
            for (j, &od) in dims.operand_batching_dims.iter().enumerate() {
                start[od] = oi[batch_pos[dims.start_indices_batching_dims[j]]] as i64;
            }
            let mut oob = false;
            for d in 0..xs.len() {
                let hi = (xs[d] - slice_sizes[d]) as i64;
                if start[d] < 0 || start[d] > hi {
                    oob = true;
                    start[d] = start[d].clamp(0, hi);
                }
            }
            if oob && mode == IndexMode::FillOrDrop {
                res.push(fillt);
                continue;
            }
            let mut pos = 0usize;
            for d in 0..xs.len() {
                pos += start[d] as usize * xstr[d];
            }
            for (k, &od) in win.iter().enumerate() {
                pos += oi[dims.offset_dims[k]] * xstr[od];
            }
            res.push(src[pos]);
        }
        ArrayD::from_shape_vec(IxDyn(&out.shape), res).unwrap()
    }))
}

pub fn scatter_shape(dims: &ScatterDims, op: ScatterOp, ins: &[Aval]) -> Result<Aval> {
    super::arity(op.name(), ins, 3)?;
    let (x, idx, upd) = (&ins[0], &ins[1], &ins[2]);
    if !idx.dtype.is_int() {
        crate::bail!(Type, "{}: indices must have an integer type, got {}", op.name(), idx.dtype);
    }
    if upd.dtype != x.dtype {
        crate::bail!(Type, "{}: updates dtype {} must match operand dtype {}", op.name(), upd.dtype, x.dtype);
    }
    if idx.ndim() == 0 || idx.shape[idx.ndim() - 1] != dims.scatter_dims_to_operand_dims.len() {
        crate::bail!(
            Type,
            "{}: the last dimension of indices (shape {}) must equal len(scatter_dims_to_operand_dims) = {}",
            op.name(),
            idx.shape_str(),
            dims.scatter_dims_to_operand_dims.len()
        );
    }
    let win = window_dims(x.ndim(), &dims.inserted_window_dims, &dims.operand_batching_dims);
    let batch_shape = &idx.shape[..idx.ndim() - 1];
    if win.len() != dims.update_window_dims.len() || upd.ndim() != batch_shape.len() + win.len() {
        crate::bail!(
            Type,
            "{}: updates of shape {} do not match {} scatter batch dims and window dims {} of operand shape {}",
            op.name(),
            upd.shape_str(),
            batch_shape.len(),
            l(&dims.update_window_dims),
            x.shape_str()
        );
    }
    let mut bi = 0;
    for p in 0..upd.ndim() {
        if let Some(k) = dims.update_window_dims.iter().position(|&w| w == p) {
            if upd.shape[p] > x.shape[win[k]] {
                crate::bail!(Type, "{}: update window dimension {p} of size {} exceeds operand dimension {}", op.name(), upd.shape[p], x.shape[win[k]]);
            }
        } else {
            if upd.shape[p] != batch_shape[bi] {
                crate::bail!(
                    Type,
                    "{}: updates shape {} does not match the scatter indices batch shape {}",
                    op.name(),
                    upd.shape_str(),
                    crate::ir::shape_str(batch_shape)
                );
            }
            bi += 1;
        }
    }
    Ok(x.clone())
}

fn combine<T: Arith>(op: ScatterOp, old: T, new: T) -> T {
    match op {
        ScatterOp::Replace => new,
        ScatterOp::Add => old.add(new),
        ScatterOp::Mul => old.mul(new),
        ScatterOp::Min => old.min_(new),
        ScatterOp::Max => old.max_(new),
    }
}

pub fn scatter_eval(dims: &ScatterDims, op: ScatterOp, mode: IndexMode, x: &HostData, idx: &HostData, upd: &HostData) -> Result<HostData> {
    let xs = x.shape().to_vec();
    let xstr = strides_of(&xs);
    let ishape = idx.shape().to_vec();
    let nvec = *ishape.last().unwrap();
    let indices: Vec<i64> = idx.to_vec::<i64>();
    let win = window_dims(xs.len(), &dims.inserted_window_dims, &dims.operand_batching_dims);
    let us = upd.shape().to_vec();
    let batch_pos: Vec<usize> = (0..us.len()).filter(|p| !dims.update_window_dims.contains(p)).collect();
    // window extent per operand dim (1 for inserted/batching dims)
    let mut wsize = vec![1usize; xs.len()];
    for (k, &od) in win.iter().enumerate() {
        wsize[od] = us[dims.update_window_dims[k]];
    }
    Ok(crate::map_host!(x, a, T => {
        let mut dst: Vec<T> = a.iter().copied().collect();
        let u = T::view(upd).expect("same dtype");
        let mut ui = vec![0usize; us.len()];
        let mut start = vec![0i64; xs.len()];
        'next: for (i, &val) in u.iter().enumerate() {
            unravel(i, &us, &mut ui);
            let mut ipos = 0usize;
            for (k, &p) in batch_pos.iter().enumerate() {
                ipos = ipos * ishape[k] + ui[p];
            }
            start.iter_mut().for_each(|s| *s = 0);
            for (k, &od) in dims.scatter_dims_to_operand_dims.iter().enumerate() {
                start[od] = indices[ipos * nvec + k];
            }
            for (j, &od) in dims.operand_batching_dims.iter().enumerate() {
                start[od] = ui[batch_pos[dims.scatter_indices_batching_dims[j]]] as i64;
            }
            if mode == IndexMode::Clip {
                for d in 0..xs.len() {
                    start[d] = start[d].clamp(0, (xs[d] - wsize[d]) as i64);
                }
            }
            let mut pos = 0usize;
            for d in 0..xs.len() {
                let off = win.iter().position(|&w| w == d).map(|k| ui[dims.update_window_dims[k]]).unwrap_or(0) as i64;
                let p = start[d] + off;
                if p < 0 || p >= xs[d] as i64 {
                    continue 'next; // out-of-bounds updates are dropped
                }
                pos += p as usize * xstr[d];
            }
            dst[pos] = combine(op, dst[pos], val);
        }
        ArrayD::from_shape_vec(IxDyn(&xs), dst).unwrap()
    }))
}


// ---------------------------------------------- gather <-> scatter duality

/// The scatter that writes back where a gather reads (its transpose).
pub fn scatter_dims_of(g: &GatherDims) -> ScatterDims {
    ScatterDims {
        update_window_dims: g.offset_dims.clone(),
        inserted_window_dims: g.collapsed_slice_dims.clone(),
        scatter_dims_to_operand_dims: g.start_index_map.clone(),
        operand_batching_dims: g.operand_batching_dims.clone(),
        scatter_indices_batching_dims: g.start_indices_batching_dims.clone(),
    }
}

/// The gather that reads where a scatter writes, with its slice sizes.
pub fn gather_dims_of(s: &ScatterDims, operand_rank: usize, updates_shape: &[usize]) -> (GatherDims, Vec<usize>) {
    let win = window_dims(operand_rank, &s.inserted_window_dims, &s.operand_batching_dims);
    let mut sizes = vec![1usize; operand_rank];
    for (k, &od) in win.iter().enumerate() {
        sizes[od] = updates_shape[s.update_window_dims[k]];
    }
    let g = GatherDims {
        offset_dims: s.update_window_dims.clone(),
        collapsed_slice_dims: s.inserted_window_dims.clone(),
        start_index_map: s.scatter_dims_to_operand_dims.clone(),
        operand_batching_dims: s.operand_batching_dims.clone(),
        start_indices_batching_dims: s.scatter_indices_batching_dims.clone(),
    };
    (g, sizes)
}

// ------------------------------------------------------------- JVP rules

pub fn scatter_jvp(dims: &ScatterDims, op: ScatterOp, mode: IndexMode, p: &[Array], t: &[Tangent], out: &Array) -> Result<Tangent> {
    let (x, idx, u) = (&p[0], &p[1], &p[2]);
    if t[0].is_none() && t[2].is_none() {
        return Ok(None);
    }
    match op {
        ScatterOp::Add | ScatterOp::Replace => {
            let tx = instantiate(&t[0], x.aval())?;
            let tu = instantiate(&t[2], u.aval())?;
            Ok(Some(lax::scatter(&tx, idx, &tu, dims.clone(), op, mode)?))
        }
        ScatterOp::Mul => {
            if t[2].is_some() {
                crate::bail!(NotImplemented, "scatter_mul gradients are only implemented with respect to the operand, not the updates");
            }
            Ok(Some(lax::scatter(t[0].as_ref().unwrap(), idx, u, dims.clone(), op, mode)?))
        }
        ScatterOp::Min | ScatterOp::Max => {
            // the tangent of whichever value won, averaged over ties (as JAX does)
            let (gd, sizes) = gather_dims_of(dims, x.ndim(), u.shape());
            let won = lax::gather(out, idx, gd, &sizes, mode, None)?;
            let dt = x.dtype();
            let op_mask = lax::convert_element_type(&lax::eq(x, out)?, dt)?;
            let upd_mask = lax::convert_element_type(&lax::eq(u, &won)?, dt)?;
            let zeros = crate::numpy::zeros_like(x)?;
            let add = |v: &Array| lax::scatter(&zeros, idx, v, dims.clone(), ScatterOp::Add, mode);
            let num = lax::add(&op_mask, &add(&upd_mask)?)?;
            let tx = instantiate(&t[0], x.aval())?;
            let tu = instantiate(&t[2], u.aval())?;
            let sum = lax::add(&lax::mul(&op_mask, &tx)?, &add(&lax::mul(&upd_mask, &tu)?)?)?;
            Ok(Some(lax::div(&sum, &num)?))
        }
    }
}

// ------------------------------------------------------- transpose rules

pub fn gather_transpose(dims: &GatherDims, _slice_sizes: &[usize], mode: IndexMode, ct: &Array, args: &[LinArg]) -> Result<Vec<Tangent>> {
    let x = args[0].aval();
    let idx = args[1].value("gather")?;
    let z = crate::numpy::zeros(&x.shape, ct.dtype())?;
    Ok(vec![Some(lax::scatter(&z, idx, ct, scatter_dims_of(dims), ScatterOp::Add, mode)?), None])
}

pub fn scatter_transpose(dims: &ScatterDims, op: ScatterOp, mode: IndexMode, ct: &Array, args: &[LinArg]) -> Result<Vec<Tangent>> {
    let (x, u) = (args[0].aval(), args[2].aval());
    let idx = args[1].value(op.name())?;
    let (gd, sizes) = gather_dims_of(dims, x.ndim(), &u.shape);
    let ct_u = || -> Result<Tangent> { Ok(if args[2].is_lin() { Some(lax::gather(ct, idx, gd.clone(), &sizes, mode, None)?) } else { None }) };
    match op {
        ScatterOp::Add => Ok(vec![if args[0].is_lin() { Some(ct.clone()) } else { None }, None, ct_u()?]),
        ScatterOp::Replace => {
            let ct_x = if args[0].is_lin() {
                Some(lax::scatter(ct, idx, &crate::numpy::zeros(&u.shape, ct.dtype())?, dims.clone(), ScatterOp::Replace, mode)?)
            } else {
                None
            };
            Ok(vec![ct_x, None, ct_u()?])
        }
        ScatterOp::Mul if !args[2].is_lin() => {
            let ct_x = lax::scatter(ct, idx, args[2].value("scatter-mul")?, dims.clone(), ScatterOp::Mul, mode)?;
            Ok(vec![Some(ct_x), None, None])
        }
        _ => crate::bail!(Value, "{} is not linear in its updates: it has no transpose rule", op.name()),
    }
}

// -------------------------------------------------------- batching rules

fn shift(v: &[usize]) -> Vec<usize> {
    v.iter().map(|d| d + 1).collect()
}

pub fn gather_batch(
    gd: &GatherDims,
    ss: &[usize],
    mode: IndexMode,
    fill: Option<F64Bits>,
    args: &[Array],
    dims: &[Option<usize>],
    size: usize,
) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
    let fill = fill.map(|f| f.0);
    if dims[0].is_none() {
        // only the indices are batched: one more batch dim of the indices
        let idx = to_batched(&args[1], dims[1], size)?;
        let g = GatherDims { offset_dims: shift(&gd.offset_dims), start_indices_batching_dims: shift(&gd.start_indices_batching_dims), ..gd.clone() };
        return Ok((vec![lax::gather(&args[0], &idx, g, ss, mode, fill)?], vec![Some(0)]));
    }
    let x = to_batched(&args[0], dims[0], size)?;
    if dims[1].is_none() {
        // only the operand: its batch dim is one more (full) window dim, placed first
        let g = GatherDims {
            offset_dims: [vec![0], shift(&gd.offset_dims)].concat(),
            collapsed_slice_dims: shift(&gd.collapsed_slice_dims),
            start_index_map: shift(&gd.start_index_map),
            operand_batching_dims: shift(&gd.operand_batching_dims),
            start_indices_batching_dims: gd.start_indices_batching_dims.clone(),
        };
        let s = [vec![size], ss.to_vec()].concat();
        return Ok((vec![lax::gather(&x, &args[1], g, &s, mode, fill)?], vec![Some(0)]));
    }
    let idx = to_batched(&args[1], dims[1], size)?;
    let g = GatherDims {
        offset_dims: shift(&gd.offset_dims),
        collapsed_slice_dims: shift(&gd.collapsed_slice_dims),
        start_index_map: shift(&gd.start_index_map),
        operand_batching_dims: [vec![0], shift(&gd.operand_batching_dims)].concat(),
        start_indices_batching_dims: [vec![0], shift(&gd.start_indices_batching_dims)].concat(),
    };
    let s = [vec![1], ss.to_vec()].concat();
    Ok((vec![lax::gather(&x, &idx, g, &s, mode, fill)?], vec![Some(0)]))
}

pub fn scatter_batch(sd: &ScatterDims, op: ScatterOp, mode: IndexMode, args: &[Array], dims: &[Option<usize>], size: usize) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
    let x = to_batched(&args[0], dims[0], size)?;
    let idx = to_batched(&args[1], dims[1], size)?;
    let u = to_batched(&args[2], dims[2], size)?;
    let s = ScatterDims {
        update_window_dims: shift(&sd.update_window_dims),
        inserted_window_dims: shift(&sd.inserted_window_dims),
        scatter_dims_to_operand_dims: shift(&sd.scatter_dims_to_operand_dims),
        operand_batching_dims: [vec![0], shift(&sd.operand_batching_dims)].concat(),
        scatter_indices_batching_dims: [vec![0], shift(&sd.scatter_indices_batching_dims)].concat(),
    };
    Ok((vec![lax::scatter(&x, &idx, &u, s, op, mode)?], vec![Some(0)]))
}
