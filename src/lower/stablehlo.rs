//! Graph -> StableHLO MLIR text: one module with `func.func public @main`.
//! Consts become leading arguments (so large arrays are not printed),
//! literals become `stablehlo.constant`s. Every primitive lowers here, in
//! one exhaustive `match`; ops are printed in MLIR's generic form, which the
//! parser accepts for every dialect (special functions use CHLO, which XLA
//! legalizes, as JAX's own lowering does).

use crate::dtype::DType;
use crate::error::Result;
use crate::ir::{Atom, Aval, Graph};
use crate::prim::*;
use std::fmt::Write;

pub fn elem_type(d: DType) -> &'static str {
    use DType::*;
    match d {
        Bool => "i1",
        I8 => "i8",
        I16 => "i16",
        I32 => "i32",
        I64 => "i64",
        U8 => "ui8",
        U16 => "ui16",
        U32 => "ui32",
        U64 => "ui64",
        F16 => "f16",
        BF16 => "bf16",
        F32 => "f32",
        F64 => "f64",
        C64 => "complex<f32>",
        C128 => "complex<f64>",
    }
}

pub fn tensor_type(shape: &[usize], d: DType) -> String {
    let mut s = String::from("tensor<");
    for x in shape {
        let _ = write!(s, "{x}x");
    }
    s + elem_type(d) + ">"
}

fn ty(a: &Aval) -> String {
    tensor_type(&a.shape, a.dtype)
}

fn i64s(v: &[usize]) -> String {
    format!("array<i64{}{}>", if v.is_empty() { "" } else { ": " }, v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", "))
}
fn list(v: &[usize]) -> String {
    format!("[{}]", v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", "))
}

/// The MLIR text of one scalar value of `d` (floats as exact hex bits).
fn scalar_text(d: DType, v: f64) -> String {
    match d {
        DType::Bool => (if v != 0.0 { "true" } else { "false" }).into(),
        DType::F16 => format!("0x{:04X}", half::f16::from_f64(v).to_bits()),
        DType::BF16 => format!("0x{:04X}", half::bf16::from_f64(v).to_bits()),
        DType::F32 => format!("0x{:08X}", (v as f32).to_bits()),
        DType::F64 => format!("0x{:016X}", v.to_bits()),
        DType::C64 | DType::C128 => format!("({}, {})", scalar_text(d.real_part(), v), scalar_text(d.real_part(), 0.0)),
        d if d.is_unsigned_int() => format!("{}", v as u64),
        _ => format!("{}", v as i64),
    }
}

/// A value in the function being emitted: its SSA name and type.
#[derive(Clone)]
struct V {
    name: String,
    aval: Aval,
}

struct Emitter {
    body: String,
    next: usize,
    indent: &'static str,
}

impl Emitter {
    fn fresh(&mut self) -> String {
        self.next += 1;
        format!("%{}", self.next - 1)
    }
    /// `%r = "dialect.op"(operands) {attrs} : (types) -> type`
    fn op(&mut self, name: &str, ins: &[&V], attrs: &str, out: &Aval) -> V {
        let r = self.fresh();
        let names: Vec<&str> = ins.iter().map(|v| v.name.as_str()).collect();
        let tys: Vec<String> = ins.iter().map(|v| ty(&v.aval)).collect();
        let attrs = if attrs.is_empty() { String::new() } else { format!(" {{{attrs}}}") };
        let _ = writeln!(self.body, "{}{r} = \"{name}\"({}){attrs} : ({}) -> {}", self.indent, names.join(", "), tys.join(", "), ty(out));
        V { name: r, aval: out.clone() }
    }
    fn constant(&mut self, d: DType, v: f64, shape: &[usize]) -> V {
        let r = self.fresh();
        let a = Aval::new(shape, d);
        let _ = writeln!(self.body, "{}{r} = stablehlo.constant dense<{}> : {}", self.indent, scalar_text(d, v), ty(&a));
        V { name: r, aval: a }
    }
    /// A constant holding an array's bytes (little-endian hex).
    fn constant_array(&mut self, h: &crate::runtime::host::HostData, aval: &Aval) -> V {
        let r = self.fresh();
        let text = if h.len() == 1 && !aval.dtype.is_complex() {
            if aval.dtype.is_float() || aval.dtype.is_bool() {
                scalar_text(aval.dtype, h.first_f64())
            } else {
                h.first_i128().to_string() // exact for 64-bit ints
            }
        } else {
            let bytes = h.to_bytes();
            let mut s = String::from("\"0x");
            for b in bytes {
                let _ = write!(s, "{b:02X}");
            }
            s + "\""
        };
        let _ = writeln!(self.body, "{}{r} = stablehlo.constant dense<{text}> : {}", self.indent, ty(aval));
        V { name: r, aval: aval.clone() }
    }
    fn broadcast(&mut self, x: &V, shape: &[usize], dims: &[usize]) -> V {
        if x.aval.shape == shape {
            return x.clone();
        }
        let out = Aval::new(shape, x.aval.dtype);
        self.op("stablehlo.broadcast_in_dim", &[x], &format!("broadcast_dimensions = {}", i64s(dims)), &out)
    }
    fn full(&mut self, d: DType, v: f64, shape: &[usize]) -> V {
        let c = self.constant(d, v, &[]);
        self.broadcast(&c, shape, &[])
    }
    fn convert(&mut self, x: &V, d: DType) -> V {
        if x.aval.dtype == d {
            return x.clone();
        }
        if x.aval.dtype.is_complex() && !d.is_complex() {
            // complex -> real keeps the real part (as JAX's convert_element_type)
            let re = self.op("stablehlo.real", &[x], "", &x.aval.with_dtype(x.aval.dtype.real_part()));
            return self.convert(&re, d);
        }
        self.op("stablehlo.convert", &[x], "", &x.aval.with_dtype(d))
    }
    fn bin(&mut self, name: &str, a: &V, b: &V) -> V {
        let out = a.aval.clone();
        self.op(name, &[a, b], "", &out)
    }
    fn compare(&mut self, dir: &str, a: &V, b: &V) -> V {
        let t = compare_type(a.aval.dtype);
        let out = a.aval.with_dtype(DType::Bool);
        self.op("stablehlo.compare", &[a, b], &format!("comparison_direction = #stablehlo<comparison_direction {dir}>, compare_type = #stablehlo<comparison_type {t}>"), &out)
    }
    fn select(&mut self, p: &V, a: &V, b: &V) -> V {
        let out = a.aval.clone();
        self.op("stablehlo.select", &[p, a, b], "", &out)
    }
    /// A region `({ ^bb0(args): body; return })` built by `f` in a nested emitter.
    fn region(&mut self, args: &[Aval], f: impl FnOnce(&mut Emitter, &[V]) -> Vec<V>) -> String {
        let block = self.block(args, |r, a| Ok(f(r, a))).expect("infallible");
        format!("({block})")
    }
    /// One block `{ ^bb0(args): body; return }` built by `f` in a nested
    /// emitter (which may use values of the enclosing one).
    fn block(&mut self, args: &[Aval], f: impl FnOnce(&mut Emitter, &[V]) -> Result<Vec<V>>) -> Result<String> {
        let mut inner = Emitter { body: String::new(), next: self.next, indent: "      " };
        let params: Vec<V> = args.iter().map(|a| V { name: inner.fresh().replace('%', "%r"), aval: a.clone() }).collect();
        let outs = f(&mut inner, &params)?;
        self.next = inner.next;
        let ps: Vec<String> = params.iter().map(|p| format!("{}: {}", p.name, ty(&p.aval))).collect();
        let names: Vec<&str> = outs.iter().map(|v| v.name.as_str()).collect();
        let tys: Vec<String> = outs.iter().map(|v| ty(&v.aval)).collect();
        let label = if ps.is_empty() { String::new() } else { format!("    ^bb0({}):\n", ps.join(", ")) };
        Ok(format!("{{\n{label}{}      \"stablehlo.return\"({}) : ({}) -> ()\n    }}", inner.body, names.join(", "), tys.join(", ")))
    }
    /// An op with one region: `%r:n = "op"(ins) REGION {attrs} : (types) -> (outs)`.
    fn region_op(&mut self, name: &str, ins: &[&V], region: String, attrs: &str, outs: &[Aval]) -> Vec<V> {
        let r = self.fresh();
        let names: Vec<&str> = ins.iter().map(|v| v.name.as_str()).collect();
        let tys: Vec<String> = ins.iter().map(|v| ty(&v.aval)).collect();
        let otys: Vec<String> = outs.iter().map(ty).collect();
        let lhs = if outs.len() == 1 { r.clone() } else { format!("{r}:{}", outs.len()) };
        let attrs = if attrs.is_empty() { String::new() } else { format!(" {{{attrs}}}") };
        let _ = writeln!(self.body, "{}{lhs} = \"{name}\"({}) {region}{attrs} : ({}) -> ({})", self.indent, names.join(", "), tys.join(", "), otys.join(", "));
        if outs.len() == 1 {
            vec![V { name: r, aval: outs[0].clone() }]
        } else {
            outs.iter().enumerate().map(|(i, a)| V { name: format!("{r}#{i}"), aval: a.clone() }).collect()
        }
    }
}

