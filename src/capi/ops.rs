//! Every numpy-layer function and lax primitive through one entry point,
//! `jc_op(name, args, params, outs)`, dispatched by name on one table, so a
//! binding declares one function and reaches them all. Names are numpy's
//! (`add`, `sum`, `reshape`, `getitem`, ...), `lax.*` for primitives and
//! `random.*` for the PRNG. Parameters: `ints` (axes, shapes, sizes),
//! `floats` (scalar values), `dtype` (-1 = default), `flags` (JC_FLAG_*),
//! `str` (einsum subscripts). Each entry documents its convention.

use super::array::{arr, arrs, dtype, jc_array, put_arr};
use super::{cstr, guard, invalid, jc_status, put, slice};
use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::numpy::{self as jnp, Index};
use crate::prim::ScatterOp;
use crate::{lax, random};
use std::collections::HashMap;
use std::ffi::c_char;
use std::sync::OnceLock;

/// Parameters of `jc_op` (zero-initialize, set `struct_size`).
#[repr(C)]
pub struct jc_params {
    pub struct_size: usize,
    pub ints: *const i64,
    pub n_ints: usize,
    pub floats: *const f64,
    pub n_floats: usize,
    /// A `jc_dtype`, or -1 for the default.
    pub dtype: i32,
    /// JC_FLAG_* bits.
    pub flags: u32,
    /// A string parameter (einsum subscripts), or null.
    pub str_: *const c_char,
}

/// `ints` hold axes (without it: axis=None).
pub const JC_FLAG_AXIS: u32 = 1;
/// keepdims=True.
pub const JC_FLAG_KEEPDIMS: u32 = 2;
/// A `where` mask follows the operand in `args`.
pub const JC_FLAG_WHERE: u32 = 4;
/// descending / endpoint / sections, depending on the op.
pub const JC_FLAG_ALT: u32 = 8;
/// clip: a lower bound is present in `args`.
pub const JC_FLAG_MIN: u32 = 16;
/// clip: an upper bound is present in `args`.
pub const JC_FLAG_MAX: u32 = 32;

/// Index entry kinds for `getitem` / `at_*` (four ints per entry: kind, a, b, c).
pub const JC_INDEX_INT: i64 = 0;
pub const JC_INDEX_SLICE: i64 = 1;
pub const JC_INDEX_NEWAXIS: i64 = 2;
pub const JC_INDEX_ELLIPSIS: i64 = 3;
pub const JC_INDEX_ARRAY: i64 = 4;
/// A missing slice bound (Python's None).
pub const JC_NONE: i64 = i64::MIN;

pub(crate) struct P<'a> {
    pub ints: &'a [i64],
    pub floats: &'a [f64],
    pub dtype: Option<DType>,
    pub flags: u32,
    pub s: Option<&'a str>,
}

impl P<'_> {
    fn flag(&self, f: u32) -> bool {
        self.flags & f != 0
    }
    fn axes(&self) -> Option<Vec<isize>> {
        if self.flag(JC_FLAG_AXIS) {
            Some(self.ints.iter().map(|&v| v as isize).collect())
        } else {
            None
        }
    }
    fn axis(&self) -> Option<isize> {
        if self.flag(JC_FLAG_AXIS) {
            self.ints.first().map(|&v| v as isize)
        } else {
            None
        }
    }
    fn int(&self, i: usize, what: &str) -> Result<i64> {
        self.ints.get(i).copied().ok_or_else(|| crate::err!(Value, "{what}: missing integer parameter {i}"))
    }
    fn float(&self, i: usize, what: &str) -> Result<f64> {
        self.floats.get(i).copied().ok_or_else(|| crate::err!(Value, "{what}: missing float parameter {i}"))
    }
    /// The integer parameters as sizes (a shape, axes, a permutation).
    fn shape(&self) -> Result<Vec<usize>> {
        us_checked(self.ints)
    }
    /// Integer parameter `i` as a size: JAX's error for a negative one.
    fn size(&self, i: usize, what: &str) -> Result<usize> {
        let v = self.int(i, what)?;
        usize::try_from(v).map_err(|_| crate::err!(Value, "{what}: negative dimensions are not allowed, got {v}"))
    }
    fn keep(&self) -> bool {
        self.flag(JC_FLAG_KEEPDIMS)
    }
}

type OpFn = fn(&[Array], &P) -> Result<Vec<Array>>;

/// Mesh axis names of a collective, from `str_` ("a" or "a,b").
fn axis_names<'a>(p: &P<'a>) -> Result<Vec<&'a str>> {
    let s = p.s.ok_or_else(|| crate::err!(Value, "a collective needs its axis names in str_ (\"a\" or \"a,b\")"))?;
    Ok(s.split(',').map(|a| a.trim()).filter(|a| !a.is_empty()).collect())
}

/// Length-prefixed lists packed in `ints`: `[n1, a.., n2, b.., ...]`.
fn lists(ints: &[i64], want: usize, what: &str) -> Result<Vec<Vec<i64>>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < ints.len() {
        let n = ints[i].max(0) as usize;
        let end = i + 1 + n;
        if end > ints.len() {
            crate::bail!(Value, "{what}: the parameter lists are truncated");
        }
        out.push(ints[i + 1..end].to_vec());
        i = end;
    }
    if out.len() < want {
        crate::bail!(Value, "{what}: expected {want} length-prefixed lists in ints, got {}", out.len());
    }
    Ok(out)
}

fn us_checked(v: &[i64]) -> Result<Vec<usize>> {
    v.iter()
        .map(|&d| usize::try_from(d).map_err(|_| crate::err!(Value, "negative dimensions are not allowed, got {v:?}")))
        .collect()
}

fn us(v: &[i64]) -> Vec<usize> {
    v.iter().map(|&x| x.max(0) as usize).collect()
}

fn one(a: Result<Array>) -> Result<Vec<Array>> {
    a.map(|a| vec![a])
}

fn need(args: &[Array], n: usize, name: &str) -> Result<()> {
    if args.len() < n {
        crate::bail!(Type, "{name} takes {n} array argument(s), got {}", args.len());
    }
    Ok(())
}

