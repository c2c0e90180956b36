//! `jaxcore::lax`: one function per primitive with JAX's names, strict like
//! `jax.lax` (equal shapes, equal dtypes). The friendly numpy-style layer is
//! `jaxcore::numpy`.

use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::prim::*;
use crate::trace::{bind, bind1};

macro_rules! unary {
    ($($name:ident => $op:ident),* $(,)?) => {$(
        #[doc = concat!("`lax.", stringify!($name), "`")]
        pub fn $name(x: &Array) -> Result<Array> {
            bind1(Prim::Unary(UnaryOp::$op), &[x])
        }
    )*};
}
unary!(
    neg => Neg, sign => Sign, floor => Floor, ceil => Ceil, is_finite => IsFinite, exp => Exp, exp2 => Exp2,
    log => Log, log1p => Log1p, expm1 => Expm1, tanh => Tanh, logistic => Logistic, sin => Sin, cos => Cos,
    tan => Tan, asin => Asin, acos => Acos, atan => Atan, sinh => Sinh, cosh => Cosh, asinh => Asinh,
    acosh => Acosh, atanh => Atanh, sqrt => Sqrt, rsqrt => Rsqrt, cbrt => Cbrt, abs => Abs, not => Not,
    erf => Erf, erfc => Erfc, erf_inv => ErfInv, lgamma => Lgamma, digamma => Digamma, square => Square,
);

/// `lax.polygamma(m, x)` for a static order m >= 1 (m = 0 is `digamma`).
pub fn polygamma(m: u32, x: &Array) -> Result<Array> {
    if m == 0 {
        return digamma(x);
    }
    bind1(Prim::Unary(UnaryOp::Polygamma(m)), &[x])
}

/// `lax.round`: half away from zero, or half to even when `nearest_even`.
pub fn round(x: &Array, nearest_even: bool) -> Result<Array> {
    bind1(Prim::Unary(if nearest_even { UnaryOp::RoundEven } else { UnaryOp::Round }), &[x])
}

pub fn integer_pow(x: &Array, y: i32) -> Result<Array> {
    bind1(Prim::IntegerPow { y }, &[x])
}

macro_rules! binary {
    ($($name:ident => $op:ident),* $(,)?) => {$(
        #[doc = concat!("`lax.", stringify!($name), "`")]
        pub fn $name(x: &Array, y: &Array) -> Result<Array> {
            bind1(Prim::Binary(BinaryOp::$op), &[x, y])
        }
    )*};
}
binary!(
    add => Add, sub => Sub, mul => Mul, div => Div, rem => Rem, pow => Pow, max => Max, min => Min,
    atan2 => Atan2, and => And, or => Or, xor => Xor, shift_left => ShiftLeft,
    shift_right_logical => ShiftRightLogical, shift_right_arithmetic => ShiftRightArithmetic,
    nextafter => Nextafter,
);

macro_rules! compare {
    ($($name:ident => $op:ident),* $(,)?) => {$(
        #[doc = concat!("`lax.", stringify!($name), "`")]
        pub fn $name(x: &Array, y: &Array) -> Result<Array> {
            bind1(Prim::Compare(CmpOp::$op), &[x, y])
        }
    )*};
}
compare!(eq => Eq, ne => Ne, lt => Lt, le => Le, gt => Gt, ge => Ge);

/// `lax.select_n(which, *cases)`: picks `cases[which]` elementwise.
pub fn select_n(which: &Array, cases: &[&Array]) -> Result<Array> {
    let mut ins = vec![which];
    ins.extend_from_slice(cases);
    bind1(Prim::SelectN, &ins)
}

/// `lax.select(pred, on_true, on_false)`.
pub fn select(pred: &Array, on_true: &Array, on_false: &Array) -> Result<Array> {
    select_n(pred, &[on_false, on_true])
}

pub fn clamp(min: &Array, x: &Array, max: &Array) -> Result<Array> {
    bind1(Prim::Clamp, &[min, x, max])
}

pub fn convert_element_type(x: &Array, to: DType) -> Result<Array> {
    convert_weak(x, to, false)
}

