//! The numpy layer against values numpy gives for the same programs.

use jaxcore::numpy as jnp;
use jaxcore::numpy::Index::{self, *};
use jaxcore::prim::ScatterOp;
use jaxcore::{Array, DType};

fn arange(n: usize, shape: &[usize]) -> Array {
    jnp::reshape(&jnp::arange(0.0, n as f64, 1.0, Some(DType::F32)).unwrap(), &shape.iter().map(|&d| d as isize).collect::<Vec<_>>()).unwrap()
}
fn v32(x: &Array) -> Vec<f32> {
    x.to_vec::<f32>().unwrap()
}
fn i32a(v: &[i32], s: &[usize]) -> Array {
    Array::from_slice(v, s).unwrap()
}
fn all() -> Index {
    Slice(None, None, None)
}

#[test]
fn promotion_and_weak_scalars() {
    let x = jnp::ones(&[2], DType::F16).unwrap();
    assert_eq!(jnp::multiply(&x, &jnp::scalar(2.0)).unwrap().dtype(), DType::F16);
    let i = jnp::ones(&[2], DType::I32).unwrap();
    let r = jnp::add(&i, &jnp::scalar(0.5)).unwrap();
    assert_eq!((r.dtype(), r.weak_type()), (DType::F32, true));
    assert_eq!(v32(&r), vec![1.5, 1.5]);
    let u8a = jnp::ones(&[2], DType::U8).unwrap();
    assert_eq!(jnp::add(&u8a, &jnp::int_scalar(3)).unwrap().dtype(), DType::U8);
    assert_eq!(jnp::add(&u8a, &jnp::ones(&[2], DType::I8).unwrap()).unwrap().dtype(), DType::I16);
    assert_eq!(jnp::divide(&i, &i).unwrap().dtype(), DType::F32);
    assert_eq!(jnp::exp(&i).unwrap().dtype(), DType::F32);
    assert_eq!(jnp::add(&jnp::ones(&[1], DType::BF16).unwrap(), &jnp::ones(&[1], DType::F16).unwrap()).unwrap().dtype(), DType::F32);
}

#[test]
fn broadcasting_and_its_error() {
    let a = arange(6, &[2, 3]);
    let b = jnp::arange(0.0, 3.0, 1.0, Some(DType::F32)).unwrap();
    assert_eq!(v32(&jnp::add(&a, &b).unwrap()), vec![0., 2., 4., 3., 5., 7.]);
    let c = arange(2, &[2, 1]);
    assert_eq!(v32(&jnp::multiply(&a, &c).unwrap()), vec![0., 0., 0., 3., 4., 5.]);
    let e = jnp::add(&a, &arange(4, &[4])).unwrap_err();
    assert_eq!(e.msg, "add got incompatible shapes for broadcasting: (2, 3), (4,).");
}

#[test]
fn integer_division_and_remainder_follow_python() {
    let a = i32a(&[7, -7, 7, -7], &[4]);
    let b = i32a(&[2, 2, -2, -2], &[4]);
    assert_eq!(jnp::floor_divide(&a, &b).unwrap().to_vec::<i32>().unwrap(), vec![3, -4, -4, 3]);
    assert_eq!(jnp::remainder(&a, &b).unwrap().to_vec::<i32>().unwrap(), vec![1, 1, -1, -1]);
    let f = jnp::remainder(&Array::from_slice(&[-1.5f32], &[1]).unwrap(), &jnp::scalar(1.0)).unwrap();
    assert_eq!(v32(&f), vec![0.5]);
    assert_eq!(jnp::power(&i32a(&[2, 3], &[2]), &jnp::int_scalar(3)).unwrap().to_vec::<i32>().unwrap(), vec![8, 27]);
}

