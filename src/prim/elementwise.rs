//! Elementwise primitives: unary math, binary arithmetic and bitwise ops,
//! select_n, clamp, dtype conversions, stop_gradient. Shape rules are
//! strict as in `jax.lax`: equal shapes and equal dtypes (the numpy layer
//! broadcasts and promotes before calling these).

use super::{arity, LinArg, Prim, Tangent};
use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::ir::Aval;
use crate::lax;
use crate::runtime::host::{Elem, HostData};
use half::{bf16, f16};
use ndarray::{ArrayD, Zip};
use num_traits::Float;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Neg,
    Sign,
    Floor,
    Ceil,
    /// Rounds half away from zero (lax.round's default method).
    Round,
    /// Rounds half to even (lax.round with ROUND_TO_NEAREST_EVEN; jnp.round).
    RoundEven,
    IsFinite,
    Exp,
    Exp2,
    Log,
    Log1p,
    Expm1,
    Tanh,
    Logistic,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Asinh,
    Acosh,
    Atanh,
    Sqrt,
    Rsqrt,
    Cbrt,
    Abs,
    Not,
    Erf,
    Erfc,
    ErfInv,
    Lgamma,
    Digamma,
    /// The m-th derivative of digamma, m >= 1 (digamma's derivative is m = 1).
    Polygamma(u32),
    Square,
}

/// Which dtypes a unary op accepts.
#[derive(Clone, Copy, PartialEq)]
enum Accepts {
    Float,
    /// floats and complex numbers
    Inexact,
    /// numbers and complex numbers
    NumberOrComplex,
    IntOrBool,
}

impl UnaryOp {
    pub const ALL: [UnaryOp; 37] = {
        use UnaryOp::*;
        [
            Neg, Sign, Floor, Ceil, Round, RoundEven, IsFinite, Exp, Exp2, Log, Log1p, Expm1, Tanh, Logistic, Sin, Cos, Tan, Asin, Acos, Atan,
            Sinh, Cosh, Asinh, Acosh, Atanh, Sqrt, Rsqrt, Cbrt, Abs, Not, Erf, Erfc, ErfInv, Lgamma, Digamma, Polygamma(1), Square,
        ]
    };
    pub fn name(self) -> &'static str {
        use UnaryOp::*;
        match self {
            Neg => "neg",
            Sign => "sign",
            Floor => "floor",
            Ceil => "ceil",
            Round | RoundEven => "round",
            IsFinite => "is_finite",
            Exp => "exp",
            Exp2 => "exp2",
            Log => "log",
            Log1p => "log1p",
            Expm1 => "expm1",
            Tanh => "tanh",
            Logistic => "logistic",
            Sin => "sin",
            Cos => "cos",
            Tan => "tan",
            Asin => "asin",
            Acos => "acos",
            Atan => "atan",
            Sinh => "sinh",
            Cosh => "cosh",
            Asinh => "asinh",
            Acosh => "acosh",
            Atanh => "atanh",
            Sqrt => "sqrt",
            Rsqrt => "rsqrt",
            Cbrt => "cbrt",
            Abs => "abs",
            Not => "not",
            Erf => "erf",
            Erfc => "erfc",
            ErfInv => "erf_inv",
            Lgamma => "lgamma",
            Digamma => "digamma",
            Polygamma(_) => "polygamma",
            Square => "square",
        }
    }
    pub fn params_str(self) -> String {
        match self {
            UnaryOp::Round => "rounding_method=0".into(),
            UnaryOp::RoundEven => "rounding_method=1".into(),
            UnaryOp::Polygamma(m) => format!("m={m}"),
            _ => String::new(),
        }
    }
    fn accepts(self) -> Accepts {
        use UnaryOp::*;
        match self {
            Neg | Sign | Abs | Square => Accepts::NumberOrComplex,
            Not => Accepts::IntOrBool,
            Exp | Log | Log1p | Expm1 | Tanh | Logistic | Sin | Cos | Tan | Sinh | Cosh | Sqrt | Rsqrt => Accepts::Inexact,
            _ => Accepts::Float,
        }
    }
}

fn check_accepts(op: &str, acc: Accepts, d: DType) -> Result<()> {
    let (ok, what) = match acc {
        Accepts::Float => (d.is_float(), "floating"),
        Accepts::Inexact => (d.is_inexact(), "floating, complexfloating"),
        Accepts::NumberOrComplex => (d.is_number() || d.is_complex(), "integer, floating, complexfloating"),
        Accepts::IntOrBool => (d.is_int() || d.is_bool(), "bool, integer"),
    };
    if !ok {
        crate::bail!(Type, "{op} does not accept dtype {d}. Accepted dtypes are subtypes of {what}.");
    }
    Ok(())
}

pub fn unary_shape(op: UnaryOp, ins: &[Aval]) -> Result<Aval> {
    arity(op.name(), ins, 1)?;
    check_accepts(op.name(), op.accepts(), ins[0].dtype)?;
    if op == UnaryOp::IsFinite {
        return Ok(ins[0].with_dtype(DType::Bool));
    }
    if op == UnaryOp::Abs && ins[0].dtype.is_complex() {
        return Ok(ins[0].with_dtype(ins[0].dtype.real_part()));
    }
    Ok(ins[0].clone())
}

pub fn identity_shape(op: &str, ins: &[Aval]) -> Result<Aval> {
    arity(op, ins, 1)?;
    Ok(ins[0].clone())
}

pub fn integer_pow_shape(_y: i32, ins: &[Aval]) -> Result<Aval> {
    arity("integer_pow", ins, 1)?;
    check_accepts("integer_pow", Accepts::NumberOrComplex, ins[0].dtype)?;
    if ins[0].dtype.is_int() && _y < 0 {
        crate::bail!(Type, "integer_pow: integers cannot be raised to the negative power {_y}");
    }
    Ok(ins[0].clone())
}

// ---------------------------------------------------------------- float math

/// Float element types the kernels compute in (f16/bf16 go through f32).
pub trait Real: Float + Elem {
    fn erf_(self) -> Self;
    fn erfc_(self) -> Self;
    fn erf_inv_(self) -> Self;
    fn lgamma_(self) -> Self;
    fn digamma_(self) -> Self;
    fn polygamma_(self, m: u32) -> Self;
    fn nextafter_(self, to: Self) -> Self;
}

