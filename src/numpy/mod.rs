//! `jaxcore::numpy`: the friendly layer, shared by every binding so that none
//! re-implements it. Broadcasting, JAX's type promotion with weak types,
//! axes with negative values, keepdims, indexing and `.at[...]` updates, all
//! written on the strict `lax` primitives (so every transformation applies).

mod creation;
pub mod decomp;
mod indexing;
mod linalg;
pub mod promote;
mod reductions;
mod shape;
mod ufuncs;

pub use creation::*;
pub use indexing::*;
pub use linalg::*;
pub use promote::{canonicalize, default_float, default_int, result_type, set_x64, x64_enabled};
pub use reductions::*;
pub use shape::*;
pub use ufuncs::*;

use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::lax;

/// A weakly typed float scalar (a host `2.0`): takes the dtype of what it meets.
pub fn scalar(v: f64) -> Array {
    Array::weak_scalar(default_float(), v)
}
/// A weakly typed complex scalar (a host `1+2j`).
pub fn complex_scalar(re: f64, im: f64) -> Array {
    use crate::runtime::host::{Complex, HostData};
    let d = default_float().complex_of();
    let h = match d {
        DType::C128 => HostData::from_vec(&[], vec![Complex { re, im }]),
        _ => HostData::from_vec(&[], vec![Complex { re: re as f32, im: im as f32 }]),
    }
    .expect("one element for a scalar");
    Array::from_host(h).with_weak_type(true)
}
/// A weakly typed int scalar (a host `3`).
pub fn int_scalar(v: i64) -> Array {
    Array::weak_scalar(default_int(), v as f64)
}

/// Normalizes a possibly negative axis, with numpy's message when out of range.
pub fn norm_axis(axis: isize, ndim: usize) -> Result<usize> {
    let a = if axis < 0 { axis + ndim as isize } else { axis };
    if a < 0 || a >= ndim as isize {
        crate::bail!(Value, "axis {axis} is out of bounds for array of dimension {ndim}");
    }
    Ok(a as usize)
}

/// Normalizes an optional list of axes (None means all), sorted and unique.
pub fn norm_axes(axes: Option<&[isize]>, ndim: usize) -> Result<Vec<usize>> {
    let mut out = match axes {
        None => (0..ndim).collect::<Vec<_>>(),
        Some(a) => a.iter().map(|&x| norm_axis(x, ndim)).collect::<Result<Vec<_>>>()?,
    };
    let n = out.len();
    out.sort_unstable();
    out.dedup();
    if out.len() != n {
        crate::bail!(Value, "repeated axis in {:?}", axes.unwrap_or(&[]));
    }
    Ok(out)
}

/// numpy broadcasting of shapes, with JAX's message when they don't fit.
pub fn broadcast_shapes(op: &str, shapes: &[&[usize]]) -> Result<Vec<usize>> {
    let nd = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = vec![1usize; nd];
    for s in shapes {
        for (i, &d) in s.iter().enumerate() {
            let o = &mut out[nd - s.len() + i];
            if *o == 1 {
                *o = d;
            } else if d != 1 && d != *o {
                let txt: Vec<String> = shapes.iter().map(|s| crate::ir::shape_str(s)).collect();
                crate::bail!(Type, "{op} got incompatible shapes for broadcasting: {}.", txt.join(", "));
            }
        }
    }
    Ok(out)
}

/// `jnp.broadcast_to`.
pub fn broadcast_to(x: &Array, shape: &[usize]) -> Result<Array> {
    if x.shape() == shape {
        return Ok(x.clone());
    }
    let (nd, xn) = (shape.len(), x.ndim());
    if xn > nd {
        crate::bail!(Value, "cannot broadcast an array of shape {} to shape {}", x.aval().shape_str(), crate::ir::shape_str(shape));
    }
    let lead = nd - xn;
    // size-1 dims that must grow are squeezed, then broadcast_in_dim places the rest
    let mut keep = Vec::new();
    let mut squeeze = Vec::new();
    for (i, &d) in x.shape().iter().enumerate() {
        if d == shape[lead + i] {
            keep.push(lead + i);
        } else if d == 1 {
            squeeze.push(i);
        } else {
            crate::bail!(
                Value,
                "Incompatible shapes for broadcasting: {} and requested shape {}",
                x.aval().shape_str(),
                crate::ir::shape_str(shape)
            );
        }
    }
    let x = lax::squeeze(x, &squeeze)?;
    lax::broadcast_in_dim(&x, shape, &keep)
}

/// Converts to `dtype` keeping the weak flag given.
pub(crate) fn to_dtype(x: &Array, dtype: DType, weak: bool) -> Result<Array> {
    lax::convert_weak(x, dtype, weak)
}

/// Promotes dtypes (JAX's lattice) and broadcasts shapes of the operands,
/// leaving rank-0 operands as they are (lax's elementwise ops take them).
pub fn promote_args(op: &str, xs: &[&Array]) -> Result<Vec<Array>> {
    let (d, w) = result_type(&xs.iter().map(|x| (x.dtype(), x.weak_type())).collect::<Vec<_>>());
    promote_to(op, xs, d, w)
}

/// Like `promote_args`, then to a float type (for true division, exp, ...).
pub fn promote_args_inexact(op: &str, xs: &[&Array]) -> Result<Vec<Array>> {
    let (d, w) = result_type(&xs.iter().map(|x| (x.dtype(), x.weak_type())).collect::<Vec<_>>());
    let (d, w) = promote::to_inexact(d, w);
    promote_to(op, xs, d, w)
}

fn promote_to(op: &str, xs: &[&Array], d: DType, w: bool) -> Result<Vec<Array>> {
    let shapes: Vec<&[usize]> = xs.iter().map(|x| x.shape()).collect();
    let shape = broadcast_shapes(op, &shapes)?;
    xs.iter()
        .map(|x| {
            let x = to_dtype(x, d, w)?;
            if x.ndim() == 0 {
                Ok(x)
            } else {
                broadcast_to(&x, &shape)
            }
        })
        .collect()
}
