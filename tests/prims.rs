//! Every primitive's interpreter kernel against independently computed
//! values (Rust's std math, hand values), per dtype family, plus shape-rule
//! errors that name the op and the shapes or dtypes.

use jaxcore::lax;
use jaxcore::prim::*;
use jaxcore::{Array, DType};

fn f32s(v: &[f32], s: &[usize]) -> Array {
    Array::from_slice(v, s).unwrap()
}
fn f64s(v: &[f64], s: &[usize]) -> Array {
    Array::from_slice(v, s).unwrap()
}
fn i32s(v: &[i32], s: &[usize]) -> Array {
    Array::from_slice(v, s).unwrap()
}
fn close(got: &[f64], want: &[f64], rtol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (g, w) in got.iter().zip(want) {
        let ok = (g.is_nan() && w.is_nan()) || g == w || (g - w).abs() <= rtol * w.abs().max(1.0);
        assert!(ok, "{what}: got {got:?} want {want:?}");
    }
}

const XS: [f64; 5] = [-0.7, -0.2, 0.3, 0.5, 0.9];

#[test]
fn unary_float_kernels_match_std_math() {
    use UnaryOp::*;
    let table: Vec<(UnaryOp, fn(f64) -> f64)> = vec![
        (Neg, |x| -x),
        (Sign, |x: f64| x.signum()),
        (Floor, f64::floor),
        (Ceil, f64::ceil),
        (Round, f64::round),
        (RoundEven, |x: f64| x.round_ties_even()),
        (Exp, f64::exp),
        (Exp2, f64::exp2),
        (Log, |x: f64| x.abs().ln()),
        (Log1p, f64::ln_1p),
        (Expm1, f64::exp_m1),
        (Tanh, f64::tanh),
        (Logistic, |x: f64| 1.0 / (1.0 + (-x).exp())),
        (Sin, f64::sin),
        (Cos, f64::cos),
        (Tan, f64::tan),
        (Asin, f64::asin),
        (Acos, f64::acos),
        (Atan, f64::atan),
        (Sinh, f64::sinh),
        (Cosh, f64::cosh),
        (Asinh, f64::asinh),
        (Acosh, |x: f64| (x.abs() + 1.0).acosh()),
        (Atanh, f64::atanh),
        (Sqrt, |x: f64| x.abs().sqrt()),
        (Rsqrt, |x: f64| 1.0 / x.abs().sqrt()),
        (Cbrt, f64::cbrt),
        (Abs, f64::abs),
        (Erf, |x| erf_series(x)),
        (Erfc, |x| 1.0 - erf_series(x)),
        (ErfInv, |y| bisect(|x| erf_series(x), y)),
        (Lgamma, |x: f64| lgamma_ref(x.abs() + 0.5)),
        (Digamma, |x: f64| digamma_ref(x.abs() + 0.5)),
        (Square, |x| x * x),
    ];
    for (op, f) in table {
        // the domain some ops need
        let xs: Vec<f64> = XS
            .iter()
            .map(|&x| match op {
                Log | Sqrt | Rsqrt => x.abs(),
                Acosh => x.abs() + 1.0,
                Lgamma | Digamma => x.abs() + 0.5,
                _ => x,
            })
            .collect();
        let want: Vec<f64> = XS.iter().map(|&x| f(x)).collect();
        for dt in [DType::F32, DType::F64] {
            let x = Array::from_slice(&xs, &[5]).unwrap();
            let x = lax::convert_element_type(&x, dt).unwrap();
            let y = jaxcore::trace::bind1(Prim::Unary(op), &[&x]).unwrap();
            assert_eq!(y.dtype(), dt);
            let tol = if dt == DType::F32 { 2e-6 } else if op == Digamma { 1e-7 } else { 1e-9 };
            close(&y.to_f64_vec().unwrap(), &want, tol, &format!("{} {dt}", op.name()));
        }
    }
}

