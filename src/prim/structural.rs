//! Structural primitives: they move elements without computing on them.
//! broadcast_in_dim, reshape, transpose, squeeze, rev, slice, dynamic_slice,
//! dynamic_update_slice, concatenate, pad, iota.

use super::{arity, avals_str, instantiate, LinArg, Prim, Tangent};
use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::ir::{shape_str, Aval};
use crate::lax;
use crate::transform::batching::{move_to_front, to_batched};
use crate::runtime::host::{strides_of, unravel, Elem, HostData};
use ndarray::{ArrayD, Axis, IxDyn, Slice};

fn l(v: &[usize]) -> String {
    super::tuple_str(v)
}

pub fn broadcast_in_dim_shape(shape: &[usize], dims: &[usize], ins: &[Aval]) -> Result<Aval> {
    arity("broadcast_in_dim", ins, 1)?;
    let x = &ins[0];
    if dims.len() != x.ndim() {
        crate::bail!(
            Type,
            "broadcast_in_dim broadcast_dimensions must have length equal to operand ndim; got broadcast_dimensions {} for operand ndim {}.",
            l(dims),
            x.ndim()
        );
    }
    for (i, &d) in dims.iter().enumerate() {
        if d >= shape.len() {
            crate::bail!(Type, "broadcast_in_dim broadcast_dimensions must be in range for the target shape {}; got {}.", shape_str(shape), l(dims));
        }
        if i > 0 && d <= dims[i - 1] {
            crate::bail!(Type, "broadcast_in_dim broadcast_dimensions must be strictly increasing; got broadcast_dimensions {}", l(dims));
        }
        if x.shape[i] != 1 && x.shape[i] != shape[d] {
            crate::bail!(
                Type,
                "broadcast_in_dim operand dimension sizes must either be 1, or be equal to their corresponding dimensions in the target broadcast shape; got operand of shape {}, target broadcast shape {}, broadcast_dimensions {}",
                x.shape_str(),
                shape_str(shape),
                l(dims)
            );
        }
    }
    Ok(x.with_shape(shape.to_vec()))
}

pub fn broadcast_in_dim_eval(shape: &[usize], dims: &[usize], x: &HostData) -> Result<HostData> {
    let mut expanded = vec![1; shape.len()];
    for (i, &d) in dims.iter().enumerate() {
        expanded[d] = x.shape()[i];
    }
    let x = x.reshaped(&expanded);
    Ok(crate::map_host!(&x, a, T => a.broadcast(IxDyn(shape)).expect("checked by the shape rule").to_owned()))
}

pub fn reshape_shape(shape: &[usize], ins: &[Aval]) -> Result<Aval> {
    arity("reshape", ins, 1)?;
    let n: usize = shape.iter().product();
    if n != ins[0].size() {
        crate::bail!(
            Type,
            "cannot reshape array of shape {} (size {}) into shape {} (size {})",
            ins[0].shape_str(),
            ins[0].size(),
            shape_str(shape),
            n
        );
    }
    Ok(ins[0].with_shape(shape.to_vec()))
}

fn check_perm(op: &str, perm: &[usize], ndim: usize) -> Result<()> {
    let mut seen = vec![false; ndim];
    if perm.len() != ndim || perm.iter().any(|&p| p >= ndim || std::mem::replace(&mut seen[p], true)) {
        crate::bail!(Type, "{op} permutation must be a permutation of range(ndim) = {ndim}; got permutation {}.", l(perm));
    }
    Ok(())
}

pub fn transpose_shape(perm: &[usize], ins: &[Aval]) -> Result<Aval> {
    arity("transpose", ins, 1)?;
    check_perm("transpose", perm, ins[0].ndim())?;
    Ok(ins[0].with_shape(perm.iter().map(|&p| ins[0].shape[p]).collect()))
}

pub fn transpose_eval(perm: &[usize], x: &HostData) -> Result<HostData> {
    Ok(crate::map_host!(x, a, T => a.view().permuted_axes(IxDyn(perm)).as_standard_layout().into_owned()))
}

