//! The reference interpreter: evaluates a graph equation by equation on host
//! arrays with each primitive's kernel. Always present; eager mode and every
//! test's reference.

use crate::array::Array;
use crate::error::Result;
use crate::ir::{Atom, Graph};
use crate::runtime::host::HostData;

/// Evaluates `g` on concrete `args` (its consts must be concrete too).
pub fn eval_graph(g: &Graph, args: &[Array]) -> Result<Vec<Array>> {
    if args.len() != g.invars.len() {
        crate::bail!(Type, "graph takes {} arguments, got {}", g.invars.len(), args.len());
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
            Atom::Var(v) => env[v.0 as usize].clone().expect("graph is well formed: var defined before use"),
            Atom::Lit(x) => x.clone(),
        }
    };
    for e in &g.eqns {
        let ins: Vec<Array> = e.inputs.iter().map(|a| read(&env, a)).collect();
        let out_avals: Vec<_> = e.outputs.iter().map(|v| g.aval(*v).clone()).collect();
        let refs: Vec<&Array> = ins.iter().collect();
        let via_xla = match crate::runtime::eager::complex_via_xla(&e.prim, &refs, &out_avals).map_err(|err| err.context(e.prim.name()))? {
            Some(outs) => Some(outs),
            None => crate::runtime::eager::exact_via_xla(&e.prim, &refs)?,
        };
        if let Some(outs) = via_xla {
            for (v, x) in e.outputs.iter().zip(outs) {
                env[v.0 as usize] = Some(x);
            }
            continue;
        }
        let hosts: Vec<&HostData> = ins.iter().map(|x| x.host()).collect::<Result<_>>()?;
        let outs = e.prim.eval(&hosts, &out_avals).map_err(|err| err.context(e.prim.name()))?;
        for ((v, h), aval) in e.outputs.iter().zip(outs).zip(out_avals) {
            env[v.0 as usize] = Some(Array::from_host_aval(h, aval));
        }
    }
    Ok(g.outvars.iter().map(|a| read(&env, a)).collect())
}