/// Converts to `to` with the given weak-type flag (the numpy layer keeps
/// host scalars weak). A concrete scalar converts on the host at once, as
/// JAX does with Python scalars, so graphs show `2.0:bf16[]`, not a convert.
pub fn convert_weak(x: &Array, to: DType, weak: bool) -> Result<Array> {
    if x.dtype() == to && x.weak_type() == weak {
        return Ok(x.clone());
    }
    if x.ndim() == 0 && !x.is_tracer() {
        let h = x.host()?.cast(to);
        return Ok(Array::from_host(h).with_weak_type(weak));
    }
    bind1(Prim::ConvertElementType { to, weak_type: weak }, &[x])
}

pub fn bitcast_convert_type(x: &Array, to: DType) -> Result<Array> {
    bind1(Prim::BitcastConvertType { to }, &[x])
}

pub fn stop_gradient(x: &Array) -> Result<Array> {
    bind1(Prim::StopGradient, &[x])
}

pub fn broadcast_in_dim(x: &Array, shape: &[usize], dims: &[usize]) -> Result<Array> {
    if x.shape() == shape && dims.iter().copied().eq(0..shape.len()) {
        return Ok(x.clone());
    }
    bind1(Prim::BroadcastInDim { shape: shape.to_vec(), dims: dims.to_vec() }, &[x])
}

/// `lax.broadcast(x, sizes)`: adds leading dimensions.
pub fn broadcast(x: &Array, sizes: &[usize]) -> Result<Array> {
    let mut shape = sizes.to_vec();
    shape.extend_from_slice(x.shape());
    let dims: Vec<usize> = (sizes.len()..shape.len()).collect();
    broadcast_in_dim(x, &shape, &dims)
}

pub fn reshape(x: &Array, shape: &[usize]) -> Result<Array> {
    if x.shape() == shape {
        return Ok(x.clone());
    }
    bind1(Prim::Reshape { shape: shape.to_vec() }, &[x])
}

pub fn transpose(x: &Array, perm: &[usize]) -> Result<Array> {
    if perm.iter().copied().eq(0..x.ndim()) {
        return Ok(x.clone());
    }
    bind1(Prim::Transpose { perm: perm.to_vec() }, &[x])
}

pub fn squeeze(x: &Array, dims: &[usize]) -> Result<Array> {
    if dims.is_empty() {
        return Ok(x.clone());
    }
    bind1(Prim::Squeeze { dims: dims.to_vec() }, &[x])
}

/// `lax.expand_dims`: inserts size-1 dimensions at `dims` (of the result).
pub fn expand_dims(x: &Array, dims: &[usize]) -> Result<Array> {
    let nd = x.ndim() + dims.len();
    let mut shape = Vec::with_capacity(nd);
    let mut it = x.shape().iter();
    for d in 0..nd {
        if dims.contains(&d) {
            shape.push(1);
        } else {
            match it.next() {
                Some(&s) => shape.push(s),
                None => crate::bail!(Value, "expand_dims: dimensions {:?} out of range for rank {}", dims, x.ndim()),
            }
        }
    }
    reshape(x, &shape)
}

pub fn rev(x: &Array, dims: &[usize]) -> Result<Array> {
    if dims.is_empty() {
        return Ok(x.clone());
    }
    bind1(Prim::Rev { dims: dims.to_vec() }, &[x])
}

pub fn slice(x: &Array, start: &[usize], limit: &[usize], strides: Option<&[usize]>) -> Result<Array> {
    let strides = strides.map(|s| s.to_vec()).unwrap_or_else(|| vec![1; x.ndim()]);
    if start.iter().all(|&s| s == 0) && limit == x.shape() && strides.iter().all(|&s| s == 1) {
        return Ok(x.clone());
    }
    bind1(Prim::Slice { start: start.to_vec(), limit: limit.to_vec(), strides }, &[x])
}

