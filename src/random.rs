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

/// `PRNGKey(seed)` for a seed that is an array (possibly traced): JAX's
/// `threefry_seed`, the high word from a 64-bit seed's top half, else 0.
pub fn key_from_seed(seed: &Array) -> Result<Array> {
    if !seed.shape().is_empty() || !seed.dtype().is_int() {
        crate::bail!(Type, "PRNGKey: expected a scalar integer seed, got {}", seed.aval());
    }
    let lo = lax::convert_element_type(seed, DType::U32)?;
    let hi = if seed.dtype().size_in_bytes() == 8 {
        let as_u64 = lax::bitcast_convert_type(seed, DType::U64)?;
        lax::convert_element_type(&lax::shift_right_logical(&as_u64, &Array::scalar(32u64))?, DType::U32)?
    } else {
        jnp::zeros(&[], DType::U32)?
    };
    jnp::stack(&[&hi, &lo], 0)
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
    fold_in_array(key, &Array::scalar(data))
}

/// `jax.random.fold_in` with the data an integer scalar array (possibly
/// traced), taken modulo 2**32 as JAX's `jnp.uint32(data)`.
pub fn fold_in_array(key: &Array, data: &Array) -> Result<Array> {
    check_key("fold_in", key)?;
    if !data.shape().is_empty() || !(data.dtype().is_int() || data.dtype().is_bool()) {
        crate::bail!(Type, "fold_in accepts a scalar integer, but was given {}", data.aval());
    }
    let (k0, k1) = words(key)?;
    let zero = jnp::zeros(&[], DType::U32)?;
    let d = lax::convert_element_type(data, DType::U32)?;
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

/// The two keys of `split(key, 2)`.
fn split2(key: &Array) -> Result<(Array, Array)> {
    let ks = split(key, 2)?;
    Ok((lax::index_in_dim(&ks, 0, 0, false)?, lax::index_in_dim(&ks, 1, 0, false)?))
}

/// `jax.random.randint(key, shape, minval, maxval, dtype)`: JAX's two-draw
/// scheme (high and low words reduced modulo the span).
pub fn randint(key: &Array, shape: &[usize], minval: i64, maxval: i64, dtype: DType) -> Result<Array> {
    check_key("randint", key)?;
    if !dtype.is_int() {
        crate::bail!(Type, "randint: dtype argument must be an integer dtype, got {dtype}");
    }
    let nbits = dtype.bits();
    let (lo_lim, hi_lim): (i128, i128) = if dtype.is_signed_int() { (-(1i128 << (nbits - 1)), (1i128 << (nbits - 1)) - 1) } else { (0, (1i128 << nbits) - 1) };
    let out_of_range = maxval as i128 > hi_lim;
    let (lo, hi) = ((minval as i128).clamp(lo_lim, hi_lim), (maxval as i128).clamp(lo_lim, hi_lim));
    let mut span: u128 = if hi <= lo { 1 } else { (hi - lo) as u128 };
    if out_of_range && hi > lo {
        span += 1;
    }
    let unsigned = DType::unsigned_of_width(nbits).expect("8 to 64 bits");
    let (k1, k2) = split2(key)?;
    let higher = random_bits(&k1, nbits, shape)?;
    let lower = random_bits(&k2, nbits, shape)?;
    // spans of 2**nbits wrap to 0 in `unsigned`, as they do in JAX
    let span_v = Array::full_scalar(unsigned, (span % (1u128 << nbits)) as f64);
    let full = |x: &Array| lax::broadcast_in_dim(x, shape, &[]);
    let span_a = full(&span_v)?;
    let half = Array::full_scalar(unsigned, (1u128 << (nbits / 2)) as f64);
    let multiplier = lax::rem(&half, &span_v)?;
    let multiplier = full(&lax::rem(&lax::mul(&multiplier, &multiplier)?, &span_v)?)?;
    let offset = lax::add(&lax::mul(&lax::rem(&higher, &span_a)?, &multiplier)?, &lax::rem(&lower, &span_a)?)?;
    let offset = lax::rem(&offset, &span_a)?;
    let base = full(&Array::full_scalar(dtype, lo as f64))?;
    lax::add(&base, &lax::convert_element_type(&offset, dtype)?)
}

/// `jax.random.bernoulli(key, p, shape)`: `uniform(key, shape) < p`.
pub fn bernoulli(key: &Array, p: &Array, shape: Option<&[usize]>) -> Result<Array> {
    check_key("bernoulli", key)?;
    let dtype = if p.dtype().is_float() { p.dtype() } else { jnp::default_float() };
    let p = lax::convert_element_type(p, dtype)?;
    let shape = shape.map(|s| s.to_vec()).unwrap_or_else(|| p.shape().to_vec());
    let u = uniform(key, &shape, dtype, 0.0, 1.0)?;
    jnp::less(&u, &p)
}

/// `jax.random.gumbel(key, shape, dtype)`: -log(-log(u)), u uniform in [tiny, 1).
pub fn gumbel(key: &Array, shape: &[usize], dtype: DType) -> Result<Array> {
    check_key("gumbel", key)?;
    let tiny = match dtype {
        DType::F16 => 6.103_515_625e-5,
        DType::BF16 => 1.175_494_350_822_287_5e-38,
        DType::F32 => f32::MIN_POSITIVE as f64,
        DType::F64 => f64::MIN_POSITIVE,
        d => crate::bail!(Type, "gumbel: dtype argument must be a float dtype, got {d}"),
    };
    let u = uniform(key, shape, dtype, tiny, 1.0)?;
    jnp::negative(&jnp::log(&jnp::negative(&jnp::log(&u)?)?)?)
}

/// `jax.random.categorical(key, logits, axis, shape)`: the Gumbel-max trick.
pub fn categorical(key: &Array, logits: &Array, axis: isize, shape: Option<&[usize]>) -> Result<Array> {
    check_key("categorical", key)?;
    let nd = logits.ndim() as isize;
    if axis >= nd || axis < -nd {
        crate::bail!(Value, "categorical: axis {axis} is out of bounds for logits of rank {nd}");
    }
    let axis = if axis >= 0 { axis - nd } else { axis };
    let ax = (axis + nd) as usize;
    let mut batch: Vec<usize> = logits.shape().to_vec();
    batch.remove(ax);
    let shape = shape.map(|s| s.to_vec()).unwrap_or_else(|| batch.clone());
    if shape.len() < batch.len() || shape[shape.len() - batch.len()..] != batch[..] {
        crate::bail!(Value, "categorical: shape {:?} is not compatible with the batch shape of the logits {:?}", shape, batch);
    }
    let prefix = &shape[..shape.len() - batch.len()];
    let mut lshape = shape[shape.len() - batch.len()..].to_vec();
    lshape.insert(ax, logits.shape()[ax]);
    let mut gshape = prefix.to_vec();
    gshape.extend_from_slice(&lshape);
    let g = gumbel(key, &gshape, logits.dtype())?;
    let expanded = jnp::expand_dims(logits, &(0..prefix.len() as isize).collect::<Vec<_>>())?;
    jnp::argmax(&jnp::add(&g, &expanded)?, Some(axis), false)
}

/// JAX's `_shuffle`: sorts by fresh random keys, rounds enough for the size.
fn shuffle(key: &Array, x: &Array, axis: usize) -> Result<Array> {
    let size = x.size().max(1) as f64;
    let rounds = (3.0 * size.ln() / (u32::MAX as f64).ln()).ceil() as usize;
    let (mut key, mut x) = (key.clone(), x.clone());
    for _ in 0..rounds {
        let (k, sub) = split2(&key)?;
        key = k;
        let sort_keys = random_bits(&sub, 32, x.shape())?;
        x = lax::sort(&[&sort_keys, &x], axis, 1, true)?.remove(1);
    }
    Ok(x)
}

/// `jax.random.permutation(key, n)`: a shuffled `arange(n)`.
pub fn permutation_n(key: &Array, n: usize) -> Result<Array> {
    check_key("permutation", key)?;
    shuffle(key, &jnp::arange(0.0, n as f64, 1.0, None)?, 0)
}

/// `jax.random.permutation(key, x, axis, independent)`.
pub fn permutation(key: &Array, x: &Array, axis: isize, independent: bool) -> Result<Array> {
    check_key("permutation", key)?;
    if x.ndim() == 0 {
        crate::bail!(Type, "permutation: x must be an integer or at least 1-dimensional array");
    }
    let ax = crate::numpy::norm_axis(axis, x.ndim())?;
    if independent || x.ndim() == 1 {
        return shuffle(key, x, ax);
    }
    let ind = permutation_n(key, x.shape()[ax])?;
    jnp::take(x, &ind, Some(ax as isize))
}

/// `jax.random.choice(key, a, shape, replace, p, axis)` for an array `a`
/// (use `arange(n)` for an int), without or with probabilities `p`.
pub fn choice(key: &Array, a: &Array, shape: &[usize], replace: bool, p: Option<&Array>, axis: isize) -> Result<Array> {
    check_key("choice", key)?;
    let scalar = a.ndim() == 0;
    let n_inputs = if scalar { a.item_i64()? as usize } else { a.shape()[crate::numpy::norm_axis(axis, a.ndim())?] };
    let ax = if scalar { 0 } else { crate::numpy::norm_axis(axis, a.ndim())? };
    let n_draws: usize = shape.iter().product();
    if n_draws == 0 {
        crate::bail!(NotImplemented, "choice: empty draws are not supported yet");
    }
    if n_inputs == 0 {
        crate::bail!(Value, "a must be greater than 0 unless no samples are taken");
    }
    if !replace && n_draws > n_inputs {
        crate::bail!(Value, "Cannot take a larger sample (size {n_draws}) than population (size {n_inputs}) when 'replace=False'");
    }
    let pick = |ind: &Array| -> Result<Array> {
        if scalar {
            Ok(ind.clone())
        } else {
            jnp::take(a, ind, Some(ax as isize))
        }
    };
    let result = match p {
        None if replace => pick(&randint(key, shape, 0, n_inputs as i64, DType::I32)?)?,
        None => {
            let perm = if scalar { permutation_n(key, n_inputs)? } else { permutation(key, a, ax as isize, false)? };
            lax::slice_in_dim(&perm, 0, n_draws, 1, ax)?
        }
        Some(p) => {
            if p.shape() != [n_inputs] {
                crate::bail!(Value, "p must be None or match the shape of a: got p of shape {:?} for {n_inputs} inputs", p.shape());
            }
            let ind = if replace {
                let cum = jnp::cumsum(p, None)?;
                let total = lax::index_in_dim(&cum, n_inputs - 1, 0, false)?;
                let u = uniform(key, shape, cum.dtype(), 0.0, 1.0)?;
                let r = jnp::multiply(&total, &jnp::subtract(&Array::full_scalar(cum.dtype(), 1.0), &u)?)?;
                // searchsorted(cum, r) (left): how many cumulative sums are below r
                let below = jnp::less(&lax::broadcast_in_dim(&cum, &[shape.to_vec(), vec![n_inputs]].concat(), &[shape.len()])?, &jnp::expand_dims(&r, &[-1])?)?;
                jnp::sum(&jnp::astype(&below, DType::I32)?, Some(&[-1]), false)?
            } else {
                let g = jnp::add(&gumbel(key, &[n_inputs], p.dtype())?, &jnp::log(p)?)?;
                // top_k: indices of the largest, ties by position
                let idx = jnp::argsort(&jnp::negative(&g)?, Some(-1), false)?;
                lax::slice_in_dim(&idx, 0, n_draws, 1, 0)?
            };
            pick(&ind)?
        }
    };
    let out_shape: Vec<usize> = if scalar { shape.to_vec() } else { [&a.shape()[..ax], shape, &a.shape()[ax + 1..]].concat() };
    lax::reshape(&result, &out_shape)
}
