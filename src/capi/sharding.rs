//! Meshes and shardings through the C ABI: `jc_mesh` handles, partition
//! specs as arrays of axis-name strings (one per dimension: NULL or "" for
//! an unsplit dimension, "a,b" for a dimension split over two axes),
//! sharded placement, `shard_map`, and the number of CPU devices.

use super::array::{arr, jc_array, put_arr, write_string};
use super::function::{func, jc_fn, put_fn};
use super::registry::Registry;
use super::{cstr, guard, invalid, jc_status, put, slice};
use crate::sharding::{AxisType, Mesh, NamedSharding, PartitionSpec};
use std::ffi::c_char;

/// Opaque mesh handle.
#[repr(C)]
pub struct jc_mesh_s {
    _private: [u8; 0],
}
/// A named grid of devices (`jax.sharding.Mesh`).
pub type jc_mesh = *mut jc_mesh_s;

/// Mesh axis types (`jax.sharding.AxisType`).
pub const JC_AXIS_AUTO: i32 = 0;
pub const JC_AXIS_EXPLICIT: i32 = 1;
pub const JC_AXIS_MANUAL: i32 = 2;

static MESHES: Registry<Mesh> = Registry::new(5, "jc_mesh");

fn mesh(h: jc_mesh) -> crate::Result<Mesh> {
    MESHES.get(h as usize)
}

/// A partition spec from `n` C strings (NULL or "" = not split; "a,b" = two axes).
pub(crate) fn spec(p: *const *const c_char, n: usize, what: &str) -> crate::Result<PartitionSpec> {
    let entries = slice(p, n, what)?;
    let mut dims = Vec::with_capacity(n);
    for (i, &e) in entries.iter().enumerate() {
        if e.is_null() {
            dims.push(vec![]);
            continue;
        }
        let s = cstr(e, &format!("{what} entry {i}"))?;
        dims.push(s.split(',').map(|a| a.trim()).filter(|a| !a.is_empty()).map(String::from).collect());
    }
    Ok(PartitionSpec(dims))
}

/// JAX's `jax_num_cpu_devices`: the number of CPU devices the default client
/// gets. Call before anything uses a device (same as JAXCORE_CPU_DEVICES).
#[no_mangle]
pub unsafe extern "C" fn jc_set_cpu_device_count(n: usize) -> jc_status {
    guard(|| crate::runtime::set_cpu_device_count(n))
}

/// `jax.make_mesh(axis_shapes, axis_names, axis_types)` over the first
/// devices of the default client. `axis_types` (JC_AXIS_*) may be NULL:
/// every axis Explicit, JAX's default.
#[no_mangle]
pub unsafe extern "C" fn jc_make_mesh(shape: *const usize, names: *const *const c_char, axis_types: *const i32, ndim: usize, out: *mut jc_mesh) -> jc_status {
    guard(|| {
        let shape = slice(shape, ndim, "jc_make_mesh shape")?;
        let names: Vec<&str> = slice(names, ndim, "jc_make_mesh names")?.iter().enumerate().map(|(i, &p)| cstr(p, &format!("jc_make_mesh name {i}"))).collect::<crate::Result<_>>()?;
        let types: Vec<AxisType> = if axis_types.is_null() {
            vec![]
        } else {
            slice(axis_types, ndim, "jc_make_mesh axis_types")?
                .iter()
                .map(|&t| match t {
                    JC_AXIS_AUTO => Ok(AxisType::Auto),
                    JC_AXIS_EXPLICIT => Ok(AxisType::Explicit),
                    JC_AXIS_MANUAL => Ok(AxisType::Manual),
                    _ => Err(crate::err!(Value, "jc_make_mesh: unknown axis type {t} (use JC_AXIS_AUTO, JC_AXIS_EXPLICIT or JC_AXIS_MANUAL)")),
                })
                .collect::<crate::Result<_>>()?
        };
        let m = Mesh::make(shape, &names, &types)?;
        if out.is_null() {
            return Err(invalid("jc_make_mesh: the out-pointer is null"));
        }
        put(out, MESHES.insert(m) as jc_mesh, "jc_make_mesh")
    })
}

/// The number of devices of the mesh.
#[no_mangle]
pub unsafe extern "C" fn jc_mesh_size(m: jc_mesh, out: *mut usize) -> jc_status {
    guard(|| put(out, mesh(m)?.size(), "jc_mesh_size"))
}

/// The mesh as JAX prints it (`Mesh('data': 8, axis_types=(Explicit,))`).
#[no_mangle]
pub unsafe extern "C" fn jc_mesh_to_string(m: jc_mesh, buf: *mut c_char, cap: usize, len: *mut usize) -> jc_status {
    guard(|| write_string(&mesh(m)?.to_string(), buf, cap, len))
}

/// Frees a mesh handle (null is accepted).
#[no_mangle]
pub unsafe extern "C" fn jc_mesh_free(m: jc_mesh) -> jc_status {
    guard(|| if m.is_null() { Ok(()) } else { MESHES.remove(m as usize).map(|_| ()) })
}