/// erf by its Taylor series (independent of libm's implementation).
fn erf_series(x: f64) -> f64 {
    let mut term = x;
    let mut sum = x;
    for n in 1..60 {
        term *= -x * x / n as f64;
        sum += term / (2 * n + 1) as f64;
    }
    sum * 2.0 / std::f64::consts::PI.sqrt()
}
fn bisect(f: impl Fn(f64) -> f64, y: f64) -> f64 {
    let (mut lo, mut hi) = (-6.0, 6.0);
    for _ in 0..200 {
        let m = 0.5 * (lo + hi);
        if f(m) < y {
            lo = m
        } else {
            hi = m
        }
    }
    0.5 * (lo + hi)
}
/// lgamma by Stirling's series after shifting up.
fn lgamma_ref(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 10.0 {
        acc -= x.ln();
        x += 1.0;
    }
    acc + (x - 0.5) * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI).ln() + 1.0 / (12.0 * x) - 1.0 / (360.0 * x.powi(3)) + 1.0 / (1260.0 * x.powi(5))
}
/// digamma as the derivative of lgamma_ref (five-point stencil, f64; good to ~1e-8).
fn digamma_ref(x: f64) -> f64 {
    let h = 1e-2;
    (-lgamma_ref(x + 2.0 * h) + 8.0 * lgamma_ref(x + h) - 8.0 * lgamma_ref(x - h) + lgamma_ref(x - 2.0 * h)) / (12.0 * h)
}

#[test]
fn unary_special_cases() {
    let x = f32s(&[f32::NAN, f32::INFINITY, -0.0, 2.5], &[4]);
    assert_eq!(lax::is_finite(&x).unwrap().to_vec::<bool>().unwrap(), vec![false, false, true, true]);
    // round: half away from zero vs half to even
    let h = f32s(&[0.5, 1.5, 2.5, -0.5], &[4]);
    assert_eq!(lax::round(&h, false).unwrap().to_vec::<f32>().unwrap(), vec![1.0, 2.0, 3.0, -1.0]);
    assert_eq!(lax::round(&h, true).unwrap().to_vec::<f32>().unwrap(), vec![0.0, 2.0, 2.0, -0.0]);
    // f16 and bf16 compute through f32
    let x16 = lax::convert_element_type(&f32s(&[1.0, 2.0], &[2]), DType::F16).unwrap();
    let e = lax::exp(&x16).unwrap();
    assert_eq!(e.dtype(), DType::F16);
    close(&e.to_f64_vec().unwrap(), &[std::f64::consts::E, 7.389056], 1e-3, "exp f16");
    let xb = lax::convert_element_type(&f32s(&[4.0], &[1]), DType::BF16).unwrap();
    close(&lax::sqrt(&xb).unwrap().to_f64_vec().unwrap(), &[2.0], 0.0, "sqrt bf16");
}

#[test]
fn unary_integer_and_bool_kernels() {
    let x = i32s(&[-3, 0, 7, i32::MIN], &[4]);
    assert_eq!(lax::neg(&x).unwrap().to_vec::<i32>().unwrap(), vec![3, 0, -7, i32::MIN]);
    assert_eq!(lax::abs(&x).unwrap().to_vec::<i32>().unwrap(), vec![3, 0, 7, i32::MIN]);
    assert_eq!(lax::sign(&x).unwrap().to_vec::<i32>().unwrap(), vec![-1, 0, 1, -1]);
    assert_eq!(lax::not(&x).unwrap().to_vec::<i32>().unwrap(), vec![2, -1, -8, i32::MAX]);
    assert_eq!(lax::square(&x).unwrap().to_vec::<i32>().unwrap(), vec![9, 0, 49, 0]);
    let u = Array::from_slice(&[0u8, 5, 255], &[3]).unwrap();
    assert_eq!(lax::sign(&u).unwrap().to_vec::<u8>().unwrap(), vec![0, 1, 1]);
    assert_eq!(lax::not(&u).unwrap().to_vec::<u8>().unwrap(), vec![255, 250, 0]);
    let b = Array::from_slice(&[true, false], &[2]).unwrap();
    assert_eq!(lax::not(&b).unwrap().to_vec::<bool>().unwrap(), vec![false, true]);
    // integer_pow on ints and floats, including negative powers of floats
    assert_eq!(lax::integer_pow(&i32s(&[2, -3], &[2]), 3).unwrap().to_vec::<i32>().unwrap(), vec![8, -27]);
    close(&lax::integer_pow(&f64s(&[2.0, 0.5], &[2]), -2).unwrap().to_f64_vec().unwrap(), &[0.25, 4.0], 1e-15, "integer_pow");
}

