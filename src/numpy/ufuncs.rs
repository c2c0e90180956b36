//! Elementwise numpy functions: promotion and broadcasting, then lax.

use super::{promote_args, promote_args_inexact, scalar};
use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::lax;

macro_rules! float_unary {
    ($($name:ident => $lax:ident),* $(,)?) => {$(
        #[doc = concat!("`jnp.", stringify!($name), "` (ints and bools compute in the default float type)")]
        pub fn $name(x: &Array) -> Result<Array> {
            let x = promote_args_inexact(stringify!($name), &[x])?.pop().unwrap();
            lax::$lax(&x)
        }
    )*};
}
float_unary!(
    exp => exp, log => log, log1p => log1p, expm1 => expm1, tanh => tanh, sin => sin,
    cos => cos, tan => tan, arcsin => asin, arccos => acos, arctan => atan, sinh => sinh, cosh => cosh,
    arcsinh => asinh, arccosh => acosh, arctanh => atanh, sqrt => sqrt, cbrt => cbrt, rsqrt => rsqrt,
);

/// `jnp.exp2` (complex values: exp(x ln 2))
pub fn exp2(x: &Array) -> Result<Array> {
    let x = promote_args_inexact("exp2", &[x])?.pop().unwrap();
    if x.dtype().is_complex() {
        return lax::exp(&lax::mul(&x, &super::full_like(&x, std::f64::consts::LN_2)?)?);
    }
    lax::exp2(&x)
}
/// `jnp.log2`: log(x) / log(2), JAX's way (complex: each part divided).
pub fn log2(x: &Array) -> Result<Array> {
    let l = log(x)?;
    if l.dtype().is_complex() {
        let (re, im) = (lax::real(&l)?, lax::imag(&l)?);
        let ln2 = lax::log(&super::full_like(&re, 2.0)?)?;
        return lax::complex(&lax::div(&re, &ln2)?, &lax::div(&im, &ln2)?);
    }
    lax::div(&l, &lax::log(&super::full_like(&l, 2.0)?)?)
}
/// `jnp.log10`: log(x) times 1/ln(10) rounded to the dtype, JAX's way
/// (complex: each part multiplied).
pub fn log10(x: &Array) -> Result<Array> {
    const ONE_OVER_LN10: f64 = 0.4342944819032518;
    let l = log(x)?;
    if l.dtype().is_complex() {
        let (re, im) = (lax::real(&l)?, lax::imag(&l)?);
        let c = super::full_like(&re, ONE_OVER_LN10)?;
        return lax::complex(&lax::mul(&re, &c)?, &lax::mul(&im, &c)?);
    }
    lax::mul(&l, &super::full_like(&l, ONE_OVER_LN10)?)
}

pub fn negative(x: &Array) -> Result<Array> {
    if x.dtype().is_bool() {
        crate::bail!(Type, "negative does not accept dtype bool. Use the ~ operator or logical_not instead.");
    }
    lax::neg(x)
}
pub fn positive(x: &Array) -> Result<Array> {
    Ok(x.clone())
}
pub fn abs(x: &Array) -> Result<Array> {
    if x.dtype().is_unsigned_int() || x.dtype().is_bool() {
        return Ok(x.clone());
    }
    lax::abs(x)
}
pub fn sign(x: &Array) -> Result<Array> {
    if x.dtype().is_bool() {
        return Ok(x.clone());
    }
    lax::sign(x)
}
pub fn square(x: &Array) -> Result<Array> {
    if x.dtype().is_bool() {
        return lax::and(x, x);
    }
    lax::square(x)
}
pub fn reciprocal(x: &Array) -> Result<Array> {
    let x = promote_args_inexact("reciprocal", &[x])?.pop().unwrap();
    lax::div(&super::ones_like(&x)?, &x)
}