impl Real for f32 {
    fn erf_(self) -> Self {
        libm::erff(self)
    }
    fn erfc_(self) -> Self {
        libm::erfcf(self)
    }
    fn erf_inv_(self) -> Self {
        erf_inv_f32(self)
    }
    fn lgamma_(self) -> Self {
        libm::lgammaf(self)
    }
    fn digamma_(self) -> Self {
        digamma_f64(self as f64) as f32
    }
    fn polygamma_(self, m: u32) -> Self {
        polygamma_f64(m, self as f64) as f32
    }
    fn nextafter_(self, to: Self) -> Self {
        libm::nextafterf(self, to)
    }
}

impl Real for f64 {
    fn erf_(self) -> Self {
        libm::erf(self)
    }
    fn erfc_(self) -> Self {
        libm::erfc(self)
    }
    fn erf_inv_(self) -> Self {
        erf_inv_f64(self)
    }
    fn lgamma_(self) -> Self {
        libm::lgamma(self)
    }
    fn digamma_(self) -> Self {
        digamma_f64(self)
    }
    fn polygamma_(self, m: u32) -> Self {
        polygamma_f64(m, self)
    }
    fn nextafter_(self, to: Self) -> Self {
        libm::nextafter(self, to)
    }
}

/// Inverse error function in single precision: M. Giles' polynomial, the one
/// XLA uses for f32 (so random normals match JAX's to the last bits).
pub fn erf_inv_f32(x: f32) -> f32 {
    if x <= -1.0 {
        return if x == -1.0 { f32::NEG_INFINITY } else { f32::NAN };
    }
    if x >= 1.0 {
        return if x == 1.0 { f32::INFINITY } else { f32::NAN };
    }
    let mut w = -((1.0 - x) * (1.0 + x)).ln();
    let p;
    if w < 5.0 {
        w -= 2.5;
        let mut q = 2.810_226_4e-8_f32;
        for c in [3.432_739_4e-7, -3.523_387_7e-6, -4.391_506_5e-6, 0.000_218_580_87, -0.001_253_725_0, -0.004_177_681_6, 0.246_640_73, 1.501_409_4] {
            q = c + q * w;
        }
        p = q;
    } else {
        w = w.sqrt() - 3.0;
        let mut q = -0.000_200_214_26_f32;
        for c in [0.000_100_950_56, 0.001_349_343_2, -0.003_673_428_4, 0.005_739_507_7, -0.007_622_461_3, 0.009_438_870_5, 1.001_674_1, 2.832_976_8] {
            q = c + q * w;
        }
        p = q;
    }
    p * x
}

/// Inverse error function in double precision: the single-precision estimate
/// refined by Newton steps on erf (converges to full f64 accuracy).
pub fn erf_inv_f64(x: f64) -> f64 {
    if x <= -1.0 {
        return if x == -1.0 { f64::NEG_INFINITY } else { f64::NAN };
    }
    if x >= 1.0 {
        return if x == 1.0 { f64::INFINITY } else { f64::NAN };
    }
    if x.is_nan() {
        return x;
    }
    let mut y = erf_inv_f32(x as f32) as f64;
    let two_over_sqrt_pi = std::f64::consts::FRAC_2_SQRT_PI;
    for _ in 0..3 {
        let err = libm::erf(y) - x;
        y -= err / (two_over_sqrt_pi * (-y * y).exp());
    }
    y
}

/// Digamma: reflection for negative arguments, recurrence up to 10, then
/// the asymptotic series (error below 1e-15 there).
pub fn digamma_f64(mut x: f64) -> f64 {
    if x.is_nan() || x == f64::NEG_INFINITY {
        return f64::NAN;
    }
    let mut result = 0.0;
    if x <= 0.0 {
        if x == x.floor() {
            return f64::NAN;
        }
        // psi(1 - x) - psi(x) = pi cot(pi x)
        result -= std::f64::consts::PI / (std::f64::consts::PI * x).tan();
        x = 1.0 - x;
    }
    while x < 10.0 {
        result -= 1.0 / x;
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    result + x.ln() - 0.5 * inv
        - inv2 * (1.0 / 12.0 - inv2 * (1.0 / 120.0 - inv2 * (1.0 / 252.0 - inv2 * (1.0 / 240.0 - inv2 * (1.0 / 132.0)))))
}

/// Polygamma of order m >= 1: recurrence up to x >= 15, then the asymptotic
/// series psi^(m)(x) ~ (-1)^(m+1) [ (m-1)!/x^m + m!/(2 x^(m+1))
/// + sum_k B_2k (2k+m-1)!/((2k)! x^(2k+m)) ]. Defined for x > 0 (NaN otherwise).
pub fn polygamma_f64(m: u32, mut x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 && x == x.floor() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return f64::NAN; // the reflection formula for m >= 1 is not implemented
    }
    let fact = |n: u32| (1..=n).map(|k| k as f64).product::<f64>();
    let sign = if m % 2 == 1 { 1.0 } else { -1.0 };
    let mut acc = 0.0;
    while x < 15.0 {
        acc += fact(m) / x.powi(m as i32 + 1);
        x += 1.0;
    }
    const B2K: [f64; 6] = [1.0 / 6.0, -1.0 / 30.0, 1.0 / 42.0, -1.0 / 30.0, 5.0 / 66.0, -691.0 / 2730.0];
    let mut series = fact(m - 1) / x.powi(m as i32) + fact(m) / (2.0 * x.powi(m as i32 + 1));
    for (k, b) in B2K.iter().enumerate() {
        let k2 = 2 * (k as u32 + 1);
        series += b * fact(k2 + m - 1) / (fact(k2) * x.powi((k2 + m) as i32));
    }
    sign * (acc + series)
}

fn round_half_even<T: Real>(x: T) -> T {
    let r = x.round();
    let two = T::one() + T::one();
    if (x - x.trunc()).abs() == T::one() / two {
        two * (x / two).round()
    } else {
        r
    }
}

