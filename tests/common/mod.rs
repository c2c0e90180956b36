//! The table of primitive cases shared by the transformation tests and the
//! interpreter-vs-XLA tests: one or more rows per primitive, with inputs
//! drawn from each operand's domain.

#![allow(dead_code)]

use jaxcore::lax;
use jaxcore::numpy as jnp;
use jaxcore::prim::*;
use jaxcore::{Array, DType, Function, Result};
use std::sync::Arc;

#[derive(Clone, Copy)]
pub enum Dom {
    Real,
    Pos,
    Unit,
    GtOne,
    /// ints in [lo, hi)
    Int(i32, i32),
    Bool,
    U32,
}

pub type Body = Arc<dyn Fn(&[Array]) -> Result<Array> + Send + Sync>;

pub struct Case {
    pub name: &'static str,
    pub args: Vec<(Vec<usize>, Dom)>,
    pub f: Body,
    pub smooth: bool,
}

pub fn case(name: &'static str, args: Vec<(Vec<usize>, Dom)>, smooth: bool, f: impl Fn(&[Array]) -> Result<Array> + Send + Sync + 'static) -> Case {
    Case { name, args, f: Arc::new(f), smooth }
}

pub fn sample(shape: &[usize], dom: Dom, seed: u32) -> Array {
    let key = jaxcore::random::fold_in(&jaxcore::random::key(7), seed).unwrap();
    let n: usize = shape.iter().product();
    let u = jaxcore::random::uniform(&key, &[n.max(1)], DType::F64, 0.0, 1.0).unwrap().to_vec::<f64>().unwrap();
    let v: Vec<f64> = u[..n].iter().map(|&u| match dom {
        Dom::Real => 4.0 * u - 2.0,
        Dom::Pos => 0.5 + 2.0 * u,
        Dom::Unit => 1.6 * u - 0.8,
        Dom::GtOne => 1.2 + 2.0 * u,
        Dom::Int(lo, hi) => (lo as f64 + (u * (hi - lo) as f64).floor()).min(hi as f64 - 1.0),
        Dom::Bool => (u > 0.5) as i32 as f64,
        Dom::U32 => (u * 4e9).floor(),
    }).collect();
    let d = match dom {
        Dom::Int(..) => DType::I32,
        Dom::Bool => DType::Bool,
        Dom::U32 => DType::U32,
        _ => DType::F64,
    };
    jnp::array_f64(&v, shape, Some(d)).unwrap()
}

pub fn f64v(x: &Array) -> Vec<f64> {
    x.to_f64_vec().unwrap()
}

pub fn close(a: &[f64], b: &[f64], rtol: f64, atol: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let ok = (x - y).abs() <= atol + rtol * y.abs().max(x.abs()) || (x.is_nan() && y.is_nan());
        assert!(ok, "{what}: element {i}: {x} vs {y}\n got  {a:?}\n want {b:?}");
    }
}

