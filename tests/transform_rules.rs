//! Table-driven checks of every primitive's transformation rules, in f64 at
//! random points: JVP against central finite differences, VJP against JVP
//! (<vjp(c), t> = <c, jvp(t)>), vmap against a loop (batch axis first, last,
//! and unmapped arguments), and grad of grad for the smooth ones.

use jaxcore::lax;
use jaxcore::numpy as jnp;
use jaxcore::prim::*;
use jaxcore::transform::{grad, jvp, vjp, vmap};
use jaxcore::{Array, DType, Function, Result};
use std::collections::BTreeSet;
use std::sync::Arc;

#[derive(Clone, Copy)]
enum Dom {
    Real,
    Pos,
    Unit,
    GtOne,
    /// ints in [lo, hi)
    Int(i32, i32),
    Bool,
    U32,
}

type Body = Arc<dyn Fn(&[Array]) -> Result<Array> + Send + Sync>;

struct Case {
    name: &'static str,
    args: Vec<(Vec<usize>, Dom)>,
    f: Body,
    smooth: bool,
}

fn case(name: &'static str, args: Vec<(Vec<usize>, Dom)>, smooth: bool, f: impl Fn(&[Array]) -> Result<Array> + Send + Sync + 'static) -> Case {
    Case { name, args, f: Arc::new(f), smooth }
}

fn sample(shape: &[usize], dom: Dom, seed: u32) -> Array {
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

fn f64v(x: &Array) -> Vec<f64> {
    x.to_f64_vec().unwrap()
}

fn close(a: &[f64], b: &[f64], rtol: f64, atol: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let ok = (x - y).abs() <= atol + rtol * y.abs().max(x.abs()) || (x.is_nan() && y.is_nan());
        assert!(ok, "{what}: element {i}: {x} vs {y}\n got  {a:?}\n want {b:?}");
    }
}

fn cases() -> Vec<Case> {
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
    v.push(case("sort", vec![(vec![3, 5], Real), (vec![3, 5], Real)], false, |x| Ok(lax::sort(&[&x[0], &x[1]], 1, 1, true)?.pop().unwrap())));
    v.push(case("sort", vec![(vec![4, 3], Real)], false, |x| Ok(lax::sort(&[&x[0]], 0, 1, true)?.pop().unwrap())));
    v.push(case("threefry2x32", vec![(vec![3], U32), (vec![3], U32), (vec![3], U32), (vec![3], U32)], false, |x| {
        Ok(lax::threefry2x32(&x[0], &x[1], &x[2], &x[3])?.0)
    }));
    v
}

/// Fails to compile when a primitive is added without a row in `cases()`.
fn kind(p: &Prim) -> &'static str {
    use Prim::*;
    match p {
        Unary(_) | IntegerPow { .. } | Binary(_) | SelectN | Clamp | ConvertElementType { .. } | BitcastConvertType { .. } | StopGradient | Compare(_) => "elementwise",
        BroadcastInDim { .. } | Reshape { .. } | Transpose { .. } | Squeeze { .. } | Rev { .. } | Slice { .. } | DynamicSlice { .. } | DynamicUpdateSlice
        | Concatenate { .. } | Pad { .. } | Iota { .. } => "structural",
        Gather { .. } | Scatter { .. } => "indexing",
        Reduce { .. } | ArgReduce { .. } | Cumulative { .. } => "reduce",
        DotGeneral { .. } => "linalg",
        Sort { .. } => "sort",
        Threefry2x32 => "random",
    }
}

fn fun(c: &Case) -> Function {
    let f = c.f.clone();
    Function::new(c.name, move |x| Ok(vec![f(x)?]))
}

fn inputs(c: &Case, seed: u32) -> Vec<Array> {
    c.args.iter().enumerate().map(|(i, (s, d))| sample(s, *d, seed * 16 + i as u32)).collect()
}

fn is_float(x: &Array) -> bool {
    x.dtype().is_float()
}

