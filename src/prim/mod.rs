//! The primitives: one enum holding each primitive with its parameters, and
//! one `match` per rule (shape/dtype, interpreter kernel; JVP, transpose,
//! batching and lowering come with the later issues). Adding a primitive makes
//! the compiler list every rule still missing. Each family's rules live
//! together in its file.

pub mod collective;
pub mod compare;
pub mod complex;
pub mod conv;
pub mod control;
pub mod elementwise;
pub mod indexing;
pub mod linalg;
pub mod random;
pub mod reduce;
pub mod sharding;
pub mod sort;
pub mod structural;

use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::ir::Aval;
use crate::runtime::host::HostData;

/// A tangent or cotangent: `None` is a symbolic zero (never materialized).
pub type Tangent = Option<Array>;

/// An input of a linear equation being transposed: a linear input (whose
/// cotangent is wanted) or a known value.
#[derive(Clone, Debug)]
pub enum LinArg {
    Lin(Aval),
    Const(Array),
}

impl LinArg {
    pub fn is_lin(&self) -> bool {
        matches!(self, LinArg::Lin(_))
    }
    pub fn aval(&self) -> Aval {
        match self {
            LinArg::Lin(a) => a.clone(),
            LinArg::Const(x) => x.aval().clone(),
        }
    }
    /// The known value; an error if this input is linear (the equation is not linear in it).
    pub fn value(&self, op: &str) -> Result<&Array> {
        match self {
            LinArg::Const(x) => Ok(x),
            LinArg::Lin(_) => Err(crate::err!(Value, "{op} is not linear in this operand: cannot transpose a product of two linear values")),
        }
    }
}

pub use compare::CmpOp;
pub use complex::{ComplexOp, FftKind};
pub use elementwise::{BinaryOp, UnaryOp};
pub use indexing::{GatherDims, IndexMode, ScatterDims, ScatterOp};
pub use conv::ConvParams;
pub use linalg::DotDims;
pub use reduce::{ArgOp, CumOp, ReduceOp};

/// An f64 parameter compared and hashed by its bits (so `Prim` can be `Eq + Hash` for CSE).
#[derive(Clone, Copy, Debug)]
pub struct F64Bits(pub f64);
impl PartialEq for F64Bits {
    fn eq(&self, o: &Self) -> bool {
        self.0.to_bits() == o.0.to_bits()
    }
}
impl Eq for F64Bits {}
impl std::hash::Hash for F64Bits {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.0.to_bits().hash(h)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Prim {
    // elementwise.rs
    Unary(UnaryOp),
    IntegerPow { y: i32 },
    Binary(BinaryOp),
    SelectN,
    Clamp,
    ConvertElementType { to: DType, weak_type: bool },
    BitcastConvertType { to: DType },
    StopGradient,
    // compare.rs
    Compare(CmpOp),
    // complex.rs
    Complex(ComplexOp),
    Fft { kind: FftKind, lengths: Vec<usize> },
    // structural.rs
    BroadcastInDim { shape: Vec<usize>, dims: Vec<usize> },
    Reshape { shape: Vec<usize> },
    Transpose { perm: Vec<usize> },
    Squeeze { dims: Vec<usize> },
    Rev { dims: Vec<usize> },
    Slice { start: Vec<usize>, limit: Vec<usize>, strides: Vec<usize> },
    DynamicSlice { sizes: Vec<usize> },
    DynamicUpdateSlice,
    Concatenate { dim: usize },
    Pad { config: Vec<(i64, i64, i64)> },
    Iota { dtype: DType, shape: Vec<usize>, dim: usize },
    // indexing.rs
    Gather { dims: GatherDims, slice_sizes: Vec<usize>, mode: IndexMode, fill: Option<F64Bits> },
    Scatter { dims: ScatterDims, op: ScatterOp, mode: IndexMode },
    // reduce.rs
    Reduce { op: ReduceOp, axes: Vec<usize> },
    ArgReduce { op: ArgOp, axis: usize, index_dtype: DType },
    Cumulative { op: CumOp, axis: usize, reverse: bool },
    // linalg.rs
    DotGeneral { dims: DotDims, preferred: Option<DType> },
    // conv.rs
    Conv(Box<ConvParams>),
    // sort.rs
    Sort { dim: usize, num_keys: usize, stable: bool },
    // random.rs
    Threefry2x32,
    // control.rs
    /// A call of a closed sub-graph: the jit boundary (JAX's `pjit`).
    Call { body: crate::ir::SubGraph, name: std::sync::Arc<str> },
    /// `switch`/`cond`: inputs are an int32 index, then the branches' operands.
    Cond { branches: Vec<crate::ir::SubGraph> },
    /// `while_loop`: inputs are cond consts, body consts, then the carries.
    While { cond: crate::ir::SubGraph, body: crate::ir::SubGraph, cond_nconsts: usize, body_nconsts: usize },
    /// The tangent half of a differentiated while loop (see while_loop.rs).
    LinearWhile(control::LinearWhile),
    /// `scan`: inputs are consts, the initial carry, then the scanned arrays.
    Scan { body: crate::ir::SubGraph, length: usize, reverse: bool, num_consts: usize, num_carry: usize, unroll: usize },
    /// `checkpoint` (remat): the body is recomputed in the backward pass.
    Remat { body: crate::ir::SubGraph },
    /// `custom_jvp` / `custom_vjp` functions and the linear half of the latter.
    CustomJvp(control::CustomJvp),
    CustomVjp(control::CustomVjp),
    CustomLin(control::CustomLin),
    // sharding.rs
    /// `with_sharding_constraint` / `reshard`: identity whose result is laid
    /// out (and, on explicit axes, typed) as `sharding`.
    ShardingConstraint { sharding: crate::sharding::NamedSharding },
    // collective.rs
    /// A collective over named mesh axes (manual mode).
    Collective(collective::Collective),
    // control/shard_map.rs
    /// `shard_map`: the body runs per device on pieces split by in_specs.
    ShardMap(control::shard_map::ShardMap),
    // control/callback.rs
    /// `pure_callback` / `io_callback` / `debug_callback`: a host function.
    HostCallback(control::callback::HostCallback),
}

impl Prim {
    /// True for primitives holding sub-graphs (never folded at trace time).
    pub fn has_subgraphs(&self) -> bool {
        use Prim::*;
        matches!(self, Call { .. } | Cond { .. } | While { .. } | LinearWhile(_) | Scan { .. } | Remat { .. } | CustomJvp(_) | CustomVjp(_) | CustomLin(_) | ShardMap(_))
    }

