//! Golden StableHLO text for a handful of programs (review diffs by eye).

use jaxcore::lower::stablehlo::lower;
use jaxcore::numpy as jnp;
use jaxcore::{make_graph, Aval, DType};

fn f32a(s: &[usize]) -> Aval {
    Aval::new(s, DType::F32)
}

#[test]
fn golden_x_times_x_plus_2x() {
    let g = make_graph(|x| Ok(vec![jnp::add(&jnp::multiply(&x[0], &x[0])?, &jnp::multiply(&x[0], &jnp::scalar(2.0))?)?]), &[f32a(&[4])]).unwrap();
    let want = r#"module @m attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<4xf32>) -> (tensor<4xf32>) {
    %0 = "stablehlo.multiply"(%arg0, %arg0) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %1 = stablehlo.constant dense<0x40000000> : tensor<f32>
    %2 = "stablehlo.broadcast_in_dim"(%1) {broadcast_dimensions = array<i64>} : (tensor<f32>) -> tensor<4xf32>
    %3 = "stablehlo.multiply"(%arg0, %2) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %4 = "stablehlo.add"(%0, %3) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    return %4 : tensor<4xf32>
  }
}
"#;
    assert_eq!(lower(&g, "m").unwrap(), want);
}

#[test]
fn golden_sum_reduction_and_matmul() {
    let g = make_graph(|a| Ok(vec![jnp::sum(&jnp::matmul(&a[0], &a[1])?, Some(&[1]), false)?]), &[f32a(&[2, 3]), f32a(&[3, 4])]).unwrap();
    let want = r#"module @m attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<2x3xf32>, %arg1: tensor<3x4xf32>) -> (tensor<2xf32>) {
    %0 = "stablehlo.dot_general"(%arg0, %arg1) {dot_dimension_numbers = #stablehlo.dot<lhs_contracting_dimensions = [1], rhs_contracting_dimensions = [0]>} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
    %1 = stablehlo.constant dense<0x00000000> : tensor<f32>
    %5 = "stablehlo.reduce"(%0, %1) ({
    ^bb0(%r2: tensor<f32>, %r3: tensor<f32>):
      %4 = "stablehlo.add"(%r2, %r3) : (tensor<f32>, tensor<f32>) -> tensor<f32>
      "stablehlo.return"(%4) : (tensor<f32>) -> ()
    }) {dimensions = array<i64: 1>} : (tensor<2x4xf32>, tensor<f32>) -> (tensor<2xf32>)
    return %5 : tensor<2xf32>
  }
}
"#;
    assert_eq!(lower(&g, "m").unwrap(), want);
}

#[test]
fn golden_consts_become_arguments_and_chlo_for_special_functions() {
    let w = jnp::ones(&[3], DType::F32).unwrap();
    let g = make_graph(move |a| Ok(vec![jnp::erf(&jnp::add(&a[0], &w)?)?]), &[f32a(&[3])]).unwrap();
    let text = lower(&g, "m").unwrap();
    assert!(text.contains("@main(%arg0: tensor<3xf32>, %arg1: tensor<3xf32>)"), "{text}");
    assert!(text.contains("\"chlo.erf\""), "{text}");
}