fn check_unique_axes(op: &str, dims: &[usize], ndim: usize) -> Result<()> {
    let mut seen = vec![false; ndim];
    for &d in dims {
        if d >= ndim {
            crate::bail!(Value, "{op}: dimension {d} is out of bounds for an array of rank {ndim}");
        }
        if std::mem::replace(&mut seen[d], true) {
            crate::bail!(Value, "{op}: dimensions must be unique, got {}", l(dims));
        }
    }
    Ok(())
}

pub fn squeeze_shape(dims: &[usize], ins: &[Aval]) -> Result<Aval> {
    arity("squeeze", ins, 1)?;
    let x = &ins[0];
    check_unique_axes("squeeze", dims, x.ndim())?;
    for &d in dims {
        if x.shape[d] != 1 {
            crate::bail!(
                Type,
                "cannot select an axis to squeeze out which has size not equal to one, got shape={} and dimensions={}",
                x.shape_str(),
                l(dims)
            );
        }
    }
    let shape = (0..x.ndim()).filter(|d| !dims.contains(d)).map(|d| x.shape[d]).collect();
    Ok(x.with_shape(shape))
}

pub fn rev_shape(dims: &[usize], ins: &[Aval]) -> Result<Aval> {
    arity("rev", ins, 1)?;
    check_unique_axes("rev", dims, ins[0].ndim())?;
    Ok(ins[0].clone())
}

pub fn rev_eval(dims: &[usize], x: &HostData) -> Result<HostData> {
    Ok(crate::map_host!(x, a, T => {
        let mut v = a.view();
        for &d in dims {
            v.invert_axis(Axis(d));
        }
        v.as_standard_layout().into_owned()
    }))
}

pub fn slice_shape(start: &[usize], limit: &[usize], strides: &[usize], ins: &[Aval]) -> Result<Aval> {
    arity("slice", ins, 1)?;
    let x = &ins[0];
    let n = x.ndim();
    if start.len() != n || limit.len() != n || strides.len() != n {
        crate::bail!(
            Type,
            "slice start_indices, limit_indices and strides must have length equal to the operand rank {n}; got {}, {}, {}",
            l(start),
            l(limit),
            l(strides)
        );
    }
    let mut shape = Vec::with_capacity(n);
    for d in 0..n {
        if start[d] > limit[d] || limit[d] > x.shape[d] || strides[d] == 0 {
            crate::bail!(
                Type,
                "slice indices must satisfy 0 <= start <= limit <= shape and stride >= 1; got start_indices {}, limit_indices {}, strides {} for operand shape {}",
                l(start),
                l(limit),
                l(strides),
                x.shape_str()
            );
        }
        shape.push((limit[d] - start[d]).div_ceil(strides[d]));
    }
    Ok(x.with_shape(shape))
}

pub fn slice_eval(start: &[usize], limit: &[usize], strides: &[usize], x: &HostData) -> Result<HostData> {
    Ok(crate::map_host!(x, a, T => a
        .slice_each_axis(|ax| {
            let d = ax.axis.index();
            Slice::new(start[d] as isize, Some(limit[d] as isize), strides[d] as isize)
        })
        .as_standard_layout()
        .into_owned()))
}

fn check_index_operands(op: &str, idx: &[Aval], ndim: usize) -> Result<()> {
    if idx.len() != ndim {
        crate::bail!(Type, "{op}: expected {ndim} start indices (one per operand dimension), got {}", idx.len());
    }
    for a in idx {
        if !a.shape.is_empty() || !a.dtype.is_int() {
            crate::bail!(Type, "{op}: start indices must be integer scalars, got [{}]", avals_str(idx));
        }
    }
    Ok(())
}