    /// Calls `f` on every graph this primitive holds.
    pub fn for_each_subgraph(&self, f: &mut dyn FnMut(&crate::ir::Graph)) {
        use Prim::*;
        match self {
            Call { body, .. } | Scan { body, .. } | Remat { body } => f(&body.0),
            Cond { branches } => branches.iter().for_each(|b| f(&b.0)),
            While { cond, body, .. } => {
                f(&cond.0);
                f(&body.0)
            }
            CustomJvp(c) => f(&c.body.0),
            CustomVjp(c) => f(&c.body.0),
            ShardMap(sm) => f(&sm.body.0),
            _ => {}
        }
    }

    /// True when this primitive or an equation of a graph it holds satisfies `pred`.
    pub fn contains(&self, pred: &dyn Fn(&Prim) -> bool) -> bool {
        if pred(self) {
            return true;
        }
        let mut found = false;
        self.for_each_subgraph(&mut |g| found = found || g.eqns.iter().any(|e| e.prim.contains(pred)));
        found
    }

    /// True when running this primitive has side effects (an io or debug
    /// callback, here or in a sub-graph): it is never dropped or merged.
    pub fn has_effect(&self) -> bool {
        self.contains(&|p| matches!(p, Prim::HostCallback(c) if c.has_effect()))
    }

    /// True when this primitive (or a graph it holds) runs a collective over
    /// the named axis (a named vmap must batch it even when its inputs are not).
    pub fn mentions_axis(&self, name: &str) -> bool {
        if let Prim::Collective(c) = self {
            return c.axes.iter().any(|a| a == name);
        }
        let mut found = false;
        self.for_each_subgraph(&mut |g| found |= g.eqns.iter().any(|e| e.prim.mentions_axis(name)));
        found
    }

    /// JAX's name for the primitive (as printed in graphs).
    pub fn name(&self) -> &'static str {
        use Prim::*;
        match self {
            Unary(op) => op.name(),
            IntegerPow { .. } => "integer_pow",
            Binary(op) => op.name(),
            SelectN => "select_n",
            Clamp => "clamp",
            ConvertElementType { .. } => "convert_element_type",
            BitcastConvertType { .. } => "bitcast_convert_type",
            StopGradient => "stop_gradient",
            Compare(op) => op.name(),
            Complex(op) => op.name(),
            Fft { .. } => "fft",
            BroadcastInDim { .. } => "broadcast_in_dim",
            Reshape { .. } => "reshape",
            Transpose { .. } => "transpose",
            Squeeze { .. } => "squeeze",
            Rev { .. } => "rev",
            Slice { .. } => "slice",
            DynamicSlice { .. } => "dynamic_slice",
            DynamicUpdateSlice => "dynamic_update_slice",
            Concatenate { .. } => "concatenate",
            Pad { .. } => "pad",
            Iota { .. } => "iota",
            Gather { .. } => "gather",
            Scatter { op, .. } => op.name(),
            Reduce { op, .. } => op.name(),
            ArgReduce { op, .. } => op.name(),
            Cumulative { op, .. } => op.name(),
            DotGeneral { .. } => "dot_general",
            Conv(_) => "conv_general_dilated",
            Sort { .. } => "sort",
            Threefry2x32 => "threefry2x32",
            Call { .. } => "pjit",
            Cond { .. } => "cond",
            While { .. } => "while",
            LinearWhile(_) => "linear_while",
            Scan { .. } => "scan",
            Remat { .. } => "checkpoint",
            CustomJvp(_) => "custom_jvp_call",
            CustomVjp(_) => "custom_vjp_call",
            CustomLin(_) => "custom_lin",
            ShardingConstraint { .. } => "sharding_constraint",
            Collective(c) => c.name(),
            ShardMap(_) => "shard_map",
            HostCallback(c) => c.name(),
        }
    }