#[test]
fn binary_float_kernels() {
    use BinaryOp::*;
    let a = [1.5, -2.0, 0.25, 3.0];
    let b = [0.5, 3.0, -0.75, 2.0];
    let table: Vec<(BinaryOp, fn(f64, f64) -> f64)> = vec![
        (Add, |x, y| x + y),
        (Sub, |x, y| x - y),
        (Mul, |x, y| x * y),
        (Div, |x, y| x / y),
        (Rem, |x, y| x % y),
        (Pow, |x: f64, y| x.abs().powf(y)),
        (Max, f64::max),
        (Min, f64::min),
        (Atan2, f64::atan2),
    ];
    for (op, f) in table {
        for dt in [DType::F32, DType::F64] {
            let av: Vec<f64> = if op == Pow { a.iter().map(|x: &f64| x.abs()).collect() } else { a.to_vec() };
            let x = lax::convert_element_type(&f64s(&av, &[4]), dt).unwrap();
            let y = lax::convert_element_type(&f64s(&b, &[4]), dt).unwrap();
            let r = jaxcore::trace::bind1(Prim::Binary(op), &[&x, &y]).unwrap();
            let want: Vec<f64> = a.iter().zip(&b).map(|(&p, &q)| f(p, q)).collect();
            close(&r.to_f64_vec().unwrap(), &want, if dt == DType::F32 { 1e-6 } else { 1e-14 }, op.name());
        }
    }
    // nextafter steps one ulp; max/min propagate NaN
    let n = lax::nextafter(&f32s(&[1.0], &[1]), &f32s(&[2.0], &[1])).unwrap().to_vec::<f32>().unwrap();
    assert_eq!(n[0], 1.0 + f32::EPSILON);
    let m = lax::max(&f32s(&[f32::NAN, 1.0], &[2]), &f32s(&[0.0, 2.0], &[2])).unwrap().to_vec::<f32>().unwrap();
    assert!(m[0].is_nan() && m[1] == 2.0);
    // pow with an integer exponent
    close(&lax::pow(&f32s(&[2.0], &[1]), &i32s(&[3], &[1])).unwrap().to_f64_vec().unwrap(), &[8.0], 0.0, "pow(f32, i32)");
}

#[test]
fn binary_integer_kernels_follow_xla() {
    let a = i32s(&[7, -7, 5, i32::MIN], &[4]);
    let b = i32s(&[2, 2, 0, -1], &[4]);
    assert_eq!(lax::add(&a, &b).unwrap().to_vec::<i32>().unwrap(), vec![9, -5, 5, i32::MAX]);
    assert_eq!(lax::sub(&a, &b).unwrap().to_vec::<i32>().unwrap(), vec![5, -9, 5, i32::MIN + 1]);
    assert_eq!(lax::mul(&a, &b).unwrap().to_vec::<i32>().unwrap(), vec![14, -14, 0, i32::MIN]);
    // truncating division; x/0 = -1, MIN/-1 = MIN; x%0 = x
    assert_eq!(lax::div(&a, &b).unwrap().to_vec::<i32>().unwrap(), vec![3, -3, -1, i32::MIN]);
    assert_eq!(lax::rem(&a, &b).unwrap().to_vec::<i32>().unwrap(), vec![1, -1, 5, 0]);
    assert_eq!(lax::max(&a, &b).unwrap().to_vec::<i32>().unwrap(), vec![7, 2, 5, -1]);
    assert_eq!(lax::min(&a, &b).unwrap().to_vec::<i32>().unwrap(), vec![2, -7, 0, i32::MIN]);
    assert_eq!(lax::and(&a, &b).unwrap().to_vec::<i32>().unwrap(), vec![2, 0, 0, i32::MIN]);
    assert_eq!(lax::or(&a, &b).unwrap().to_vec::<i32>().unwrap(), vec![7, -5, 5, -1]);
    assert_eq!(lax::xor(&a, &b).unwrap().to_vec::<i32>().unwrap(), vec![5, -5, 5, i32::MAX]);
    assert_eq!(lax::pow(&a, &b).unwrap().to_vec::<i32>().unwrap(), vec![49, 49, 1, 0]);
    let s = i32s(&[1, 31, 32, 40], &[4]);
    let x = i32s(&[-8, -8, -8, 1], &[4]);
    assert_eq!(lax::shift_left(&x, &s).unwrap().to_vec::<i32>().unwrap(), vec![-16, 0, 0, 0]);
    assert_eq!(lax::shift_right_arithmetic(&x, &s).unwrap().to_vec::<i32>().unwrap(), vec![-4, -1, -1, 0]);
    assert_eq!(
        lax::shift_right_logical(&x, &s).unwrap().to_vec::<i32>().unwrap(),
        vec![((-8i32 as u32) >> 1) as i32, 1, 0, 0]
    );
    let u = Array::from_slice(&[250u8, 3], &[2]).unwrap();
    let v = Array::from_slice(&[10u8, 0], &[2]).unwrap();
    assert_eq!(lax::add(&u, &v).unwrap().to_vec::<u8>().unwrap(), vec![4, 3]);
    assert_eq!(lax::div(&u, &v).unwrap().to_vec::<u8>().unwrap(), vec![25, 255]);
    let t = Array::from_slice(&[true, true, false], &[3]).unwrap();
    let f = Array::from_slice(&[true, false, false], &[3]).unwrap();
    assert_eq!(lax::and(&t, &f).unwrap().to_vec::<bool>().unwrap(), vec![true, false, false]);
    assert_eq!(lax::or(&t, &f).unwrap().to_vec::<bool>().unwrap(), vec![true, true, false]);
    assert_eq!(lax::xor(&t, &f).unwrap().to_vec::<bool>().unwrap(), vec![false, true, false]);
}

