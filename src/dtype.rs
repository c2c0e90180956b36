//! Element types. Names follow numpy/JAX (`float32`), short names follow
//! jaxpr printing (`f32`).

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
pub enum DType {
    Bool = 0,
    I8 = 1,
    I16 = 2,
    I32 = 3,
    I64 = 4,
    U8 = 5,
    U16 = 6,
    U32 = 7,
    U64 = 8,
    F16 = 9,
    BF16 = 10,
    F32 = 11,
    F64 = 12,
    C64 = 13,
    C128 = 14,
}

pub const ALL_DTYPES: [DType; 15] = [
    DType::Bool,
    DType::I8,
    DType::I16,
    DType::I32,
    DType::I64,
    DType::U8,
    DType::U16,
    DType::U32,
    DType::U64,
    DType::F16,
    DType::BF16,
    DType::F32,
    DType::F64,
    DType::C64,
    DType::C128,
];

impl DType {
    pub fn from_u32(v: u32) -> Option<DType> {
        ALL_DTYPES.get(v as usize).copied()
    }
    /// numpy's name: `float32`, `int8`, `bool`, `bfloat16`.
    pub fn name(self) -> &'static str {
        use DType::*;
        match self {
            Bool => "bool",
            I8 => "int8",
            I16 => "int16",
            I32 => "int32",
            I64 => "int64",
            U8 => "uint8",
            U16 => "uint16",
            U32 => "uint32",
            U64 => "uint64",
            F16 => "float16",
            BF16 => "bfloat16",
            F32 => "float32",
            F64 => "float64",
            C64 => "complex64",
            C128 => "complex128",
        }
    }
    /// The jaxpr short name: `f32`, `i8`, `bool`, `bf16`.
    pub fn short_name(self) -> &'static str {
        use DType::*;
        match self {
            Bool => "bool",
            I8 => "i8",
            I16 => "i16",
            I32 => "i32",
            I64 => "i64",
            U8 => "u8",
            U16 => "u16",
            U32 => "u32",
            U64 => "u64",
            F16 => "f16",
            BF16 => "bf16",
            F32 => "f32",
            F64 => "f64",
            C64 => "c64",
            C128 => "c128",
        }
    }
    pub fn from_name(s: &str) -> Option<DType> {
        ALL_DTYPES.iter().copied().find(|d| d.name() == s || d.short_name() == s)
    }
    pub fn size_in_bytes(self) -> usize {
        use DType::*;
        match self {
            Bool | I8 | U8 => 1,
            I16 | U16 | F16 | BF16 => 2,
            I32 | U32 | F32 => 4,
            I64 | U64 | F64 | C64 => 8,
            C128 => 16,
        }
    }
    pub fn bits(self) -> u32 {
        self.size_in_bytes() as u32 * 8
    }
    pub fn is_float(self) -> bool {
        matches!(self, DType::F16 | DType::BF16 | DType::F32 | DType::F64)
    }
    pub fn is_signed_int(self) -> bool {
        matches!(self, DType::I8 | DType::I16 | DType::I32 | DType::I64)
    }
    pub fn is_unsigned_int(self) -> bool {
        matches!(self, DType::U8 | DType::U16 | DType::U32 | DType::U64)
    }
    pub fn is_int(self) -> bool {
        self.is_signed_int() || self.is_unsigned_int()
    }
    pub fn is_bool(self) -> bool {
        self == DType::Bool
    }
    pub fn is_complex(self) -> bool {
        matches!(self, DType::C64 | DType::C128)
    }
    /// Floating or complex (numpy's `inexact`).
    pub fn is_inexact(self) -> bool {
        self.is_float() || self.is_complex()
    }
    /// Numbers in lax's sense: ints and floats, not bool (complex numbers
    /// are accepted op by op).
    pub fn is_number(self) -> bool {
        self.is_int() || self.is_float()
    }
    /// The real type of a complex type (complex64 -> float32); others are their own.
    pub fn real_part(self) -> DType {
        match self {
            DType::C64 => DType::F32,
            DType::C128 => DType::F64,
            d => d,
        }
    }
    /// The complex type with this real part (float64 -> complex128; other floats -> complex64).
    pub fn complex_of(self) -> DType {
        match self {
            DType::F64 | DType::C128 => DType::C128,
            _ => DType::C64,
        }
    }
    /// The unsigned int of the same width (used by bitcasts and random bits).
    pub fn unsigned_of_width(bits: u32) -> Option<DType> {
        match bits {
            8 => Some(DType::U8),
            16 => Some(DType::U16),
            32 => Some(DType::U32),
            64 => Some(DType::U64),
            _ => None,
        }
    }
    /// Mantissa bits stored (without the implicit one) of a float type.
    pub fn mantissa_bits(self) -> Option<u32> {
        match self {
            DType::F16 => Some(10),
            DType::BF16 => Some(7),
            DType::F32 => Some(23),
            DType::F64 => Some(52),
            _ => None,
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
