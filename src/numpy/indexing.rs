//! numpy indexing on gather and scatter: `x[idx]` with ints, slices (any
//! step), None, Ellipsis, integer arrays (numpy's advanced-indexing
//! placement rules) and concrete boolean masks; `x.at[idx].set/add/...`
//! through one scatter into the flattened array.
//!
//! Out-of-bounds array indices clamp when reading and are dropped when
//! updating, as in JAX; out-of-bounds static ints raise IndexError.

use super::{broadcast_shapes, broadcast_to};
use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::lax;
use crate::prim::{GatherDims, IndexMode, ScatterDims, ScatterOp};

/// One entry of an index expression.
#[derive(Clone, Debug)]
pub enum Index {
    Int(i64),
    /// `start:stop:step`, each optional, as in Python.
    Slice(Option<i64>, Option<i64>, Option<i64>),
    NewAxis,
    Ellipsis,
    /// An integer array (advanced indexing) or a boolean mask.
    Array(Array),
}

/// What one dimension of the (None-expanded) operand gets.
enum Entry {
    Slice(i64, i64, i64),
    Int(i64),
    Arr(Array),
}

/// Python's `slice.indices(n)`: (start, stop, step) and the length.
fn slice_indices(s: Option<i64>, e: Option<i64>, st: Option<i64>, n: i64) -> Result<(i64, i64, i64, usize)> {
    let step = st.unwrap_or(1);
    if step == 0 {
        crate::bail!(Value, "slice step cannot be zero");
    }
    let clampi = |v: Option<i64>, def: i64, lo: i64, hi: i64| -> i64 {
        match v {
            None => def,
            Some(v) if v < 0 => (v + n).max(lo),
            Some(v) => v.min(hi),
        }
    };
    let (start, stop) = if step > 0 { (clampi(s, 0, 0, n), clampi(e, n, 0, n)) } else { (clampi(s, n - 1, -1, n - 1), clampi(e, -1, -1, n - 1)) };
    let len = if step > 0 { ((stop - start + step - 1) / step).max(0) } else { ((start - stop - step - 1) / (-step)).max(0) };
    Ok((start, stop, step, len as usize))
}

/// Expands Ellipsis and None; returns the reshaped operand and one entry per dim.
fn normalize(x: &Array, idx: &[Index]) -> Result<(Array, Vec<Entry>)> {
    if idx.iter().filter(|i| matches!(i, Index::Ellipsis)).count() > 1 {
        crate::bail!(Index, "an index can only have a single ellipsis ('...')");
    }
    // a boolean mask must have the shape of the dims it indexes (JAX's IndexError)
    let mask_dims = |i: &Index| match i {
        Index::Array(a) if a.dtype() == DType::Bool => a.ndim(),
        Index::NewAxis | Index::Ellipsis => 0,
        _ => 1,
    };
    let used_dims: usize = idx.iter().map(mask_dims).sum();
    let mut d = 0usize;
    for (pos, i) in idx.iter().enumerate() {
        match i {
            Index::Ellipsis => d += x.ndim().saturating_sub(used_dims),
            Index::Array(a) if a.dtype() == DType::Bool && a.ndim() > 0 => {
                let want = x.shape().get(d..d + a.ndim());
                if want != Some(a.shape()) {
                    crate::bail!(Index, "boolean index did not match shape of indexed array in index {pos}: got {:?}, expected {:?}", a.shape(), want.unwrap_or(&x.shape()[d.min(x.ndim())..]));
                }
                d += a.ndim();
            }
            other => d += mask_dims(other),
        }
    }
    // boolean masks expand to one integer array per masked dim
    let mut items: Vec<Index> = Vec::new();
    for i in idx {
        match i {
            Index::Array(a) if a.dtype() == DType::Bool => {
                if a.ndim() == 0 {
                    crate::bail!(NotImplemented, "scalar boolean indices are not supported yet");
                }
                for nz in nonzero(a).map_err(|_| {
                    crate::err!(Index, "Array boolean indices must be concrete; got {} (NonConcreteBooleanIndexError)", a.aval())
                })? {
                    items.push(Index::Array(nz));
                }
            }
            other => items.push(other.clone()),
        }
    }
    let used = items.iter().filter(|i| !matches!(i, Index::NewAxis | Index::Ellipsis)).count();
    if used > x.ndim() {
        crate::bail!(Index, "Too many indices: array is {}-dimensional, but {used} were indexed", x.ndim());
    }
    let mut full: Vec<Index> = Vec::new();
    for i in items {
        if let Index::Ellipsis = i {
            full.extend(std::iter::repeat_n(Index::Slice(None, None, None), x.ndim() - used));
        } else {
            full.push(i);
        }
    }
    let mut shape = Vec::new();
    let mut entries = Vec::new();
    let mut d = 0;
    for i in full {
        match i {
            Index::NewAxis => {
                shape.push(1);
                entries.push(Entry::Slice(0, 1, 1));
            }
            other => {
                let n = x.shape()[d] as i64;
                shape.push(n as usize);
                entries.push(match other {
                    Index::Int(v) => {
                        let w = if v < 0 { v + n } else { v };
                        if w < 0 || w >= n {
                            // as JAX: out of bounds is clamped when reading, dropped when updating
                            Entry::Arr(Array::scalar(v.clamp(i32::MIN as i64, i32::MAX as i64) as i32))
                        } else {
                            Entry::Int(w)
                        }
                    }
                    Index::Slice(s, e, st) => {
                        let (s, e, st, _) = slice_indices(s, e, st, n)?;
                        Entry::Slice(s, e, st)
                    }
                    Index::Array(a) => {
                        if !a.dtype().is_int() {
                            crate::bail!(Type, "Indexer must have integer or boolean type, got indexer with type {}", a.dtype());
                        }
                        Entry::Arr(a)
                    }
                    Index::NewAxis | Index::Ellipsis => unreachable!(),
                });
                d += 1;
            }
        }
    }
    for k in d..x.ndim() {
        shape.push(x.shape()[k]);
        entries.push(Entry::Slice(0, x.shape()[k] as i64, 1));
    }
    Ok((lax::reshape(x, &shape)?, entries))
}