#[test]
fn reductions_axes_keepdims_where() {
    let a = arange(6, &[2, 3]);
    assert_eq!(v32(&jnp::sum(&a, None, false).unwrap()), vec![15.]);
    assert_eq!(v32(&jnp::sum(&a, Some(&[-1]), false).unwrap()), vec![3., 12.]);
    assert_eq!(jnp::sum(&a, Some(&[0]), true).unwrap().shape(), &[1, 3]);
    assert_eq!(v32(&jnp::max(&a, Some(&[1]), false).unwrap()), vec![2., 5.]);
    assert_eq!(v32(&jnp::mean(&a, Some(&[0]), false).unwrap()), vec![1.5, 2.5, 3.5]);
    let var = v32(&jnp::var(&a, None, 0, false).unwrap())[0];
    assert!((var - 35.0 / 12.0).abs() < 1e-6);
    let std1 = v32(&jnp::std(&a, None, 1, false).unwrap())[0];
    assert!((std1 - 3.5f32.sqrt()).abs() < 1e-6);
    let mask = jnp::greater(&a, &jnp::scalar(1.5)).unwrap();
    assert_eq!(v32(&jnp::sum_where(&a, None, false, Some(&mask)).unwrap()), vec![14.]);
    assert_eq!(v32(&jnp::mean_where(&a, None, false, Some(&mask)).unwrap()), vec![3.5]);
    // sums of bools and small ints accumulate in the default int
    let b = jnp::greater(&a, &jnp::scalar(2.0)).unwrap();
    let s = jnp::sum(&b, None, false).unwrap();
    assert_eq!((s.dtype(), s.to_vec::<i32>().unwrap()), (DType::I32, vec![3]));
    assert_eq!(jnp::all(&b, None, false).unwrap().to_vec::<bool>().unwrap(), vec![false]);
    assert_eq!(jnp::any(&b, Some(&[1]), false).unwrap().to_vec::<bool>().unwrap(), vec![false, true]);
    assert_eq!(jnp::argmax(&a, None, false).unwrap().to_vec::<i32>().unwrap(), vec![5]);
    assert_eq!(jnp::argmin(&a, Some(1), true).unwrap().shape(), &[2, 1]);
    assert_eq!(v32(&jnp::cumsum(&a, Some(1)).unwrap()), vec![0., 1., 3., 3., 7., 12.]);
    assert_eq!(v32(&jnp::cumprod(&jnp::add(&arange(4, &[4]), &jnp::scalar(1.0)).unwrap(), None).unwrap()), vec![1., 2., 6., 24.]);
    let lse = v32(&jnp::logsumexp(&a, Some(&[1]), false).unwrap());
    let want = [(0f32.exp() + 1f32.exp() + 2f32.exp()).ln(), (3f32.exp() + 4f32.exp() + 5f32.exp()).ln()];
    assert!((lse[0] - want[0]).abs() < 1e-5 && (lse[1] - want[1]).abs() < 1e-5);
    let e = jnp::max(&jnp::zeros(&[0], DType::F32).unwrap(), None, false).unwrap_err();
    assert!(e.msg.contains("zero-size array to reduction operation max"));
    let e = jnp::sum(&a, Some(&[2]), false).unwrap_err();
    assert_eq!(e.msg, "axis 2 is out of bounds for array of dimension 2");
}

#[test]
fn shape_manipulation() {
    let a = arange(6, &[2, 3]);
    assert_eq!(jnp::reshape(&a, &[-1, 2]).unwrap().shape(), &[3, 2]);
    assert_eq!(v32(&jnp::transpose(&a, None).unwrap()), vec![0., 3., 1., 4., 2., 5.]);
    assert_eq!(jnp::moveaxis(&arange(24, &[2, 3, 4]), 0, -1).unwrap().shape(), &[3, 4, 2]);
    assert_eq!(jnp::swapaxes(&arange(24, &[2, 3, 4]), 0, 2).unwrap().shape(), &[4, 3, 2]);
    assert_eq!(jnp::expand_dims(&a, &[-1]).unwrap().shape(), &[2, 3, 1]);
    assert_eq!(jnp::squeeze(&arange(3, &[1, 3, 1]), None).unwrap().shape(), &[3]);
    let s = jnp::stack(&[&a, &a], 1).unwrap();
    assert_eq!(s.shape(), &[2, 2, 3]);
    assert_eq!(v32(&jnp::concatenate(&[&a, &a], Some(1)).unwrap())[..6], [0., 1., 2., 0., 1., 2.]);
    let parts = jnp::split(&arange(6, &[6]), jnp::SplitSpec::Sections(3), 0).unwrap();
    assert_eq!(parts.iter().map(v32).collect::<Vec<_>>(), vec![vec![0., 1.], vec![2., 3.], vec![4., 5.]]);
    let parts = jnp::split(&arange(6, &[6]), jnp::SplitSpec::Indices(&[1, -2]), 0).unwrap();
    assert_eq!(parts.iter().map(|p| p.shape()[0]).collect::<Vec<_>>(), vec![1, 3, 2]);
    assert_eq!(v32(&jnp::tile(&arange(2, &[2]), &[2, 2]).unwrap()), vec![0., 1., 0., 1., 0., 1., 0., 1.]);
    assert_eq!(v32(&jnp::repeat(&arange(3, &[3]), 2, Some(0)).unwrap()), vec![0., 0., 1., 1., 2., 2.]);
    assert_eq!(v32(&jnp::flip(&a, Some(&[0])).unwrap()), vec![3., 4., 5., 0., 1., 2.]);
    assert_eq!(v32(&jnp::roll(&arange(5, &[5]), 2, None).unwrap()), vec![3., 4., 0., 1., 2.]);
    assert_eq!(v32(&jnp::pad(&arange(2, &[2]), &[(1, 2)], 9.0).unwrap()), vec![9., 0., 1., 9., 9.]);
    assert_eq!(v32(&jnp::tril(&arange(9, &[3, 3]), 0).unwrap()), vec![0., 0., 0., 3., 4., 0., 6., 7., 8.]);
    assert_eq!(v32(&jnp::triu(&arange(9, &[3, 3]), 1).unwrap()), vec![0., 1., 2., 0., 0., 5., 0., 0., 0.]);
}