#[test]
fn comparisons_all_dtype_families() {
    let want = |op: CmpOp, p: f64, q: f64| match op {
        CmpOp::Eq => p == q,
        CmpOp::Ne => p != q,
        CmpOp::Lt => p < q,
        CmpOp::Le => p <= q,
        CmpOp::Gt => p > q,
        CmpOp::Ge => p >= q,
    };
    let a = [1.0, 2.0, 3.0, f64::NAN];
    let b = [2.0, 2.0, 1.0, f64::NAN];
    for op in CmpOp::ALL {
        for dt in [DType::F32, DType::F64, DType::I32, DType::U8, DType::BF16] {
            let (av, bv): (Vec<f64>, Vec<f64>) =
                if dt.is_float() { (a.to_vec(), b.to_vec()) } else { (a[..3].to_vec(), b[..3].to_vec()) };
            let n = av.len();
            let x = lax::convert_element_type(&f64s(&av, &[n]), dt).unwrap();
            let y = lax::convert_element_type(&f64s(&bv, &[n]), dt).unwrap();
            let r = jaxcore::trace::bind1(Prim::Compare(op), &[&x, &y]).unwrap();
            assert_eq!(r.dtype(), DType::Bool);
            let w: Vec<bool> = av.iter().zip(&bv).map(|(&p, &q)| want(op, p, q)).collect();
            assert_eq!(r.to_vec::<bool>().unwrap(), w, "{} {dt}", op.name());
        }
    }
}

#[test]
fn select_clamp_convert_bitcast() {
    let which = i32s(&[0, 1, 2, 1], &[4]);
    let c = [f32s(&[1., 2., 3., 4.], &[4]), f32s(&[10., 20., 30., 40.], &[4]), f32s(&[100., 200., 300., 400.], &[4])];
    let r = lax::select_n(&which, &[&c[0], &c[1], &c[2]]).unwrap();
    assert_eq!(r.to_vec::<f32>().unwrap(), vec![1., 20., 300., 40.]);
    let p = Array::from_slice(&[true, false], &[2]).unwrap();
    let r = lax::select(&p, &i32s(&[1, 2], &[2]), &i32s(&[3, 4], &[2])).unwrap();
    assert_eq!(r.to_vec::<i32>().unwrap(), vec![1, 4]);
    let r = lax::clamp(&Array::scalar(0.0f32), &f32s(&[-1., 0.5, 2.], &[3]), &Array::scalar(1.0f32)).unwrap();
    assert_eq!(r.to_vec::<f32>().unwrap(), vec![0., 0.5, 1.]);
    // convert: float->int truncates, int->bool is != 0, int wraps
    let r = lax::convert_element_type(&f32s(&[2.7, -2.7], &[2]), DType::I32).unwrap();
    assert_eq!(r.to_vec::<i32>().unwrap(), vec![2, -2]);
    let r = lax::convert_element_type(&i32s(&[0, 5, 300], &[3]), DType::U8).unwrap();
    assert_eq!(r.to_vec::<u8>().unwrap(), vec![0, 5, 44]);
    assert_eq!(lax::convert_element_type(&i32s(&[0, 5], &[2]), DType::Bool).unwrap().to_vec::<bool>().unwrap(), vec![false, true]);
    // bitcast keeps the bits; wider to narrower adds a trailing dim
    let r = lax::bitcast_convert_type(&f32s(&[1.0], &[1]), DType::U32).unwrap();
    assert_eq!(r.to_vec::<u32>().unwrap(), vec![0x3f80_0000]);
    let r = lax::bitcast_convert_type(&Array::from_slice(&[1.0f64], &[1]).unwrap(), DType::U32).unwrap();
    assert_eq!(r.shape(), &[1, 2]);
    assert_eq!(r.to_vec::<u32>().unwrap(), vec![0, 0x3ff0_0000]);
    let back = lax::bitcast_convert_type(&r, DType::F64).unwrap();
    assert_eq!(back.to_vec::<f64>().unwrap(), vec![1.0]);
    assert_eq!(lax::stop_gradient(&f32s(&[3.0], &[1])).unwrap().to_vec::<f32>().unwrap(), vec![3.0]);
}

