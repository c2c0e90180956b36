//! Backends. `interp` evaluates graphs on host arrays (always present, the
//! reference for every test); the PJRT backend comes with the jit issue.

pub mod host;
pub mod interp;
pub mod pjrt;