#[test]
fn every_primitive_has_a_row() {
    let mut seen = BTreeSet::new();
    for c in cases() {
        let xs = inputs(&c, 1);
        let g = fun(&c).graph(&jaxcore::trace::avals_of(&xs)).unwrap();
        for e in &g.eqns {
            kind(&e.prim);
            seen.insert(e.prim.name().to_string());
        }
    }
    let mut want: Vec<&str> = UnaryOp::ALL.iter().map(|o| o.name()).collect();
    want.extend(BinaryOp::ALL.iter().map(|o| o.name()));
    want.extend(CmpOp::ALL.iter().map(|o| o.name()));
    want.extend(ReduceOp::ALL.iter().map(|o| o.name()));
    want.extend(CumOp::ALL.iter().map(|o| o.name()));
    want.extend([
        "integer_pow", "select_n", "clamp", "convert_element_type", "bitcast_convert_type", "stop_gradient", "broadcast_in_dim", "reshape",
        "transpose", "squeeze", "rev", "slice", "dynamic_slice", "dynamic_update_slice", "concatenate", "pad", "iota", "gather", "scatter",
        "scatter-add", "scatter-mul", "scatter-min", "scatter-max", "argmax", "argmin", "dot_general", "sort", "threefry2x32",
    ]);
    let missing: Vec<&&str> = want.iter().filter(|n| !seen.contains(**n)).collect();
    assert!(missing.is_empty(), "primitives without a row: {missing:?}");
}

#[test]
fn jvp_matches_central_differences() {
    for c in cases() {
        let f = fun(&c);
        let xs = inputs(&c, 2);
        let ts: Vec<Array> = xs.iter().enumerate().map(|(i, x)| if is_float(x) { sample(x.shape(), Dom::Real, 900 + i as u32) } else { jnp::zeros_like(x).unwrap() }).collect();
        let (ys, tys) = jvp(&f, &xs, &ts).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        if !is_float(&ys[0]) {
            assert!(f64v(&tys[0]).iter().all(|&t| t == 0.0), "{}: integer output with a nonzero tangent", c.name);
            continue;
        }
        // float32 outputs need a larger step for the difference to resolve
        let eps = if ys[0].dtype() == DType::F32 { 1e-3 } else { 1e-6 };
        let shifted = |s: f64| -> Vec<f64> {
            let xe: Vec<Array> = xs.iter().zip(&ts).map(|(x, t)| if is_float(x) { jnp::add(x, &jnp::multiply(t, &jnp::scalar(s)).unwrap()).unwrap() } else { x.clone() }).collect();
            f64v(&f.call(&xe).unwrap()[0])
        };
        let (p, m) = (shifted(eps), shifted(-eps));
        let fd: Vec<f64> = p.iter().zip(&m).map(|(a, b)| (a - b) / (2.0 * eps)).collect();
        let (rtol, atol) = if ys[0].dtype() == DType::F32 { (5e-3, 1e-3) } else { (1e-5, 1e-6) };
        close(&f64v(&tys[0]), &fd, rtol, atol, &format!("jvp of {}", c.name));
    }
}

#[test]
fn vjp_is_the_transpose_of_jvp() {
    for c in cases() {
        let f = fun(&c);
        let xs = inputs(&c, 3);
        if !xs.iter().any(is_float) {
            continue;
        }
        let ts: Vec<Array> = xs.iter().enumerate().map(|(i, x)| if is_float(x) { sample(x.shape(), Dom::Real, 700 + i as u32) } else { jnp::zeros_like(x).unwrap() }).collect();
        let (ys, tys) = jvp(&f, &xs, &ts).unwrap();
        if !is_float(&ys[0]) {
            continue;
        }
        let (_, pb) = vjp(&f, &xs).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let ct = lax::convert_element_type(&sample(ys[0].shape(), Dom::Real, 333), ys[0].dtype()).unwrap();
        let cts = pb.call(&[ct.clone()]).unwrap_or_else(|e| panic!("pullback of {}: {e}", c.name));
        let dot = |a: &Array, b: &Array| -> f64 { f64v(a).iter().zip(f64v(b)).map(|(x, y)| x * y).sum() };
        let lhs: f64 = cts.iter().zip(&ts).zip(&xs).filter(|(_, x)| is_float(x)).map(|((c, t), _)| dot(c, t)).sum();
        let rhs = dot(&ct, &tys[0]);
        close(&[lhs], &[rhs], 1e-6, 1e-9, &format!("<vjp(c), t> = <c, jvp(t)> for {}", c.name));
    }
}