fn compare_type(d: DType) -> &'static str {
    if d.is_inexact() {
        "FLOAT"
    } else if d.is_signed_int() {
        "SIGNED"
    } else {
        "UNSIGNED"
    }
}

/// The identity of a reduction for `d` (as an f64 converted by the cast rules).
fn reduce_init(op: ReduceOp, d: DType) -> f64 {
    let (lo, hi) = if d.is_float() {
        (f64::NEG_INFINITY, f64::INFINITY)
    } else if d.is_signed_int() {
        (-(2f64.powi(d.bits() as i32 - 1)), 2f64.powi(d.bits() as i32 - 1) - 1.0)
    } else if d.is_bool() {
        (0.0, 1.0)
    } else {
        (0.0, 2f64.powi(d.bits() as i32) - 1.0)
    };
    match op {
        ReduceOp::Sum | ReduceOp::Or => 0.0,
        ReduceOp::Prod => 1.0,
        ReduceOp::Max => lo,
        ReduceOp::Min => hi,
        ReduceOp::And => {
            if d.is_bool() {
                1.0
            } else if d.is_signed_int() {
                -1.0
            } else {
                hi
            }
        }
    }
}

fn reduce_op_name(op: ReduceOp) -> &'static str {
    match op {
        ReduceOp::Sum => "stablehlo.add",
        ReduceOp::Prod => "stablehlo.multiply",
        ReduceOp::Max => "stablehlo.maximum",
        ReduceOp::Min => "stablehlo.minimum",
        ReduceOp::And => "stablehlo.and",
        ReduceOp::Or => "stablehlo.or",
    }
}

/// Lowers `g` to a StableHLO module; its arguments are the graph's consts
/// (in order) followed by its inputs.
pub fn lower(g: &Graph, name: &str) -> Result<String> {
    lower_with_aliases(g, name, &[])
}

/// Like `lower`, with `(input, output)` pairs whose buffers alias (donated
/// inputs): the input's memory is reused for the output.
pub fn lower_with_aliases(g: &Graph, name: &str, aliases: &[(usize, usize)]) -> Result<String> {
    lower_module(g, name, aliases, None)
}

/// How a program over a mesh is annotated: the number of partitions and
/// GSPMD sharding texts of the arguments (consts first) and the results.
pub struct Partitioning<'a> {
    pub partitions: usize,
    pub args: &'a [String],
    pub results: &'a [String],
}

/// The module text, with aliases and, for a mesh, sharding annotations.
pub fn lower_module(g: &Graph, name: &str, aliases: &[(usize, usize)], part: Option<&Partitioning>) -> Result<String> {
    let saved = EXTRA_FUNCS.with(|f| std::mem::take(&mut *f.borrow_mut()));
    let r = lower_main(g, name, aliases, part);
    let extra = EXTRA_FUNCS.with(|f| std::mem::replace(&mut *f.borrow_mut(), saved));
    let text = r?;
    Ok(match text.rfind("}\n") {
        Some(at) if !extra.is_empty() => format!("{}{}}}\n", &text[..at], extra.concat()),
        _ => text,
    })
}

fn lower_main(g: &Graph, name: &str, aliases: &[(usize, usize)], part: Option<&Partitioning>) -> Result<String> {
    let mut e = Emitter { body: String::new(), next: 0, indent: "    " };
    let mut env: Vec<Option<V>> = vec![None; g.avals.len()];
    let mut params = Vec::new();
    let nconst = g.consts.len();
    for (i, v) in g.consts.iter().map(|(v, _)| v).chain(g.invars.iter()).enumerate() {
        let a = g.aval(*v).clone();
        let mut attrs: Vec<String> = Vec::new();
        if let Some(p) = part {
            attrs.push(format!("mhlo.sharding = \"{}\"", p.args[i]));
        }
        if let Some((_, o)) = aliases.iter().find(|(inp, _)| inp + nconst == i) {
            attrs.push(format!("tf.aliasing_output = {o} : i32"));
        }
        let attrs = if attrs.is_empty() { String::new() } else { format!(" {{{}}}", attrs.join(", ")) };
        params.push(format!("%arg{i}: {}{attrs}", ty(&a)));
        env[v.0 as usize] = Some(V { name: format!("%arg{i}"), aval: a });
    }
    let read = |e: &mut Emitter, env: &Vec<Option<V>>, a: &Atom| -> Result<V> {
        match a {
            Atom::Var(v) => Ok(env[v.0 as usize].clone().expect("graph is well formed")),
            Atom::Lit(x) => Ok(e.constant_array(x.host()?, x.aval())),
        }
    };
    for eq in &g.eqns {
        let ins: Vec<V> = eq.inputs.iter().map(|a| read(&mut e, &env, a)).collect::<Result<_>>()?;
        let outs: Vec<Aval> = eq.outputs.iter().map(|v| g.aval(*v).clone()).collect();
        let vals = lower_eqn(&mut e, &eq.prim, &ins, &outs).map_err(|err| err.context(format!("lowering {}", eq.prim.name())))?;
        for (v, x) in eq.outputs.iter().zip(vals) {
            env[v.0 as usize] = Some(x);
        }
    }
    let outs: Vec<V> = g.outvars.iter().map(|a| read(&mut e, &env, a)).collect::<Result<_>>()?;
    let otys: Vec<String> = outs.iter().map(|v| ty(&v.aval)).collect();
    let onames: Vec<&str> = outs.iter().map(|v| v.name.as_str()).collect();
    let ret = if outs.is_empty() { "    return\n".to_string() } else { format!("    return {} : {}\n", onames.join(", "), otys.join(", ")) };
    let results: Vec<String> = match part {
        Some(p) => otys.iter().zip(p.results).map(|(t, s)| format!("{t} {{mhlo.sharding = \"{s}\"}}")).collect(),
        None => otys.clone(),
    };
    Ok(format!(
        "module @{name} attributes {{mhlo.num_partitions = {} : i32, mhlo.num_replicas = 1 : i32}} {{\n  func.func public @main({}) -> ({}) {{\n{}{ret}  }}\n}}\n",
        part.map(|p| p.partitions).unwrap_or(1),
        params.join(", "),
        results.join(", "),
        e.body
    ))
}