/// Decodes index entries (4 ints each) with array entries taken from `arrays`.
pub(crate) fn indices(ints: &[i64], arrays: &[Array]) -> Result<Vec<Index>> {
    if ints.len() % 4 != 0 {
        crate::bail!(Value, "index spec must have 4 ints per entry, got {}", ints.len());
    }
    let mut it = arrays.iter();
    let opt = |v: i64| if v == JC_NONE { None } else { Some(v) };
    ints.chunks(4)
        .map(|c| match c[0] {
            JC_INDEX_INT => Ok(Index::Int(c[1])),
            JC_INDEX_SLICE => Ok(Index::Slice(opt(c[1]), opt(c[2]), opt(c[3]))),
            JC_INDEX_NEWAXIS => Ok(Index::NewAxis),
            JC_INDEX_ELLIPSIS => Ok(Index::Ellipsis),
            JC_INDEX_ARRAY => it.next().cloned().map(Index::Array).ok_or_else(|| crate::err!(Value, "index spec names more arrays than were passed")),
            k => Err(crate::err!(Value, "unknown index entry kind {k}")),
        })
        .collect()
}

macro_rules! unary_ops {
    ($t:ident; $($name:literal => $f:path),* $(,)?) => {
        $( $t.insert($name, (|a: &[Array], _p: &P| { need(a, 1, $name)?; one($f(&a[0])) }) as OpFn); )*
    };
}
macro_rules! binary_ops {
    ($t:ident; $($name:literal => $f:path),* $(,)?) => {
        $( $t.insert($name, (|a: &[Array], _p: &P| { need(a, 2, $name)?; one($f(&a[0], &a[1])) }) as OpFn); )*
    };
}
macro_rules! reduce_ops {
    ($t:ident; $($name:literal => $f:path),* $(,)?) => {
        $( $t.insert($name, (|a: &[Array], p: &P| {
            need(a, 1, $name)?;
            let axes = p.axes();
            let mask = if p.flag(JC_FLAG_WHERE) { need(a, 2, $name)?; Some(&a[1]) } else { None };
            one($f(&a[0], axes.as_deref(), p.keep(), mask))
        }) as OpFn); )*
    };
}

