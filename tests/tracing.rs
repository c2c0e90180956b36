//! Tracing: golden printed graphs, capture of outer tracers, the signature
//! cache of `Function`, escaped tracers, and traced == eager.

use jaxcore::numpy as jnp;
use jaxcore::trace::eval_graph;
use jaxcore::{make_graph, Array, Aval, DType, Function, Result};

fn f32a(s: &[usize]) -> Aval {
    Aval::new(s, DType::F32)
}

#[test]
fn golden_tanh() {
    let g = make_graph(|x| Ok(vec![jnp::tanh(&x[0])?]), &[Aval::scalar(DType::F32)]).unwrap();
    assert_eq!(g.to_string(), "{ lambda ; a:f32[]. let\n    b:f32[] = tanh a\n  in (b) }");
}

fn mlp(xs: &[Array]) -> Result<Vec<Array>> {
    let (x, w1, b1, w2, b2) = (&xs[0], &xs[1], &xs[2], &xs[3], &xs[4]);
    let h = jnp::tanh(&jnp::add(&jnp::matmul(x, w1)?, b1)?)?;
    Ok(vec![jnp::add(&jnp::matmul(&h, w2)?, b2)?])
}

#[test]
fn golden_two_layer_mlp_forward() {
    let g = make_graph(mlp, &[f32a(&[8, 4]), f32a(&[4, 16]), f32a(&[16]), f32a(&[16, 3]), f32a(&[3])]).unwrap();
    let want = "{ lambda ; a:f32[8,4] b:f32[4,16] c:f32[16] d:f32[16,3] e:f32[3]. let
    f:f32[8,16] = dot_general[dimension_numbers=(((1,), (0,)), ((), ())) preferred_element_type=None] a b
    g:f32[8,16] = broadcast_in_dim[broadcast_dimensions=(1,) shape=(8, 16)] c
    h:f32[8,16] = add f g
    i:f32[8,16] = tanh h
    j:f32[8,3] = dot_general[dimension_numbers=(((1,), (0,)), ((), ())) preferred_element_type=None] i d
    k:f32[8,3] = broadcast_in_dim[broadcast_dimensions=(1,) shape=(8, 3)] e
    l:f32[8,3] = add j k
  in (l) }";
    assert_eq!(g.to_string(), want);
    g.check().unwrap();
}

#[test]
fn weak_scalars_print_as_literals_and_keep_dtype() {
    let g = make_graph(|x| Ok(vec![jnp::multiply(&x[0], &jnp::scalar(2.0))?]), &[Aval::new(&[3], DType::BF16)]).unwrap();
    assert_eq!(
        g.to_string(),
        "{ lambda ; a:bf16[3]. let\n    b:bf16[3] = mul a 2.:bf16[]\n  in (b) }"
    );
}

#[test]
fn traced_graph_evaluates_like_eager_ops() {
    let args: Vec<Array> = [vec![8, 4], vec![4, 16], vec![16], vec![16, 3], vec![3]]
        .iter()
        .enumerate()
        .map(|(i, s)| jaxcore::random::normal(&jaxcore::random::key(i as i64), s, DType::F32).unwrap())
        .collect();
    let g = make_graph(mlp, &args.iter().map(|a| a.aval().clone()).collect::<Vec<_>>()).unwrap();
    let traced = eval_graph(&g, &args).unwrap()[0].to_vec::<f32>().unwrap();
    let eager = mlp(&args).unwrap()[0].to_vec::<f32>().unwrap();
    assert_eq!(traced, eager);
}

#[test]
fn inner_trace_captures_outer_tracer_as_const() {
    // outer traces f(y) = inner(x) where inner closes over the outer tracer y
    let outer = make_graph(
        |ys| {
            let y = ys[0].clone();
            let inner = make_graph(move |xs| Ok(vec![jnp::multiply(&xs[0], &y)?]), &[f32a(&[3])])?;
            assert_eq!(inner.consts.len(), 1, "the outer tracer is an implicit input");
            assert!(inner.has_tracer_consts());
            assert_eq!(inner.to_string(), "{ lambda a:f32[3]; b:f32[3]. let\n    c:f32[3] = mul b a\n  in (c) }");
            // inlining passes it back in: the outer graph multiplies by y
            let x = jnp::ones(&[3], DType::F32)?;
            eval_graph(&inner, &[x])
        },
        &[f32a(&[3])],
    )
    .unwrap();
    assert!(!outer.has_tracer_consts());
    let y = Array::from_slice(&[1.0f32, 2.0, 3.0], &[3]).unwrap();
    assert_eq!(eval_graph(&outer, &[y]).unwrap()[0].to_vec::<f32>().unwrap(), vec![1.0, 2.0, 3.0]);
}