fn lower_eqn(e: &mut Emitter, p: &Prim, ins: &[V], outs: &[Aval]) -> Result<Vec<V>> {
    use Prim::*;
    let out = &outs[0];
    let one = |v: V| Ok(vec![v]);
    // rank-0 operands of elementwise ops broadcast to the result shape
    let full = |e: &mut Emitter, v: &V| -> V {
        if v.aval.shape.is_empty() && !out.shape.is_empty() {
            e.broadcast(v, &out.shape, &[])
        } else {
            v.clone()
        }
    };
    match p {
        Unary(op) => one(lower_unary(e, *op, &ins[0], out)),
        IntegerPow { y } => {
            let x = &ins[0];
            if *y == 0 {
                return one(e.full(out.dtype, 1.0, &out.shape));
            }
            // repeated squaring, as JAX's lowering expands it
            let (mut acc, mut base, mut n) = (None::<V>, x.clone(), y.unsigned_abs());
            while n > 0 {
                if n & 1 == 1 {
                    acc = Some(match acc {
                        None => base.clone(),
                        Some(a) => e.bin("stablehlo.multiply", &a, &base),
                    });
                }
                n >>= 1;
                if n > 0 {
                    base = e.bin("stablehlo.multiply", &base, &base);
                }
            }
            let acc = acc.unwrap();
            if *y < 0 {
                let one_ = e.full(out.dtype, 1.0, &out.shape);
                return one(e.bin("stablehlo.divide", &one_, &acc));
            }
            one(acc)
        }
        Binary(op) => {
            let a = full(e, &ins[0]);
            let mut b = full(e, &ins[1]);
            if *op == BinaryOp::Pow && b.aval.dtype != a.aval.dtype {
                b = e.convert(&b, a.aval.dtype);
            }
            let name = match op {
                BinaryOp::Add => "stablehlo.add",
                BinaryOp::Sub => "stablehlo.subtract",
                BinaryOp::Mul => "stablehlo.multiply",
                BinaryOp::Div => "stablehlo.divide",
                BinaryOp::Rem => "stablehlo.remainder",
                BinaryOp::Pow => "stablehlo.power",
                BinaryOp::Max => "stablehlo.maximum",
                BinaryOp::Min => "stablehlo.minimum",
                BinaryOp::Atan2 => "stablehlo.atan2",
                BinaryOp::And => "stablehlo.and",
                BinaryOp::Or => "stablehlo.or",
                BinaryOp::Xor => "stablehlo.xor",
                BinaryOp::ShiftLeft => "stablehlo.shift_left",
                BinaryOp::ShiftRightLogical => "stablehlo.shift_right_logical",
                BinaryOp::ShiftRightArithmetic => "stablehlo.shift_right_arithmetic",
                BinaryOp::Nextafter => "chlo.next_after",
            };
            one(e.op(name, &[&a, &b], "", out))
        }
        Compare(op) => {
            let (a, b) = (full(e, &ins[0]), full(e, &ins[1]));
            let dir = match op {
                CmpOp::Eq => "EQ",
                CmpOp::Ne => "NE",
                CmpOp::Lt => "LT",
                CmpOp::Le => "LE",
                CmpOp::Gt => "GT",
                CmpOp::Ge => "GE",
            };
            one(e.compare(dir, &a, &b))
        }
        Complex(op) => {
            let x = &ins[0];
            match op {
                ComplexOp::Real => one(e.op("stablehlo.real", &[x], "", out)),
                ComplexOp::Imag => one(e.op("stablehlo.imag", &[x], "", out)),
                ComplexOp::Make => one(e.op("stablehlo.complex", &[x, &ins[1]], "", out)),
                ComplexOp::Conj => {
                    let part = x.aval.with_dtype(x.aval.dtype.real_part());
                    let re = e.op("stablehlo.real", &[x], "", &part);
                    let im = e.op("stablehlo.imag", &[x], "", &part);
                    let neg = e.op("stablehlo.negate", &[&im], "", &part);
                    one(e.op("stablehlo.complex", &[&re, &neg], "", out))
                }
            }
        }
        Fft { kind, lengths } => {
            let attrs = format!("fft_type = #stablehlo<fft_type {}>, fft_length = {}", kind.name(), i64s(lengths));
            one(e.op("stablehlo.fft", &[&ins[0]], &attrs, out))
        }
        SelectN => {
            let which = &ins[0];
            let cases = &ins[1..];
            if which.aval.dtype == DType::Bool {
                let w = if cases.len() == 1 { return one(cases[0].clone()) } else { which };
                return one(e.select(w, &cases[1], &cases[0]));
            }
            // cases[k] where which >= k, for k = 1.. (out-of-range which clamps)
            let mut r = cases[0].clone();
            for (k, c) in cases.iter().enumerate().skip(1) {
                let kk = e.full(DType::I32, k as f64, &which.aval.shape);
                let ge = e.compare("GE", which, &kk);
                r = e.select(&ge, c, &r);
            }
            one(r)
        }
        Clamp => one(e.op("stablehlo.clamp", &[&ins[0], &ins[1], &ins[2]], "", out)),
        ConvertElementType { to, .. } => one(e.convert(&ins[0], *to)),
        BitcastConvertType { .. } => one(e.op("stablehlo.bitcast_convert", &[&ins[0]], "", out)),
        StopGradient => one(ins[0].clone()),
        Collective(c) => one(lower_collective(e, c, ins, out)?),
        ShardMap(sm) => lower_shard_map(e, sm, ins, outs),
        ShardingConstraint { sharding } => {
            let attrs = format!("call_target_name = \"Sharding\", mhlo.sharding = \"{}\"", sharding.hlo(out.ndim()));
            one(e.op("stablehlo.custom_call", &[&ins[0]], &attrs, out))
        }
        BroadcastInDim { shape, dims } => one(e.broadcast(&ins[0], shape, dims)),
        Reshape { .. } | Squeeze { .. } => one(e.op("stablehlo.reshape", &[&ins[0]], "", out)),
        Transpose { perm } => one(e.op("stablehlo.transpose", &[&ins[0]], &format!("permutation = {}", i64s(perm)), out)),
        Rev { dims } => one(e.op("stablehlo.reverse", &[&ins[0]], &format!("dimensions = {}", i64s(dims)), out)),
        Slice { start, limit, strides } => one(e.op(
            "stablehlo.slice",
            &[&ins[0]],
            &format!("start_indices = {}, limit_indices = {}, strides = {}", i64s(start), i64s(limit), i64s(strides)),
            out,
        )),
        DynamicSlice { sizes } => {
            let idx = common_index_type(e, &ins[1..]);
            let mut args: Vec<&V> = vec![&ins[0]];
            args.extend(idx.iter());
            one(e.op("stablehlo.dynamic_slice", &args, &format!("slice_sizes = {}", i64s(sizes)), out))
        }
        DynamicUpdateSlice => {
            let idx = common_index_type(e, &ins[2..]);
            let mut args: Vec<&V> = vec![&ins[0], &ins[1]];
            args.extend(idx.iter());
            one(e.op("stablehlo.dynamic_update_slice", &args, "", out))
        }
        Concatenate { dim } => {
            let args: Vec<&V> = ins.iter().collect();
            one(e.op("stablehlo.concatenate", &args, &format!("dimension = {dim} : i64"), out))
        }
        Pad { config } => {
            let lo: Vec<String> = config.iter().map(|c| c.0.to_string()).collect();
            let hi: Vec<String> = config.iter().map(|c| c.1.to_string()).collect();
            let it: Vec<String> = config.iter().map(|c| c.2.to_string()).collect();
            let arr = |v: &[String]| format!("array<i64{}{}>", if v.is_empty() { "" } else { ": " }, v.join(", "));
            one(e.op(
                "stablehlo.pad",
                &[&ins[0], &ins[1]],
                &format!("edge_padding_low = {}, edge_padding_high = {}, interior_padding = {}", arr(&lo), arr(&hi), arr(&it)),
                out,
            ))
        }
        Iota { dim, .. } => one(e.op("stablehlo.iota", &[], &format!("iota_dimension = {dim} : i64"), out)),
        Gather { dims, slice_sizes, mode, fill } => one(lower_gather(e, dims, slice_sizes, *mode, fill.map(|f| f.0), &ins[0], &ins[1], out)),
        Scatter { dims, op, mode } => one(lower_scatter(e, dims, *op, *mode, &ins[0], &ins[1], &ins[2], out)),
        Reduce { op, axes } => {
            let d = ins[0].aval.dtype;
            let init = e.constant(d, reduce_init(*op, d), &[]);
            let s = Aval::scalar(d);
            let name = reduce_op_name(*op);
            let region = e.region(&[s.clone(), s], |r, a| vec![r.bin(name, &a[0], &a[1])]);
            Ok(e.region_op("stablehlo.reduce", &[&ins[0], &init], region, &format!("dimensions = {}", i64s(axes)), outs))
        }
        ArgReduce { op, axis, index_dtype } => {
            let x = &ins[0];
            let d = x.aval.dtype;
            let idx = e.op("stablehlo.iota", &[], &format!("iota_dimension = {axis} : i64"), &x.aval.with_dtype(*index_dtype));
            let vinit = e.constant(d, reduce_init(if *op == ArgOp::ArgMax { ReduceOp::Max } else { ReduceOp::Min }, d), &[]);
            let iinit = e.constant(*index_dtype, 0.0, &[]);
            let (sv, si) = (Aval::scalar(d), Aval::scalar(*index_dtype));
            let dir = if *op == ArgOp::ArgMax { "GT" } else { "LT" };
            let region = e.region(&[sv.clone(), si.clone(), sv, si], |r, a| {
                let (xv, xi, yv, yi) = (&a[0], &a[1], &a[2], &a[3]);
                let better = r.compare(dir, xv, yv);
                let pick_v = if d.is_float() {
                    let nan = r.compare("NE", xv, xv);
                    r.bin("stablehlo.or", &better, &nan)
                } else {
                    better
                };
                let eq = r.compare("EQ", xv, yv);
                let lt = r.compare("LT", xi, yi);
                let tie = r.bin("stablehlo.and", &eq, &lt);
                let pick_i = r.bin("stablehlo.or", &pick_v, &tie);
                vec![r.select(&pick_v, xv, yv), r.select(&pick_i, xi, yi)]
            });
            let res = e.region_op(
                "stablehlo.reduce",
                &[x, &idx, &vinit, &iinit],
                region,
                &format!("dimensions = {}", i64s(&[*axis])),
                &[out.with_dtype(d), out.clone()],
            );
            one(res[1].clone())
        }
        Cumulative { op, axis, reverse } => {
            let x = &ins[0];
            let d = x.aval.dtype;
            let n = x.aval.shape[*axis];
            let rop = match op {
                CumOp::Sum => ReduceOp::Sum,
                CumOp::Prod => ReduceOp::Prod,
                CumOp::Max => ReduceOp::Max,
                CumOp::Min => ReduceOp::Min,
            };
            let init = e.constant(d, reduce_init(rop, d), &[]);
            let s = Aval::scalar(d);
            let name = reduce_op_name(rop);
            let region = e.region(&[s.clone(), s], |r, a| vec![r.bin(name, &a[0], &a[1])]);
            let r = x.aval.ndim();
            let win: Vec<usize> = (0..r).map(|i| if i == *axis { n } else { 1 }).collect();
            let pads: Vec<String> = (0..r)
                .map(|i| if i != *axis || n == 0 { "[0, 0]".into() } else if *reverse { format!("[0, {}]", n - 1) } else { format!("[{}, 0]", n - 1) })
                .collect();
            let attrs = format!(
                "window_dimensions = {}, window_strides = {}, padding = dense<[{}]> : tensor<{r}x2xi64>",
                i64s(&win),
                i64s(&vec![1; r]),
                pads.join(", ")
            );
            Ok(e.region_op("stablehlo.reduce_window", &[x, &init], region, &attrs, outs))
        }
        DotGeneral { dims, .. } => {
            let (a, b) = (e.convert(&ins[0], out.dtype), e.convert(&ins[1], out.dtype));
            let mut parts = Vec::new();
            if !dims.lhs_batch.is_empty() {
                parts.push(format!("lhs_batching_dimensions = {}, rhs_batching_dimensions = {}", list(&dims.lhs_batch), list(&dims.rhs_batch)));
            }
            parts.push(format!("lhs_contracting_dimensions = {}, rhs_contracting_dimensions = {}", list(&dims.lhs_contract), list(&dims.rhs_contract)));
            one(e.op("stablehlo.dot_general", &[&a, &b], &format!("dot_dimension_numbers = #stablehlo.dot<{}>", parts.join(", ")), out))
        }
        Conv(p) => {
            let (a, b) = (e.convert(&ins[0], out.dtype), e.convert(&ins[1], out.dtype));
            let n = p.lhs_spec.len();
            // each operand's layout: the role of every dimension in order
            let layout = |spec: &[usize], first: &str, second: &str| -> String {
                let mut names = vec![String::new(); n];
                names[spec[0]] = first.into();
                names[spec[1]] = second.into();
                for (i, &d) in spec[2..].iter().enumerate() {
                    names[d] = i.to_string();
                }
                format!("[{}]", names.join(", "))
            };
            let pads: Vec<String> = p.padding.iter().map(|(lo, hi)| format!("[{lo}, {hi}]")).collect();
            let attrs = format!(
                "batch_group_count = {} : i64, dimension_numbers = #stablehlo.conv<{}x{}->{}>, feature_group_count = {} : i64, lhs_dilation = {}, padding = dense<[{}]> : tensor<{}x2xi64>, rhs_dilation = {}, window_strides = {}",
                p.batch_groups,
                layout(&p.lhs_spec, "b", "f"),
                layout(&p.rhs_spec, "o", "i"),
                layout(&p.out_spec, "b", "f"),
                p.feature_groups,
                i64s(&p.lhs_dilation),
                pads.join(", "),
                pads.len(),
                i64s(&p.rhs_dilation),
                i64s(&p.strides)
            );
            one(e.op("stablehlo.convolution", &[&a, &b], &attrs, out))
        }
        Sort { dim, num_keys, stable } => {
            let scal: Vec<Aval> = ins.iter().flat_map(|v| [Aval::scalar(v.aval.dtype), Aval::scalar(v.aval.dtype)]).collect();
            let nk = *num_keys;
            let region = e.region(&scal, |r, a| {
                // lexicographic "less than" over the keys; NaN sorts last, NaN == NaN
                let mut res: Option<V> = None;
                for k in (0..nk).rev() {
                    let (x, y) = (&a[2 * k], &a[2 * k + 1]);
                    let (lt, eq) = if x.aval.dtype.is_float() {
                        let lt0 = r.compare("LT", x, y);
                        let xn = r.compare("NE", x, x);
                        let yn = r.compare("NE", y, y);
                        let t = r.full(DType::Bool, 1.0, &[]);
                        let xnn = r.bin("stablehlo.xor", &xn, &t);
                        let nan_last = r.bin("stablehlo.and", &xnn, &yn);
                        let lt = r.bin("stablehlo.or", &lt0, &nan_last);
                        let eq0 = r.compare("EQ", x, y);
                        let both = r.bin("stablehlo.and", &xn, &yn);
                        (lt, r.bin("stablehlo.or", &eq0, &both))
                    } else {
                        (r.compare("LT", x, y), r.compare("EQ", x, y))
                    };
                    res = Some(match res {
                        None => lt,
                        Some(rest) => {
                            let tie = r.bin("stablehlo.and", &eq, &rest);
                            r.bin("stablehlo.or", &lt, &tie)
                        }
                    });
                }
                vec![res.unwrap()]
            });
            let args: Vec<&V> = ins.iter().collect();
            Ok(e.region_op("stablehlo.sort", &args, region, &format!("dimension = {dim} : i64, is_stable = {stable}"), outs))
        }
        Threefry2x32 => Ok(lower_threefry(e, ins, out)),
        Call { body, .. } | Remat { body } => lower_inline(e, &body.0, ins),
        CustomJvp(c) => lower_inline(e, &c.body.0, ins),
        CustomVjp(c) => lower_inline(e, &c.body.0, ins),
        CustomLin(_) => crate::bail!(Type, "can't apply forward-mode autodiff (jvp) to a custom_vjp function."),
        // jit runs programs holding callbacks on the interpreter (see prim/control/callback.rs)
        HostCallback(c) => crate::bail!(NotImplemented, "{} cannot be compiled by XLA through the PJRT C API (no host callbacks there): the program runs on the interpreter", c.name()),
        LinearWhile(l) => lower_inline(e, &l.lowered()?, ins),
        Cond { branches } => {
            let ops = &ins[1..];
            let blocks = branches.iter().map(|b| e.block(&[], |r, _| lower_inline(r, &b.0, ops))).collect::<Result<Vec<_>>>()?;
            Ok(e.region_op("stablehlo.case", &[&ins[0]], format!("({})", blocks.join(", ")), "", outs))
        }
        While { cond, body, cond_nconsts, body_nconsts } => {
            let (cc, rest) = ins.split_at(*cond_nconsts);
            let (bc, init) = rest.split_at(*body_nconsts);
            let avals: Vec<Aval> = init.iter().map(|v| v.aval.clone()).collect();
            let with = |consts: &[V], a: &[V]| -> Vec<V> { consts.iter().chain(a).cloned().collect() };
            let cblock = e.block(&avals, |r, a| lower_inline(r, &cond.0, &with(cc, a)))?;
            let bblock = e.block(&avals, |r, a| lower_inline(r, &body.0, &with(bc, a)))?;
            let args: Vec<&V> = init.iter().collect();
            Ok(e.region_op("stablehlo.while", &args, format!("({cblock}, {bblock})"), "", &avals))
        }
        Scan { body, length, reverse, num_consts, num_carry, .. } => lower_scan(e, &body.0, *length, *reverse, *num_consts, *num_carry, ins, outs),
    }
}

