//! `Function`: what users transform and call. A host callback traced on
//! demand, or a fixed graph; its graphs are cached by input signature.

use super::{eval_graph, make_graph_on};
use crate::array::Array;
use crate::error::Result;
use crate::ir::{Aval, Graph};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A traceable host function: arrays in, arrays out.
pub type TraceFn = dyn Fn(&[Array]) -> Result<Vec<Array>> + Send + Sync;

#[derive(Clone)]
pub struct Function(Arc<Inner>);

struct Inner {
    name: String,
    body: Body,
    cache: Mutex<HashMap<Vec<Aval>, Arc<Graph>>>,
}

enum Body {
    /// A host function, run directly when called.
    Callback(Box<TraceFn>),
    /// A transformation's body: traced once per signature into a simplified,
    /// cached graph, which every call evaluates (or inlines when tracing).
    Staged(Box<TraceFn>),
    Graph(Arc<Graph>),
}

impl Function {
    pub fn new(name: &str, f: impl Fn(&[Array]) -> Result<Vec<Array>> + Send + Sync + 'static) -> Function {
        Function(Arc::new(Inner { name: name.to_string(), body: Body::Callback(Box::new(f)), cache: Mutex::new(HashMap::new()) }))
    }
    /// A function evaluated through its cached graph (transformations use this).
    pub fn staged(name: &str, f: impl Fn(&[Array]) -> Result<Vec<Array>> + Send + Sync + 'static) -> Function {
        Function(Arc::new(Inner { name: name.to_string(), body: Body::Staged(Box::new(f)), cache: Mutex::new(HashMap::new()) }))
    }
    /// A function whose body is a fixed graph (consts must be concrete).
    pub fn from_graph(name: &str, g: Graph) -> Function {
        Function(Arc::new(Inner { name: name.to_string(), body: Body::Graph(Arc::new(g)), cache: Mutex::new(HashMap::new()) }))
    }
    pub fn name(&self) -> &str {
        &self.0.name
    }
    /// True when both handles are the same function.
    pub fn same(&self, other: &Function) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
    /// An identity for hashing (the address of the shared function).
    pub fn id(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    /// The graph of this function at `avals`, traced once per signature.
    /// Graphs that close over tracers of an enclosing trace belong to that
    /// trace and are not cached.
    pub fn graph(&self, avals: &[Aval]) -> Result<Arc<Graph>> {
        self.graph_on(avals, Vec::new())
    }

    /// The graph of this function for these arguments: the trace may read
    /// their values (`trace::known_value`, for Python control flow under
    /// grad/jvp/vjp outside jit); a graph that did is not cached.
    pub fn graph_of(&self, args: &[Array]) -> Result<Arc<Graph>> {
        self.graph_on(&crate::trace::avals_of(args), args.to_vec())
    }

    fn graph_on(&self, avals: &[Aval], sources: Vec<Array>) -> Result<Arc<Graph>> {
        if let Body::Graph(g) = &self.0.body {
            let want = g.in_avals();
            if want.len() != avals.len() || want.iter().zip(avals).any(|(w, a)| w.shape != a.shape || w.dtype != a.dtype) {
                crate::bail!(Type, "{} takes [{}], got [{}]", self.0.name, crate::prim::avals_str(&want), crate::prim::avals_str(avals));
            }
            return Ok(g.clone());
        }
        if let Some(g) = self.0.cache.lock().unwrap().get(avals) {
            return Ok(g.clone());
        }
        let (traced, value_dependent) = make_graph_on(
            |xs| match &self.0.body {
                Body::Callback(f) | Body::Staged(f) => f(xs),
                Body::Graph(_) => unreachable!("handled above"),
            },
            avals,
            sources,
        )
        .map_err(|e| e.context(&self.0.name))?;
        let traced = if matches!(self.0.body, Body::Staged(_)) { crate::transform::simplify::simplify(&traced) } else { traced };
        if cfg!(debug_assertions) {
            traced.check().map_err(|e| e.context(format!("{} produced an ill-typed graph", self.0.name)))?;
        }
        let g = Arc::new(traced);
        if !g.has_tracer_consts() && !value_dependent {
            self.0.cache.lock().unwrap().insert(avals.to_vec(), g.clone());
        }
        Ok(g)
    }

    /// Calls the function: the callback runs directly (recording into the
    /// current trace, or eagerly), a graph body is inlined or interpreted.
    pub fn call(&self, args: &[Array]) -> Result<Vec<Array>> {
        match &self.0.body {
            Body::Callback(f) => f(args),
            Body::Staged(_) => {
                let g = self.graph_of(args)?;
                eval_graph(&g, args)
            }
            Body::Graph(g) => eval_graph(g, args),
        }
    }

    /// Number of graphs in the signature cache (for tests and diagnostics).
    pub fn cache_size(&self) -> usize {
        self.0.cache.lock().unwrap().len()
    }
}
