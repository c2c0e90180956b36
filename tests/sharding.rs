//! Devices, meshes and sharded computation on 8 CPU devices (the plugin's
//! `cpu_device_count`): placement and gathering, jit over a mesh (XLA's SPMD
//! partitioner), explicit shardings in types, and the seed's FSDP example.

use jaxcore::numpy as jnp;
use jaxcore::sharding::{spmd, AxisType, Mesh, NamedSharding, PartitionSpec as P};
use jaxcore::transform::{grad_with, jit, jit_with, JitOptions};
use jaxcore::{random, Array, DType, Function, Result};

fn setup() {
    jaxcore::runtime::set_cpu_device_count(8).expect("8 CPU devices");
    assert_eq!(jaxcore::runtime::default_client().expect("the CPU plugin (scripts/fetch_cpu_plugin.sh)").num_devices(), 8);
}

fn iota(shape: &[usize]) -> Array {
    let n: usize = shape.iter().product();
    Array::from_vec((0..n).map(|i| i as f32).collect::<Vec<_>>(), shape).unwrap()
}

fn close(a: &Array, b: &Array, tol: f64) {
    assert_eq!(a.shape(), b.shape());
    let (x, y) = (a.to_f64_vec().unwrap(), b.to_f64_vec().unwrap());
    for (i, (p, q)) in x.iter().zip(&y).enumerate() {
        assert!((p - q).abs() <= tol * (1.0 + q.abs()), "element {i}: {p} vs {q}");
    }
}

#[test]
fn device_put_splits_and_gathers() {
    setup();
    let mesh = Mesh::make(&[4, 2], &["x", "y"], &[]).unwrap();
    let x = iota(&[8, 6]);
    for spec in [P::axes(&[Some("x")]), P::axes(&[Some("x"), Some("y")]), P::axes(&[None, Some("y")]), P::new(&[Some(&["x", "y"])]), P::replicated()] {
        let s = NamedSharding::new(&mesh, spec.clone()).unwrap();
        let y = x.device_put_sharded(&s).unwrap();
        assert_eq!(y.sharding(), Some(&s));
        let shards = y.addressable_shards().unwrap();
        assert_eq!(shards.len(), 8);
        let want = s.shard_shape(&[8, 6]);
        for (dev, offs, data) in &shards {
            assert_eq!(data.shape(), &want[..], "{spec}");
            // each piece is the slice of the host array at its offsets
            let v = data.to_vec::<f32>().unwrap();
            for (j, got) in v.iter().enumerate() {
                let (r, c) = (offs[0] + j / want[1], offs[1] + j % want[1]);
                assert_eq!(*got, (r * 6 + c) as f32, "{spec} device {dev}");
            }
        }
        assert_eq!(y.to_vec::<f32>().unwrap(), x.to_vec::<f32>().unwrap(), "{spec}");
    }
    // a 2x dim split 8 ways is JAX's divisibility error
    let s = NamedSharding::new(&mesh, P::new(&[Some(&["x", "y"])])).unwrap();
    let e = iota(&[6, 2]).device_put_sharded(&s).unwrap_err();
    assert!(e.msg.contains("should be divisible by 8, but it is equal to 6"), "{}", e.msg);
    let e = NamedSharding::new(&mesh, P::axes(&[Some("z")])).unwrap_err();
    assert!(e.msg.contains("unknown mesh axis name \"z\""), "{}", e.msg);
}

#[test]
fn types_print_explicit_shardings() {
    setup();
    let mesh = Mesh::make(&[8], &["data"], &[]).unwrap();
    let w = jnp::zeros(&[512, 512], DType::F32).unwrap().device_put_sharded(&NamedSharding::new(&mesh, P::axes(&[Some("data")])).unwrap()).unwrap();
    assert_eq!(w.aval().to_string(), "f32[512@data,512]");
    assert_eq!(mesh.to_string(), "Mesh('data': 8, axis_types=(Explicit,))");
    // Auto axes are left out of the type, as in JAX
    let auto = Mesh::make(&[8], &["data"], &[AxisType::Auto]).unwrap();
    let z = jnp::zeros(&[16, 4], DType::F32).unwrap().device_put_sharded(&NamedSharding::new(&auto, P::axes(&[Some("data")])).unwrap()).unwrap();
    assert_eq!(z.aval().to_string(), "f32[16,4]");
    assert_eq!(z.sharding().unwrap().to_string(), "NamedSharding(mesh=Mesh('data': 8, axis_types=(Auto,)), spec=P('data',))");
}

