//! Reductions over axes (reduce_sum/max/min/prod/and/or), argmax/argmin, and
//! the cumulative ops (cumsum, cumprod, cummax, cummin).

use super::{arity, check_axis, Tangent};
use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::ir::Aval;
use crate::lax;
use crate::runtime::host::{Arith, HostData};
use ndarray::{ArrayD, Axis};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    Sum,
    Max,
    Min,
    Prod,
    And,
    Or,
}

impl ReduceOp {
    pub const ALL: [ReduceOp; 6] = [ReduceOp::Sum, ReduceOp::Max, ReduceOp::Min, ReduceOp::Prod, ReduceOp::And, ReduceOp::Or];
    pub fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum => "reduce_sum",
            ReduceOp::Max => "reduce_max",
            ReduceOp::Min => "reduce_min",
            ReduceOp::Prod => "reduce_prod",
            ReduceOp::And => "reduce_and",
            ReduceOp::Or => "reduce_or",
        }
    }
    fn check_dtype(self, d: DType) -> Result<()> {
        let ok = match self {
            ReduceOp::Sum | ReduceOp::Prod => d.is_number() || d.is_complex(),
            ReduceOp::Max | ReduceOp::Min => !d.is_complex(),
            ReduceOp::And | ReduceOp::Or => d.is_bool() || d.is_int(),
        };
        if !ok {
            crate::bail!(Type, "{} does not accept dtype {d}", self.name());
        }
        Ok(())
    }
    fn init<T: Arith>(self) -> T {
        match self {
            ReduceOp::Sum | ReduceOp::Or => T::zero(),
            ReduceOp::Prod => T::one(),
            ReduceOp::Max => T::lowest(),
            ReduceOp::Min => T::highest(),
            ReduceOp::And => <T as crate::runtime::host::Elem>::from_i128(-1), // all bits set; true for bool
        }
    }
    #[inline]
    fn apply<T: Arith>(self, a: T, b: T) -> T {
        match self {
            ReduceOp::Sum => a.add(b),
            ReduceOp::Prod => a.mul(b),
            ReduceOp::Max => a.max_(b),
            ReduceOp::Min => a.min_(b),
            ReduceOp::And => a.bitand(b),
            ReduceOp::Or => a.bitor(b),
        }
    }
}

pub fn reduce_shape(op: ReduceOp, axes: &[usize], ins: &[Aval]) -> Result<Aval> {
    arity(op.name(), ins, 1)?;
    let x = &ins[0];
    op.check_dtype(x.dtype)?;
    let mut seen = vec![false; x.ndim()];
    for &a in axes {
        check_axis(op.name(), a, x.ndim())?;
        if std::mem::replace(&mut seen[a], true) {
            crate::bail!(Value, "{}: duplicate value in 'axes': {:?}", op.name(), axes);
        }
    }
    let shape = (0..x.ndim()).filter(|d| !seen[*d]).map(|d| x.shape[d]).collect();
    Ok(x.with_shape(shape))
}

pub fn reduce_eval(op: ReduceOp, axes: &[usize], x: &HostData) -> Result<HostData> {
    let mut axes = axes.to_vec();
    axes.sort_unstable_by(|a, b| b.cmp(a)); // fold the last axes first so indices stay valid
    Ok(crate::map_host!(x, a, T => {
        let mut r: ArrayD<T> = a.clone();
        for &ax in &axes {
            // both fold each lane in order from the init value (same bits);
            // fold_axis costs a sub-view per index along the axis, map_axis
            // a lane per output element: take the fewer
            let len = r.len_of(Axis(ax));
            r = if len > r.len() / len.max(1) {
                r.map_axis(Axis(ax), |lane| lane.iter().fold(op.init::<T>(), |acc, &v| op.apply(acc, v)))
            } else {
                r.fold_axis(Axis(ax), op.init::<T>(), |acc, &v| op.apply(*acc, v))
            };
        }
        r
    }))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArgOp {
    ArgMax,
    ArgMin,
}

impl ArgOp {
    pub fn name(self) -> &'static str {
        match self {
            ArgOp::ArgMax => "argmax",
            ArgOp::ArgMin => "argmin",
        }
    }
}

pub fn arg_shape(op: ArgOp, axis: usize, index_dtype: DType, ins: &[Aval]) -> Result<Aval> {
    arity(op.name(), ins, 1)?;
    let x = &ins[0];
    check_axis(op.name(), axis, x.ndim())?;
    if !index_dtype.is_int() {
        crate::bail!(Type, "{} index_dtype must be an integer type, got {index_dtype}", op.name());
    }
    if x.shape[axis] == 0 {
        crate::bail!(Value, "{} along axis {axis} of an empty dimension (shape {})", op.name(), x.shape_str());
    }
    if x.dtype.is_bool() {
        crate::bail!(Type, "{} does not accept dtype bool", op.name());
    }
    let shape: Vec<usize> = (0..x.ndim()).filter(|&d| d != axis).map(|d| x.shape[d]).collect();
    Ok(Aval::new(&shape, index_dtype))
}

