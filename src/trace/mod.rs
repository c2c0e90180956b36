//! Tracing: running a function on tracers records a `Graph`.
//!
//! A thread-local stack of builders. While one is active every op records an
//! equation in the innermost builder (JAX's "omnistaging"): a tracer of an
//! enclosing builder is captured as an implicit input (a const of the inner
//! graph), a concrete array becomes a const (or a literal if 0-d). With no
//! builder active, ops run at once on the interpreter (eager mode).
//! Transformations work on whole graphs, so nesting them needs nothing more.

mod function;

pub use function::{Function, TraceFn};

use crate::array::Array;
use crate::error::Result;
use crate::ir::{Atom, Aval, Eqn, Graph, Var};
use crate::prim::Prim;
use crate::runtime::host::HostData;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT_TRACE_ID: AtomicU64 = AtomicU64::new(1);

struct Builder {
    id: u64,
    g: Graph,
    /// Captured arrays (outer tracers and concrete consts) by handle identity.
    captured: HashMap<usize, Var>,
    /// What each input stands for when the trace runs on known arguments
    /// (grad/jvp/vjp outside jit, as JAX's JVP tracers carry their primal):
    /// concrete arrays or tracers of enclosing traces. Empty when the inputs
    /// are abstract (jit, vmap, control-flow bodies).
    sources: Vec<Array>,
    /// The equation defining each variable (`NO_EQN` for inputs and consts).
    producer: Vec<u32>,
    /// Values of variables computed on demand from `sources` (`known_value`).
    known: HashMap<Var, Array>,
    /// Set once a value was read: the graph depends on the arguments' values
    /// (Python control flow on them), so it must not be cached by signature.
    value_dependent: bool,
}

const NO_EQN: u32 = u32::MAX;

thread_local! {
    static STACK: RefCell<Vec<Builder>> = const { RefCell::new(Vec::new()) };
}

impl Builder {
    fn new(id: u64, sources: Vec<Array>) -> Builder {
        Builder { id, g: Graph::default(), captured: HashMap::new(), sources, producer: Vec::new(), known: HashMap::new(), value_dependent: false }
    }

    fn new_var(&mut self, aval: Aval) -> Var {
        self.g.avals.push(aval);
        self.producer.push(NO_EQN);
        Var(self.g.avals.len() as u32 - 1)
    }

    /// The atom standing for `x` in this builder. `outer` are the enclosing
    /// builders, whose tracers may be captured.
    fn atom(&mut self, x: &Array, outer: &[Builder]) -> Result<Atom> {
        match x.tracer_parts() {
            Some((t, v)) if t == self.id => Ok(Atom::Var(v)),
            Some((t, _)) if !outer.iter().any(|b| b.id == t) => Err(crate::err!(
                Tracer,
                "encountered a tracer {} of a trace that has already finished (UnexpectedTracerError): \
                 a value from inside a transformed function escaped it, e.g. through a global or a closure",
                x.aval()
            )),
            None if x.ndim() == 0 => Ok(Atom::Lit(x.clone())),
            _ => {
                if let Some(v) = self.captured.get(&x.id()) {
                    return Ok(Atom::Var(*v));
                }
                let v = self.new_var(x.aval().clone());
                self.g.consts.push((v, x.clone()));
                self.captured.insert(x.id(), v);
                Ok(Atom::Var(v))
            }
        }
    }
}

/// True while some trace is active on this thread.
pub fn is_tracing() -> bool {
    STACK.with(|s| !s.borrow().is_empty())
}

/// Applies a primitive: records it when tracing, evaluates it otherwise.
/// The shape rule runs first either way, so bad shapes fail at the call.
pub fn bind(prim: Prim, inputs: &[&Array]) -> Result<Vec<Array>> {
    let in_avals: Vec<Aval> = inputs.iter().map(|x| x.aval().clone()).collect();
    let out_avals = prim.shape_rule(&in_avals)?;
    let recorded = STACK.with(|s| -> Result<Option<Vec<Array>>> {
        let mut stack = s.borrow_mut();
        let Some((top, rest)) = stack.split_last_mut() else { return Ok(None) };
        let atoms = inputs.iter().map(|x| top.atom(x, rest)).collect::<Result<Vec<_>>>()?;
        let outs: Vec<Var> = out_avals.iter().map(|a| top.new_var(a.clone())).collect();
        for v in &outs {
            top.producer[v.0 as usize] = top.g.eqns.len() as u32;
        }
        top.g.eqns.push(Eqn { prim: prim.clone(), inputs: atoms, outputs: outs.clone() });
        Ok(Some(outs.into_iter().zip(&out_avals).map(|(v, a)| Array::tracer(top.id, v, a.clone())).collect()))
    })?;
    if let Some(outs) = recorded {
        return Ok(outs);
    }
    if let Some(outs) = crate::runtime::eager::complex_via_xla(&prim, inputs, &out_avals)? {
        return Ok(outs);
    }
    if let Some(outs) = crate::runtime::eager::exact_via_xla(&prim, inputs)? {
        return Ok(outs);
    }
    if let Some(outs) = crate::runtime::eager::try_run(&prim, inputs, &in_avals, &out_avals)? {
        return Ok(outs);
    }
    let hosts: Vec<&HostData> = inputs.iter().map(|x| x.host()).collect::<Result<_>>()?;
    let outs = prim.eval(&hosts, &out_avals)?;
    Ok(outs.into_iter().zip(out_avals).map(|(h, a)| Array::from_host_aval(h, a)).collect())
}

