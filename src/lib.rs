//! libjaxcore: JAX's core in Rust. Arrays, tracing to graphs, the `lax`
//! primitives with a reference interpreter, and the numpy-style layer that
//! every language binding shares. See `../shared/DESIGN.md` for the shape.

pub mod error;
pub mod dtype;
pub mod ir;
pub mod array;
pub mod prim;
pub mod trace;
pub mod runtime;
pub mod lax;
pub mod control_flow;
pub mod numpy;
pub mod random;
pub mod transform;
pub mod lower;
pub mod sharding;
pub mod capi;

pub use array::Array;
pub use dtype::DType;
pub use error::{Error, ErrorKind, Result};
pub use ir::{Atom, Aval, Eqn, Graph, Var};
pub use prim::Prim;
pub use sharding::manual::shard_map;
pub use sharding::{AxisType, Mesh, NamedSharding, PartitionSpec};
pub use trace::{make_graph, Function};
