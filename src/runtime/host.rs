//! Host arrays: one ndarray per element type. The interpreter's kernels and
//! every host<->engine copy work on this. `Elem` gives the few conversions
//! that all element types share, so kernels can be written once, generically.

use crate::dtype::DType;
use crate::error::Result;
use half::{bf16, f16};
use ndarray::{ArrayD, IxDyn};

#[derive(Clone, Debug)]
pub enum HostData {
    Bool(ArrayD<bool>),
    I8(ArrayD<i8>),
    I16(ArrayD<i16>),
    I32(ArrayD<i32>),
    I64(ArrayD<i64>),
    U8(ArrayD<u8>),
    U16(ArrayD<u16>),
    U32(ArrayD<u32>),
    U64(ArrayD<u64>),
    F16(ArrayD<f16>),
    BF16(ArrayD<bf16>),
    F32(ArrayD<f32>),
    F64(ArrayD<f64>),
    C64(ArrayD<Cf32>),
    C128(ArrayD<Cf64>),
}

/// A complex number stored as (re, im), numpy's layout. The interpreter
/// keeps and moves these; complex arithmetic runs through XLA
/// (`runtime::eager::complex_via_xla`). Ordered lexicographically, as numpy
/// sorts complex numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
#[repr(C)]
pub struct Complex<F> {
    pub re: F,
    pub im: F,
}
#[allow(non_camel_case_types)]
pub type Cf32 = Complex<f32>;
#[allow(non_camel_case_types)]
pub type Cf64 = Complex<f64>;