pub fn arg_eval(op: ArgOp, axis: usize, index_dtype: DType, x: &HostData) -> Result<HostData> {
    let idx: ArrayD<i64> = crate::with_host!(x, a, T => a.map_axis(Axis(axis), |lane| {
        // the first NaN wins; otherwise the first extreme value
        let mut best = 0usize;
        let mut bv: Option<T> = None;
        for (i, &v) in lane.iter().enumerate() {
            if v.is_nan_() {
                return i as i64;
            }
            let better = match bv {
                None => true,
                Some(b) => match op { ArgOp::ArgMax => v > b, ArgOp::ArgMin => v < b },
            };
            if better {
                best = i;
                bv = Some(v);
            }
        }
        best as i64
    }));
    Ok(HostData::I64(idx).cast(index_dtype))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CumOp {
    Sum,
    Prod,
    Max,
    Min,
}

impl CumOp {
    pub const ALL: [CumOp; 4] = [CumOp::Sum, CumOp::Prod, CumOp::Max, CumOp::Min];
    pub fn name(self) -> &'static str {
        match self {
            CumOp::Sum => "cumsum",
            CumOp::Prod => "cumprod",
            CumOp::Max => "cummax",
            CumOp::Min => "cummin",
        }
    }
    fn reduce_op(self) -> ReduceOp {
        match self {
            CumOp::Sum => ReduceOp::Sum,
            CumOp::Prod => ReduceOp::Prod,
            CumOp::Max => ReduceOp::Max,
            CumOp::Min => ReduceOp::Min,
        }
    }
}

pub fn cumulative_shape(op: CumOp, axis: usize, ins: &[Aval]) -> Result<Aval> {
    arity(op.name(), ins, 1)?;
    check_axis(op.name(), axis, ins[0].ndim())?;
    if ins[0].dtype.is_bool() || ins[0].dtype.is_complex() && !matches!(op, CumOp::Sum | CumOp::Prod) {
        crate::bail!(Type, "{} does not accept dtype {}", op.name(), ins[0].dtype);
    }
    Ok(ins[0].clone())
}

pub fn cumulative_eval(op: CumOp, axis: usize, reverse: bool, x: &HostData) -> Result<HostData> {
    let r = op.reduce_op();
    Ok(crate::map_host!(x, a, T => {
        let mut o = a.clone();
        for mut lane in o.lanes_mut(Axis(axis)) {
            let n = lane.len();
            let mut acc: Option<T> = None;
            for k in 0..n {
                let i = if reverse { n - 1 - k } else { k };
                let v = match acc { None => lane[i], Some(p) => r.apply(p, lane[i]) };
                lane[i] = v;
                acc = Some(v);
            }
        }
        o
    }))
}


// ------------------------------------------------------------- JVP rules

pub fn reduce_jvp(op: ReduceOp, axes: &[usize], x: &Array, t: &Tangent, out: &Array) -> Result<Tangent> {
    let Some(t) = t else { return Ok(None) };
    if !x.dtype().is_inexact() {
        return Ok(None);
    }
    let kept: Vec<usize> = (0..x.ndim()).filter(|d| !axes.contains(d)).collect();
    match op {
        ReduceOp::Sum => Ok(Some(lax::reduce_sum(t, axes)?)),
        ReduceOp::Max | ReduceOp::Min => {
            // the tangent at the extreme locations, averaged over ties
            let ob = lax::broadcast_in_dim(out, x.shape(), &kept)?;
            let loc = lax::convert_element_type(&lax::eq(x, &ob)?, x.dtype())?;
            let counts = lax::reduce_sum(&loc, axes)?;
            Ok(Some(lax::div(&lax::reduce_sum(&lax::mul(t, &loc)?, axes)?, &counts)?))
        }
        ReduceOp::Prod => {
            // d prod / d x_i = product of the others = exclusive prefix * exclusive suffix
            let n: usize = axes.iter().map(|&a| x.shape()[a]).product();
            let rest: Vec<usize> = kept.iter().map(|&d| x.shape()[d]).collect();
            let perm: Vec<usize> = kept.iter().chain(axes.iter()).copied().collect();
            let flat = |v: &Array| lax::reshape(&lax::transpose(v, &perm)?, &[rest.clone(), vec![n]].concat());
            let (xf, tf) = (flat(x)?, flat(t)?);
            let last = rest.len();
            let one = Array::full_scalar(x.dtype(), 1.0);
            let mut cfg_l = vec![(0, 0, 0); last + 1];
            cfg_l[last] = (1, -1, 0);
            let mut cfg_r = vec![(0, 0, 0); last + 1];
            cfg_r[last] = (-1, 1, 0);
            let left = lax::pad(&lax::cumprod(&xf, last, false)?, &one, &cfg_l)?;
            let right = lax::pad(&lax::cumprod(&xf, last, true)?, &one, &cfg_r)?;
            let others = lax::mul(&left, &right)?;
            let r = lax::reduce_sum(&lax::mul(&tf, &others)?, &[last])?;
            Ok(Some(lax::reshape(&r, out.shape())?))
        }
        ReduceOp::And | ReduceOp::Or => Ok(None),
    }
}

