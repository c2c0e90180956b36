//! `jax.random` with JAX's default scheme: raw `uint32[2]` keys, the
//! threefry2x32 cipher, and `jax_threefry_partitionable=True` (element i of a
//! draw uses its flat index i as the counter), so a key gives JAX's numbers.
//! Built from lax ops, so keys may be traced.

use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::lax;
use crate::numpy as jnp;

/// `jax.random.PRNGKey(seed)` / `key_data(key(seed))`: `[seed >> 32, seed & 0xFFFFFFFF]`
/// (the high word is 0 unless x64 is on, as for JAX's int32 seeds).
pub fn key(seed: i64) -> Array {
    let hi = if jnp::x64_enabled() { ((seed as u64) >> 32) as u32 } else { 0 };
    Array::from_vec(vec![hi, seed as u32], &[2]).expect("two words")
}

fn check_key(op: &str, key: &Array) -> Result<()> {
    if key.shape() != [2] || key.dtype() != DType::U32 {
        crate::bail!(Type, "{op}: expected a PRNG key of type uint32[2], got {}", key.aval());
    }
    Ok(())
}

/// The two key words as scalars.
fn words(key: &Array) -> Result<(Array, Array)> {
    let w = |i| lax::reshape(&lax::slice(key, &[i], &[i + 1], None)?, &[]);
    Ok((w(0)?, w(1)?))
}

/// The 64-bit flat index of each element of `shape`, as (high, low) uint32 words.
fn iota_2x32(shape: &[usize]) -> Result<(Array, Array)> {
    let n: usize = shape.iter().product();
    if n as u64 >= 1u64 << 32 {
        crate::bail!(NotImplemented, "random draws of 2**32 or more elements are not supported yet (shape {:?})", shape);
    }
    let lo = lax::reshape(&lax::iota(DType::U32, &[n], 0)?, shape)?;
    Ok((jnp::zeros(shape, DType::U32)?, lo))
}

/// threefry2x32 of the key over the (hi, lo) counters of `shape`.
fn hash_counters(key: &Array, shape: &[usize]) -> Result<(Array, Array)> {
    let (k0, k1) = words(key)?;
    let (hi, lo) = iota_2x32(shape)?;
    let b = |k: &Array| lax::broadcast_in_dim(k, shape, &[]);
    lax::threefry2x32(&b(&k0)?, &b(&k1)?, &hi, &lo)
}

/// `jax.random.split(key, num)`: `uint32[num, 2]`.
pub fn split(key: &Array, num: usize) -> Result<Array> {
    check_key("split", key)?;
    let (a, b) = hash_counters(key, &[num])?;
    jnp::stack(&[&a, &b], 1)
}

/// `jax.random.fold_in(key, data)`.
pub fn fold_in(key: &Array, data: u32) -> Result<Array> {
    check_key("fold_in", key)?;
    let (k0, k1) = words(key)?;
    let zero = Array::scalar(0u32);
    let d = Array::scalar(data);
    let (a, b) = lax::threefry2x32(&k0, &k1, &zero, &d)?;
    jnp::stack(&[&a, &b], 0)
}

/// `jax.random.bits(key, shape, dtype)` for uint8/16/32/64.
pub fn bits(key: &Array, shape: &[usize], dtype: DType) -> Result<Array> {
    check_key("bits", key)?;
    if !dtype.is_unsigned_int() {
        crate::bail!(Type, "bits: dtype argument must be an unsigned int dtype, got {dtype}");
    }
    random_bits(key, dtype.bits(), shape)
}

/// JAX's `_random_bits` with the partitionable scheme.
fn random_bits(key: &Array, width: u32, shape: &[usize]) -> Result<Array> {
    let (b1, b2) = hash_counters(key, shape)?;
    let out = DType::unsigned_of_width(width).expect("8, 16, 32 or 64");
    match width {
        64 => {
            let hi = lax::convert_element_type(&b1, out)?;
            let lo = lax::convert_element_type(&b2, out)?;
            let s = lax::broadcast_in_dim(&Array::scalar(32u64), shape, &[])?;
            lax::or(&lax::shift_left(&hi, &s)?, &lo)
        }
        32 => lax::xor(&b1, &b2),
        _ => lax::convert_element_type(&lax::xor(&b1, &b2)?, out),
    }
}

/// `jax.random.uniform(key, shape, dtype, minval, maxval)`.
pub fn uniform(key: &Array, shape: &[usize], dtype: DType, minval: f64, maxval: f64) -> Result<Array> {
    check_key("uniform", key)?;
    if !dtype.is_float() {
        crate::bail!(Type, "uniform: dtype argument must be a float dtype, got {dtype}");
    }
    let lo = Array::full_scalar(dtype, minval);
    let hi = Array::full_scalar(dtype, maxval);
    uniform_arrays(key, shape, dtype, &lo, &hi)
}

fn uniform_arrays(key: &Array, shape: &[usize], dtype: DType, lo: &Array, hi: &Array) -> Result<Array> {
    let nbits = dtype.bits();
    let nmant = dtype.mantissa_bits().unwrap();
    let rng_bits = if nmant < 8 { 8 } else { nbits };
    let uint = DType::unsigned_of_width(nbits).unwrap();
    let mut bits = random_bits(key, rng_bits, shape)?;
    if rng_bits != nbits {
        bits = lax::convert_element_type(&bits, uint)?;
    }
    let full = |v: f64, d: DType| lax::broadcast_in_dim(&Array::full_scalar(d, v), shape, &[]);
    // one in `uint`'s bit pattern: the exponent bits of 1.0
    let one_bits = lax::bitcast_convert_type(&Array::full_scalar(dtype, 1.0), uint)?;
    let one_bits = lax::broadcast_in_dim(&one_bits, shape, &[])?;
    let shifted = lax::shift_right_logical(&bits, &full((rng_bits - nmant) as f64, uint)?)?;
    let fbits = lax::or(&shifted, &one_bits)?;
    let floats = lax::sub(&lax::bitcast_convert_type(&fbits, dtype)?, &full(1.0, dtype)?)?;
    let lo = lax::broadcast_in_dim(lo, shape, &[])?;
    let hi = lax::broadcast_in_dim(hi, shape, &[])?;
    let scaled = lax::add(&lax::mul(&floats, &lax::sub(&hi, &lo)?)?, &lo)?;
    lax::max(&lo, &scaled)
}

/// `jax.random.normal(key, shape, dtype)`: sqrt(2) * erf_inv(u), u uniform in (-1, 1).
pub fn normal(key: &Array, shape: &[usize], dtype: DType) -> Result<Array> {
    check_key("normal", key)?;
    if !dtype.is_float() {
        crate::bail!(Type, "normal: dtype argument must be a float dtype, got {dtype}");
    }
    // the float just above -1 in `dtype`
    let m1 = Array::full_scalar(dtype, -1.0);
    let lo = lax::nextafter(&m1, &Array::full_scalar(dtype, 0.0))?;
    let u = uniform_arrays(key, shape, dtype, &lo, &Array::full_scalar(dtype, 1.0))?;
    let s2 = lax::broadcast_in_dim(&Array::full_scalar(dtype, std::f64::consts::SQRT_2), shape, &[])?;
    lax::mul(&s2, &lax::erf_inv(&u)?)
}
