//! `jnp.linalg` decompositions and solves, written with lax ops and loops
//! (`fori_loop`), so they trace, differentiate (through the loops'
//! rules), batch and compile like any other program: LU with partial
//! pivoting, `solve`, `inv`, `det`, `slogdet`, `cholesky`. O(n^3) work in n
//! masked rank-1 steps; leading batch dimensions are vmapped.

use crate::array::Array;
use crate::control_flow::fori_loop;
use crate::dtype::DType;
use crate::error::Result;
use crate::lax;
use crate::trace::Function;

fn i32s(v: i32) -> Array {
    Array::scalar(v)
}

/// `x` indexed at a traced position `i` along `axis` (that axis removed).
fn at(x: &Array, i: &Array, axis: usize) -> Result<Array> {
    let starts: Vec<Array> = (0..x.ndim()).map(|d| if d == axis { i.clone() } else { i32s(0) }).collect();
    let refs: Vec<&Array> = starts.iter().collect();
    let mut sizes = x.shape().to_vec();
    sizes[axis] = 1;
    lax::squeeze(&lax::dynamic_slice(x, &refs, &sizes)?, &[axis])
}

/// `x` with row `i` (traced) replaced by `row`.
fn set_row(x: &Array, i: &Array, row: &Array) -> Result<Array> {
    let mut shape = vec![1];
    shape.extend_from_slice(row.shape());
    let starts: Vec<Array> = (0..x.ndim()).map(|d| if d == 0 { i.clone() } else { i32s(0) }).collect();
    let refs: Vec<&Array> = starts.iter().collect();
    lax::dynamic_update_slice(x, &lax::reshape(row, &shape)?, &refs)
}

fn full(like: &Array, v: f64) -> Result<Array> {
    super::full(like.shape(), v, like.dtype())
}

fn check_square(op: &str, a: &Array) -> Result<usize> {
    if a.ndim() < 2 || a.shape()[a.ndim() - 1] != a.shape()[a.ndim() - 2] {
        crate::bail!(Value, "{op}: argument must be a square matrix or a stack of them, got shape {:?}", a.shape());
    }
    if !a.dtype().is_inexact() {
        crate::bail!(Type, "{op}: argument must be a float or complex array, got {}", a.dtype());
    }
    Ok(a.shape()[a.ndim() - 1])
}

/// Applies `f` to the trailing core dimensions, vmapping every leading one.
fn batched(f: Function, args: &[Array], core: &[usize]) -> Result<Vec<Array>> {
    let lead = args[0].ndim() - core[0];
    if lead == 0 {
        return f.call(args);
    }
    let size = args[0].shape()[0];
    let g = Function::new("batched", {
        let core = core.to_vec();
        move |xs: &[Array]| batched(f.clone(), xs, &core)
    });
    let dims = vec![Some(0); args.len()];
    crate::transform::vmap_call(&g, args, &dims, &[Some(0)], size)
}

