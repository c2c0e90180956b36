//! Host callbacks: `pure_callback`, `io_callback` and `debug.callback` (the
//! engine of `jax.debug.print`). A host function runs on the concrete values
//! each time the program runs, traced or not.
//!
//! The PJRT C API gives no way to call back into the host from a compiled
//! XLA program, so a jitted program holding a callback runs on the
//! interpreter (`jit` picks it). Callbacks with effects (io, debug) are
//! never removed or merged by simplification; pure ones may be.
//!
//! Rules follow JAX: a pure or io callback has no derivative (an error
//! naming `custom_jvp`); a debug callback sees the primal values and gives
//! no tangents. Under vmap, `vmap_method` chooses a loop over the batch
//! (a scan) or one call on the batched values; debug callbacks loop.

use super::FnRef;
use crate::array::Array;
use crate::error::Result;
use crate::ir::Aval;
use crate::prim::{avals_str, Prim, Tangent};
use crate::runtime::host::HostData;
use crate::trace::{bind, Function};
use crate::transform::batching::move_to_front;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallbackKind {
    /// `jax.pure_callback`: no side effects (may be dropped when unused).
    Pure,
    /// `jax.experimental.io_callback`: side effects, kept in program order.
    Io { ordered: bool },
    /// `jax.debug.callback`: side effects, transparent to differentiation.
    Debug,
}

/// How a callback is batched by vmap (JAX's `vmap_method`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VmapMethod {
    /// None given: vmap raises, as JAX does.
    Unspecified,
    Sequential,
    SequentialUnrolled,
    ExpandDims,
    BroadcastAll,
    LegacyVectorized,
}

impl VmapMethod {
    pub fn from_code(c: i32) -> Result<VmapMethod> {
        use VmapMethod::*;
        Ok(match c {
            0 => Unspecified,
            1 => Sequential,
            2 => SequentialUnrolled,
            3 => ExpandDims,
            4 => BroadcastAll,
            5 => LegacyVectorized,
            _ => crate::bail!(Value, "unknown vmap_method code {c} (0 none, 1 sequential, 2 sequential_unrolled, 3 expand_dims, 4 broadcast_all, 5 legacy_vectorized)"),
        })
    }
    fn name(self) -> &'static str {
        use VmapMethod::*;
        match self {
            Unspecified => "None",
            Sequential => "sequential",
            SequentialUnrolled => "sequential_unrolled",
            ExpandDims => "expand_dims",
            BroadcastAll => "broadcast_all",
            LegacyVectorized => "legacy_vectorized",
        }
    }
}

/// A host function called with the concrete inputs, giving `results`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HostCallback {
    pub callback: FnRef,
    pub results: Vec<Aval>,
    pub kind: CallbackKind,
    pub vmap_method: VmapMethod,
}

