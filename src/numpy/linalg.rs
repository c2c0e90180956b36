//! Products: matmul, dot, outer, tensordot, einsum (no repeated labels
//! within one operand, no ellipsis), and vector/matrix norms.

use super::{broadcast_shapes, broadcast_to, norm_axes, promote_args};
use crate::array::Array;
use crate::error::Result;
use crate::lax;
use crate::prim::DotDims;

/// `jnp.matmul` (`@`): 1-d operands are promoted and squeezed back, leading
/// dims broadcast as batch dims.
pub fn matmul(a: &Array, b: &Array) -> Result<Array> {
    let v = promote_args_no_broadcast("matmul", a, b)?;
    let (mut a, mut b) = (v.0, v.1);
    if a.ndim() == 0 || b.ndim() == 0 {
        crate::bail!(Value, "matmul: operands must have at least one dimension, got shapes {} and {}", a.aval().shape_str(), b.aval().shape_str());
    }
    let (a1, b1) = (a.ndim() == 1, b.ndim() == 1);
    if a1 {
        a = lax::reshape(&a, &[1, a.shape()[0]])?;
    }
    if b1 {
        b = lax::reshape(&b, &[b.shape()[0], 1])?;
    }
    let (an, bn) = (a.ndim(), b.ndim());
    let (m, k) = (a.shape()[an - 2], a.shape()[an - 1]);
    let (k2, n) = (b.shape()[bn - 2], b.shape()[bn - 1]);
    if k != k2 {
        crate::bail!(
            Type,
            "dot_general requires contracting dimensions to have the same shape, got ({k},) and ({k2},).");
    }
    let batch = broadcast_shapes("matmul", &[&a.shape()[..an - 2], &b.shape()[..bn - 2]])?;
    let nb = batch.len();
    let a = broadcast_to(&a, &[batch.clone(), vec![m, k]].concat())?;
    let b = broadcast_to(&b, &[batch.clone(), vec![k, n]].concat())?;
    let bd: Vec<usize> = (0..nb).collect();
    let dims = DotDims { lhs_contract: vec![nb + 1], rhs_contract: vec![nb], lhs_batch: bd.clone(), rhs_batch: bd };
    let mut r = lax::dot_general(&a, &b, dims, None)?;
    let mut shape = batch;
    if !a1 {
        shape.push(m);
    }
    if !b1 {
        shape.push(n);
    }
    if r.shape() != &shape[..] {
        r = lax::reshape(&r, &shape)?;
    }
    Ok(r)
}

/// Promotes dtypes only (products don't broadcast their operands elementwise).
fn promote_args_no_broadcast(op: &str, a: &Array, b: &Array) -> Result<(Array, Array)> {
    let (d, w) = super::result_type(&[(a.dtype(), a.weak_type()), (b.dtype(), b.weak_type())]);
    let _ = op;
    Ok((lax::convert_weak(a, d, w)?, lax::convert_weak(b, d, w)?))
}

/// `jnp.dot`.
pub fn dot(a: &Array, b: &Array) -> Result<Array> {
    if a.ndim() == 0 || b.ndim() == 0 {
        return super::multiply(a, b);
    }
    if a.ndim() <= 2 && b.ndim() <= 2 {
        return matmul(a, b);
    }
    let (a, b) = promote_args_no_broadcast("dot", a, b)?;
    let bc = if b.ndim() == 1 { 0 } else { b.ndim() - 2 };
    let dims = DotDims { lhs_contract: vec![a.ndim() - 1], rhs_contract: vec![bc], lhs_batch: vec![], rhs_batch: vec![] };
    lax::dot_general(&a, &b, dims, None)
}

/// `jnp.vdot`: flattened dot product.
pub fn vdot(a: &Array, b: &Array) -> Result<Array> {
    // the first operand is conjugated (numpy's and JAX's vdot)
    dot(&super::conj(&super::ravel(a)?)?, &super::ravel(b)?)
}

/// `jnp.outer`.
pub fn outer(a: &Array, b: &Array) -> Result<Array> {
    let (a, b) = (super::ravel(a)?, super::ravel(b)?);
    let (n, m) = (a.shape()[0], b.shape()[0]);
    let v = promote_args("outer", &[&lax::reshape(&a, &[n, 1])?, &lax::reshape(&b, &[1, m])?])?;
    lax::mul(&v[0], &v[1])
}