#[test]
fn explicit_shardings_propagate_through_shape_rules() {
    setup();
    let mesh = Mesh::make(&[4, 2], &["x", "y"], &[]).unwrap();
    let put = |shape: &[usize], spec: P| jnp::ones(shape, DType::F32).unwrap().device_put_sharded(&NamedSharding::new(&mesh, spec).unwrap()).unwrap();
    let c = put(&[8, 16], P::axes(&[Some("x")]));
    let d = put(&[8, 16], P::axes(&[Some("y")]));
    let w = put(&[16, 4], P::axes(&[Some("x")]));
    let a = put(&[8, 16], P::axes(&[None, Some("x")]));
    let ty = |f: fn(&[Array]) -> Result<Vec<Array>>, args: &[Array]| -> Result<String> {
        let g = Function::new("f", f).graph(&args.iter().map(|a| a.aval().clone()).collect::<Vec<_>>())?;
        Ok(g.out_avals()[0].to_string())
    };
    // the same answers JAX 0.10.2 gives (see the module comment of sharding::rules)
    assert_eq!(ty(|a| Ok(vec![jnp::sin(&a[0])?]), &[c.clone()]).unwrap(), "f32[8@x,16]");
    assert_eq!(ty(|a| Ok(vec![jnp::add(&a[0], &jnp::ones(&[16], DType::F32)?)?]), &[c.clone()]).unwrap(), "f32[8@x,16]");
    assert_eq!(ty(|a| Ok(vec![jnp::transpose(&a[0], None)?]), &[c.clone()]).unwrap(), "f32[16,8@x]");
    assert_eq!(ty(|a| Ok(vec![jnp::sum(&a[0], Some(&[1]), false)?]), &[c.clone()]).unwrap(), "f32[8@x]");
    assert_eq!(ty(|a| Ok(vec![jnp::sum(&a[0], Some(&[0]), false)?]), &[c.clone()]).unwrap(), "f32[16]");
    assert_eq!(ty(|a| Ok(vec![jnp::reshape(&a[0], &[128])?]), &[c.clone()]).unwrap(), "f32[128@x]");
    assert_eq!(ty(|a| Ok(vec![jnp::reshape(&a[0], &[4, 2, 16])?]), &[c.clone()]).unwrap(), "f32[4@x,2,16]");
    assert_eq!(ty(|a| Ok(vec![jnp::matmul(&a[0], &a[1])?]), &[c.clone(), w.clone()]).unwrap(), "f32[8@x,4]");
    let e = ty(|a| Ok(vec![jnp::add(&a[0], &a[1])?]), &[c.clone(), d.clone()]).unwrap_err();
    assert!(e.msg.contains("add got incompatible shardings for broadcasting: ('x', None), ('y', None)."), "{}", e.msg);
    let e = ty(|a| Ok(vec![jnp::matmul(&a[0], &a[1])?]), &[a.clone(), w.clone()]).unwrap_err();
    assert!(e.msg.contains("Contracting dimensions are sharded and it is ambiguous"), "{}", e.msg);
    let e = ty(|a| Ok(vec![jnp::reshape(&a[0], &[2, 4, 16])?]), &[c.clone()]).unwrap_err();
    assert!(e.msg.contains("This reshape is not supported"), "{}", e.msg);
    let e = ty(|a| Ok(vec![jnp::reshape(&a[0], &[128])?]), &[a.clone()]).unwrap_err();
    assert!(e.msg.contains("This reshape is not supported"), "{}", e.msg);
    let wt = put(&[16, 8], P::axes(&[None, Some("x")]));
    let e = ty(|a| Ok(vec![jnp::matmul(&a[0], &a[1])?]), &[c.clone(), wt]).unwrap_err();
    assert!(e.msg.contains("produces an illegally sharded result: f32[8@x,8@x]"), "{}", e.msg);
    // reshard changes the type
    let r = spmd::sharding_constraint(&c, &NamedSharding::new(&mesh, P::axes(&[None, Some("y")])).unwrap()).unwrap();
    assert_eq!(r.aval().to_string(), "f32[8,16@y]");
    close(&r, &c, 0.0);
}

