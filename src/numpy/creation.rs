//! Array creation: zeros, ones, full, *_like, arange, linspace, eye.
//! Fills are broadcasts of a scalar, so under a trace they stay one small
//! equation instead of a large constant.

use super::{default_float, default_int, promote};
use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::lax;
use crate::runtime::host::HostData;

/// `jnp.full(shape, value, dtype)`.
pub fn full(shape: &[usize], value: f64, dtype: DType) -> Result<Array> {
    lax::broadcast_in_dim(&Array::full_scalar(dtype, value), shape, &[])
}
/// `jnp.zeros(shape, dtype)`.
pub fn zeros(shape: &[usize], dtype: DType) -> Result<Array> {
    full(shape, 0.0, dtype)
}
/// `jnp.ones(shape, dtype)`.
pub fn ones(shape: &[usize], dtype: DType) -> Result<Array> {
    full(shape, 1.0, dtype)
}
/// Same shape, dtype and weak type as `x`, filled with `value`.
pub fn full_like(x: &Array, value: f64) -> Result<Array> {
    let s = Array::full_scalar(x.dtype(), value).with_weak_type(x.weak_type());
    lax::broadcast_in_dim(&s, x.shape(), &[])
}
pub fn full_like_dtype(x: &Array, value: f64, dtype: DType) -> Result<Array> {
    full(x.shape(), value, dtype)
}
pub fn zeros_like(x: &Array) -> Result<Array> {
    full_like(x, 0.0)
}
pub fn ones_like(x: &Array) -> Result<Array> {
    full_like(x, 1.0)
}

/// `jnp.arange(start, stop, step)`: int dtype when all are integral (and no
/// dtype is given), else the default float.
pub fn arange(start: f64, stop: f64, step: f64, dtype: Option<DType>) -> Result<Array> {
    if step == 0.0 {
        crate::bail!(Value, "arange: step must not be zero");
    }
    let integral = [start, stop, step].iter().all(|v| v.fract() == 0.0);
    let dtype = dtype.unwrap_or(if integral { default_int() } else { default_float() });
    let n = ((stop - start) / step).ceil().max(0.0) as usize;
    if dtype.is_int() && integral {
        return arange_int(start as i64, step as i64, n, dtype);
    }
    // JAX's values: start and step rounded to the dtype first, the products in f64
    let (x0, dx) = if dtype == DType::F32 { (start as f32 as f64, step as f32 as f64) } else { (start, step) };
    let v: Vec<f64> = (0..n).map(|i| x0 + i as f64 * dx).collect();
    Ok(Array::from_host(HostData::from_vec(&[n], v)?.cast(dtype)))
}

fn arange_int(start: i64, step: i64, n: usize, dtype: DType) -> Result<Array> {
    let i = lax::iota(dtype, &[n], 0)?;
    if start == 0 && step == 1 {
        return Ok(i);
    }
    let s = |v: i64| Array::full_scalar(dtype, v as f64);
    let i = lax::mul(&i, &lax::broadcast_in_dim(&s(step), &[n], &[])?)?;
    lax::add(&i, &lax::broadcast_in_dim(&s(start), &[n], &[])?)
}

/// `jnp.linspace(start, stop, num, endpoint)`.
pub fn linspace(start: f64, stop: f64, num: usize, endpoint: bool, dtype: Option<DType>) -> Result<Array> {
    let dtype = dtype.unwrap_or(default_float());
    let div = if endpoint { num.saturating_sub(1) } else { num };
    // JAX's construction, in the computation dtype: t_i = i * (1 / div) (XLA's
    // division by a constant), start * (1 - t) + stop * t, stop itself last
    let v: Vec<f64> = if dtype == DType::F64 {
        let r = 1.0 / div as f64;
        (0..num).map(|i| if i >= div { stop } else { let t = i as f64 * r; start * (1.0 - t) + stop * t }).collect()
    } else {
        let (s, e, r) = (start as f32, stop as f32, 1.0f32 / div as f32);
        (0..num).map(|i| f64::from(if i >= div { e } else { let t = i as f32 * r; s * (1.0 - t) + e * t })).collect()
    };
    let v = if dtype.is_int() { v.into_iter().map(f64::floor).collect() } else { v };
    Ok(Array::from_host(HostData::from_vec(&[num], v)?.cast(dtype)))
}

/// `jnp.eye(n, m, k, dtype)`.
pub fn eye(n: usize, m: Option<usize>, k: i64, dtype: Option<DType>) -> Result<Array> {
    let m = m.unwrap_or(n);
    let dtype = dtype.unwrap_or(default_float());
    let r = lax::iota(DType::I64, &[n, m], 0)?;
    let c = lax::iota(DType::I64, &[n, m], 1)?;
    let kk = lax::broadcast_in_dim(&Array::full_scalar(DType::I64, k as f64), &[n, m], &[])?;
    let on = lax::eq(&lax::add(&r, &kk)?, &c)?;
    lax::convert_element_type(&on, dtype)
}
pub fn identity(n: usize, dtype: Option<DType>) -> Result<Array> {
    eye(n, None, 0, dtype)
}

/// `jnp.asarray` of host f64 values in a given dtype (bindings pass typed buffers instead).
pub fn array_f64(v: &[f64], shape: &[usize], dtype: Option<DType>) -> Result<Array> {
    let d = dtype.unwrap_or(default_float());
    Ok(Array::from_host(HostData::from_vec(shape, v.to_vec())?.cast(d)))
}

/// `jnp.astype(x, dtype)`.
pub fn astype(x: &Array, dtype: DType) -> Result<Array> {
    lax::convert_element_type(x, promote::canonicalize(dtype))
}