/// `jnp.inner`: contracts the last axes.
pub fn inner(a: &Array, b: &Array) -> Result<Array> {
    if a.ndim() == 0 || b.ndim() == 0 {
        return super::multiply(a, b);
    }
    let (a, b) = promote_args_no_broadcast("inner", a, b)?;
    let dims = DotDims { lhs_contract: vec![a.ndim() - 1], rhs_contract: vec![b.ndim() - 1], lhs_batch: vec![], rhs_batch: vec![] };
    lax::dot_general(&a, &b, dims, None)
}

/// `jnp.tensordot(a, b, axes)`: contracts `a_axes` with `b_axes`.
pub fn tensordot(a: &Array, b: &Array, a_axes: &[isize], b_axes: &[isize]) -> Result<Array> {
    let (a, b) = promote_args_no_broadcast("tensordot", a, b)?;
    let la: Vec<usize> = a_axes.iter().map(|&x| super::norm_axis(x, a.ndim())).collect::<Result<_>>()?;
    let lb: Vec<usize> = b_axes.iter().map(|&x| super::norm_axis(x, b.ndim())).collect::<Result<_>>()?;
    lax::dot_general(&a, &b, DotDims { lhs_contract: la, rhs_contract: lb, lhs_batch: vec![], rhs_batch: vec![] }, None)
}

/// `jnp.tensordot(a, b, n)`: the last n axes of a with the first n of b.
pub fn tensordot_n(a: &Array, b: &Array, n: usize) -> Result<Array> {
    let la: Vec<isize> = (a.ndim() - n..a.ndim()).map(|x| x as isize).collect();
    let lb: Vec<isize> = (0..n).map(|x| x as isize).collect();
    tensordot(a, b, &la, &lb)
}

/// `jnp.einsum(spec, *operands)`, contracting left to right.
pub fn einsum(spec: &str, ops: &[&Array]) -> Result<Array> {
    let spec: String = spec.chars().filter(|c| !c.is_whitespace()).collect();
    if spec.contains("...") {
        crate::bail!(NotImplemented, "einsum: ellipsis ('...') in subscripts is not supported yet: {spec}");
    }
    let (lhs, out) = match spec.split_once("->") {
        Some((l, r)) => (l.to_string(), Some(r.to_string())),
        None => (spec.clone(), None),
    };
    let ins: Vec<Vec<char>> = lhs.split(',').map(|s| s.chars().collect()).collect();
    if ins.len() != ops.len() {
        crate::bail!(Value, "einsum: {} operands for subscripts '{spec}' naming {}", ops.len(), ins.len());
    }
    for (labels, x) in ins.iter().zip(ops) {
        if labels.len() != x.ndim() {
            crate::bail!(Value, "einsum: subscripts '{}' do not match an operand of rank {}", labels.iter().collect::<String>(), x.ndim());
        }
        let mut s = labels.clone();
        s.sort_unstable();
        s.dedup();
        if s.len() != labels.len() {
            crate::bail!(NotImplemented, "einsum: repeated subscripts within one operand (diagonals) are not supported yet: {spec}");
        }
    }
    let out: Vec<char> = match out {
        Some(o) => o.chars().collect(),
        None => {
            // implicit mode: labels that appear once, alphabetically
            let all: Vec<char> = ins.concat();
            let mut o: Vec<char> = all.iter().copied().filter(|c| all.iter().filter(|d| *d == c).count() == 1).collect();
            o.sort_unstable();
            o
        }
    };
    let mut cur = ops[0].clone();
    let mut cur_l = ins[0].clone();
    for i in 1..ops.len() {
        let later: Vec<char> = ins[i + 1..].concat().into_iter().chain(out.iter().copied()).collect();
        let (next, next_l) = (ops[i], &ins[i]);
        let needed = |c: &char| later.contains(c);
        // sum out labels private to one side and not needed later
        let (a, al) = sum_private(&cur, &cur_l, next_l, &needed)?;
        let (b, bl) = sum_private(next, next_l, &al, &needed)?;
        let (a, b) = promote_args_no_broadcast("einsum", &a, &b)?;
        let shared: Vec<char> = al.iter().copied().filter(|c| bl.contains(c)).collect();
        let batch: Vec<char> = shared.iter().copied().filter(|c| needed(c)).collect();
        let contract: Vec<char> = shared.iter().copied().filter(|c| !needed(c)).collect();
        let pos = |ls: &[char], c: char| ls.iter().position(|&x| x == c).unwrap();
        let dims = DotDims {
            lhs_contract: contract.iter().map(|&c| pos(&al, c)).collect(),
            rhs_contract: contract.iter().map(|&c| pos(&bl, c)).collect(),
            lhs_batch: batch.iter().map(|&c| pos(&al, c)).collect(),
            rhs_batch: batch.iter().map(|&c| pos(&bl, c)).collect(),
        };
        cur = lax::dot_general(&a, &b, dims, None)?;
        let mut l = batch.clone();
        l.extend(al.iter().copied().filter(|c| !shared.contains(c)));
        l.extend(bl.iter().copied().filter(|c| !shared.contains(c)));
        cur_l = l;
    }
    // final: sum labels not in the output, then order as the output
    let drop: Vec<usize> = cur_l.iter().enumerate().filter(|(_, c)| !out.contains(c)).map(|(i, _)| i).collect();
    if !drop.is_empty() {
        cur = lax::reduce_sum(&cur, &drop)?;
        cur_l.retain(|c| out.contains(c));
    }
    for c in &out {
        if !cur_l.contains(c) {
            crate::bail!(Value, "einsum: output subscript '{c}' does not appear in the inputs of '{spec}'");
        }
    }
    let perm: Vec<usize> = out.iter().map(|c| cur_l.iter().position(|x| x == c).unwrap()).collect();
    lax::transpose(&cur, &perm)
}