/// A scan as a while loop over (step, carry, ys buffers): each step slices
/// the xs at its index and writes the ys there.
#[allow(clippy::too_many_arguments)]
fn lower_scan(e: &mut Emitter, body: &Graph, length: usize, reverse: bool, nc: usize, ncarry: usize, ins: &[V], outs: &[Aval]) -> Result<Vec<V>> {
    let (consts, rest) = ins.split_at(nc);
    let (init, xs) = rest.split_at(ncarry);
    let mut state: Vec<V> = vec![e.constant(DType::I32, 0.0, &[])];
    state.extend(init.iter().cloned());
    for a in &outs[ncarry..] {
        state.push(e.full(a.dtype, 0.0, &a.shape));
    }
    let avals: Vec<Aval> = state.iter().map(|v| v.aval.clone()).collect();
    let cblock = e.block(&avals, |r, a| {
        let n = r.constant(DType::I32, length as f64, &[]);
        Ok(vec![r.compare("LT", &a[0], &n)])
    })?;
    let bblock = e.block(&avals, |r, a| {
        let i = &a[0];
        let idx = if reverse {
            let last = r.constant(DType::I32, length as f64 - 1.0, &[]);
            r.bin("stablehlo.subtract", &last, i)
        } else {
            i.clone()
        };
        let zero = r.constant(DType::I32, 0.0, &[]);
        let mut args: Vec<V> = consts.to_vec();
        args.extend(a[1..1 + ncarry].iter().cloned());
        for x in xs {
            let mut starts: Vec<&V> = vec![&x, &idx];
            starts.extend((1..x.aval.ndim()).map(|_| &zero));
            let mut sizes = x.aval.shape.clone();
            sizes[0] = 1;
            let s = r.op("stablehlo.dynamic_slice", &starts, &format!("slice_sizes = {}", i64s(&sizes)), &x.aval.with_shape(sizes.clone()));
            args.push(r.op("stablehlo.reshape", &[&s], "", &x.aval.with_shape(x.aval.shape[1..].to_vec())));
        }
        let o = lower_inline(r, body, &args)?;
        let one = r.constant(DType::I32, 1.0, &[]);
        let mut ret = vec![r.bin("stablehlo.add", i, &one)];
        ret.extend(o[..ncarry].iter().cloned());
        for (k, y) in o[ncarry..].iter().enumerate() {
            let buf = &a[1 + ncarry + k];
            let mut shape = vec![1];
            shape.extend_from_slice(&y.aval.shape);
            let upd = r.op("stablehlo.reshape", &[y], "", &y.aval.with_shape(shape));
            let mut operands: Vec<&V> = vec![buf, &upd, &idx];
            operands.extend((0..y.aval.ndim()).map(|_| &zero));
            ret.push(r.op("stablehlo.dynamic_update_slice", &operands, "", &buf.aval));
        }
        Ok(ret)
    })?;
    let refs: Vec<&V> = state.iter().collect();
    let res = e.region_op("stablehlo.while", &refs, format!("({cblock}, {bblock})"), "", &avals);
    Ok(res[1..].to_vec())
}