pub fn cases() -> Vec<Case> {
    use Dom::*;
    let m = || vec![3usize, 4];
    let mut v = Vec::new();
    for op in UnaryOp::ALL {
        let dom = match op {
            UnaryOp::Log | UnaryOp::Sqrt | UnaryOp::Rsqrt | UnaryOp::Lgamma | UnaryOp::Digamma | UnaryOp::Polygamma(_) => Pos,
            UnaryOp::Asin | UnaryOp::Acos | UnaryOp::Atanh | UnaryOp::ErfInv => Unit,
            UnaryOp::Acosh => GtOne,
            UnaryOp::Not => Int(-5, 5),
            UnaryOp::Log1p => Pos,
            _ => Real,
        };
        let smooth = !matches!(op, UnaryOp::Sign | UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round | UnaryOp::RoundEven | UnaryOp::IsFinite | UnaryOp::Not | UnaryOp::Abs | UnaryOp::Polygamma(_));
        v.push(case(op.name(), vec![(m(), dom)], smooth, move |x| jaxcore::trace::bind1(Prim::Unary(op), &[&x[0]])));
    }
    v.push(case("integer_pow", vec![(m(), Real)], true, |x| lax::integer_pow(&x[0], 3)));
    v.push(case("integer_pow", vec![(m(), Pos)], true, |x| lax::integer_pow(&x[0], -2)));
    for op in BinaryOp::ALL {
        let (da, db, smooth) = match op {
            BinaryOp::Div => (Real, Pos, true),
            BinaryOp::Rem => (Pos, Pos, false),
            BinaryOp::Pow => (Pos, Real, true),
            BinaryOp::Max | BinaryOp::Min => (Real, Real, false),
            BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => (Int(-9, 9), Int(-9, 9), false),
            BinaryOp::ShiftLeft | BinaryOp::ShiftRightLogical | BinaryOp::ShiftRightArithmetic => (Int(-99, 99), Int(0, 40), false),
            BinaryOp::Nextafter => (Real, Real, false),
            _ => (Real, Real, true),
        };
        v.push(case(op.name(), vec![(m(), da), (m(), db)], smooth, move |x| jaxcore::trace::bind1(Prim::Binary(op), &[&x[0], &x[1]])));
    }
    v.push(case("mul", vec![(m(), Real), (vec![], Real)], true, |x| lax::mul(&x[0], &x[1])));
    v.push(case("pow", vec![(m(), Pos), (m(), Int(-2, 3))], true, |x| lax::pow(&x[0], &x[1])));
    for op in CmpOp::ALL {
        v.push(case(op.name(), vec![(m(), Real), (m(), Real)], false, move |x| jaxcore::trace::bind1(Prim::Compare(op), &[&x[0], &x[1]])));
    }
    v.push(case("select_n", vec![(m(), Int(0, 3)), (m(), Real), (m(), Real), (m(), Real)], false, |x| lax::select_n(&x[0], &[&x[1], &x[2], &x[3]])));
    v.push(case("select_n", vec![(m(), Bool), (m(), Real), (m(), Real)], false, |x| lax::select_n(&x[0], &[&x[1], &x[2]])));
    v.push(case("clamp", vec![(vec![], Unit), (m(), Real), (vec![], Pos)], false, |x| lax::clamp(&x[0], &x[1], &x[2])));
    v.push(case("convert_element_type", vec![(m(), Real)], true, |x| lax::convert_element_type(&lax::mul(&x[0], &x[0])?, DType::F32)));
    v.push(case("convert_element_type", vec![(m(), Real)], false, |x| lax::convert_element_type(&x[0], DType::I32)));
    v.push(case("bitcast_convert_type", vec![(m(), Real)], false, |x| lax::bitcast_convert_type(&x[0], DType::U32)));
    // stop_gradient's terms cancel in value, so finite differences see only x
    v.push(case("stop_gradient", vec![(m(), Real)], true, |x| lax::add(&lax::sub(&lax::stop_gradient(&x[0])?, &lax::stop_gradient(&x[0])?)?, &lax::sin(&x[0])?)));
    v.push(case("broadcast_in_dim", vec![(vec![3], Real)], true, |x| lax::broadcast_in_dim(&x[0], &[2, 3, 4], &[1])));
    v.push(case("broadcast_in_dim", vec![(vec![3, 1], Real)], true, |x| lax::broadcast_in_dim(&x[0], &[3, 5], &[0, 1])));
    v.push(case("reshape", vec![(m(), Real)], true, |x| lax::reshape(&x[0], &[2, 6])));
    v.push(case("transpose", vec![(vec![3, 4, 2], Real)], true, |x| lax::transpose(&x[0], &[2, 0, 1])));
    v.push(case("squeeze", vec![(vec![3, 1, 4], Real)], true, |x| lax::squeeze(&x[0], &[1])));
    v.push(case("rev", vec![(m(), Real)], true, |x| lax::rev(&x[0], &[0, 1])));
    v.push(case("slice", vec![(vec![5, 6], Real)], true, |x| lax::slice(&x[0], &[1, 0], &[4, 6], Some(&[2, 3]))));
    v.push(case("dynamic_slice", vec![(vec![5, 6], Real), (vec![], Int(-1, 6)), (vec![], Int(0, 5))], true, |x| lax::dynamic_slice(&x[0], &[&x[1], &x[2]], &[2, 3])));
    v.push(case("dynamic_update_slice", vec![(vec![5, 6], Real), (vec![2, 3], Real), (vec![], Int(0, 5)), (vec![], Int(-2, 5))], true, |x| {
        lax::dynamic_update_slice(&x[0], &x[1], &[&x[2], &x[3]])
    }));
    v.push(case("concatenate", vec![(vec![2, 3], Real), (vec![2, 1], Real), (vec![2, 2], Real)], true, |x| lax::concatenate(&[&x[0], &x[1], &x[2]], 1)));
    v.push(case("pad", vec![(vec![4, 3], Real), (vec![], Real)], true, |x| lax::pad(&x[0], &x[1], &[(1, -1, 1), (0, 2, 0)])));
    v.push(case("iota", vec![(m(), Real)], true, |x| lax::add(&x[0], &lax::iota(DType::F64, &[3, 4], 1)?)));
    v.push(case("gather", vec![(vec![5, 4], Real), (vec![3], Int(-5, 5))], true, |x| jnp::getitem(&x[0], &[jnp::Index::Array(x[1].clone())])));
    v.push(case("gather", vec![(vec![5, 4], Real), (vec![2], Int(0, 5)), (vec![2], Int(0, 4))], true, |x| {
        jnp::getitem(&x[0], &[jnp::Index::Array(x[1].clone()), jnp::Index::Array(x[2].clone())])
    }));
    for op in [ScatterOp::Replace, ScatterOp::Add, ScatterOp::Min, ScatterOp::Max] {
        v.push(case(op.name(), vec![(vec![5, 4], Real), (vec![3], Int(0, 5)), (vec![3, 4], Real)], false, move |x| {
            jnp::at_update(&x[0], &[jnp::Index::Array(x[1].clone())], &x[2], op)
        }));
    }
    v.push(case("scatter-mul", vec![(vec![5, 4], Real), (vec![3], Int(0, 5))], true, |x| {
        let upd = jnp::full(&[3, 4], 1.5, DType::F64)?;
        jnp::at_update(&x[0], &[jnp::Index::Array(x[1].clone())], &upd, ScatterOp::Mul)
    }));
    for op in ReduceOp::ALL {
        let (dom, smooth) = match op {
            ReduceOp::And | ReduceOp::Or => (Bool, false),
            ReduceOp::Max | ReduceOp::Min => (Real, false),
            _ => (Real, true),
        };
        v.push(case(op.name(), vec![(vec![3, 4, 2], dom)], smooth, move |x| lax::reduce(&x[0], op, &[1])));
        v.push(case(op.name(), vec![(vec![3, 4, 2], dom)], smooth, move |x| lax::reduce(&x[0], op, &[0, 2])));
    }
    v.push(case("argmax", vec![(m(), Real)], false, |x| lax::argmax(&x[0], 1, DType::I32)));
    v.push(case("argmin", vec![(m(), Real)], false, |x| lax::argmin(&x[0], 0, DType::I32)));
    for op in CumOp::ALL {
        let smooth = matches!(op, CumOp::Sum | CumOp::Prod);
        v.push(case(op.name(), vec![(vec![3, 5], Real)], smooth, move |x| lax::cumulative(&x[0], op, 1, false)));
        v.push(case(op.name(), vec![(vec![4, 3], Real)], smooth, move |x| lax::cumulative(&x[0], op, 0, true)));
    }
    v.push(case("dot_general", vec![(vec![2, 3, 4], Real), (vec![2, 4, 5], Real)], true, |x| {
        lax::dot_general(&x[0], &x[1], DotDims { lhs_contract: vec![2], rhs_contract: vec![1], lhs_batch: vec![0], rhs_batch: vec![0] }, None)
    }));
    v.push(case("dot_general", vec![(vec![4, 3, 2], Real), (vec![5, 4], Real)], true, |x| {
        lax::dot_general(&x[0], &x[1], DotDims { lhs_contract: vec![0], rhs_contract: vec![1], ..Default::default() }, None)
    }));
    let conv = |strides: &[usize], padding: &[(i64, i64)], ld: &[usize], rd: &[usize], specs: [&[usize]; 3], groups: (usize, usize)| ConvParams {
        strides: strides.to_vec(),
        padding: padding.to_vec(),
        lhs_dilation: ld.to_vec(),
        rhs_dilation: rd.to_vec(),
        lhs_spec: specs[0].to_vec(),
        rhs_spec: specs[1].to_vec(),
        out_spec: specs[2].to_vec(),
        feature_groups: groups.0,
        batch_groups: groups.1,
        preferred: None,
    };
    let nchw: [&[usize]; 3] = [&[0, 1, 2, 3], &[0, 1, 2, 3], &[0, 1, 2, 3]];
    let p = conv(&[1, 1], &[(1, 1), (1, 1)], &[1, 1], &[1, 1], nchw, (1, 1));
    v.push(case("conv_general_dilated", vec![(vec![2, 4, 5, 5], Real), (vec![3, 4, 3, 3], Real)], true, move |x| lax::conv_general_dilated(&x[0], &x[1], p.clone())));
    // NHWC / HWIO, strides, negative padding, input and kernel dilation
    let p = conv(&[2, 1], &[(1, 0), (0, -1)], &[1, 2], &[2, 1], [&[0, 3, 1, 2], &[3, 2, 0, 1], &[0, 3, 1, 2]], (1, 1));
    v.push(case("conv_general_dilated", vec![(vec![2, 6, 4, 4], Real), (vec![2, 3, 4, 3], Real)], true, move |x| lax::conv_general_dilated(&x[0], &x[1], p.clone())));
    let p = conv(&[1, 2], &[(0, 1), (1, 1)], &[1, 1], &[1, 1], nchw, (2, 1));
    v.push(case("conv_general_dilated", vec![(vec![2, 4, 4, 5], Real), (vec![6, 2, 2, 3], Real)], true, move |x| lax::conv_general_dilated(&x[0], &x[1], p.clone())));
    let p = conv(&[1, 1], &[(0, 0), (1, 0)], &[1, 1], &[1, 1], nchw, (1, 2));
    v.push(case("conv_general_dilated", vec![(vec![4, 3, 4, 4], Real), (vec![4, 3, 2, 2], Real)], true, move |x| lax::conv_general_dilated(&x[0], &x[1], p.clone())));
    let p = conv(&[2], &[(2, 1)], &[1], &[2], [&[0, 1, 2], &[0, 1, 2], &[0, 1, 2]], (1, 1));
    v.push(case("conv_general_dilated", vec![(vec![2, 3, 7], Real), (vec![4, 3, 3], Real)], true, move |x| lax::conv_general_dilated(&x[0], &x[1], p.clone())));
    v.push(case("sort", vec![(vec![3, 5], Real), (vec![3, 5], Real)], false, |x| Ok(lax::sort(&[&x[0], &x[1]], 1, 1, true)?.pop().unwrap())));
    v.push(case("sort", vec![(vec![4, 3], Real)], false, |x| Ok(lax::sort(&[&x[0]], 0, 1, true)?.pop().unwrap())));
    v.push(case("pjit", vec![(m(), Real), (m(), Pos)], true, |x| {
        let inner = jaxcore::transform::jit(&Function::new("inner", |a| Ok(vec![lax::mul(&lax::sin(&a[0])?, &lax::log(&a[1])?)?])), &[], &[]);
        Ok(inner.call(x)?.pop().unwrap())
    }));
    v.push(case("sharding_constraint", vec![(m(), Real)], true, |x| {
        // a one-device mesh: the rules are those of any mesh
        let mesh = jaxcore::Mesh::make(&[1], &["d"], &[jaxcore::AxisType::Auto])?;
        let s = jaxcore::NamedSharding::new(&mesh, jaxcore::PartitionSpec::axes(&[Some("d")]))?;
        jaxcore::sharding::spmd::sharding_constraint(&lax::sin(&x[0])?, &s)
    }));
    v.push(case("threefry2x32", vec![(vec![3], U32), (vec![3], U32), (vec![3], U32), (vec![3], U32)], false, |x| {
        Ok(lax::threefry2x32(&x[0], &x[1], &x[2], &x[3])?.0)
    }));
    v
}