/// Applies a static slice on one dim (negative steps through rev).
fn apply_slice(x: &Array, d: usize, s: i64, e: i64, st: i64) -> Result<Array> {
    let n = x.shape()[d] as i64;
    let len = if st > 0 { ((e - s + st - 1) / st).max(0) } else { ((s - e - st - 1) / (-st)).max(0) } as usize;
    if st > 0 {
        let limit = if len == 0 { s } else { s + (len as i64 - 1) * st + 1 };
        return lax::slice_in_dim(x, s as usize, limit as usize, st as usize, d);
    }
    let r = lax::rev(x, &[d])?;
    let start = n - 1 - s;
    let limit = if len == 0 { start } else { start + (len as i64 - 1) * (-st) + 1 };
    lax::slice_in_dim(&r, start as usize, limit as usize, (-st) as usize, d)
}

/// `x[idx]`.
pub fn getitem(x: &Array, idx: &[Index]) -> Result<Array> {
    getitem_mode(x, idx, IndexMode::Clip, None)
}

/// `x.at[idx].get(mode, fill_value)`.
pub fn getitem_mode(x: &Array, idx: &[Index], mode: IndexMode, fill: Option<f64>) -> Result<Array> {
    let (mut y, entries) = normalize(x, idx)?;
    let advanced = entries.iter().any(|e| matches!(e, Entry::Arr(_)));
    // slices first (they keep their dims); static ints too when no arrays are present
    let mut adv: Vec<(usize, Array)> = Vec::new();
    let mut squeeze = Vec::new();
    for (d, e) in entries.into_iter().enumerate() {
        match e {
            Entry::Slice(s, en, st) => y = apply_slice(&y, d, s, en, st)?,
            Entry::Int(i) if !advanced => {
                y = lax::slice_in_dim(&y, i as usize, i as usize + 1, 1, d)?;
                squeeze.push(d);
            }
            Entry::Int(i) => adv.push((d, Array::scalar(i as i32))),
            Entry::Arr(a) => adv.push((d, a)),
        }
    }
    if !advanced {
        return lax::squeeze(&y, &squeeze);
    }
    gather_advanced(&y, &adv, mode, fill)
}

fn index_dtype(n: usize) -> DType {
    if n > i32::MAX as usize {
        DType::I64
    } else {
        DType::I32
    }
}

/// Gathers with integer arrays on dims `adv`, numpy's placement of the result dims.
fn gather_advanced(y: &Array, adv: &[(usize, Array)], mode: IndexMode, fill: Option<f64>) -> Result<Array> {
    let shapes: Vec<&[usize]> = adv.iter().map(|(_, a)| a.shape()).collect();
    let b = broadcast_shapes("indexing", &shapes)?;
    let it = index_dtype(*y.shape().iter().max().unwrap_or(&0));
    let mut cols = Vec::new();
    for (d, a) in adv {
        let a = lax::convert_element_type(a, it)?;
        // negative indices count from the end
        let n = Array::full_scalar(it, y.shape()[*d] as f64);
        let nb = lax::broadcast_in_dim(&n, a.shape(), &[])?;
        let neg = lax::lt(&a, &super::zeros_like(&a)?)?;
        let a = lax::select(&neg, &lax::add(&a, &nb)?, &a)?;
        let a = broadcast_to(&a, &b)?;
        cols.push(lax::expand_dims(&a, &[b.len()])?);
    }
    let refs: Vec<&Array> = cols.iter().collect();
    let indices = lax::concatenate(&refs, b.len())?;
    let adims: Vec<usize> = adv.iter().map(|(d, _)| *d).collect();
    let contiguous = adims.windows(2).all(|w| w[1] == w[0] + 1);
    let rest: Vec<usize> = (0..y.ndim()).filter(|d| !adims.contains(d)).collect();
    let first = adims[0];
    let offset_dims: Vec<usize> = rest
        .iter()
        .map(|&d| if contiguous { if d < first { d } else { d - adims.len() + b.len() } } else { b.len() + rest.iter().position(|&r| r == d).unwrap() })
        .collect();
    let slice_sizes: Vec<usize> = (0..y.ndim()).map(|d| if adims.contains(&d) { 1 } else { y.shape()[d] }).collect();
    let dims = GatherDims { offset_dims, collapsed_slice_dims: adims.clone(), start_index_map: adims, ..Default::default() };
    lax::gather(y, &indices, dims, &slice_sizes, mode, fill)
}

