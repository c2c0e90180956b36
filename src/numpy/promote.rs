//! JAX's type promotion: the least upper bound on JAX's promotion lattice,
//! with weak types for host scalars (`i*`, `f*`), and the x64 switch that
//! decides the default int and float types.

use crate::dtype::DType;
use std::sync::atomic::{AtomicBool, Ordering};

static X64: AtomicBool = AtomicBool::new(false);

/// `jax.config.update("jax_enable_x64", on)`: 64-bit default types.
pub fn set_x64(on: bool) {
    X64.store(on, Ordering::Relaxed)
}
pub fn x64_enabled() -> bool {
    X64.load(Ordering::Relaxed)
}
/// The default float type (`float32`, or `float64` with x64).
pub fn default_float() -> DType {
    if x64_enabled() {
        DType::F64
    } else {
        DType::F32
    }
}
/// The default int type (`int32`, or `int64` with x64).
pub fn default_int() -> DType {
    if x64_enabled() {
        DType::I64
    } else {
        DType::I32
    }
}
pub fn default_uint() -> DType {
    if x64_enabled() {
        DType::U64
    } else {
        DType::U32
    }
}
/// What a 64-bit dtype becomes when x64 is off (as JAX canonicalizes).
pub fn canonicalize(d: DType) -> DType {
    if x64_enabled() {
        return d;
    }
    match d {
        DType::I64 => DType::I32,
        DType::U64 => DType::U32,
        DType::F64 => DType::F32,
        DType::C128 => DType::C64,
        d => d,
    }
}

/// Nodes of the lattice: the dtypes plus the weak kinds of Python scalars.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Node {
    D(DType),
    WeakInt,
    WeakFloat,
    WeakComplex,
}

fn parents(n: Node) -> &'static [Node] {
    use DType::*;
    use Node::*;
    match n {
        D(Bool) => &[WeakInt],
        WeakInt => &[D(U8), D(I8)],
        D(U8) => &[D(I16), D(U16)],
        D(U16) => &[D(I32), D(U32)],
        D(U32) => &[D(I64), D(U64)],
        D(U64) => &[WeakFloat],
        D(I8) => &[D(I16)],
        D(I16) => &[D(I32)],
        D(I32) => &[D(I64)],
        D(I64) => &[WeakFloat],
        WeakFloat => &[D(F16), D(BF16), WeakComplex],
        D(F16) => &[D(F32)],
        D(BF16) => &[D(F32)],
        D(F32) => &[D(F64), D(C64)],
        D(F64) => &[D(C128)],
        WeakComplex => &[D(C64)],
        D(C64) => &[D(C128)],
        D(C128) => &[],
    }
}

/// All nodes at or above `n`.
fn upper(n: Node) -> Vec<Node> {
    let mut out = vec![n];
    let mut i = 0;
    while i < out.len() {
        for &p in parents(out[i]) {
            if !out.contains(&p) {
                out.push(p);
            }
        }
        i += 1;
    }
    out
}

fn node(d: DType, weak: bool) -> Node {
    if weak && d.is_int() {
        Node::WeakInt
    } else if weak && d.is_float() {
        Node::WeakFloat
    } else if weak && d.is_complex() {
        Node::WeakComplex
    } else {
        Node::D(d)
    }
}

fn lub(nodes: &[Node]) -> Node {
    let mut common = upper(nodes[0]);
    for &n in &nodes[1..] {
        let u = upper(n);
        common.retain(|c| u.contains(c));
    }
    // the least upper bound is the common bound that all others are above
    *common
        .iter()
        .find(|c| {
            let uc = upper(**c);
            common.iter().all(|o| uc.contains(o))
        })
        .expect("the promotion lattice has a top")
}

/// `jnp.result_type` of (dtype, weak) pairs: the dtype and weak flag of the result.
pub fn result_type(args: &[(DType, bool)]) -> (DType, bool) {
    let (d0, w0) = args[0];
    if args.iter().all(|&(d, w)| d == d0 && w == w0) {
        return (d0, w0);
    }
    if args.iter().all(|&(d, _)| d == d0) && !args.iter().all(|&(_, w)| w) {
        return (d0, false);
    }
    if args.iter().all(|&(_, w)| w) {
        // all weak: promote the strong counterparts, keep the result weak
        let nodes: Vec<Node> = args.iter().map(|&(d, _)| Node::D(d)).collect();
        return match lub(&nodes) {
            Node::D(d) => (d, d != DType::Bool),
            _ => unreachable!(),
        };
    }
    let nodes: Vec<Node> = args.iter().map(|&(d, w)| node(d, w)).collect();
    let out = match lub(&nodes) {
        Node::D(d) => (d, false),
        Node::WeakInt => (default_int(), true),
        Node::WeakFloat => (default_float(), true),
        Node::WeakComplex => (default_float().complex_of(), true),
    };
    // a dtype that promotion produced (not one the user passed) is canonicalized
    if args.iter().any(|&(d, _)| d == out.0) {
        out
    } else {
        (canonicalize(out.0), out.1)
    }
}

/// The float type an operation on `d` computes in (`jnp.exp(int32)` is float32;
/// complex types stay complex).
pub fn to_inexact(d: DType, weak: bool) -> (DType, bool) {
    if d.is_inexact() {
        (d, weak)
    } else {
        (default_float(), weak)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DType::*;

    #[test]
    fn promotion_table_matches_jax() {
        // strong with strong
        assert_eq!(result_type(&[(I32, false), (F32, false)]), (F32, false));
        assert_eq!(result_type(&[(U8, false), (I8, false)]), (I16, false));
        assert_eq!(result_type(&[(F16, false), (BF16, false)]), (F32, false));
        assert_eq!(result_type(&[(Bool, false), (I8, false)]), (I8, false));
        assert_eq!(result_type(&[(U32, false), (I32, false)]), (I32, false)); // i64 canonicalized in x32
        // strong with weak: the strong dtype wins within its kind
        assert_eq!(result_type(&[(F16, false), (F32, true)]), (F16, false));
        assert_eq!(result_type(&[(I8, false), (I32, true)]), (I8, false));
        assert_eq!(result_type(&[(I32, false), (F32, true)]), (F32, true));
        assert_eq!(result_type(&[(Bool, false), (I32, true)]), (I32, true));
        // weak with weak
        assert_eq!(result_type(&[(I32, true), (F32, true)]), (F32, true));
        // complex: float32 with complex64, float64 with complex64 is complex128
        assert_eq!(result_type(&[(F32, false), (C64, false)]), (C64, false));
        assert_eq!(result_type(&[(F16, false), (C64, true)]), (C64, false));
        assert_eq!(result_type(&[(I32, false), (C64, false)]), (C64, false));
        assert_eq!(result_type(&[(C64, false), (F32, true)]), (C64, false));
    }
}