#[test]
fn structural_kernels() {
    let x = f32s(&[0., 1., 2., 3., 4., 5.], &[2, 3]);
    let b = lax::broadcast_in_dim(&f32s(&[1., 2.], &[2]), &[2, 3], &[0]).unwrap();
    assert_eq!(b.to_vec::<f32>().unwrap(), vec![1., 1., 1., 2., 2., 2.]);
    assert_eq!(lax::reshape(&x, &[3, 2]).unwrap().shape(), &[3, 2]);
    assert_eq!(lax::transpose(&x, &[1, 0]).unwrap().to_vec::<f32>().unwrap(), vec![0., 3., 1., 4., 2., 5.]);
    assert_eq!(lax::squeeze(&f32s(&[7.], &[1, 1]), &[0, 1]).unwrap().shape(), &[] as &[usize]);
    assert_eq!(lax::expand_dims(&x, &[0, 3]).unwrap().shape(), &[1, 2, 3, 1]);
    assert_eq!(lax::rev(&x, &[1]).unwrap().to_vec::<f32>().unwrap(), vec![2., 1., 0., 5., 4., 3.]);
    assert_eq!(lax::slice(&x, &[0, 0], &[2, 3], Some(&[1, 2])).unwrap().to_vec::<f32>().unwrap(), vec![0., 2., 3., 5.]);
    // dynamic_slice clamps its start so the window fits
    let i = Array::scalar(1i32);
    let j = Array::scalar(5i32);
    let d = lax::dynamic_slice(&x, &[&i, &j], &[1, 2]).unwrap();
    assert_eq!(d.to_vec::<f32>().unwrap(), vec![4., 5.]);
    let u = lax::dynamic_update_slice(&x, &f32s(&[9., 9.], &[1, 2]), &[&Array::scalar(0i32), &Array::scalar(1i32)]).unwrap();
    assert_eq!(u.to_vec::<f32>().unwrap(), vec![0., 9., 9., 3., 4., 5.]);
    let c = lax::concatenate(&[&x, &f32s(&[6., 7., 8.], &[1, 3])], 0).unwrap();
    assert_eq!(c.shape(), &[3, 3]);
    assert_eq!(c.to_vec::<f32>().unwrap()[6..], [6., 7., 8.]);
    // pad: low, high, interior, and negative (cropping) padding
    let p = lax::pad(&f32s(&[1., 2.], &[2]), &Array::scalar(0.0f32), &[(1, 2, 1)]).unwrap();
    assert_eq!(p.to_vec::<f32>().unwrap(), vec![0., 1., 0., 2., 0., 0.]);
    let p = lax::pad(&f32s(&[1., 2., 3.], &[3]), &Array::scalar(0.0f32), &[(-1, 0, 0)]).unwrap();
    assert_eq!(p.to_vec::<f32>().unwrap(), vec![2., 3.]);
    assert_eq!(lax::iota(DType::I32, &[2, 3], 1).unwrap().to_vec::<i32>().unwrap(), vec![0, 1, 2, 0, 1, 2]);
    assert_eq!(lax::iota(DType::F32, &[2, 2], 0).unwrap().to_vec::<f32>().unwrap(), vec![0., 0., 1., 1.]);
}