    /// Parameters as printed between brackets after the name.
    pub fn params_str(&self) -> String {
        use Prim::*;
        let l = |v: &[usize]| tuple_str(v);
        match self {
            Unary(op) => op.params_str(),
            IntegerPow { y } => format!("y={y}"),
            Binary(_) | SelectN | Clamp | StopGradient | Compare(_) | Complex(_) | DynamicUpdateSlice | Threefry2x32 => String::new(),
            Fft { kind, lengths } => format!("fft_lengths={} fft_type={}", l(lengths), kind.name()),
            ConvertElementType { to, weak_type } => format!("new_dtype={to} weak_type={}", py_bool(*weak_type)),
            BitcastConvertType { to } => format!("new_dtype={to}"),
            BroadcastInDim { shape, dims } => format!("broadcast_dimensions={} shape={}", l(dims), l(shape)),
            Reshape { shape } => format!("new_sizes={}", l(shape)),
            Transpose { perm } => format!("permutation={}", l(perm)),
            Squeeze { dims } | Rev { dims } => format!("dimensions={}", l(dims)),
            Slice { start, limit, strides } => format!("limit_indices={} start_indices={} strides={}", l(limit), l(start), l(strides)),
            DynamicSlice { sizes } => format!("slice_sizes={}", l(sizes)),
            Concatenate { dim } => format!("dimension={dim}"),
            Pad { config } => format!("padding_config={config:?}"),
            Iota { dtype, shape, dim } => format!("dimension={dim} dtype={dtype} shape={}", l(shape)),
            Gather { dims, slice_sizes, mode, .. } => format!("dimension_numbers={dims:?} mode={mode:?} slice_sizes={}", l(slice_sizes)),
            Scatter { dims, mode, .. } => format!("dimension_numbers={dims:?} mode={mode:?}"),
            Reduce { axes, .. } => format!("axes={}", l(axes)),
            ArgReduce { axis, index_dtype, .. } => format!("axes=({axis},) index_dtype={index_dtype}"),
            Cumulative { axis, reverse, .. } => format!("axis={axis} reverse={}", py_bool(*reverse)),
            DotGeneral { dims, preferred } => format!(
                "dimension_numbers=(({}, {}), ({}, {})) preferred_element_type={}",
                l(&dims.lhs_contract),
                l(&dims.rhs_contract),
                l(&dims.lhs_batch),
                l(&dims.rhs_batch),
                preferred.map(|d| d.name()).unwrap_or("None")
            ),
            Conv(p) => p.params_str(),
            Sort { dim, num_keys, stable } => format!("dimension={dim} is_stable={} num_keys={num_keys}", py_bool(*stable)),
            Call { body, name } => format!("name={name} equations={}", body.0.eqns.len()),
            Cond { branches } => format!("branches={}", tuple_str(&branches.iter().map(|b| format!("{{{} equations}}", b.0.eqns.len())).collect::<Vec<_>>())),
            While { cond, body, cond_nconsts, body_nconsts } => format!(
                "body_nconsts={body_nconsts} cond_nconsts={cond_nconsts} body={{{} equations}} cond={{{} equations}}",
                body.0.eqns.len(),
                cond.0.eqns.len()
            ),
            LinearWhile(l) => l.params_str(),
            Scan { body, length, reverse, num_consts, num_carry, unroll } => format!(
                "length={length} num_carry={num_carry} num_consts={num_consts} reverse={} unroll={unroll} jaxpr={{{} equations}}",
                py_bool(*reverse),
                body.0.eqns.len()
            ),
            Remat { body } => format!("prevent_cse=True jaxpr={{{} equations}}", body.0.eqns.len()),
            CustomJvp(c) => c.params_str(),
            CustomVjp(c) => c.params_str(),
            CustomLin(c) => c.params_str(),
            ShardingConstraint { sharding } => format!("sharding={}", sharding.spec),
            Collective(c) => c.params_str(),
            ShardMap(sm) => sm.params_str(),
            HostCallback(c) => c.params_str(),
        }
    }

    /// The shape/dtype rule: checks the inputs and gives the output avals.
    /// Errors name the op and the offending shapes or dtypes.
    pub fn shape_rule(&self, ins: &[Aval]) -> Result<Vec<Aval>> {
        let mut outs = self.shape_rule_unsharded(ins)?;
        if ins.iter().any(|a| a.sharding.is_some()) {
            crate::sharding::rules::propagate(self, ins, &mut outs)?;
        }
        Ok(outs)
    }

