//! `jit`: trace once per signature, lower to StableHLO, compile with the
//! default PJRT client, cache the executable, and run it with arguments that
//! stay on the device. Under an outer trace a jitted function is inlined
//! (its graph, not the host function, so tracing happens once).

use crate::array::Array;
use crate::error::Result;
use crate::ir::{Aval, Graph};
use crate::runtime::pjrt::{compile_options, Buffer, Client, Executable};
use crate::sharding::{spmd, NamedSharding};
use crate::trace::{eval_graph, is_tracing, make_graph, Function};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

static COMPILES: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static THREAD_BUILDS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    static THREAD_CACHE_HITS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many executables this thread has built for jitted functions, by
/// compiling or by loading from the persistent cache (builds happen on the
/// calling thread, so tests can count their own).
pub fn compile_count() -> usize {
    THREAD_BUILDS.with(|c| c.get())
}

/// How many of those came from the persistent compilation cache.
pub fn cache_hit_count() -> usize {
    THREAD_CACHE_HITS.with(|c| c.get())
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
    /// How each dynamic argument is laid out over a mesh (None: one device).
    shardings: Vec<Option<NamedSharding>>,
}

impl Key {
    /// Whether calling with `args` (no static arguments) has this signature,
    /// checked in place: building a key clones every aval (the repeat-call
    /// path is ~1 us of allocations and hashing otherwise).
    fn matches_dynamic(&self, args: &[Array]) -> bool {
        self.statics.is_empty()
            && self.avals.len() == args.len()
            && args.iter().zip(&self.avals).zip(&self.shardings).all(|((a, k), s)| a.aval() == k && a.sharding() == s.as_ref())
    }
}

/// A traced signature; its executable is built on the first concrete call
/// (tracing through a jitted function, as `grad(jit(f))` or `make_jaxpr`
/// do, needs only the graph, as in JAX).
struct Compiled {
    graph: Arc<Graph>,
    backend: OnceLock<Backend>,
}

enum Backend {
    /// No client, or a graph closing over tracers: the interpreter runs it.
    Interp,
    Xla { exe: Executable, consts: Vec<Buffer> },
    /// Partitioned over a mesh.
    Spmd(spmd::Plan),
}

/// `jax.jit`'s keyword arguments.
#[derive(Clone, Default)]
pub struct JitOptions {
    pub static_argnums: Vec<usize>,
    pub donate_argnums: Vec<usize>,
    /// Per positional argument (None: as the argument comes).
    pub in_shardings: Vec<Option<NamedSharding>>,
    /// Per output (None: the output type's explicit sharding, else replicated).
    pub out_shardings: Vec<Option<NamedSharding>>,
}

/// `jax.jit(f, static_argnums, donate_argnums)`. Static arguments must be
/// concrete; their values are part of the cache key and baked into the
/// program. A donated argument's buffer is reused for an output of the same
/// type (input_output_alias), so `x = f(x)` runs without fresh allocations;
/// the donated array cannot be read afterwards (as in JAX).
pub fn jit(f: &Function, static_argnums: &[usize], donate_argnums: &[usize]) -> Function {
    jit_with(f, JitOptions { static_argnums: static_argnums.to_vec(), donate_argnums: donate_argnums.to_vec(), ..Default::default() })
}