#[test]
fn jit_over_a_mesh_equals_one_device() {
    setup();
    let mesh = Mesh::make(&[8], &["data"], &[]).unwrap();
    let s = NamedSharding::new(&mesh, P::axes(&[Some("data")])).unwrap();
    let f = Function::new("f", |a| Ok(vec![jnp::add(&jnp::multiply(&jnp::sin(&a[0])?, &jnp::scalar(2.0))?, &jnp::sum(&a[0], Some(&[0]), false)?)?]));
    let x = iota(&[16, 4]);
    let want = jit(&f, &[], &[]).call(&[x.clone()]).unwrap().remove(0);
    let xs = x.device_put_sharded(&s).unwrap();
    let y = jit(&f, &[], &[]).call(&[xs]).unwrap().remove(0);
    assert_eq!(y.sharding(), Some(&s), "the result keeps the explicit sharding of its type");
    assert_eq!(y.aval().to_string(), "f32[16@data,4]");
    close(&y, &want, 1e-6);
    // an unsharded argument with requested in/out shardings
    let rep = NamedSharding::replicated(&mesh);
    let j = jit_with(&f, JitOptions { in_shardings: vec![Some(s.clone())], out_shardings: vec![Some(rep.clone())], ..Default::default() });
    let y = j.call(&[x.clone()]).unwrap().remove(0);
    assert_eq!(y.sharding(), Some(&rep));
    close(&y, &want, 1e-6);
    // a sharding constraint inside the function
    let g = Function::new("g", move |a| {
        let h = spmd::sharding_constraint(&jnp::cos(&a[0])?, &NamedSharding::new(&mesh, P::axes(&[None, None])).unwrap())?;
        Ok(vec![jnp::multiply(&h, &a[0])?])
    });
    let want = g.call(&[x.clone()]).unwrap().remove(0);
    let y = jit(&g, &[], &[]).call(&[x.device_put_sharded(&s).unwrap()]).unwrap().remove(0);
    close(&y, &want, 1e-6);
}

fn mlp_loss(a: &[Array]) -> Result<Vec<Array>> {
    let (x, y) = (&a[4], &a[5]);
    let h = jnp::tanh(&jnp::add(&jnp::matmul(x, &a[0])?, &a[1])?)?;
    let out = jnp::add(&jnp::matmul(&h, &a[2])?, &a[3])?;
    let d = jnp::subtract(&out, y)?;
    Ok(vec![jnp::mean(&jnp::multiply(&d, &d)?, None, false)?])
}

fn fsdp_setup() -> (Vec<Array>, Function) {
    let k = random::split(&random::key(0), 4).unwrap();
    let key = |i: i64| jnp::getitem(&k, &[jnp::Index::Int(i)]).unwrap();
    let args = vec![
        random::normal(&key(0), &[16, 32], DType::F32).unwrap(),
        jnp::zeros(&[32], DType::F32).unwrap(),
        random::normal(&key(1), &[32, 8], DType::F32).unwrap(),
        jnp::zeros(&[8], DType::F32).unwrap(),
        random::normal(&key(2), &[64, 16], DType::F32).unwrap(),
        random::normal(&key(3), &[64, 8], DType::F32).unwrap(),
    ];
    (args, Function::new("loss", mlp_loss))
}

fn put_all(args: &[Array], mesh: &Mesh) -> Vec<Array> {
    let s = NamedSharding::new(mesh, P::axes(&[Some("data")])).unwrap();
    args.iter().map(|a| a.device_put_sharded(&s).unwrap()).collect()
}

#[test]
fn fsdp_gradients_equal_single_device() {
    setup();
    // the seed's example in automatic mode: parameters sharded on `data`
    // (FSDP), inputs P('data'), jit(grad(loss)); XLA's partitioner decides
    // the communication
    let (args, loss) = fsdp_setup();
    let g = jit(&grad_with(&loss, &[0, 1, 2, 3], false), &[], &[]);
    let want = g.call(&args).unwrap();
    let mesh = Mesh::make(&[8], &["data"], &[AxisType::Auto]).unwrap();
    let got = g.call(&put_all(&args, &mesh)).unwrap();
    for (a, b) in got.iter().zip(&want) {
        close(a, b, 1e-5);
    }
}

