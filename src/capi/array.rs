//! Arrays through the C ABI: creation from host memory, copies back,
//! metadata, printing, freeing.

use super::registry::Registry;
use super::{cstr, guard, invalid, jc_status, put, slice};
use crate::array::Array;
use crate::dtype::DType;
use crate::runtime::host::HostData;
use std::ffi::{c_char, c_void};

/// Opaque array handle.
#[repr(C)]
pub struct jc_array_s {
    _private: [u8; 0],
}
/// An array: host data, a device buffer, or (inside a traced callback) a tracer.
pub type jc_array = *mut jc_array_s;

/// Element types, as `jc_dtype` values.
pub type jc_dtype = u32;
pub const JC_BOOL: jc_dtype = 0;
pub const JC_INT8: jc_dtype = 1;
pub const JC_INT16: jc_dtype = 2;
pub const JC_INT32: jc_dtype = 3;
pub const JC_INT64: jc_dtype = 4;
pub const JC_UINT8: jc_dtype = 5;
pub const JC_UINT16: jc_dtype = 6;
pub const JC_UINT32: jc_dtype = 7;
pub const JC_UINT64: jc_dtype = 8;
pub const JC_FLOAT16: jc_dtype = 9;
pub const JC_BFLOAT16: jc_dtype = 10;
pub const JC_FLOAT32: jc_dtype = 11;
pub const JC_FLOAT64: jc_dtype = 12;
/// Two float32 (re, im) per element, numpy's `complex64` layout.
pub const JC_COMPLEX64: jc_dtype = 13;
/// Two float64 (re, im) per element.
pub const JC_COMPLEX128: jc_dtype = 14;

static ARRAYS: Registry<Array> = Registry::new(1, "jc_array");

pub(crate) fn arr(h: jc_array) -> crate::Result<Array> {
    ARRAYS.get(h as usize)
}
pub(crate) fn new_arr(a: Array) -> jc_array {
    ARRAYS.insert(a) as jc_array
}
/// Registers `a` and writes its handle to `out` (checking `out` first, so a
/// null out-pointer leaks nothing).
pub(crate) fn put_arr(out: *mut jc_array, a: Array, what: &str) -> crate::Result<()> {
    if out.is_null() {
        return Err(invalid(format!("{what}: the out-pointer is null")));
    }
    put(out, new_arr(a), what)
}
pub(crate) fn take_arr(h: jc_array) -> crate::Result<Array> {
    ARRAYS.remove(h as usize)
}
pub(crate) fn dtype(d: jc_dtype) -> crate::Result<DType> {
    DType::from_u32(d).ok_or_else(|| invalid(format!("unknown dtype code {d}")))
}
pub(crate) fn arrs(p: *const jc_array, n: usize, what: &str) -> crate::Result<Vec<Array>> {
    slice(p, n, what)?.iter().map(|&h| arr(h)).collect()
}
pub(crate) fn shape_of(p: *const i64, n: usize, what: &str) -> crate::Result<Vec<usize>> {
    slice(p, n, what)?
        .iter()
        .map(|&d| if d < 0 { Err(crate::err!(Value, "{what}: negative dimension {d}")) } else { Ok(d as usize) })
        .collect::<crate::Result<Vec<usize>>>()
        .and_then(|s| {
            let mut n: usize = 1;
            for &d in &s {
                n = n.checked_mul(d).ok_or_else(|| crate::err!(Value, "{what}: shape {:?} overflows", s))?;
            }
            let _ = n.checked_mul(16).ok_or_else(|| crate::err!(Value, "{what}: shape {:?} overflows", s))?;
            Ok(s)
        })
}

/// Creates an array of `dtype` and `shape` (row-major) by copying `nbytes`
/// bytes from `data` (which must be exactly size * itemsize).
#[no_mangle]
pub unsafe extern "C" fn jc_array_from_host(dtype_: jc_dtype, shape: *const i64, ndim: usize, data: *const c_void, nbytes: usize, out: *mut jc_array) -> jc_status {
    guard(|| {
        let d = dtype(dtype_)?;
        let s = shape_of(shape, ndim, "jc_array_from_host shape")?;
        let bytes = slice(data as *const u8, nbytes, "jc_array_from_host data")?;
        let h = HostData::from_bytes(d, &s, bytes)?;
        put_arr(out, Array::from_host(h), "jc_array_from_host")
    })
}

