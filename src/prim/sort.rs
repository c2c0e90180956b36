//! sort: sorts several operands of one shape along a dimension, ordered
//! lexicographically by the first `num_keys` of them (argsort sorts an iota
//! alongside the keys). Floats sort with NaN last and -0.0 equal to 0.0.

use super::{instantiate, Tangent};
use crate::array::Array;
use crate::error::Result;
use crate::ir::Aval;
use crate::lax;
use crate::transform::batching::to_batched;
use crate::runtime::host::{strides_of, Elem, HostData};
use ndarray::{ArrayD, IxDyn};
use std::cmp::Ordering;

pub fn sort_shape(dim: usize, num_keys: usize, ins: &[Aval]) -> Result<Vec<Aval>> {
    if ins.is_empty() {
        crate::bail!(Type, "sort requires at least one operand");
    }
    if num_keys == 0 || num_keys > ins.len() {
        crate::bail!(Value, "sort: num_keys={num_keys} must be between 1 and the number of operands {}", ins.len());
    }
    super::check_axis("sort", dim, ins[0].ndim())?;
    if ins.iter().any(|a| a.shape != ins[0].shape) {
        crate::bail!(Type, "sort: all operands must have the same shape, got [{}]", super::avals_str(ins));
    }
    Ok(ins.to_vec())
}

/// A total order key: floats compare by value with NaN greatest.
fn key_vec(h: &HostData) -> Vec<f64OrInt> {
    if h.dtype().is_float() {
        h.to_vec::<f64>().into_iter().map(f64OrInt::F).collect()
    } else {
        crate::with_host!(h, a, T => a.iter().map(|x| f64OrInt::I(x.to_i128())).collect())
    }
}

#[allow(non_camel_case_types)]
#[derive(Clone, Copy)]
enum f64OrInt {
    F(f64),
    I(i128),
}

fn cmp_key(a: f64OrInt, b: f64OrInt) -> Ordering {
    match (a, b) {
        (f64OrInt::F(x), f64OrInt::F(y)) => match (x.is_nan(), y.is_nan()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ => x.partial_cmp(&y).unwrap(),
        },
        (f64OrInt::I(x), f64OrInt::I(y)) => x.cmp(&y),
        _ => Ordering::Equal,
    }
}

pub fn sort_eval(dim: usize, num_keys: usize, ins: &[&HostData]) -> Result<Vec<HostData>> {
    let shape = ins[0].shape().to_vec();
    let st = strides_of(&shape);
    let n = shape[dim];
    let total: usize = shape.iter().product();
    let keys: Vec<Vec<f64OrInt>> = ins[..num_keys].iter().map(|h| key_vec(h)).collect();
    // for every lane: the sorted order of its positions
    let mut perm = vec![0usize; total]; // perm[dest flat] = source flat
    let outer = if n == 0 { 0 } else { total / n };
    let mut lane: Vec<usize> = Vec::with_capacity(n);
    for o in 0..outer {
        // base offset of lane o: enumerate all indices with dim fixed at 0
        let (hi, lo) = (o / st[dim], o % st[dim]);
        let base = hi * st[dim] * n + lo;
        lane.clear();
        lane.extend((0..n).map(|k| base + k * st[dim]));
        let mut order = lane.clone();
        // stable sort, so equal keys keep their order (is_stable is honoured always)
        order.sort_by(|&p, &q| {
            for k in &keys {
                let c = cmp_key(k[p], k[q]);
                if c != Ordering::Equal {
                    return c;
                }
            }
            Ordering::Equal
        });
        for (k, &src) in order.iter().enumerate() {
            perm[lane[k]] = src;
        }
    }
    Ok(ins
        .iter()
        .map(|h| {
            crate::map_host!(*h, a, T => {
                let src: Vec<T> = a.iter().copied().collect();
                ArrayD::from_shape_vec(IxDyn(&shape), perm.iter().map(|&p| src[p]).collect()).unwrap()
            })
        })
        .collect())
}


/// JVP: sort an iota alongside to learn the permutation, then permute the tangents.
pub fn sort_jvp(dim: usize, num_keys: usize, p: &[Array], t: &[Tangent]) -> Result<Vec<Tangent>> {
    let iota = lax::iota(crate::dtype::DType::I32, p[0].shape(), dim)?;
    let mut ins: Vec<&Array> = p.iter().collect();
    ins.push(&iota);
    let perm = lax::sort(&ins, dim, num_keys, true)?.pop().unwrap();
    p.iter()
        .zip(t)
        .map(|(x, t)| match t {
            None => Ok(None),
            Some(_) => Ok(Some(crate::numpy::take_along_axis(&instantiate(t, x.aval())?, &perm, dim as isize)?)),
        })
        .collect()
}

pub fn sort_batch(dim: usize, num_keys: usize, stable: bool, args: &[Array], dims: &[Option<usize>], size: usize) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
    let xs: Vec<Array> = args.iter().zip(dims).map(|(x, d)| to_batched(x, *d, size)).collect::<Result<_>>()?;
    let refs: Vec<&Array> = xs.iter().collect();
    let outs = lax::sort(&refs, dim + 1, num_keys, stable)?;
    let n = outs.len();
    Ok((outs, vec![Some(0); n]))
}