fn round_like(x: &Array, f: fn(&Array) -> Result<Array>) -> Result<Array> {
    if x.dtype().is_float() {
        f(x)
    } else {
        Ok(x.clone()) // integers are already integral, as in jnp
    }
}
pub fn floor(x: &Array) -> Result<Array> {
    round_like(x, lax::floor)
}
pub fn ceil(x: &Array) -> Result<Array> {
    round_like(x, lax::ceil)
}
pub fn trunc(x: &Array) -> Result<Array> {
    round_like(x, |x| {
        let neg = lax::lt(x, &super::zeros_like(x)?)?;
        lax::select(&neg, &lax::ceil(x)?, &lax::floor(x)?)
    })
}
/// `jnp.round(x, decimals=0)`: half to even.
/// `jnp.round(x, decimals)`: half to even on `x * 10**decimals`, scaled back
/// by the reciprocal (what XLA makes of JAX's division by the constant, so
/// eager and jitted results agree with JAX's: round(1.26, 1) = 1.3000001).
/// f16/bf16 compute in f32, as JAX.
pub fn round(x: &Array, decimals: i32) -> Result<Array> {
    if x.dtype().is_int() || x.dtype().is_bool() {
        if decimals < 0 {
            crate::bail!(NotImplemented, "integer np.round not implemented for decimals < 0");
        }
        return Ok(x.clone());
    }
    if !x.dtype().is_float() {
        crate::bail!(NotImplemented, "round: {} arrays are not supported", x.dtype());
    }
    if decimals == 0 {
        return lax::round(x, true);
    }
    let orig = x.dtype();
    let xf = if matches!(orig, DType::F16 | DType::BF16) { lax::convert_element_type(x, DType::F32)? } else { x.clone() };
    let factor = 10f64.powi(decimals);
    let inv = if xf.dtype() == DType::F32 { (1.0 / factor as f32) as f64 } else { 1.0 / factor };
    let scaled = lax::round(&lax::mul(&xf, &super::full_like(&xf, factor)?)?, true)?;
    let out = lax::mul(&scaled, &super::full_like(&xf, inv)?)?;
    if out.dtype() == orig { Ok(out) } else { lax::convert_element_type(&out, orig) }
}
pub fn isfinite(x: &Array) -> Result<Array> {
    if !x.dtype().is_float() {
        return super::full_like_dtype(x, 1.0, DType::Bool);
    }
    lax::is_finite(x)
}
pub fn isnan(x: &Array) -> Result<Array> {
    if !x.dtype().is_float() {
        return super::full_like_dtype(x, 0.0, DType::Bool);
    }
    lax::ne(x, x)
}
pub fn isinf(x: &Array) -> Result<Array> {
    if !x.dtype().is_float() {
        return super::full_like_dtype(x, 0.0, DType::Bool);
    }
    let a = lax::abs(x)?;
    lax::eq(&a, &super::full_like(&a, f64::INFINITY)?)
}

macro_rules! binary {
    ($($name:ident => $lax:ident),* $(,)?) => {$(
        #[doc = concat!("`jnp.", stringify!($name), "` with promotion and broadcasting")]
        pub fn $name(x: &Array, y: &Array) -> Result<Array> {
            let v = promote_args(stringify!($name), &[x, y])?;
            lax::$lax(&v[0], &v[1])
        }
    )*};
}
binary!(
    equal => eq, not_equal => ne, less => lt, less_equal => le, greater => gt, greater_equal => ge,
    bitwise_and => and, bitwise_or => or, bitwise_xor => xor,
);

/// Booleans add as `or` and multiply, take minima and maxima as `and` and
/// `or` (numpy's and JAX's semantics); other types use the lax op.
macro_rules! binary_bool_as {
    ($($name:ident => $lax:ident | $on_bool:ident),* $(,)?) => {$(
        #[doc = concat!("`jnp.", stringify!($name), "` with promotion and broadcasting")]
        pub fn $name(x: &Array, y: &Array) -> Result<Array> {
            let v = promote_args(stringify!($name), &[x, y])?;
            if v[0].dtype() == DType::Bool {
                return lax::$on_bool(&v[0], &v[1]);
            }
            lax::$lax(&v[0], &v[1])
        }
    )*};
}
binary_bool_as!(add => add | or, multiply => mul | and, maximum => max | or, minimum => min | and);

/// `jnp.subtract` (booleans are refused, as numpy does)
pub fn subtract(x: &Array, y: &Array) -> Result<Array> {
    let v = promote_args("subtract", &[x, y])?;
    if v[0].dtype() == DType::Bool {
        crate::bail!(Type, "numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, the `^` operator, or the logical_xor function instead.");
    }
    lax::sub(&v[0], &v[1])
}

pub fn logical_and(x: &Array, y: &Array) -> Result<Array> {
    let (a, b) = bool_pair("logical_and", x, y)?;
    lax::and(&a, &b)
}
pub fn logical_or(x: &Array, y: &Array) -> Result<Array> {
    let (a, b) = bool_pair("logical_or", x, y)?;
    lax::or(&a, &b)
}
pub fn logical_xor(x: &Array, y: &Array) -> Result<Array> {
    let (a, b) = bool_pair("logical_xor", x, y)?;
    lax::xor(&a, &b)
}
pub fn logical_not(x: &Array) -> Result<Array> {
    lax::not(&to_bool(x)?)
}
pub fn bitwise_not(x: &Array) -> Result<Array> {
    lax::not(x)
}
/// `jnp.invert`
pub fn invert(x: &Array) -> Result<Array> {
    lax::not(x)
}