/// A 0-d array of `dtype` holding `value` (converted with C cast rules).
#[no_mangle]
pub unsafe extern "C" fn jc_array_scalar(dtype_: jc_dtype, value: f64, out: *mut jc_array) -> jc_status {
    guard(|| put_arr(out, Array::full_scalar(dtype(dtype_)?, value), "jc_array_scalar"))
}

/// A weakly typed float scalar (a host `2.0`): it takes the dtype of the
/// arrays it meets, so `x * 2.0` keeps `x`'s dtype.
#[no_mangle]
pub unsafe extern "C" fn jc_weak_float(value: f64, out: *mut jc_array) -> jc_status {
    guard(|| put_arr(out, crate::numpy::scalar(value), "jc_weak_float"))
}

/// A weakly typed complex scalar (a host `1+2j`): complex64 unless x64 is on.
#[no_mangle]
pub unsafe extern "C" fn jc_weak_complex(re: f64, im: f64, out: *mut jc_array) -> jc_status {
    guard(|| put_arr(out, crate::numpy::complex_scalar(re, im), "jc_weak_complex"))
}

/// A weakly typed int scalar (a host `3`).
#[no_mangle]
pub unsafe extern "C" fn jc_weak_int(value: i64, out: *mut jc_array) -> jc_status {
    guard(|| put_arr(out, crate::numpy::int_scalar(value), "jc_weak_int"))
}

/// Copies the array's elements (row-major) into `dst`, which has room for
/// `nbytes` bytes (exactly size * itemsize). Waits for device computations.
#[no_mangle]
pub unsafe extern "C" fn jc_array_to_host(a: jc_array, dst: *mut c_void, nbytes: usize) -> jc_status {
    guard(|| {
        let x = arr(a)?;
        let bytes = x.to_bytes()?;
        if bytes.len() != nbytes {
            crate::bail!(Value, "jc_array_to_host: the array {} has {} bytes, the destination {nbytes}", x.aval(), bytes.len());
        }
        if nbytes > 0 {
            if dst.is_null() {
                return Err(invalid("jc_array_to_host: null destination"));
            }
            // SAFETY: the caller promises nbytes writable bytes at dst.
            unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), dst as *mut u8, nbytes) };
        }
        Ok(())
    })
}

/// The number of dimensions.
#[no_mangle]
pub unsafe extern "C" fn jc_array_ndim(a: jc_array, out: *mut usize) -> jc_status {
    guard(|| put(out, arr(a)?.ndim(), "jc_array_ndim"))
}

/// Writes the shape into `dims` (room for `cap` entries; at least ndim).
#[no_mangle]
pub unsafe extern "C" fn jc_array_shape(a: jc_array, dims: *mut i64, cap: usize) -> jc_status {
    guard(|| {
        let x = arr(a)?;
        if cap < x.ndim() {
            crate::bail!(Value, "jc_array_shape: room for {cap} dimensions, the array has {}", x.ndim());
        }
        for (i, &d) in x.shape().iter().enumerate() {
            // SAFETY: i < ndim <= cap; put checks for null.
            put(unsafe { dims.add(i) }, d as i64, "jc_array_shape")?;
        }
        Ok(())
    })
}

/// The element type.
#[no_mangle]
pub unsafe extern "C" fn jc_array_dtype(a: jc_array, out: *mut jc_dtype) -> jc_status {
    guard(|| put(out, arr(a)?.dtype() as u32, "jc_array_dtype"))
}

/// The number of elements.
#[no_mangle]
pub unsafe extern "C" fn jc_array_size(a: jc_array, out: *mut usize) -> jc_status {
    guard(|| put(out, arr(a)?.size(), "jc_array_size"))
}