#[test]
fn fsdp_in_explicit_mode_keeps_parameter_shardings() {
    setup();
    // explicit mode: the types say where each value lives; the loss gathers
    // each parameter (reshard to P()) before use, and each gradient comes
    // back typed, and laid out, like its parameter
    let (args, _) = fsdp_setup();
    let mesh = Mesh::make(&[8], &["data"], &[]).unwrap();
    let m2 = mesh.clone();
    let loss = Function::new("loss", move |a: &[Array]| {
        let rep = NamedSharding::replicated(&m2);
        let mut p: Vec<Array> = a[..4].iter().map(|w| spmd::sharding_constraint(w, &rep)).collect::<Result<_>>()?;
        p.extend(a[4..].iter().cloned());
        mlp_loss(&p)
    });
    let g = jit(&grad_with(&loss, &[0, 1, 2, 3], false), &[], &[]);
    let want = g.call(&args).unwrap();
    let sharded = put_all(&args, &mesh);
    assert_eq!(sharded[0].aval().to_string(), "f32[16@data,32]");
    let got = g.call(&sharded).unwrap();
    for (i, (a, b)) in got.iter().zip(&want).enumerate() {
        assert_eq!(a.aval().to_string(), sharded[i].aval().to_string(), "gradient {i} is typed like its parameter");
        assert_eq!(a.sharding().map(|s| s.spec.clone()), Some(P::axes(&[Some("data")])));
        close(a, b, 1e-5);
    }
}

#[test]
fn different_meshes_are_an_error() {
    setup();
    let m1 = Mesh::make(&[8], &["data"], &[]).unwrap();
    let m2 = Mesh::new(&[2], &["data"], &[], &[2, 3], jaxcore::runtime::default_client()).unwrap();
    let a = iota(&[8]).device_put_sharded(&NamedSharding::new(&m1, P::axes(&[Some("data")])).unwrap()).unwrap();
    let b = iota(&[8]).device_put_sharded(&NamedSharding::new(&m2, P::axes(&[Some("data")])).unwrap()).unwrap();
    let f = Function::new("f", |a| Ok(vec![jnp::add(&a[0], &a[1])?]));
    let e = jit(&f, &[], &[]).call(&[a, b]).unwrap_err();
    assert!(e.msg.contains("different meshes") || e.msg.contains("incompatible devices"), "{}", e.msg);
}

// ------------------------------------------------------------ manual mode

use jaxcore::lax;
use jaxcore::shard_map;

/// The same mesh shape without devices: shard_map runs on the interpreter
/// (named vmaps), the reference the compiled program is checked against.
fn abstract_mesh(shape: &[usize], names: &[&str]) -> Mesh {
    Mesh::new(shape, names, &[AxisType::Auto; 2][..names.len()], &(0..shape.iter().product()).collect::<Vec<_>>(), None).unwrap()
}

fn on_both(shape: &[usize], names: &[&str], f: impl Fn(&Mesh) -> Vec<Array>) -> Vec<Array> {
    let dev = Mesh::new(shape, names, &[AxisType::Auto; 2][..names.len()], &(0..shape.iter().product()).collect::<Vec<_>>(), jaxcore::runtime::default_client()).unwrap();
    let xla = f(&dev);
    let interp = f(&abstract_mesh(shape, names));
    for (a, b) in xla.iter().zip(&interp) {
        assert!(a.is_on_device(), "the mesh with devices compiles");
        close(a, b, 1e-6);
    }
    xla
}

fn host(a: &Array) -> Vec<f32> {
    a.to_vec::<f32>().unwrap()
}

#[test]
fn shard_map_psum_equals_the_unsharded_reduction() {
    setup();
    let x = iota(&[16, 4]);
    let out = on_both(&[8], &["i"], |mesh| {
        let body = Function::new("body", |a| Ok(vec![lax::psum(&jnp::sum(&a[0], Some(&[0]), false)?, &["i"])?]));
        shard_map(&body, mesh, &[P::axes(&[Some("i")])], &[P::replicated()]).call(&[x.clone()]).unwrap()
    });
    close(&out[0], &jnp::sum(&x, Some(&[0]), false).unwrap(), 0.0);
}