/// Emits a closed sub-graph's equations in place, its inputs bound to `ins`.
fn lower_inline(e: &mut Emitter, g: &Graph, ins: &[V]) -> Result<Vec<V>> {
    let mut env: Vec<Option<V>> = vec![None; g.avals.len()];
    for (v, x) in g.invars.iter().zip(ins) {
        env[v.0 as usize] = Some(x.clone());
    }
    for (v, c) in &g.consts {
        env[v.0 as usize] = Some(e.constant_array(c.host()?, c.aval()));
    }
    let read = |e: &mut Emitter, env: &Vec<Option<V>>, a: &Atom| -> Result<V> {
        match a {
            Atom::Var(v) => Ok(env[v.0 as usize].clone().expect("graph is well formed")),
            Atom::Lit(x) => Ok(e.constant_array(x.host()?, x.aval())),
        }
    };
    for eq in &g.eqns {
        let vals: Vec<V> = eq.inputs.iter().map(|a| read(e, &env, a)).collect::<Result<_>>()?;
        let outs: Vec<Aval> = eq.outputs.iter().map(|v| g.aval(*v).clone()).collect();
        for (v, x) in eq.outputs.iter().zip(lower_eqn(e, &eq.prim, &vals, &outs)?) {
            env[v.0 as usize] = Some(x);
        }
    }
    g.outvars.iter().map(|a| read(e, &env, a)).collect()
}