/// `jnp.nonzero` of a concrete array: one index array per dimension.
pub fn nonzero(x: &Array) -> Result<Vec<Array>> {
    let h = x.host()?;
    let v = h.to_vec::<f64>();
    let shape = x.shape();
    let strides = crate::runtime::host::strides_of(shape);
    let hits: Vec<usize> = v.iter().enumerate().filter(|(_, &e)| e != 0.0).map(|(i, _)| i).collect();
    let it = super::default_int();
    (0..x.ndim())
        .map(|d| {
            let col: Vec<f64> = hits.iter().map(|&i| ((i / strides[d]) % shape[d]) as f64).collect();
            super::array_f64(&col, &[col.len()], Some(it))
        })
        .collect()
}

/// `x.at[idx].set(v)`, `.add(v)`, `.multiply(v)`, `.min(v)`, `.max(v)`:
/// the flat positions `idx` selects are found by indexing an iota, then one
/// scatter writes `values` (cast to x's dtype, broadcast) there.
pub fn at_update(x: &Array, idx: &[Index], values: &Array, op: ScatterOp) -> Result<Array> {
    let n = x.size();
    let it = index_dtype(n);
    let pos = lax::reshape(&lax::iota(it, &[n], 0)?, x.shape())?;
    // out-of-bounds array indices give the fill (the most negative int): dropped by the scatter
    let p = getitem_mode(&pos, idx, IndexMode::FillOrDrop, None)?;
    let v = lax::convert_element_type(values, x.dtype())?;
    let v = broadcast_to(&v, p.shape()).map_err(|e| {
        crate::err!(Value, "at[].{} got values of shape {} for an index selecting shape {}: {}", op_name(op), values.aval().shape_str(), p.aval().shape_str(), e.msg)
    })?;
    let m = p.size();
    let flat = lax::reshape(x, &[n])?;
    let dims = ScatterDims { update_window_dims: vec![], inserted_window_dims: vec![0], scatter_dims_to_operand_dims: vec![0], ..Default::default() };
    let r = lax::scatter(&flat, &lax::reshape(&p, &[m, 1])?, &lax::reshape(&v, &[m])?, dims, op, IndexMode::FillOrDrop)?;
    lax::reshape(&r, x.shape())
}

fn op_name(op: ScatterOp) -> &'static str {
    match op {
        ScatterOp::Replace => "set",
        ScatterOp::Add => "add",
        ScatterOp::Mul => "multiply",
        ScatterOp::Min => "min",
        ScatterOp::Max => "max",
    }
}

/// `jnp.take(x, indices, axis)` (clamping mode).
pub fn take(x: &Array, indices: &Array, axis: Option<isize>) -> Result<Array> {
    let (x, ax) = match axis {
        None => (super::ravel(x)?, 0),
        Some(a) => (x.clone(), super::norm_axis(a, x.ndim())?),
    };
    let mut idx: Vec<Index> = vec![Index::Slice(None, None, None); ax];
    idx.push(Index::Array(indices.clone()));
    getitem(&x, &idx)
}

/// `jnp.take_along_axis(x, indices, axis)`.
pub fn take_along_axis(x: &Array, indices: &Array, axis: isize) -> Result<Array> {
    let ax = super::norm_axis(axis, x.ndim())?;
    if indices.ndim() != x.ndim() {
        crate::bail!(Value, "take_along_axis: indices and arr must have the same number of dimensions; {} vs {}", indices.ndim(), x.ndim());
    }
    let mut idx = Vec::new();
    for d in 0..x.ndim() {
        if d == ax {
            idx.push(Index::Array(indices.clone()));
        } else {
            let mut shape = vec![1; x.ndim()];
            shape[d] = x.shape()[d];
            idx.push(Index::Array(lax::reshape(&lax::iota(DType::I32, &[x.shape()[d]], 0)?, &shape)?));
        }
    }
    getitem(x, &idx)
}