/// Runs `$e` with `$a` bound to the inner ndarray and `$T` to its element type.
#[macro_export]
macro_rules! with_host {
    ($d:expr, $a:ident, $T:ident => $e:expr) => {{
        use $crate::runtime::host::HostData as H;
        match $d {
            H::Bool($a) => { #[allow(dead_code)] type $T = bool; $e }
            H::I8($a) => { #[allow(dead_code)] type $T = i8; $e }
            H::I16($a) => { #[allow(dead_code)] type $T = i16; $e }
            H::I32($a) => { #[allow(dead_code)] type $T = i32; $e }
            H::I64($a) => { #[allow(dead_code)] type $T = i64; $e }
            H::U8($a) => { #[allow(dead_code)] type $T = u8; $e }
            H::U16($a) => { #[allow(dead_code)] type $T = u16; $e }
            H::U32($a) => { #[allow(dead_code)] type $T = u32; $e }
            H::U64($a) => { #[allow(dead_code)] type $T = u64; $e }
            H::F16($a) => { #[allow(dead_code)] type $T = half::f16; $e }
            H::BF16($a) => { #[allow(dead_code)] type $T = half::bf16; $e }
            H::F32($a) => { #[allow(dead_code)] type $T = f32; $e }
            H::F64($a) => { #[allow(dead_code)] type $T = f64; $e }
            H::C64($a) => { #[allow(dead_code)] type $T = $crate::runtime::host::Cf32; $e }
            H::C128($a) => { #[allow(dead_code)] type $T = $crate::runtime::host::Cf64; $e }
        }
    }};
}

/// Like `with_host!` but wraps the resulting ndarray back in the same variant.
#[macro_export]
macro_rules! map_host {
    ($d:expr, $a:ident, $T:ident => $e:expr) => {{
        use $crate::runtime::host::HostData as H;
        match $d {
            H::Bool($a) => { #[allow(dead_code)] type $T = bool; H::Bool($e) }
            H::I8($a) => { #[allow(dead_code)] type $T = i8; H::I8($e) }
            H::I16($a) => { #[allow(dead_code)] type $T = i16; H::I16($e) }
            H::I32($a) => { #[allow(dead_code)] type $T = i32; H::I32($e) }
            H::I64($a) => { #[allow(dead_code)] type $T = i64; H::I64($e) }
            H::U8($a) => { #[allow(dead_code)] type $T = u8; H::U8($e) }
            H::U16($a) => { #[allow(dead_code)] type $T = u16; H::U16($e) }
            H::U32($a) => { #[allow(dead_code)] type $T = u32; H::U32($e) }
            H::U64($a) => { #[allow(dead_code)] type $T = u64; H::U64($e) }
            H::F16($a) => { #[allow(dead_code)] type $T = half::f16; H::F16($e) }
            H::BF16($a) => { #[allow(dead_code)] type $T = half::bf16; H::BF16($e) }
            H::F32($a) => { #[allow(dead_code)] type $T = f32; H::F32($e) }
            H::F64($a) => { #[allow(dead_code)] type $T = f64; H::F64($e) }
            H::C64($a) => { #[allow(dead_code)] type $T = $crate::runtime::host::Cf32; H::C64($e) }
            H::C128($a) => { #[allow(dead_code)] type $T = $crate::runtime::host::Cf64; H::C128($e) }
        }
    }};
}

/// What every element type can do: convert (with C-like casting rules, as
/// XLA's convert does), and move in and out of `HostData`.
pub trait Elem: Copy + Default + PartialEq + PartialOrd + std::fmt::Debug + Send + Sync + 'static {
    const DTYPE: DType;
    fn to_f64(self) -> f64;
    fn to_i128(self) -> i128;
    fn from_f64(v: f64) -> Self;
    fn from_i128(v: i128) -> Self;
    fn wrap(a: ArrayD<Self>) -> HostData;
    fn view(h: &HostData) -> Option<&ArrayD<Self>>;
    fn view_mut(h: &mut HostData) -> Option<&mut ArrayD<Self>>;
    /// Little-endian bytes of the value (for bitcasts and host copies).
    fn write_le(self, out: &mut Vec<u8>);
    fn read_le(b: &[u8]) -> Self;
    /// The value as (re, im); real types have im = 0.
    #[inline]
    fn to_c(self) -> (f64, f64) {
        (self.to_f64(), 0.0)
    }
    /// From (re, im): real types keep the real part (numpy's and JAX's
    /// complex -> real conversion), bool is "either part nonzero".
    #[inline]
    fn from_c(re: f64, im: f64) -> Self {
        if Self::DTYPE.is_bool() {
            Self::from_f64(if re != 0.0 || im != 0.0 { 1.0 } else { 0.0 })
        } else {
            Self::from_f64(re)
        }
    }
    /// Converts with convert_element_type's semantics: float->int truncates
    /// (saturating, NaN -> 0), int->int wraps, anything->bool is `!= 0`,
    /// complex->real keeps the real part.
    #[inline]
    fn cast<U: Elem>(self) -> U {
        if Self::DTYPE.is_complex() || U::DTYPE.is_complex() {
            let (re, im) = self.to_c();
            U::from_c(re, im)
        } else if Self::DTYPE.is_float() {
            U::from_f64(self.to_f64())
        } else {
            U::from_i128(self.to_i128())
        }
    }
}

macro_rules! impl_complex_elem {
    ($f:ty, $var:ident, $dt:ident, $w:expr) => {
        impl Elem for Complex<$f> {
            const DTYPE: DType = DType::$dt;
            #[inline] fn to_f64(self) -> f64 { self.re as f64 }
            #[inline] fn to_i128(self) -> i128 { self.re as i128 }
            #[inline] fn from_f64(v: f64) -> Self { Complex { re: v as $f, im: 0.0 } }
            #[inline] fn from_i128(v: i128) -> Self { Complex { re: v as $f, im: 0.0 } }
            #[inline] fn to_c(self) -> (f64, f64) { (self.re as f64, self.im as f64) }
            #[inline] fn from_c(re: f64, im: f64) -> Self { Complex { re: re as $f, im: im as $f } }
            fn wrap(a: ArrayD<Self>) -> HostData { HostData::$var(a) }
            fn view(h: &HostData) -> Option<&ArrayD<Self>> { if let HostData::$var(a) = h { Some(a) } else { None } }
            fn view_mut(h: &mut HostData) -> Option<&mut ArrayD<Self>> { if let HostData::$var(a) = h { Some(a) } else { None } }
            fn write_le(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.re.to_le_bytes());
                out.extend_from_slice(&self.im.to_le_bytes());
            }
            fn read_le(b: &[u8]) -> Self {
                Complex { re: <$f>::from_le_bytes(b[..$w].try_into().unwrap()), im: <$f>::from_le_bytes(b[$w..].try_into().unwrap()) }
            }
        }
    };
}
impl_complex_elem!(f32, C64, C64, 4);
impl_complex_elem!(f64, C128, C128, 8);

macro_rules! impl_int_elem {
    ($t:ty, $var:ident, $dt:ident) => {
        impl Elem for $t {
            const DTYPE: DType = DType::$dt;
            #[inline] fn to_f64(self) -> f64 { self as f64 }
            #[inline] fn to_i128(self) -> i128 { self as i128 }
            #[inline] fn from_f64(v: f64) -> Self { v as $t }
            #[inline] fn from_i128(v: i128) -> Self { v as $t }
            fn wrap(a: ArrayD<Self>) -> HostData { HostData::$var(a) }
            fn view(h: &HostData) -> Option<&ArrayD<Self>> { if let HostData::$var(a) = h { Some(a) } else { None } }
            fn view_mut(h: &mut HostData) -> Option<&mut ArrayD<Self>> { if let HostData::$var(a) = h { Some(a) } else { None } }
            fn write_le(self, out: &mut Vec<u8>) { out.extend_from_slice(&self.to_le_bytes()) }
            fn read_le(b: &[u8]) -> Self { <$t>::from_le_bytes(b.try_into().unwrap()) }
        }
    };
}
impl_int_elem!(i8, I8, I8);
impl_int_elem!(i16, I16, I16);
impl_int_elem!(i32, I32, I32);
impl_int_elem!(i64, I64, I64);
impl_int_elem!(u8, U8, U8);
impl_int_elem!(u16, U16, U16);
impl_int_elem!(u32, U32, U32);
impl_int_elem!(u64, U64, U64);

impl Elem for bool {
    const DTYPE: DType = DType::Bool;
    #[inline] fn to_f64(self) -> f64 { self as u8 as f64 }
    #[inline] fn to_i128(self) -> i128 { self as i128 }
    #[inline] fn from_f64(v: f64) -> Self { v != 0.0 }
    #[inline] fn from_i128(v: i128) -> Self { v != 0 }
    fn wrap(a: ArrayD<Self>) -> HostData { HostData::Bool(a) }
    fn view(h: &HostData) -> Option<&ArrayD<Self>> { if let HostData::Bool(a) = h { Some(a) } else { None } }
    fn view_mut(h: &mut HostData) -> Option<&mut ArrayD<Self>> { if let HostData::Bool(a) = h { Some(a) } else { None } }
    fn write_le(self, out: &mut Vec<u8>) { out.push(self as u8) }
    fn read_le(b: &[u8]) -> Self { b[0] != 0 }
}

macro_rules! impl_float_elem {
    ($t:ty, $var:ident, $dt:ident, $from:expr, $to:expr) => {
        impl Elem for $t {
            const DTYPE: DType = DType::$dt;
            #[inline] fn to_f64(self) -> f64 { ($to)(self) }
            #[inline] fn to_i128(self) -> i128 { ($to)(self) as i128 }
            #[inline] fn from_f64(v: f64) -> Self { ($from)(v) }
            #[inline] fn from_i128(v: i128) -> Self { ($from)(v as f64) }
            fn wrap(a: ArrayD<Self>) -> HostData { HostData::$var(a) }
            fn view(h: &HostData) -> Option<&ArrayD<Self>> { if let HostData::$var(a) = h { Some(a) } else { None } }
            fn view_mut(h: &mut HostData) -> Option<&mut ArrayD<Self>> { if let HostData::$var(a) = h { Some(a) } else { None } }
            fn write_le(self, out: &mut Vec<u8>) { out.extend_from_slice(&self.to_le_bytes()) }
            fn read_le(b: &[u8]) -> Self { <$t>::from_le_bytes(b.try_into().unwrap()) }
        }
    };
}
impl_float_elem!(f16, F16, F16, f16::from_f64, |x: f16| x.to_f64());
impl_float_elem!(bf16, BF16, BF16, bf16::from_f64, |x: bf16| x.to_f64());
impl_float_elem!(f32, F32, F32, |v: f64| v as f32, |x: f32| x as f64);
impl Elem for f64 {
    const DTYPE: DType = DType::F64;
    #[inline] fn to_f64(self) -> f64 { self }
    #[inline] fn to_i128(self) -> i128 { self as i128 }
    #[inline] fn from_f64(v: f64) -> Self { v }
    #[inline] fn from_i128(v: i128) -> Self { v as f64 }
    fn wrap(a: ArrayD<Self>) -> HostData { HostData::F64(a) }
    fn view(h: &HostData) -> Option<&ArrayD<Self>> { if let HostData::F64(a) = h { Some(a) } else { None } }
    fn view_mut(h: &mut HostData) -> Option<&mut ArrayD<Self>> { if let HostData::F64(a) = h { Some(a) } else { None } }
    fn write_le(self, out: &mut Vec<u8>) { out.extend_from_slice(&self.to_le_bytes()) }
    fn read_le(b: &[u8]) -> Self { f64::from_le_bytes(b.try_into().unwrap()) }
}

/// Casting from i128 to f32 directly, not through f64, so that integers
/// round once (as XLA's convert does).
#[inline]
pub fn i128_to_f32(v: i128) -> f32 {
    v as f32
}

impl HostData {
    pub fn dtype(&self) -> DType {
        with_host!(self, _a, T => <T as Elem>::DTYPE)
    }
    pub fn shape(&self) -> &[usize] {
        with_host!(self, a, T => a.shape())
    }
    pub fn len(&self) -> usize {
        with_host!(self, a, T => a.len())
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn from_vec<T: Elem>(shape: &[usize], v: Vec<T>) -> Result<HostData> {
        let n: usize = shape.iter().product();
        if n != v.len() {
            crate::bail!(Value, "cannot make an array of shape {:?} from {} elements", shape, v.len());
        }
        Ok(T::wrap(ArrayD::from_shape_vec(IxDyn(shape), v).expect("checked size")))
    }

    /// A filled array; `value` is converted with the cast rules.
    pub fn full(dtype: DType, shape: &[usize], value: f64) -> HostData {
        fn mk<T: Elem>(shape: &[usize], v: f64) -> HostData {
            T::wrap(ArrayD::from_elem(IxDyn(shape), T::from_f64(v)))
        }
        dispatch_dtype(dtype, |d| match d {
            DType::Bool => mk::<bool>(shape, value),
            DType::I8 => mk::<i8>(shape, value),
            DType::I16 => mk::<i16>(shape, value),
            DType::I32 => mk::<i32>(shape, value),
            DType::I64 => mk::<i64>(shape, value),
            DType::U8 => mk::<u8>(shape, value),
            DType::U16 => mk::<u16>(shape, value),
            DType::U32 => mk::<u32>(shape, value),
            DType::U64 => mk::<u64>(shape, value),
            DType::F16 => mk::<f16>(shape, value),
            DType::BF16 => mk::<bf16>(shape, value),
            DType::F32 => mk::<f32>(shape, value),
            DType::F64 => mk::<f64>(shape, value),
            DType::C64 => mk::<Cf32>(shape, value),
            DType::C128 => mk::<Cf64>(shape, value),
        })
    }

    /// An array of `dtype` whose elements are `f(flat_index)` as i128 (for
    /// integer-valued construction such as iota).
    pub fn from_fn_i128(dtype: DType, shape: &[usize], f: impl Fn(usize) -> i128) -> HostData {
        let n: usize = shape.iter().product();
        macro_rules! mk {
            ($T:ty) => {
                <$T>::wrap(ArrayD::from_shape_vec(IxDyn(shape), (0..n).map(|i| <$T>::from_i128(f(i))).collect()).unwrap())
            };
        }
        match dtype {
            DType::Bool => mk!(bool),
            DType::I8 => mk!(i8),
            DType::I16 => mk!(i16),
            DType::I32 => mk!(i32),
            DType::I64 => mk!(i64),
            DType::U8 => mk!(u8),
            DType::U16 => mk!(u16),
            DType::U32 => mk!(u32),
            DType::U64 => mk!(u64),
            DType::F16 => mk!(f16),
            DType::BF16 => mk!(bf16),
            DType::F32 => mk!(f32),
            DType::F64 => mk!(f64),
            DType::C64 => mk!(Cf32),
            DType::C128 => mk!(Cf64),
        }
    }

    /// All elements in row-major order, converted to `T` with the cast rules.
    pub fn to_vec<T: Elem>(&self) -> Vec<T> {
        with_host!(self, a, S => a.iter().map(|x| x.cast::<T>()).collect())
    }
    pub fn to_f64_vec(&self) -> Vec<f64> {
        self.to_vec::<f64>()
    }
    /// The first element as f64 (for scalars).
    pub fn first_f64(&self) -> f64 {
        with_host!(self, a, S => a.iter().next().map(|x| x.to_f64()).unwrap_or(0.0))
    }
    pub fn first_i128(&self) -> i128 {
        with_host!(self, a, S => a.iter().next().map(|x| x.to_i128()).unwrap_or(0))
    }

    /// convert_element_type on the host.
    pub fn cast(&self, to: DType) -> HostData {
        if self.dtype() == to {
            return self.clone();
        }
        macro_rules! go {
            ($U:ty) => {
                with_host!(self, a, S => <$U>::wrap(a.mapv(|x| x.cast::<$U>())))
            };
        }
        match to {
            DType::Bool => go!(bool),
            DType::I8 => go!(i8),
            DType::I16 => go!(i16),
            DType::I32 => go!(i32),
            DType::I64 => go!(i64),
            DType::U8 => go!(u8),
            DType::U16 => go!(u16),
            DType::U32 => go!(u32),
            DType::U64 => go!(u64),
            DType::F16 => go!(f16),
            DType::BF16 => go!(bf16),
            DType::F32 => {
                // ints round straight to f32 (one rounding, as XLA does)
                if self.dtype().is_float() {
                    go!(f32)
                } else {
                    with_host!(self, a, S => HostData::F32(a.mapv(|x| i128_to_f32(x.to_i128()))))
                }
            }
            DType::F64 => go!(f64),
            DType::C64 => go!(Cf32),
            DType::C128 => go!(Cf64),
        }
    }

    /// Row-major little-endian bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len() * self.dtype().size_in_bytes());
        // contiguous arrays (nearly all) are read as a slice, in order
        with_host!(self, a, T => match a.as_slice() {
            Some(s) => s.iter().for_each(|x| x.write_le(&mut out)),
            None => a.iter().for_each(|x| x.write_le(&mut out)),
        });
        out
    }

    pub fn from_bytes(dtype: DType, shape: &[usize], bytes: &[u8]) -> Result<HostData> {
        let n: usize = shape.iter().product();
        let w = dtype.size_in_bytes();
        if bytes.len() != n * w {
            crate::bail!(Value, "expected {} bytes for {}{:?}, got {}", n * w, dtype, shape, bytes.len());
        }
        fn mk<T: Elem>(shape: &[usize], bytes: &[u8], w: usize) -> HostData {
            let v: Vec<T> = bytes.chunks_exact(w).map(T::read_le).collect();
            T::wrap(ArrayD::from_shape_vec(IxDyn(shape), v).unwrap())
        }
        Ok(match dtype {
            DType::Bool => mk::<bool>(shape, bytes, w),
            DType::I8 => mk::<i8>(shape, bytes, w),
            DType::I16 => mk::<i16>(shape, bytes, w),
            DType::I32 => mk::<i32>(shape, bytes, w),
            DType::I64 => mk::<i64>(shape, bytes, w),
            DType::U8 => mk::<u8>(shape, bytes, w),
            DType::U16 => mk::<u16>(shape, bytes, w),
            DType::U32 => mk::<u32>(shape, bytes, w),
            DType::U64 => mk::<u64>(shape, bytes, w),
            DType::F16 => mk::<f16>(shape, bytes, w),
            DType::BF16 => mk::<bf16>(shape, bytes, w),
            DType::F32 => mk::<f32>(shape, bytes, w),
            DType::F64 => mk::<f64>(shape, bytes, w),
            DType::C64 => mk::<Cf32>(shape, bytes, w),
            DType::C128 => mk::<Cf64>(shape, bytes, w),
        })
    }

    /// Reinterprets into a new shape with the same number of elements.
    pub fn reshaped(&self, shape: &[usize]) -> HostData {
        map_host!(self, a, T => {
            let v: Vec<T> = a.iter().copied().collect();
            ArrayD::from_shape_vec(IxDyn(shape), v).expect("reshape size checked by the shape rule")
        })
    }

    /// Contiguous row-major copy of the elements as a Vec.
    pub fn flat<T: Elem>(&self) -> Option<Vec<T>> {
        T::view(self).map(|a| a.iter().copied().collect())
    }
}

/// Identity helper that keeps `match dtype` blocks readable in callers.
#[inline]
pub fn dispatch_dtype<R>(d: DType, f: impl FnOnce(DType) -> R) -> R {
    f(d)
}

/// The arithmetic that reductions, cumulative ops, scatter combiners and
/// integer dot products need, for every element type (bool: or/and).
/// Integer ops wrap; float max/min propagate NaN (as XLA's do).
pub trait Arith: Elem {
    fn zero() -> Self;
    fn one() -> Self;
    /// The identity of max: -inf, the smallest integer, false.
    fn lowest() -> Self;
    /// The identity of min: +inf, the largest integer, true.
    fn highest() -> Self;
    fn add(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    fn max_(self, o: Self) -> Self;
    fn min_(self, o: Self) -> Self;
    fn bitand(self, o: Self) -> Self;
    fn bitor(self, o: Self) -> Self;
    fn is_nan_(self) -> bool;
}

macro_rules! impl_arith_int {
    ($($t:ty),*) => {$(
        impl Arith for $t {
            #[inline] fn zero() -> Self { 0 }
            #[inline] fn one() -> Self { 1 }
            #[inline] fn lowest() -> Self { <$t>::MIN }
            #[inline] fn highest() -> Self { <$t>::MAX }
            #[inline] fn add(self, o: Self) -> Self { self.wrapping_add(o) }
            #[inline] fn mul(self, o: Self) -> Self { self.wrapping_mul(o) }
            #[inline] fn max_(self, o: Self) -> Self { if o > self { o } else { self } }
            #[inline] fn min_(self, o: Self) -> Self { if o < self { o } else { self } }
            #[inline] fn bitand(self, o: Self) -> Self { self & o }
            #[inline] fn bitor(self, o: Self) -> Self { self | o }
            #[inline] fn is_nan_(self) -> bool { false }
        }
    )*};
}
impl_arith_int!(i8, i16, i32, i64, u8, u16, u32, u64);

impl Arith for bool {
    fn zero() -> Self { false }
    fn one() -> Self { true }
    fn lowest() -> Self { false }
    fn highest() -> Self { true }
    fn add(self, o: Self) -> Self { self | o }
    fn mul(self, o: Self) -> Self { self & o }
    fn max_(self, o: Self) -> Self { self | o }
    fn min_(self, o: Self) -> Self { self & o }
    fn bitand(self, o: Self) -> Self { self & o }
    fn bitor(self, o: Self) -> Self { self | o }
    fn is_nan_(self) -> bool { false }
}

macro_rules! impl_arith_float {
    ($($t:ty),*) => {$(
        impl Arith for $t {
            #[inline] fn zero() -> Self { <$t>::from_f64(0.0) }
            #[inline] fn one() -> Self { <$t>::from_f64(1.0) }
            #[inline] fn lowest() -> Self { <$t>::from_f64(f64::NEG_INFINITY) }
            #[inline] fn highest() -> Self { <$t>::from_f64(f64::INFINITY) }
            #[inline] fn add(self, o: Self) -> Self { self + o }
            #[inline] fn mul(self, o: Self) -> Self { self * o }
            #[inline] fn max_(self, o: Self) -> Self { if self.is_nan_() || o.is_nan_() { <$t>::from_f64(f64::NAN) } else if o > self { o } else { self } }
            #[inline] fn min_(self, o: Self) -> Self { if self.is_nan_() || o.is_nan_() { <$t>::from_f64(f64::NAN) } else if o < self { o } else { self } }
            fn bitand(self, _o: Self) -> Self { unreachable!("bitwise op on a float: rejected by the shape rule") }
            fn bitor(self, _o: Self) -> Self { unreachable!("bitwise op on a float: rejected by the shape rule") }
            #[inline] fn is_nan_(self) -> bool { self != self }
        }
    )*};
}
impl_arith_float!(f16, bf16, f32, f64);

macro_rules! impl_arith_complex {
    ($($f:ty),*) => {$(
        impl Arith for Complex<$f> {
            #[inline] fn zero() -> Self { Complex { re: 0.0, im: 0.0 } }
            #[inline] fn one() -> Self { Complex { re: 1.0, im: 0.0 } }
            #[inline] fn lowest() -> Self { Complex { re: <$f>::NEG_INFINITY, im: <$f>::NEG_INFINITY } }
            #[inline] fn highest() -> Self { Complex { re: <$f>::INFINITY, im: <$f>::INFINITY } }
            #[inline] fn add(self, o: Self) -> Self { Complex { re: self.re + o.re, im: self.im + o.im } }
            #[inline] fn mul(self, o: Self) -> Self { Complex { re: self.re * o.re - self.im * o.im, im: self.re * o.im + self.im * o.re } }
            #[inline] fn max_(self, o: Self) -> Self { if o > self { o } else { self } }
            #[inline] fn min_(self, o: Self) -> Self { if o < self { o } else { self } }
            fn bitand(self, _o: Self) -> Self { unreachable!("bitwise op on a complex number: rejected by the shape rule") }
            fn bitor(self, _o: Self) -> Self { unreachable!("bitwise op on a complex number: rejected by the shape rule") }
            #[inline] fn is_nan_(self) -> bool { self.re != self.re || self.im != self.im }
        }
    )*};
}
impl_arith_complex!(f32, f64);

/// Runs `$e` with `$a`, `$b` bound to two ndarrays of the same element type `$T`.
#[macro_export]
macro_rules! with_host2 {
    ($x:expr, $y:expr, $a:ident, $b:ident, $T:ident => $e:expr) => {{
        use $crate::runtime::host::HostData as H;
        match ($x, $y) {
            (H::Bool($a), H::Bool($b)) => { #[allow(dead_code)] type $T = bool; $e }
            (H::I8($a), H::I8($b)) => { #[allow(dead_code)] type $T = i8; $e }
            (H::I16($a), H::I16($b)) => { #[allow(dead_code)] type $T = i16; $e }
            (H::I32($a), H::I32($b)) => { #[allow(dead_code)] type $T = i32; $e }
            (H::I64($a), H::I64($b)) => { #[allow(dead_code)] type $T = i64; $e }
            (H::U8($a), H::U8($b)) => { #[allow(dead_code)] type $T = u8; $e }
            (H::U16($a), H::U16($b)) => { #[allow(dead_code)] type $T = u16; $e }
            (H::U32($a), H::U32($b)) => { #[allow(dead_code)] type $T = u32; $e }
            (H::U64($a), H::U64($b)) => { #[allow(dead_code)] type $T = u64; $e }
            (H::F16($a), H::F16($b)) => { #[allow(dead_code)] type $T = half::f16; $e }
            (H::BF16($a), H::BF16($b)) => { #[allow(dead_code)] type $T = half::bf16; $e }
            (H::F32($a), H::F32($b)) => { #[allow(dead_code)] type $T = f32; $e }
            (H::F64($a), H::F64($b)) => { #[allow(dead_code)] type $T = f64; $e }
            (x, y) => crate::bail!(Type, "kernel got mismatched dtypes {} and {}", x.dtype(), y.dtype()),
        }
    }};
}

/// Row-major strides (in elements) of a shape.
pub fn strides_of(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

/// The multi-index of flat position `i` (row-major), written into `idx`.
#[inline]
pub fn unravel(mut i: usize, shape: &[usize], idx: &mut [usize]) {
    for d in (0..shape.len()).rev() {
        let n = shape[d].max(1);
        idx[d] = i % n;
        i /= n;
    }
}

/// The host's memory in bytes (Linux: MemTotal), read once; None elsewhere.
fn host_memory() -> Option<u128> {
    static MEM: std::sync::OnceLock<Option<u128>> = std::sync::OnceLock::new();
    *MEM.get_or_init(|| {
        let info = std::fs::read_to_string("/proc/meminfo").ok()?;
        let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
        let kb: u128 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    })
}

/// Refuses results larger than the host's memory before allocating them (an
/// allocation failure would abort the process; XLA reports RESOURCE_EXHAUSTED).
pub fn check_alloc(what: &str, outs: &[crate::ir::Aval]) -> Result<()> {
    let Some(limit) = host_memory() else { return Ok(()) };
    let mut total: u128 = 0;
    for a in outs {
        let elems = a.shape.iter().try_fold(1u128, |n, &d| n.checked_mul(d as u128)).unwrap_or(u128::MAX);
        total = total.saturating_add(elems.saturating_mul(a.dtype.size_in_bytes() as u128));
    }
    if total > limit {
        crate::bail!(
            Value,
            "RESOURCE_EXHAUSTED: {what} needs {total} bytes for its result ({}), more than this host's memory ({limit} bytes)",
            crate::prim::avals_str(outs)
        );
    }
    Ok(())
}