#[test]
fn vmap_matches_a_loop() {
    let b = 3;
    for c in cases() {
        let f = fun(&c);
        let n = c.args.len();
        // per-example inputs, then stacked along the chosen axis
        let per: Vec<Vec<Array>> = (0..b).map(|k| inputs(&c, 10 + k as u32)).collect();
        let want: Vec<Array> = per.iter().map(|xs| f.call(xs).unwrap().pop().unwrap()).collect();
        let want = jnp::stack(&want.iter().collect::<Vec<_>>(), 0).unwrap();
        let mut variants: Vec<Vec<Option<isize>>> = vec![vec![Some(0); n], vec![Some(-1); n]];
        if n > 1 {
            let mut v = vec![Some(0); n];
            v[0] = None;
            variants.push(v);
        }
        for axes in variants {
            let args: Vec<Array> = (0..n)
                .map(|i| match axes[i] {
                    None => per[0][i].clone(),
                    Some(a) => {
                        let xs: Vec<&Array> = per.iter().map(|p| &p[i]).collect();
                        let ax = if a < 0 { xs[0].ndim() as isize } else { 0 };
                        jnp::stack(&xs, ax).unwrap()
                    }
                })
                .collect();
            let want = if axes[0].is_none() {
                // the unmapped argument is example 0's for every member
                let ys: Vec<Array> = (0..b).map(|k| {
                    let mut xs = per[k].clone();
                    xs[0] = per[0][0].clone();
                    f.call(&xs).unwrap().pop().unwrap()
                }).collect();
                jnp::stack(&ys.iter().collect::<Vec<_>>(), 0).unwrap()
            } else {
                want.clone()
            };
            let got = vmap(&f, &axes, &[Some(0)], None).call(&args).unwrap_or_else(|e| panic!("vmap of {} with in_axes {axes:?}: {e}", c.name));
            assert_eq!(got[0].shape(), want.shape(), "vmap of {} with in_axes {axes:?}", c.name);
            close(&f64v(&got[0]), &f64v(&want), 1e-12, 1e-12, &format!("vmap of {} with in_axes {axes:?}", c.name));
        }
    }
}

#[test]
fn grad_of_grad_matches_differences_of_grad() {
    let eps = 1e-5;
    for c in cases().into_iter().filter(|c| c.smooth) {
        let xs = inputs(&c, 4);
        if !is_float(&xs[0]) {
            continue;
        }
        let body = c.f.clone();
        let w = sample(body(&xs).unwrap().shape(), Dom::Real, 55);
        let w1 = w.clone();
        let s = Function::new("s", move |x| {
            let y = body(x)?;
            let y = lax::convert_element_type(&y, DType::F64)?;
            Ok(vec![jnp::sum(&jnp::multiply(&y, &w1)?, None, false)?])
        });
        let g1 = grad(&s);
        let v = sample(xs[0].shape(), Dom::Real, 66);
        let v1 = v.clone();
        let g1c = g1.clone();
        let s2 = Function::new("s2", move |x| Ok(vec![jnp::sum(&jnp::multiply(&g1c.call(x)?[0], &v1)?, None, false)?]));
        let hv = grad(&s2).call(&xs).unwrap_or_else(|e| panic!("grad of grad of {}: {e}", c.name));
        let at = |s: f64| -> Vec<f64> {
            let mut x = xs.clone();
            x[0] = jnp::add(&xs[0], &jnp::multiply(&v, &jnp::scalar(s)).unwrap()).unwrap();
            f64v(&g1.call(&x).unwrap()[0])
        };
        let fd: Vec<f64> = at(eps).iter().zip(at(-eps)).map(|(a, b)| (a - b) / (2.0 * eps)).collect();
        close(&f64v(&hv[0]), &fd, 1e-4, 1e-5, &format!("grad of grad of {}", c.name));
    }
}


#[test]
fn stop_gradient_blocks_derivatives() {
    // d/dx [x * stop_gradient(x)] = stop_gradient(x), whose derivative is 0 (as in JAX)
    let f = Function::new("f", |x| Ok(vec![lax::mul(&x[0], &lax::stop_gradient(&x[0])?)?]));
    let x = Array::scalar(3.0f64);
    assert_eq!(f64v(&grad(&f).call(&[x.clone()]).unwrap()[0]), vec![3.0]);
    assert_eq!(f64v(&grad(&grad(&f)).call(&[x]).unwrap()[0]), vec![0.0]);
}