fn unary_real<T: Real>(op: UnaryOp, x: T) -> T {
    use UnaryOp::*;
    let one = T::one();
    match op {
        Neg => -x,
        Sign => {
            if x > T::zero() {
                one
            } else if x < T::zero() {
                -one
            } else {
                x // keeps NaN and signed zeros
            }
        }
        Floor => x.floor(),
        Ceil => x.ceil(),
        Round => x.round(),
        RoundEven => round_half_even(x),
        Exp => x.exp(),
        Exp2 => x.exp2(),
        Log => x.ln(),
        Log1p => x.ln_1p(),
        Expm1 => x.exp_m1(),
        Tanh => x.tanh(),
        Logistic => one / (one + (-x).exp()),
        Sin => x.sin(),
        Cos => x.cos(),
        Tan => x.tan(),
        Asin => x.asin(),
        Acos => x.acos(),
        Atan => x.atan(),
        Sinh => x.sinh(),
        Cosh => x.cosh(),
        Asinh => x.asinh(),
        Acosh => x.acosh(),
        Atanh => x.atanh(),
        Sqrt => x.sqrt(),
        Rsqrt => one / x.sqrt(),
        Cbrt => x.cbrt(),
        Abs => x.abs(),
        Erf => x.erf_(),
        Erfc => x.erfc_(),
        ErfInv => x.erf_inv_(),
        Lgamma => x.lgamma_(),
        Digamma => x.digamma_(),
        Polygamma(m) => x.polygamma_(m),
        Square => x * x,
        IsFinite | Not => unreachable!("handled before the float kernel"),
    }
}

/// Applies a float function to every float dtype; f16 and bf16 compute in f32.
macro_rules! float_map {
    ($h:expr, $x:ident => $e32:expr, $e64:expr) => {
        match $h {
            HostData::F32(a) => HostData::F32(a.mapv(|$x: f32| $e32)),
            HostData::F64(a) => HostData::F64(a.mapv(|$x: f64| $e64)),
            HostData::F16(a) => HostData::F16(a.mapv(|v| { let $x = v.to_f32(); f16::from_f32($e32) })),
            HostData::BF16(a) => HostData::BF16(a.mapv(|v| { let $x = v.to_f32(); bf16::from_f32($e32) })),
            other => crate::bail!(Type, "float kernel got dtype {}", other.dtype()),
        }
    };
}

// ------------------------------------------------------------ integer math

/// What the integer kernels need of every integer type; wrapping and XLA's
/// edge cases (division by zero gives all ones, oversized shifts give 0 or
/// the sign) in one place.
pub trait IntElem: Elem + Ord {
    fn wadd(self, o: Self) -> Self;
    fn wsub(self, o: Self) -> Self;
    fn wmul(self, o: Self) -> Self;
    fn wneg(self) -> Self;
    fn wabs(self) -> Self;
    fn sgn(self) -> Self;
    fn xdiv(self, o: Self) -> Self;
    fn xrem(self, o: Self) -> Self;
    fn ipow(self, e: Self) -> Self;
    fn and(self, o: Self) -> Self;
    fn or(self, o: Self) -> Self;
    fn xor(self, o: Self) -> Self;
    fn not(self) -> Self;
    fn shl(self, o: Self) -> Self;
    fn shr_logical(self, o: Self) -> Self;
    fn shr_arith(self, o: Self) -> Self;
}

macro_rules! impl_int {
    ($t:ty, $u:ty) => {
        impl IntElem for $t {
            #[inline] fn wadd(self, o: Self) -> Self { self.wrapping_add(o) }
            #[inline] fn wsub(self, o: Self) -> Self { self.wrapping_sub(o) }
            #[inline] fn wmul(self, o: Self) -> Self { self.wrapping_mul(o) }
            #[inline] fn wneg(self) -> Self { (0 as $t).wrapping_sub(self) }
            #[inline] fn wabs(self) -> Self { if (self as i128) < 0 { self.wneg() } else { self } }
            #[inline] fn sgn(self) -> Self { if (self as i128) > 0 { 1 } else if (self as i128) < 0 { (1 as $t).wneg() } else { 0 } }
            #[inline] fn xdiv(self, o: Self) -> Self { if o == 0 { !0 } else { self.wrapping_div(o) } }
            #[inline] fn xrem(self, o: Self) -> Self { if o == 0 { self } else { self.wrapping_rem(o) } }
            fn ipow(self, e: Self) -> Self {
                if (e as i128) < 0 {
                    return match self as i128 { 1 => 1, -1 => if (e as i128) % 2 == 0 { 1 } else { self }, _ => 0 };
                }
                let (mut base, mut e, mut acc) = (self, e as u128, 1 as $t);
                while e > 0 {
                    if e & 1 == 1 { acc = acc.wrapping_mul(base); }
                    base = base.wrapping_mul(base);
                    e >>= 1;
                }
                acc
            }
            #[inline] fn and(self, o: Self) -> Self { self & o }
            #[inline] fn or(self, o: Self) -> Self { self | o }
            #[inline] fn xor(self, o: Self) -> Self { self ^ o }
            #[inline] fn not(self) -> Self { !self }
            #[inline] fn shl(self, o: Self) -> Self { let n = o as $u; if n >= <$t>::BITS as $u { 0 } else { self << n } }
            #[inline] fn shr_logical(self, o: Self) -> Self { let n = o as $u; if n >= <$t>::BITS as $u { 0 } else { ((self as $u) >> n) as $t } }
            #[inline] fn shr_arith(self, o: Self) -> Self {
                let n = o as $u;
                let n = if n >= <$t>::BITS as $u { <$t>::BITS - 1 } else { n as u32 };
                // arithmetic shift: shift the signed view
                (((self as $u) as i128) << (128 - <$t>::BITS) >> (128 - <$t>::BITS) >> n) as $t
            }
        }
    };
}
impl_int!(i8, u8);
impl_int!(i16, u16);
impl_int!(i32, u32);
impl_int!(i64, u64);
impl_int!(u8, u8);
impl_int!(u16, u16);
impl_int!(u32, u32);
impl_int!(u64, u64);

/// Applies a generic integer function to every integer dtype.
macro_rules! int_map {
    ($h:expr, $f:ident) => {
        match $h {
            HostData::I8(a) => HostData::I8(a.mapv($f::<i8>)),
            HostData::I16(a) => HostData::I16(a.mapv($f::<i16>)),
            HostData::I32(a) => HostData::I32(a.mapv($f::<i32>)),
            HostData::I64(a) => HostData::I64(a.mapv($f::<i64>)),
            HostData::U8(a) => HostData::U8(a.mapv($f::<u8>)),
            HostData::U16(a) => HostData::U16(a.mapv($f::<u16>)),
            HostData::U32(a) => HostData::U32(a.mapv($f::<u32>)),
            HostData::U64(a) => HostData::U64(a.mapv($f::<u64>)),
            other => crate::bail!(Type, "integer kernel got dtype {}", other.dtype()),
        }
    };
}