fn bool_pair(op: &str, x: &Array, y: &Array) -> Result<(Array, Array)> {
    let shape = super::broadcast_shapes(op, &[x.shape(), y.shape()])?;
    Ok((super::broadcast_to(&to_bool(x)?, &shape)?, super::broadcast_to(&to_bool(y)?, &shape)?))
}

/// `x != 0` as bool (identity for bools).
pub fn to_bool(x: &Array) -> Result<Array> {
    if x.dtype().is_bool() {
        return Ok(x.clone());
    }
    lax::ne(x, &super::zeros_like(x)?)
}

/// `jnp.true_divide` / `jnp.divide`: ints divide as floats.
pub fn divide(x: &Array, y: &Array) -> Result<Array> {
    let v = promote_args_inexact("divide", &[x, y])?;
    let d = v[1].dtype();
    let out = super::broadcast_shapes("divide", &[x.shape(), y.shape()])?;
    if y.ndim() > 0 && y.shape() != &out[..] && matches!(d, DType::F32 | DType::F64) {
        // a divisor that is broadcast: XLA's CPU code multiplies by the
        // broadcast reciprocal instead (JAX's numbers, eager or jitted)
        let yd = lax::convert_weak(y, d, v[1].weak_type())?;
        let recip = lax::div(&super::full_like(&yd, 1.0)?, &yd)?;
        return lax::mul(&super::broadcast_to(&v[0], &out)?, &super::broadcast_to(&recip, &out)?);
    }
    lax::div(&v[0], &v[1])
}
pub fn true_divide(x: &Array, y: &Array) -> Result<Array> {
    divide(x, y)
}

/// `jnp.floor_divide`: rounds toward negative infinity.
pub fn floor_divide(x: &Array, y: &Array) -> Result<Array> {
    let v = promote_args("floor_divide", &[x, y])?;
    let (a, b) = (&v[0], &v[1]);
    if a.dtype().is_float() {
        return lax::floor(&lax::div(a, b)?);
    }
    if a.dtype().is_unsigned_int() || a.dtype().is_bool() {
        return lax::div(a, b);
    }
    // truncating division, minus one where the signs differ and there is a
    // remainder (JAX's form, also for division by zero: XLA's q = -1, r = x)
    let q = lax::div(a, b)?;
    let r = lax::rem(a, b)?;
    let zero = super::zeros_like(a)?;
    let signs_differ = lax::ne(&lax::sign(a)?, &lax::sign(b)?)?;
    let fix = lax::and(&lax::ne(&r, &zero)?, &signs_differ)?;
    lax::select(&fix, &lax::sub(&q, &super::ones_like(&q)?)?, &q)
}

/// `jnp.remainder` / `jnp.mod`: the result has the sign of the divisor.
pub fn remainder(x: &Array, y: &Array) -> Result<Array> {
    let v = promote_args("remainder", &[x, y])?;
    let (a, b) = (&v[0], &v[1]);
    let r = lax::rem(a, b)?;
    if a.dtype().is_unsigned_int() {
        return Ok(r);
    }
    let zero = super::zeros_like(a)?;
    let signs_differ = lax::ne(&lax::lt(&r, &zero)?, &lax::lt(b, &zero)?)?;
    let fix = lax::and(&lax::ne(&r, &zero)?, &signs_differ)?;
    lax::select(&fix, &lax::add(&r, b)?, &r)
}
pub fn fmod(x: &Array, y: &Array) -> Result<Array> {
    let v = promote_args("fmod", &[x, y])?;
    lax::rem(&v[0], &v[1])
}

/// `jnp.power`: float powers, or integer powers by repeated squaring.
pub fn power(x: &Array, y: &Array) -> Result<Array> {
    let v = promote_args("power", &[x, y])?;
    if v[0].dtype().is_bool() {
        crate::bail!(Type, "power does not accept dtype bool");
    }
    // a concrete integer scalar exponent is an integer_pow (as in JAX: cheaper,
    // and its derivative has no log(x) term)
    if !y.is_tracer() && y.ndim() == 0 && y.dtype().is_int() {
        let n = y.item_i64()?;
        if let Ok(n) = i32::try_from(n) {
            if n < 0 && v[0].dtype().is_int() {
                crate::bail!(Type, "Integers cannot be raised to negative powers, got integer_pow({}, {n})", v[0].aval());
            }
            return lax::integer_pow(&v[0], n);
        }
    }
    lax::pow(&v[0], &v[1])
}

