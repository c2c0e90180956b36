//! Eager primitives on large arrays run as cached one-op XLA programs, as
//! JAX's eager dispatch does; small ones stay on the interpreter, which
//! answers faster than a PJRT call would, except those whose interpreter
//! kernel does not give XLA's bits (`differs_from_xla`: transcendental
//! functions, long and cumulative sums and products, dot products and
//! convolutions) and complex arithmetic.
//! The size threshold is the largest input or output size in elements:
//! `JAXCORE_EAGER_XLA_MIN` (default 2^17; `0` turns every XLA path off).

use crate::array::Array;
use crate::error::Result;
use crate::ir::Aval;
use crate::prim::Prim;
use crate::runtime::pjrt::{compile_options, Executable};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

type Compiled = Arc<(Executable, Arc<crate::ir::Graph>)>;
type Program = Option<Compiled>;

/// Programs by primitive and input types; `None` records one XLA could not
/// take (it stays on the interpreter).
static CACHE: OnceLock<Mutex<HashMap<(Prim, Vec<Aval>), Program>>> = OnceLock::new();

/// Beyond this many cached programs the cache starts over (shapes that vary
/// without end should not hold executables forever).
const MAX_PROGRAMS: usize = 1024;

fn threshold() -> usize {
    static T: OnceLock<usize> = OnceLock::new();
    *T.get_or_init(|| std::env::var("JAXCORE_EAGER_XLA_MIN").ok().and_then(|s| s.parse().ok()).unwrap_or(1 << 17))
}

/// Primitives worth a compiled program: array computations without
/// sub-graphs, randomness or mesh semantics.
fn eligible(prim: &Prim) -> bool {
    !prim.has_subgraphs() && !matches!(prim, Prim::Threefry2x32 | Prim::ShardingConstraint { .. } | Prim::Collective(_) | Prim::StopGradient | Prim::HostCallback(_))
}

/// Runs `prim` through XLA when its arrays are large; `None` means the
/// caller evaluates it on the interpreter.
pub(crate) fn try_run(prim: &Prim, inputs: &[&Array], in_avals: &[Aval], out_avals: &[Aval]) -> Result<Option<Vec<Array>>> {
    let min = threshold();
    let size = in_avals.iter().chain(out_avals).map(Aval::size).max().unwrap_or(0);
    if min == 0 || size < min || !eligible(prim) || inputs.iter().any(|x| x.sharding().is_some()) {
        return Ok(None);
    }
    let Some(client) = crate::runtime::default_client() else { return Ok(None) };
    let Ok(program) = program(&client, prim, in_avals) else { return Ok(None) };
    // on failure the interpreter gives the answer (or the error) instead
    Ok(run_program(&program, inputs).ok())
}

/// Runs a cached one-op program on `inputs`.
fn run_program(program: &Compiled, inputs: &[&Array]) -> Result<Vec<Array>> {
    let args: Vec<Array> = inputs.iter().map(|x| (*x).clone()).collect();
    crate::transform::jit::run(&program.0, &[], &program.1, &args, &[])
}

/// Complex arithmetic runs on XLA (the interpreter only stores complex
/// arrays): an eager primitive touching a complex type runs as a one-op
/// program whatever its size. `None`: no complex type is involved (or the
/// primitive has sub-graphs, whose equations come here one by one).
pub(crate) fn complex_via_xla(prim: &Prim, inputs: &[&Array], out_avals: &[Aval]) -> Result<Option<Vec<Array>>> {
    if !(inputs.iter().any(|x| x.dtype().is_complex()) || out_avals.iter().any(|a| a.dtype.is_complex())) || !eligible(prim) {
        return Ok(None);
    }
    let Some(client) = crate::runtime::default_client() else {
        crate::bail!(NotImplemented, "{}: complex numbers are computed by XLA, and no PJRT plugin could be loaded", prim.name());
    };
    let in_avals: Vec<Aval> = inputs.iter().map(|x| x.aval().clone()).collect();
    let program = program(&client, prim, &in_avals).map_err(|e| e.context(prim.name()))?;
    run_program(&program, inputs).map(Some)
}