    fn shape_rule_unsharded(&self, ins: &[Aval]) -> Result<Vec<Aval>> {
        use Prim::*;
        let one = |a: Result<Aval>| a.map(|a| vec![a]);
        match self {
            Unary(op) => one(elementwise::unary_shape(*op, ins)),
            IntegerPow { y } => one(elementwise::integer_pow_shape(*y, ins)),
            Binary(op) => one(elementwise::binary_shape(*op, ins)),
            SelectN => one(elementwise::select_n_shape(ins)),
            Clamp => one(elementwise::clamp_shape(ins)),
            ConvertElementType { to, weak_type } => one(elementwise::convert_shape(*to, *weak_type, ins)),
            BitcastConvertType { to } => one(elementwise::bitcast_shape(*to, ins)),
            StopGradient => one(elementwise::identity_shape("stop_gradient", ins)),
            Compare(op) => one(compare::compare_shape(*op, ins)),
            Complex(op) => one(complex::complex_shape(*op, ins)),
            Fft { kind, lengths } => one(complex::fft_shape(*kind, lengths, ins)),
            BroadcastInDim { shape, dims } => one(structural::broadcast_in_dim_shape(shape, dims, ins)),
            Reshape { shape } => one(structural::reshape_shape(shape, ins)),
            Transpose { perm } => one(structural::transpose_shape(perm, ins)),
            Squeeze { dims } => one(structural::squeeze_shape(dims, ins)),
            Rev { dims } => one(structural::rev_shape(dims, ins)),
            Slice { start, limit, strides } => one(structural::slice_shape(start, limit, strides, ins)),
            DynamicSlice { sizes } => one(structural::dynamic_slice_shape(sizes, ins)),
            DynamicUpdateSlice => one(structural::dynamic_update_slice_shape(ins)),
            Concatenate { dim } => one(structural::concatenate_shape(*dim, ins)),
            Pad { config } => one(structural::pad_shape(config, ins)),
            Iota { dtype, shape, dim } => one(structural::iota_shape(*dtype, shape, *dim, ins)),
            Gather { dims, slice_sizes, mode: _, fill: _ } => one(indexing::gather_shape(dims, slice_sizes, ins)),
            Scatter { dims, op, mode: _ } => one(indexing::scatter_shape(dims, *op, ins)),
            Reduce { op, axes } => one(reduce::reduce_shape(*op, axes, ins)),
            ArgReduce { op, axis, index_dtype } => one(reduce::arg_shape(*op, *axis, *index_dtype, ins)),
            Cumulative { op, axis, reverse: _ } => one(reduce::cumulative_shape(*op, *axis, ins)),
            DotGeneral { dims, preferred } => one(linalg::dot_general_shape(dims, *preferred, ins)),
            Conv(p) => one(conv::conv_shape(p, ins)),
            Sort { dim, num_keys, stable: _ } => sort::sort_shape(*dim, *num_keys, ins),
            Threefry2x32 => random::threefry_shape(ins),
            Call { body, name } => control::call_shape(&body.0, &format!("pjit {name}"), ins),
            Cond { branches } => control::cond::cond_shape(branches, ins),
            While { cond, body, cond_nconsts, body_nconsts } => control::while_loop::while_shape(&cond.0, &body.0, *cond_nconsts, *body_nconsts, ins),
            LinearWhile(l) => l.shape(ins),
            Scan { body, length, num_consts, num_carry, .. } => control::scan::scan_shape(&body.0, *length, *num_consts, *num_carry, ins),
            Remat { body } => control::call_shape(&body.0, "checkpoint", ins),
            CustomJvp(c) => control::call_shape(&c.body.0, "custom_jvp_call", ins),
            CustomVjp(c) => control::call_shape(&c.body.0, "custom_vjp_call", ins),
            CustomLin(c) => c.shape(ins),
            ShardingConstraint { sharding } => one(sharding::constraint_shape(sharding, ins)),
            Collective(c) => one(c.shape(ins)),
            ShardMap(sm) => sm.shape(ins),
            HostCallback(c) => c.shape(ins),
        }
    }