pub fn dynamic_slice_shape(sizes: &[usize], ins: &[Aval]) -> Result<Aval> {
    if ins.is_empty() {
        crate::bail!(Type, "dynamic_slice takes an operand and start indices");
    }
    let x = &ins[0];
    check_index_operands("dynamic_slice", &ins[1..], x.ndim())?;
    if sizes.len() != x.ndim() || sizes.iter().zip(&x.shape).any(|(s, d)| s > d) {
        crate::bail!(
            Type,
            "dynamic_slice slice_sizes must have length equal to the operand rank and be at most the operand shape; got slice_sizes {} for operand shape {}",
            l(sizes),
            x.shape_str()
        );
    }
    Ok(x.with_shape(sizes.to_vec()))
}

/// Start indices clamped so that the window fits, as XLA does.
fn clamped_starts(idx: &[&HostData], shape: &[usize], window: &[usize]) -> Vec<usize> {
    idx.iter()
        .enumerate()
        .map(|(d, h)| h.first_i128().clamp(0, (shape[d] - window[d]) as i128) as usize)
        .collect()
}

pub fn dynamic_slice_eval(sizes: &[usize], ins: &[&HostData]) -> Result<HostData> {
    let x = ins[0];
    let starts = clamped_starts(&ins[1..], x.shape(), sizes);
    let limit: Vec<usize> = starts.iter().zip(sizes).map(|(s, n)| s + n).collect();
    slice_eval(&starts, &limit, &vec![1; sizes.len()], x)
}

pub fn dynamic_update_slice_shape(ins: &[Aval]) -> Result<Aval> {
    if ins.len() < 2 {
        crate::bail!(Type, "dynamic_update_slice takes an operand, an update and start indices");
    }
    let (x, u) = (&ins[0], &ins[1]);
    check_index_operands("dynamic_update_slice", &ins[2..], x.ndim())?;
    if u.dtype != x.dtype {
        crate::bail!(Type, "dynamic_update_slice update dtype {} must match operand dtype {}", u.dtype, x.dtype);
    }
    if u.ndim() != x.ndim() || u.shape.iter().zip(&x.shape).any(|(a, b)| a > b) {
        crate::bail!(
            Type,
            "dynamic_update_slice update shape must be smaller than operand shape, got update shape {} for operand shape {}.",
            u.shape_str(),
            x.shape_str()
        );
    }
    Ok(x.clone())
}

pub fn dynamic_update_slice_eval(ins: &[&HostData]) -> Result<HostData> {
    let (x, u) = (ins[0], ins[1]);
    let starts = clamped_starts(&ins[2..], x.shape(), u.shape());
    let mut out = x.clone();
    crate::with_host!(&mut out, o, T => {
        let uv = T::view(u).expect("same dtype");
        let mut win = o.slice_each_axis_mut(|ax| {
            let d = ax.axis.index();
            Slice::from(starts[d]..starts[d] + uv.shape()[d])
        });
        win.assign(uv);
    });
    Ok(out)
}

pub fn concatenate_shape(dim: usize, ins: &[Aval]) -> Result<Aval> {
    if ins.is_empty() {
        crate::bail!(Type, "concatenate requires at least one operand");
    }
    let x = &ins[0];
    if dim >= x.ndim() {
        crate::bail!(Type, "concatenate dimension out of bounds: dimension {dim} for shapes [{}].", avals_str(ins));
    }
    let mut shape = x.shape.clone();
    shape[dim] = 0;
    for a in ins {
        if a.dtype != x.dtype {
            crate::bail!(Type, "Cannot concatenate arrays with different numeric types: [{}].", avals_str(ins));
        }
        let same_except =
            a.ndim() == x.ndim() && a.shape.iter().zip(&x.shape).enumerate().all(|(i, (p, q))| i == dim || p == q);
        if !same_except {
            crate::bail!(
                Type,
                "Cannot concatenate arrays with shapes that differ in dimensions other than the one being concatenated: concatenating along dimension {dim} for shapes [{}].",
                avals_str(ins)
            );
        }
        shape[dim] += a.shape[dim];
    }
    Ok(Aval { shape, dtype: x.dtype, weak_type: ins.iter().all(|a| a.weak_type), sharding: None })
}