#[test]
fn each_collective_against_a_host_computation() {
    setup();
    // 8 devices on axis i; device k holds rows 8k..8k+8 of a [64, 3] array
    let x = iota(&[64, 3]);
    let xs = host(&x);
    let pi = || P::axes(&[Some("i")]);
    let outs = on_both(&[8], &["i"], |mesh| {
        let body = Function::new("body", |a| {
            let v = &a[0];
            Ok(vec![
                lax::psum(v, &["i"])?,
                lax::pmax(v, &["i"])?,
                lax::pmean(v, &["i"])?,
                lax::all_gather(v, &["i"], 0, true)?,
                lax::all_gather(v, &["i"], 0, false)?,
                lax::psum_scatter(v, &["i"], 0, true)?,
                lax::ppermute(v, "i", &(0..8).map(|k| (k, (k + 1) % 8)).collect::<Vec<_>>())?,
                lax::all_to_all(v, "i", 0, 0, true)?,
                jnp::reshape(&lax::axis_index(&["i"])?, &[1])?,
            ])
        });
        let r = P::replicated;
        shard_map(&body, mesh, &[pi()], &[r(), r(), r(), r(), r(), pi(), pi(), pi(), pi()]).call(&[x.clone()]).unwrap()
    });
    let block = |k: usize, r: usize, c: usize| xs[(8 * k + r) * 3 + c];
    let mut sum = vec![0f32; 24];
    let mut max = vec![f32::MIN; 24];
    for k in 0..8 {
        for j in 0..24 {
            sum[j] += block(k, j / 3, j % 3);
            max[j] = max[j].max(block(k, j / 3, j % 3));
        }
    }
    assert_eq!(host(&outs[0]), sum, "psum");
    assert_eq!(host(&outs[1]), max, "pmax");
    close(&outs[2], &Array::from_vec(sum.iter().map(|s| s / 8.0).collect::<Vec<_>>(), &[8, 3]).unwrap(), 1e-6);
    assert_eq!(host(&outs[3]), xs, "all_gather tiled");
    assert_eq!(outs[4].shape(), &[8, 8, 3]);
    assert_eq!(host(&outs[4]), xs, "all_gather stacked");
    // psum_scatter: device k keeps row k of the sum
    assert_eq!(host(&outs[5]), sum, "psum_scatter");
    // ppermute k -> k+1: block k of the result is block k-1
    let shifted: Vec<f32> = (0..64 * 3).map(|i| block((i / 24 + 7) % 8, (i % 24) / 3, i % 3)).collect();
    assert_eq!(host(&outs[6]), shifted, "ppermute");
    // all_to_all: device j gets row j of every device's block, in device order
    let a2a: Vec<f32> = (0..64 * 3).map(|i| block((i % 24) / 3, i / 24, i % 3)).collect();
    assert_eq!(host(&outs[7]), a2a, "all_to_all");
    assert_eq!(outs[8].to_vec::<i32>().unwrap(), (0..8).collect::<Vec<i32>>(), "axis_index");
}

#[test]
fn collectives_on_a_two_axis_mesh() {
    setup();
    let x = iota(&[8, 4]);
    let outs = on_both(&[4, 2], &["x", "y"], |mesh| {
        let body = Function::new("body", |a| {
            Ok(vec![
                lax::psum(&a[0], &["x"])?,
                lax::all_gather(&a[0], &["x", "y"], 0, true)?,
                jnp::reshape(&lax::axis_index(&["x", "y"])?, &[1, 1])?,
                lax::psum(&a[0], &["x", "y"])?,
            ])
        });
        let xy = P::axes(&[Some("x"), Some("y")]);
        shard_map(&body, mesh, &[xy.clone()], &[P::axes(&[None, Some("y")]), P::replicated(), xy, P::replicated()]).call(&[x.clone()]).unwrap()
    });
    // psum over x: column halves summed over the 4 row blocks
    let xs = host(&x);
    let want: Vec<f32> = (0..2 * 4).map(|i| (0..4).map(|b| xs[(b * 2 + i / 4) * 4 + i % 4]).sum()).collect();
    assert_eq!(host(&outs[0]), want);
    // all_gather over (x, y) tiled on dim 0: the 8 [2,2] blocks in device order
    let blocks: Vec<f32> = (0..8).flat_map(|k| { let (bx, by) = (k / 2, k % 2); (0..4).map(move |j| (bx, by, j)) }).map(|(bx, by, j)| xs[(bx * 2 + j / 2) * 4 + by * 2 + j % 2]).collect();
    assert_eq!(host(&outs[1]), blocks);
    assert_eq!(outs[2].to_vec::<i32>().unwrap(), (0..8).collect::<Vec<i32>>());
    assert_eq!(host(&outs[3]), (0..4).map(|j| (0..8).map(|k| blocks[k * 4 + j]).sum::<f32>()).collect::<Vec<_>>());
}