/// Fails to compile when a primitive is added without a row in `cases()`.
pub fn kind(p: &Prim) -> &'static str {
    use Prim::*;
    match p {
        Unary(_) | IntegerPow { .. } | Binary(_) | SelectN | Clamp | ConvertElementType { .. } | BitcastConvertType { .. } | StopGradient | Compare(_) => "elementwise",
        BroadcastInDim { .. } | Reshape { .. } | Transpose { .. } | Squeeze { .. } | Rev { .. } | Slice { .. } | DynamicSlice { .. } | DynamicUpdateSlice
        | Concatenate { .. } | Pad { .. } | Iota { .. } => "structural",
        Gather { .. } | Scatter { .. } => "indexing",
        Reduce { .. } | ArgReduce { .. } | Cumulative { .. } => "reduce",
        DotGeneral { .. } | Conv(_) => "linalg",
        Sort { .. } => "sort",
        Threefry2x32 => "random",
        ShardingConstraint { .. } => "sharding",
        // manual mode: tests/sharding.rs checks each collective against a host computation
        Collective(_) | ShardMap(_) => "manual",
        // sub-graph primitives: tests/jit_boundary.rs and tests/control_flow.rs
        Call { .. } | Cond { .. } | While { .. } | LinearWhile(_) | Scan { .. } | Remat { .. } | CustomJvp(_) | CustomVjp(_) | CustomLin(_) => "control",
        // host functions: tests/callbacks.rs
        HostCallback(_) => "callback",
        // complex numbers and the FFT (computed by XLA): tests/complex.rs
        Complex(_) | Fft { .. } => "complex",
    }
}

pub fn fun(c: &Case) -> Function {
    let f = c.f.clone();
    Function::new(c.name, move |x| Ok(vec![f(x)?]))
}

pub fn inputs(c: &Case, seed: u32) -> Vec<Array> {
    c.args.iter().enumerate().map(|(i, (s, d))| sample(s, *d, seed * 16 + i as u32)).collect()
}

pub fn is_float(x: &Array) -> bool {
    x.dtype().is_float()
}

