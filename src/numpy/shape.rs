//! Shape manipulation: reshape, transpose, axes moves, concatenation and
//! splitting, tiling, flipping, sorting, one_hot.

use super::{broadcast_shapes, broadcast_to, norm_axes, norm_axis, promote_args, result_type};
use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::ir::shape_str;
use crate::lax;

/// `jnp.reshape(x, shape)` with at most one -1.
pub fn reshape(x: &Array, shape: &[isize]) -> Result<Array> {
    let known: usize = shape.iter().filter(|&&d| d >= 0).map(|&d| d as usize).product();
    let holes = shape.iter().filter(|&&d| d < 0).count();
    if holes > 1 || shape.iter().any(|&d| d < -1) {
        crate::bail!(Value, "can only specify one unknown dimension (-1), got {:?}", shape);
    }
    let resolved: Vec<usize> = if holes == 1 {
        if known == 0 || x.size() % known != 0 {
            crate::bail!(Type, "cannot reshape array of shape {} (size {}) into shape {:?}", x.aval().shape_str(), x.size(), shape);
        }
        shape.iter().map(|&d| if d < 0 { x.size() / known } else { d as usize }).collect()
    } else {
        shape.iter().map(|&d| d as usize).collect()
    };
    lax::reshape(x, &resolved)
}

pub fn ravel(x: &Array) -> Result<Array> {
    lax::reshape(x, &[x.size()])
}

/// `jnp.transpose(x, axes)`; None reverses the axes.
pub fn transpose(x: &Array, axes: Option<&[isize]>) -> Result<Array> {
    let perm: Vec<usize> = match axes {
        None => (0..x.ndim()).rev().collect(),
        Some(a) => a.iter().map(|&v| norm_axis(v, x.ndim())).collect::<Result<_>>()?,
    };
    lax::transpose(x, &perm)
}

pub fn swapaxes(x: &Array, a: isize, b: isize) -> Result<Array> {
    let (a, b) = (norm_axis(a, x.ndim())?, norm_axis(b, x.ndim())?);
    let mut perm: Vec<usize> = (0..x.ndim()).collect();
    perm.swap(a, b);
    lax::transpose(x, &perm)
}

pub fn moveaxis(x: &Array, source: isize, dest: isize) -> Result<Array> {
    let (s, d) = (norm_axis(source, x.ndim())?, norm_axis(dest, x.ndim())?);
    let mut perm: Vec<usize> = (0..x.ndim()).filter(|&i| i != s).collect();
    perm.insert(d, s);
    lax::transpose(x, &perm)
}

/// `jnp.expand_dims(x, axis)`; axes refer to the result.
pub fn expand_dims(x: &Array, axes: &[isize]) -> Result<Array> {
    let nd = x.ndim() + axes.len();
    let dims = norm_axes(Some(axes), nd)?;
    lax::expand_dims(x, &dims)
}

/// `jnp.squeeze(x, axis)`; None removes every size-1 axis.
pub fn squeeze(x: &Array, axes: Option<&[isize]>) -> Result<Array> {
    let dims: Vec<usize> = match axes {
        None => (0..x.ndim()).filter(|&d| x.shape()[d] == 1).collect(),
        Some(a) => norm_axes(Some(a), x.ndim())?,
    };
    lax::squeeze(x, &dims)
}

/// `jnp.concatenate(xs, axis)` with promotion; axis None flattens first.
pub fn concatenate(xs: &[&Array], axis: Option<isize>) -> Result<Array> {
    if xs.is_empty() {
        crate::bail!(Value, "need at least one array to concatenate");
    }
    let (d, w) = result_type(&xs.iter().map(|x| (x.dtype(), x.weak_type())).collect::<Vec<_>>());
    let mut v = Vec::with_capacity(xs.len());
    for x in xs {
        let x = lax::convert_weak(x, d, w)?;
        v.push(if axis.is_none() { ravel(&x)? } else { x });
    }
    let nd = v[0].ndim();
    if nd == 0 {
        crate::bail!(Value, "zero-dimensional arrays cannot be concatenated");
    }
    let ax = match axis {
        None => 0,
        Some(a) => norm_axis(a, nd)?,
    };
    let refs: Vec<&Array> = v.iter().collect();
    lax::concatenate(&refs, ax)
}

/// `jnp.stack(xs, axis)`.
pub fn stack(xs: &[&Array], axis: isize) -> Result<Array> {
    if xs.is_empty() {
        crate::bail!(Value, "need at least one array to stack");
    }
    if xs.iter().any(|x| x.shape() != xs[0].shape()) {
        crate::bail!(Value, "all input arrays must have the same shape, got {}", xs.iter().map(|x| x.aval().shape_str()).collect::<Vec<_>>().join(", "));
    }
    let ax = norm_axis(axis, xs[0].ndim() + 1)?;
    let v: Vec<Array> = xs.iter().map(|x| lax::expand_dims(x, &[ax])).collect::<Result<_>>()?;
    let refs: Vec<&Array> = v.iter().collect();
    concatenate(&refs, Some(ax as isize))
}