/// `jax.jit` with all its options, shardings included: when the arguments,
/// the requested shardings or the function's own constraints name a mesh,
/// the program is partitioned over the mesh's devices (see `sharding::spmd`).
pub fn jit_with(f: &Function, opts: JitOptions) -> Function {
    let f = f.clone();
    let statics = opts.static_argnums.clone();
    let opts = Arc::new(opts);
    let cache: Arc<Mutex<HashMap<Key, Arc<Compiled>>>> = Arc::new(Mutex::new(HashMap::new()));
    // the signature of the last call, for repeated calls with the same types
    let last: Mutex<Option<(Key, Arc<Compiled>)>> = Mutex::new(None);
    let name = format!("jit({})", f.name());
    let name2 = name.clone();
    Function::new(&name, move |args| {
        let repeat = if statics.is_empty() {
            last.lock().unwrap().as_ref().filter(|(k, _)| k.matches_dynamic(args)).map(|(_, c)| c.clone())
        } else {
            None
        };
        let compiled = if let Some(c) = repeat {
            c
        } else {
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
                shardings: args.iter().enumerate().filter(|(i, _)| !statics.contains(i)).map(|(_, a)| a.sharding().cloned()).collect(),
            };
            let hit = cache.lock().unwrap().get(&key).cloned();
            match hit {
                Some(c) => {
                    if statics.is_empty() {
                        *last.lock().unwrap() = Some((key, c.clone()));
                    }
                    c
                }
                None => {
                    let c = Arc::new(Compiled { graph: trace(&f, &opts, args)?, backend: OnceLock::new() });
                    // a graph closing over an outer trace's tracers belongs to that trace
                    if !c.graph.has_tracer_consts() {
                        cache.lock().unwrap().insert(key.clone(), c.clone());
                        if statics.is_empty() {
                            *last.lock().unwrap() = Some((key, c.clone()));
                        }
                    }
                    c
                }
            }
        };
        let dynamic: std::borrow::Cow<[Array]> = if statics.is_empty() {
            std::borrow::Cow::Borrowed(args)
        } else {
            std::borrow::Cow::Owned(args.iter().enumerate().filter(|(i, _)| !statics.contains(i)).map(|(_, a)| a.clone()).collect())
        };
        if is_tracing() {
            // keep the jit boundary in the outer graph: one call equation
            let (body, consts) = compiled.graph.closed();
            let mut ins: Vec<&Array> = consts.iter().collect();
            ins.extend(dynamic.iter());
            return crate::prim::control::call(body, f.name(), &ins);
        }
        let backend = match compiled.backend.get() {
            Some(b) => b,
            None => {
                let b = build(&compiled.graph, &opts, args.len(), &dynamic, &name2)?;
                let _ = compiled.backend.set(b); // a racing thread's equal build may win
                compiled.backend.get().expect("just set")
            }
        };
        match backend {
            Backend::Xla { exe, consts } => run(exe, consts, &compiled.graph, &dynamic, &opts.donate_argnums),
            Backend::Spmd(plan) => spmd::run(plan, &compiled.graph, &dynamic),
            Backend::Interp => eval_graph(&compiled.graph, &dynamic),
        }
    })
}

/// Traces `f` for the arguments' signature (statics baked in) and simplifies.
fn trace(f: &Function, opts: &JitOptions, args: &[Array]) -> Result<Arc<Graph>> {
    let statics = &opts.static_argnums[..];
    let dyn_avals: Vec<Aval> = args.iter().enumerate().filter(|(i, _)| !statics.contains(i)).map(|(_, a)| a.aval().clone()).collect();
    let g = make_graph(
        |dyn_args| {
            let mut it = dyn_args.iter();
            let full: Vec<Array> = (0..args.len()).map(|i| if statics.contains(&i) { args[i].clone() } else { it.next().unwrap().clone() }).collect();
            f.call(&full)
        },
        &dyn_avals,
    )?;
    Ok(Arc::new(super::simplify::simplify(&g)))
}

/// Lowers and compiles a traced graph for its (dynamic) arguments.
fn build(graph: &Arc<Graph>, opts: &JitOptions, n_args: usize, dyn_args: &[Array], name: &str) -> Result<Backend> {
    let client = if graph.has_tracer_consts() { None } else { crate::runtime::default_client() };
    let Some(client) = client else {
        return Ok(Backend::Interp);
    };
    if graph.eqns.iter().any(|e| e.prim.contains(&|p| matches!(p, crate::prim::Prim::HostCallback(_)))) {
        return Ok(Backend::Interp); // XLA cannot call back into the host through PJRT
    }
    let statics = &opts.static_argnums[..];
    let dyn_index: Vec<usize> = (0..n_args).filter(|i| !statics.contains(i)).collect();
    let dyn_in_sh: Vec<Option<NamedSharding>> = dyn_index.iter().map(|&i| opts.in_shardings.get(i).cloned().flatten()).collect();
    if let Some(mesh) = spmd::mesh_for(name, graph, dyn_args, &dyn_in_sh, &opts.out_shardings)? {
        let Some(mclient) = mesh.inner().client.clone() else {
            // an abstract mesh: the interpreter runs it, shardings are types only
            return Ok(Backend::Interp);
        };
        let in_sh: Vec<NamedSharding> = dyn_in_sh
            .iter()
            .zip(dyn_args)
            .map(|(s, a)| s.clone().or_else(|| a.sharding().cloned()).unwrap_or_else(|| NamedSharding::replicated(&mesh)))
            .collect();
        return Ok(Backend::Spmd(spmd::compile(&mclient, graph, name, &mesh, in_sh, &opts.out_shardings)?));
    }
    // donated inputs (positions among the dynamic arguments) alias an unclaimed output of their type
    let outs = graph.out_avals();
    let mut taken = vec![false; outs.len()];
    let mut aliases = Vec::new();
    for &d in &opts.donate_argnums {
        let Some(pos) = dyn_index.iter().position(|&i| i == d) else { continue };
        let a = graph.aval(graph.invars[pos]);
        if let Some(o) = (0..outs.len()).find(|&o| !taken[o] && outs[o].shape == a.shape && outs[o].dtype == a.dtype) {
            taken[o] = true;
            aliases.push((pos, o));
        }
    }
    let module = module_name(name);
    let text = crate::lower::stablehlo::lower_with_aliases(&graph, &module, &aliases)?;
    let exe = build_executable(&client, &text, &compile_options(1, 1), name, graph)?;
    let consts = graph.consts.iter().map(|(_, c)| client.buffer_from_host(c.host()?, 0)).collect::<Result<_>>()?;
    Ok(Backend::Xla { exe, consts })
}