fn table() -> &'static HashMap<&'static str, OpFn> {
    static T: OnceLock<HashMap<&'static str, OpFn>> = OnceLock::new();
    T.get_or_init(|| {
        let mut t: HashMap<&'static str, OpFn> = HashMap::new();
        unary_ops!(t;
            "exp" => jnp::exp, "exp2" => jnp::exp2, "log" => jnp::log, "log2" => jnp::log2, "log10" => jnp::log10,
            "log1p" => jnp::log1p, "expm1" => jnp::expm1, "tanh" => jnp::tanh, "sin" => jnp::sin, "cos" => jnp::cos,
            "tan" => jnp::tan, "arcsin" => jnp::arcsin, "arccos" => jnp::arccos, "arctan" => jnp::arctan,
            "sinh" => jnp::sinh, "cosh" => jnp::cosh, "arcsinh" => jnp::arcsinh, "arccosh" => jnp::arccosh,
            "arctanh" => jnp::arctanh, "sqrt" => jnp::sqrt, "cbrt" => jnp::cbrt, "rsqrt" => jnp::rsqrt,
            "negative" => jnp::negative, "positive" => jnp::positive, "abs" => jnp::abs, "sign" => jnp::sign,
            "square" => jnp::square, "reciprocal" => jnp::reciprocal, "floor" => jnp::floor, "ceil" => jnp::ceil,
            "trunc" => jnp::trunc, "isfinite" => jnp::isfinite, "isnan" => jnp::isnan, "isinf" => jnp::isinf,
            "logical_not" => jnp::logical_not, "bitwise_not" => jnp::bitwise_not, "invert" => jnp::invert,
            "sigmoid" => jnp::sigmoid, "erf" => jnp::erf, "erfc" => jnp::erfc, "erfinv" => jnp::erfinv,
            "gammaln" => jnp::lgamma, "digamma" => jnp::digamma, "deg2rad" => jnp::deg2rad, "rad2deg" => jnp::rad2deg,
            "ravel" => jnp::ravel, "atleast_1d" => jnp::atleast_1d, "atleast_2d" => jnp::atleast_2d,
            "zeros_like" => jnp::zeros_like, "ones_like" => jnp::ones_like,
            "real" => jnp::real, "imag" => jnp::imag, "conj" => jnp::conj, "angle" => jnp::angle,
            "lax.real" => lax::real, "lax.imag" => lax::imag, "lax.conj" => lax::conj,
            "lax.neg" => lax::neg, "lax.sign" => lax::sign, "lax.floor" => lax::floor, "lax.ceil" => lax::ceil,
            "lax.is_finite" => lax::is_finite, "lax.exp" => lax::exp, "lax.exp2" => lax::exp2, "lax.log" => lax::log,
            "lax.log1p" => lax::log1p, "lax.expm1" => lax::expm1, "lax.tanh" => lax::tanh, "lax.logistic" => lax::logistic,
            "lax.sin" => lax::sin, "lax.cos" => lax::cos, "lax.tan" => lax::tan, "lax.asin" => lax::asin,
            "lax.acos" => lax::acos, "lax.atan" => lax::atan, "lax.sinh" => lax::sinh, "lax.cosh" => lax::cosh,
            "lax.asinh" => lax::asinh, "lax.acosh" => lax::acosh, "lax.atanh" => lax::atanh, "lax.sqrt" => lax::sqrt,
            "lax.rsqrt" => lax::rsqrt, "lax.cbrt" => lax::cbrt, "lax.abs" => lax::abs, "lax.not" => lax::not,
            "lax.erf" => lax::erf, "lax.erfc" => lax::erfc, "lax.erf_inv" => lax::erf_inv, "lax.lgamma" => lax::lgamma,
            "lax.digamma" => lax::digamma, "lax.square" => lax::square, "lax.stop_gradient" => lax::stop_gradient,
            "stop_gradient" => lax::stop_gradient,
        );
        binary_ops!(t;
            "add" => jnp::add, "subtract" => jnp::subtract, "multiply" => jnp::multiply, "divide" => jnp::divide,
            "true_divide" => jnp::true_divide, "floor_divide" => jnp::floor_divide, "remainder" => jnp::remainder,
            "mod" => jnp::remainder, "fmod" => jnp::fmod, "power" => jnp::power, "maximum" => jnp::maximum,
            "minimum" => jnp::minimum, "arctan2" => jnp::arctan2, "hypot" => jnp::hypot, "logaddexp" => jnp::logaddexp,
            "nextafter" => jnp::nextafter, "equal" => jnp::equal, "not_equal" => jnp::not_equal, "less" => jnp::less,
            "less_equal" => jnp::less_equal, "greater" => jnp::greater, "greater_equal" => jnp::greater_equal,
            "logical_and" => jnp::logical_and, "logical_or" => jnp::logical_or, "logical_xor" => jnp::logical_xor,
            "bitwise_and" => jnp::bitwise_and, "bitwise_or" => jnp::bitwise_or, "bitwise_xor" => jnp::bitwise_xor,
            "left_shift" => jnp::left_shift, "right_shift" => jnp::right_shift, "matmul" => jnp::matmul,
            "dot" => jnp::dot, "vdot" => jnp::vdot, "outer" => jnp::outer, "inner" => jnp::inner,
            "lax.add" => lax::add, "lax.sub" => lax::sub, "lax.mul" => lax::mul, "lax.div" => lax::div,
            "lax.rem" => lax::rem, "lax.pow" => lax::pow, "lax.max" => lax::max, "lax.min" => lax::min,
            "lax.atan2" => lax::atan2, "lax.and" => lax::and, "lax.or" => lax::or, "lax.xor" => lax::xor,
            "lax.shift_left" => lax::shift_left, "lax.shift_right_logical" => lax::shift_right_logical,
            "lax.shift_right_arithmetic" => lax::shift_right_arithmetic, "lax.nextafter" => lax::nextafter,
            "lax.eq" => lax::eq, "lax.ne" => lax::ne, "lax.lt" => lax::lt, "lax.le" => lax::le, "lax.gt" => lax::gt,
            "lax.ge" => lax::ge,
        );
        reduce_ops!(t;
            "sum" => jnp::sum_where, "prod" => jnp::prod_where, "max" => jnp::max_where, "min" => jnp::min_where,
            "mean" => jnp::mean_where, "all" => jnp::all_where, "any" => jnp::any_where,
        );
        // var/std: floats[0] = ddof (default 0)
        t.insert("var", |a, p| { need(a, 1, "var")?; one(jnp::var(&a[0], p.axes().as_deref(), p.floats.first().copied().unwrap_or(0.0) as usize, p.keep())) });
        t.insert("std", |a, p| { need(a, 1, "std")?; one(jnp::std(&a[0], p.axes().as_deref(), p.floats.first().copied().unwrap_or(0.0) as usize, p.keep())) });
        t.insert("logsumexp", |a, p| { need(a, 1, "logsumexp")?; one(jnp::logsumexp(&a[0], p.axes().as_deref(), p.keep())) });
        t.insert("argmax", |a, p| { need(a, 1, "argmax")?; one(jnp::argmax(&a[0], p.axis(), p.keep())) });
        t.insert("argmin", |a, p| { need(a, 1, "argmin")?; one(jnp::argmin(&a[0], p.axis(), p.keep())) });
        t.insert("cumsum", |a, p| { need(a, 1, "cumsum")?; one(jnp::cumsum(&a[0], p.axis())) });
        t.insert("cumprod", |a, p| { need(a, 1, "cumprod")?; one(jnp::cumprod(&a[0], p.axis())) });
        t.insert("cummax", |a, p| { need(a, 1, "cummax")?; one(jnp::cummax(&a[0], p.axis())) });
        t.insert("cummin", |a, p| { need(a, 1, "cummin")?; one(jnp::cummin(&a[0], p.axis())) });
        // shape manipulation (ints: the shape / axes)
        t.insert("reshape", |a, p| { need(a, 1, "reshape")?; one(jnp::reshape(&a[0], &p.ints.iter().map(|&v| v as isize).collect::<Vec<_>>())) });
        t.insert("transpose", |a, p| { need(a, 1, "transpose")?; one(jnp::transpose(&a[0], p.axes().as_deref())) });
        t.insert("swapaxes", |a, p| { need(a, 1, "swapaxes")?; one(jnp::swapaxes(&a[0], p.int(0, "swapaxes")? as isize, p.int(1, "swapaxes")? as isize)) });
        t.insert("moveaxis", |a, p| { need(a, 1, "moveaxis")?; one(jnp::moveaxis(&a[0], p.int(0, "moveaxis")? as isize, p.int(1, "moveaxis")? as isize)) });
        t.insert("expand_dims", |a, p| { need(a, 1, "expand_dims")?; one(jnp::expand_dims(&a[0], &p.ints.iter().map(|&v| v as isize).collect::<Vec<_>>())) });
        t.insert("squeeze", |a, p| { need(a, 1, "squeeze")?; one(jnp::squeeze(&a[0], p.axes().as_deref())) });
        t.insert("broadcast_to", |a, p| { need(a, 1, "broadcast_to")?; one(jnp::broadcast_to(&a[0], &p.shape()?)) });
        t.insert("concatenate", |a, p| one(jnp::concatenate(&a.iter().collect::<Vec<_>>(), p.axis())));
        t.insert("stack", |a, p| one(jnp::stack(&a.iter().collect::<Vec<_>>(), p.ints.first().copied().unwrap_or(0) as isize)));
        t.insert("vstack", |a, _p| one(jnp::vstack(&a.iter().collect::<Vec<_>>())));
        t.insert("hstack", |a, _p| one(jnp::hstack(&a.iter().collect::<Vec<_>>())));
        // split: ints = [axis, sections] with JC_FLAG_ALT, or [axis, indices...]
        t.insert("split", |a, p| {
            need(a, 1, "split")?;
            let axis = p.int(0, "split")? as isize;
            let rest: Vec<isize> = p.ints[1..].iter().map(|&v| v as isize).collect();
            if p.flag(JC_FLAG_ALT) {
                jnp::split(&a[0], jnp::SplitSpec::Sections(if p.ints.len() > 1 { p.size(1, "split sections")? } else { 1 }), axis)
            } else {
                jnp::split(&a[0], jnp::SplitSpec::Indices(&rest), axis)
            }
        });
        t.insert("tile", |a, p| { need(a, 1, "tile")?; one(jnp::tile(&a[0], &p.shape()?)) });
        // repeat: ints = [repeats, axis?] (axis with JC_FLAG_AXIS)
        t.insert("repeat", |a, p| {
            need(a, 1, "repeat")?;
            let axis = if p.flag(JC_FLAG_AXIS) { Some(p.int(1, "repeat")? as isize) } else { None };
            one(jnp::repeat(&a[0], p.size(0, "repeat")?, axis))
        });
        t.insert("flip", |a, p| { need(a, 1, "flip")?; one(jnp::flip(&a[0], p.axes().as_deref())) });
        // roll: ints = [shift, axis?]
        t.insert("roll", |a, p| {
            need(a, 1, "roll")?;
            let axis = if p.flag(JC_FLAG_AXIS) { Some(p.int(1, "roll")? as isize) } else { None };
            one(jnp::roll(&a[0], p.int(0, "roll")? as isize, axis))
        });
        t.insert("sort", |a, p| { need(a, 1, "sort")?; one(jnp::sort(&a[0], p.axis())) });
        t.insert("argsort", |a, p| { need(a, 1, "argsort")?; one(jnp::argsort(&a[0], p.axis(), p.flag(JC_FLAG_ALT))) });
        // pad: ints = (before, after) pairs, floats[0] = constant value
        t.insert("pad", |a, p| {
            need(a, 1, "pad")?;
            let pw: Vec<(usize, usize)> = p.ints.chunks(2).map(|c| (c[0].max(0) as usize, c.get(1).copied().unwrap_or(0).max(0) as usize)).collect();
            one(jnp::pad(&a[0], &pw, p.floats.first().copied().unwrap_or(0.0)))
        });
        t.insert("tril", |a, p| { need(a, 1, "tril")?; one(jnp::tril(&a[0], p.ints.first().copied().unwrap_or(0))) });
        t.insert("triu", |a, p| { need(a, 1, "triu")?; one(jnp::triu(&a[0], p.ints.first().copied().unwrap_or(0))) });
        t.insert("one_hot", |a, p| { need(a, 1, "one_hot")?; one(jnp::one_hot(&a[0], p.size(0, "one_hot")?, p.dtype)) });
        t.insert("astype", |a, p| {
            need(a, 1, "astype")?;
            one(jnp::astype(&a[0], p.dtype.ok_or_else(|| crate::err!(Value, "astype needs a dtype"))?))
        });
        t.insert("where", |a, _p| { need(a, 3, "where")?; one(jnp::where_(&a[0], &a[1], &a[2])) });
        t.insert("clip", |a, p| {
            need(a, 1, "clip")?;
            let mut it = a[1..].iter();
            let lo = if p.flag(JC_FLAG_MIN) { it.next() } else { None };
            let hi = if p.flag(JC_FLAG_MAX) { it.next() } else { None };
            one(jnp::clip(&a[0], lo, hi))
        });
        t.insert("einsum", |a, p| one(jnp::einsum(p.s.ok_or_else(|| crate::err!(Value, "einsum needs subscripts in str_"))?, &a.iter().collect::<Vec<_>>())));
        t.insert("tensordot", |a, p| { need(a, 2, "tensordot")?; one(jnp::tensordot_n(&a[0], &a[1], p.ints.first().copied().unwrap_or(2) as usize)) });
        // norm: floats[0] = ord (absent: default), JC_FLAG_AXIS: ints are axes
        t.insert("linalg.solve", |a, _p| { need(a, 2, "linalg.solve")?; one(jnp::decomp::solve(&a[0], &a[1])) });
        t.insert("linalg.inv", |a, _p| { need(a, 1, "linalg.inv")?; one(jnp::decomp::inv(&a[0])) });
        t.insert("linalg.det", |a, _p| { need(a, 1, "linalg.det")?; one(jnp::decomp::det(&a[0])) });
        t.insert("linalg.slogdet", |a, _p| { need(a, 1, "linalg.slogdet")?; let (s, l) = jnp::decomp::slogdet(&a[0])?; Ok(vec![s, l]) });
        t.insert("linalg.cholesky", |a, _p| { need(a, 1, "linalg.cholesky")?; one(jnp::decomp::cholesky(&a[0])) });
        t.insert("linalg.lu", |a, _p| { need(a, 1, "linalg.lu")?; let (lu, perm, sign) = jnp::decomp::lu(&a[0])?; Ok(vec![lu, perm, sign]) });
        t.insert("linalg.norm", |a, p| {
            need(a, 1, "norm")?;
            let ord = match p.floats.first() { None => jnp::NormOrd::Default, Some(&o) => jnp::NormOrd::P(o) };
            one(jnp::norm(&a[0], ord, p.axes().as_deref(), p.keep()))
        });
        // creation: ints = shape, floats[0] = fill value
        t.insert("zeros", |_a, p| one(jnp::zeros(&p.shape()?, p.dtype.unwrap_or(jnp::default_float()))));
        t.insert("ones", |_a, p| one(jnp::ones(&p.shape()?, p.dtype.unwrap_or(jnp::default_float()))));
        t.insert("full", |_a, p| one(jnp::full(&p.shape()?, p.float(0, "full")?, p.dtype.unwrap_or(jnp::default_float()))));
        t.insert("full_like", |a, p| { need(a, 1, "full_like")?; one(jnp::full_like(&a[0], p.float(0, "full_like")?)) });
        t.insert("arange", |_a, p| one(jnp::arange(p.float(0, "arange")?, p.float(1, "arange")?, p.floats.get(2).copied().unwrap_or(1.0), p.dtype)));
        t.insert("linspace", |_a, p| one(jnp::linspace(p.float(0, "linspace")?, p.float(1, "linspace")?, p.size(0, "linspace")?, !p.flag(JC_FLAG_ALT), p.dtype)));
        t.insert("eye", |_a, p| {
            let m = p.ints.get(1).copied().filter(|&m| m >= 0).map(|m| m as usize);
            one(jnp::eye(p.size(0, "eye")?, m, p.ints.get(2).copied().unwrap_or(0), p.dtype))
        });
        // indexing: args = [x, index arrays...]; ints = 4 per entry (JC_INDEX_*)
        t.insert("getitem", |a, p| { need(a, 1, "getitem")?; one(jnp::getitem(&a[0], &indices(p.ints, &a[1..])?)) });
        t.insert("take", |a, p| { need(a, 2, "take")?; one(jnp::take(&a[0], &a[1], p.axis())) });
        t.insert("take_along_axis", |a, p| { need(a, 2, "take_along_axis")?; one(jnp::take_along_axis(&a[0], &a[1], p.int(0, "take_along_axis")? as isize)) });
        // x.at[idx].op(v): args = [x, v, index arrays...]
        fn at(a: &[Array], p: &P, op: ScatterOp) -> Result<Vec<Array>> {
            need(a, 2, "at")?;
            one(jnp::at_update(&a[0], &indices(p.ints, &a[2..])?, &a[1], op))
        }
        t.insert("at_set", |a, p| at(a, p, ScatterOp::Replace));
        t.insert("at_add", |a, p| at(a, p, ScatterOp::Add));
        t.insert("at_multiply", |a, p| at(a, p, ScatterOp::Mul));
        t.insert("at_min", |a, p| at(a, p, ScatterOp::Min));
        t.insert("at_max", |a, p| at(a, p, ScatterOp::Max));
        // random: keys are uint32[2] arrays
        // random.key: the seed in ints[0], or an integer scalar array (possibly traced)
        t.insert("random.key", |a, p| if a.is_empty() { Ok(vec![random::key(p.int(0, "random.key")?)]) } else { one(random::key_from_seed(&a[0])) });
        t.insert("random.split", |a, p| { need(a, 1, "random.split")?; one(random::split(&a[0], p.ints.first().copied().unwrap_or(2) as usize)) });
        // random.fold_in: the data in ints[0], or an integer scalar array as the second operand
        t.insert("random.fold_in", |a, p| {
            need(a, 1, "random.fold_in")?;
            if a.len() > 1 { one(random::fold_in_array(&a[0], &a[1])) } else { one(random::fold_in(&a[0], p.int(0, "random.fold_in")? as u32)) }
        });
        t.insert("random.bits", |a, p| { need(a, 1, "random.bits")?; one(random::bits(&a[0], &p.shape()?, p.dtype.unwrap_or(DType::U32))) });
        t.insert("random.uniform", |a, p| {
            need(a, 1, "random.uniform")?;
            one(random::uniform(&a[0], &p.shape()?, p.dtype.unwrap_or(jnp::default_float()), p.floats.first().copied().unwrap_or(0.0), p.floats.get(1).copied().unwrap_or(1.0)))
        });
        t.insert("random.normal", |a, p| { need(a, 1, "random.normal")?; one(random::normal(&a[0], &p.shape()?, p.dtype.unwrap_or(jnp::default_float()))) });
        // randint: ints = shape, floats = [minval, maxval]
        t.insert("random.randint", |a, p| {
            need(a, 1, "random.randint")?;
            one(random::randint(&a[0], &p.shape()?, p.float(0, "random.randint minval")? as i64, p.float(1, "random.randint maxval")? as i64, p.dtype.unwrap_or(jnp::default_int())))
        });
        // bernoulli: args = [key, p]; ints = shape when JC_FLAG_AXIS is set (else p's shape)
        t.insert("random.bernoulli", |a, p| {
            need(a, 2, "random.bernoulli")?;
            let shape = if p.flag(JC_FLAG_AXIS) { Some(p.shape()?) } else { None };
            one(random::bernoulli(&a[0], &a[1], shape.as_deref()))
        });
        t.insert("random.gumbel", |a, p| { need(a, 1, "random.gumbel")?; one(random::gumbel(&a[0], &p.shape()?, p.dtype.unwrap_or(jnp::default_float()))) });
        // categorical: args = [key, logits]; ints = [axis, shape...] (shape when JC_FLAG_AXIS)
        t.insert("random.categorical", |a, p| {
            need(a, 2, "random.categorical")?;
            let shape: Option<Vec<usize>> = p.flag(JC_FLAG_AXIS).then(|| p.ints[1..].iter().map(|&d| d.max(0) as usize).collect());
            one(random::categorical(&a[0], &a[1], p.int(0, "random.categorical axis")? as isize, shape.as_deref()))
        });
        // permutation: args = [key] and ints = [n], or [key, x] and ints = [axis]; JC_FLAG_ALT = independent
        t.insert("random.permutation", |a, p| {
            need(a, 1, "random.permutation")?;
            if a.len() == 1 {
                return one(random::permutation_n(&a[0], p.int(0, "random.permutation n")?.max(0) as usize));
            }
            one(random::permutation(&a[0], &a[1], p.ints.first().copied().unwrap_or(0) as isize, p.flag(JC_FLAG_ALT)))
        });
        // choice: args = [key, a, p?]; ints = [axis, shape...]; JC_FLAG_ALT = replace
        t.insert("random.choice", |a, p| {
            need(a, 2, "random.choice")?;
            let shape: Vec<usize> = p.ints.get(1..).unwrap_or(&[]).iter().map(|&d| d.max(0) as usize).collect();
            one(random::choice(&a[0], &a[1], &shape, p.flag(JC_FLAG_ALT), a.get(2), p.ints.first().copied().unwrap_or(0) as isize))
        });
        // a few lax primitives with parameters (ints as documented)
        t.insert("lax.integer_pow", |a, p| { need(a, 1, "lax.integer_pow")?; one(lax::integer_pow(&a[0], p.int(0, "lax.integer_pow")? as i32)) });
        t.insert("lax.convert_element_type", |a, p| { need(a, 1, "lax.convert_element_type")?; one(lax::convert_element_type(&a[0], p.dtype.ok_or_else(|| crate::err!(Value, "needs a dtype"))?)) });
        t.insert("lax.reshape", |a, p| { need(a, 1, "lax.reshape")?; one(lax::reshape(&a[0], &p.shape()?)) });
        t.insert("lax.transpose", |a, p| { need(a, 1, "lax.transpose")?; one(lax::transpose(&a[0], &p.shape()?)) });
        t.insert("lax.reduce_sum", |a, p| { need(a, 1, "lax.reduce_sum")?; one(lax::reduce_sum(&a[0], &p.shape()?)) });
        t.insert("lax.reduce_max", |a, p| { need(a, 1, "lax.reduce_max")?; one(lax::reduce_max(&a[0], &p.shape()?)) });
        t.insert("lax.select", |a, _p| { need(a, 3, "lax.select")?; one(lax::select(&a[0], &a[1], &a[2])) });
        t.insert("lax.iota", |_a, p| one(lax::iota(p.dtype.unwrap_or(DType::I32), &p.shape()?[1..], p.int(0, "lax.iota")? as usize)));
        // lax primitives with list parameters: ints = length-prefixed lists, in the order given
        t.insert("lax.broadcast_in_dim", |a, p| { need(a, 1, "lax.broadcast_in_dim")?; let l = lists(p.ints, 2, "lax.broadcast_in_dim")?; one(lax::broadcast_in_dim(&a[0], &us(&l[0]), &us(&l[1]))) });
        t.insert("lax.squeeze", |a, p| { need(a, 1, "lax.squeeze")?; one(lax::squeeze(&a[0], &p.shape()?)) });
        t.insert("lax.expand_dims", |a, p| { need(a, 1, "lax.expand_dims")?; one(lax::expand_dims(&a[0], &p.shape()?)) });
        t.insert("lax.rev", |a, p| { need(a, 1, "lax.rev")?; one(lax::rev(&a[0], &p.shape()?)) });
        // slice: lists (start, limit, strides?)
        t.insert("lax.slice", |a, p| {
            need(a, 1, "lax.slice")?;
            let l = lists(p.ints, 2, "lax.slice")?;
            let strides = l.get(2).map(|s| us(s));
            one(lax::slice(&a[0], &us(&l[0]), &us(&l[1]), strides.as_deref()))
        });
        t.insert("lax.dynamic_slice", |a, p| { need(a, 1, "lax.dynamic_slice")?; one(lax::dynamic_slice(&a[0], &a[1..].iter().collect::<Vec<_>>(), &p.shape()?)) });
        t.insert("lax.dynamic_update_slice", |a, _p| { need(a, 2, "lax.dynamic_update_slice")?; one(lax::dynamic_update_slice(&a[0], &a[1], &a[2..].iter().collect::<Vec<_>>())) });
        t.insert("lax.concatenate", |a, p| one(lax::concatenate(&a.iter().collect::<Vec<_>>(), p.int(0, "lax.concatenate")? as usize)));
        // pad: ints = (lo, hi, interior) triples; args = [x, padding value]
        t.insert("lax.pad", |a, p| {
            need(a, 2, "lax.pad")?;
            let cfg: Vec<(i64, i64, i64)> = p.ints.chunks(3).map(|c| (c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0))).collect();
            one(lax::pad(&a[0], &a[1], &cfg))
        });
        // dot_general: lists (lhs_contract, rhs_contract, lhs_batch, rhs_batch); dtype = preferred
        t.insert("lax.dot_general", |a, p| {
            need(a, 2, "lax.dot_general")?;
            let l = lists(p.ints, 4, "lax.dot_general")?;
            let d = crate::prim::DotDims { lhs_contract: us(&l[0]), rhs_contract: us(&l[1]), lhs_batch: us(&l[2]), rhs_batch: us(&l[3]) };
            one(lax::dot_general(&a[0], &a[1], d, p.dtype))
        });
        // conv_general_dilated: lists (strides, padding lows, padding highs, lhs
        // dilation, rhs dilation, lhs spec, rhs spec, out spec, [feature groups,
        // batch groups]); dtype = preferred
        t.insert("lax.conv_general_dilated", |a, p| {
            need(a, 2, "lax.conv_general_dilated")?;
            let l = lists(p.ints, 9, "lax.conv_general_dilated")?;
            let groups = us_checked(&l[8])?;
            if groups.len() != 2 {
                crate::bail!(Value, "lax.conv_general_dilated: the last list holds (feature_group_count, batch_group_count)");
            }
            let params = crate::prim::ConvParams {
                strides: us_checked(&l[0])?,
                padding: l[1].iter().copied().zip(l[2].iter().copied()).collect(),
                lhs_dilation: us_checked(&l[3])?,
                rhs_dilation: us_checked(&l[4])?,
                lhs_spec: us_checked(&l[5])?,
                rhs_spec: us_checked(&l[6])?,
                out_spec: us_checked(&l[7])?,
                feature_groups: groups[0],
                batch_groups: groups[1],
                preferred: p.dtype,
            };
            if params.padding.len() != l[1].len().max(l[2].len()) {
                crate::bail!(Value, "lax.conv_general_dilated: {} padding lows for {} highs", l[1].len(), l[2].len());
            }
            one(lax::conv_general_dilated(&a[0], &a[1], params))
        });
        t.insert("lax.reduce_min", |a, p| { need(a, 1, "lax.reduce_min")?; one(lax::reduce_min(&a[0], &p.shape()?)) });
        t.insert("lax.reduce_prod", |a, p| { need(a, 1, "lax.reduce_prod")?; one(lax::reduce_prod(&a[0], &p.shape()?)) });
        t.insert("lax.reduce_and", |a, p| { need(a, 1, "lax.reduce_and")?; one(lax::reduce_and(&a[0], &p.shape()?)) });
        t.insert("lax.reduce_or", |a, p| { need(a, 1, "lax.reduce_or")?; one(lax::reduce_or(&a[0], &p.shape()?)) });
        // argmax/argmin: ints = [axis]; dtype = index dtype
        t.insert("lax.argmax", |a, p| { need(a, 1, "lax.argmax")?; one(lax::argmax(&a[0], p.int(0, "lax.argmax")? as usize, p.dtype.unwrap_or(DType::I32))) });
        t.insert("lax.argmin", |a, p| { need(a, 1, "lax.argmin")?; one(lax::argmin(&a[0], p.int(0, "lax.argmin")? as usize, p.dtype.unwrap_or(DType::I32))) });
        // collectives (inside jc_shard_map): str_ = axis names "a,b"; all_gather / psum_scatter:
        // ints = [axis], JC_FLAG_ALT = tiled; ppermute: ints = flattened (src, dst) pairs;
        // all_to_all: ints = [split_axis, concat_axis], JC_FLAG_ALT = tiled
        t.insert("lax.psum", |a, p| { need(a, 1, "lax.psum")?; one(lax::psum(&a[0], &axis_names(p)?)) });
        t.insert("lax.pmean", |a, p| { need(a, 1, "lax.pmean")?; one(lax::pmean(&a[0], &axis_names(p)?)) });
        t.insert("lax.pmax", |a, p| { need(a, 1, "lax.pmax")?; one(lax::pmax(&a[0], &axis_names(p)?)) });
        t.insert("lax.pmin", |a, p| { need(a, 1, "lax.pmin")?; one(lax::pmin(&a[0], &axis_names(p)?)) });
        t.insert("lax.all_gather", |a, p| { need(a, 1, "lax.all_gather")?; one(lax::all_gather(&a[0], &axis_names(p)?, p.int(0, "lax.all_gather")? as usize, p.flag(JC_FLAG_ALT))) });
        t.insert("lax.psum_scatter", |a, p| { need(a, 1, "lax.psum_scatter")?; one(lax::psum_scatter(&a[0], &axis_names(p)?, p.int(0, "lax.psum_scatter")? as usize, p.flag(JC_FLAG_ALT))) });
        t.insert("lax.ppermute", |a, p| {
            need(a, 1, "lax.ppermute")?;
            let names = axis_names(p)?;
            let pairs: Vec<(usize, usize)> = p.ints.chunks(2).filter(|c| c.len() == 2).map(|c| (c[0].max(0) as usize, c[1].max(0) as usize)).collect();
            one(lax::ppermute(&a[0], names.first().copied().unwrap_or(""), &pairs))
        });
        t.insert("lax.all_to_all", |a, p| {
            need(a, 1, "lax.all_to_all")?;
            let names = axis_names(p)?;
            one(lax::all_to_all(&a[0], names.first().copied().unwrap_or(""), p.int(0, "lax.all_to_all")? as usize, p.int(1, "lax.all_to_all")? as usize, p.flag(JC_FLAG_ALT)))
        });
        t.insert("lax.axis_index", |_a, p| one(lax::axis_index(&axis_names(p)?)));
        // lax.axis_size: the product of the named axes' sizes, a concrete int32 (known while tracing)
        t.insert("lax.axis_size", |_a, p| {
            let n = axis_names(p)?.iter().map(|a| crate::sharding::axis_size(a)).collect::<crate::Result<Vec<_>>>()?.iter().product::<usize>();
            Ok(vec![Array::scalar(n as i32)])
        });
        // cumulative: ints = [axis]; JC_FLAG_ALT = reverse
        t.insert("lax.cumsum", |a, p| { need(a, 1, "lax.cumsum")?; one(lax::cumsum(&a[0], p.int(0, "lax.cumsum")? as usize, p.flag(JC_FLAG_ALT))) });
        t.insert("lax.cumprod", |a, p| { need(a, 1, "lax.cumprod")?; one(lax::cumprod(&a[0], p.int(0, "lax.cumprod")? as usize, p.flag(JC_FLAG_ALT))) });
        t.insert("lax.cummax", |a, p| { need(a, 1, "lax.cummax")?; one(lax::cummax(&a[0], p.int(0, "lax.cummax")? as usize, p.flag(JC_FLAG_ALT))) });
        t.insert("lax.cummin", |a, p| { need(a, 1, "lax.cummin")?; one(lax::cummin(&a[0], p.int(0, "lax.cummin")? as usize, p.flag(JC_FLAG_ALT))) });
        t.insert("lax.complex", |a, _p| { need(a, 2, "lax.complex")?; one(lax::complex(&a[0], &a[1])) });
        // fft: ints = [fft_type (0 FFT, 1 IFFT, 2 RFFT, 3 IRFFT), fft_lengths...]
        t.insert("lax.fft", |a, p| {
            need(a, 1, "lax.fft")?;
            let kind = match p.int(0, "lax.fft")? {
                0 => crate::prim::FftKind::Fft,
                1 => crate::prim::FftKind::Ifft,
                2 => crate::prim::FftKind::Rfft,
                3 => crate::prim::FftKind::Irfft,
                k => crate::bail!(Value, "lax.fft: unknown fft_type {k} (0 FFT, 1 IFFT, 2 RFFT, 3 IRFFT)"),
            };
            let lengths: Vec<usize> = p.ints[1..].iter().map(|&v| v.max(0) as usize).collect();
            one(lax::fft(&a[0], kind, &lengths))
        });
        // sort: ints = [dimension, num_keys]; all args sorted together
        t.insert("lax.sort", |a, p| lax::sort(&a.iter().collect::<Vec<_>>(), p.int(0, "lax.sort")? as usize, p.ints.get(1).copied().unwrap_or(1) as usize, true));
        t.insert("lax.select_n", |a, _p| { need(a, 2, "lax.select_n")?; one(lax::select_n(&a[0], &a[1..].iter().collect::<Vec<_>>())) });
        t.insert("lax.clamp", |a, _p| { need(a, 3, "lax.clamp")?; one(lax::clamp(&a[0], &a[1], &a[2])) });
        t.insert("lax.bitcast_convert_type", |a, p| { need(a, 1, "lax.bitcast_convert_type")?; one(lax::bitcast_convert_type(&a[0], p.dtype.ok_or_else(|| crate::err!(Value, "needs a dtype"))?)) });
        // jnp.round: ints[0] = decimals (default 0)
        t.insert("round", |a, p| { need(a, 1, "round")?; one(jnp::round(&a[0], p.ints.first().copied().unwrap_or(0) as i32)) });
        // round: JC_FLAG_ALT = to nearest even
        t.insert("lax.round", |a, p| { need(a, 1, "lax.round")?; one(lax::round(&a[0], p.flag(JC_FLAG_ALT))) });
        t.insert("lax.polygamma", |a, p| { need(a, 1, "lax.polygamma")?; one(lax::polygamma(p.int(0, "lax.polygamma")? as u32, &a[0])) });
        t.insert("lax.threefry2x32", |a, _p| { need(a, 4, "lax.threefry2x32")?; let (x, y) = lax::threefry2x32(&a[0], &a[1], &a[2], &a[3])?; Ok(vec![x, y]) });
        // gather: lists (offset_dims, collapsed_slice_dims, start_index_map, operand_batching_dims,
        // start_indices_batching_dims, slice_sizes); floats[0] = fill; JC_FLAG_ALT = fill mode (else clip)
        t.insert("lax.gather", |a, p| {
            need(a, 2, "lax.gather")?;
            let l = lists(p.ints, 6, "lax.gather")?;
            let d = crate::prim::GatherDims { offset_dims: us(&l[0]), collapsed_slice_dims: us(&l[1]), start_index_map: us(&l[2]), operand_batching_dims: us(&l[3]), start_indices_batching_dims: us(&l[4]) };
            let mode = if p.flag(JC_FLAG_ALT) { crate::prim::IndexMode::FillOrDrop } else { crate::prim::IndexMode::Clip };
            one(lax::gather(&a[0], &a[1], d, &us(&l[5]), mode, p.floats.first().copied()))
        });
        // scatter family: lists (update_window_dims, inserted_window_dims, scatter_dims_to_operand_dims,
        // operand_batching_dims, scatter_indices_batching_dims); args = [operand, indices, updates]
        fn scatter(a: &[Array], p: &P, op: ScatterOp) -> Result<Vec<Array>> {
            need(a, 3, op.name())?;
            let l = lists(p.ints, 5, op.name())?;
            let d = crate::prim::ScatterDims { update_window_dims: us(&l[0]), inserted_window_dims: us(&l[1]), scatter_dims_to_operand_dims: us(&l[2]), operand_batching_dims: us(&l[3]), scatter_indices_batching_dims: us(&l[4]) };
            let mode = if p.flag(JC_FLAG_ALT) { crate::prim::IndexMode::Clip } else { crate::prim::IndexMode::FillOrDrop };
            one(lax::scatter(&a[0], &a[1], &a[2], d, op, mode))
        }
        t.insert("lax.scatter", |a, p| scatter(a, p, ScatterOp::Replace));
        t.insert("lax.scatter_add", |a, p| scatter(a, p, ScatterOp::Add));
        t.insert("lax.scatter_mul", |a, p| scatter(a, p, ScatterOp::Mul));
        t.insert("lax.scatter_min", |a, p| scatter(a, p, ScatterOp::Min));
        t.insert("lax.scatter_max", |a, p| scatter(a, p, ScatterOp::Max));
        t
    })
}

