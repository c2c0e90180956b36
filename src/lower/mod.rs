//! Lowering of graphs to StableHLO MLIR text for XLA (through PJRT).

pub mod stablehlo;