pub fn unary_eval(op: UnaryOp, x: &HostData) -> Result<HostData> {
    use UnaryOp::*;
    let d = x.dtype();
    if op == IsFinite {
        return Ok(HostData::Bool(crate::with_host!(x, a, T => a.mapv(|v| v.to_f64().is_finite()))));
    }
    if d.is_float() {
        return Ok(float_map!(x, v => unary_real(op, v), unary_real(op, v)));
    }
    if let HostData::Bool(a) = x {
        return match op {
            Not => Ok(HostData::Bool(a.mapv(|v| !v))),
            _ => crate::bail!(Type, "{} does not accept dtype bool", op.name()),
        };
    }
    Ok(match op {
        Neg => { fn f<T: IntElem>(v: T) -> T { v.wneg() } int_map!(x, f) }
        Abs => { fn f<T: IntElem>(v: T) -> T { v.wabs() } int_map!(x, f) }
        Sign => { fn f<T: IntElem>(v: T) -> T { v.sgn() } int_map!(x, f) }
        Not => { fn f<T: IntElem>(v: T) -> T { v.not() } int_map!(x, f) }
        Square => { fn f<T: IntElem>(v: T) -> T { v.wmul(v) } int_map!(x, f) }
        _ => crate::bail!(Type, "{} does not accept dtype {d}", op.name()),
    })
}

pub fn integer_pow_eval(y: i32, x: &HostData) -> Result<HostData> {
    fn powi<T: Real>(v: T, y: i32) -> T {
        // repeated squaring in the array's own precision, as XLA expands it
        let (mut base, mut e, mut acc) = (v, y.unsigned_abs(), T::one());
        while e > 0 {
            if e & 1 == 1 {
                acc = acc * base;
            }
            base = base * base;
            e >>= 1;
        }
        if y < 0 {
            T::one() / acc
        } else {
            acc
        }
    }
    if x.dtype().is_float() {
        return Ok(float_map!(x, v => powi(v, y), powi(v, y)));
    }
    macro_rules! ints {
        ($($var:ident $t:ty),*) => {
            match x {
                $(HostData::$var(a) => HostData::$var(a.mapv(|v| v.ipow(y as $t))),)*
                other => crate::bail!(Type, "integer_pow does not accept dtype {}", other.dtype()),
            }
        };
    }
    Ok(ints!(I8 i8, I16 i16, I32 i32, I64 i64, U8 u8, U16 u16, U32 u32, U64 u64))
}

// ------------------------------------------------------------------ binary

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Pow,
    Max,
    Min,
    Atan2,
    And,
    Or,
    Xor,
    ShiftLeft,
    ShiftRightLogical,
    ShiftRightArithmetic,
    Nextafter,
}

impl BinaryOp {
    pub const ALL: [BinaryOp; 16] = {
        use BinaryOp::*;
        [Add, Sub, Mul, Div, Rem, Pow, Max, Min, Atan2, And, Or, Xor, ShiftLeft, ShiftRightLogical, ShiftRightArithmetic, Nextafter]
    };
    pub fn name(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Add => "add",
            Sub => "sub",
            Mul => "mul",
            Div => "div",
            Rem => "rem",
            Pow => "pow",
            Max => "max",
            Min => "min",
            Atan2 => "atan2",
            And => "and",
            Or => "or",
            Xor => "xor",
            ShiftLeft => "shift_left",
            ShiftRightLogical => "shift_right_logical",
            ShiftRightArithmetic => "shift_right_arithmetic",
            Nextafter => "nextafter",
        }
    }
    fn accepts(self, d: DType) -> Result<()> {
        use BinaryOp::*;
        let (ok, what) = match self {
            Add | Sub | Mul | Div | Pow => (d.is_number() || d.is_complex(), "integer, floating, complexfloating"),
            Rem => (d.is_number(), "integer, floating"),
            Atan2 | Nextafter => (d.is_float(), "floating"),
            Max | Min => (true, "bool, integer, floating"),
            And | Or | Xor => (d.is_int() || d.is_bool(), "bool, integer"),
            ShiftLeft | ShiftRightLogical | ShiftRightArithmetic => (d.is_int(), "integer"),
        };
        if !ok {
            crate::bail!(Type, "{} does not accept dtype {d}. Accepted dtypes are subtypes of {what}.", self.name());
        }
        Ok(())
    }
}

/// The result shape of an n-ary elementwise op: every operand has the same
/// shape, except rank-0 operands, which broadcast (as in `jax.lax`, whose
/// jaxprs show `mul a 2.0:f32[]`). Errors with JAX's message.
pub fn same_shapes(op: &str, ins: &[Aval]) -> Result<Vec<usize>> {
    let shaped: Vec<&Aval> = ins.iter().filter(|a| !a.shape.is_empty()).collect();
    if shaped.iter().any(|a| a.shape != shaped[0].shape) {
        let s: Vec<String> = ins.iter().map(|a| a.shape_str()).collect();
        crate::bail!(Type, "{op} got incompatible shapes for broadcasting: {}.", s.join(", "));
    }
    Ok(shaped.first().map(|a| a.shape.clone()).unwrap_or_default())
}

/// Broadcasts a rank-0 operand to the other's shape (kernels zip equal shapes).
pub fn match_scalar<'a>(x: &'a HostData, y: &'a HostData) -> (std::borrow::Cow<'a, HostData>, std::borrow::Cow<'a, HostData>) {
    use std::borrow::Cow;
    let grow = |a: &HostData, shape: &[usize]| Cow::Owned(super::structural::broadcast_in_dim_eval(shape, &[], a).expect("scalar broadcast"));
    match (x.shape().is_empty(), y.shape().is_empty()) {
        (true, false) => (grow(x, y.shape()), Cow::Borrowed(y)),
        (false, true) => (Cow::Borrowed(x), grow(y, x.shape())),
        _ => (Cow::Borrowed(x), Cow::Borrowed(y)),
    }
}

pub fn same_dtypes(op: &str, ins: &[Aval]) -> Result<()> {
    if ins.iter().any(|a| a.dtype != ins[0].dtype) {
        let s: Vec<&str> = ins.iter().map(|a| a.dtype.name()).collect();
        crate::bail!(
            Type,
            "lax.{op} requires arguments to have the same dtypes, got {}. (Tip: jnp.{op} is a similar function that does automatic type promotion on inputs).",
            s.join(", ")
        );
    }
    Ok(())
}