pub fn concatenate_eval(dim: usize, ins: &[&HostData]) -> Result<HostData> {
    Ok(crate::map_host!(ins[0], a0, T => {
        let _ = a0;
        let views: Vec<_> = ins.iter().map(|h| T::view(h).expect("same dtype").view()).collect();
        ndarray::concatenate(Axis(dim), &views).expect("checked by the shape rule").as_standard_layout().into_owned()
    }))
}

pub fn pad_shape(config: &[(i64, i64, i64)], ins: &[Aval]) -> Result<Aval> {
    arity("pad", ins, 2)?;
    let (x, v) = (&ins[0], &ins[1]);
    if v.dtype != x.dtype || !v.shape.is_empty() {
        crate::bail!(Type, "pad: the padding value must be a scalar of the operand's dtype {}, got {}", x.dtype, v);
    }
    if config.len() != x.ndim() {
        crate::bail!(Type, "pad: padding_config has {} entries for an operand of rank {}", config.len(), x.ndim());
    }
    let mut shape = Vec::with_capacity(x.ndim());
    for (d, &(lo, hi, interior)) in config.iter().enumerate() {
        let n = x.shape[d] as i64;
        if interior < 0 {
            crate::bail!(Type, "pad: interior padding must be non-negative, got {interior}");
        }
        let out = lo + hi + n + (n - 1).max(0) * interior;
        if out < 0 {
            crate::bail!(Type, "pad: dimension {d} of size {n} with padding ({lo}, {hi}, {interior}) has negative size {out}");
        }
        shape.push(out as usize);
    }
    Ok(x.with_shape(shape))
}

pub fn pad_eval(config: &[(i64, i64, i64)], x: &HostData, v: &HostData, out: &Aval) -> Result<HostData> {
    Ok(crate::map_host!(x, a, T => {
        let fill = T::view(v).unwrap().iter().next().copied().unwrap();
        let mut o = ArrayD::from_elem(IxDyn(&out.shape), fill);
        let ostr = strides_of(&out.shape);
        let flat = o.as_slice_mut().expect("fresh array is contiguous");
        let mut idx = vec![0usize; a.ndim()];
        'next: for (i, &val) in a.iter().enumerate() {
            unravel(i, a.shape(), &mut idx);
            let mut pos = 0usize;
            for d in 0..idx.len() {
                let (lo, _, interior) = config[d];
                let p = lo + idx[d] as i64 * (interior + 1);
                if p < 0 || p >= out.shape[d] as i64 {
                    continue 'next;
                }
                pos += p as usize * ostr[d];
            }
            flat[pos] = val;
        }
        o
    }))
}

pub fn iota_shape(dtype: DType, shape: &[usize], dim: usize, ins: &[Aval]) -> Result<Aval> {
    arity("iota", ins, 0)?;
    if dim >= shape.len() {
        crate::bail!(Type, "iota dimension must be between 0 and len(shape), got dimension={dim} for shape {}", shape_str(shape));
    }
    if !dtype.is_number() {
        crate::bail!(Type, "iota does not accept dtype {dtype}");
    }
    Ok(Aval::new(shape, dtype))
}

pub fn iota_eval(dtype: DType, shape: &[usize], dim: usize) -> HostData {
    let stride: usize = shape[dim + 1..].iter().product();
    let n = shape[dim].max(1);
    HostData::from_fn_i128(dtype, shape, |i| ((i / stride.max(1)) % n) as i128)
}


// ------------------------------------------------------------- JVP rules

pub fn dynamic_slice_jvp(p: &Prim, primals: &[Array], t: &[Tangent]) -> Result<Tangent> {
    let Some(tx) = &t[0] else { return Ok(None) };
    let mut ins: Vec<&Array> = vec![tx];
    ins.extend(primals[1..].iter());
    Ok(Some(crate::trace::bind1(p.clone(), &ins)?))
}