/// Compiles module text (or loads it from the persistent cache), counting builds.
pub(crate) fn build_executable(client: &Arc<Client>, text: &str, options: &[u8], name: &str, g: &Graph) -> Result<Executable> {
    // results beyond the host's memory are refused before XLA sees the
    // program: the CPU plugin dies (SIGFPE) compiling such a program
    crate::runtime::host::check_alloc(name, &g.out_avals())?;
    let t = Instant::now();
    if std::env::var("JAXCORE_DUMP_MLIR").as_deref() == Ok("1") {
        eprintln!("jaxcore: StableHLO of {name}:\n{text}");
    }
    // the persistent cache key: program, plugin identity and version, options
    let mut key = text.as_bytes().to_vec();
    key.extend_from_slice(format!("\n--plugin {} {:?} {} {}\n", client.plugin.path.display(), client.plugin.version, client.platform, client.platform_version()).as_bytes());
    key.extend_from_slice(options);
    let cached = crate::runtime::compile_cache::load(&key).and_then(|bytes| client.deserialize(&bytes).ok());
    let hit = cached.is_some();
    THREAD_BUILDS.with(|c| c.set(c.get() + 1));
    if hit {
        THREAD_CACHE_HITS.with(|c| c.set(c.get() + 1));
    }
    let exe = match cached {
        Some(e) => e,
        None => {
            let e = client.compile(text, options).map_err(|e| e.context(format!("compiling {name}")))?;
            COMPILES.fetch_add(1, Ordering::Relaxed);
            // serializing costs a little; skip it when there is no cache to keep it
            if crate::runtime::compile_cache::dir().is_some() {
                if let Ok(bytes) = e.serialize() {
                    crate::runtime::compile_cache::store(&key, &bytes);
                }
            }
            e
        }
    };
    if std::env::var("JAXCORE_LOG_COMPILES").as_deref() == Ok("1") {
        let how = if hit { "loaded from the compilation cache" } else { "compiled" };
        eprintln!("jaxcore: {how} {name} for [{}] in {:.1} ms", crate::prim::avals_str(&g.in_avals()), t.elapsed().as_secs_f64() * 1e3);
    }
    Ok(exe)
}

/// A module name MLIR accepts.
pub(crate) fn module_name(name: &str) -> String {
    let s: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    format!("jit_{}", s.trim_matches('_'))
}

pub(crate) fn run(exe: &Executable, consts: &[Buffer], g: &Graph, args: &[Array], donated: &[usize]) -> Result<Vec<Array>> {
    let client = crate::runtime::default_client().expect("compiled, so a client exists");
    // arguments that are not (yet) on this client's device 0 come through the host
    let mut uploaded: Vec<(usize, Buffer)> = Vec::new();
    for (i, (x, v)) in args.iter().zip(&g.invars).enumerate() {
        let want = g.aval(*v);
        if x.shape() != &want.shape[..] || x.dtype() != want.dtype {
            crate::bail!(Type, "argument {i} has type {} but the function was compiled for {}", x.aval(), want);
        }
        let usable = matches!(x.device_buffer(), Some((b, 0)) if Arc::ptr_eq(b.client(), &client));
        if !usable && (donated.contains(&i) || x.cached_device_copy(&client)?.is_none()) {
            uploaded.push((i, client.buffer_from_host(x.host()?, 0)?));
        }
    }
    let mut up = uploaded.iter().peekable();
    let mut bufs: Vec<&Buffer> = Vec::with_capacity(consts.len() + args.len());
    bufs.extend(consts);
    for (i, x) in args.iter().enumerate() {
        bufs.push(match up.next_if(|(k, _)| *k == i) {
            Some((_, b)) => b,
            None => match x.device_buffer() {
                Some((b, _)) => b,
                None => x.cached_device_copy(&client)?.expect("made above"),
            },
        });
    }
    let outs = exe.execute(&bufs)?;
    Ok(outs.into_iter().zip(&g.outvars).map(|(b, a)| Array::from_device(b, 0, g.atom_aval(a))).collect())
}