/// `bind` for single-output primitives.
pub fn bind1(prim: Prim, inputs: &[&Array]) -> Result<Array> {
    Ok(bind(prim, inputs)?.pop().expect("single-output primitive"))
}

/// Pops the builder on every exit path, errors and panics included.
struct PopGuard;
impl Drop for PopGuard {
    fn drop(&mut self) {
        STACK.with(|s| {
            s.borrow_mut().pop();
        });
    }
}

/// Traces `f` at `in_avals` into a graph. Tracers of enclosing traces that
/// `f` uses become consts of the graph.
pub fn make_graph(f: impl FnOnce(&[Array]) -> Result<Vec<Array>>, in_avals: &[Aval]) -> Result<Graph> {
    Ok(make_graph_on(f, in_avals, Vec::new())?.0)
}

/// `make_graph` for a trace whose inputs stand for known arrays (`sources`,
/// one per input: concrete, or tracers of enclosing traces), so that the
/// traced function may read their values (`known_value`). Also says whether
/// it did: such a graph holds only for these values.
pub fn make_graph_on(f: impl FnOnce(&[Array]) -> Result<Vec<Array>>, in_avals: &[Aval], sources: Vec<Array>) -> Result<(Graph, bool)> {
    debug_assert!(sources.is_empty() || sources.len() == in_avals.len());
    let id = NEXT_TRACE_ID.fetch_add(1, Ordering::Relaxed);
    let args: Vec<Array> = STACK.with(|s| {
        let mut b = Builder::new(id, sources);
        let args = in_avals
            .iter()
            .map(|a| {
                let v = b.new_var(a.clone());
                b.g.invars.push(v);
                Array::tracer(id, v, a.clone())
            })
            .collect();
        s.borrow_mut().push(b);
        args
    });
    let guard = PopGuard;
    let outs = f(&args)?;
    drop(args);
    let g = STACK.with(|s| -> Result<(Graph, bool)> {
        let mut stack = s.borrow_mut();
        let (top, rest) = stack.split_last_mut().expect("our builder is on top");
        debug_assert_eq!(top.id, id);
        let outvars = outs.iter().map(|x| top.atom(x, rest)).collect::<Result<Vec<_>>>()?;
        let mut g = std::mem::take(&mut top.g);
        g.outvars = outvars;
        Ok((g, top.value_dependent))
    })?;
    drop(guard);
    Ok(g)
}

/// The value of `x` where it is known: a concrete array is itself; a tracer
/// of a trace running on known arguments (`make_graph_on`) is computed from
/// them by evaluating the equations it depends on (JAX's concrete values of
/// JVP tracers: Python control flow on values works under grad outside jit).
/// `None` where some input on the way is abstract (jit, vmap, loop bodies).
pub fn known_value(x: &Array) -> Result<Option<Array>> {
    let Some((trace, var)) = x.tracer_parts() else { return Ok(Some(x.clone())) };
    // the stack is taken out while equations are evaluated, so they run eagerly
    struct Restore(Option<Vec<Builder>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(stack) = self.0.take() {
                STACK.with(|s| *s.borrow_mut() = stack);
            }
        }
    }
    let mut restore = Restore(Some(STACK.with(|s| std::mem::take(&mut *s.borrow_mut()))));
    let stack = restore.0.as_mut().expect("taken above");
    let value = resolve(stack, trace, var)?;
    if value.is_some() {
        // the graphs of x's trace and of those inside it now depend on the
        // value (resolve marked the enclosing traces it read from)
        let from = stack.iter().position(|b| b.id == trace).expect("resolved in it");
        for b in &mut stack[from..] {
            b.value_dependent = true;
        }
    }
    Ok(value)
}