#[test]
fn gather_and_scatter_kernels() {
    // x[[2, 0]] on rows
    let x = f32s(&[0., 1., 2., 3., 4., 5.], &[3, 2]);
    let idx = i32s(&[2, 0], &[2, 1]);
    let dims = GatherDims { offset_dims: vec![1], collapsed_slice_dims: vec![0], start_index_map: vec![0], ..Default::default() };
    let g = lax::gather(&x, &idx, dims.clone(), &[1, 2], IndexMode::Clip, None).unwrap();
    assert_eq!(g.to_vec::<f32>().unwrap(), vec![4., 5., 0., 1.]);
    // out of bounds: clip clamps, fill returns NaN
    let oob = i32s(&[7], &[1, 1]);
    assert_eq!(lax::gather(&x, &oob, dims.clone(), &[1, 2], IndexMode::Clip, None).unwrap().to_vec::<f32>().unwrap(), vec![4., 5.]);
    assert!(lax::gather(&x, &oob, dims, &[1, 2], IndexMode::FillOrDrop, None).unwrap().to_vec::<f32>().unwrap()[0].is_nan());
    // scatter-add with a repeated index accumulates; out-of-bounds is dropped
    let z = f32s(&[0., 0., 0.], &[3]);
    let idx = i32s(&[1, 1, 5], &[3, 1]);
    let upd = f32s(&[1., 2., 100.], &[3]);
    let sd = ScatterDims { inserted_window_dims: vec![0], scatter_dims_to_operand_dims: vec![0], ..Default::default() };
    let r = lax::scatter_add(&z, &idx, &upd, sd.clone(), IndexMode::FillOrDrop).unwrap();
    assert_eq!(r.to_vec::<f32>().unwrap(), vec![0., 3., 0.]);
    let r = lax::scatter(&z, &i32s(&[2], &[1, 1]), &f32s(&[7.], &[1]), sd.clone(), ScatterOp::Replace, IndexMode::FillOrDrop).unwrap();
    assert_eq!(r.to_vec::<f32>().unwrap(), vec![0., 0., 7.]);
    let o = f32s(&[2., 2., 2.], &[3]);
    let r = lax::scatter(&o, &i32s(&[0, 0], &[2, 1]), &f32s(&[3., 4.], &[2]), sd.clone(), ScatterOp::Mul, IndexMode::FillOrDrop).unwrap();
    assert_eq!(r.to_vec::<f32>().unwrap(), vec![24., 2., 2.]);
    let r = lax::scatter(&o, &i32s(&[1, 2], &[2, 1]), &f32s(&[1., 5.], &[2]), sd.clone(), ScatterOp::Min, IndexMode::FillOrDrop).unwrap();
    assert_eq!(r.to_vec::<f32>().unwrap(), vec![2., 1., 2.]);
    let r = lax::scatter(&o, &i32s(&[1, 2], &[2, 1]), &f32s(&[1., 5.], &[2]), sd, ScatterOp::Max, IndexMode::FillOrDrop).unwrap();
    assert_eq!(r.to_vec::<f32>().unwrap(), vec![2., 2., 5.]);
}

#[test]
fn reduction_kernels() {
    let x = f32s(&[1., 5., 3., -2., 0., 4.], &[2, 3]);
    assert_eq!(lax::reduce_sum(&x, &[1]).unwrap().to_vec::<f32>().unwrap(), vec![9., 2.]);
    assert_eq!(lax::reduce_sum(&x, &[0, 1]).unwrap().to_vec::<f32>().unwrap(), vec![11.]);
    assert_eq!(lax::reduce_max(&x, &[0]).unwrap().to_vec::<f32>().unwrap(), vec![1., 5., 4.]);
    assert_eq!(lax::reduce_min(&x, &[1]).unwrap().to_vec::<f32>().unwrap(), vec![1., -2.]);
    assert_eq!(lax::reduce_prod(&x, &[1]).unwrap().to_vec::<f32>().unwrap(), vec![15., 0.]);
    let b = Array::from_slice(&[true, false, true, true], &[2, 2]).unwrap();
    assert_eq!(lax::reduce_and(&b, &[1]).unwrap().to_vec::<bool>().unwrap(), vec![false, true]);
    assert_eq!(lax::reduce_or(&b, &[0]).unwrap().to_vec::<bool>().unwrap(), vec![true, true]);
    let i = i32s(&[3, 9, 9, 1], &[4]);
    assert_eq!(lax::reduce_max(&i, &[0]).unwrap().to_vec::<i32>().unwrap(), vec![9]);
    // argmax takes the first maximum; NaN wins
    assert_eq!(lax::argmax(&i, 0, DType::I32).unwrap().to_vec::<i32>().unwrap(), vec![1]);
    assert_eq!(lax::argmin(&x, 1, DType::I32).unwrap().to_vec::<i32>().unwrap(), vec![0, 0]);
    let n = f32s(&[1., f32::NAN, 5.], &[3]);
    assert_eq!(lax::argmax(&n, 0, DType::I32).unwrap().to_vec::<i32>().unwrap(), vec![1]);
    let c = f32s(&[1., 2., 3., 4.], &[4]);
    assert_eq!(lax::cumsum(&c, 0, false).unwrap().to_vec::<f32>().unwrap(), vec![1., 3., 6., 10.]);
    assert_eq!(lax::cumsum(&c, 0, true).unwrap().to_vec::<f32>().unwrap(), vec![10., 9., 7., 4.]);
    assert_eq!(lax::cumprod(&c, 0, false).unwrap().to_vec::<f32>().unwrap(), vec![1., 2., 6., 24.]);
    let m = f32s(&[2., 1., 3., 0.], &[4]);
    assert_eq!(lax::cummax(&m, 0, false).unwrap().to_vec::<f32>().unwrap(), vec![2., 2., 3., 3.]);
    assert_eq!(lax::cummin(&m, 0, false).unwrap().to_vec::<f32>().unwrap(), vec![2., 1., 1., 0.]);
}