/// Applies the numpy function / lax primitive / random function `name` to
/// `args`, with `params` (may be null: no parameters). Up to `out_cap`
/// result handles are written to `outs`; `n_outs` receives how many there
/// are. Inside a traced callback the arguments may be tracers: the op is
/// recorded instead of run. Unknown names are an error listing the name.
#[no_mangle]
pub unsafe extern "C" fn jc_op(name: *const c_char, args: *const jc_array, nargs: usize, params: *const jc_params, outs: *mut jc_array, out_cap: usize, n_outs: *mut usize) -> jc_status {
    guard(|| {
        let name = cstr(name, "jc_op name")?;
        let f = table().get(name).ok_or_else(|| crate::err!(NotImplemented, "jc_op: unknown operation {name:?}"))?;
        let a = arrs(args, nargs, name)?;
        let p = if params.is_null() {
            P { ints: &[], floats: &[], dtype: None, flags: 0, s: None }
        } else {
            // SAFETY: non-null; the caller passes a jc_params whose struct_size says how much of it exists.
            let raw = unsafe { &*params };
            if raw.struct_size < std::mem::size_of::<jc_params>() {
                return Err(invalid(format!("jc_op: jc_params.struct_size {} is smaller than {}", raw.struct_size, std::mem::size_of::<jc_params>())));
            }
            P {
                ints: slice(raw.ints, raw.n_ints, "jc_params.ints")?,
                floats: slice(raw.floats, raw.n_floats, "jc_params.floats")?,
                dtype: if raw.dtype < 0 { None } else { Some(dtype(raw.dtype as u32)?) },
                flags: raw.flags,
                s: if raw.str_.is_null() { None } else { Some(cstr(raw.str_, "jc_params.str_")?) },
            }
        };
        let res = f(&a, &p).map_err(|e| e.context(name))?;
        put(n_outs, res.len(), "jc_op n_outs")?;
        if res.len() > out_cap {
            crate::bail!(Value, "jc_op {name}: {} outputs but room for {out_cap}", res.len());
        }
        for (i, r) in res.into_iter().enumerate() {
            // SAFETY: i < out_cap; put checks for null.
            put_arr(unsafe { outs.add(i) }, r, "jc_op outs")?;
        }
        Ok(())
    })
}

