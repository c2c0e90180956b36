//! Sharding primitives: `sharding_constraint` (JAX's
//! `with_sharding_constraint` and `reshard`). The collectives of manual mode
//! and `shard_map` live in `collective.rs`.

use crate::array::Array;
use crate::error::Result;
use crate::ir::Aval;
use crate::sharding::{NamedSharding, PartitionSpec};

/// Identity; the result's type takes the explicit part of `s` (so `reshard`
/// changes the type, while a constraint over Auto axes does not).
pub fn constraint_shape(s: &NamedSharding, ins: &[Aval]) -> Result<Aval> {
    super::arity("sharding_constraint", ins, 1)?;
    s.check_shape(&ins[0].shape, "with_sharding_constraint")?;
    Ok(match s.explicit_part() {
        Some(e) => ins[0].unsharded().with_sharding(Some(e)),
        None => ins[0].clone(),
    })
}

/// Under vmap the batch dimension (moved to the front) is not split.
pub fn constraint_batch(s: &NamedSharding, x: &Array, d: Option<usize>) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
    if d.is_none() {
        return Ok((vec![crate::trace::bind1(super::Prim::ShardingConstraint { sharding: s.clone() }, &[x])?], vec![None]));
    }
    let x = crate::transform::batching::move_to_front(x, d)?;
    let mut spec = vec![vec![]];
    spec.extend(s.spec.padded(x.ndim() - 1));
    let s = NamedSharding { mesh: s.mesh.clone(), spec: PartitionSpec(spec).normalized() };
    Ok((vec![crate::trace::bind1(super::Prim::ShardingConstraint { sharding: s }, &[&x])?], vec![Some(0)]))
}

/// The cotangent goes back to the operand's layout: its type's sharding
/// (replicated when its type has none but the constraint retyped it), or
/// the same constraint over Auto axes.
pub fn constraint_transpose(s: &NamedSharding, ct: &Array, operand: &Aval) -> Result<Array> {
    let back = match (&operand.sharding, s.explicit_part()) {
        (Some(t), _) => (**t).clone(),
        (None, Some(_)) => NamedSharding::replicated(&s.mesh),
        (None, None) => s.clone(),
    };
    crate::trace::bind1(super::Prim::ShardingConstraint { sharding: back }, &[ct])
}