fn lower_unary(e: &mut Emitter, op: UnaryOp, x: &V, out: &Aval) -> V {
    use UnaryOp::*;
    let name = match op {
        Neg => "stablehlo.negate",
        Sign => "stablehlo.sign",
        Floor => "stablehlo.floor",
        Ceil => "stablehlo.ceil",
        Round => "stablehlo.round_nearest_afz",
        RoundEven => "stablehlo.round_nearest_even",
        IsFinite => "stablehlo.is_finite",
        Exp => "stablehlo.exponential",
        Exp2 => {
            let ln2 = e.full(x.aval.dtype, std::f64::consts::LN_2, &x.aval.shape);
            let m = e.bin("stablehlo.multiply", x, &ln2);
            return e.op("stablehlo.exponential", &[&m], "", out);
        }
        Log => "stablehlo.log",
        Log1p => "stablehlo.log_plus_one",
        Expm1 => "stablehlo.exponential_minus_one",
        Tanh => "stablehlo.tanh",
        Logistic => {
            // JAX's lowering, 1 / (1 + exp(-x)) op by op (XLA's own logistic
            // rounds differently in bfloat16)
            let one = e.full(x.aval.dtype, 1.0, &x.aval.shape);
            let neg = e.op("stablehlo.negate", &[x], "", &x.aval);
            let ex = e.op("stablehlo.exponential", &[&neg], "", &x.aval);
            let den = e.bin("stablehlo.add", &one, &ex);
            return e.op("stablehlo.divide", &[&one, &den], "", out);
        }
        Sin => "stablehlo.sine",
        Cos => "stablehlo.cosine",
        Tan => "chlo.tan",
        Asin => "chlo.asin",
        Acos => "chlo.acos",
        Atan if !x.aval.dtype.is_complex() => {
            // atan(x) = atan2(x, 1) with a 1 XLA cannot see through: the XLA
            // of jaxlib 0.10.2+ (and the plugin built from it) miscompiles
            // its vectorized `atan` for 64+ elements (jax-ml/jax#39352),
            // while atan2 stays right and gives the same bits
            let one = e.constant(x.aval.dtype, 1.0, &[]);
            let hidden = e.op("stablehlo.optimization_barrier", &[&one], "", &one.aval);
            let ones = e.broadcast(&hidden, &x.aval.shape, &[]);
            return e.op("stablehlo.atan2", &[x, &ones], "", out);
        }
        Atan => "chlo.atan",
        Sinh => "chlo.sinh",
        Cosh => "chlo.cosh",
        Asinh => "chlo.asinh",
        Acosh => "chlo.acosh",
        Atanh => "chlo.atanh",
        Sqrt => "stablehlo.sqrt",
        Rsqrt => "stablehlo.rsqrt",
        Cbrt => "stablehlo.cbrt",
        Abs => "stablehlo.abs",
        Not => "stablehlo.not",
        Erf => "chlo.erf",
        Erfc => "chlo.erfc",
        ErfInv => "chlo.erf_inv",
        Lgamma => "chlo.lgamma",
        Digamma => "chlo.digamma",
        Polygamma(m) => {
            let n = e.full(x.aval.dtype, m as f64, &x.aval.shape);
            return e.op("chlo.polygamma", &[&n, x], "", out);
        }
        Square => return e.bin("stablehlo.multiply", x, x),
    };
    e.op(name, &[x], "", out)
}

/// Start indices of dynamic_slice/update converted to one integer type.
fn common_index_type(e: &mut Emitter, idx: &[V]) -> Vec<V> {
    let d = if idx.iter().any(|v| v.aval.dtype.bits() == 64) { DType::I64 } else { DType::I32 };
    idx.iter().map(|v| e.convert(v, d)).collect()
}

fn gather_attr(d: &GatherDims, index_vector_dim: usize) -> String {
    let mut p = vec![format!("offset_dims = {}", list(&d.offset_dims)), format!("collapsed_slice_dims = {}", list(&d.collapsed_slice_dims))];
    if !d.operand_batching_dims.is_empty() {
        p.push(format!("operand_batching_dims = {}", list(&d.operand_batching_dims)));
        p.push(format!("start_indices_batching_dims = {}", list(&d.start_indices_batching_dims)));
    }
    p.push(format!("start_index_map = {}", list(&d.start_index_map)));
    p.push(format!("index_vector_dim = {index_vector_dim}"));
    format!("#stablehlo.gather<{}>", p.join(", "))
}

/// Whether each index vector of `idx` keeps its window in bounds (for the
/// fill/drop modes): shape = idx.shape without the last dim.
fn in_bounds(e: &mut Emitter, idx: &V, bounds: &[i64]) -> V {
    let ishape = idx.aval.shape.clone();
    let last = ishape.len() - 1;
    let d = idx.aval.dtype;
    // upper bound per component, broadcast along the index vector dim
    let n = bounds.len();
    let hb = {
        let r = e.fresh();
        let a = Aval::new(&[n], d);
        let vals: Vec<String> = bounds.iter().map(|b| b.to_string()).collect();
        let _ = writeln!(e.body, "{}{r} = stablehlo.constant dense<[{}]> : {}", e.indent, vals.join(", "), ty(&a));
        V { name: r, aval: a }
    };
    let hb = e.broadcast(&hb, &ishape, &[last]);
    let zero = e.full(d, 0.0, &ishape);
    let ge = e.compare("GE", idx, &zero);
    let le = e.compare("LE", idx, &hb);
    let ok = e.bin("stablehlo.and", &ge, &le);
    let t = e.constant(DType::Bool, 1.0, &[]);
    let s = Aval::scalar(DType::Bool);
    let region = e.region(&[s.clone(), s], |r, a| vec![r.bin("stablehlo.and", &a[0], &a[1])]);
    let out = Aval::new(&ishape[..last], DType::Bool);
    e.region_op("stablehlo.reduce", &[&ok, &t], region, &format!("dimensions = {}", i64s(&[last])), &[out]).pop().unwrap()
}

#[allow(clippy::too_many_arguments)]
fn lower_gather(e: &mut Emitter, d: &GatherDims, sizes: &[usize], mode: IndexMode, fill: Option<f64>, x: &V, idx: &V, out: &Aval) -> V {
    let ivd = idx.aval.ndim() - 1;
    let attrs = format!("dimension_numbers = {}, slice_sizes = {}, indices_are_sorted = false", gather_attr(d, ivd), i64s(sizes));
    let g = e.op("stablehlo.gather", &[x, idx], &attrs, out);
    if mode != IndexMode::FillOrDrop {
        return g; // XLA clamps starts, which is Clip (and PromiseInBounds)
    }
    let bounds: Vec<i64> = d.start_index_map.iter().map(|&k| x.aval.shape[k] as i64 - sizes[k] as i64).collect();
    let ok = in_bounds(e, idx, &bounds);
    let batch_pos: Vec<usize> = (0..out.ndim()).filter(|p| !d.offset_dims.contains(p)).collect();
    let okb = e.broadcast(&ok, &out.shape, &batch_pos);
    let fv = fill.unwrap_or_else(|| crate::prim::indexing::default_fill(out.dtype));
    let f = e.full(out.dtype, fv, &out.shape);
    e.select(&okb, &g, &f)
}

