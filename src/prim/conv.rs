//! conv_general_dilated: XLA's convolution (stablehlo.convolution) with
//! dimension numbers, strides, padding, input (lhs) and kernel (rhs)
//! dilation, feature and batch groups. Its derivative and batching rules
//! are JAX's: convolutions with rearranged dimension numbers and groups.

use super::{arity, LinArg, Tangent};
use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::ir::Aval;
use crate::runtime::host::{strides_of, unravel, HostData};

/// The static parameters. `lhs_spec` lists the lhs dimensions that are
/// (batch, feature, spatial...), `rhs_spec` (out feature, in feature,
/// spatial...), `out_spec` (batch, feature, spatial...), as JAX's
/// `ConvDimensionNumbers`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConvParams {
    pub strides: Vec<usize>,
    pub padding: Vec<(i64, i64)>,
    pub lhs_dilation: Vec<usize>,
    pub rhs_dilation: Vec<usize>,
    pub lhs_spec: Vec<usize>,
    pub rhs_spec: Vec<usize>,
    pub out_spec: Vec<usize>,
    pub feature_groups: usize,
    pub batch_groups: usize,
    pub preferred: Option<DType>,
}

fn dilate(d: usize, r: usize) -> usize {
    if d == 0 {
        0
    } else {
        1 + r * (d - 1)
    }
}

impl ConvParams {
    fn nsp(&self) -> usize {
        self.strides.len()
    }

    /// The parameters as the graph printer shows them (JAX's names).
    pub fn params_str(&self) -> String {
        format!(
            "window_strides={} padding={} lhs_dilation={} rhs_dilation={} dimension_numbers=ConvDimensionNumbers(lhs_spec={}, rhs_spec={}, out_spec={}) feature_group_count={} batch_group_count={}{}",
            super::tuple_str(&self.strides),
            super::tuple_str(&self.padding.iter().map(|(a, b)| format!("({a}, {b})")).collect::<Vec<_>>()),
            super::tuple_str(&self.lhs_dilation),
            super::tuple_str(&self.rhs_dilation),
            super::tuple_str(&self.lhs_spec),
            super::tuple_str(&self.rhs_spec),
            super::tuple_str(&self.out_spec),
            self.feature_groups,
            self.batch_groups,
            self.preferred.map(|d| format!(" preferred_element_type={d}")).unwrap_or_default()
        )
    }
}

/// `spec` must be a permutation of 0..n.
fn check_spec(what: &str, spec: &[usize], n: usize) -> Result<()> {
    let mut seen = vec![false; n];
    if spec.len() != n || spec.iter().any(|&d| d >= n || std::mem::replace(&mut seen[d], true)) {
        crate::bail!(Type, "conv_general_dilated {what} dimension numbers must be a permutation of 0..{n}, got {}", super::tuple_str(spec));
    }
    Ok(())
}