pub fn binary_shape(op: BinaryOp, ins: &[Aval]) -> Result<Aval> {
    arity(op.name(), ins, 2)?;
    op.accepts(ins[0].dtype)?;
    if op == BinaryOp::Pow && ins[1].dtype.is_int() {
        // pow(float, int) is allowed, as in lax
    } else {
        same_dtypes(op.name(), ins)?;
    }
    let shape = same_shapes(op.name(), ins)?;
    Ok(Aval { shape, dtype: ins[0].dtype, weak_type: ins[0].weak_type && ins[1].weak_type, sharding: None })
}

fn zip_map<T: Elem, U: Elem>(a: &ArrayD<T>, b: &ArrayD<T>, f: impl Fn(T, T) -> U) -> ArrayD<U> {
    Zip::from(a).and(b).map_collect(|x, y| f(*x, *y))
}

fn binary_real<T: Real>(op: BinaryOp, x: T, y: T) -> T {
    use BinaryOp::*;
    match op {
        Add => x + y,
        Sub => x - y,
        Mul => x * y,
        Div => x / y,
        Rem => x % y,
        Pow => x.powf(y),
        Max => {
            if x.is_nan() || y.is_nan() {
                T::nan()
            } else if x > y {
                x
            } else {
                y
            }
        }
        Min => {
            if x.is_nan() || y.is_nan() {
                T::nan()
            } else if x < y {
                x
            } else {
                y
            }
        }
        Atan2 => x.atan2(y),
        Nextafter => x.nextafter_(y),
        _ => unreachable!("checked by the shape rule"),
    }
}

fn binary_int<T: IntElem>(op: BinaryOp, x: T, y: T) -> T {
    use BinaryOp::*;
    match op {
        Add => x.wadd(y),
        Sub => x.wsub(y),
        Mul => x.wmul(y),
        Div => x.xdiv(y),
        Rem => x.xrem(y),
        Max => x.max(y),
        Min => x.min(y),
        And => x.and(y),
        Or => x.or(y),
        Xor => x.xor(y),
        ShiftLeft => x.shl(y),
        ShiftRightLogical => x.shr_logical(y),
        ShiftRightArithmetic => x.shr_arith(y),
        Pow => x.ipow(y),
        Atan2 | Nextafter => unreachable!("checked by the shape rule"),
    }
}

pub fn binary_eval(op: BinaryOp, x: &HostData, y: &HostData) -> Result<HostData> {
    use HostData as H;
    if op == BinaryOp::Pow && x.dtype() != y.dtype() {
        // float base, integer exponent: compute in the base's dtype
        return binary_eval(op, x, &y.cast(x.dtype()));
    }
    if op == BinaryOp::Div && y.shape().is_empty() && !x.shape().is_empty() && matches!(x.dtype(), DType::F32 | DType::F64) {
        // XLA's CPU code divides by a broadcast value as a multiplication by
        // its reciprocal; doing the same keeps eager results equal to JAX's
        let one = HostData::full(y.dtype(), &[], 1.0);
        return binary_eval(BinaryOp::Mul, x, &binary_eval(BinaryOp::Div, &one, y)?);
    }
    let (x, y) = match_scalar(x, y);
    Ok(match (&*x, &*y) {
        (H::F32(a), H::F32(b)) => H::F32(zip_map(a, b, |p, q| binary_real(op, p, q))),
        (H::F64(a), H::F64(b)) => H::F64(zip_map(a, b, |p, q| binary_real(op, p, q))),
        (H::F16(a), H::F16(b)) => H::F16(zip_map(a, b, |p, q| f16::from_f32(binary_real(op, p.to_f32(), q.to_f32())))),
        (H::BF16(a), H::BF16(b)) => H::BF16(zip_map(a, b, |p, q| bf16::from_f32(binary_real(op, p.to_f32(), q.to_f32())))),
        (H::I8(a), H::I8(b)) => H::I8(zip_map(a, b, |p, q| binary_int(op, p, q))),
        (H::I16(a), H::I16(b)) => H::I16(zip_map(a, b, |p, q| binary_int(op, p, q))),
        (H::I32(a), H::I32(b)) => H::I32(zip_map(a, b, |p, q| binary_int(op, p, q))),
        (H::I64(a), H::I64(b)) => H::I64(zip_map(a, b, |p, q| binary_int(op, p, q))),
        (H::U8(a), H::U8(b)) => H::U8(zip_map(a, b, |p, q| binary_int(op, p, q))),
        (H::U16(a), H::U16(b)) => H::U16(zip_map(a, b, |p, q| binary_int(op, p, q))),
        (H::U32(a), H::U32(b)) => H::U32(zip_map(a, b, |p, q| binary_int(op, p, q))),
        (H::U64(a), H::U64(b)) => H::U64(zip_map(a, b, |p, q| binary_int(op, p, q))),
        (H::Bool(a), H::Bool(b)) => H::Bool(zip_map(a, b, |p, q| match op {
            BinaryOp::And | BinaryOp::Min => p & q,
            BinaryOp::Or | BinaryOp::Max => p | q,
            BinaryOp::Xor => p ^ q,
            _ => unreachable!("checked by the shape rule"),
        })),
        (x, y) => crate::bail!(Type, "{} kernel got dtypes {} and {}", op.name(), x.dtype(), y.dtype()),
    })
}

// ----------------------------------------------------------- select, clamp

pub fn select_n_shape(ins: &[Aval]) -> Result<Aval> {
    if ins.len() < 2 {
        crate::bail!(Type, "select_n requires at least one case, got {} operand(s)", ins.len());
    }
    let (which, cases) = (&ins[0], &ins[1..]);
    if which.dtype != DType::Bool && which.dtype != DType::I32 {
        crate::bail!(Type, "select_n `which` must be boolean or int32 type, got {}", which.dtype);
    }
    if which.dtype == DType::Bool && cases.len() > 2 {
        crate::bail!(Type, "select_n with boolean `which` cannot have more than two cases, got {}", cases.len());
    }
    if cases.iter().any(|c| c.shape != cases[0].shape || c.dtype != cases[0].dtype) {
        crate::bail!(Type, "select_n cases must have the same shapes and dtypes, got [{}].", super::avals_str(cases));
    }
    if !which.shape.is_empty() && which.shape != cases[0].shape {
        crate::bail!(
            Type,
            "select_n `which` must be scalar or have the same shape as cases, got `which` shape {} but case shape {}.",
            which.shape_str(),
            cases[0].shape_str()
        );
    }
    Ok(cases[0].clone().weak(cases.iter().all(|c| c.weak_type)))
}

