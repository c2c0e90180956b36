//! Complex numbers: `real`, `imag`, `conj`, `complex(re, im)` (JAX's
//! real_p, imag_p, conj_p, complex_p) and the FFT. Complex arithmetic is
//! computed by XLA (`runtime::eager::complex_via_xla` sends eager complex
//! operations there); the interpreter only stores and moves complex arrays.
//! Derivatives follow JAX's convention: linear maps are transposed, not
//! adjointed (`transpose(x -> c x) = ct -> c ct`).

use super::{arity, LinArg, Prim, Tangent};
use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::ir::Aval;
use crate::lax;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ComplexOp {
    Real,
    Imag,
    Conj,
    /// complex(re, im)
    Make,
}

impl ComplexOp {
    pub fn name(self) -> &'static str {
        match self {
            ComplexOp::Real => "real",
            ComplexOp::Imag => "imag",
            ComplexOp::Conj => "conj",
            ComplexOp::Make => "complex",
        }
    }
}

/// XLA's FFT types: complex-to-complex forward and inverse, real-to-complex
/// (the non-negative frequencies) and its inverse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FftKind {
    Fft,
    Ifft,
    Rfft,
    Irfft,
}

impl FftKind {
    pub fn name(self) -> &'static str {
        match self {
            FftKind::Fft => "FFT",
            FftKind::Ifft => "IFFT",
            FftKind::Rfft => "RFFT",
            FftKind::Irfft => "IRFFT",
        }
    }
}

pub fn complex_shape(op: ComplexOp, ins: &[Aval]) -> Result<Aval> {
    match op {
        ComplexOp::Real | ComplexOp::Imag | ComplexOp::Conj => {
            arity(op.name(), ins, 1)?;
            let d = ins[0].dtype;
            if !d.is_complex() {
                crate::bail!(Type, "{} requires a complex operand, got {d}", op.name());
            }
            Ok(if op == ComplexOp::Conj { ins[0].clone() } else { ins[0].with_dtype(d.real_part()) })
        }
        ComplexOp::Make => {
            arity("complex", ins, 2)?;
            let (a, b) = (&ins[0], &ins[1]);
            if !matches!(a.dtype, DType::F32 | DType::F64) || a.dtype != b.dtype {
                crate::bail!(Type, "complex requires two float32 or two float64 operands of one type, got {} and {}", a.dtype, b.dtype);
            }
            if a.shape != b.shape {
                crate::bail!(Type, "complex requires operands of the same shape, got {} and {}", a.shape_str(), b.shape_str());
            }
            Ok(a.with_dtype(a.dtype.complex_of()))
        }
    }
}

pub fn fft_shape(kind: FftKind, lengths: &[usize], ins: &[Aval]) -> Result<Aval> {
    arity("fft", ins, 1)?;
    let x = &ins[0];
    let k = lengths.len();
    if k == 0 || k > 3 || x.ndim() < k {
        crate::bail!(Type, "fft: fft_lengths {lengths:?} must name 1 to 3 trailing dimensions of an operand of shape {}", x.shape_str());
    }
    let tail = &x.shape[x.ndim() - k..];
    let mut out = x.shape.clone();
    match kind {
        FftKind::Fft | FftKind::Ifft => {
            if !x.dtype.is_complex() {
                crate::bail!(Type, "fft: {} takes a complex operand, got {}", kind.name(), x.dtype);
            }
            if tail != lengths {
                crate::bail!(Type, "fft: fft_lengths {lengths:?} must equal the trailing dimensions {tail:?}");
            }
            Ok(x.clone())
        }
        FftKind::Rfft => {
            if !matches!(x.dtype, DType::F32 | DType::F64) {
                crate::bail!(Type, "fft: RFFT takes a float32 or float64 operand, got {}", x.dtype);
            }
            if tail != lengths {
                crate::bail!(Type, "fft: fft_lengths {lengths:?} must equal the trailing dimensions {tail:?}");
            }
            *out.last_mut().unwrap() = lengths[k - 1] / 2 + 1;
            Ok(Aval::new(&out, x.dtype.complex_of()))
        }
        FftKind::Irfft => {
            if !x.dtype.is_complex() {
                crate::bail!(Type, "fft: IRFFT takes a complex operand, got {}", x.dtype);
            }
            let want: Vec<usize> = lengths[..k - 1].iter().copied().chain([lengths[k - 1] / 2 + 1]).collect();
            if tail != want {
                crate::bail!(Type, "fft: IRFFT with fft_lengths {lengths:?} needs trailing dimensions {want:?}, got {tail:?}");
            }
            *out.last_mut().unwrap() = lengths[k - 1];
            Ok(Aval::new(&out, x.dtype.real_part()))
        }
    }
}