#[test]
fn escaped_tracer_is_an_error_not_a_crash() {
    let leaked = std::sync::Mutex::new(None);
    make_graph(
        |x| {
            *leaked.lock().unwrap() = Some(x[0].clone());
            Ok(vec![x[0].clone()])
        },
        &[f32a(&[2])],
    )
    .unwrap();
    let t = leaked.lock().unwrap().take().unwrap();
    // used outside its trace: eager ops need a concrete value
    let e = jnp::exp(&t).unwrap_err();
    assert_eq!(e.kind, jaxcore::ErrorKind::Tracer, "{e}");
    // used inside another trace: an UnexpectedTracerError
    let e = make_graph(|x| Ok(vec![jnp::add(&x[0], &t)?]), &[f32a(&[2])]).unwrap_err();
    assert!(e.msg.contains("UnexpectedTracerError"), "{e}");
}

#[test]
fn errors_inside_a_trace_leave_the_trace_stack_clean() {
    let e = make_graph(|x| Ok(vec![jaxcore::lax::add(&x[0], &jnp::ones(&[4], DType::F32)?)?]), &[f32a(&[3])]).unwrap_err();
    assert!(e.msg.contains("incompatible shapes"), "{e}");
    assert!(!jaxcore::trace::is_tracing());
}

#[test]
fn function_caches_graphs_by_signature() {
    let f = Function::new("sq", |x| Ok(vec![jnp::multiply(&x[0], &x[0])?]));
    let g1 = f.graph(&[f32a(&[3])]).unwrap();
    let g2 = f.graph(&[f32a(&[3])]).unwrap();
    assert!(std::sync::Arc::ptr_eq(&g1, &g2));
    assert_eq!(f.cache_size(), 1);
    f.graph(&[f32a(&[4])]).unwrap();
    f.graph(&[Aval::new(&[3], DType::F64)]).unwrap();
    assert_eq!(f.cache_size(), 3);
    // weak-typed inputs are another signature
    f.graph(&[f32a(&[3]).weak(true)]).unwrap();
    assert_eq!(f.cache_size(), 4);
}

#[test]
fn graph_check_catches_a_corrupted_graph() {
    let mut g = make_graph(|x| Ok(vec![jnp::exp(&x[0])?]), &[f32a(&[3])]).unwrap();
    g.check().unwrap();
    g.avals[1] = f32a(&[4]);
    assert!(g.check().unwrap_err().msg.contains("records f32[4] but its rule gives f32[3]"));
}

/// f(x) = 3x² if x < 3 else -4x, deciding on the value as Python code would.
fn branchy() -> Function {
    Function::new("branchy", |xs| {
        let x = &xs[0];
        let below = jaxcore::trace::known_value(&jnp::less(x, &jnp::scalar(3.0))?)?.expect("a known value");
        Ok(vec![if below.item_f64()? != 0.0 {
            jnp::multiply(&jnp::scalar(3.0), &jnp::multiply(x, x)?)?
        } else {
            jnp::multiply(&jnp::scalar(-4.0), x)?
        }])
    })
}

#[test]
fn values_are_known_under_grad_outside_jit() {
    // JAX's JVP tracers carry their primal: control flow on values works under
    // grad (and grad of grad), and each call traces for its own values
    let g = jaxcore::transform::grad(&branchy());
    let at = |x: f32| g.call(&[Array::scalar(x)]).unwrap()[0].to_vec::<f32>().unwrap()[0];
    assert_eq!(at(2.0), 12.0);
    assert_eq!(at(4.0), -4.0);
    assert_eq!(at(2.5), 15.0);
    let gg = jaxcore::transform::grad(&jaxcore::transform::grad(&branchy()));
    assert_eq!(gg.call(&[Array::scalar(2.0f32)]).unwrap()[0].to_vec::<f32>().unwrap()[0], 6.0);
    let (_, t) = jaxcore::transform::jvp(&branchy(), &[Array::scalar(4.0f32)], &[Array::scalar(1.0f32)]).unwrap();
    assert_eq!(t[0].to_vec::<f32>().unwrap()[0], -4.0);
}

#[test]
fn values_stay_abstract_under_jit_and_vmap() {
    let probe = Function::new("probe", |xs| {
        assert!(jaxcore::trace::known_value(&xs[0]).unwrap().is_none());
        Ok(vec![xs[0].clone()])
    });
    jaxcore::transform::jit(&jaxcore::transform::grad(&probe), &[], &[]).call(&[Array::scalar(1.0f32)]).unwrap();
    let batched = jaxcore::transform::vmap(&probe, &[Some(0)], &[Some(0)], None);
    batched.call(&[Array::from_vec(vec![1.0f32, 2.0], &[2]).unwrap()]).unwrap();
    // a plain trace has abstract inputs too
    make_graph(|x| { assert!(jaxcore::trace::known_value(&x[0]).unwrap().is_none()); Ok(vec![x[0].clone()]) }, &[Aval::scalar(DType::F32)]).unwrap();
}