/// Whether `name` is an operation `jc_op` knows.
#[no_mangle]
pub unsafe extern "C" fn jc_op_exists(name: *const c_char, out: *mut bool) -> jc_status {
    guard(|| put(out, table().contains_key(cstr(name, "jc_op_exists")?), "jc_op_exists"))
}

/// `x + y` with numpy broadcasting and JAX's type promotion.
#[no_mangle]
pub unsafe extern "C" fn jc_add(x: jc_array, y: jc_array, out: *mut jc_array) -> jc_status {
    guard(|| put_arr(out, jnp::add(&arr(x)?, &arr(y)?)?, "jc_add"))
}

/// `x - y` (numpy broadcasting, JAX promotion).
#[no_mangle]
pub unsafe extern "C" fn jc_subtract(x: jc_array, y: jc_array, out: *mut jc_array) -> jc_status {
    guard(|| put_arr(out, jnp::subtract(&arr(x)?, &arr(y)?)?, "jc_subtract"))
}

/// `x * y` (numpy broadcasting, JAX promotion).
#[no_mangle]
pub unsafe extern "C" fn jc_multiply(x: jc_array, y: jc_array, out: *mut jc_array) -> jc_status {
    guard(|| put_arr(out, jnp::multiply(&arr(x)?, &arr(y)?)?, "jc_multiply"))
}