/// LU with partial pivoting of one n×n matrix: (packed L\U, row permutation, sign of the permutation).
fn lu2(a: &Array) -> Result<Vec<Array>> {
    let n = a.shape()[0];
    let rows = lax::iota(DType::I32, &[n], 0)?;
    let cols = rows.clone();
    let step = Function::new("lu_step", move |s: &[Array]| {
        let (k, a, perm, sign) = (&s[0], &s[1], &s[2], &s[3]);
        let col = at(a, k, 1)?;
        let below = super::greater_equal(&rows, k)?;
        let mag = super::abs(&col)?; // real also for complex columns (the pivot is the largest modulus)
        let cand = super::where_(&below, &mag, &full(&mag, -1.0)?)?;
        let p = lax::argmax(&cand, 0, DType::I32)?;
        let is_k = super::equal(&rows, k)?;
        let is_p = super::equal(&rows, &p)?;
        let k_b = lax::broadcast_in_dim(k, &[n], &[])?;
        let p_b = lax::broadcast_in_dim(&p, &[n], &[])?;
        let idx = super::where_(&is_k, &p_b, &super::where_(&is_p, &k_b, &rows)?)?;
        let a = super::take(a, &idx, Some(0))?;
        let perm = super::take(perm, &idx, Some(0))?;
        let flip = super::where_(&super::not_equal(&p, k)?, &Array::full_scalar(sign.dtype(), -1.0), &Array::full_scalar(sign.dtype(), 1.0))?;
        let sign = lax::mul(sign, &flip)?;
        let col = at(&a, k, 1)?;
        let pivot = at(&col, k, 0)?;
        let below = super::greater(&rows, k)?;
        let l = super::where_(&below, &super::divide(&col, &pivot)?, &full(&col, 0.0)?)?;
        let rowk = at(&a, k, 0)?;
        let right = super::greater(&cols, k)?;
        let rowk = super::where_(&right, &rowk, &full(&rowk, 0.0)?)?;
        let a = super::subtract(&a, &super::outer(&l, &rowk)?)?;
        let lcol = super::logical_and(&lax::broadcast_in_dim(&below, &[n, n], &[0])?, &lax::broadcast_in_dim(&super::equal(&cols, k)?, &[n, n], &[1])?)?;
        let a = super::where_(&lcol, &lax::broadcast_in_dim(&l, &[n, n], &[0])?, &a)?;
        Ok(vec![a, perm, sign])
    });
    let init = vec![a.clone(), lax::iota(DType::I32, &[n], 0)?, Array::full_scalar(a.dtype(), 1.0)];
    fori_loop(&i32s(0), &i32s(n as i32), &step, &init)
}

/// `jax.scipy.linalg.lu_factor`-style: packed LU, pivots as a permutation, permutation sign.
pub fn lu(a: &Array) -> Result<(Array, Array, Array)> {
    check_square("lu", a)?;
    let f = Function::new("lu", |xs: &[Array]| lu2(&xs[0]));
    let mut r = batched(f, &[a.clone()], &[2])?;
    let sign = r.pop().unwrap();
    let perm = r.pop().unwrap();
    Ok((r.pop().unwrap(), perm, sign))
}

fn diag(lu: &Array) -> Result<Array> {
    let n = lu.shape()[lu.ndim() - 1];
    let eye = super::eye(n, None, 0, Some(DType::Bool))?;
    let eye = lax::broadcast_in_dim(&eye, lu.shape(), &[lu.ndim() - 2, lu.ndim() - 1])?;
    super::sum(&super::where_(&eye, lu, &super::zeros_like(lu)?)?, Some(&[-1]), false)
}

/// `jnp.linalg.det`.
pub fn det(a: &Array) -> Result<Array> {
    let (lu, _, sign) = lu(a)?;
    super::multiply(&super::prod(&diag(&lu)?, Some(&[-1]), false)?, &sign)
}

/// `jnp.linalg.slogdet`: (sign, log|det|).
pub fn slogdet(a: &Array) -> Result<(Array, Array)> {
    let (lu, _, sign) = lu(a)?;
    let d = diag(&lu)?;
    let s = super::multiply(&sign, &super::prod(&super::sign(&d)?, Some(&[-1]), false)?)?;
    Ok((s, super::sum(&super::log(&super::abs(&d)?)?, Some(&[-1]), false)?))
}

