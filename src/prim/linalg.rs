//! dot_general: contraction over given dimensions with batch dimensions.
//! Output dims are (batch..., lhs free..., rhs free...), as in XLA.

use super::{arity, LinArg, Tangent};
use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::ir::Aval;
use crate::lax;
use crate::transform::batching::move_to_front;
use crate::runtime::host::{Arith, HostData};
use ndarray::{Array2, ArrayD, Axis, IxDyn};

#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct DotDims {
    pub lhs_contract: Vec<usize>,
    pub rhs_contract: Vec<usize>,
    pub lhs_batch: Vec<usize>,
    pub rhs_batch: Vec<usize>,
}

impl DotDims {
    /// Free (neither contracted nor batch) dims of an operand of rank `n`.
    pub fn free(n: usize, contract: &[usize], batch: &[usize]) -> Vec<usize> {
        (0..n).filter(|d| !contract.contains(d) && !batch.contains(d)).collect()
    }
}

fn l(v: &[usize]) -> String {
    super::tuple_str(v)
}

pub fn dot_general_shape(dims: &DotDims, preferred: Option<DType>, ins: &[Aval]) -> Result<Aval> {
    arity("dot_general", ins, 2)?;
    let (a, b) = (&ins[0], &ins[1]);
    if a.dtype != b.dtype {
        crate::bail!(Type, "dot_general requires lhs dtype and rhs dtype to match, got {} and {}.", a.dtype, b.dtype);
    }
    if a.dtype.is_bool() {
        crate::bail!(Type, "dot_general does not accept dtype bool");
    }
    let check = |name: &str, v: &[usize], n: usize| -> Result<()> {
        let mut seen = vec![false; n];
        for &d in v {
            if d >= n || std::mem::replace(&mut seen[d], true) {
                crate::bail!(Type, "dot_general requires {name} dimension numbers to be unique and in range for rank {n}, got {}.", l(v));
            }
        }
        Ok(())
    };
    check("lhs", &[dims.lhs_contract.clone(), dims.lhs_batch.clone()].concat(), a.ndim())?;
    check("rhs", &[dims.rhs_contract.clone(), dims.rhs_batch.clone()].concat(), b.ndim())?;
    if dims.lhs_contract.len() != dims.rhs_contract.len() || dims.lhs_batch.len() != dims.rhs_batch.len() {
        crate::bail!(Type, "dot_general requires equal numbers of lhs and rhs contracting and batch dimensions, got {:?}", dims);
    }
    for (&p, &q) in dims.lhs_batch.iter().zip(&dims.rhs_batch) {
        if a.shape[p] != b.shape[q] {
            crate::bail!(
                Type,
                "dot_general requires lhs batch dimensions and rhs batch dimensions to have the same shape, got {} and {}.",
                a.shape_str(),
                b.shape_str()
            );
        }
    }
    for (&p, &q) in dims.lhs_contract.iter().zip(&dims.rhs_contract) {
        if a.shape[p] != b.shape[q] {
            crate::bail!(
                Type,
                "dot_general requires contracting dimensions to have the same shape, got lhs shape {} contracting {} and rhs shape {} contracting {}.",
                a.shape_str(),
                l(&dims.lhs_contract),
                b.shape_str(),
                l(&dims.rhs_contract)
            );
        }
    }
    let mut shape: Vec<usize> = dims.lhs_batch.iter().map(|&d| a.shape[d]).collect();
    shape.extend(DotDims::free(a.ndim(), &dims.lhs_contract, &dims.lhs_batch).iter().map(|&d| a.shape[d]));
    shape.extend(DotDims::free(b.ndim(), &dims.rhs_contract, &dims.rhs_batch).iter().map(|&d| b.shape[d]));
    let dtype = preferred.unwrap_or(a.dtype);
    Ok(Aval { shape, dtype, weak_type: a.weak_type && b.weak_type, sharding: None })
}

/// Permutes `x` to (first..., second..., third...) and reshapes to 3-d.
fn to_3d<T: Clone>(x: &ArrayD<T>, g: [&[usize]; 3]) -> ndarray::Array3<T> {
    let perm: Vec<usize> = g.concat();
    let sz = |v: &[usize]| v.iter().map(|&d| x.shape()[d]).product::<usize>();
    let t = x.view().permuted_axes(IxDyn(&perm));
    let v: Vec<T> = t.iter().cloned().collect();
    ndarray::Array3::from_shape_vec((sz(g[0]), sz(g[1]), sz(g[2])), v).unwrap()
}