/// cumprod/cummax/cummin as JAX's `associative_scan` of lax ops (log depth),
/// so their derivatives come from the JVP rules of mul, max and min.
pub fn associative_cumulative(op: CumOp, x: &Array, axis: usize, reverse: bool) -> Result<Array> {
    let f = |a: &Array, b: &Array| match op {
        CumOp::Sum => lax::add(a, b),
        CumOp::Prod => lax::mul(a, b),
        CumOp::Max => lax::max(a, b),
        CumOp::Min => lax::min(a, b),
    };
    fn scan(x: &Array, axis: usize, f: &dyn Fn(&Array, &Array) -> Result<Array>) -> Result<Array> {
        let n = x.shape()[axis];
        if n < 2 {
            return Ok(x.clone());
        }
        let sl = |s: usize, e: usize, st: usize| lax::slice_in_dim(x, s, e.max(s), st, axis);
        let pairs = f(&sl(0, n - 1, 2)?, &sl(1, n, 2)?)?;
        let odd = scan(&pairs, axis, f)?;
        let no = odd.shape()[axis];
        let even_rest = if n % 2 == 0 {
            f(&lax::slice_in_dim(&odd, 0, no - 1, 1, axis)?, &sl(2, n, 2)?)?
        } else {
            f(&odd, &sl(2, n, 2)?)?
        };
        let even = lax::concatenate(&[&sl(0, 1, 1)?, &even_rest], axis)?;
        // interleave even (positions 0, 2, ...) and odd (1, 3, ...)
        let (ne, no) = (even.shape()[axis] as i64, odd.shape()[axis] as i64);
        let zero = Array::full_scalar(x.dtype(), 0.0);
        let mut ce = vec![(0, 0, 0); x.ndim()];
        ce[axis] = (0, no - ne + 1, 1);
        let mut co = vec![(0, 0, 0); x.ndim()];
        co[axis] = (1, ne - no, 1);
        let (pe, po) = (lax::pad(&even, &zero, &ce)?, lax::pad(&odd, &zero, &co)?);
        // select rather than add, so the zeros never mix into max/min
        let pos = lax::iota(DType::I32, pe.shape(), axis)?;
        let two = lax::broadcast_in_dim(&Array::scalar(2i32), pe.shape(), &[])?;
        let is_even = lax::eq(&lax::rem(&pos, &two)?, &crate::numpy::zeros(pe.shape(), DType::I32)?)?;
        lax::select(&is_even, &pe, &po)
    }
    if reverse {
        let r = scan(&lax::rev(x, &[axis])?, axis, &f)?;
        lax::rev(&r, &[axis])
    } else {
        scan(x, axis, &f)
    }
}

pub fn cumulative_jvp(op: CumOp, axis: usize, reverse: bool, x: &Array, t: &Tangent) -> Result<Tangent> {
    let Some(t) = t else { return Ok(None) };
    if !x.dtype().is_inexact() {
        return Ok(None);
    }
    if op == CumOp::Sum {
        return Ok(Some(lax::cumsum(t, axis, reverse)?));
    }
    let outs = crate::transform::jvp_call(move |xs| Ok(vec![associative_cumulative(op, &xs[0], axis, reverse)?]), &[x.clone()], &[Some(t.clone())])?;
    Ok(outs.1.into_iter().next().unwrap())
}

// ------------------------------------------------------- transpose rules

pub fn reduce_sum_transpose(axes: &[usize], ct: &Array, operand: &Aval) -> Result<Array> {
    let kept: Vec<usize> = (0..operand.ndim()).filter(|d| !axes.contains(d)).collect();
    lax::broadcast_in_dim(ct, &operand.shape, &kept)
}