fn sharding(m: jc_mesh, p: *const *const c_char, n: usize, what: &str) -> crate::Result<NamedSharding> {
    NamedSharding::new(&mesh(m)?, spec(p, n, what)?)
}

/// `jax.device_put(a, NamedSharding(mesh, P(*spec)))`: each device of the
/// mesh gets its piece; on a tracer, a sharding constraint.
#[no_mangle]
pub unsafe extern "C" fn jc_device_put_sharded(a: jc_array, m: jc_mesh, spec_: *const *const c_char, n: usize, out: *mut jc_array) -> jc_status {
    guard(|| {
        let s = sharding(m, spec_, n, "jc_device_put_sharded spec")?;
        put_arr(out, arr(a)?.device_put_sharded(&s)?, "jc_device_put_sharded")
    })
}

/// `jax.lax.with_sharding_constraint` / `jax.sharding.reshard` (inside
/// traced functions; on concrete arrays the same as jc_device_put_sharded).
#[no_mangle]
pub unsafe extern "C" fn jc_reshard(a: jc_array, m: jc_mesh, spec_: *const *const c_char, n: usize, out: *mut jc_array) -> jc_status {
    guard(|| {
        let s = sharding(m, spec_, n, "jc_reshard spec")?;
        put_arr(out, crate::sharding::spmd::sharding_constraint(&arr(a)?, &s)?, "jc_reshard")
    })
}

/// `jax.typeof(a)` as text: `f32[512@data,512]` (explicit shardings shown).
#[no_mangle]
pub unsafe extern "C" fn jc_array_type_string(a: jc_array, buf: *mut c_char, cap: usize, len: *mut usize) -> jc_status {
    guard(|| write_string(&arr(a)?.aval().to_string(), buf, cap, len))
}

/// `a.sharding` as text (`NamedSharding(mesh=..., spec=P('data',))`), or ""
/// for an array on one device or in host memory.
#[no_mangle]
pub unsafe extern "C" fn jc_array_sharding_string(a: jc_array, buf: *mut c_char, cap: usize, len: *mut usize) -> jc_status {
    guard(|| write_string(&arr(a)?.sharding().map(|s| s.to_string()).unwrap_or_default(), buf, cap, len))
}

/// The number of pieces of `a` (`len(a.addressable_shards)`; 1 unless sharded).
#[no_mangle]
pub unsafe extern "C" fn jc_array_shard_count(a: jc_array, out: *mut usize) -> jc_status {
    guard(|| put(out, arr(a)?.sharding().map_or(1, |s| s.mesh.size()), "jc_array_shard_count"))
}

/// Piece `k` of `a` (`a.addressable_shards[k].data`, copied to the host),
/// its device index and the offsets of its first element (`ndim` entries).
#[no_mangle]
pub unsafe extern "C" fn jc_array_shard(a: jc_array, k: usize, device: *mut i64, offsets: *mut i64, ndim: usize, out: *mut jc_array) -> jc_status {
    guard(|| {
        let x = arr(a)?;
        let shards = x.addressable_shards()?;
        let (d, offs, data) = shards.into_iter().nth(k).ok_or_else(|| crate::err!(Index, "jc_array_shard: shard {k} out of range"))?;
        if !device.is_null() {
            put(device, d as i64, "jc_array_shard device")?;
        }
        if !offsets.is_null() {
            if ndim < offs.len() {
                crate::bail!(Value, "jc_array_shard: offsets has room for {ndim} entries, the array has rank {}", offs.len());
            }
            for (i, o) in offs.iter().enumerate() {
                // SAFETY: the caller gave room for ndim >= rank entries.
                unsafe { *offsets.add(i) = *o as i64 };
            }
        }
        put_arr(out, data, "jc_array_shard")
    })
}

/// Partition specs packed for one call: `counts[i]` entries of `names` belong
/// to spec i, in order.
fn specs(names: *const *const c_char, counts: *const usize, n: usize, what: &str) -> crate::Result<Vec<PartitionSpec>> {
    let counts = slice(counts, n, what)?;
    let total: usize = counts.iter().sum();
    let all = slice(names, total, what)?;
    let mut out = Vec::with_capacity(n);
    let mut at = 0;
    for &c in counts {
        out.push(spec(all[at..].as_ptr(), c, what)?);
        at += c;
    }
    Ok(out)
}

/// `jax.shard_map(f, mesh=, in_specs=, out_specs=)`. Specs are packed: spec i
/// has `in_counts[i]` entries of `in_names` (see the module comment).
#[no_mangle]
pub unsafe extern "C" fn jc_shard_map(
    f: jc_fn,
    m: jc_mesh,
    in_names: *const *const c_char,
    in_counts: *const usize,
    n_in: usize,
    out_names: *const *const c_char,
    out_counts: *const usize,
    n_out: usize,
    out: *mut jc_fn,
) -> jc_status {
    guard(|| {
        let ins = specs(in_names, in_counts, n_in, "jc_shard_map in_specs")?;
        let outs = specs(out_names, out_counts, n_out, "jc_shard_map out_specs")?;
        put_fn(out, crate::sharding::manual::shard_map(&func(f)?, &mesh(m)?, &ins, &outs), "jc_shard_map")
    })
}