pub fn dynamic_update_slice_jvp(primals: &[Array], t: &[Tangent]) -> Result<Tangent> {
    if t[0].is_none() && t[1].is_none() {
        return Ok(None);
    }
    let tx = instantiate(&t[0], primals[0].aval())?;
    let tu = instantiate(&t[1], primals[1].aval())?;
    let idx: Vec<&Array> = primals[2..].iter().collect();
    Ok(Some(lax::dynamic_update_slice(&tx, &tu, &idx)?))
}

pub fn concatenate_jvp(p: &Prim, primals: &[Array], t: &[Tangent]) -> Result<Tangent> {
    let ts: Vec<Array> = primals.iter().zip(t).map(|(x, t)| instantiate(t, x.aval())).collect::<Result<_>>()?;
    let refs: Vec<&Array> = ts.iter().collect();
    Ok(Some(crate::trace::bind1(p.clone(), &refs)?))
}

pub fn pad_jvp(p: &Prim, primals: &[Array], t: &[Tangent]) -> Result<Tangent> {
    let tx = instantiate(&t[0], primals[0].aval())?;
    let tv = instantiate(&t[1], primals[1].aval())?;
    Ok(Some(crate::trace::bind1(p.clone(), &[&tx, &tv])?))
}

// ------------------------------------------------------- transpose rules

pub fn broadcast_in_dim_transpose(dims: &[usize], ct: &Array, operand: &Aval) -> Result<Array> {
    let mut axes: Vec<usize> = (0..ct.ndim()).filter(|d| !dims.contains(d)).collect();
    for (i, &d) in dims.iter().enumerate() {
        if operand.shape[i] == 1 && ct.shape()[d] != 1 {
            axes.push(d);
        }
    }
    axes.sort_unstable();
    let r = lax::reduce_sum(ct, &axes)?;
    lax::reshape(&r, &operand.shape)
}

pub fn transpose_transpose(perm: &[usize], ct: &Array) -> Result<Array> {
    let mut inv = vec![0; perm.len()];
    for (i, &p) in perm.iter().enumerate() {
        inv[p] = i;
    }
    lax::transpose(ct, &inv)
}

pub fn slice_transpose(start: &[usize], limit: &[usize], strides: &[usize], ct: &Array, operand: &Aval) -> Result<Array> {
    let _ = limit;
    let cfg: Vec<(i64, i64, i64)> = (0..operand.ndim())
        .map(|d| {
            let n = ct.shape()[d] as i64;
            let used = if n == 0 { 0 } else { (n - 1) * strides[d] as i64 + 1 };
            (start[d] as i64, operand.shape[d] as i64 - start[d] as i64 - used, strides[d] as i64 - 1)
        })
        .collect();
    lax::pad(ct, &Array::full_scalar(ct.dtype(), 0.0), &cfg)
}

pub fn dynamic_slice_transpose(ct: &Array, args: &[LinArg]) -> Result<Vec<Tangent>> {
    let x = args[0].aval();
    let idx: Vec<Array> = args[1..].iter().map(|a| a.value("dynamic_slice").cloned()).collect::<Result<_>>()?;
    let refs: Vec<&Array> = idx.iter().collect();
    let z = crate::numpy::zeros(&x.shape, ct.dtype())?;
    let mut out = vec![Some(lax::dynamic_update_slice(&z, ct, &refs)?)];
    out.extend(std::iter::repeat_n(None, idx.len()));
    Ok(out)
}

pub fn dynamic_update_slice_transpose(ct: &Array, args: &[LinArg]) -> Result<Vec<Tangent>> {
    let u = args[1].aval();
    let idx: Vec<Array> = args[2..].iter().map(|a| a.value("dynamic_update_slice").cloned()).collect::<Result<_>>()?;
    let refs: Vec<&Array> = idx.iter().collect();
    let ct_x = if args[0].is_lin() { Some(lax::dynamic_update_slice(ct, &crate::numpy::zeros(&u.shape, ct.dtype())?, &refs)?) } else { None };
    let ct_u = if args[1].is_lin() { Some(lax::dynamic_slice(ct, &refs, &u.shape)?) } else { None };
    let mut out = vec![ct_x, ct_u];
    out.extend(std::iter::repeat_n(None, idx.len()));
    Ok(out)
}