pub fn dot_general_eval(dims: &DotDims, x: &HostData, y: &HostData, out: &Aval) -> Result<HostData> {
    let (x, y) = (x.cast(out.dtype), y.cast(out.dtype));
    let lf = DotDims::free(x.shape().len(), &dims.lhs_contract, &dims.lhs_batch);
    let rf = DotDims::free(y.shape().len(), &dims.rhs_contract, &dims.rhs_batch);
    // lhs as (batch, m, k) and rhs as (batch, k, n)
    fn go<T: Arith + 'static>(a: &ndarray::Array3<T>, b: &ndarray::Array3<T>) -> Vec<T> {
        let (nb, m, k) = a.dim();
        let n = b.dim().2;
        let mut o = Vec::with_capacity(nb * m * n);
        for bi in 0..nb {
            let (aa, bb) = (a.index_axis(Axis(0), bi), b.index_axis(Axis(0), bi));
            let mut c = Array2::<T>::from_elem((m, n), T::zero());
            for i in 0..m {
                for p in 0..k {
                    let av = aa[(i, p)];
                    for j in 0..n {
                        c[(i, j)] = c[(i, j)].add(av.mul(bb[(p, j)]));
                    }
                }
            }
            o.extend(c.iter().copied());
        }
        o
    }
    macro_rules! fast {
        ($a:expr, $b:expr) => {{
            let a = to_3d($a, [&dims.lhs_batch, &lf, &dims.lhs_contract]);
            let b = to_3d($b, [&dims.rhs_batch, &dims.rhs_contract, &rf]);
            let mut o = Vec::new();
            for bi in 0..a.dim().0 {
                let c = a.index_axis(Axis(0), bi).dot(&b.index_axis(Axis(0), bi));
                o.extend(c.iter().copied());
            }
            o
        }};
    }
    Ok(match (&x, &y) {
        // f32/f64 use ndarray's blocked matrix multiply
        (HostData::F32(a), HostData::F32(b)) => HostData::F32(ArrayD::from_shape_vec(IxDyn(&out.shape), fast!(a, b)).unwrap()),
        (HostData::F64(a), HostData::F64(b)) => HostData::F64(ArrayD::from_shape_vec(IxDyn(&out.shape), fast!(a, b)).unwrap()),
        _ => crate::with_host2!(&x, &y, a, b, T => {
            let a3 = to_3d(a, [&dims.lhs_batch, &lf, &dims.lhs_contract]);
            let b3 = to_3d(b, [&dims.rhs_batch, &dims.rhs_contract, &rf]);
            <T as crate::runtime::host::Elem>::wrap(ArrayD::from_shape_vec(IxDyn(&out.shape), go(&a3, &b3)).unwrap())
        }),
    })
}


// ------------------------------------------------------------- JVP rule

pub fn dot_general_jvp(dims: &DotDims, preferred: Option<DType>, p: &[Array], t: &[Tangent]) -> Result<Tangent> {
    let da = match &t[0] {
        Some(ta) => Some(lax::dot_general(ta, &p[1], dims.clone(), preferred)?),
        None => None,
    };
    let db = match &t[1] {
        Some(tb) => Some(lax::dot_general(&p[0], tb, dims.clone(), preferred)?),
        None => None,
    };
    super::add_tangents(da, db)
}

// ------------------------------------------------------- transpose rule

/// Position of `d` among `v` sorted ascending (where dot_general leaves them).
fn sorted_rank(v: &[usize], d: usize) -> usize {
    v.iter().filter(|&&x| x < d).count()
}

/// Cotangent of the lhs: contract ct's rhs-free dims with the rhs's free dims,
/// giving (batch, lhs free, lhs contract in rhs-contract order), then permute.
fn transpose_lhs(dims: &DotDims, ct: &Array, rhs: &Array, lhs: &Aval) -> Result<Array> {
    let nb = dims.lhs_batch.len();
    let lf = DotDims::free(lhs.ndim(), &dims.lhs_contract, &dims.lhs_batch);
    let rf = DotDims::free(rhs.ndim(), &dims.rhs_contract, &dims.rhs_batch);
    let d = DotDims {
        lhs_contract: (nb + lf.len()..nb + lf.len() + rf.len()).collect(),
        rhs_contract: rf,
        lhs_batch: (0..nb).collect(),
        rhs_batch: dims.rhs_batch.clone(),
    };
    let r = lax::dot_general(ct, rhs, d, None)?;
    let mut perm = vec![0usize; lhs.ndim()];
    for (i, &b) in dims.lhs_batch.iter().enumerate() {
        perm[b] = i;
    }
    for (j, &f) in lf.iter().enumerate() {
        perm[f] = nb + j;
    }
    for (i, &c) in dims.lhs_contract.iter().enumerate() {
        perm[c] = nb + lf.len() + sorted_rank(&dims.rhs_contract, dims.rhs_contract[i]);
    }
    lax::convert_element_type(&lax::transpose(&r, &perm)?, lhs.dtype)
}