pub fn select_n_eval(ins: &[&HostData]) -> Result<HostData> {
    let which: Vec<i32> = ins[0].to_vec::<i32>();
    let cases = &ins[1..];
    let n = cases[0].len();
    let pick = |i: usize| -> usize {
        let w = if which.len() == 1 { which[0] } else { which[i] };
        (w.max(0) as usize).min(cases.len() - 1)
    };
    Ok(crate::map_host!(cases[0], a0, T => {
        let views: Vec<Vec<T>> = cases.iter().map(|c| T::view(c).expect("same dtype").iter().copied().collect()).collect();
        let v: Vec<T> = (0..n).map(|i| views[pick(i)][i]).collect();
        ArrayD::from_shape_vec(a0.raw_dim(), v).unwrap()
    }))
}

pub fn clamp_shape(ins: &[Aval]) -> Result<Aval> {
    arity("clamp", ins, 3)?;
    let (lo, x, hi) = (&ins[0], &ins[1], &ins[2]);
    if lo.dtype != x.dtype || hi.dtype != x.dtype {
        crate::bail!(Type, "lax.clamp requires arguments to have the same dtypes, got {}, {}, {}.", lo.dtype, x.dtype, hi.dtype);
    }
    if x.dtype.is_bool() {
        crate::bail!(Type, "clamp does not accept dtype bool.");
    }
    for (name, b) in [("min", lo), ("max", hi)] {
        if !b.shape.is_empty() && b.shape != x.shape {
            crate::bail!(Type, "Clamp with non-scalar {name} must have the same shape as operand, got {name} shape {} and operand shape {}.", b.shape_str(), x.shape_str());
        }
    }
    Ok(x.clone())
}

pub fn clamp_eval(lo: &HostData, x: &HostData, hi: &HostData) -> Result<HostData> {
    Ok(crate::map_host!(x, a, T => {
        let l: Vec<T> = T::view(lo).unwrap().iter().copied().collect();
        let h: Vec<T> = T::view(hi).unwrap().iter().copied().collect();
        let v: Vec<T> = a.iter().enumerate().map(|(i, &v)| {
            let lv = if l.len() == 1 { l[0] } else { l[i] };
            let hv = if h.len() == 1 { h[0] } else { h[i] };
            // max(lo, min(x, hi)) with NaN propagating from x
            if v != v { v } else { let m = if v < hv { v } else { hv }; if m > lv { m } else { lv } }
        }).collect();
        ArrayD::from_shape_vec(a.raw_dim(), v).unwrap()
    }))
}

// ------------------------------------------------------------- conversions

pub fn convert_shape(to: DType, weak: bool, ins: &[Aval]) -> Result<Aval> {
    arity("convert_element_type", ins, 1)?;
    Ok(ins[0].with_dtype(to).weak(weak))
}

pub fn bitcast_shape(to: DType, ins: &[Aval]) -> Result<Aval> {
    arity("bitcast_convert_type", ins, 1)?;
    let x = &ins[0];
    let (wi, wo) = (x.dtype.size_in_bytes(), to.size_in_bytes());
    if x.dtype.is_bool() || to.is_bool() {
        crate::bail!(Type, "bitcast_convert_type does not accept bool (from {} to {})", x.dtype, to);
    }
    let mut shape = x.shape.clone();
    if wi > wo {
        shape.push(wi / wo);
    } else if wi < wo {
        if shape.last() != Some(&(wo / wi)) {
            crate::bail!(
                Type,
                "bitcast_convert_type: converting {} to {} requires the last dimension to be {}, got shape {}",
                x.dtype,
                to,
                wo / wi,
                x.shape_str()
            );
        }
        shape.pop();
    }
    Ok(Aval::new(&shape, to))
}

pub fn bitcast_eval(to: DType, x: &HostData, out: &Aval) -> Result<HostData> {
    HostData::from_bytes(to, &out.shape, &x.to_bytes())
}


// ------------------------------------------------------------- JVP rules

fn lit(like: &Array, v: f64) -> Array {
    Array::full_scalar(like.dtype(), v)
}

/// Broadcasts a tangent of a rank-0 operand to the output's shape.
fn fit(t: Array, shape: &[usize]) -> Result<Array> {
    if t.shape() == shape {
        Ok(t)
    } else {
        lax::broadcast_in_dim(&t, shape, &[])
    }
}