#[test]
fn creation() {
    assert_eq!(jnp::zeros(&[2, 2], DType::F32).unwrap().to_vec::<f32>().unwrap(), vec![0.; 4]);
    assert_eq!(jnp::arange(2.0, 10.0, 3.0, None).unwrap().to_vec::<i32>().unwrap(), vec![2, 5, 8]);
    assert_eq!(jnp::arange(0.0, 1.0, 0.25, None).unwrap().dtype(), DType::F32);
    assert_eq!(v32(&jnp::linspace(0.0, 1.0, 5, true, None).unwrap()), vec![0., 0.25, 0.5, 0.75, 1.]);
    assert_eq!(v32(&jnp::eye(2, Some(3), 1, None).unwrap()), vec![0., 1., 0., 0., 0., 1.]);
    let f = jnp::full_like(&jnp::ones(&[2], DType::I32).unwrap(), 7.0).unwrap();
    assert_eq!(f.to_vec::<i32>().unwrap(), vec![7, 7]);
}

#[test]
fn products_and_einsum() {
    let a = arange(6, &[2, 3]);
    let b = arange(12, &[3, 4]);
    let m = jnp::matmul(&a, &b).unwrap();
    assert_eq!(v32(&m), vec![20., 23., 26., 29., 56., 68., 80., 92.]);
    assert_eq!(v32(&jnp::einsum("ij,jk->ik", &[&a, &b]).unwrap()), v32(&m));
    assert_eq!(v32(&jnp::einsum("ij,jk", &[&a, &b]).unwrap()), v32(&m));
    assert_eq!(v32(&jnp::einsum("ij->ji", &[&a]).unwrap()), v32(&jnp::transpose(&a, None).unwrap()));
    assert_eq!(v32(&jnp::einsum("ij->", &[&a]).unwrap()), vec![15.]);
    let v = arange(3, &[3]);
    assert_eq!(v32(&jnp::matmul(&a, &v).unwrap()), vec![5., 14.]);
    assert_eq!(v32(&jnp::dot(&v, &v).unwrap()), vec![5.]);
    // batched with broadcasting of the batch dims
    let bb = arange(24, &[2, 3, 4]);
    assert_eq!(jnp::matmul(&a, &bb).unwrap().shape(), &[2, 2, 4]);
    assert_eq!(jnp::einsum("bij,bjk->bik", &[&jnp::stack(&[&a, &a], 0).unwrap(), &bb]).unwrap().shape(), &[2, 2, 4]);
    assert_eq!(v32(&jnp::outer(&v, &v).unwrap()), vec![0., 0., 0., 0., 1., 2., 0., 2., 4.]);
    assert_eq!(jnp::tensordot_n(&bb, &arange(4, &[4]), 1).unwrap().shape(), &[2, 3]);
    let n = v32(&jnp::norm(&arange(3, &[3]), jnp::NormOrd::Default, None, false).unwrap())[0];
    assert!((n - 5f32.sqrt()).abs() < 1e-6);
    assert_eq!(v32(&jnp::norm(&a, jnp::NormOrd::P(1.0), Some(&[0, 1]), false).unwrap()), vec![7.]);
    let e = jnp::matmul(&a, &a).unwrap_err();
    assert!(e.msg.contains("contracting dimensions"), "{e}");
}

