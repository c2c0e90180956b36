//! Explicit sharding through shape rules: when an input type carries a
//! sharding (`f32[8@data,4]`), the outputs' shardings follow from the
//! primitive, as in JAX's explicit mode; where that is ambiguous the rule
//! raises JAX's error and the user says what they want (`reshard`).

use super::{NamedSharding, PartitionSpec};
use crate::error::Result;
use crate::ir::Aval;
use crate::prim::Prim;

type Dims = Vec<Vec<String>>;

fn spec_of(a: &Aval) -> Dims {
    a.sharding.as_ref().map(|s| s.spec.padded(a.ndim())).unwrap_or_else(|| vec![vec![]; a.ndim()])
}

fn spec_str(d: &Dims) -> String {
    let parts: Vec<String> = d
        .iter()
        .map(|x| match x.len() {
            0 => "None".into(),
            1 => format!("'{}'", x[0]),
            _ => format!("({})", x.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(", ")),
        })
        .collect();
    let comma = if parts.len() == 1 { "," } else { "" };
    format!("({}{comma})", parts.join(", "))
}

fn sharding_err(msg: String) -> crate::Error {
    crate::Error::new(crate::ErrorKind::Type, format!("ShardingTypeError: {msg}"))
}

/// Elementwise: each output dim takes the one axis set its inputs agree on
/// (rank-0 and unsplit inputs impose nothing).
fn merge(name: &str, ins: &[Aval], ndim: usize) -> Result<Dims> {
    let mut out: Dims = vec![vec![]; ndim];
    let specs: Vec<Dims> = ins.iter().filter(|a| a.ndim() == ndim).map(spec_of).collect();
    for d in 0..ndim {
        for s in &specs {
            if s[d].is_empty() {
                continue;
            }
            if out[d].is_empty() {
                out[d] = s[d].clone();
            } else if out[d] != s[d] {
                let all: Vec<String> = specs.iter().map(spec_str).collect();
                return Err(sharding_err(format!("{name} got incompatible shardings for broadcasting: {}.", all.join(", "))));
            }
        }
    }
    Ok(out)
}

fn check_unsharded(a: &Aval, dims: &[usize], what: &str) -> Result<()> {
    let s = spec_of(a);
    if dims.iter().any(|&d| d < s.len() && !s[d].is_empty()) {
        return Err(sharding_err(format!("{what}. Got input type={a} and axis={}", dims.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(","))));
    }
    Ok(())
}

/// Sets the outputs' explicit shardings for `p` applied to `ins`.
pub fn propagate(p: &Prim, ins: &[Aval], outs: &mut [Aval]) -> Result<()> {
    let Some(mesh) = ins.iter().find_map(|a| a.sharding.as_ref().map(|s| s.mesh.clone())) else {
        return Ok(());
    };
    for a in ins.iter().filter_map(|a| a.sharding.as_ref()) {
        if a.mesh != mesh {
            return Err(sharding_err(format!("{} got arrays sharded over different meshes: {} and {}", p.name(), mesh, a.mesh)));
        }
    }
    use Prim::*;
    let name = p.name();
    let x = &ins[0];
    let xs = || spec_of(x);
    let specs: Vec<Option<Dims>> = match p {
        Unary(_) | IntegerPow { .. } | Binary(_) | SelectN | Clamp | ConvertElementType { .. } | StopGradient | Compare(_) | Threefry2x32 => {
            outs.iter().map(|o| merge(&name, ins, o.ndim()).map(Some)).collect::<Result<_>>()?
        }
        BitcastConvertType { .. } => vec![Some(xs().into_iter().chain(std::iter::repeat(vec![])).take(outs[0].ndim()).collect())],
        BroadcastInDim { shape, dims } => {
            let mut o: Dims = vec![vec![]; shape.len()];
            for (i, &d) in dims.iter().enumerate() {
                if x.shape[i] == shape[d] {
                    o[d] = xs()[i].clone();
                }
            }
            vec![Some(o)]
        }
        Reshape { shape } => vec![Some(reshape_rule(x, shape)?)],
        Transpose { perm } => vec![Some(perm.iter().map(|&p| xs()[p].clone()).collect())],
        Squeeze { dims } => vec![Some(xs().into_iter().enumerate().filter(|(i, _)| !dims.contains(i)).map(|(_, s)| s).collect())],
        Rev { .. } | Cumulative { .. } => {
            if let Cumulative { axis, .. } = p {
                check_unsharded(x, &[*axis], "Input should be unsharded over the axis being reduced")?;
            }
            vec![Some(xs())]
        }
        Slice { .. } | Pad { .. } | DynamicSlice { .. } | DynamicUpdateSlice => {
            // a dim whose extent changes cannot stay split without collectives
            let o: Dims = xs().into_iter().enumerate().map(|(d, s)| if x.shape[d] == outs[0].shape[d] { s } else { vec![] }).collect();
            if o != xs() {
                return Err(sharding_err(format!(
                    "{name} changes the size of a sharded dimension of {x}: the output sharding is ambiguous; reshard the operand first (jax.sharding.reshard)"
                )));
            }
            vec![Some(o)]
        }
        Concatenate { dim } => {
            let m = merge(&name, ins, outs[0].ndim())?;
            if !m[*dim].is_empty() {
                return Err(sharding_err(format!("concatenate along a sharded dimension {dim} is ambiguous; reshard the operands first")));
            }
            vec![Some(m)]
        }
        Reduce { axes, .. } => vec![Some(xs().into_iter().enumerate().filter(|(i, _)| !axes.contains(i)).map(|(_, s)| s).collect())],
        ArgReduce { axis, .. } => vec![Some(xs().into_iter().enumerate().filter(|(i, _)| i != axis).map(|(_, s)| s).collect())],
        Sort { dim, .. } => {
            for a in ins {
                if !spec_of(a)[*dim].is_empty() {
                    return Err(sharding_err(format!("Arguments to sort must be unsharded over the sorting dimension. Got arg type={a} and sorting dimension={dim}")));
                }
            }
            outs.iter().map(|_| Some(xs())).collect()
        }
        DotGeneral { dims, .. } => vec![Some(dot_rule(dims, &ins[0], &ins[1])?)],
        Gather { .. } | Scatter { .. } => {
            return Err(sharding_err(format!(
                "{name} of an operand sharded as {x}: the output sharding could not be resolved unambiguously; reshard the operand (jax.sharding.reshard) before indexing"
            )))
        }
        ShardingConstraint { .. } => vec![None], // the primitive's own rule set it
        // sub-graph primitives: their bodies' outputs already carry shardings
        _ => outs.iter().map(|_| None).collect(),
    };
    for (o, s) in outs.iter_mut().zip(specs) {
        let Some(s) = s else { continue };
        let all: Vec<&String> = s.iter().flatten().collect();
        let ns = NamedSharding { mesh: mesh.clone(), spec: PartitionSpec(s.clone()).normalized() };
        o.sharding = None;
        *o = o.clone().with_sharding(Some(ns));
        if (0..all.len()).any(|i| all[..i].contains(&all[i])) {
            return Err(sharding_err(format!(
                "{name} operation with inputs: {} produces an illegally sharded result: {o}",
                ins.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", "),
            )));
        }
    }
    Ok(())
}