pub fn conv_shape(p: &ConvParams, ins: &[Aval]) -> Result<Aval> {
    arity("conv_general_dilated", ins, 2)?;
    let (l, r) = (&ins[0], &ins[1]);
    if l.ndim() != r.ndim() {
        crate::bail!(Type, "convolution requires lhs and rhs ndim to be equal, got {} and {}.", l.ndim(), r.ndim());
    }
    if l.dtype != r.dtype {
        crate::bail!(Type, "conv_general_dilated requires arguments to have the same dtypes, got {}, {}.", l.dtype, r.dtype);
    }
    if l.dtype.is_bool() {
        crate::bail!(Type, "conv_general_dilated does not accept dtype bool");
    }
    let n = l.ndim();
    if n < 2 || p.nsp() != n - 2 || [p.padding.len(), p.lhs_dilation.len(), p.rhs_dilation.len()].iter().any(|&k| k != n - 2) {
        crate::bail!(Type, "conv_general_dilated: strides, padding and dilations need one entry per spatial dimension ({} for rank {n})", n.saturating_sub(2));
    }
    for (name, v) in [("window_strides", &p.strides), ("lhs_dilation", &p.lhs_dilation), ("rhs_dilation", &p.rhs_dilation)] {
        if v.iter().any(|&s| s == 0) {
            crate::bail!(Type, "conv_general_dilated {name} must be positive, got {}", super::tuple_str(v));
        }
    }
    check_spec("lhs", &p.lhs_spec, n)?;
    check_spec("rhs", &p.rhs_spec, n)?;
    check_spec("out", &p.out_spec, n)?;
    let (g, b) = (p.feature_groups, p.batch_groups);
    if g == 0 || b == 0 || (g > 1 && b > 1) {
        crate::bail!(Type, "At most one of feature_group_count and batch_group_count may be > 1, got feature_group_count={g} and batch_group_count={b}");
    }
    let (nb, c) = (l.shape[p.lhs_spec[0]], l.shape[p.lhs_spec[1]]);
    let (o, i) = (r.shape[p.rhs_spec[0]], r.shape[p.rhs_spec[1]]);
    if c != i * g {
        crate::bail!(Type, "conv_general_dilated lhs feature dimension size divided by feature_group_count must equal the rhs input feature dimension size, but {c} // {g} != {i}.");
    }
    if o % g != 0 {
        crate::bail!(Type, "conv_general_dilated rhs output feature dimension size must be a multiple of feature_group_count, but {o} is not a multiple of {g}.");
    }
    if nb % b != 0 {
        crate::bail!(Type, "conv_general_dilated lhs batch dimension size must be divisible by batch_group_count, but {nb} is not a multiple of {b}.");
    }
    if o % b != 0 {
        crate::bail!(Type, "conv_general_dilated rhs output feature dimension size must be a multiple of batch_group_count, but {o} is not a multiple of {b}.");
    }
    let mut shape = vec![0; n];
    shape[p.out_spec[0]] = nb / b;
    shape[p.out_spec[1]] = o;
    for d in 0..n - 2 {
        let (lo, hi) = p.padding[d];
        let padded = dilate(l.shape[p.lhs_spec[2 + d]], p.lhs_dilation[d]) as i64 + lo + hi;
        let window = dilate(r.shape[p.rhs_spec[2 + d]], p.rhs_dilation[d]) as i64;
        shape[p.out_spec[2 + d]] = if padded < window { 0 } else { ((padded - window) / p.strides[d] as i64 + 1) as usize };
    }
    Ok(Aval::new(&shape, p.preferred.unwrap_or(l.dtype)))
}

/// The interpreter's kernel: a direct loop in f64 (eager convolutions run
/// on XLA when a plugin is loaded, see `runtime::eager`).
pub fn conv_eval(p: &ConvParams, x: &HostData, w: &HostData, out: &Aval) -> Result<HostData> {
    if x.dtype().is_complex() {
        crate::bail!(NotImplemented, "conv_general_dilated of complex numbers is computed by XLA only");
    }
    let (xs, ws) = (x.shape().to_vec(), w.shape().to_vec());
    let nsp = xs.len() - 2;
    let (xv, wv) = (x.to_f64_vec(), w.to_f64_vec());
    let (xst, wst, ost) = (strides_of(&xs), strides_of(&ws), strides_of(&out.shape));
    let nb_out = out.shape[p.out_spec[0]];
    let o_total = out.shape[p.out_spec[1]];
    let osp: Vec<usize> = (0..nsp).map(|d| out.shape[p.out_spec[2 + d]]).collect();
    let ksp: Vec<usize> = (0..nsp).map(|d| ws[p.rhs_spec[2 + d]]).collect();
    let ssp: Vec<usize> = (0..nsp).map(|d| xs[p.lhs_spec[2 + d]]).collect();
    let cin = ws[p.rhs_spec[1]];
    let (o_per_fg, o_per_bg) = (o_total / p.feature_groups, o_total / p.batch_groups);
    let taps: usize = ksp.iter().product();
    let outs: usize = osp.iter().product();
    let mut res = vec![0f64; out.shape.iter().product()];
    let (mut oi, mut ki, mut s) = (vec![0; nsp], vec![0; nsp], vec![0usize; nsp]);
    for n in 0..nb_out {
        for o in 0..o_total {
            let (fg, bg) = (o / o_per_fg, o / o_per_bg);
            let n_in = bg * nb_out + n;
            for flat_o in 0..outs {
                unravel(flat_o, &osp, &mut oi);
                let mut acc = 0.0;
                for t in 0..taps {
                    unravel(t, &ksp, &mut ki);
                    // the input element under this tap, in lhs-dilated, padded coordinates
                    let mut inside = true;
                    for d in 0..nsp {
                        let pos = (oi[d] * p.strides[d] + ki[d] * p.rhs_dilation[d]) as i64 - p.padding[d].0;
                        let ld = p.lhs_dilation[d] as i64;
                        if pos < 0 || pos % ld != 0 || pos / ld >= ssp[d] as i64 {
                            inside = false;
                            break;
                        }
                        s[d] = (pos / ld) as usize;
                    }
                    if !inside {
                        continue;
                    }
                    let mut xb = n_in * xst[p.lhs_spec[0]];
                    let mut wb = o * wst[p.rhs_spec[0]];
                    for d in 0..nsp {
                        xb += s[d] * xst[p.lhs_spec[2 + d]];
                        wb += ki[d] * wst[p.rhs_spec[2 + d]];
                    }
                    for i in 0..cin {
                        let c = fg * cin + i;
                        acc += xv[xb + c * xst[p.lhs_spec[1]]] * wv[wb + i * wst[p.rhs_spec[1]]];
                    }
                }
                let mut at = n * ost[p.out_spec[0]] + o * ost[p.out_spec[1]];
                for d in 0..nsp {
                    at += oi[d] * ost[p.out_spec[2 + d]];
                }
                res[at] = acc;
            }
        }
    }
    Ok(HostData::from_vec(&out.shape, res)?.cast(out.dtype))
}

