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