#[test]
fn grad_through_shard_map_and_all_gather() {
    setup();
    let x = Array::from_vec((0..16).map(|i| (i as f64) * 0.1 - 0.7).collect::<Vec<f64>>(), &[16]).unwrap();
    let c = Array::from_vec((0..16).map(|i| 1.0 + i as f64).collect::<Vec<f64>>(), &[16]).unwrap();
    for dev in [false, true] {
        let mesh = if dev { Mesh::make(&[8], &["i"], &[AxisType::Auto]).unwrap() } else { abstract_mesh(&[8], &["i"]) };
        // sum(sin(x) * sum(x)), the sum through psum
        let body = Function::new("body", |a| Ok(vec![jnp::multiply(&jnp::sin(&a[0])?, &lax::psum(&jnp::sum(&a[0], None, false)?, &["i"])?)?]));
        let sm = shard_map(&body, &mesh, &[P::axes(&[Some("i")])], &[P::axes(&[Some("i")])]);
        let f = Function::new("f", move |a| Ok(vec![jnp::sum(&sm.call(a)?.remove(0), None, false)?]));
        let g = grad_with(&f, &[0], false);
        let got = if dev { jit(&g, &[], &[]).call(&[x.clone()]).unwrap() } else { g.call(&[x.clone()]).unwrap() };
        let reference = Function::new("r", |a| Ok(vec![jnp::sum(&jnp::multiply(&jnp::sin(&a[0])?, &jnp::sum(&a[0], None, false)?)?, None, false)?]));
        close(&got[0], &grad_with(&reference, &[0], false).call(&[x.clone()]).unwrap()[0], 1e-10);
        // sum(all_gather(x)^2 * c) with a replicated result: grad 2 x c
        let c2 = c.clone();
        let body = Function::new("body", move |a| {
            let g = lax::all_gather(&a[0], &["i"], 0, true)?;
            Ok(vec![jnp::sum(&jnp::multiply(&jnp::multiply(&g, &g)?, &c2)?, None, false)?])
        });
        let sm = shard_map(&body, &mesh, &[P::axes(&[Some("i")])], &[P::replicated()]);
        let f = Function::new("f", move |a| Ok(vec![sm.call(a)?.remove(0)]));
        let g = grad_with(&f, &[0], false);
        let got = if dev { jit(&g, &[], &[]).call(&[x.clone()]).unwrap() } else { g.call(&[x.clone()]).unwrap() };
        close(&got[0], &jnp::multiply(&jnp::multiply(&x, &c).unwrap(), &jnp::scalar(2.0)).unwrap(), 1e-10);
    }
}

#[test]
fn vmap_with_an_axis_name_runs_collectives_across_the_batch() {
    let f = Function::new("f", |a| Ok(vec![jnp::subtract(&a[0], &lax::pmean(&a[0], &["b"])?)?, jnp::reshape(&lax::axis_index(&["b"])?, &[])?]));
    let v = jaxcore::transform::vmap_with(&f, &[Some(0)], &[Some(0)], None, Some("b"));
    let x = iota(&[4, 3]);
    let out = v.call(&[x.clone()]).unwrap();
    let m = jnp::mean(&x, Some(&[0]), true).unwrap();
    close(&out[0], &jnp::subtract(&x, &m).unwrap(), 1e-6);
    assert_eq!(out[1].to_vec::<i32>().unwrap(), vec![0, 1, 2, 3]);
    let e = lax::psum(&x, &["nope"]).unwrap_err();
    assert!(e.msg.contains("unbound axis name: nope"), "{}", e.msg);
}

