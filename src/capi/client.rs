//! PJRT clients and their devices through the C ABI: open a plugin by
//! platform name or path with options, the default client, device lists.

use super::array::write_string;
use super::registry::Registry;
use super::{cstr, guard, invalid, jc_status, put};
use crate::runtime::pjrt::{find_plugin, Client, Plugin};
use std::ffi::c_char;
use std::sync::Arc;

/// Opaque client handle.
#[repr(C)]
pub struct jc_client_s {
    _private: [u8; 0],
}
/// A PJRT client: a loaded plugin and its devices.
pub type jc_client = *mut jc_client_s;

/// Opaque device handle.
#[repr(C)]
pub struct jc_device_s {
    _private: [u8; 0],
}
/// One addressable device of a client.
pub type jc_device = *mut jc_device_s;

/// Options of `jc_client_open` (zero-initialize, set `struct_size`).
#[repr(C)]
pub struct jc_client_options {
    pub struct_size: usize,
    /// Number of CPU devices for the CPU plugin; 0 for the plugin's default.
    pub cpu_device_count: i64,
}

static CLIENTS: Registry<Arc<Client>> = Registry::new(3, "jc_client");
static DEVICES: Registry<(Arc<Client>, usize)> = Registry::new(4, "jc_device");

fn client(h: jc_client) -> crate::Result<Arc<Client>> {
    CLIENTS.get(h as usize)
}

fn put_client(out: *mut jc_client, c: Arc<Client>, what: &str) -> crate::Result<()> {
    if out.is_null() {
        return Err(invalid(format!("{what}: the out-pointer is null")));
    }
    put(out, CLIENTS.insert(c) as jc_client, what)
}

/// Opens a PJRT plugin: `name` is a platform ("cpu", "cuda", "tpu") or a
/// plugin path; `options` may be null. `JAXCORE_PLUGIN` overrides the file.
#[no_mangle]
pub unsafe extern "C" fn jc_client_open(name: *const c_char, options: *const jc_client_options, out: *mut jc_client) -> jc_status {
    guard(|| {
        let name = cstr(name, "jc_client_open name")?;
        let mut devices = None;
        if !options.is_null() {
            // SAFETY: non-null; struct_size says how much of it the caller filled.
            let o = unsafe { &*options };
            if o.struct_size < std::mem::size_of::<jc_client_options>() {
                return Err(invalid(format!("jc_client_open: jc_client_options.struct_size {} is too small", o.struct_size)));
            }
            if o.cpu_device_count > 0 {
                devices = Some(o.cpu_device_count as usize);
            }
        }
        let path = find_plugin(name)?;
        let c = Client::new(Plugin::load(&path)?, devices)?;
        put_client(out, c, "jc_client_open")
    })
}

/// The client `jit` uses (see JAXCORE_PLATFORM); an error when running on
/// the interpreter.
#[no_mangle]
pub unsafe extern "C" fn jc_client_default(out: *mut jc_client) -> jc_status {
    guard(|| {
        let c = crate::runtime::default_client().ok_or_else(|| crate::err!(Runtime, "no PJRT client: running on the interpreter"))?;
        put_client(out, c, "jc_client_default")
    })
}

/// The client's platform name ("cpu", "cuda", ...), into `buf`.
#[no_mangle]
pub unsafe extern "C" fn jc_client_platform(c: jc_client, buf: *mut c_char, cap: usize, len: *mut usize) -> jc_status {
    guard(|| write_string(&client(c)?.platform, buf, cap, len))
}

/// The number of addressable devices.
#[no_mangle]
pub unsafe extern "C" fn jc_client_device_count(c: jc_client, out: *mut usize) -> jc_status {
    guard(|| put(out, client(c)?.num_devices(), "jc_client_device_count"))
}

/// Device `index` (0 <= index < device count) of the client.
#[no_mangle]
pub unsafe extern "C" fn jc_client_device(c: jc_client, index: usize, out: *mut jc_device) -> jc_status {
    guard(|| {
        let cl = client(c)?;
        if index >= cl.num_devices() {
            crate::bail!(Index, "device index {index} out of range: the client has {} devices", cl.num_devices());
        }
        if out.is_null() {
            return Err(invalid("jc_client_device: the out-pointer is null"));
        }
        put(out, DEVICES.insert((cl, index)) as jc_device, "jc_client_device")
    })
}

/// The device's id (as PJRT numbers it).
#[no_mangle]
pub unsafe extern "C" fn jc_device_id(d: jc_device, out: *mut i64) -> jc_status {
    guard(|| {
        let (c, i) = DEVICES.get(d as usize)?;
        put(out, c.device_ids[i] as i64, "jc_device_id")
    })
}

/// `jax.device_put(a, device)`: a copy of `a` on `device`. (jit runs on
/// device 0 of the default client; arguments elsewhere are copied there.)
#[no_mangle]
pub unsafe extern "C" fn jc_array_device_put(a: super::array::jc_array, d: jc_device, out: *mut super::array::jc_array) -> jc_status {
    guard(|| {
        let (c, i) = DEVICES.get(d as usize)?;
        let x = super::array::arr(a)?.device_put(&c, i)?;
        super::array::put_arr(out, x, "jc_array_device_put")
    })
}

/// The index (among its client's devices) of the device holding `a`, or -1
/// for an array in host memory.
#[no_mangle]
pub unsafe extern "C" fn jc_array_device_index(a: super::array::jc_array, out: *mut i64) -> jc_status {
    guard(|| put(out, super::array::arr(a)?.device_index().map_or(-1, |i| i as i64), "jc_array_device_index"))
}

/// Frees a device handle (null is accepted).
#[no_mangle]
pub unsafe extern "C" fn jc_device_free(d: jc_device) -> jc_status {
    guard(|| if d.is_null() { Ok(()) } else { DEVICES.remove(d as usize).map(|_| ()) })
}

/// Frees a client handle (null is accepted); the client lives on while
/// arrays or the default backend still use it.
#[no_mangle]
pub unsafe extern "C" fn jc_client_free(c: jc_client) -> jc_status {
    guard(|| if c.is_null() { Ok(()) } else { CLIENTS.remove(c as usize).map(|_| ()) })
}