pub fn arctan2(x: &Array, y: &Array) -> Result<Array> {
    let v = promote_args_inexact("arctan2", &[x, y])?;
    lax::atan2(&v[0], &v[1])
}
/// `jnp.hypot`, computed as JAX does: max * sqrt(1 + (min/max)^2), which
/// neither overflows nor underflows where x^2 + y^2 would (and gives JAX's
/// bits and derivatives).
pub fn hypot(x: &Array, y: &Array) -> Result<Array> {
    let v = promote_args_inexact("hypot", &[x, y])?;
    if v[0].dtype().is_complex() {
        crate::bail!(Value, "jnp.hypot is not well defined for complex-valued inputs. Please convert to real values first, such as by using abs(x)");
    }
    let (a, b) = (lax::abs(&v[0])?, lax::abs(&v[1])?);
    let inf = |t: &Array| lax::eq(t, &Array::weak_scalar(t.dtype(), f64::INFINITY));
    let any_inf = logical_or(&inf(&a)?, &inf(&b)?)?;
    let (hi, lo) = (maximum(&a, &b)?, minimum(&a, &b)?);
    let zero = lax::eq(&hi, &Array::weak_scalar(hi.dtype(), 0.0))?;
    let one = Array::weak_scalar(hi.dtype(), 1.0);
    let safe = where_(&zero, &one, &hi)?;
    let r = lax::mul(&hi, &lax::sqrt(&lax::add(&one, &lax::square(&lax::div(&lo, &safe)?)?)?)?)?;
    where_(&any_inf, &Array::weak_scalar(hi.dtype(), f64::INFINITY), &where_(&zero, &hi, &r)?)
}
pub fn nextafter(x: &Array, y: &Array) -> Result<Array> {
    let v = promote_args_inexact("nextafter", &[x, y])?;
    lax::nextafter(&v[0], &v[1])
}
pub fn left_shift(x: &Array, y: &Array) -> Result<Array> {
    let v = promote_args("left_shift", &[x, y])?;
    lax::shift_left(&v[0], &v[1])
}
/// `jnp.right_shift`: arithmetic for signed ints, logical for unsigned.
pub fn right_shift(x: &Array, y: &Array) -> Result<Array> {
    let v = promote_args("right_shift", &[x, y])?;
    if v[0].dtype().is_unsigned_int() {
        lax::shift_right_logical(&v[0], &v[1])
    } else {
        lax::shift_right_arithmetic(&v[0], &v[1])
    }
}

/// `jnp.where(cond, x, y)`.
pub fn where_(cond: &Array, x: &Array, y: &Array) -> Result<Array> {
    let v = promote_args("where", &[x, y])?;
    // promote_args leaves rank-0 operands unbroadcast: take all three shapes
    let shape = super::broadcast_shapes("where", &[cond.shape(), v[0].shape(), v[1].shape()])?;
    let c = super::broadcast_to(&to_bool(cond)?, &shape)?;
    let (a, b) = (super::broadcast_to(&v[0], &shape)?, super::broadcast_to(&v[1], &shape)?);
    lax::select(&c, &a, &b)
}

/// `jnp.clip(x, min, max)`; either bound may be absent.
pub fn clip(x: &Array, min: Option<&Array>, max: Option<&Array>) -> Result<Array> {
    let mut r = x.clone();
    if let Some(lo) = min {
        r = maximum(&r, lo)?;
    }
    if let Some(hi) = max {
        r = minimum(&r, hi)?;
    }
    Ok(r)
}