/// `lax.index_in_dim(x, index, axis, keepdims)`: one index along `axis`.
pub fn index_in_dim(x: &Array, index: usize, axis: usize, keepdims: bool) -> Result<Array> {
    let s = slice_in_dim(x, index, index + 1, 1, axis)?;
    if keepdims {
        Ok(s)
    } else {
        squeeze(&s, &[axis])
    }
}

/// `lax.slice_in_dim`.
pub fn slice_in_dim(x: &Array, start: usize, limit: usize, stride: usize, axis: usize) -> Result<Array> {
    crate::prim::check_axis("slice_in_dim", axis, x.ndim())?;
    let mut s = vec![0; x.ndim()];
    let mut l = x.shape().to_vec();
    let mut st = vec![1; x.ndim()];
    s[axis] = start;
    l[axis] = limit;
    st[axis] = stride;
    slice(x, &s, &l, Some(&st))
}

pub fn dynamic_slice(x: &Array, starts: &[&Array], sizes: &[usize]) -> Result<Array> {
    let mut ins = vec![x];
    ins.extend_from_slice(starts);
    bind1(Prim::DynamicSlice { sizes: sizes.to_vec() }, &ins)
}

pub fn dynamic_update_slice(x: &Array, update: &Array, starts: &[&Array]) -> Result<Array> {
    let mut ins = vec![x, update];
    ins.extend_from_slice(starts);
    bind1(Prim::DynamicUpdateSlice, &ins)
}

pub fn concatenate(xs: &[&Array], dim: usize) -> Result<Array> {
    if xs.len() == 1 {
        crate::prim::check_axis("concatenate", dim, xs[0].ndim())?;
        return Ok(xs[0].clone());
    }
    bind1(Prim::Concatenate { dim }, xs)
}

/// `lax.pad(x, padding_value, [(lo, hi, interior), ...])`.
pub fn pad(x: &Array, value: &Array, config: &[(i64, i64, i64)]) -> Result<Array> {
    bind1(Prim::Pad { config: config.to_vec() }, &[x, value])
}

/// `lax.broadcasted_iota(dtype, shape, dimension)`.
pub fn iota(dtype: DType, shape: &[usize], dim: usize) -> Result<Array> {
    bind1(Prim::Iota { dtype, shape: shape.to_vec(), dim }, &[])
}

pub fn gather(x: &Array, indices: &Array, dims: GatherDims, slice_sizes: &[usize], mode: IndexMode, fill: Option<f64>) -> Result<Array> {
    bind1(Prim::Gather { dims, slice_sizes: slice_sizes.to_vec(), mode, fill: fill.map(F64Bits) }, &[x, indices])
}

pub fn scatter(x: &Array, indices: &Array, updates: &Array, dims: ScatterDims, op: ScatterOp, mode: IndexMode) -> Result<Array> {
    bind1(Prim::Scatter { dims, op, mode }, &[x, indices, updates])
}

/// `lax.scatter_add`.
pub fn scatter_add(x: &Array, indices: &Array, updates: &Array, dims: ScatterDims, mode: IndexMode) -> Result<Array> {
    scatter(x, indices, updates, dims, ScatterOp::Add, mode)
}

pub fn reduce(x: &Array, op: ReduceOp, axes: &[usize]) -> Result<Array> {
    if axes.is_empty() {
        return Ok(x.clone());
    }
    bind1(Prim::Reduce { op, axes: axes.to_vec() }, &[x])
}

pub fn reduce_sum(x: &Array, axes: &[usize]) -> Result<Array> {
    reduce(x, ReduceOp::Sum, axes)
}
pub fn reduce_max(x: &Array, axes: &[usize]) -> Result<Array> {
    reduce(x, ReduceOp::Max, axes)
}
pub fn reduce_min(x: &Array, axes: &[usize]) -> Result<Array> {
    reduce(x, ReduceOp::Min, axes)
}
pub fn reduce_prod(x: &Array, axes: &[usize]) -> Result<Array> {
    reduce(x, ReduceOp::Prod, axes)
}
pub fn reduce_and(x: &Array, axes: &[usize]) -> Result<Array> {
    reduce(x, ReduceOp::And, axes)
}
pub fn reduce_or(x: &Array, axes: &[usize]) -> Result<Array> {
    reduce(x, ReduceOp::Or, axes)
}