pub fn vstack(xs: &[&Array]) -> Result<Array> {
    let v: Vec<Array> = xs.iter().map(|x| atleast_2d(x)).collect::<Result<_>>()?;
    concatenate(&v.iter().collect::<Vec<_>>(), Some(0))
}
pub fn hstack(xs: &[&Array]) -> Result<Array> {
    if xs.is_empty() {
        crate::bail!(Value, "need at least one array to concatenate");
    }
    let v: Vec<Array> = xs.iter().map(|x| atleast_1d(x)).collect::<Result<_>>()?;
    let ax = if v[0].ndim() == 1 { 0 } else { 1 };
    concatenate(&v.iter().collect::<Vec<_>>(), Some(ax))
}
pub fn atleast_1d(x: &Array) -> Result<Array> {
    if x.ndim() >= 1 {
        Ok(x.clone())
    } else {
        lax::reshape(x, &[1])
    }
}
pub fn atleast_2d(x: &Array) -> Result<Array> {
    match x.ndim() {
        0 => lax::reshape(x, &[1, 1]),
        1 => lax::reshape(x, &[1, x.shape()[0]]),
        _ => Ok(x.clone()),
    }
}

/// How `jnp.split` divides an axis: into equal sections or at indices.
pub enum SplitSpec<'a> {
    Sections(usize),
    Indices(&'a [isize]),
}

/// `jnp.split(x, sections_or_indices, axis)`.
pub fn split(x: &Array, spec: SplitSpec, axis: isize) -> Result<Vec<Array>> {
    let ax = norm_axis(axis, x.ndim())?;
    let n = x.shape()[ax];
    let cuts: Vec<usize> = match spec {
        SplitSpec::Sections(k) => {
            if k == 0 || n % k != 0 {
                crate::bail!(Value, "array split does not result in an equal division: {n} into {k} sections");
            }
            (1..k).map(|i| i * n / k).collect()
        }
        SplitSpec::Indices(ix) => ix.iter().map(|&i| if i < 0 { (i + n as isize).max(0) as usize } else { (i as usize).min(n) }).collect(),
    };
    let mut bounds = vec![0];
    bounds.extend(cuts);
    bounds.push(n);
    bounds
        .windows(2)
        .map(|w| lax::slice_in_dim(x, w[0], w[1].max(w[0]), 1, ax))
        .collect()
}

/// `jnp.tile(x, reps)`.
pub fn tile(x: &Array, reps: &[usize]) -> Result<Array> {
    let nd = reps.len().max(x.ndim());
    let mut shape = vec![1usize; nd - x.ndim()];
    shape.extend_from_slice(x.shape());
    let mut r = vec![1usize; nd - reps.len()];
    r.extend_from_slice(reps);
    // broadcast to (r0, s0, r1, s1, ...) then merge pairs
    let x = lax::reshape(x, &shape)?;
    let mut big = Vec::with_capacity(2 * nd);
    let mut dims = Vec::with_capacity(nd);
    for i in 0..nd {
        big.push(r[i]);
        big.push(shape[i]);
        dims.push(2 * i + 1);
    }
    let b = lax::broadcast_in_dim(&x, &big, &dims)?;
    let out: Vec<usize> = (0..nd).map(|i| r[i] * shape[i]).collect();
    lax::reshape(&b, &out)
}

/// `jnp.repeat(x, repeats, axis)` with a static repeat count; axis None flattens.
pub fn repeat(x: &Array, repeats: usize, axis: Option<isize>) -> Result<Array> {
    let (x, ax) = match axis {
        None => (ravel(x)?, 0),
        Some(a) => (x.clone(), norm_axis(a, x.ndim())?),
    };
    let mut big = x.shape().to_vec();
    big.insert(ax + 1, repeats);
    let dims: Vec<usize> = (0..x.ndim()).map(|d| if d <= ax { d } else { d + 1 }).collect();
    let b = lax::broadcast_in_dim(&x, &big, &dims)?;
    let mut out = x.shape().to_vec();
    out[ax] *= repeats;
    lax::reshape(&b, &out)
}

/// `jnp.flip(x, axis)`; None flips every axis.
pub fn flip(x: &Array, axis: Option<&[isize]>) -> Result<Array> {
    let dims = norm_axes(axis, x.ndim())?;
    lax::rev(x, &dims)
}

/// `jnp.roll(x, shift, axis)`; axis None rolls the flattened array.
pub fn roll(x: &Array, shift: isize, axis: Option<isize>) -> Result<Array> {
    let (y, ax) = match axis {
        None => (ravel(x)?, 0),
        Some(a) => (x.clone(), norm_axis(a, x.ndim())?),
    };
    let n = y.shape()[ax];
    if n == 0 {
        return Ok(x.clone());
    }
    let s = shift.rem_euclid(n as isize) as usize;
    let a = lax::slice_in_dim(&y, n - s, n, 1, ax)?;
    let b = lax::slice_in_dim(&y, 0, n - s, 1, ax)?;
    let r = lax::concatenate(&[&a, &b], ax)?;
    lax::reshape(&r, x.shape())
}