fn conv(x: &Array, w: &Array, p: ConvParams) -> Result<Array> {
    crate::lax::conv_general_dilated(x, w, p)
}

pub fn conv_jvp(p: &ConvParams, primals: &[Array], tangents: &[Tangent]) -> Result<Tangent> {
    let dl = match &tangents[0] {
        Some(t) => Some(conv(t, &primals[1], p.clone())?),
        None => None,
    };
    let dr = match &tangents[1] {
        Some(t) => Some(conv(&primals[0], t, p.clone())?),
        None => None,
    };
    super::add_tangents(dl, dr)
}

// ------------------------------------------------------- transpose rule

/// The spec with its first two entries swapped (JAX's `_conv_spec_transpose`).
fn swap(spec: &[usize]) -> Vec<usize> {
    let mut s = spec.to_vec();
    s.swap(0, 1);
    s
}

/// Splits dimension `src` into (`size1`, rest).
fn axis_out_of(src: usize, size1: usize, x: &Array) -> Result<Array> {
    let mut shape = x.shape().to_vec();
    let n = shape[src];
    shape.splice(src..=src, [size1, n / size1]);
    crate::lax::reshape(x, &shape)
}

/// Moves dimension `src` in front of dimension `dst` (numbered without
/// `src`) and merges the two.
fn axis_into(src: usize, dst: usize, x: &Array) -> Result<Array> {
    let mut perm: Vec<usize> = (0..x.ndim()).filter(|&i| i != src).collect();
    perm.insert(dst, src);
    let mut shape: Vec<usize> = (0..x.ndim()).filter(|&i| i != src).map(|i| x.shape()[i]).collect();
    shape[dst] *= x.shape()[src];
    crate::lax::reshape(&crate::lax::transpose(x, &perm)?, &shape)
}

fn take(shape: &[usize], dims: &[usize]) -> Vec<usize> {
    dims.iter().map(|&d| shape[d]).collect()
}

pub fn conv_transpose(p: &ConvParams, ct: &Array, args: &[LinArg]) -> Result<Vec<Tangent>> {
    let (lhs_aval, rhs_aval) = (args[0].aval(), args[1].aval());
    let nsp = p.nsp();
    let (lsd, rsd, osd) = (&p.lhs_spec[2..], &p.rhs_spec[2..], &p.out_spec[2..]);
    let (in_sp, k_sp, out_sp) = (take(&lhs_aval.shape, lsd), take(&rhs_aval.shape, rsd), take(ct.shape(), osd));
    let lo: Vec<i64> = p.padding.iter().map(|&(l, _)| l).collect();
    let ld: Vec<i64> = (0..nsp).map(|d| dilate(in_sp[d], p.lhs_dilation[d]) as i64).collect();
    let rd: Vec<i64> = (0..nsp).map(|d| dilate(k_sp[d], p.rhs_dilation[d]) as i64).collect();
    let od: Vec<i64> = (0..nsp).map(|d| dilate(out_sp[d], p.strides[d]) as i64).collect();
    // with a preferred output type the cotangent may be wider than the
    // operands: it is brought to their type first
    let ct_as = |d: DType| crate::lax::convert_element_type(ct, d);
    let ct_lhs = if args[0].is_lin() {
        let mut rhs = args[1].value("conv_general_dilated")?.clone();
        let mut fg = p.feature_groups;
        let groups = p.feature_groups.max(p.batch_groups);
        if groups > 1 {
            // the groups move from the rhs output features into its input features
            rhs = axis_into(p.rhs_spec[0], p.rhs_spec[1], &axis_out_of(p.rhs_spec[0], groups, &rhs)?)?;
            fg = groups;
        }
        let padding = (0..nsp)
            .map(|d| {
                let before = rd[d] - lo[d] - 1;
                (before, ld[d] + rd[d] - 1 - od[d] - before)
            })
            .collect();
        let q = ConvParams {
            strides: p.lhs_dilation.clone(),
            padding,
            lhs_dilation: p.strides.clone(),
            rhs_dilation: p.rhs_dilation.clone(),
            lhs_spec: p.out_spec.clone(),
            rhs_spec: swap(&p.rhs_spec),
            out_spec: p.lhs_spec.clone(),
            feature_groups: fg,
            batch_groups: 1,
            preferred: None,
        };
        let mut out = conv(&ct_as(rhs.dtype())?, &crate::lax::rev(&rhs, rsd)?, q)?;
        if p.batch_groups > 1 {
            out = axis_into(p.lhs_spec[1], p.lhs_spec[0], &axis_out_of(p.lhs_spec[1], p.batch_groups, &out)?)?;
        }
        Some(crate::lax::convert_element_type(&out, lhs_aval.dtype)?)
    } else {
        None
    };
    let ct_rhs = if args[1].is_lin() {
        let lhs = args[0].value("conv_general_dilated")?;
        let (fg, bg) = if p.batch_groups > 1 { (p.batch_groups, 1) } else { (1, p.feature_groups) };
        let padding = (0..nsp).map(|d| (lo[d], od[d] - ld[d] + rd[d] - lo[d] - 1)).collect();
        let q = ConvParams {
            strides: p.rhs_dilation.clone(),
            padding,
            lhs_dilation: p.lhs_dilation.clone(),
            rhs_dilation: p.strides.clone(),
            lhs_spec: swap(&p.lhs_spec),
            rhs_spec: swap(&p.out_spec),
            out_spec: swap(&p.rhs_spec),
            feature_groups: fg,
            batch_groups: bg,
            preferred: None,
        };
        Some(crate::lax::convert_element_type(&conv(lhs, &ct_as(lhs.dtype())?, q)?, rhs_aval.dtype)?)
    } else {
        None
    };
    Ok(vec![ct_lhs, ct_rhs])
}