#[allow(clippy::too_many_arguments)]
fn lower_scatter(e: &mut Emitter, d: &ScatterDims, op: ScatterOp, mode: IndexMode, x: &V, idx: &V, upd: &V, out: &Aval) -> V {
    let ivd = idx.aval.ndim() - 1;
    let mut idx = idx.clone();
    if mode == IndexMode::Clip {
        // clamp each start so its window fits, as JAX does before scattering
        let win: Vec<usize> = (0..x.aval.ndim()).filter(|k| !d.inserted_window_dims.contains(k) && !d.operand_batching_dims.contains(k)).collect();
        let mut wsize = vec![1usize; x.aval.ndim()];
        for (k, &od) in win.iter().enumerate() {
            wsize[od] = upd.aval.shape[d.update_window_dims[k]];
        }
        let hi: Vec<String> = d.scatter_dims_to_operand_dims.iter().map(|&k| (x.aval.shape[k] - wsize[k]).to_string()).collect();
        let r = e.fresh();
        let a = Aval::new(&[hi.len()], idx.aval.dtype);
        let _ = writeln!(e.body, "{}{r} = stablehlo.constant dense<[{}]> : {}", e.indent, hi.join(", "), ty(&a));
        let hv = V { name: r, aval: a };
        let hb = e.broadcast(&hv, &idx.aval.shape, &[ivd]);
        let zero = e.full(idx.aval.dtype, 0.0, &idx.aval.shape);
        let m = e.bin("stablehlo.maximum", &idx, &zero);
        idx = e.bin("stablehlo.minimum", &m, &hb);
    }
    let mut p = vec![format!("update_window_dims = {}", list(&d.update_window_dims)), format!("inserted_window_dims = {}", list(&d.inserted_window_dims))];
    if !d.operand_batching_dims.is_empty() {
        p.push(format!("input_batching_dims = {}", list(&d.operand_batching_dims)));
        p.push(format!("scatter_indices_batching_dims = {}", list(&d.scatter_indices_batching_dims)));
    }
    p.push(format!("scatter_dims_to_operand_dims = {}", list(&d.scatter_dims_to_operand_dims)));
    p.push(format!("index_vector_dim = {ivd}"));
    let s = Aval::scalar(out.dtype);
    let region = e.region(&[s.clone(), s], |r, a| {
        vec![match op {
            ScatterOp::Replace => a[1].clone(),
            ScatterOp::Add => r.bin(if out.dtype.is_bool() { "stablehlo.or" } else { "stablehlo.add" }, &a[0], &a[1]),
            ScatterOp::Mul => r.bin(if out.dtype.is_bool() { "stablehlo.and" } else { "stablehlo.multiply" }, &a[0], &a[1]),
            ScatterOp::Min => r.bin("stablehlo.minimum", &a[0], &a[1]),
            ScatterOp::Max => r.bin("stablehlo.maximum", &a[0], &a[1]),
        }]
    });
    let attrs = format!("scatter_dimension_numbers = #stablehlo.scatter<{}>, indices_are_sorted = false, unique_indices = false", p.join(", "));
    e.region_op("stablehlo.scatter", &[x, &idx, upd], region, &attrs, &[out.clone()]).pop().unwrap()
}

/// Threefry-2x32 spelled out in uint32 ops (20 rounds), as JAX lowers it.
fn lower_threefry(e: &mut Emitter, ins: &[V], out: &Aval) -> Vec<V> {
    let shape = out.shape.clone();
    let c = |e: &mut Emitter, v: u32| e.full(DType::U32, v as f64, &shape);
    let (k0, k1) = (ins[0].clone(), ins[1].clone());
    let (mut x0, mut x1) = (ins[2].clone(), ins[3].clone());
    let magic = c(e, 0x1BD1_1BDA);
    let t = e.bin("stablehlo.xor", &k0, &k1);
    let k2 = e.bin("stablehlo.xor", &t, &magic);
    let ks = [k0, k1, k2];
    const ROT: [[u32; 4]; 2] = [[13, 15, 26, 6], [17, 29, 16, 24]];
    x0 = e.bin("stablehlo.add", &x0, &ks[0]);
    x1 = e.bin("stablehlo.add", &x1, &ks[1]);
    for i in 0..5usize {
        for &r in &ROT[i % 2] {
            x0 = e.bin("stablehlo.add", &x0, &x1);
            let (cl, cr) = (c(e, r), c(e, 32 - r));
            let l = e.bin("stablehlo.shift_left", &x1, &cl);
            let rr = e.bin("stablehlo.shift_right_logical", &x1, &cr);
            let rot = e.bin("stablehlo.or", &l, &rr);
            x1 = e.bin("stablehlo.xor", &rot, &x0);
        }
        x0 = e.bin("stablehlo.add", &x0, &ks[(i + 1) % 3]);
        let inc = c(e, i as u32 + 1);
        let k = e.bin("stablehlo.add", &ks[(i + 2) % 3], &inc);
        x1 = e.bin("stablehlo.add", &x1, &k);
    }
    vec![x0, x1]
}