/// Where the interpreter's float kernels are not XLA's: its transcendental
/// functions (libm and our own series against XLA's approximations), the
/// order of long sums and of cumulative sums and products (XLA's
/// associative scan), and dot products and convolutions (XLA's vectorized
/// accumulation).
/// These disagree with JAX in the last bits (and more: XLA's `lgamma(1)` is
/// 4.8e-7, its `tanh` saturates to 1 early), so eager primitives of these
/// kinds run as one-op XLA programs whatever their size, as JAX's eager
/// dispatch runs them. The choice was measured against JAX 0.10.2 op by op
/// and dtype by dtype with the CPU plugin of `scripts/fetch_cpu_plugin.sh`
/// (4000 values per op: these go from hundreds of last-bit mismatches to
/// none). Everything else (arithmetic, comparisons, indexing, shape
/// operations, max/min, short sums, `atan`, `pow`, `atan2`) gives XLA's bits
/// on the interpreter.
fn differs_from_xla(prim: &Prim, inputs: &[&Array]) -> bool {
    use crate::prim::{elementwise::UnaryOp as U, reduce::CumOp as C, reduce::ReduceOp as R};
    let Some(first) = inputs.first().map(|x| x.aval()) else { return false };
    if !first.dtype.is_float() {
        return false;
    }
    match prim {
        Prim::Unary(op) => matches!(
            op,
            U::Exp | U::Exp2 | U::Log | U::Log1p | U::Expm1 | U::Tanh | U::Logistic | U::Tan | U::Asin | U::Acos | U::Sinh | U::Cosh
                | U::Asinh | U::Acosh | U::Atanh | U::Rsqrt | U::Cbrt | U::Erf | U::Erfc | U::ErfInv | U::Lgamma | U::Digamma
        ),
        // sums of up to 32 numbers add in XLA's order on the interpreter too
        Prim::Reduce { op: R::Sum | R::Prod, axes } => axes.iter().map(|&a| first.shape[a]).product::<usize>() > 32,
        Prim::Cumulative { op: C::Sum | C::Prod, axis, .. } => first.shape[*axis] > 2,
        Prim::DotGeneral { .. } | Prim::Conv(_) => true,
        _ => false,
    }
}

/// Runs `prim` as a one-op XLA program when the interpreter's kernel for it
/// is not XLA's (`differs_from_xla`); `None` when it is, when no plugin is
/// loaded, or when XLA cannot take it (the interpreter answers then).
/// `JAXCORE_EAGER_XLA_MIN=0` keeps everything on the interpreter.
pub(crate) fn exact_via_xla(prim: &Prim, inputs: &[&Array]) -> Result<Option<Vec<Array>>> {
    // checked on the inputs' own avals: every eager primitive passes here
    if !differs_from_xla(prim, inputs) || threshold() == 0 || inputs.iter().any(|x| x.sharding().is_some()) {
        return Ok(None);
    }
    let Some(client) = crate::runtime::default_client() else { return Ok(None) };
    let in_avals: Vec<Aval> = inputs.iter().map(|x| x.aval().clone()).collect();
    let Ok(program) = program(&client, prim, &in_avals) else { return Ok(None) };
    Ok(run_program(&program, inputs).ok())
}

/// The cached one-op program of `prim` at `in_avals`, built on first use. A
/// failed build is remembered, so XLA is not asked again for that signature.
fn program(client: &Arc<crate::runtime::pjrt::Client>, prim: &Prim, in_avals: &[Aval]) -> Result<Compiled> {
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let key = (prim.clone(), in_avals.to_vec());
    if let Some(known) = cache.lock().unwrap().get(&key).cloned() {
        return known.ok_or_else(|| crate::err!(NotImplemented, "XLA could not compile {} for these operands", prim.name()));
    }
    let built = build(client, prim, in_avals).map(Arc::new);
    let mut c = cache.lock().unwrap();
    if c.len() >= MAX_PROGRAMS {
        c.clear();
    }
    c.insert(key, built.as_ref().ok().cloned());
    built
}

fn build(client: &Arc<crate::runtime::pjrt::Client>, prim: &Prim, in_avals: &[Aval]) -> Result<(Executable, Arc<crate::ir::Graph>)> {
    let g = crate::trace::make_graph(
        |xs| {
            let refs: Vec<&Array> = xs.iter().collect();
            crate::trace::bind(prim.clone(), &refs)
        },
        in_avals,
    )?;
    let g = Arc::new(g);
    let text = crate::lower::stablehlo::lower(&g, "eager")?;
    let exe = crate::transform::jit::build_executable(client, &text, &compile_options(1, 1), "eager op", &g)?;
    Ok((exe, g))
}