#[test]
fn indexing_basic() {
    let a = arange(24, &[2, 3, 4]);
    assert_eq!(v32(&jnp::getitem(&a, &[Int(1), Int(-1), Int(2)]).unwrap()), vec![22.]);
    assert_eq!(jnp::getitem(&a, &[Int(0)]).unwrap().shape(), &[3, 4]);
    assert_eq!(jnp::getitem(&a, &[Ellipsis, Int(0)]).unwrap().shape(), &[2, 3]);
    assert_eq!(jnp::getitem(&a, &[NewAxis, all(), NewAxis]).unwrap().shape(), &[1, 2, 1, 3, 4]);
    let s = jnp::getitem(&a, &[Int(0), Slice(Some(1), None, None), Slice(None, None, Some(2))]).unwrap();
    assert_eq!(v32(&s), vec![4., 6., 8., 10.]);
    let r = jnp::getitem(&a, &[Int(0), Int(0), Slice(None, None, Some(-1))]).unwrap();
    assert_eq!(v32(&r), vec![3., 2., 1., 0.]);
    let r = jnp::getitem(&a, &[Int(0), Int(0), Slice(Some(-1), Some(0), Some(-2))]).unwrap();
    assert_eq!(v32(&r), vec![3., 1.]);
    // out-of-bounds static indices clamp when reading (JAX, unlike numpy)
    let c = jnp::getitem(&a, &[Int(2)]).unwrap();
    assert_eq!(v32(&c), v32(&jnp::getitem(&a, &[Int(1)]).unwrap()));
    let c = jnp::getitem(&a, &[Int(-5), Int(0), Int(9)]).unwrap();
    assert_eq!(v32(&c), vec![3.]);
    // and are dropped when updating
    let u = jnp::at_update(&a, &[Int(7)], &jnp::scalar(1.0), ScatterOp::Add).unwrap();
    assert_eq!(v32(&u), v32(&a));
    let e = jnp::getitem(&a, &[Int(0), Int(0), Int(0), Int(0)]).unwrap_err();
    assert!(e.msg.contains("Too many indices"), "{e}");
}

#[test]
fn indexing_advanced() {
    let a = arange(12, &[3, 4]);
    // integer arrays, negative entries, numpy's placement of result dims
    let r = jnp::getitem(&a, &[Array(i32a(&[2, -3], &[2]))]).unwrap();
    assert_eq!(v32(&r), vec![8., 9., 10., 11., 0., 1., 2., 3.]);
    let r = jnp::getitem(&a, &[Array(i32a(&[0, 2], &[2])), Array(i32a(&[1, 3], &[2]))]).unwrap();
    assert_eq!(v32(&r), vec![1., 11.]);
    let r = jnp::getitem(&a, &[all(), Array(i32a(&[3, 0], &[2]))]).unwrap();
    assert_eq!((r.shape().to_vec(), v32(&r)), (vec![3, 2], vec![3., 0., 7., 4., 11., 8.]));
    let b = arange(24, &[2, 3, 4]);
    // arrays separated by a slice: the broadcast dims go first
    let r = jnp::getitem(&b, &[Array(i32a(&[0, 1], &[2])), all(), Array(i32a(&[1, 2], &[2]))]).unwrap();
    assert_eq!((r.shape().to_vec(), v32(&r)), (vec![2, 3], vec![1., 5., 9., 14., 18., 22.]));
    // an int next to an array is an advanced index too (adjacent: stays in place)
    let r = jnp::getitem(&b, &[all(), Int(1), Array(i32a(&[0, 3], &[2]))]).unwrap();
    assert_eq!((r.shape().to_vec(), v32(&r)), (vec![2, 2], vec![4., 7., 16., 19.]));
    // boolean masks (concrete)
    let m = jnp::greater(&a, &jnp::scalar(8.5)).unwrap();
    assert_eq!(v32(&jnp::getitem(&a, &[Array(m)]).unwrap()), vec![9., 10., 11.]);
    let rows = Array::from_slice(&[true, false, true], &[3]).unwrap();
    assert_eq!(jnp::getitem(&a, &[Array(rows)]).unwrap().shape(), &[2, 4]);
    // take / take_along_axis
    assert_eq!(v32(&jnp::take(&a, &i32a(&[5, 0], &[2]), None).unwrap()), vec![5., 0.]);
    let idx = jnp::argsort(&jnp::negative(&a).unwrap(), Some(1), false).unwrap();
    assert_eq!(v32(&jnp::take_along_axis(&a, &idx, 1).unwrap())[..4], [3., 2., 1., 0.]);
}