    /// The interpreter kernel: evaluates on host arrays. Inputs have passed
    /// the shape rule; `outs` are the avals it gave.
    pub fn eval(&self, ins: &[&HostData], outs: &[Aval]) -> Result<Vec<HostData>> {
        use Prim::*;
        crate::runtime::host::check_alloc(self.name(), outs)?;
        // XLA's floating-point mode (host callbacks run user code in the default mode)
        let _flush = (!matches!(self, HostCallback(_))).then(crate::runtime::denormals::FlushDenormals::on);
        let one = |h: Result<HostData>| h.map(|h| vec![h]);
        match self {
            Unary(op) => one(elementwise::unary_eval(*op, ins[0])),
            IntegerPow { y } => one(elementwise::integer_pow_eval(*y, ins[0])),
            Binary(op) => one(elementwise::binary_eval(*op, ins[0], ins[1])),
            SelectN => one(elementwise::select_n_eval(ins)),
            Clamp => one(elementwise::clamp_eval(ins[0], ins[1], ins[2])),
            ConvertElementType { to, .. } => one(Ok(ins[0].cast(*to))),
            BitcastConvertType { to } => one(elementwise::bitcast_eval(*to, ins[0], &outs[0])),
            StopGradient => one(Ok(ins[0].clone())),
            Compare(op) => one(compare::compare_eval(*op, ins[0], ins[1])),
            Complex(_) | Fft { .. } => crate::bail!(
                NotImplemented,
                "{} is computed by XLA; the interpreter has no complex arithmetic (no PJRT plugin is loaded?)",
                self.name()
            ),
            BroadcastInDim { shape, dims } => one(structural::broadcast_in_dim_eval(shape, dims, ins[0])),
            Reshape { shape } => one(Ok(ins[0].reshaped(shape))),
            Transpose { perm } => one(structural::transpose_eval(perm, ins[0])),
            Squeeze { .. } => one(Ok(ins[0].reshaped(&outs[0].shape))),
            Rev { dims } => one(structural::rev_eval(dims, ins[0])),
            Slice { start, limit, strides } => one(structural::slice_eval(start, limit, strides, ins[0])),
            DynamicSlice { sizes } => one(structural::dynamic_slice_eval(sizes, ins)),
            DynamicUpdateSlice => one(structural::dynamic_update_slice_eval(ins)),
            Concatenate { dim } => one(structural::concatenate_eval(*dim, ins)),
            Pad { config } => one(structural::pad_eval(config, ins[0], ins[1], &outs[0])),
            Iota { dtype, shape, dim } => one(Ok(structural::iota_eval(*dtype, shape, *dim))),
            Gather { dims, slice_sizes, mode, fill } => one(indexing::gather_eval(dims, slice_sizes, *mode, *fill, ins[0], ins[1], &outs[0])),
            Scatter { dims, op, mode } => one(indexing::scatter_eval(dims, *op, *mode, ins[0], ins[1], ins[2])),
            Reduce { op, axes } => one(reduce::reduce_eval(*op, axes, ins[0])),
            ArgReduce { op, axis, index_dtype } => one(reduce::arg_eval(*op, *axis, *index_dtype, ins[0])),
            Cumulative { op, axis, reverse } => one(reduce::cumulative_eval(*op, *axis, *reverse, ins[0])),
            DotGeneral { dims, .. } => one(linalg::dot_general_eval(dims, ins[0], ins[1], &outs[0])),
            Conv(p) => one(conv::conv_eval(p, ins[0], ins[1], &outs[0])),
            Sort { dim, num_keys, stable: _ } => sort::sort_eval(*dim, *num_keys, ins),
            Threefry2x32 => random::threefry_eval(ins),
            Call { body, .. } | Remat { body } => control::call_eval(&body.0, ins),
            Cond { branches } => control::cond::cond_eval(branches, ins),
            While { cond, body, cond_nconsts, body_nconsts } => control::while_loop::while_eval(&cond.0, &body.0, *cond_nconsts, *body_nconsts, ins),
            LinearWhile(l) => l.eval(ins),
            Scan { body, length, reverse, num_consts, num_carry, .. } => control::scan::scan_eval(&body.0, *length, *reverse, *num_consts, *num_carry, ins, outs),
            CustomJvp(c) => control::call_eval(&c.body.0, ins),
            CustomVjp(c) => control::call_eval(&c.body.0, ins),
            CustomLin(_) => crate::bail!(Type, "can't apply forward-mode autodiff (jvp) to a custom_vjp function."),
            ShardingConstraint { .. } => one(Ok(ins[0].clone())),
            Collective(c) => crate::bail!(
                Value,
                "{} over axes {:?} ran outside any shard_map or named vmap: unbound axis name",
                c.name(),
                c.axes
            ),
            ShardMap(sm) => sm.eval(ins),
            HostCallback(c) => c.eval(ins),
        }
    }
}

