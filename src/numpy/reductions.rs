//! Reductions with numpy's conventions: `axis` (None = all, negatives
//! allowed), `keepdims`, `where` masks; sums of bools and small ints
//! accumulate in the default int; mean/var/std; argmax/argmin; cumulative ops.

use super::{default_float, default_int, norm_axes, norm_axis, promote::default_uint, where_};
use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::lax;
use crate::prim::{CumOp, ReduceOp};

/// Re-inserts reduced axes as size 1 when `keepdims`.
fn keep(r: Array, in_shape: &[usize], axes: &[usize], keepdims: bool) -> Result<Array> {
    if !keepdims {
        return Ok(r);
    }
    let shape: Vec<usize> = in_shape.iter().enumerate().map(|(i, &d)| if axes.contains(&i) { 1 } else { d }).collect();
    lax::reshape(&r, &shape)
}

/// The dtype a sum or product accumulates in (numpy's rule, as jnp does).
fn sum_dtype(d: DType) -> DType {
    match d {
        DType::Bool | DType::I8 | DType::I16 | DType::I32 => default_int(),
        DType::U8 | DType::U16 | DType::U32 => default_uint(),
        d => d,
    }
}

fn reduce_with(op: ReduceOp, name: &str, x: &Array, axis: Option<&[isize]>, keepdims: bool, mask: Option<&Array>) -> Result<Array> {
    let axes = norm_axes(axis, x.ndim())?;
    let mut x = x.clone();
    if matches!(op, ReduceOp::Sum | ReduceOp::Prod) {
        x = lax::convert_element_type(&x, sum_dtype(x.dtype()))?;
    }
    if matches!(op, ReduceOp::Max | ReduceOp::Min) && axes.iter().any(|&a| x.shape()[a] == 0) && mask.is_none() {
        crate::bail!(Value, "zero-size array to reduction operation {name} which has no identity");
    }
    if matches!(op, ReduceOp::And | ReduceOp::Or) {
        x = super::to_bool(&x)?;
    }
    // f16/bf16 accumulate in f32, as JAX does, then round back
    let low = matches!(x.dtype(), DType::F16 | DType::BF16) && matches!(op, ReduceOp::Sum | ReduceOp::Prod);
    let orig = x.dtype();
    if low {
        x = lax::convert_element_type(&x, DType::F32)?;
    }
    if let Some(m) = mask {
        let ident = match op {
            ReduceOp::Sum | ReduceOp::Or => 0.0,
            ReduceOp::Prod | ReduceOp::And => 1.0,
            ReduceOp::Max => f64::NEG_INFINITY,
            ReduceOp::Min => f64::INFINITY,
        };
        let ident = if x.dtype().is_int() {
            match op {
                ReduceOp::Max => -(2f64.powi(x.dtype().bits() as i32 - 1)),
                ReduceOp::Min => 2f64.powi(x.dtype().bits() as i32 - 1) - 1.0,
                _ => ident,
            }
        } else {
            ident
        };
        x = where_(m, &x, &super::full_like(&x, ident)?)?;
    }
    let in_shape = x.shape().to_vec();
    let mut r = lax::reduce(&x, op, &axes)?;
    if low {
        r = lax::convert_element_type(&r, orig)?;
    }
    keep(r, &in_shape, &axes, keepdims)
}