pub fn concatenate_transpose(dim: usize, ct: &Array, args: &[LinArg]) -> Result<Vec<Tangent>> {
    let mut off = 0;
    let mut out = Vec::with_capacity(args.len());
    for a in args {
        let n = a.aval().shape[dim];
        out.push(if a.is_lin() { Some(lax::slice_in_dim(ct, off, off + n, 1, dim)?) } else { None });
        off += n;
    }
    Ok(out)
}

pub fn pad_transpose(config: &[(i64, i64, i64)], ct: &Array, args: &[LinArg]) -> Result<Vec<Tangent>> {
    // undo the edge padding (negative lo/hi grow back), then take every (interior+1)-th
    let unpad: Vec<(i64, i64, i64)> = config.iter().map(|&(lo, hi, _)| (-lo, -hi, 0)).collect();
    let t_op = if args[0].is_lin() || args[1].is_lin() {
        let u = lax::pad(ct, &Array::full_scalar(ct.dtype(), 0.0), &unpad)?;
        let strides: Vec<usize> = config.iter().map(|c| (c.2 + 1) as usize).collect();
        Some(lax::slice(&u, &vec![0; u.ndim()], u.shape(), Some(&strides))?)
    } else {
        None
    };
    let t_v = if args[1].is_lin() {
        let all = |x: &Array| lax::reduce_sum(x, &(0..x.ndim()).collect::<Vec<_>>());
        Some(lax::sub(&all(ct)?, &all(t_op.as_ref().unwrap())?)?)
    } else {
        None
    };
    Ok(vec![if args[0].is_lin() { t_op } else { None }, t_v])
}

// -------------------------------------------------------- batching rules

fn shift(v: &[usize]) -> Vec<usize> {
    v.iter().map(|d| d + 1).collect()
}

/// Single-operand structural primitives and reductions: the batch dim goes
/// to the front and the parameters shift by one.
pub fn unary_batch(p: &Prim, x: &Array, d: Option<usize>) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
    use Prim::*;
    let x = move_to_front(x, d)?;
    let b = x.shape()[0];
    let q = match p {
        BroadcastInDim { shape, dims } => {
            let mut s = vec![b];
            s.extend_from_slice(shape);
            let mut ds = vec![0];
            ds.extend(shift(dims));
            BroadcastInDim { shape: s, dims: ds }
        }
        Reshape { shape } => Reshape { shape: [vec![b], shape.clone()].concat() },
        Transpose { perm } => Transpose { perm: [vec![0], shift(perm)].concat() },
        Squeeze { dims } => Squeeze { dims: shift(dims) },
        Rev { dims } => Rev { dims: shift(dims) },
        Slice { start, limit, strides } => Slice {
            start: [vec![0], start.clone()].concat(),
            limit: [vec![b], limit.clone()].concat(),
            strides: [vec![1], strides.clone()].concat(),
        },
        Reduce { op, axes } => Reduce { op: *op, axes: shift(axes) },
        ArgReduce { op, axis, index_dtype } => ArgReduce { op: *op, axis: axis + 1, index_dtype: *index_dtype },
        Cumulative { op, axis, reverse } => Cumulative { op: *op, axis: axis + 1, reverse: *reverse },
        other => crate::bail!(Value, "unary_batch does not handle {}", other.name()),
    };
    Ok((vec![crate::trace::bind1(q, &[&x])?], vec![Some(0)]))
}

/// Index operands as one (B, n) int32 array.
fn stacked_indices(idx: &[Array], dims: &[Option<usize>], size: usize) -> Result<Array> {
    let cols: Vec<Array> = idx
        .iter()
        .zip(dims)
        .map(|(i, d)| {
            let i = lax::convert_element_type(i, DType::I32)?;
            let i = to_batched(&i, *d, size)?;
            lax::reshape(&i, &[size, 1])
        })
        .collect::<Result<_>>()?;
    let refs: Vec<&Array> = cols.iter().collect();
    lax::concatenate(&refs, 1)
}