/// A Python-style tuple: `(1, 2)`, `(3,)`, `()`.
pub(crate) fn tuple_str<T: std::fmt::Display>(v: &[T]) -> String {
    match v.len() {
        1 => format!("({},)", v[0]),
        _ => format!("({})", v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ")),
    }
}

impl Prim {
    /// The JVP rule: output tangents from input primals, tangents and the
    /// primal outputs. Written with lax ops, so it records into the current
    /// trace. Integer and boolean outputs get symbolic zero tangents.
    pub fn jvp_rule(&self, primals: &[Array], tangents: &[Tangent], outs: &[Array]) -> Result<Vec<Tangent>> {
        use Prim::*;
        if tangents.iter().all(|t| t.is_none()) {
            return Ok(vec![None; outs.len()]);
        }
        let one = |t: Result<Tangent>| t.map(|t| vec![t]);
        match self {
            Unary(op) => one(elementwise::unary_jvp(*op, &primals[0], &tangents[0], &outs[0])),
            IntegerPow { y } => one(elementwise::integer_pow_jvp(*y, &primals[0], &tangents[0])),
            Binary(op) => one(elementwise::binary_jvp(*op, primals, tangents, &outs[0])),
            SelectN => one(elementwise::select_n_jvp(primals, tangents)),
            Clamp => one(elementwise::clamp_jvp(primals, tangents)),
            ConvertElementType { to, weak_type } => one(elementwise::convert_jvp(*to, *weak_type, &primals[0], &tangents[0])),
            BitcastConvertType { .. } | StopGradient | Compare(_) | Iota { .. } | ArgReduce { .. } | Threefry2x32 => {
                Ok(vec![None; outs.len()])
            }
            BroadcastInDim { .. } | Reshape { .. } | Transpose { .. } | Squeeze { .. } | Rev { .. } | Slice { .. } | Reduce { op: ReduceOp::Sum, .. } => {
                one(linear_unary_jvp(self, &tangents[0]))
            }
            Cumulative { op: CumOp::Sum, .. } | ShardingConstraint { .. } => one(linear_unary_jvp(self, &tangents[0])),
            Complex(op) => one(complex::complex_jvp(*op, primals, tangents)),
            Fft { kind, lengths } => one(complex::fft_jvp(*kind, lengths, &tangents[0])),
            DynamicSlice { .. } => one(structural::dynamic_slice_jvp(self, primals, tangents)),
            DynamicUpdateSlice => one(structural::dynamic_update_slice_jvp(primals, tangents)),
            Concatenate { .. } => one(structural::concatenate_jvp(self, primals, tangents)),
            Pad { .. } => one(structural::pad_jvp(self, primals, tangents)),
            Gather { .. } => one(linear_in_first_jvp(self, primals, &tangents[0])),
            Scatter { dims, op, mode } => one(indexing::scatter_jvp(dims, *op, *mode, primals, tangents, &outs[0])),
            Reduce { op, axes } => one(reduce::reduce_jvp(*op, axes, &primals[0], &tangents[0], &outs[0])),
            Cumulative { op, axis, reverse } => one(reduce::cumulative_jvp(*op, *axis, *reverse, &primals[0], &tangents[0])),
            DotGeneral { dims, preferred } => one(linalg::dot_general_jvp(dims, *preferred, primals, tangents)),
            Conv(p) => one(conv::conv_jvp(p, primals, tangents)),
            Sort { dim, num_keys, .. } => sort::sort_jvp(*dim, *num_keys, primals, tangents),
            Call { body, name } => control::call_jvp(&body.0, name, primals, tangents),
            Cond { .. } | While { .. } | LinearWhile(_) | Scan { .. } | Remat { .. } | CustomJvp(_) | CustomVjp(_) => {
                unreachable!("{} has a joint JVP rule", self.name())
            }
            CustomLin(_) => crate::bail!(Type, "can't differentiate the linear part of a custom_vjp function: only its transpose (bwd) is defined"),
            Collective(c) => one(c.jvp(&tangents[0])),
            ShardMap(_) => unreachable!("shard_map has a joint JVP rule"),
            HostCallback(c) => c.jvp(primals, outs),
        }
    }

    /// A JVP rule that binds one equation giving both the primal outputs and
    /// their tangents (primitives holding sub-graphs, so the body is run once).
    /// `None` for primitives that use `jvp_rule`.
    pub fn jvp_joint(&self, primals: &[Array], tangents: &[Tangent]) -> Option<Result<(Vec<Array>, Vec<Tangent>)>> {
        use Prim::*;
        if tangents.iter().all(|t| t.is_none()) {
            return None;
        }
        Some(match self {
            Cond { branches } => control::cond::cond_jvp(branches, primals, tangents),
            While { cond, body, cond_nconsts, body_nconsts } => control::while_loop::while_jvp(&cond.0, &body.0, *cond_nconsts, *body_nconsts, primals, tangents),
            LinearWhile(l) => l.jvp(primals, tangents),
            Scan { body, length, reverse, num_consts, num_carry, unroll } => {
                control::scan::scan_jvp(&body.0, *length, *reverse, *num_consts, *num_carry, *unroll, primals, tangents)
            }
            Remat { body } => control::custom::remat_jvp(&body.0, primals, tangents),
            CustomJvp(c) => c.jvp(primals, tangents),
            CustomVjp(c) => c.jvp(primals, tangents),
            ShardMap(sm) => sm.jvp(primals, tangents),
            _ => return None,
        })
    }

    /// The transpose rule of a linear primitive: cotangents of the linear
    /// inputs from the output cotangents. Only linear primitives have one.
    pub fn transpose_rule(&self, cts: &[Tangent], args: &[LinArg]) -> Result<Vec<Tangent>> {
        use Prim::*;
        // several outputs: these rules take all their cotangents
        match self {
            Call { body, name } => return control::call_transpose(&body.0, name, cts, args),
            Remat { body } => return control::call_transpose(&body.0, "checkpoint", cts, args),
            Cond { branches } => return control::cond::cond_transpose(branches, cts, args),
            Scan { body, length, reverse, num_consts, num_carry, unroll } => {
                return control::scan::scan_transpose(&body.0, *length, *reverse, *num_consts, *num_carry, *unroll, cts, args)
            }
            LinearWhile(l) => return l.transpose(cts, args),
            CustomLin(c) => return c.transpose(cts, args),
            ShardMap(sm) => return sm.transpose(cts, args),
            _ => {}
        }
        let ct = match &cts[0] {
            Some(c) => c,
            None => return Ok(vec![None; args.len()]),
        };
        match self {
            Unary(UnaryOp::Neg) => Ok(vec![Some(crate::lax::neg(ct)?)]),
            Binary(op) => elementwise::binary_transpose(*op, ct, args),
            SelectN => elementwise::select_n_transpose(ct, args),
            Complex(op) => complex::complex_transpose(*op, ct, args),
            Fft { kind, lengths } => complex::fft_transpose(*kind, lengths, ct),
            ConvertElementType { .. } => Ok(vec![Some(crate::lax::convert_element_type(ct, args[0].aval().dtype)?)]),
            BroadcastInDim { dims, .. } => Ok(vec![Some(structural::broadcast_in_dim_transpose(dims, ct, &args[0].aval())?)]),
            Reshape { .. } | Squeeze { .. } => Ok(vec![Some(crate::lax::reshape(ct, &args[0].aval().shape)?)]),
            Transpose { perm } => Ok(vec![Some(structural::transpose_transpose(perm, ct)?)]),
            Rev { dims } => Ok(vec![Some(crate::lax::rev(ct, dims)?)]),
            Slice { start, limit, strides } => Ok(vec![Some(structural::slice_transpose(start, limit, strides, ct, &args[0].aval())?)]),
            DynamicSlice { .. } => structural::dynamic_slice_transpose(ct, args),
            DynamicUpdateSlice => structural::dynamic_update_slice_transpose(ct, args),
            Concatenate { dim } => structural::concatenate_transpose(*dim, ct, args),
            Pad { config } => structural::pad_transpose(config, ct, args),
            Gather { dims, slice_sizes, mode, .. } => indexing::gather_transpose(dims, slice_sizes, *mode, ct, args),
            Scatter { dims, op, mode } => indexing::scatter_transpose(dims, *op, *mode, ct, args),
            Reduce { op: ReduceOp::Sum, axes } => Ok(vec![Some(reduce::reduce_sum_transpose(axes, ct, &args[0].aval())?)]),
            Cumulative { op: CumOp::Sum, axis, reverse } => Ok(vec![Some(crate::lax::cumsum(ct, *axis, !*reverse)?)]),
            DotGeneral { dims, .. } => linalg::dot_general_transpose(dims, ct, args),
            Conv(p) => conv::conv_transpose(p, ct, args),
            ShardingConstraint { sharding } => Ok(vec![Some(sharding::constraint_transpose(sharding, ct, &args[0].aval())?)]),
            Collective(c) => c.transpose(ct, args),
            Call { .. } | Remat { .. } | Cond { .. } | Scan { .. } | LinearWhile(_) | CustomLin(_) | ShardMap(_) => unreachable!("handled above"),
            While { .. } => crate::bail!(
                Value,
                "Reverse-mode differentiation does not work for a while loop whose tangents were not split off by its JVP rule"
            ),
            CustomJvp(_) | CustomVjp(_) | HostCallback(_) => crate::bail!(Value, "{} is not a linear primitive: it has no transpose rule", self.name()),
            Unary(_) | IntegerPow { .. } | Clamp | BitcastConvertType { .. } | StopGradient | Compare(_) | Iota { .. } | Reduce { .. }
            | ArgReduce { .. } | Cumulative { .. } | Sort { .. } | Threefry2x32 => {
                crate::bail!(Value, "{} is not a linear primitive: it has no transpose rule", self.name())
            }
        }
    }

    /// The batching rule: the primitive applied to operands with a batch
    /// dimension at `dims[i]` (None: unbatched) of size `size`. Gives the
    /// outputs and where their batch dimension is.
    pub fn batch_rule(&self, args: &[Array], dims: &[Option<usize>], size: usize) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
        use Prim::*;
        match self {
            Unary(_) | IntegerPow { .. } | ConvertElementType { .. } | StopGradient | BitcastConvertType { .. } => {
                let x = crate::transform::batching::move_to_front(&args[0], dims[0])?;
                let out = crate::trace::bind(self.clone(), &[&x])?;
                Ok((out, vec![Some(0)]))
            }
            Binary(_) | Compare(_) | SelectN | Clamp | Threefry2x32 | Complex(ComplexOp::Make) => elementwise::elementwise_batch(self, args, dims, size),
            Complex(_) => {
                let x = crate::transform::batching::move_to_front(&args[0], dims[0])?;
                Ok((crate::trace::bind(self.clone(), &[&x])?, vec![Some(0)]))
            }
            Fft { .. } => complex::fft_batch(self, &args[0], dims[0]),
            BroadcastInDim { .. } | Reshape { .. } | Transpose { .. } | Squeeze { .. } | Rev { .. } | Slice { .. } | Reduce { .. }
            | ArgReduce { .. } | Cumulative { .. } => structural::unary_batch(self, &args[0], dims[0]),
            DynamicSlice { sizes } => structural::dynamic_slice_batch(sizes, args, dims, size),
            DynamicUpdateSlice => structural::dynamic_update_slice_batch(args, dims, size),
            Concatenate { dim } => structural::concatenate_batch(*dim, args, dims, size),
            Pad { config } => structural::pad_batch(config, args, dims, size),
            Iota { .. } => Ok((crate::trace::bind(self.clone(), &[])?, vec![None])),
            Gather { dims: gd, slice_sizes, mode, fill } => indexing::gather_batch(gd, slice_sizes, *mode, *fill, args, dims, size),
            Scatter { dims: sd, op, mode } => indexing::scatter_batch(sd, *op, *mode, args, dims, size),
            DotGeneral { dims: dd, preferred } => linalg::dot_general_batch(dd, *preferred, args, dims),
            Conv(p) => conv::conv_batch(p, args, dims),
            Sort { dim, num_keys, stable } => sort::sort_batch(*dim, *num_keys, *stable, args, dims, size),
            Call { body, name } => control::call_batch(&body.0, name, args, dims, size),
            Cond { branches } => control::cond::cond_batch(branches, args, dims, size),
            While { cond, body, cond_nconsts, body_nconsts } => control::while_loop::while_batch(&cond.0, &body.0, *cond_nconsts, *body_nconsts, args, dims, size),
            LinearWhile(l) => l.batch(args, dims, size),
            Scan { body, length, reverse, num_consts, num_carry, unroll } => {
                control::scan::scan_batch(&body.0, *length, *reverse, *num_consts, *num_carry, *unroll, args, dims, size)
            }
            Remat { body } => control::custom::remat_batch(&body.0, args, dims, size),
            CustomJvp(c) => c.batch(args, dims, size),
            CustomVjp(c) => c.batch(args, dims, size),
            CustomLin(c) => c.batch(args, dims, size),
            ShardingConstraint { sharding } => sharding::constraint_batch(sharding, &args[0], dims[0]),
            Collective(c) => c.batch(args, dims, size),
            ShardMap(sm) => sm.batch(args, dims, size),
            HostCallback(c) => c.batch(args, dims, size),
        }
    }
}