/// `jnp.sum(x, axis, keepdims)`.
pub fn sum(x: &Array, axis: Option<&[isize]>, keepdims: bool) -> Result<Array> {
    reduce_with(ReduceOp::Sum, "sum", x, axis, keepdims, None)
}
pub fn sum_where(x: &Array, axis: Option<&[isize]>, keepdims: bool, mask: Option<&Array>) -> Result<Array> {
    reduce_with(ReduceOp::Sum, "sum", x, axis, keepdims, mask)
}
pub fn prod(x: &Array, axis: Option<&[isize]>, keepdims: bool) -> Result<Array> {
    reduce_with(ReduceOp::Prod, "prod", x, axis, keepdims, None)
}
pub fn prod_where(x: &Array, axis: Option<&[isize]>, keepdims: bool, mask: Option<&Array>) -> Result<Array> {
    reduce_with(ReduceOp::Prod, "prod", x, axis, keepdims, mask)
}
/// `jnp.max` (`amax`).
pub fn max(x: &Array, axis: Option<&[isize]>, keepdims: bool) -> Result<Array> {
    reduce_with(ReduceOp::Max, "max", x, axis, keepdims, None)
}
pub fn max_where(x: &Array, axis: Option<&[isize]>, keepdims: bool, mask: Option<&Array>) -> Result<Array> {
    reduce_with(ReduceOp::Max, "max", x, axis, keepdims, mask)
}
pub fn min(x: &Array, axis: Option<&[isize]>, keepdims: bool) -> Result<Array> {
    reduce_with(ReduceOp::Min, "min", x, axis, keepdims, None)
}
pub fn min_where(x: &Array, axis: Option<&[isize]>, keepdims: bool, mask: Option<&Array>) -> Result<Array> {
    reduce_with(ReduceOp::Min, "min", x, axis, keepdims, mask)
}
pub fn all(x: &Array, axis: Option<&[isize]>, keepdims: bool) -> Result<Array> {
    reduce_with(ReduceOp::And, "all", x, axis, keepdims, None)
}
pub fn any(x: &Array, axis: Option<&[isize]>, keepdims: bool) -> Result<Array> {
    reduce_with(ReduceOp::Or, "any", x, axis, keepdims, None)
}
pub fn all_where(x: &Array, axis: Option<&[isize]>, keepdims: bool, mask: Option<&Array>) -> Result<Array> {
    reduce_with(ReduceOp::And, "all", x, axis, keepdims, mask)
}
pub fn any_where(x: &Array, axis: Option<&[isize]>, keepdims: bool, mask: Option<&Array>) -> Result<Array> {
    reduce_with(ReduceOp::Or, "any", x, axis, keepdims, mask)
}

/// Number of elements reduced over (or of the mask's true entries).
fn count(x: &Array, axis: Option<&[isize]>, keepdims: bool, mask: Option<&Array>, dtype: DType) -> Result<Array> {
    match mask {
        Some(m) => {
            let m = super::broadcast_to(&super::to_bool(m)?, x.shape())?;
            let c = sum(&m, axis, keepdims)?;
            lax::convert_element_type(&c, dtype)
        }
        None => {
            let axes = norm_axes(axis, x.ndim())?;
            let n: usize = axes.iter().map(|&a| x.shape()[a]).product();
            let shape: Vec<usize> = (0..x.ndim()).filter(|d| keepdims || !axes.contains(d)).map(|d| if axes.contains(&d) { 1 } else { x.shape()[d] }).collect();
            super::full(&shape, n as f64, dtype)
        }
    }
}

/// `jnp.mean(x, axis, keepdims, where)`: ints average in the default float.
pub fn mean_where(x: &Array, axis: Option<&[isize]>, keepdims: bool, mask: Option<&Array>) -> Result<Array> {
    let d = if x.dtype().is_inexact() { x.dtype() } else { default_float() };
    let xf = lax::convert_element_type(x, d)?;
    let s = sum_where(&xf, axis, keepdims, mask)?;
    if mask.is_none() {
        let axes = norm_axes(axis, x.ndim())?;
        return div_by_constant(&s, axes.iter().map(|&a| x.shape()[a]).product::<usize>() as f64);
    }
    let n = count(&xf, axis, keepdims, mask, d)?;
    lax::div(&s, &n)
}

/// `s / n` for a count `n` known when the program is built. JAX's mean
/// divides by such a constant inside jit, which XLA turns into a
/// multiplication by the reciprocal (rounded in the dtype); doing the same
/// gives JAX's last bit, eager or jitted.
fn div_by_constant(s: &Array, n: f64) -> Result<Array> {
    if !matches!(s.dtype(), DType::F32 | DType::F64) {
        return lax::div(s, &super::full_like(s, n)?);
    }
    let recip = lax::div(&super::full(&[], 1.0, s.dtype())?, &super::full(&[], n, s.dtype())?)?;
    lax::mul(s, &super::broadcast_to(&recip, s.shape())?)
}
pub fn mean(x: &Array, axis: Option<&[isize]>, keepdims: bool) -> Result<Array> {
    mean_where(x, axis, keepdims, None)
}