pub fn dynamic_slice_batch(sizes: &[usize], args: &[Array], dims: &[Option<usize>], size: usize) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
    let x = to_batched(&args[0], dims[0], size)?;
    let n = sizes.len();
    if dims[1..].iter().all(|d| d.is_none()) {
        let zero = Array::full_scalar(args.get(1).map(|a| a.dtype()).unwrap_or(DType::I32), 0.0);
        let mut ins: Vec<&Array> = vec![&x, &zero];
        ins.extend(args[1..].iter());
        let s = [vec![size], sizes.to_vec()].concat();
        return Ok((vec![crate::trace::bind1(Prim::DynamicSlice { sizes: s }, &ins)?], vec![Some(0)]));
    }
    let idx = stacked_indices(&args[1..], &dims[1..], size)?;
    let gd = super::GatherDims {
        offset_dims: (1..=n).collect(),
        collapsed_slice_dims: vec![],
        start_index_map: (1..=n).collect(),
        operand_batching_dims: vec![0],
        start_indices_batching_dims: vec![0],
    };
    let ss = [vec![1], sizes.to_vec()].concat();
    Ok((vec![lax::gather(&x, &idx, gd, &ss, super::IndexMode::Clip, None)?], vec![Some(0)]))
}

pub fn dynamic_update_slice_batch(args: &[Array], dims: &[Option<usize>], size: usize) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
    let x = to_batched(&args[0], dims[0], size)?;
    let u = to_batched(&args[1], dims[1], size)?;
    let n = x.ndim() - 1;
    if dims[2..].iter().all(|d| d.is_none()) {
        let zero = Array::full_scalar(args.get(2).map(|a| a.dtype()).unwrap_or(DType::I32), 0.0);
        let mut ins: Vec<&Array> = vec![&x, &u, &zero];
        ins.extend(args[2..].iter());
        return Ok((vec![crate::trace::bind1(Prim::DynamicUpdateSlice, &ins)?], vec![Some(0)]));
    }
    let idx = stacked_indices(&args[2..], &dims[2..], size)?;
    let sd = super::ScatterDims {
        update_window_dims: (1..=n).collect(),
        inserted_window_dims: vec![],
        scatter_dims_to_operand_dims: (1..=n).collect(),
        operand_batching_dims: vec![0],
        scatter_indices_batching_dims: vec![0],
    };
    Ok((vec![lax::scatter(&x, &idx, &u, sd, super::ScatterOp::Replace, super::IndexMode::Clip)?], vec![Some(0)]))
}

pub fn concatenate_batch(dim: usize, args: &[Array], dims: &[Option<usize>], size: usize) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
    let xs: Vec<Array> = args.iter().zip(dims).map(|(x, d)| to_batched(x, *d, size)).collect::<Result<_>>()?;
    let refs: Vec<&Array> = xs.iter().collect();
    Ok((vec![lax::concatenate(&refs, dim + 1)?], vec![Some(0)]))
}

pub fn pad_batch(config: &[(i64, i64, i64)], args: &[Array], dims: &[Option<usize>], size: usize) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
    let x = to_batched(&args[0], dims[0], size)?;
    let cfg = [vec![(0, 0, 0)], config.to_vec()].concat();
    if dims[1].is_none() {
        return Ok((vec![lax::pad(&x, &args[1], &cfg)?], vec![Some(0)]));
    }
    // a batched padding value: pad with zeros, then select it where the mask says padding
    let zero = Array::full_scalar(x.dtype(), 0.0);
    let padded = lax::pad(&x, &zero, &cfg)?;
    let ones = crate::numpy::ones(x.shape(), DType::Bool)?;
    let mask = lax::pad(&ones, &Array::scalar(false), &cfg)?;
    let v = lax::broadcast_in_dim(&move_to_front(&args[1], dims[1])?, padded.shape(), &[0])?;
    Ok((vec![lax::select(&mask, &padded, &v)?], vec![Some(0)]))
}