fn resolve_array(stack: &mut [Builder], x: &Array) -> Result<Option<Array>> {
    match x.tracer_parts() {
        None => Ok(Some(x.clone())),
        Some((trace, var)) => resolve(stack, trace, var),
    }
}

/// The value of `target` in the trace `trace`, evaluating what it depends on
/// (iteratively: a long chain of equations must not deepen the call stack).
fn resolve(stack: &mut [Builder], trace: u64, target: Var) -> Result<Option<Array>> {
    let Some(bi) = stack.iter().position(|b| b.id == trace) else { return Ok(None) };
    if stack[bi].sources.is_empty() {
        // abstract inputs: no tracer of this trace has a value (JAX: jit's)
        return Ok(None);
    }
    let mut work = vec![target];
    while let Some(&v) = work.last() {
        if stack[bi].known.contains_key(&v) {
            work.pop();
            continue;
        }
        let b = &stack[bi];
        let eqn = b.producer.get(v.0 as usize).copied().unwrap_or(NO_EQN);
        let value = if eqn != NO_EQN {
            let e = b.g.eqns[eqn as usize].clone();
            let missing: Vec<Var> = e.inputs.iter().filter_map(|a| match a {
                Atom::Var(u) if !b.known.contains_key(u) => Some(*u),
                _ => None,
            }).collect();
            if !missing.is_empty() {
                work.extend(missing);
                continue;
            }
            let ins: Vec<Array> = e.inputs.iter().map(|a| match a {
                Atom::Var(u) => b.known[u].clone(),
                Atom::Lit(x) => x.clone(),
            }).collect();
            let outs = bind(e.prim.clone(), &ins.iter().collect::<Vec<_>>())?;
            stack[bi].value_dependent = true;
            for (u, o) in e.outputs.iter().zip(outs) {
                stack[bi].known.insert(*u, o);
            }
            work.pop();
            continue;
        } else if let Some(i) = b.g.invars.iter().position(|&u| u == v) {
            let Some(src) = b.sources.get(i).cloned() else { return Ok(None) };
            resolve_array(stack, &src)?
        } else if let Some((_, c)) = b.g.consts.iter().find(|(u, _)| *u == v) {
            let c = c.clone();
            resolve_array(stack, &c)?
        } else {
            None
        };
        let Some(value) = value else { return Ok(None) };
        stack[bi].value_dependent = true;
        stack[bi].known.insert(v, value);
        work.pop();
    }
    Ok(stack[bi].known.get(&target).cloned())
}

/// Runs a graph on arguments: inlined into the current trace when tracing
/// (its equations are re-bound there), interpreted otherwise.
pub fn eval_graph(g: &Graph, args: &[Array]) -> Result<Vec<Array>> {
    if args.len() != g.invars.len() {
        crate::bail!(Type, "function takes {} arguments, got {}", g.invars.len(), args.len());
    }
    for (i, (x, v)) in args.iter().zip(&g.invars).enumerate() {
        let want = g.aval(*v);
        if x.shape() != &want.shape[..] || x.dtype() != want.dtype {
            crate::bail!(Type, "argument {i} has type {} but the function was traced for {}", x.aval(), want);
        }
    }
    if !is_tracing() {
        return crate::runtime::interp::eval_graph(g, args);
    }
    let mut env: Vec<Option<Array>> = vec![None; g.avals.len()];
    for (v, x) in g.invars.iter().zip(args) {
        env[v.0 as usize] = Some(x.clone());
    }
    for (v, c) in &g.consts {
        env[v.0 as usize] = Some(c.clone());
    }
    let read = |env: &Vec<Option<Array>>, a: &Atom| -> Array {
        match a {
            Atom::Var(v) => env[v.0 as usize].clone().expect("graph is well formed"),
            Atom::Lit(x) => x.clone(),
        }
    };
    for e in &g.eqns {
        let ins: Vec<Array> = e.inputs.iter().map(|a| read(&env, a)).collect();
        let refs: Vec<&Array> = ins.iter().collect();
        let outs = bind(e.prim.clone(), &refs)?;
        for (v, x) in e.outputs.iter().zip(outs) {
            env[v.0 as usize] = Some(x);
        }
    }
    Ok(g.outvars.iter().map(|a| read(&env, a)).collect())
}

/// The avals of some arrays (a function's input signature).
pub fn avals_of(xs: &[Array]) -> Vec<Aval> {
    xs.iter().map(|x| x.aval().clone()).collect()
}

/// A host array as a const of the current trace or a plain array.
pub fn constant(h: HostData) -> Array {
    Array::from_host(h)
}