impl HostCallback {
    pub fn name(&self) -> &'static str {
        match self.kind {
            CallbackKind::Pure => "pure_callback",
            CallbackKind::Io { .. } => "io_callback",
            CallbackKind::Debug => "debug_callback",
        }
    }

    /// True for callbacks whose side effects must run as written.
    pub fn has_effect(&self) -> bool {
        self.kind != CallbackKind::Pure
    }

    pub fn params_str(&self) -> String {
        let mut s = format!("callback={} result_avals=({})", self.callback.0.name(), avals_str(&self.results));
        match self.kind {
            CallbackKind::Pure => s += &format!(" vmap_method={}", self.vmap_method.name()),
            CallbackKind::Io { ordered } => s += &format!(" ordered={}", crate::prim::py_bool(ordered)),
            CallbackKind::Debug => {}
        }
        s
    }

    pub fn shape(&self, _ins: &[Aval]) -> Result<Vec<Aval>> {
        Ok(self.results.clone())
    }

    /// Calls the host function on the values and checks what it returns
    /// against the declared results.
    pub fn eval(&self, ins: &[&HostData]) -> Result<Vec<HostData>> {
        let args: Vec<Array> = ins.iter().map(|h| Array::from_host((*h).clone())).collect();
        let what = || format!("{} {}", self.name(), self.callback.0.name());
        let outs = self.callback.0.call(&args).map_err(|e| e.context(what()))?;
        if outs.len() != self.results.len() {
            crate::bail!(Type, "{}: the callback returned {} values where {} were declared ({})", what(), outs.len(), self.results.len(), avals_str(&self.results));
        }
        outs.iter()
            .zip(&self.results)
            .map(|(o, r)| {
                if o.shape() != &r.shape[..] || o.dtype() != r.dtype {
                    crate::bail!(Type, "{}: the callback returned {} where the declared result is {}", what(), o.aval(), r);
                }
                Ok(o.host()?.clone())
            })
            .collect()
    }

    pub fn jvp(&self, primals: &[Array], outs: &[Array]) -> Result<Vec<Tangent>> {
        let _ = primals;
        match self.kind {
            CallbackKind::Pure => crate::bail!(Value, "Pure callbacks do not support JVP. Please use `jax.custom_jvp` to use callbacks while taking gradients."),
            CallbackKind::Io { .. } => crate::bail!(Value, "IO callbacks do not support JVP."),
            CallbackKind::Debug => Ok(vec![None; outs.len()]),
        }
    }

    pub fn batch(&self, args: &[Array], dims: &[Option<usize>], size: usize) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
        let args: Vec<Array> = args.iter().zip(dims).map(|(x, d)| if d.is_some() { move_to_front(x, *d) } else { Ok(x.clone()) }).collect::<Result<_>>()?;
        let method = match self.kind {
            CallbackKind::Debug => VmapMethod::Sequential,
            CallbackKind::Io { ordered: true } => crate::bail!(Value, "Cannot `vmap` ordered IO callback."),
            CallbackKind::Io { ordered: false } => VmapMethod::Sequential,
            CallbackKind::Pure => self.vmap_method,
        };
        let batched_results = || self.results.iter().map(|a| a.with_shape(std::iter::once(size).chain(a.shape.iter().copied()).collect())).collect::<Vec<_>>();
        let outs = match method {
            VmapMethod::Unspecified => crate::bail!(
                NotImplemented,
                "vmap is only supported for the pure_callback primitive when vmap_method is one of 'sequential', 'sequential_unrolled', 'expand_dims', 'broadcast_all', or 'legacy_vectorized'. Got vmap_method=None."
            ),
            VmapMethod::LegacyVectorized | VmapMethod::ExpandDims | VmapMethod::BroadcastAll => {
                let lead = if method == VmapMethod::BroadcastAll { size } else { 1 };
                let xs: Vec<Array> = match method {
                    VmapMethod::LegacyVectorized => args,
                    _ => args.iter().zip(dims).map(|(x, d)| if d.is_none() { crate::lax::broadcast(x, &[lead]) } else { Ok(x.clone()) }).collect::<Result<_>>()?,
                };
                let refs: Vec<&Array> = xs.iter().collect();
                bind(Prim::HostCallback(HostCallback { results: batched_results(), ..self.clone() }), &refs)?
            }
            VmapMethod::Sequential | VmapMethod::SequentialUnrolled => {
                // a scan over the batched inputs; the unbatched ones are closed over
                let batched: Vec<bool> = dims.iter().map(|d| d.is_some()).collect();
                let (fixed, xs): (Vec<_>, Vec<_>) = args.into_iter().zip(&batched).partition(|(_, b)| !**b);
                let fixed: Vec<Array> = fixed.into_iter().map(|(x, _)| x).collect();
                let xs: Vec<Array> = xs.into_iter().map(|(x, _)| x).collect();
                let one = self.clone();
                let body = Function::new(&format!("{}_loop", self.name()), move |ys: &[Array]| {
                    // ys: no carry, then one slice of each batched input
                    let (mut f, mut x) = (fixed.iter(), ys.iter());
                    let call: Vec<&Array> = batched.iter().map(|b| if *b { x.next().unwrap() } else { f.next().unwrap() }).collect();
                    bind(Prim::HostCallback(one.clone()), &call)
                });
                let unroll = if method == VmapMethod::SequentialUnrolled { size.max(1) } else { 1 };
                crate::control_flow::scan(&body, &[], &xs, Some(size), false, unroll)?.1
            }
        };
        let n = outs.len();
        Ok((outs, vec![Some(0); n]))
    }
}

/// `pure_callback` / `io_callback` / `debug.callback` of a host function on
/// `args`, declared to return `results`.
pub fn host_callback(callback: &Function, args: &[Array], results: Vec<Aval>, kind: CallbackKind, vmap_method: VmapMethod) -> Result<Vec<Array>> {
    let refs: Vec<&Array> = args.iter().collect();
    bind(Prim::HostCallback(HostCallback { callback: FnRef(callback.clone()), results, kind, vmap_method }), &refs)
}