#[test]
fn dot_general_matches_naive_loops() {
    // batched matmul b,i,k x b,k,j in f32, f64 and i32
    let (nb, m, k, n) = (2, 3, 4, 5);
    let a: Vec<f64> = (0..nb * m * k).map(|i| (i as f64 * 0.37).sin()).collect();
    let b: Vec<f64> = (0..nb * k * n).map(|i| (i as f64 * 0.11).cos()).collect();
    let mut want = vec![0.0; nb * m * n];
    for bi in 0..nb {
        for i in 0..m {
            for j in 0..n {
                want[(bi * m + i) * n + j] = (0..k).map(|p| a[(bi * m + i) * k + p] * b[(bi * k + p) * n + j]).sum();
            }
        }
    }
    let dims = DotDims { lhs_contract: vec![2], rhs_contract: vec![1], lhs_batch: vec![0], rhs_batch: vec![0] };
    for dt in [DType::F32, DType::F64] {
        let x = lax::convert_element_type(&f64s(&a, &[nb, m, k]), dt).unwrap();
        let y = lax::convert_element_type(&f64s(&b, &[nb, k, n]), dt).unwrap();
        let r = lax::dot_general(&x, &y, dims.clone(), None).unwrap();
        assert_eq!(r.shape(), &[nb, m, n]);
        close(&r.to_f64_vec().unwrap(), &want, 1e-5, "dot_general");
    }
    let xi = i32s(&[1, 2, 3, 4], &[2, 2]);
    let d2 = DotDims { lhs_contract: vec![1], rhs_contract: vec![0], ..Default::default() };
    assert_eq!(lax::dot_general(&xi, &xi, d2.clone(), None).unwrap().to_vec::<i32>().unwrap(), vec![7, 10, 15, 22]);
    // contracting the lhs's first dim: (k,m) x (k,n) -> (m,n) = a^T b
    let t = lax::dot_general(&xi, &xi, DotDims { lhs_contract: vec![0], rhs_contract: vec![0], ..Default::default() }, Some(DType::F32)).unwrap();
    assert_eq!(t.dtype(), DType::F32);
    assert_eq!(t.to_vec::<f32>().unwrap(), vec![10., 14., 14., 20.]);
}

#[test]
fn sort_multi_operand_and_nan_last() {
    let k = f32s(&[3., f32::NAN, 1., 2., 1.], &[5]);
    let v = i32s(&[0, 1, 2, 3, 4], &[5]);
    let r = lax::sort(&[&k, &v], 0, 1, true).unwrap();
    let ks = r[0].to_vec::<f32>().unwrap();
    assert_eq!(&ks[..4], &[1., 1., 2., 3.]);
    assert!(ks[4].is_nan());
    assert_eq!(r[1].to_vec::<i32>().unwrap(), vec![2, 4, 3, 0, 1]); // stable
    // along axis 0 of a matrix, two keys
    let a = i32s(&[2, 1, 1, 5, 1, 0], &[3, 2]);
    let s = lax::sort(&[&a], 0, 1, true).unwrap();
    assert_eq!(s[0].to_vec::<i32>().unwrap(), vec![1, 0, 1, 1, 2, 5]);
    let k1 = i32s(&[1, 0, 1], &[3]);
    let k2 = i32s(&[5, 7, 2], &[3]);
    let s = lax::sort(&[&k1, &k2], 0, 2, true).unwrap();
    assert_eq!(s[1].to_vec::<i32>().unwrap(), vec![7, 2, 5]);
}

#[test]
fn threefry_block_matches_the_reference_vector() {
    // Random123's known-answer test for threefry2x32 with 20 rounds
    let k0 = Array::from_slice(&[0x1319_8a2eu32], &[1]).unwrap();
    let k1 = Array::from_slice(&[0x0370_7344u32], &[1]).unwrap();
    let x0 = Array::from_slice(&[0x243f_6a88u32], &[1]).unwrap();
    let x1 = Array::from_slice(&[0x85a3_08d3u32], &[1]).unwrap();
    let (a, b) = lax::threefry2x32(&k0, &k1, &x0, &x1).unwrap();
    assert_eq!((a.to_vec::<u32>().unwrap()[0], b.to_vec::<u32>().unwrap()[0]), (0xc492_3a9c, 0x483d_f7a0));
}