#[test]
fn at_updates() {
    let a = arange(6, &[2, 3]);
    let r = jnp::at_update(&a, &[Int(0), Int(1)], &jnp::scalar(10.0), ScatterOp::Replace).unwrap();
    assert_eq!(v32(&r), vec![0., 10., 2., 3., 4., 5.]);
    let r = jnp::at_update(&a, &[all(), Int(-1)], &jnp::scalar(1.0), ScatterOp::Add).unwrap();
    assert_eq!(v32(&r), vec![0., 1., 3., 3., 4., 6.]);
    // repeated indices accumulate for add, out-of-bounds updates are dropped
    let z = jnp::zeros(&[4], DType::F32).unwrap();
    let r = jnp::at_update(&z, &[Array(i32a(&[1, 1, 3, 9], &[4]))], &jnp::scalar(1.0), ScatterOp::Add).unwrap();
    assert_eq!(v32(&r), vec![0., 2., 0., 1.]);
    let r = jnp::at_update(&a, &[Int(1)], &jnp::arange(0.0, 3.0, 1.0, Some(DType::F32)).unwrap(), ScatterOp::Mul).unwrap();
    assert_eq!(v32(&r), vec![0., 1., 2., 0., 4., 10.]);
    let r = jnp::at_update(&a, &[Slice(None, None, None)], &jnp::scalar(2.0), ScatterOp::Min).unwrap();
    assert_eq!(v32(&r), vec![0., 1., 2., 2., 2., 2.]);
    let r = jnp::at_update(&a, &[Int(0)], &jnp::scalar(1.5), ScatterOp::Max).unwrap();
    assert_eq!(v32(&r), vec![1.5, 1.5, 2., 3., 4., 5.]);
    let e = jnp::at_update(&a, &[Int(0)], &arange(2, &[2]), ScatterOp::Replace).unwrap_err();
    assert!(e.msg.contains("at[].set"), "{e}");
}

#[test]
fn sorting_where_clip_one_hot() {
    let x = Array::from_slice(&[3.0f32, 1.0, 2.0], &[3]).unwrap();
    assert_eq!(v32(&jnp::sort(&x, None).unwrap()), vec![1., 2., 3.]);
    assert_eq!(jnp::argsort(&x, None, false).unwrap().to_vec::<i32>().unwrap(), vec![1, 2, 0]);
    assert_eq!(jnp::argsort(&x, None, true).unwrap().to_vec::<i32>().unwrap(), vec![0, 2, 1]);
    let c = jnp::greater(&x, &jnp::scalar(1.5)).unwrap();
    assert_eq!(v32(&jnp::where_(&c, &x, &jnp::scalar(0.0)).unwrap()), vec![3., 0., 2.]);
    assert_eq!(v32(&jnp::clip(&x, Some(&jnp::scalar(1.5)), Some(&jnp::scalar(2.5))).unwrap()), vec![2.5, 1.5, 2.]);
    let oh = jnp::one_hot(&i32a(&[2, 0], &[2]), 3, None).unwrap();
    assert_eq!(v32(&oh), vec![0., 0., 1., 1., 0., 0.]);
    assert_eq!(jnp::isnan(&jnp::divide(&jnp::zeros(&[1], DType::F32).unwrap(), &jnp::scalar(0.0)).unwrap()).unwrap().to_vec::<bool>().unwrap(), vec![true]);
}

#[test]
fn where_broadcasts_all_three_and_bools_add_as_or() {
    // a rank-0 x with a wider y: the result takes the shape of all three
    let c = Array::from_slice(&[true], &[1, 1]).unwrap();
    let y = Array::from_slice(&[1.0f32, 2.0, 3.0], &[1, 3]).unwrap();
    let r = jnp::where_(&c, &jnp::scalar(9.0), &y).unwrap();
    assert_eq!(r.shape(), &[1, 3]);
    assert_eq!(v32(&r), vec![9., 9., 9.]);
    let t = Array::from_slice(&[true, false, false], &[3]).unwrap();
    let u = Array::from_slice(&[true, true, false], &[3]).unwrap();
    assert_eq!(jnp::add(&t, &u).unwrap().to_vec::<bool>().unwrap(), vec![true, true, false]);
    assert_eq!(jnp::multiply(&t, &u).unwrap().to_vec::<bool>().unwrap(), vec![true, false, false]);
    assert_eq!(jnp::maximum(&t, &u).unwrap().to_vec::<bool>().unwrap(), vec![true, true, false]);
    let e = jnp::subtract(&t, &u).unwrap_err();
    assert!(e.msg.contains("boolean subtract"), "{e}");
}