/// Cotangent of the rhs: contract the lhs's free dims with ct's lhs-free dims,
/// giving (batch, rhs contract in lhs-contract order, rhs free), then permute.
fn transpose_rhs(dims: &DotDims, ct: &Array, lhs: &Array, rhs: &Aval) -> Result<Array> {
    let nb = dims.lhs_batch.len();
    let lf = DotDims::free(lhs.ndim(), &dims.lhs_contract, &dims.lhs_batch);
    let rf = DotDims::free(rhs.ndim(), &dims.rhs_contract, &dims.rhs_batch);
    let d = DotDims {
        lhs_contract: lf.clone(),
        rhs_contract: (nb..nb + lf.len()).collect(),
        lhs_batch: dims.lhs_batch.clone(),
        rhs_batch: (0..nb).collect(),
    };
    let r = lax::dot_general(lhs, ct, d, None)?;
    let nc = dims.rhs_contract.len();
    let mut perm = vec![0usize; rhs.ndim()];
    for (i, &b) in dims.rhs_batch.iter().enumerate() {
        perm[b] = i;
    }
    for (i, &c) in dims.rhs_contract.iter().enumerate() {
        perm[c] = nb + sorted_rank(&dims.lhs_contract, dims.lhs_contract[i]);
    }
    for (j, &f) in rf.iter().enumerate() {
        perm[f] = nb + nc + j;
    }
    lax::convert_element_type(&lax::transpose(&r, &perm)?, rhs.dtype)
}

pub fn dot_general_transpose(dims: &DotDims, ct: &Array, args: &[LinArg]) -> Result<Vec<Tangent>> {
    // explicit shardings: the known operand is replicated first (so no
    // contraction is sharded on both sides) and each cotangent gets the type
    // of its primal (JAX passes the primal's sharding as out_sharding)
    let sharded = ct.aval().sharding.as_ref().or_else(|| args.iter().find_map(|a| if let LinArg::Const(x) = a { x.aval().sharding.as_ref() } else { None })).cloned();
    let known = |i: usize| -> Result<Array> {
        let v = args[i].value("dot_general")?;
        match &sharded {
            Some(s) if v.aval().sharding.is_some() => crate::sharding::spmd::sharding_constraint(v, &crate::sharding::NamedSharding::replicated(&s.mesh)),
            _ => Ok(v.clone()),
        }
    };
    let typed = |c: Array, a: &Aval| -> Result<Array> {
        match &sharded {
            Some(s) => {
                let want = a.sharding.as_deref().cloned().unwrap_or_else(|| crate::sharding::NamedSharding::replicated(&s.mesh));
                crate::sharding::spmd::sharding_constraint(&c, &want)
            }
            None => Ok(c),
        }
    };
    let ct_l = if args[0].is_lin() { Some(typed(transpose_lhs(dims, ct, &known(1)?, &args[0].aval())?, &args[0].aval())?) } else { None };
    let ct_r = if args[1].is_lin() { Some(typed(transpose_rhs(dims, ct, &known(0)?, &args[1].aval())?, &args[1].aval())?) } else { None };
    Ok(vec![ct_l, ct_r])
}

// -------------------------------------------------------- batching rule

pub fn dot_general_batch(dd: &DotDims, preferred: Option<DType>, args: &[Array], dims: &[Option<usize>]) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
    let sh = |v: &[usize]| v.iter().map(|d| d + 1).collect::<Vec<_>>();
    let (a, b) = (move_to_front(&args[0], dims[0])?, move_to_front(&args[1], dims[1])?);
    match (dims[0].is_some(), dims[1].is_some()) {
        (true, true) => {
            let d = DotDims {
                lhs_contract: sh(&dd.lhs_contract),
                rhs_contract: sh(&dd.rhs_contract),
                lhs_batch: [vec![0], sh(&dd.lhs_batch)].concat(),
                rhs_batch: [vec![0], sh(&dd.rhs_batch)].concat(),
            };
            Ok((vec![lax::dot_general(&a, &b, d, preferred)?], vec![Some(0)]))
        }
        (true, false) => {
            let d = DotDims { lhs_contract: sh(&dd.lhs_contract), lhs_batch: sh(&dd.lhs_batch), ..dd.clone() };
            // the batch dim is lhs's first free dim: after the batch dims
            Ok((vec![lax::dot_general(&a, &b, d, preferred)?], vec![Some(dd.lhs_batch.len())]))
        }
        (false, true) => {
            let d = DotDims { rhs_contract: sh(&dd.rhs_contract), rhs_batch: sh(&dd.rhs_batch), ..dd.clone() };
            let nlf = DotDims::free(a.ndim(), &dd.lhs_contract, &dd.lhs_batch).len();
            Ok((vec![lax::dot_general(&a, &b, d, preferred)?], vec![Some(dd.lhs_batch.len() + nlf)]))
        }
        (false, false) => Ok((vec![lax::dot_general(&a, &b, dd.clone(), preferred)?], vec![None])),
    }
}