#[test]
fn shape_rule_errors_name_the_op_and_operands() {
    let e = lax::add(&f32s(&[1., 2., 3.], &[3]), &f32s(&[1., 2., 3., 4.], &[4])).unwrap_err();
    assert_eq!(e.msg, "add got incompatible shapes for broadcasting: (3,), (4,).");
    assert_eq!(e.kind, jaxcore::ErrorKind::Type);
    let e = lax::add(&f32s(&[1.], &[1]), &i32s(&[1], &[1])).unwrap_err();
    assert!(e.msg.contains("lax.add requires arguments to have the same dtypes, got float32, int32"), "{e}");
    let e = lax::exp(&i32s(&[1], &[1])).unwrap_err();
    assert!(e.msg.starts_with("exp does not accept dtype int32"), "{e}");
    let e = lax::reshape(&f32s(&[1., 2., 3.], &[3]), &[2, 2]).unwrap_err();
    assert!(e.msg.contains("cannot reshape array of shape (3,) (size 3) into shape (2, 2) (size 4)"), "{e}");
    let x = f32s(&[0.; 6], &[2, 3]);
    let e = lax::dot_general(&x, &x, DotDims { lhs_contract: vec![1], rhs_contract: vec![1], ..Default::default() }, None);
    assert!(e.is_ok());
    let e = lax::dot_general(&x, &x, DotDims { lhs_contract: vec![1], rhs_contract: vec![0], ..Default::default() }, None).unwrap_err();
    assert!(e.msg.contains("contracting dimensions to have the same shape"), "{e}");
    let e = lax::broadcast_in_dim(&f32s(&[1., 2., 3.], &[3]), &[4], &[0]).unwrap_err();
    assert!(e.msg.contains("got operand of shape (3,), target broadcast shape (4,)"), "{e}");
    let e = lax::transpose(&x, &[0, 0]).unwrap_err();
    assert!(e.msg.contains("permutation"), "{e}");
    let e = lax::slice(&x, &[0, 0], &[3, 3], None).unwrap_err();
    assert!(e.msg.contains("slice indices"), "{e}");
    let e = lax::concatenate(&[&x, &f32s(&[0.; 4], &[2, 2])], 0).unwrap_err();
    assert!(e.msg.contains("Cannot concatenate arrays with shapes that differ"), "{e}");
    let e = lax::reduce_sum(&x, &[2]).unwrap_err();
    assert!(e.msg.contains("axis 2 is out of bounds"), "{e}");
    let e = lax::squeeze(&x, &[0]).unwrap_err();
    assert!(e.msg.contains("size not equal to one"), "{e}");
    let e = lax::select_n(&f32s(&[1.], &[1]), &[&x]).unwrap_err();
    assert!(e.msg.contains("select_n `which` must be boolean or int32"), "{e}");
    let e = lax::shift_left(&x, &x).unwrap_err();
    assert!(e.msg.contains("shift_left does not accept dtype float32"), "{e}");
    let e = lax::threefry2x32(&x, &x, &x, &x).map(|_| ()).unwrap_err();
    assert!(e.msg.contains("uint32"), "{e}");
}

#[test]
fn kernels_flush_subnormals_as_xla() {
    // XLA's CPU runtime reads and writes subnormal floats as zero; so does the interpreter
    let tiny = lax::mul(&f32s(&[1e-38, 1.0], &[2]), &f32s(&[0.01, 0.5], &[2])).unwrap();
    assert_eq!(tiny.to_vec::<f32>().unwrap(), vec![0.0, 0.5]);
    let sub = f32s(&[f32::from_bits(1)], &[1]);
    assert_eq!(lax::add(&sub, &f32s(&[0.0], &[1])).unwrap().to_vec::<f32>().unwrap(), vec![0.0]);
    let d = lax::mul(&f64s(&[1e-300], &[1]), &f64s(&[1e-20], &[1])).unwrap();
    assert_eq!(d.to_vec::<f64>().unwrap(), vec![0.0]);
    // the host's own arithmetic is left in its default mode
    assert!(std::hint::black_box(1e-38f32) * std::hint::black_box(0.01f32) > 0.0);
}

#[test]
fn results_larger_than_the_host_are_refused_before_allocating() {
    // an allocation failure would abort the process; XLA reports RESOURCE_EXHAUSTED instead
    if !std::path::Path::new("/proc/meminfo").exists() {
        return; // the host's memory is read from there (Linux)
    }
    let err = lax::iota(DType::F32, &[1 << 40], 0).unwrap_err().to_string();
    assert!(err.contains("RESOURCE_EXHAUSTED") && err.contains("f32[1099511627776]"), "{err}");
}