fn sum_private(x: &Array, l: &[char], other: &[char], needed: &dyn Fn(&char) -> bool) -> Result<(Array, Vec<char>)> {
    let drop: Vec<usize> = l.iter().enumerate().filter(|(_, c)| !other.contains(c) && !needed(c)).map(|(i, _)| i).collect();
    if drop.is_empty() {
        return Ok((x.clone(), l.to_vec()));
    }
    let keep: Vec<char> = l.iter().enumerate().filter(|(i, _)| !drop.contains(i)).map(|(_, &c)| c).collect();
    Ok((lax::reduce_sum(x, &drop)?, keep))
}

/// Which norm `jnp.linalg.norm` computes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NormOrd {
    /// 2-norm of vectors, Frobenius of matrices.
    Default,
    Fro,
    P(f64),
}

/// `jnp.linalg.norm(x, ord, axis, keepdims)` for vector norms (one axis or
/// flattened) and the Frobenius, 1 and inf norms of matrices (two axes).
pub fn norm(x: &Array, ord: NormOrd, axis: Option<&[isize]>, keepdims: bool) -> Result<Array> {
    let x = super::promote_args_inexact("norm", &[x])?.pop().unwrap();
    // complex vectors: the norm of their moduli
    let x = if x.dtype().is_complex() { lax::abs(&x)? } else { x };
    let axes = norm_axes(axis, x.ndim())?;
    let ax: Vec<isize> = axes.iter().map(|&a| a as isize).collect();
    let abs = lax::abs(&x)?;
    let sq = |x: &Array| -> Result<Array> { lax::sqrt(&super::sum(&lax::mul(x, x)?, Some(&ax), keepdims)?) };
    let matrix = axes.len() == 2 && axis.is_some();
    match (ord, matrix) {
        (NormOrd::Default, _) | (NormOrd::Fro, true) => sq(&x),
        (NormOrd::P(p), false) if p == 2.0 => sq(&x),
        (NormOrd::P(p), false) if p == f64::INFINITY => super::max(&abs, Some(&ax), keepdims),
        (NormOrd::P(p), false) if p == f64::NEG_INFINITY => super::min(&abs, Some(&ax), keepdims),
        (NormOrd::P(p), false) if p == 0.0 => {
            let nz = super::to_bool(&x)?;
            let c = super::sum(&lax::convert_element_type(&nz, x.dtype())?, Some(&ax), keepdims)?;
            Ok(c)
        }
        (NormOrd::P(p), false) if p == 1.0 => super::sum(&abs, Some(&ax), keepdims),
        (NormOrd::P(p), false) => {
            let pw = super::power(&abs, &super::scalar(p))?;
            super::power(&super::sum(&pw, Some(&ax), keepdims)?, &super::scalar(1.0 / p))
        }
        (NormOrd::P(p), true) if p == 1.0 || p == f64::INFINITY => {
            // max column sum (1) or max row sum (inf)
            let (sum_ax, max_ax) = if p == 1.0 { (ax[0], ax[1]) } else { (ax[1], ax[0]) };
            let s = super::sum(&abs, Some(&[sum_ax]), true)?;
            let m = super::max(&s, Some(&[max_ax]), true)?;
            if keepdims {
                Ok(m)
            } else {
                lax::squeeze(&m, &axes)
            }
        }
        (o, _) => crate::bail!(NotImplemented, "norm: ord {o:?} over axes {:?} is not supported yet", axes),
    }
}