pub fn argmax(x: &Array, axis: usize, index_dtype: DType) -> Result<Array> {
    bind1(Prim::ArgReduce { op: ArgOp::ArgMax, axis, index_dtype }, &[x])
}
pub fn argmin(x: &Array, axis: usize, index_dtype: DType) -> Result<Array> {
    bind1(Prim::ArgReduce { op: ArgOp::ArgMin, axis, index_dtype }, &[x])
}

pub fn cumulative(x: &Array, op: CumOp, axis: usize, reverse: bool) -> Result<Array> {
    bind1(Prim::Cumulative { op, axis, reverse }, &[x])
}
pub fn cumsum(x: &Array, axis: usize, reverse: bool) -> Result<Array> {
    cumulative(x, CumOp::Sum, axis, reverse)
}
pub fn cumprod(x: &Array, axis: usize, reverse: bool) -> Result<Array> {
    cumulative(x, CumOp::Prod, axis, reverse)
}
pub fn cummax(x: &Array, axis: usize, reverse: bool) -> Result<Array> {
    cumulative(x, CumOp::Max, axis, reverse)
}
pub fn cummin(x: &Array, axis: usize, reverse: bool) -> Result<Array> {
    cumulative(x, CumOp::Min, axis, reverse)
}

pub fn dot_general(x: &Array, y: &Array, dims: DotDims, preferred: Option<DType>) -> Result<Array> {
    bind1(Prim::DotGeneral { dims, preferred }, &[x, y])
}

/// `lax.conv_general_dilated` with its parameters resolved (padding as
/// (low, high) pairs, dimension numbers as permutations).
pub fn conv_general_dilated(lhs: &Array, rhs: &Array, params: ConvParams) -> Result<Array> {
    bind1(Prim::Conv(Box::new(params)), &[lhs, rhs])
}

/// `lax.sort` of several operands along `dim`, keyed by the first `num_keys`.
pub fn sort(xs: &[&Array], dim: usize, num_keys: usize, stable: bool) -> Result<Vec<Array>> {
    bind(Prim::Sort { dim, num_keys, stable }, xs)
}

/// `lax.threefry2x32_p`: the raw cipher on uint32 key halves and counters.
pub fn threefry2x32(k0: &Array, k1: &Array, x0: &Array, x1: &Array) -> Result<(Array, Array)> {
    let mut o = bind(Prim::Threefry2x32, &[k0, k1, x0, x1])?;
    let b = o.pop().unwrap();
    let a = o.pop().unwrap();
    Ok((a, b))
}

pub use crate::control_flow::{cond, fori_loop, scan, switch, while_loop};
pub use crate::sharding::manual::{all_gather, all_to_all, axis_index, pmax, pmean, pmin, ppermute, psum, psum_scatter};

/// `lax.real`: the real part of a complex array.
pub fn real(x: &Array) -> Result<Array> {
    bind1(Prim::Complex(ComplexOp::Real), &[x])
}
/// `lax.imag`: the imaginary part of a complex array.
pub fn imag(x: &Array) -> Result<Array> {
    bind1(Prim::Complex(ComplexOp::Imag), &[x])
}
/// `lax.conj` of a complex array.
pub fn conj(x: &Array) -> Result<Array> {
    bind1(Prim::Complex(ComplexOp::Conj), &[x])
}
/// `lax.complex(re, im)`: float32 parts give complex64, float64 complex128.
pub fn complex(re: &Array, im: &Array) -> Result<Array> {
    bind1(Prim::Complex(ComplexOp::Make), &[re, im])
}
/// `lax.fft(x, fft_type, fft_lengths)` over the trailing dimensions.
pub fn fft(x: &Array, kind: FftKind, lengths: &[usize]) -> Result<Array> {
    bind1(Prim::Fft { kind, lengths: lengths.to_vec() }, &[x])
}