/// JVP of a primitive linear in its only operand: the same primitive on the tangent.
fn linear_unary_jvp(p: &Prim, t: &Tangent) -> Result<Tangent> {
    match t {
        None => Ok(None),
        Some(t) => Ok(Some(crate::trace::bind1(p.clone(), &[t])?)),
    }
}

/// JVP of a primitive linear in its first operand, the rest being indices.
fn linear_in_first_jvp(p: &Prim, primals: &[Array], t: &Tangent) -> Result<Tangent> {
    match t {
        None => Ok(None),
        Some(t) => {
            let mut ins: Vec<&Array> = vec![t];
            ins.extend(primals[1..].iter());
            Ok(Some(crate::trace::bind1(p.clone(), &ins)?))
        }
    }
}

/// A tangent made concrete: zeros of the primal's aval when symbolic.
pub fn instantiate(t: &Tangent, like: &Aval) -> Result<Array> {
    match t {
        Some(t) => Ok(t.clone()),
        None => crate::numpy::zeros(&like.shape, like.dtype),
    }
}

/// Adds two possibly-zero tangents.
pub fn add_tangents(a: Tangent, b: Tangent) -> Result<Tangent> {
    Ok(match (a, b) {
        (None, b) => b,
        (a, None) => a,
        (Some(a), Some(b)) => Some(crate::lax::add(&a, &b)?),
    })
}

pub(crate) fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// Checks the number of operands of `op`.
pub(crate) fn arity(op: &str, ins: &[Aval], n: usize) -> Result<()> {
    if ins.len() != n {
        crate::bail!(Type, "{op} takes {n} operand(s), got {}", ins.len());
    }
    Ok(())
}

/// Checks that `axis` is a valid dimension of a rank-`ndim` operand of `op`.
pub(crate) fn check_axis(op: &str, axis: usize, ndim: usize) -> Result<()> {
    if axis >= ndim {
        crate::bail!(Value, "{op}: axis {axis} is out of bounds for an array of rank {ndim}");
    }
    Ok(())
}

/// `float32[3,4]`-style list of avals for messages.
pub(crate) fn avals_str(ins: &[Aval]) -> String {
    ins.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")
}