/// JAX's JVP rules, operation for operation (so derivatives round as JAX's).
pub fn unary_jvp(op: UnaryOp, x: &Array, t: &Tangent, y: &Array) -> Result<Tangent> {
    use lax::*;
    use UnaryOp::*;
    let Some(t) = t else { return Ok(None) };
    let c = |v: f64| lit(x, v);
    let sq = |a: &Array| mul(a, a);
    let r = match op {
        Neg => neg(t)?,
        Sign | Floor | Ceil | Round | RoundEven | IsFinite | Not => return Ok(None),
        Exp => mul(t, y)?,
        Exp2 => mul(&c(std::f64::consts::LN_2), &mul(t, y)?)?,
        Log => div(t, x)?,
        Log1p => div(t, &add(x, &c(1.0))?)?,
        Expm1 => mul(t, &add(y, &c(1.0))?)?,
        Tanh => mul(&add(t, &mul(t, y)?)?, &sub(&c(1.0), y)?)?,
        Logistic => mul(t, &mul(y, &sub(&c(1.0), y)?)?)?,
        Sin => mul(t, &cos(x)?)?,
        Cos => neg(&mul(t, &sin(x)?)?)?,
        Tan => mul(t, &add(&c(1.0), &sq(y)?)?)?,
        Asin => mul(t, &rsqrt(&sub(&c(1.0), &sq(x)?)?)?)?,
        Acos => neg(&mul(t, &rsqrt(&sub(&c(1.0), &sq(x)?)?)?)?)?,
        Atan => div(t, &add(&c(1.0), &sq(x)?)?)?,
        Sinh => mul(t, &cosh(x)?)?,
        Cosh => mul(t, &sinh(x)?)?,
        Asinh => mul(t, &rsqrt(&add(&sq(x)?, &c(1.0))?)?)?,
        Acosh => mul(t, &rsqrt(&sub(&sq(x)?, &c(1.0))?)?)?,
        Atanh => mul(&div(&c(1.0), &add(&c(1.0), x)?)?, &div(t, &sub(&c(1.0), x)?)?)?,
        Sqrt => mul(t, &div(&c(0.5), y)?)?,
        Rsqrt => mul(t, &mul(&c(-0.5), &div(y, x)?)?)?,
        Cbrt => mul(t, &mul(&c(1.0 / 3.0), &integer_pow(y, -2)?)?)?,
        // JAX's rule: the slope is +1 at 0 (select(x >= 0, t, -t)), not sign(0) = 0
        Abs if x.dtype().is_complex() => {
            // d|x| = re(conj(x) dx) / |x| (and 0 at x = 0, as JAX)
            let zero = Array::full_scalar(y.dtype(), 0.0);
            let safe = select(&eq(y, &fit(zero, y.shape())?)?, &fit(Array::full_scalar(y.dtype(), 1.0), y.shape())?, y)?;
            div(&real(&mul(&conj(x)?, t)?)?, &safe)?
        }
        Abs => {
            let nonneg = convert_element_type(&ge(x, &c(0.0))?, x.dtype())?;
            mul(t, &sub(&mul(&nonneg, &c(2.0))?, &c(1.0))?)?
        }
        Erf => mul(&c(std::f64::consts::FRAC_2_SQRT_PI), &mul(t, &exp(&neg(&sq(x)?)?)?)?)?,
        Erfc => mul(&c(-std::f64::consts::FRAC_2_SQRT_PI), &mul(t, &exp(&neg(&sq(x)?)?)?)?)?,
        ErfInv => mul(&c(std::f64::consts::PI.sqrt() / 2.0), &mul(t, &exp(&sq(y)?)?)?)?,
        Lgamma => mul(t, &digamma(x)?)?,
        Digamma => mul(t, &crate::trace::bind1(Prim::Unary(Polygamma(1)), &[x])?)?,
        Polygamma(m) => mul(t, &crate::trace::bind1(Prim::Unary(Polygamma(m + 1)), &[x])?)?,
        Square => mul(t, &mul(&c(2.0), x)?)?,
    };
    Ok(Some(r))
}

pub fn integer_pow_jvp(y: i32, x: &Array, t: &Tangent) -> Result<Tangent> {
    let Some(t) = t else { return Ok(None) };
    if y == 0 {
        return Ok(None);
    }
    let d = match y {
        1 => lit(x, 1.0),
        2 => lax::mul(&lit(x, 2.0), x)?,
        _ => lax::mul(&lit(x, y as f64), &lax::integer_pow(x, y - 1)?)?,
    };
    Ok(Some(lax::mul(t, &d)?))
}

/// 1 where x is the max/min (0.5 at ties), 0 elsewhere: JAX's `_balanced_eq`.
fn balanced_eq(x: &Array, z: &Array, y: &Array) -> Result<Array> {
    let one = lit(z, 1.0);
    let half = lit(z, 0.5);
    let zero = lit(z, 0.0);
    let shape = z.shape();
    let b = |v: &Array| lax::broadcast_in_dim(v, shape, &[]);
    let tie = lax::select(&lax::eq(y, z)?, &b(&half)?, &b(&one)?)?;
    lax::select(&lax::eq(x, z)?, &tie, &b(&zero)?)
}

pub fn binary_jvp(op: BinaryOp, p: &[Array], t: &[Tangent], out: &Array) -> Result<Tangent> {
    use lax::*;
    use BinaryOp::*;
    let (a, b) = (&p[0], &p[1]);
    if !out.dtype().is_inexact() {
        return Ok(None);
    }
    let shape = out.shape().to_vec();
    let term = |t: &Tangent, f: &dyn Fn(&Array) -> Result<Array>| -> Result<Tangent> {
        match t {
            None => Ok(None),
            Some(t) => Ok(Some(fit(f(t)?, &shape)?)),
        }
    };
    let (ta, tb) = (&t[0], &t[1]);
    let (da, db): (Tangent, Tangent) = match op {
        Add => (term(ta, &|t| Ok(t.clone()))?, term(tb, &|t| Ok(t.clone()))?),
        Sub => (term(ta, &|t| Ok(t.clone()))?, term(tb, &|t| neg(t))?),
        Mul => (term(ta, &|t| mul(t, b))?, term(tb, &|t| mul(a, t))?),
        Div => (term(ta, &|t| div(t, b))?, term(tb, &|t| mul(&mul(&neg(t)?, a)?, &integer_pow(b, -2)?))?),
        Rem => {
            let q = div(a, b)?;
            let trunc = mul(&sign(&q)?, &floor(&abs(&q)?)?)?;
            (term(ta, &|t| Ok(t.clone()))?, term(tb, &|t| neg(&mul(t, &trunc)?))?)
        }
        Pow => {
            let da = term(ta, &|t| {
                let bf = convert_element_type(b, a.dtype())?;
                let jac = mul(&bf, &pow(a, &sub(&bf, &lit(a, 1.0))?)?)?;
                let jac = fit(jac, &shape)?;
                if !b.dtype().is_int() {
                    // JAX's rule for float exponents: y * x^(y-1) as it is (NaN at x = y = 0)
                    return mul(t, &jac);
                }
                // integer exponents: 0 where y == 0 (even at x == 0)
                let z = eq(&bf, &lit(&bf, 0.0))?;
                let z = if z.shape() == &shape[..] { z } else { broadcast_in_dim(&z, &shape, &[])? };
                mul(t, &select(&z, &crate::numpy::zeros_like(&jac)?, &jac)?)
            })?;
            let db = if b.dtype().is_inexact() {
                term(tb, &|t| {
                    let is0 = eq(a, &lit(a, 0.0))?;
                    let one = crate::numpy::ones_like(a)?;
                    let safe = select(&is0, &one, a)?;
                    mul(t, &mul(&log(&safe)?, out)?)
                })?
            } else {
                None
            };
            (da, db)
        }
        Max | Min => (term(ta, &|t| mul(t, &balanced_eq(a, out, b)?))?, term(tb, &|t| mul(t, &balanced_eq(b, out, a)?))?),
        Atan2 => {
            let den = add(&mul(a, a)?, &mul(b, b)?)?;
            (term(ta, &|t| mul(t, &div(b, &den)?))?, term(tb, &|t| neg(&mul(t, &div(a, &den)?)?))?)
        }
        // nextafter moves x by one ulp: its derivative is 1 in x, 0 in y
        Nextafter => (term(ta, &|t| Ok(t.clone()))?, None),
        And | Or | Xor | ShiftLeft | ShiftRightLogical | ShiftRightArithmetic => return Ok(None),
    };
    super::add_tangents(da, db)
}

