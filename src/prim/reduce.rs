//! Reductions over axes (reduce_sum/max/min/prod/and/or), argmax/argmin, and
//! the cumulative ops (cumsum, cumprod, cummax, cummin).

use super::{arity, check_axis};
use crate::dtype::DType;
use crate::error::Result;
use crate::ir::Aval;
use crate::runtime::host::{Arith, Elem, HostData};
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
            ReduceOp::Sum | ReduceOp::Prod => d.is_number(),
            ReduceOp::Max | ReduceOp::Min => true,
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
            ReduceOp::And => T::from_i128(-1), // all bits set; true for bool
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
            r = r.fold_axis(Axis(ax), op.init::<T>(), |acc, &v| op.apply(*acc, v));
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
    if ins[0].dtype.is_bool() {
        crate::bail!(Type, "{} does not accept dtype bool", op.name());
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

/// Keeps `Elem` in scope for `from_i128` in generic code.
#[allow(dead_code)]
fn _uses_elem<T: Elem>() {}