/// `x / y`, true division (numpy broadcasting, JAX promotion).
#[no_mangle]
pub unsafe extern "C" fn jc_divide(x: jc_array, y: jc_array, out: *mut jc_array) -> jc_status {
    guard(|| put_arr(out, jnp::divide(&arr(x)?, &arr(y)?)?, "jc_divide"))
}

/// `x @ y` (numpy matmul semantics).
#[no_mangle]
pub unsafe extern "C" fn jc_matmul(x: jc_array, y: jc_array, out: *mut jc_array) -> jc_status {
    guard(|| put_arr(out, jnp::matmul(&arr(x)?, &arr(y)?)?, "jc_matmul"))
}

/// `tanh(x)`.
#[no_mangle]
pub unsafe extern "C" fn jc_tanh(x: jc_array, out: *mut jc_array) -> jc_status {
    guard(|| put_arr(out, jnp::tanh(&arr(x)?)?, "jc_tanh"))
}

/// `exp(x)`.
#[no_mangle]
pub unsafe extern "C" fn jc_exp(x: jc_array, out: *mut jc_array) -> jc_status {
    guard(|| put_arr(out, jnp::exp(&arr(x)?)?, "jc_exp"))
}

/// `log(x)`.
#[no_mangle]
pub unsafe extern "C" fn jc_log(x: jc_array, out: *mut jc_array) -> jc_status {
    guard(|| put_arr(out, jnp::log(&arr(x)?)?, "jc_log"))
}

/// `-x`.
#[no_mangle]
pub unsafe extern "C" fn jc_negative(x: jc_array, out: *mut jc_array) -> jc_status {
    guard(|| put_arr(out, jnp::negative(&arr(x)?)?, "jc_negative"))
}

/// `sum(x)` over all axes.
#[no_mangle]
pub unsafe extern "C" fn jc_sum(x: jc_array, out: *mut jc_array) -> jc_status {
    guard(|| put_arr(out, jnp::sum(&arr(x)?, None, false)?, "jc_sum"))
}
