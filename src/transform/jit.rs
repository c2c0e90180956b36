//! `jit`: trace once per signature, lower to StableHLO, compile with the
//! default PJRT client, cache the executable, and run it with arguments that
//! stay on the device. Under an outer trace a jitted function is inlined
//! (its graph, not the host function, so tracing happens once).

use crate::array::Array;
use crate::error::Result;
use crate::ir::{Aval, Graph};
use crate::runtime::pjrt::{compile_options, Buffer, Client, Executable};
use crate::trace::{eval_graph, is_tracing, make_graph, Function};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

static COMPILES: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static THREAD_COMPILES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many XLA compilations this thread has run (compilation happens on
/// the calling thread, so tests can count their own).
pub fn compile_count() -> usize {
    THREAD_COMPILES.with(|c| c.get())
}

/// How many XLA compilations this process has run.
pub fn total_compile_count() -> usize {
    COMPILES.load(Ordering::Relaxed)
}

/// A signature: avals of the dynamic arguments and the values of the static ones.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    avals: Vec<Aval>,
    statics: Vec<(Aval, Vec<u8>)>,
}

struct Compiled {
    graph: Arc<Graph>,
    exe: Option<Executable>,
    consts: Vec<Buffer>,
}

/// `jax.jit(f, static_argnums, donate_argnums)`. Static arguments must be
/// concrete; their values are part of the cache key and baked into the
/// program. (Donation is accepted and not yet used: inputs are never reused.)
pub fn jit(f: &Function, static_argnums: &[usize], donate_argnums: &[usize]) -> Function {
    let _ = donate_argnums;
    let f = f.clone();
    let statics = static_argnums.to_vec();
    let cache: Arc<Mutex<HashMap<Key, Arc<Compiled>>>> = Arc::new(Mutex::new(HashMap::new()));
    let name = format!("jit({})", f.name());
    let name2 = name.clone();
    Function::new(&name, move |args| {
        let compiled = {
            let key = Key {
                avals: args.iter().enumerate().filter(|(i, _)| !statics.contains(i)).map(|(_, a)| a.aval().clone()).collect(),
                statics: statics
                    .iter()
                    .map(|&i| {
                        let a = args.get(i).ok_or_else(|| crate::err!(Value, "{name2}: static_argnums {i} is out of range for {} arguments", args.len()))?;
                        let bytes = a.to_bytes().map_err(|_| crate::err!(Value, "{name2}: static argument {i} must be concrete, got a tracer {}", a.aval()))?;
                        Ok((a.aval().clone(), bytes))
                    })
                    .collect::<Result<_>>()?,
            };
            let hit = cache.lock().unwrap().get(&key).cloned();
            match hit {
                Some(c) => c,
                None => {
                    let c = Arc::new(build(&f, &statics, args, &name2)?);
                    cache.lock().unwrap().insert(key, c.clone());
                    c
                }
            }
        };
        let dynamic: Vec<Array> = args.iter().enumerate().filter(|(i, _)| !statics.contains(i)).map(|(_, a)| a.clone()).collect();
        match (&compiled.exe, is_tracing()) {
            (Some(exe), false) => run(exe, &compiled.consts, &compiled.graph, &dynamic),
            _ => eval_graph(&compiled.graph, &dynamic),
        }
    })
}

/// Traces (statics baked in), simplifies, lowers and compiles.
fn build(f: &Function, statics: &[usize], args: &[Array], name: &str) -> Result<Compiled> {
    let dyn_avals: Vec<Aval> = args.iter().enumerate().filter(|(i, _)| !statics.contains(i)).map(|(_, a)| a.aval().clone()).collect();
    let g = make_graph(
        |dyn_args| {
            let mut it = dyn_args.iter();
            let full: Vec<Array> = (0..args.len()).map(|i| if statics.contains(&i) { args[i].clone() } else { it.next().unwrap().clone() }).collect();
            f.call(&full)
        },
        &dyn_avals,
    )?;
    let graph = Arc::new(super::simplify::simplify(&g));
    let client = if is_tracing() || graph.has_tracer_consts() { None } else { crate::runtime::default_client() };
    let Some(client) = client else {
        return Ok(Compiled { graph, exe: None, consts: vec![] });
    };
    let (exe, consts) = compile(&client, &graph, name)?;
    Ok(Compiled { graph, exe: Some(exe), consts })
}

fn compile(client: &Arc<Client>, g: &Graph, name: &str) -> Result<(Executable, Vec<Buffer>)> {
    let t = Instant::now();
    let module = sanitize(name);
    let text = crate::lower::stablehlo::lower(g, &module)?;
    let exe = client.compile(&text, &compile_options(1, 1)).map_err(|e| e.context(format!("compiling {name}")))?;
    COMPILES.fetch_add(1, Ordering::Relaxed);
    THREAD_COMPILES.with(|c| c.set(c.get() + 1));
    if std::env::var("JAXCORE_LOG_COMPILES").as_deref() == Ok("1") {
        eprintln!("jaxcore: compiled {name} for [{}] in {:.1} ms", crate::prim::avals_str(&g.in_avals()), t.elapsed().as_secs_f64() * 1e3);
    }
    let consts = g.consts.iter().map(|(_, c)| client.buffer_from_host(c.host()?, 0)).collect::<Result<_>>()?;
    Ok((exe, consts))
}

/// A module name MLIR accepts.
fn sanitize(name: &str) -> String {
    let s: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    format!("jit_{}", s.trim_matches('_'))
}

fn run(exe: &Executable, consts: &[Buffer], g: &Graph, args: &[Array]) -> Result<Vec<Array>> {
    let client = crate::runtime::default_client().expect("compiled, so a client exists");
    let mut owned: Vec<Buffer> = Vec::new();
    let mut slots: Vec<Option<usize>> = Vec::with_capacity(args.len());
    for (i, (x, v)) in args.iter().zip(&g.invars).enumerate() {
        let want = g.aval(*v);
        if x.shape() != &want.shape[..] || x.dtype() != want.dtype {
            crate::bail!(Type, "argument {i} has type {} but the function was compiled for {}", x.aval(), want);
        }
        if x.device_buffer().is_some() {
            slots.push(None);
        } else {
            owned.push(client.buffer_from_host(x.host()?, 0)?);
            slots.push(Some(owned.len() - 1));
        }
    }
    let mut bufs: Vec<&Buffer> = consts.iter().collect();
    for (x, s) in args.iter().zip(&slots) {
        bufs.push(match s {
            Some(k) => &owned[*k],
            None => x.device_buffer().unwrap().0,
        });
    }
    let outs = exe.execute(&bufs)?;
    Ok(outs.into_iter().zip(g.out_avals()).map(|(b, a)| Array::from_device(b, 0, a)).collect())
}