pub fn select_n_jvp(p: &[Array], t: &[Tangent]) -> Result<Tangent> {
    if t[1..].iter().all(|t| t.is_none()) {
        return Ok(None);
    }
    let cases: Vec<Array> = p[1..].iter().zip(&t[1..]).map(|(x, t)| super::instantiate(t, x.aval())).collect::<Result<_>>()?;
    let refs: Vec<&Array> = cases.iter().collect();
    Ok(Some(lax::select_n(&p[0], &refs)?))
}

pub fn clamp_jvp(p: &[Array], t: &[Tangent]) -> Result<Tangent> {
    let (lo, x, hi) = (&p[0], &p[1], &p[2]);
    let shape = x.shape().to_vec();
    let zeros = crate::numpy::zeros_like(x)?;
    let pick = |mask: Array, g: &Tangent| -> Result<Tangent> {
        match g {
            None => Ok(None),
            Some(g) => Ok(Some(lax::select(&mask, &fit(g.clone(), &shape)?, &zeros)?)),
        }
    };
    let t_lo = pick(lax::and(&lax::gt(lo, x)?, &fit(lax::lt(lo, hi)?, &shape)?)?, &t[0])?;
    let t_x = pick(lax::and(&lax::gt(x, lo)?, &lax::lt(x, hi)?)?, &t[1])?;
    let t_hi = pick(lax::lt(hi, x)?, &t[2])?;
    super::add_tangents(super::add_tangents(t_lo, t_x)?, t_hi)
}

pub fn convert_jvp(to: DType, weak: bool, x: &Array, t: &Tangent) -> Result<Tangent> {
    match t {
        Some(t) if to.is_inexact() && x.dtype().is_inexact() => Ok(Some(lax::convert_weak(t, to, weak)?)),
        _ => Ok(None),
    }
}

// ------------------------------------------------------- transpose rules

/// Sums a cotangent down to a rank-0 operand's shape (the operand broadcast).
fn unbroadcast(ct: &Array, aval: &Aval) -> Result<Array> {
    let r = if aval.shape.is_empty() && ct.ndim() > 0 { lax::reduce_sum(ct, &(0..ct.ndim()).collect::<Vec<_>>())? } else { ct.clone() };
    lax::convert_element_type(&r, aval.dtype)
}

pub fn binary_transpose(op: BinaryOp, ct: &Array, args: &[LinArg]) -> Result<Vec<Tangent>> {
    use BinaryOp::*;
    let lin = |i: usize, v: Array| -> Result<Tangent> { Ok(if args[i].is_lin() { Some(unbroadcast(&v, &args[i].aval())?) } else { None }) };
    match op {
        Add => Ok(vec![lin(0, ct.clone())?, lin(1, ct.clone())?]),
        Sub => Ok(vec![lin(0, ct.clone())?, if args[1].is_lin() { lin(1, lax::neg(ct)?)? } else { None }]),
        Mul => {
            if args[0].is_lin() {
                Ok(vec![lin(0, lax::mul(ct, args[1].value("mul")?)?)?, None])
            } else {
                Ok(vec![None, lin(1, lax::mul(args[0].value("mul")?, ct)?)?])
            }
        }
        Div => {
            if args[1].is_lin() {
                crate::bail!(Value, "div is not linear in its denominator: cannot transpose");
            }
            Ok(vec![lin(0, lax::div(ct, args[1].value("div")?)?)?, None])
        }
        _ => crate::bail!(Value, "{} is not a linear primitive: it has no transpose rule", op.name()),
    }
}

pub fn select_n_transpose(ct: &Array, args: &[LinArg]) -> Result<Vec<Tangent>> {
    let which = args[0].value("select_n")?;
    let zeros = crate::numpy::zeros_like(ct)?;
    let mut out = vec![None];
    for i in 1..args.len() {
        if !args[i].is_lin() {
            out.push(None);
            continue;
        }
        let cases: Vec<&Array> = (1..args.len()).map(|j| if j == i { ct } else { &zeros }).collect();
        out.push(Some(lax::select_n(which, &cases)?));
    }
    Ok(out)
}

// -------------------------------------------------------- batching rules

/// Batching for elementwise n-ary primitives: batched operands move their
/// batch dim to the front; unbatched ones broadcast (rank-0 operands stay
/// scalars where the primitive takes them).
pub fn elementwise_batch(p: &Prim, args: &[Array], dims: &[Option<usize>], size: usize) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
    use crate::transform::batching::move_to_front;
    let unbatched_shape = |i: usize| -> Vec<usize> {
        let mut s = args[i].shape().to_vec();
        if let Some(d) = dims[i] {
            s.remove(d);
        }
        s
    };
    let full = (0..args.len()).map(unbatched_shape).find(|s| !s.is_empty()).unwrap_or_default();
    let mut bshape = vec![size];
    bshape.extend_from_slice(&full);
    let scalar_ok = |i: usize| match p {
        Prim::Binary(_) | Prim::Compare(_) => true,
        Prim::SelectN => i == 0,
        Prim::Clamp => i != 1,
        _ => false,
    };
    let mut ins = Vec::with_capacity(args.len());
    for (i, x) in args.iter().enumerate() {
        let ub = unbatched_shape(i);
        let y = match dims[i] {
            Some(d) => {
                let y = move_to_front(x, Some(d))?;
                if ub.is_empty() && !full.is_empty() {
                    lax::broadcast_in_dim(&y, &bshape, &[0])?
                } else {
                    y
                }
            }
            None if ub.is_empty() && scalar_ok(i) => x.clone(),
            None => lax::broadcast_in_dim(x, &bshape, &(1..=ub.len()).collect::<Vec<_>>())?,
        };
        ins.push(y);
    }
    let refs: Vec<&Array> = ins.iter().collect();
    let outs = crate::trace::bind(p.clone(), &refs)?;
    let n = outs.len();
    Ok((outs, vec![Some(0); n]))
}