/// `jnp.broadcast_arrays`.
pub fn broadcast_arrays(xs: &[&Array]) -> Result<Vec<Array>> {
    let shapes: Vec<&[usize]> = xs.iter().map(|x| x.shape()).collect();
    let shape = broadcast_shapes("broadcast_arrays", &shapes)?;
    xs.iter().map(|x| broadcast_to(x, &shape)).collect()
}

/// `jnp.sort(x, axis)`; axis None sorts the flattened array.
pub fn sort(x: &Array, axis: Option<isize>) -> Result<Array> {
    let (x, ax) = match axis {
        None => (ravel(x)?, 0),
        Some(a) => (x.clone(), norm_axis(a, x.ndim())?),
    };
    Ok(lax::sort(&[&x], ax, 1, true)?.pop().unwrap())
}

/// `jnp.argsort(x, axis, stable, descending)`.
pub fn argsort(x: &Array, axis: Option<isize>, descending: bool) -> Result<Array> {
    let (x, ax) = match axis {
        None => (ravel(x)?, 0),
        Some(a) => (x.clone(), norm_axis(a, x.ndim())?),
    };
    let idx = lax::iota(super::default_int(), x.shape(), ax)?;
    if descending {
        // sort the reversed array stably, then map indices back (ties keep order)
        let n = x.shape()[ax];
        let xr = lax::rev(&x, &[ax])?;
        let r = lax::sort(&[&xr, &idx], ax, 1, true)?.pop().unwrap();
        let r = lax::rev(&r, &[ax])?;
        let last = super::full_like(&r, (n as f64) - 1.0)?;
        return lax::sub(&last, &r);
    }
    Ok(lax::sort(&[&x, &idx], ax, 1, true)?.pop().unwrap())
}

/// `jax.nn.one_hot(x, num_classes, dtype)`: compares against an iota on a new last axis.
pub fn one_hot(x: &Array, num_classes: usize, dtype: Option<DType>) -> Result<Array> {
    let dtype = dtype.unwrap_or(super::default_float());
    let mut shape = x.shape().to_vec();
    shape.push(num_classes);
    let dims: Vec<usize> = (0..x.ndim()).collect();
    let xb = lax::broadcast_in_dim(x, &shape, &dims)?;
    let classes = lax::iota(x.dtype(), &shape, x.ndim())?;
    if !x.dtype().is_int() {
        crate::bail!(Type, "one_hot requires integer class indices, got {}", x.dtype());
    }
    lax::convert_element_type(&lax::eq(&xb, &classes)?, dtype)
}

/// `jnp.pad(x, pad_width, constant_values)` (constant mode).
pub fn pad(x: &Array, pad_width: &[(usize, usize)], value: f64) -> Result<Array> {
    let pw: Vec<(usize, usize)> = if pad_width.len() == 1 { vec![pad_width[0]; x.ndim()] } else { pad_width.to_vec() };
    if pw.len() != x.ndim() {
        crate::bail!(Value, "pad: pad_width has {} entries for an array of shape {}", pw.len(), shape_str(x.shape()));
    }
    let cfg: Vec<(i64, i64, i64)> = pw.iter().map(|&(a, b)| (a as i64, b as i64, 0)).collect();
    lax::pad(x, &Array::full_scalar(x.dtype(), value), &cfg)
}

/// `jnp.tril` / `jnp.triu` on the last two axes.
pub fn tril(x: &Array, k: i64) -> Result<Array> {
    tri_mask(x, k, true)
}
pub fn triu(x: &Array, k: i64) -> Result<Array> {
    tri_mask(x, k, false)
}
fn tri_mask(x: &Array, k: i64, lower: bool) -> Result<Array> {
    if x.ndim() < 2 {
        crate::bail!(Value, "tril/triu requires an array of rank >= 2, got shape {}", shape_str(x.shape()));
    }
    let nd = x.ndim();
    let r = lax::iota(DType::I64, x.shape(), nd - 2)?;
    let c = lax::iota(DType::I64, x.shape(), nd - 1)?;
    let kk = lax::broadcast_in_dim(&Array::full_scalar(DType::I64, k as f64), x.shape(), &[])?;
    let rk = lax::add(&r, &kk)?;
    let keep = if lower { lax::ge(&rk, &c)? } else { lax::le(&rk, &c)? };
    lax::select(&keep, x, &super::zeros_like(x)?)
}

/// Promotes and broadcasts operands; exposed for bindings' operator overloads.
pub fn promote_pair(op: &str, x: &Array, y: &Array) -> Result<(Array, Array)> {
    let mut v = promote_args(op, &[x, y])?;
    let b = v.pop().unwrap();
    Ok((v.pop().unwrap(), b))
}