/// `jnp.var(x, axis, ddof, keepdims)`.
pub fn var(x: &Array, axis: Option<&[isize]>, ddof: usize, keepdims: bool) -> Result<Array> {
    let d = if x.dtype().is_inexact() { x.dtype() } else { default_float() };
    let xf = lax::convert_element_type(x, d)?;
    let m = mean(&xf, axis, true)?;
    let c = lax::sub(&xf, &super::broadcast_to(&m, xf.shape())?)?;
    // complex values: the mean of |x - mean|^2, a real number
    let sq = if d.is_complex() {
        let (re, im) = (lax::real(&c)?, lax::imag(&c)?);
        lax::add(&lax::mul(&re, &re)?, &lax::mul(&im, &im)?)?
    } else {
        lax::mul(&c, &c)?
    };
    let s = sum(&sq, axis, keepdims)?;
    let axes = norm_axes(axis, x.ndim())?;
    let n: usize = axes.iter().map(|&a| x.shape()[a]).product();
    // a true division: JAX's normalizer is n - ddof, a subtraction XLA has
    // not folded when it rewrites divisions by constants
    let denom = (n as f64 - ddof as f64).max(0.0);
    lax::div(&s, &super::full_like(&s, denom)?)
}
pub fn std(x: &Array, axis: Option<&[isize]>, ddof: usize, keepdims: bool) -> Result<Array> {
    lax::sqrt(&var(x, axis, ddof, keepdims)?)
}

fn arg(op: bool, x: &Array, axis: Option<isize>, keepdims: bool) -> Result<Array> {
    let (x, ax) = match axis {
        None => (super::ravel(x)?, 0),
        Some(a) => (x.clone(), norm_axis(a, x.ndim())?),
    };
    if x.shape()[ax] == 0 {
        crate::bail!(Value, "attempt to get {} of an empty sequence", if op { "argmax" } else { "argmin" });
    }
    // booleans order as 0 < 1 (jnp.argmax of a mask: the first True)
    let x = if x.dtype().is_bool() { lax::convert_element_type(&x, DType::U8)? } else { x };
    let r = if op { lax::argmax(&x, ax, default_int())? } else { lax::argmin(&x, ax, default_int())? };
    if keepdims && axis.is_some() {
        keep(r, x.shape(), &[ax], true)
    } else {
        Ok(r)
    }
}
/// `jnp.argmax(x, axis, keepdims)`; axis None searches the flattened array.
pub fn argmax(x: &Array, axis: Option<isize>, keepdims: bool) -> Result<Array> {
    arg(true, x, axis, keepdims)
}
pub fn argmin(x: &Array, axis: Option<isize>, keepdims: bool) -> Result<Array> {
    arg(false, x, axis, keepdims)
}

fn cumulative(op: CumOp, x: &Array, axis: Option<isize>) -> Result<Array> {
    let (x, ax) = match axis {
        None => (super::ravel(x)?, 0),
        Some(a) => (x.clone(), norm_axis(a, x.ndim())?),
    };
    // as jnp.cumsum/cumprod: booleans count in the default int; other
    // dtypes keep their own (unlike sum, small ints are not widened)
    let x = if x.dtype().is_bool() { lax::convert_element_type(&x, default_int())? } else { x };
    lax::cumulative(&x, op, ax, false)
}
pub fn cumsum(x: &Array, axis: Option<isize>) -> Result<Array> {
    cumulative(CumOp::Sum, x, axis)
}
pub fn cumprod(x: &Array, axis: Option<isize>) -> Result<Array> {
    cumulative(CumOp::Prod, x, axis)
}
/// `jax.lax.cummax` along an axis (numpy has `maximum.accumulate`).
pub fn cummax(x: &Array, axis: Option<isize>) -> Result<Array> {
    cumulative(CumOp::Max, x, axis)
}
pub fn cummin(x: &Array, axis: Option<isize>) -> Result<Array> {
    cumulative(CumOp::Min, x, axis)
}

/// `jax.nn.logsumexp` / `jax.scipy.special.logsumexp`, stable: the max is
/// subtracted (through stop_gradient, as JAX does).
pub fn logsumexp(x: &Array, axis: Option<&[isize]>, keepdims: bool) -> Result<Array> {
    let x = super::promote_args_inexact("logsumexp", &[x])?.pop().unwrap();
    let m = max(&x, axis, true)?;
    let finite = super::isfinite(&m)?;
    let m = lax::stop_gradient(&where_(&finite, &m, &super::zeros_like(&m)?)?)?;
    let e = lax::exp(&lax::sub(&x, &super::broadcast_to(&m, x.shape())?)?)?;
    let s = lax::log(&sum(&e, axis, true)?)?;
    let r = lax::add(&s, &m)?;
    if keepdims {
        Ok(r)
    } else {
        let axes = norm_axes(axis, x.ndim())?;
        lax::squeeze(&r, &axes)
    }
}