/// Splitting a sharded dim keeps the split on its major part; merging keeps a
/// sharded major dim; anything else needs an explicit output sharding.
fn reshape_rule(x: &Aval, shape: &[usize]) -> Result<Dims> {
    let s = spec_of(x);
    let mut out: Dims = vec![vec![]; shape.len()];
    let (mut i, mut j) = (0, 0);
    let bad = || sharding_err(format!("This reshape is not supported. Please specify the sharding of the output via the `out_sharding` argument of jax.lax.reshape. Got operand type: {x}, new sizes: {}", crate::ir::shape_str(shape)));
    while i < x.ndim() || j < shape.len() {
        // one group: in dims i..i2 and out dims j..j2 with equal products
        let (mut i2, mut j2) = (i, j);
        let (mut a, mut b) = (1usize, 1usize);
        loop {
            if a <= b && i2 < x.ndim() {
                a *= x.shape[i2];
                i2 += 1;
            } else if j2 < shape.len() {
                b *= shape[j2];
                j2 += 1;
            } else if i2 < x.ndim() {
                a *= x.shape[i2];
                i2 += 1;
            } else {
                break;
            }
            if a == b && (i2 == x.ndim() || x.shape[i2] != 1 || j2 == shape.len()) && (j2 == shape.len() || shape[j2] != 1 || i2 == x.ndim()) {
                break;
            }
        }
        let sharded: Vec<usize> = (i..i2).filter(|&d| !s[d].is_empty()).collect();
        match sharded.as_slice() {
            [] => {}
            [d] if *d == i && j2 > j => {
                // the split applies to the first out dim of the group, which must be divisible by it
                let parts: usize = s[*d].len().max(1);
                let _ = parts;
                let first = (j..j2).find(|&k| shape[k] != 1).unwrap_or(j);
                let n: usize = x.sharding.as_ref().map(|sh| sh.parts(*d)).unwrap_or(1);
                if shape[first] % n != 0 || (first > j && (j..first).any(|k| shape[k] != 1)) {
                    return Err(bad());
                }
                out[first] = s[*d].clone();
            }
            _ => return Err(bad()),
        }
        i = i2;
        j = j2;
        if i2 == x.ndim() && j2 == shape.len() {
            break;
        }
    }
    Ok(out)
}

fn dot_rule(d: &crate::prim::DotDims, lhs: &Aval, rhs: &Aval) -> Result<Dims> {
    let (l, r) = (spec_of(lhs), spec_of(rhs));
    let lc: Vec<&Vec<String>> = d.lhs_contract.iter().map(|&i| &l[i]).collect();
    let rc: Vec<&Vec<String>> = d.rhs_contract.iter().map(|&i| &r[i]).collect();
    // one side's sharded contraction is gathered; both sides' would leave a partial sum
    if lc.iter().any(|s| !s.is_empty()) && rc.iter().any(|s| !s.is_empty()) {
        return Err(sharding_err(format!(
            "Contracting dimensions are sharded and it is ambiguous how the output should be sharded. Please specify the output sharding via the `out_sharding` parameter. Got lhs_contracting_spec={} and rhs_contracting_spec={}",
            spec_str(&lc.into_iter().cloned().collect()),
            spec_str(&rc.into_iter().cloned().collect())
        )));
    }
    let mut out = Dims::new();
    for (&a, &b) in d.lhs_batch.iter().zip(&d.rhs_batch) {
        if !l[a].is_empty() && !r[b].is_empty() && l[a] != r[b] {
            return Err(sharding_err(format!("dot_general batch dimensions are sharded differently: {lhs} and {rhs}")));
        }
        out.push(if l[a].is_empty() { r[b].clone() } else { l[a].clone() });
    }
    for i in 0..lhs.ndim() {
        if !d.lhs_batch.contains(&i) && !d.lhs_contract.contains(&i) {
            out.push(l[i].clone());
        }
    }
    for i in 0..rhs.ndim() {
        if !d.rhs_batch.contains(&i) && !d.rhs_contract.contains(&i) {
            out.push(r[i].clone());
        }
    }
    Ok(out)
}
