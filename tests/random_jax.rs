//! JAX's threefry stream, against values printed by JAX 0.10.2 (CPU, x32,
//! jax_threefry_partitionable=True).

use jaxcore::random;
use jaxcore::DType;

#[test]
fn key_data_of_key0() {
    assert_eq!(random::key(0).to_vec::<u32>().unwrap(), vec![0, 0]);
}

#[test]
fn split_matches_jax() {
    let s = random::split(&random::key(0), 2).unwrap();
    assert_eq!(s.shape(), &[2, 2]);
    assert_eq!(s.to_vec::<u32>().unwrap(), vec![1797259609, 2579123966, 928981903, 3453687069]);
}

#[test]
fn bits_match_jax() {
    let b = random::bits(&random::key(0), &[4], DType::U32).unwrap();
    assert_eq!(b.to_vec::<u32>().unwrap(), vec![4070199207, 4202968722, 1427181096, 2012915765]);
}

fn close_f32(got: &[f32], want: &[f32]) {
    for (g, w) in got.iter().zip(want) {
        // "equal to JAX's to float32 rounding": within one ulp
        let ulp = (w.abs() * f32::EPSILON).max(f32::MIN_POSITIVE);
        assert!((g - w).abs() <= ulp, "got {got:?}, want {want:?}");
    }
}

#[test]
fn uniform_matches_jax() {
    let u = random::uniform(&random::key(0), &[3], DType::F32, 0.0, 1.0).unwrap();
    close_f32(&u.to_vec::<f32>().unwrap(), &[0.947667, 0.9785799, 0.33229148]);
}

#[test]
fn normal_matches_jax() {
    let n = random::normal(&random::key(0), &[3], DType::F32).unwrap();
    close_f32(&n.to_vec::<f32>().unwrap(), &[1.6226422, 2.0252647, -0.43359444]);
}

#[test]
fn normal_100x3_has_unit_moments() {
    let n = random::normal(&random::key(0), &[100, 3], DType::F32).unwrap().to_vec::<f32>().unwrap();
    let mean = n.iter().sum::<f32>() / 300.0;
    let var = n.iter().map(|x| (x - mean) * (x - mean)).sum::<f32>() / 300.0;
    assert!(mean.abs() < 0.2 && (var - 1.0).abs() < 0.25, "mean {mean} var {var}");
}

#[test]
fn fold_in_is_split_counter() {
    // in the partitionable scheme fold_in(k, i) hashes the same counter as split's i-th key
    let s = random::split(&random::key(0), 2).unwrap().to_vec::<u32>().unwrap();
    let f = random::fold_in(&random::key(0), 1).unwrap().to_vec::<u32>().unwrap();
    assert_eq!(f, s[2..].to_vec());
}

#[test]
fn bad_key_is_a_type_error() {
    let bad = jaxcore::Array::from_vec(vec![1.0f32, 2.0], &[2]).unwrap();
    let e = random::normal(&bad, &[3], DType::F32).unwrap_err();
    assert!(e.msg.contains("uint32[2]"), "{e}");
}
