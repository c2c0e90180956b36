//! gather and scatter with XLA's dimension numbers (index_vector_dim is always
//! the last dimension of the indices, as in JAX). The numpy layer builds
//! indexing (`x[idx]`, `x.at[idx].add(v)`) on these.

use super::F64Bits;
use crate::dtype::DType;
use crate::error::Result;
use crate::ir::Aval;
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
fn default_fill(d: DType) -> f64 {
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