#[test]
fn vmap_of_shard_map_equals_a_loop() {
    setup();
    let xs = iota(&[3, 16]);
    for dev in [false, true] {
        let mesh = if dev { Mesh::make(&[8], &["i"], &[AxisType::Auto]).unwrap() } else { abstract_mesh(&[8], &["i"]) };
        let body = Function::new("body", |a| Ok(vec![jnp::multiply(&a[0], &lax::psum(&jnp::sum(&a[0], None, false)?, &["i"])?)?]));
        let sm = shard_map(&body, &mesh, &[P::axes(&[Some("i")])], &[P::axes(&[Some("i")])]);
        let v = jaxcore::transform::vmap(&sm, &[Some(0)], &[Some(0)], None);
        let got = if dev { jit(&v, &[], &[]).call(&[xs.clone()]).unwrap().remove(0) } else { v.call(&[xs.clone()]).unwrap().remove(0) };
        let rows: Vec<Array> = (0..3)
            .map(|r| {
                let x = jnp::getitem(&xs, &[jnp::Index::Int(r)]).unwrap();
                jnp::multiply(&x, &jnp::sum(&x, None, false).unwrap()).unwrap()
            })
            .collect();
        close(&got, &jnp::stack(&rows.iter().collect::<Vec<_>>(), 0).unwrap(), 1e-6);
    }
}

#[test]
fn collective_jvp_and_transpose_are_adjoint() {
    // <ct, jvp(t)> = <vjp(ct), t> for each linear collective inside a
    // shard_map (outputs split per device, so the map is well defined), on
    // the interpreter and on XLA
    setup();
    let x = Array::from_vec((0..64).map(|i| ((i * 7 % 13) as f64) * 0.25 - 1.0).collect::<Vec<f64>>(), &[64]).unwrap();
    let t = Array::from_vec((0..64).map(|i| ((i * 5 % 11) as f64) * 0.5 - 2.0).collect::<Vec<f64>>(), &[64]).unwrap();
    let dot = |a: &Array, b: &Array| jnp::sum(&jnp::multiply(a, b).unwrap(), None, false).unwrap().item_f64().unwrap();
    type Body = fn(&[Array]) -> Result<Vec<Array>>;
    let bodies: Vec<(&str, Body)> = vec![
        ("psum", |a| Ok(vec![jnp::multiply(&lax::psum(&a[0], &["i"])?, &a[0])?])),
        ("all_gather", |a| Ok(vec![jnp::reshape(&jnp::sin(&lax::all_gather(&a[0], &["i"], 0, true)?)?, &[8, 8])?])),
        ("psum_scatter", |a| Ok(vec![jnp::exp(&lax::psum_scatter(&a[0], &["i"], 0, true)?)?])),
        ("ppermute", |a| Ok(vec![jnp::multiply(&lax::ppermute(&a[0], "i", &[(0, 3), (3, 5), (5, 0), (1, 2)])?, &a[0])?])),
        ("all_to_all", |a| Ok(vec![jnp::tanh(&lax::all_to_all(&a[0], "i", 0, 0, true)?)?])),
    ];
    for dev in [false, true] {
        let mesh = if dev { Mesh::make(&[8], &["i"], &[AxisType::Auto]).unwrap() } else { abstract_mesh(&[8], &["i"]) };
        for (name, body) in &bodies {
            let sm = shard_map(&Function::new(name, *body), &mesh, &[P::axes(&[Some("i")])], &[P::axes(&[Some("i")])]);
            let (_, tout) = jaxcore::transform::jvp(&sm, &[x.clone()], &[t.clone()]).unwrap();
            let (outs, pullback) = jaxcore::transform::vjp(&sm, &[x.clone()]).unwrap();
            let ct = jnp::cos(&lax::reshape(&iota(&[outs[0].size()]), outs[0].shape()).unwrap()).unwrap();
            let ct = lax::convert_element_type(&ct, jaxcore::DType::F64).unwrap();
            let back = pullback.call(&[ct.clone()]).unwrap();
            let (l, r) = (dot(&ct, &tout[0]), dot(&back[0], &t));
            assert!((l - r).abs() <= 1e-9 * (1.0 + l.abs()), "{name} (devices: {dev}): <ct, jvp t> = {l} but <vjp ct, t> = {r}");
        }
    }
}