fn zeros_like(x: &Array) -> Result<Array> {
    crate::numpy::zeros_like(x)
}

/// The operations are linear: the same operation on the tangents.
pub fn complex_jvp(op: ComplexOp, primals: &[Array], tangents: &[Tangent]) -> Result<Tangent> {
    let p = Prim::Complex(op);
    match op {
        ComplexOp::Make => {
            let re = match &tangents[0] {
                Some(t) => t.clone(),
                None => zeros_like(&primals[0])?,
            };
            let im = match &tangents[1] {
                Some(t) => t.clone(),
                None => zeros_like(&primals[1])?,
            };
            Ok(Some(crate::trace::bind1(p, &[&re, &im])?))
        }
        _ => Ok(match &tangents[0] {
            Some(t) => Some(crate::trace::bind1(p, &[t])?),
            None => None,
        }),
    }
}

pub fn complex_transpose(op: ComplexOp, ct: &Array, args: &[LinArg]) -> Result<Vec<Tangent>> {
    match op {
        // real(x): x's cotangent is complex(ct, 0); imag(x): complex(0, -ct)
        ComplexOp::Real => Ok(vec![Some(lax::complex(ct, &zeros_like(ct)?)?)]),
        ComplexOp::Imag => Ok(vec![Some(lax::complex(&zeros_like(ct)?, &lax::neg(ct)?)?)]),
        ComplexOp::Conj => Ok(vec![Some(lax::conj(ct)?)]),
        ComplexOp::Make => {
            let re = lax::real(ct)?;
            let im = lax::neg(&lax::imag(ct)?)?;
            Ok(vec![args[0].is_lin().then_some(re), args[1].is_lin().then_some(im)])
        }
    }
}

pub fn fft_jvp(kind: FftKind, lengths: &[usize], t: &Tangent) -> Result<Tangent> {
    Ok(match t {
        Some(t) => Some(lax::fft(t, kind, lengths)?),
        None => None,
    })
}

/// FFT and IFFT are symmetric matrices: their own transposes. RFFT is FFT
/// of the real input, cut to n/2+1 frequencies: its transpose pads the
/// cotangent back, applies FFT and keeps the real part. IRFFT's transpose
/// (a cotangent of X being dL/dRe X - i dL/dIm X, JAX's convention) is the
/// conjugate of RFFT of the cotangent, inner frequencies counted twice, / N.
pub fn fft_transpose(kind: FftKind, lengths: &[usize], ct: &Array) -> Result<Vec<Tangent>> {
    let k = lengths.len();
    let last = ct.ndim() - 1;
    Ok(vec![Some(match kind {
        FftKind::Fft | FftKind::Ifft => lax::fft(ct, kind, lengths)?,
        FftKind::Rfft => {
            let n = lengths[k - 1];
            let have = ct.shape()[last];
            let mut cfg = vec![(0i64, 0i64, 0i64); ct.ndim()];
            cfg[last] = (0, (n - have) as i64, 0);
            let zero = Array::full_scalar(ct.dtype(), 0.0);
            let full = lax::pad(ct, &zero, &cfg)?;
            lax::real(&lax::fft(&full, FftKind::Fft, lengths)?)?
        }
        FftKind::Irfft => {
            let y = lax::conj(&lax::fft(ct, FftKind::Rfft, lengths)?)?;
            let m = y.shape()[last];
            let odd = lengths[k - 1] % 2;
            let w: Vec<f64> = (0..m).map(|i| if i == 0 || (odd == 0 && i == m - 1) { 1.0 } else { 2.0 }).collect();
            let total: usize = lengths.iter().product();
            let w: Vec<f64> = w.iter().map(|v| v / total as f64).collect();
            let wr = Array::from_host(crate::runtime::host::HostData::from_vec(&[m], w)?);
            let wr = lax::convert_element_type(&wr, y.dtype().real_part())?;
            let wc = lax::complex(&wr, &zeros_like(&wr)?)?;
            let wc = lax::broadcast_in_dim(&wc, y.shape(), &[last])?;
            lax::mul(&y, &wc)?
        }
    })])
}

/// The FFT works on trailing dimensions: a batch dimension moved to the front is untouched.
pub fn fft_batch(p: &Prim, x: &Array, d: Option<usize>) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
    let x = crate::transform::batching::move_to_front(x, d)?;
    Ok((crate::trace::bind(p.clone(), &[&x])?, vec![Some(0)]))
}
