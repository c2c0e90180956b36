//! Comparisons: eq, ne, lt, le, gt, ge. Same shapes and dtypes in, bool out.

use super::arity;
use super::elementwise::{match_scalar, same_dtypes, same_shapes};
use crate::dtype::DType;
use crate::error::Result;
use crate::ir::Aval;
use crate::runtime::host::HostData;
use ndarray::Zip;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub const ALL: [CmpOp; 6] = [CmpOp::Eq, CmpOp::Ne, CmpOp::Lt, CmpOp::Le, CmpOp::Gt, CmpOp::Ge];
    pub fn name(self) -> &'static str {
        match self {
            CmpOp::Eq => "eq",
            CmpOp::Ne => "ne",
            CmpOp::Lt => "lt",
            CmpOp::Le => "le",
            CmpOp::Gt => "gt",
            CmpOp::Ge => "ge",
        }
    }
    #[inline]
    fn apply<T: PartialOrd>(self, a: T, b: T) -> bool {
        match self {
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
        }
    }
}

pub fn compare_shape(op: CmpOp, ins: &[Aval]) -> Result<Aval> {
    arity(op.name(), ins, 2)?;
    same_dtypes(op.name(), ins)?;
    if ins[0].dtype.is_complex() && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
        crate::bail!(Type, "{} does not accept dtype {}: complex numbers are not ordered", op.name(), ins[0].dtype);
    }
    let shape = same_shapes(op.name(), ins)?;
    Ok(Aval::new(&shape, DType::Bool))
}

pub fn compare_eval(op: CmpOp, x: &HostData, y: &HostData) -> Result<HostData> {
    let (x, y) = match_scalar(x, y);
    Ok(HostData::Bool(crate::with_host2!(&*x, &*y, a, b, T => Zip::from(a).and(b).map_collect(|p, q| op.apply(*p, *q)))))
}