/// Whether the array is weakly typed (came from a host scalar).
#[no_mangle]
pub unsafe extern "C" fn jc_array_weak_type(a: jc_array, out: *mut bool) -> jc_status {
    guard(|| put(out, arr(a)?.weak_type(), "jc_array_weak_type"))
}

/// Whether the handle is a tracer (inside a function being transformed).
#[no_mangle]
pub unsafe extern "C" fn jc_array_is_tracer(a: jc_array, out: *mut bool) -> jc_status {
    guard(|| put(out, arr(a)?.is_tracer(), "jc_array_is_tracer"))
}

/// The concrete value of an array: itself when concrete; for a tracer of a
/// trace running on known arguments (inside `jc_grad`/`jc_jvp`/`jc_vjp`
/// outside jit) its value computed from them, so a host language may branch
/// on it as JAX allows under grad. `JC_ERR_TRACER` (JAX's
/// ConcretizationTypeError) where the value is abstract (jit, vmap, loop
/// bodies). The graph being traced then holds for these values only.
#[no_mangle]
pub unsafe extern "C" fn jc_array_known_value(a: jc_array, out: *mut jc_array) -> jc_status {
    guard(|| {
        let x = arr(a)?;
        match crate::trace::known_value(&x)? {
            Some(v) => put_arr(out, v, "jc_array_known_value"),
            None => Err(crate::err!(
                Tracer,
                "Abstract tracer value encountered where concrete value is expected: traced array with shape {} \
                 (ConcretizationTypeError: its value depends on an abstract input of jit, vmap or a loop body)",
                x.aval()
            )),
        }
    })
}

/// The array printed as JAX prints it (`Array([1., 2.], dtype=float32)`),
/// into `buf` (room for `cap` bytes, NUL-terminated, truncated if needed);
/// `len` receives the full length without the NUL.
#[no_mangle]
pub unsafe extern "C" fn jc_array_to_string(a: jc_array, buf: *mut c_char, cap: usize, len: *mut usize) -> jc_status {
    guard(|| {
        let s = arr(a)?.to_string();
        write_string(&s, buf, cap, len)
    })
}

pub(crate) fn write_string(s: &str, buf: *mut c_char, cap: usize, len: *mut usize) -> crate::Result<()> {
    put(len, s.len(), "string length")?;
    if cap > 0 {
        if buf.is_null() {
            return Err(invalid("null string buffer"));
        }
        let n = s.len().min(cap - 1);
        // SAFETY: buf has cap >= n + 1 writable bytes.
        unsafe {
            std::ptr::copy_nonoverlapping(s.as_ptr(), buf as *mut u8, n);
            *buf.add(n) = 0;
        }
    }
    Ok(())
}

/// Waits until the array's value is computed; errors of the computation surface here.
#[no_mangle]
pub unsafe extern "C" fn jc_array_block_until_ready(a: jc_array) -> jc_status {
    guard(|| arr(a)?.block_until_ready())
}

/// A second handle to the same array (free both).
#[no_mangle]
pub unsafe extern "C" fn jc_array_retain(a: jc_array, out: *mut jc_array) -> jc_status {
    guard(|| put_arr(out, arr(a)?, "jc_array_retain"))
}

/// Frees a handle. Null is accepted; a freed or foreign handle is an error.
#[no_mangle]
pub unsafe extern "C" fn jc_array_free(a: jc_array) -> jc_status {
    guard(|| {
        if a.is_null() {
            return Ok(());
        }
        take_arr(a).map(|_| ())
    })
}

/// The number of live array handles (for leak checks in bindings' tests).
#[no_mangle]
pub extern "C" fn jc_array_live_count() -> usize {
    ARRAYS.live()
}

/// The dtype named `name` ("float32", "f32", "bfloat16", ...).
#[no_mangle]
pub unsafe extern "C" fn jc_dtype_from_name(name: *const c_char, out: *mut jc_dtype) -> jc_status {
    guard(|| {
        let n = cstr(name, "jc_dtype_from_name")?;
        let d = DType::from_name(n).ok_or_else(|| crate::err!(Type, "data type {n:?} not understood"))?;
        put(out, d as u32, "jc_dtype_from_name")
    })
}