/// `jax.nn.sigmoid` / `jax.scipy.special.expit`.
pub fn sigmoid(x: &Array) -> Result<Array> {
    let x = promote_args_inexact("sigmoid", &[x])?.pop().unwrap();
    lax::logistic(&x)
}
pub fn erf(x: &Array) -> Result<Array> {
    let x = promote_args_inexact("erf", &[x])?.pop().unwrap();
    lax::erf(&x)
}
pub fn erfc(x: &Array) -> Result<Array> {
    let x = promote_args_inexact("erfc", &[x])?.pop().unwrap();
    lax::erfc(&x)
}
pub fn erfinv(x: &Array) -> Result<Array> {
    let x = promote_args_inexact("erfinv", &[x])?.pop().unwrap();
    lax::erf_inv(&x)
}
pub fn lgamma(x: &Array) -> Result<Array> {
    let x = promote_args_inexact("gammaln", &[x])?.pop().unwrap();
    lax::lgamma(&x)
}
pub fn digamma(x: &Array) -> Result<Array> {
    let x = promote_args_inexact("digamma", &[x])?.pop().unwrap();
    lax::digamma(&x)
}
/// `jnp.deg2rad`
pub fn deg2rad(x: &Array) -> Result<Array> {
    multiply(&promote_args_inexact("deg2rad", &[x])?[0], &scalar(std::f64::consts::PI / 180.0))
}
pub fn rad2deg(x: &Array) -> Result<Array> {
    multiply(&promote_args_inexact("rad2deg", &[x])?[0], &scalar(180.0 / std::f64::consts::PI))
}
/// `jnp.logaddexp`: JAX's construction, max + log1p(exp(-|a - b|)), with
/// JAX's custom derivative t_a e^(a - out) + t_b e^(b - out) (infinities
/// read as 0), so values and derivatives round as JAX's.
pub fn logaddexp(x: &Array, y: &Array) -> Result<Array> {
    let v = promote_args_inexact("logaddexp", &[x, y])?;
    let v = super::broadcast_arrays(&[&v[0], &v[1]])?;
    if v[0].dtype().is_complex() {
        return logaddexp_complex(&v[0], &v[1]);
    }
    static F: std::sync::OnceLock<crate::Function> = std::sync::OnceLock::new();
    let f = F.get_or_init(|| {
        let value = crate::Function::new("logaddexp", |a| Ok(vec![logaddexp_value(&a[0], &a[1])?]));
        let jvp = crate::Function::new("logaddexp_jvp", |a| {
            let (x, y, tx, ty) = (&a[0], &a[1], &a[2], &a[3]);
            // the output through logaddexp itself, so higher derivatives use this rule too
            let out = logaddexp(x, y)?;
            let no_inf = |v: &Array| -> Result<Array> { lax::select(&isinf(v)?, &super::zeros_like(v)?, v) };
            let (xo, yo, oo) = (no_inf(x)?, no_inf(y)?, no_inf(&out)?);
            let t = lax::add(&lax::mul(tx, &lax::exp(&lax::sub(&xo, &oo)?)?)?, &lax::mul(ty, &lax::exp(&lax::sub(&yo, &oo)?)?)?)?;
            Ok(vec![out, t])
        });
        crate::control_flow::custom_jvp(&value, &jvp)
    });
    Ok(f.call(&v)?.pop().expect("one output"))
}

fn logaddexp_value(a: &Array, b: &Array) -> Result<Array> {
    let amax = lax::max(a, b)?;
    let delta = lax::sub(a, b)?;
    let r = lax::add(&amax, &lax::log1p(&lax::exp(&lax::neg(&lax::abs(&delta)?)?)?)?)?;
    // NaNs, or infinities of the same sign: a + b
    lax::select(&lax::ne(&delta, &delta)?, &lax::add(a, b)?, &r)
}

/// Complex logaddexp: m + log1p(s), m = max(a, b) held constant.
fn logaddexp_complex(a: &Array, b: &Array) -> Result<Array> {
    let m = lax::stop_gradient(&lax::max(a, b)?)?;
    let zero = super::full_like(&m, 0.0)?;
    let m0 = lax::select(&isfinite(&m)?, &m, &zero)?;
    let s = lax::add(&lax::expm1(&lax::sub(a, &m0)?)?, &lax::exp(&lax::sub(b, &m0)?)?)?;
    lax::add(&m0, &lax::log1p(&s)?)
}

/// `jnp.real`: the real part (real arrays are their own).
pub fn real(x: &Array) -> Result<Array> {
    if x.dtype().is_complex() {
        lax::real(x)
    } else {
        Ok(x.clone())
    }
}
/// `jnp.imag`: the imaginary part (zeros for real arrays).
pub fn imag(x: &Array) -> Result<Array> {
    if x.dtype().is_complex() {
        lax::imag(x)
    } else {
        super::zeros_like(x)
    }
}
/// `jnp.conj` / `jnp.conjugate` (real arrays are their own).
pub fn conj(x: &Array) -> Result<Array> {
    if x.dtype().is_complex() {
        lax::conj(x)
    } else {
        Ok(x.clone())
    }
}
/// `jnp.angle`: the argument of complex numbers (0 or pi for reals).
pub fn angle(x: &Array) -> Result<Array> {
    if x.dtype().is_complex() {
        return lax::atan2(&lax::imag(x)?, &lax::real(x)?);
    }
    let x = promote_args_inexact("angle", &[x])?.pop().unwrap();
    lax::atan2(&super::zeros_like(&x)?, &x)
}
