//! The intermediate representation every transformation reads and writes:
//! `Graph` (our jaxpr) of `Eqn`s over `Var`s, each with an abstract value.

mod print;

use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::prim::Prim;
use std::fmt;

/// An abstract value: what tracing knows about an array.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Aval {
    pub shape: Vec<usize>,
    pub dtype: DType,
    /// Set on values that came from host scalars: they take the dtype of
    /// whatever they meet in numpy-style promotion (`x * 2.0` keeps `x`'s dtype).
    pub weak_type: bool,
    /// Explicit-mode sharding (only axes of type Explicit): part of the type,
    /// printed `f32[8@data,4]` and propagated by the shape rules.
    pub sharding: Option<std::sync::Arc<crate::sharding::NamedSharding>>,
}

impl Aval {
    pub fn new(shape: &[usize], dtype: DType) -> Aval {
        Aval { shape: shape.to_vec(), dtype, weak_type: false, sharding: None }
    }
    pub fn scalar(dtype: DType) -> Aval {
        Aval { shape: vec![], dtype, weak_type: false, sharding: None }
    }
    pub fn weak(mut self, weak: bool) -> Aval {
        self.weak_type = weak;
        self
    }
    /// Same shape (and sharding), another dtype.
    pub fn with_dtype(&self, dtype: DType) -> Aval {
        Aval { shape: self.shape.clone(), dtype, weak_type: false, sharding: self.sharding.clone() }
    }
    /// Another shape (the sharding is dropped: it described the old dims).
    pub fn with_shape(&self, shape: Vec<usize>) -> Aval {
        Aval { shape, dtype: self.dtype, weak_type: self.weak_type, sharding: None }
    }
    /// This aval with an explicit sharding (None: unsharded).
    pub fn with_sharding(mut self, s: Option<crate::sharding::NamedSharding>) -> Aval {
        self.sharding = s.filter(|s| !s.is_replicated()).map(std::sync::Arc::new);
        self
    }
    /// The same type without its sharding (shape, dtype and weak type).
    pub fn unsharded(&self) -> Aval {
        Aval { shape: self.shape.clone(), dtype: self.dtype, weak_type: self.weak_type, sharding: None }
    }
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }
    pub fn size(&self) -> usize {
        self.shape.iter().product()
    }
    /// `(3, 4)` as JAX prints shapes in error messages.
    pub fn shape_str(&self) -> String {
        shape_str(&self.shape)
    }
}

pub fn shape_str(shape: &[usize]) -> String {
    match shape.len() {
        1 => format!("({},)", shape[0]),
        _ => format!("({})", shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
    }
}

impl fmt::Display for Aval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dims: Vec<String> = self
            .shape
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let axes = self.sharding.as_ref().map(|s| s.spec.dim(i)).unwrap_or(&[]);
                match axes.len() {
                    0 => d.to_string(),
                    1 => format!("{d}@{}", axes[0]),
                    _ => format!("{d}@({})", axes.join(",")),
                }
            })
            .collect();
        write!(f, "{}[{}]", self.dtype.short_name(), dims.join(","))
    }
}

/// A variable of one graph: an index into the graph's aval table.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct Var(pub u32);

/// An equation input: a variable, or a concrete scalar inlined as a literal.
#[derive(Clone, Debug)]
pub enum Atom {
    Var(Var),
    Lit(Array),
}

#[derive(Clone, Debug)]
pub struct Eqn {
    pub prim: Prim,
    pub inputs: Vec<Atom>,
    pub outputs: Vec<Var>,
}

/// A closed, typed program: `{ lambda consts ; invars . let eqns in (outvars) }`.
/// Consts are concrete arrays, or tracers of an enclosing trace that the
/// function closed over (passed back in when the graph is inlined there).
#[derive(Clone, Debug, Default)]
pub struct Graph {
    pub avals: Vec<Aval>,
    pub invars: Vec<Var>,
    pub consts: Vec<(Var, Array)>,
    pub eqns: Vec<Eqn>,
    pub outvars: Vec<Atom>,
}

/// A graph held by a primitive (a jit boundary's body; later branches and
/// loop bodies). Compared and hashed by identity, so CSE treats two calls of
/// the same body as the same equation.
#[derive(Clone, Debug)]
pub struct SubGraph(pub std::sync::Arc<Graph>);

impl PartialEq for SubGraph {
    fn eq(&self, o: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &o.0)
    }
}
impl Eq for SubGraph {}
impl std::hash::Hash for SubGraph {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (std::sync::Arc::as_ptr(&self.0) as usize).hash(h)
    }
}

impl Graph {
    /// The same program with its consts turned into leading inputs (a
    /// closed graph, as a sub-graph must be). Returns the const values.
    pub fn closed(&self) -> (Graph, Vec<Array>) {
        let mut g = self.clone();
        let consts = std::mem::take(&mut g.consts);
        let mut invars: Vec<Var> = consts.iter().map(|(v, _)| *v).collect();
        invars.extend_from_slice(&self.invars);
        g.invars = invars;
        (g, consts.into_iter().map(|(_, c)| c).collect())
    }

    pub fn aval(&self, v: Var) -> &Aval {
        &self.avals[v.0 as usize]
    }
    pub fn atom_aval(&self, a: &Atom) -> Aval {
        match a {
            Atom::Var(v) => self.aval(*v).clone(),
            Atom::Lit(x) => x.aval().clone(),
        }
    }
    pub fn in_avals(&self) -> Vec<Aval> {
        self.invars.iter().map(|v| self.aval(*v).clone()).collect()
    }
    pub fn out_avals(&self) -> Vec<Aval> {
        self.outvars.iter().map(|a| self.atom_aval(a)).collect()
    }
    /// True when some const is a tracer of an enclosing trace (then the graph
    /// belongs to that trace and must not be cached beyond it).
    pub fn has_tracer_consts(&self) -> bool {
        self.consts.iter().any(|(_, c)| c.is_tracer())
    }

    /// Re-runs every shape rule and checks that the recorded avals agree, as
    /// JAX's `check_jaxpr` does. Run after transformations in tests.
    pub fn check(&self) -> Result<()> {
        let mut defined = vec![false; self.avals.len()];
        for v in self.invars.iter().chain(self.consts.iter().map(|(v, _)| v)) {
            defined[v.0 as usize] = true;
        }
        for (i, e) in self.eqns.iter().enumerate() {
            let mut ins = Vec::with_capacity(e.inputs.len());
            for a in &e.inputs {
                if let Atom::Var(v) = a {
                    if !defined[v.0 as usize] {
                        crate::bail!(Value, "graph check: equation {i} ({}) uses {:?} before it is defined", e.prim.name(), v);
                    }
                }
                ins.push(self.atom_aval(a));
            }
            let outs = e.prim.shape_rule(&ins).map_err(|err| err.context(format!("graph check: equation {i}")))?;
            if outs.len() != e.outputs.len() {
                crate::bail!(Value, "graph check: equation {i} ({}) has {} outputs, its rule gives {}", e.prim.name(), e.outputs.len(), outs.len());
            }
            for (o, a) in e.outputs.iter().zip(outs) {
                let have = self.aval(*o);
                if have.shape != a.shape || have.dtype != a.dtype {
                    crate::bail!(Value, "graph check: equation {i} ({}) records {} but its rule gives {}", e.prim.name(), have, a);
                }
                defined[o.0 as usize] = true;
            }
        }
        for a in &self.outvars {
            if let Atom::Var(v) = a {
                if !defined[v.0 as usize] {
                    crate::bail!(Value, "graph check: output {:?} is never defined", v);
                }
            }
        }
        Ok(())
    }
}