/// Solves one system: a (n×n), b (n×k).
fn solve2(a: &Array, b: &Array) -> Result<Array> {
    let n = a.shape()[0];
    let r = lu2(a)?;
    let (lu, perm) = (r[0].clone(), r[1].clone());
    let y0 = super::take(b, &perm, Some(0))?;
    let cols = lax::iota(DType::I32, &[n], 0)?;
    // forward substitution with the unit lower triangle
    let (lu_f, cols_f) = (lu.clone(), cols.clone());
    let fwd = Function::new("forward", move |s: &[Array]| {
        let (i, y) = (&s[0], &s[1]);
        let row = at(&lu_f, i, 0)?;
        let row = super::where_(&super::less(&cols_f, i)?, &row, &full(&row, 0.0)?)?;
        let yi = super::subtract(&at(y, i, 0)?, &super::matmul(&row, y)?)?;
        Ok(vec![set_row(y, i, &yi)?])
    });
    let y = fori_loop(&i32s(0), &i32s(n as i32), &fwd, &[y0])?.remove(0);
    // back substitution with the upper triangle, last row first
    let (lu_b, cols_b) = (lu, cols);
    let back = Function::new("backward", move |s: &[Array]| {
        let (j, x) = (&s[0], &s[1]);
        let i = lax::sub(&i32s(n as i32 - 1), j)?;
        let row = at(&lu_b, &i, 0)?;
        let uii = at(&row, &i, 0)?;
        let row = super::where_(&super::greater(&cols_b, &i)?, &row, &full(&row, 0.0)?)?;
        let xi = super::divide(&super::subtract(&at(&s[2], &i, 0)?, &super::matmul(&row, x)?)?, &uii)?;
        Ok(vec![set_row(x, &i, &xi)?, s[2].clone()])
    });
    let x0 = super::zeros_like(&y)?;
    Ok(fori_loop(&i32s(0), &i32s(n as i32), &back, &[x0, y])?.remove(0))
}

/// `jnp.linalg.solve(a, b)`: `b` of shape (..., n) or (..., n, k).
pub fn solve(a: &Array, b: &Array) -> Result<Array> {
    let n = check_square("solve", a)?;
    let vector = b.ndim() == a.ndim() - 1;
    if (vector && b.shape()[b.ndim() - 1] != n) || (!vector && b.shape().get(b.ndim().wrapping_sub(2)) != Some(&n)) {
        crate::bail!(Value, "solve: incompatible shapes {:?} and {:?}", a.shape(), b.shape());
    }
    let (d, _) = super::result_type(&[(a.dtype(), a.weak_type()), (b.dtype(), b.weak_type())]);
    let d = if d.is_inexact() { d } else { super::default_float() };
    let v = [lax::convert_element_type(a, d)?, lax::convert_element_type(b, d)?];
    let b2 = if vector { super::expand_dims(&v[1], &[-1])? } else { v[1].clone() };
    let f = Function::new("solve", |xs: &[Array]| Ok(vec![solve2(&xs[0], &xs[1])?]));
    let x = batched(f, &[v[0].clone(), b2], &[2, 2])?.remove(0);
    if vector {
        super::squeeze(&x, Some(&[-1]))
    } else {
        Ok(x)
    }
}

/// `jnp.linalg.inv`.
pub fn inv(a: &Array) -> Result<Array> {
    let n = check_square("inv", a)?;
    let eye = super::eye(n, None, 0, Some(a.dtype()))?;
    let eye = lax::broadcast_in_dim(&eye, a.shape(), &[a.ndim() - 2, a.ndim() - 1])?;
    solve(a, &eye)
}

/// `jnp.linalg.cholesky`: the lower factor (NaN where not positive definite).
pub fn cholesky(a: &Array) -> Result<Array> {
    check_square("cholesky", a)?;
    let f = Function::new("cholesky", |xs: &[Array]| {
        let a = xs[0].clone();
        let n = a.shape()[0];
        let rows = lax::iota(DType::I32, &[n], 0)?;
        let step = Function::new("cholesky_step", move |s: &[Array]| {
            let (j, l) = (&s[0], &s[1]);
            let v = super::subtract(&at(&a, j, 1)?, &super::matmul(l, &at(l, j, 0)?)?)?;
            let d = super::sqrt(&at(&v, j, 0)?)?;
            let col = super::where_(&super::greater(&rows, j)?, &super::divide(&v, &d)?, &super::where_(&super::equal(&rows, j)?, &lax::broadcast_in_dim(&d, &[n], &[])?, &full(&v, 0.0)?)?)?;
            let is_j = lax::broadcast_in_dim(&super::equal(&rows, j)?, &[n, n], &[1])?;
            Ok(vec![super::where_(&is_j, &lax::broadcast_in_dim(&col, &[n, n], &[0])?, l)?])
        });
        let l0 = super::zeros(&[n, n], xs[0].dtype())?;
        fori_loop(&i32s(0), &i32s(n as i32), &step, &[l0])
    });
    Ok(batched(f, &[a.clone()], &[2])?.remove(0))
}