// -------------------------------------------------------- batching rule

pub fn conv_batch(p: &ConvParams, args: &[Array], dims: &[Option<usize>]) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
    let (lhs, rhs) = (&args[0], &args[1]);
    let (ls, rs, os) = (&p.lhs_spec, &p.rhs_spec, &p.out_spec);
    match (dims[0], dims[1]) {
        (Some(lb), Some(rb)) => {
            let size = lhs.shape()[lb];
            let mut q = p.clone();
            let new_lhs = if p.batch_groups > 1 {
                q.batch_groups *= size;
                axis_into(lb, ls[0], lhs)?
            } else {
                q.feature_groups *= size;
                axis_into(lb, ls[1], lhs)?
            };
            let out = conv(&new_lhs, &axis_into(rb, rs[0], rhs)?, q)?;
            Ok((vec![axis_out_of(os[1], size, &out)?], vec![Some(os[1])]))
        }
        (Some(lb), None) => {
            let size = lhs.shape()[lb];
            let new_lhs = if p.batch_groups == 1 {
                axis_into(lb, ls[0], lhs)?
            } else {
                // the batch groups stay outermost in the lhs batch dimension
                let x = axis_out_of(ls[0] + usize::from(lb <= ls[0]), p.batch_groups, lhs)?;
                let x = axis_into(lb + usize::from(ls[0] < lb), ls[0] + 1, &x)?;
                axis_into(ls[0], ls[0], &x)?
            };
            let out = conv(&new_lhs, rhs, p.clone())?;
            Ok((vec![axis_out_of(os[0], size, &out)?], vec![Some(os[0])]))
        }
        (None, Some(rb)) => {
            let size = rhs.shape()[rb];
            if p.feature_groups == 1 && p.batch_groups == 1 {
                let out = conv(lhs, &axis_into(rb, rs[0], rhs)?, p.clone())?;
                return Ok((vec![axis_out_of(os[1], size, &out)?], vec![Some(os[1])]));
            }
            // the groups stay outermost in the rhs output features
            let groups = p.feature_groups.max(p.batch_groups);
            let w = axis_out_of(rs[0] + usize::from(rb <= rs[0]), groups, rhs)?;
            let w = axis_into(rb + usize::from(rs[0] < rb), rs[0] + 1, &w)?;
            let w = axis_into(rs[0], rs[0], &w)?;
            let out = conv(lhs, &w, p.clone())?;
            let out = axis_out_of(os[1], groups, &out)?;
            let out = axis_out_of(os[1] + 1, size, &out)?;
            Ok((vec![axis_into(os[1], os[1] + 1, &out)?], vec![Some(os[1])]))
        }
        (None, None) => Ok((vec![conv(lhs, rhs, p.clone())?], vec![None])),
    }
}
