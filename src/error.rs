//! One error type for the whole engine. The kind maps to the exception a
//! binding raises (TypeError, ValueError, ...); the message names the op,
//! the shapes and the dtypes involved, in the spirit of JAX's messages.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Wrong dtype or incompatible shapes (JAX raises TypeError).
    Type,
    /// A bad value of an argument: an axis out of range, a bad parameter.
    Value,
    /// An index out of range.
    Index,
    /// A tracer used where a concrete value is needed, or that escaped its trace.
    Tracer,
    /// A feature that is not implemented yet.
    NotImplemented,
    /// Anything raised while running: plugin failures, callback failures.
    Runtime,
    /// A null, freed or wrong-kind handle or pointer passed through the C ABI.
    InvalidArgument,
}

#[derive(Debug, Clone)]
pub struct Error {
    pub kind: ErrorKind,
    pub msg: String,
}

impl Error {
    pub fn new(kind: ErrorKind, msg: impl Into<String>) -> Self {
        Error { kind, msg: msg.into() }
    }
    /// Prefixes the message with where it happened, keeping the kind.
    pub fn context(self, ctx: impl fmt::Display) -> Self {
        Error { kind: self.kind, msg: format!("{ctx}: {}", self.msg) }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            ErrorKind::Type => "TypeError",
            ErrorKind::Value => "ValueError",
            ErrorKind::Index => "IndexError",
            ErrorKind::Tracer => "TracerError",
            ErrorKind::NotImplemented => "NotImplementedError",
            ErrorKind::Runtime => "RuntimeError",
            ErrorKind::InvalidArgument => "InvalidArgument",
        };
        write!(f, "{kind}: {}", self.msg)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// `bail!(Type, "add got ...")` returns early with an error of that kind.
#[macro_export]
macro_rules! bail {
    ($kind:ident, $($fmt:tt)*) => {
        return Err($crate::error::Error::new($crate::error::ErrorKind::$kind, format!($($fmt)*)))
    };
}

/// `err!(Value, "...")` builds an error of that kind.
#[macro_export]
macro_rules! err {
    ($kind:ident, $($fmt:tt)*) => {
        $crate::error::Error::new($crate::error::ErrorKind::$kind, format!($($fmt)*))
    };
}