thread_local! {
    /// The mesh of the shard_map whose body is being lowered (collectives
    /// turn axis names into device groups with it).
    static MANUAL_MESH: std::cell::RefCell<Vec<crate::sharding::Mesh>> = const { std::cell::RefCell::new(Vec::new()) };
    /// Private functions (shard_map bodies) of the module being lowered.
    static EXTRA_FUNCS: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// shard_map under XLA's manual sharding: each argument is constrained to
/// its sharding and cut to the local piece, the body works on pieces, and
/// each result is reassembled by its out spec (as JAX lowers it).
fn lower_shard_map(e: &mut Emitter, sm: &crate::prim::control::shard_map::ShardMap, ins: &[V], outs: &[Aval]) -> Result<Vec<V>> {
    let body = &sm.body.0;
    let custom = |e: &mut Emitter, x: &V, target: &str, sharding: &str, out: &Aval| -> V {
        e.op("stablehlo.custom_call", &[x], &format!("call_target_name = \"{target}\", mhlo.sharding = \"{sharding}\""), out)
    };
    let mut locals = Vec::new();
    for ((x, spec), la) in ins.iter().zip(&sm.in_specs).zip(body.in_avals()) {
        let ns = crate::sharding::NamedSharding::new(&sm.mesh, spec.clone())?;
        let s = custom(e, x, "Sharding", &ns.hlo(x.aval.ndim()), &x.aval);
        locals.push(custom(e, &s, "SPMDFullToShardShape", "{manual}", &la));
    }
    // the body is its own function (as JAX lowers it): inlined into the
    // caller, XLA's CSE would share constants between manual and partitioned code
    let fname = EXTRA_FUNCS.with(|f| format!("shmap_body_{}", f.borrow().len()));
    let mut inner = Emitter { body: String::new(), next: 0, indent: "    " };
    let params: Vec<V> = locals.iter().enumerate().map(|(i, v)| V { name: format!("%arg{i}"), aval: v.aval.clone() }).collect();
    MANUAL_MESH.with(|m| m.borrow_mut().push(sm.mesh.clone()));
    let ys = lower_inline(&mut inner, body, &params);
    MANUAL_MESH.with(|m| m.borrow_mut().pop());
    let ys = ys?;
    let ptys: Vec<String> = params.iter().map(|p| format!("{}: {}", p.name, ty(&p.aval))).collect();
    let otys: Vec<String> = ys.iter().map(|y| ty(&y.aval)).collect();
    let onames: Vec<&str> = ys.iter().map(|y| y.name.as_str()).collect();
    let text = format!(
        "  func.func private @{fname}({}) -> ({}) {{\n{}    return {} : {}\n  }}\n",
        ptys.join(", "),
        otys.join(", "),
        inner.body,
        onames.join(", "),
        otys.join(", ")
    );
    EXTRA_FUNCS.with(|f| f.borrow_mut().push(text));
    let local_outs: Vec<Aval> = ys.iter().map(|y| y.aval.clone()).collect();
    let r = e.fresh();
    let lnames: Vec<&str> = locals.iter().map(|v| v.name.as_str()).collect();
    let ltys: Vec<String> = locals.iter().map(|v| ty(&v.aval)).collect();
    let lhs = if ys.len() == 1 { r.clone() } else { format!("{r}:{}", ys.len()) };
    let _ = writeln!(e.body, "{}{lhs} = \"func.call\"({}) {{callee = @{fname}}} : ({}) -> ({})", e.indent, lnames.join(", "), ltys.join(", "), otys.join(", "));
    let ys: Vec<V> = if ys.len() == 1 {
        vec![V { name: r, aval: local_outs[0].clone() }]
    } else {
        local_outs.iter().enumerate().map(|(i, a)| V { name: format!("{r}#{i}"), aval: a.clone() }).collect()
    };
    let mut res = Vec::new();
    for ((y, spec), ga) in ys.iter().zip(&sm.out_specs).zip(outs) {
        let ns = crate::sharding::NamedSharding::new(&sm.mesh, spec.clone())?;
        let s = custom(e, y, "Sharding", "{manual}", &y.aval);
        res.push(custom(e, &s, "SPMDShardToFullShape", &ns.hlo(ga.ndim()), ga));
    }
    Ok(res)
}

/// Device groups of a collective over `axes`: devices that agree on every
/// other mesh axis, each group ordered by the axes (major to minor).
fn device_groups(mesh: &crate::sharding::Mesh, axes: &[String]) -> Result<Vec<Vec<usize>>> {
    let m = mesh.inner();
    let idx: Vec<usize> = axes.iter().map(|a| mesh.axis_index(a)).collect::<Result<_>>()?;
    let mut groups: Vec<(Vec<usize>, Vec<(usize, usize)>)> = Vec::new();
    for k in 0..mesh.size() {
        let c = mesh.coords(k);
        let key: Vec<usize> = (0..m.names.len()).filter(|i| !idx.contains(i)).map(|i| c[i]).collect();
        let pos = idx.iter().fold(0, |acc, &i| acc * m.shape[i] + c[i]);
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => g.1.push((pos, k)),
            None => groups.push((key, vec![(pos, k)])),
        }
    }
    Ok(groups
        .into_iter()
        .map(|(_, mut g)| {
            g.sort();
            g.into_iter().map(|p| p.1).collect()
        })
        .collect())
}

fn dense_i64(rows: &[Vec<usize>]) -> String {
    let n = rows.first().map(|r| r.len()).unwrap_or(0);
    let body: Vec<String> = rows.iter().map(|r| format!("[{}]", r.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", "))).collect();
    format!("dense<[{}]> : tensor<{}x{}xi64>", body.join(", "), rows.len(), n)
}

const CHANNEL: &str = "channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>";

fn lower_collective(e: &mut Emitter, c: &crate::prim::collective::Collective, ins: &[V], out: &Aval) -> Result<V> {
    use crate::prim::collective::CollectiveOp as C;
    let mesh = MANUAL_MESH
        .with(|m| m.borrow().last().cloned())
        .ok_or_else(|| crate::err!(Value, "{} over axes {:?} outside a shard_map cannot be compiled (unbound axis name)", c.name(), c.axes))?;
    let groups = device_groups(&mesh, &c.axes)?;
    let rg = format!("replica_groups = {}", dense_i64(&groups));
    let reducer = |e: &mut Emitter, op: &str, d: DType| e.region(&[Aval::scalar(d), Aval::scalar(d)], |r, a| vec![r.bin(op, &a[0], &a[1])]);
    Ok(match &c.op {
        C::Psum | C::Pmax | C::Pmin => {
            let op = match c.op {
                C::Psum => "stablehlo.add",
                C::Pmax => "stablehlo.maximum",
                _ => "stablehlo.minimum",
            };
            let region = reducer(e, op, out.dtype);
            e.region_op("stablehlo.all_reduce", &[&ins[0]], region, &format!("{CHANNEL}, {rg}, use_global_device_ids"), std::slice::from_ref(out)).remove(0)
        }
        C::AllGather { axis } => e.op("stablehlo.all_gather", &[&ins[0]], &format!("all_gather_dim = {axis} : i64, {CHANNEL}, {rg}, use_global_device_ids"), out),
        C::PsumScatter { dim } => {
            let region = reducer(e, "stablehlo.add", out.dtype);
            e.region_op("stablehlo.reduce_scatter", &[&ins[0]], region, &format!("{CHANNEL}, {rg}, scatter_dimension = {dim} : i64, use_global_device_ids"), std::slice::from_ref(out)).remove(0)
        }
        C::Ppermute { perm } => {
            if perm.is_empty() {
                return Ok(e.full(out.dtype, 0.0, &out.shape));
            }
            let pairs: Vec<Vec<usize>> = groups.iter().flat_map(|g| perm.iter().map(move |&(s, d)| vec![g[s], g[d]])).collect();
            e.op("stablehlo.collective_permute", &[&ins[0]], &format!("{CHANNEL}, source_target_pairs = {}", dense_i64(&pairs)), out)
        }
        C::AllToAll { split, concat } => {
            let n: usize = c.sizes.iter().product();
            e.op("stablehlo.all_to_all", &[&ins[0]], &format!("{CHANNEL}, concat_dimension = {concat} : i64, {rg}, split_count = {n} : i64, split_dimension = {split} : i64"), out)
        }
        C::AxisIndex => {
            let m = mesh.inner();
            let pid = e.op("stablehlo.partition_id", &[], "", &Aval::scalar(DType::U32));
            let mut acc: Option<V> = None;
            for a in &c.axes {
                let i = mesh.axis_index(a)?;
                let stride: usize = m.shape[i + 1..].iter().product();
                let st = e.constant(DType::U32, stride as f64, &[]);
                let sz = e.constant(DType::U32, m.shape[i] as f64, &[]);
                let q = e.bin("stablehlo.divide", &pid, &st);
                let coord = e.bin("stablehlo.remainder", &q, &sz);
                acc = Some(match acc {
                    None => coord,
                    Some(prev) => {
                        let p = e.bin("stablehlo.multiply", &prev, &sz);
                        e.bin("stablehlo.add", &p, &coord)
                    }
                });
            }
            let v = acc.expect("at least one axis");
            e.convert(&v, DType::I32)
        }
    })
}
