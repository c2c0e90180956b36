//! `Array`: the value users hold. Concrete (host data; device buffers come
//! with the PJRT backend) or a tracer standing for a variable of a graph
//! being traced. Cheap to clone: reference counted.

use crate::dtype::DType;
use crate::error::Result;
use crate::ir::{Aval, Var};
use crate::runtime::host::{Elem, HostData};
use std::fmt;
use std::sync::Arc;

#[derive(Clone)]
pub struct Array(pub(crate) Arc<ArrayInner>);

pub(crate) struct ArrayInner {
    pub aval: Aval,
    pub value: Value,
    /// For host arrays: a copy on device 0 of the default client, made the
    /// first time the array is an argument of a compiled function (so a
    /// jitted function called again on it transfers nothing).
    pub device_copy: std::sync::OnceLock<crate::runtime::pjrt::Buffer>,
}

pub(crate) enum Value {
    Host(HostData),
    /// A buffer on a PJRT device; copied to the host once, when first read.
    Device { buf: crate::runtime::pjrt::Buffer, device: usize, host: std::sync::OnceLock<HostData> },
    /// Pieces on the devices of a mesh (one buffer per mesh device, in mesh
    /// order); gathered to the host once, when first read.
    Sharded { sharding: crate::sharding::NamedSharding, shards: Vec<crate::runtime::pjrt::Buffer>, host: std::sync::OnceLock<HostData> },
    /// A variable of the trace with this id.
    Tracer { trace: u64, var: Var },
}

impl Array {
    pub fn from_host(data: HostData) -> Array {
        let aval = Aval::new(data.shape(), data.dtype());
        Array(Arc::new(ArrayInner { aval, value: Value::Host(data), device_copy: std::sync::OnceLock::new() }))
    }
    pub(crate) fn from_host_aval(data: HostData, aval: Aval) -> Array {
        debug_assert_eq!(data.shape(), &aval.shape[..]);
        debug_assert_eq!(data.dtype(), aval.dtype);
        Array(Arc::new(ArrayInner { aval, value: Value::Host(data), device_copy: std::sync::OnceLock::new() }))
    }
    /// An array living in a device buffer (an output of a compiled computation).
    pub(crate) fn from_device(buf: crate::runtime::pjrt::Buffer, device: usize, aval: Aval) -> Array {
        Array(Arc::new(ArrayInner { aval, value: Value::Device { buf, device, host: std::sync::OnceLock::new() }, device_copy: std::sync::OnceLock::new() }))
    }
    /// The device buffer and device index, for arrays that live on a device.
    pub(crate) fn device_buffer(&self) -> Option<(&crate::runtime::pjrt::Buffer, usize)> {
        match &self.0.value {
            Value::Device { buf, device, .. } => Some((buf, *device)),
            _ => None,
        }
    }
    /// This host array's cached copy on device 0 of `client`, made on first use.
    pub(crate) fn cached_device_copy(&self, client: &std::sync::Arc<crate::runtime::pjrt::Client>) -> Result<Option<&crate::runtime::pjrt::Buffer>> {
        if !matches!(self.0.value, Value::Host(_)) {
            return Ok(None);
        }
        if self.0.device_copy.get().is_none() {
            let b = client.buffer_from_host(self.host()?, 0)?;
            let _ = self.0.device_copy.set(b);
        }
        Ok(self.0.device_copy.get().filter(|b| Arc::ptr_eq(b.client(), client)))
    }
    /// `jax.device_put(x, device)`: a copy of this array in a buffer on
    /// device `device` of `client`.
    pub fn device_put(&self, client: &std::sync::Arc<crate::runtime::pjrt::Client>, device: usize) -> Result<Array> {
        let buf = client.buffer_from_host(self.host()?, device)?;
        Ok(Array::from_device(buf, device, self.aval().clone()))
    }
    /// An array made of per-device pieces laid out by `sharding` (outputs of
    /// a computation over a mesh). `aval` is the global type.
    pub(crate) fn from_shards(shards: Vec<crate::runtime::pjrt::Buffer>, sharding: crate::sharding::NamedSharding, aval: Aval) -> Array {
        let aval = if aval.sharding.is_none() { aval.with_sharding(sharding.explicit_part()) } else { aval };
        Array(Arc::new(ArrayInner { aval, value: Value::Sharded { sharding, shards, host: std::sync::OnceLock::new() }, device_copy: std::sync::OnceLock::new() }))
    }
    /// `jax.device_put(x, NamedSharding(mesh, spec))`: each mesh device gets
    /// its piece. Explicit mesh axes become part of the type.
    pub fn device_put_sharded(&self, sharding: &crate::sharding::NamedSharding) -> Result<Array> {
        if self.is_tracer() {
            return crate::sharding::spmd::sharding_constraint(self, sharding);
        }
        sharding.check_shape(self.shape(), "device_put")?;
        if self.sharding() == Some(sharding) {
            return Ok(self.clone());
        }
        let aval = self.aval().unsharded().with_sharding(sharding.explicit_part());
        let Some(client) = sharding.mesh.inner().client.clone() else {
            // an abstract mesh (interpreter): the value stays on the host, typed
            return Ok(Array::from_host_aval(self.host()?.clone(), aval));
        };
        let shards = crate::sharding::spmd::put_shards(&client, self.host()?, sharding)?;
        Ok(Array::from_shards(shards, sharding.clone(), aval))
    }
    /// The sharding of an array laid out over a mesh (None for single-device
    /// and host arrays; tracers report their explicit type sharding).
    pub fn sharding(&self) -> Option<&crate::sharding::NamedSharding> {
        match &self.0.value {
            Value::Sharded { sharding, .. } => Some(sharding),
            _ => self.0.aval.sharding.as_deref(),
        }
    }
    /// The per-device pieces of a sharded array (mesh order).
    pub(crate) fn shard_buffers(&self) -> Option<&[crate::runtime::pjrt::Buffer]> {
        match &self.0.value {
            Value::Sharded { shards, .. } => Some(shards),
            _ => None,
        }
    }
    /// `x.addressable_shards`: (device index of the client, start offsets, data) per mesh device.
    pub fn addressable_shards(&self) -> Result<Vec<(usize, Vec<usize>, Array)>> {
        match &self.0.value {
            Value::Sharded { sharding, shards, .. } => {
                let sshape = sharding.shard_shape(self.shape());
                let offs = sharding.device_offsets(self.shape());
                shards
                    .iter()
                    .zip(offs)
                    .enumerate()
                    .map(|(k, (b, o))| Ok((sharding.mesh.inner().devices[k], o, Array::from_host(b.to_host(self.dtype(), &sshape)?))))
                    .collect()
            }
            _ => Ok(vec![(self.device_index().unwrap_or(0), vec![0; self.ndim()], self.clone())]),
        }
    }
    /// The device index of a device array (None for host arrays and tracers).
    pub fn device_index(&self) -> Option<usize> {
        self.device_buffer().map(|(_, d)| d)
    }

    /// Waits until the value is computed (device arrays; a no-op otherwise).
    /// Errors raised while computing it surface here.
    pub fn block_until_ready(&self) -> Result<()> {
        match &self.0.value {
            Value::Device { buf, .. } => buf.block_until_ready(),
            Value::Sharded { shards, .. } => shards.iter().try_for_each(|b| b.block_until_ready()),
            _ => Ok(()),
        }
    }
    /// True when the data lives in a device buffer.
    pub fn is_on_device(&self) -> bool {
        matches!(self.0.value, Value::Device { .. } | Value::Sharded { .. })
    }
    pub(crate) fn tracer(trace: u64, var: Var, aval: Aval) -> Array {
        Array(Arc::new(ArrayInner { aval, value: Value::Tracer { trace, var }, device_copy: std::sync::OnceLock::new() }))
    }

    pub fn from_vec<T: Elem>(v: Vec<T>, shape: &[usize]) -> Result<Array> {
        Ok(Array::from_host(HostData::from_vec(shape, v)?))
    }
    pub fn from_slice<T: Elem>(v: &[T], shape: &[usize]) -> Result<Array> {
        Array::from_vec(v.to_vec(), shape)
    }
    /// A 0-d array of a definite dtype.
    pub fn scalar<T: Elem>(v: T) -> Array {
        Array::from_host(HostData::from_vec(&[], vec![v]).unwrap())
    }
    /// A 0-d array of `dtype` holding `v` converted with the cast rules.
    pub fn full_scalar(dtype: DType, v: f64) -> Array {
        Array::from_host(HostData::full(dtype, &[], v))
    }
    /// A weakly typed 0-d array: how host scalars (`2.0`, `3`) enter, so
    /// that `x * 2.0` keeps `x`'s dtype.
    pub fn weak_scalar(dtype: DType, v: f64) -> Array {
        let data = HostData::full(dtype, &[], v);
        let aval = Aval::scalar(dtype).weak(true);
        Array::from_host_aval(data, aval)
    }
    /// This array with its weak-type flag set or cleared (same data).
    pub fn with_weak_type(&self, weak: bool) -> Array {
        if self.aval().weak_type == weak {
            return self.clone();
        }
        let aval = self.aval().clone().weak(weak);
        match &self.0.value {
            Value::Host(h) => Array::from_host_aval(h.clone(), aval),
            Value::Device { .. } | Value::Sharded { .. } => Array::from_host_aval(self.host().expect("device arrays copy to the host").clone(), aval),
            Value::Tracer { trace, var } => Array::tracer(*trace, *var, aval),
        }
    }

    pub fn aval(&self) -> &Aval {
        &self.0.aval
    }
    pub fn shape(&self) -> &[usize] {
        &self.0.aval.shape
    }
    pub fn dtype(&self) -> DType {
        self.0.aval.dtype
    }
    pub fn ndim(&self) -> usize {
        self.0.aval.shape.len()
    }
    pub fn size(&self) -> usize {
        self.0.aval.size()
    }
    pub fn weak_type(&self) -> bool {
        self.0.aval.weak_type
    }
    pub fn is_tracer(&self) -> bool {
        matches!(self.0.value, Value::Tracer { .. })
    }
    pub(crate) fn tracer_parts(&self) -> Option<(u64, Var)> {
        match &self.0.value {
            Value::Tracer { trace, var } => Some((*trace, *var)),
            _ => None,
        }
    }
    /// Identity of this handle (for capture tables keyed by array).
    pub(crate) fn id(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    /// The concrete host data; an error for a tracer (JAX's ConcretizationTypeError).
    pub fn host(&self) -> Result<&HostData> {
        match &self.0.value {
            Value::Host(h) => Ok(h),
            Value::Device { buf, host, .. } => {
                if let Some(h) = host.get() {
                    return Ok(h);
                }
                let h = buf.to_host(self.dtype(), self.shape())?;
                let _ = host.set(h);
                Ok(host.get().expect("just set"))
            }
            Value::Sharded { sharding, shards, host } => {
                if let Some(h) = host.get() {
                    return Ok(h);
                }
                let h = crate::sharding::spmd::gather_shards(shards, sharding, self.dtype(), self.shape())?;
                let _ = host.set(h);
                Ok(host.get().expect("just set"))
            }
            Value::Tracer { .. } => Err(crate::err!(
                Tracer,
                "a concrete value is required but got a tracer {} (ConcretizationTypeError): \
                 the value depends on a traced argument",
                self.aval()
            )),
        }
    }
    pub fn to_vec<T: Elem>(&self) -> Result<Vec<T>> {
        Ok(self.host()?.to_vec::<T>())
    }
    pub fn to_f64_vec(&self) -> Result<Vec<f64>> {
        self.to_vec::<f64>()
    }
    /// The single element of a size-1 array, as f64.
    pub fn item_f64(&self) -> Result<f64> {
        if self.size() != 1 {
            crate::bail!(Type, "only size-1 arrays can be converted to scalars, got shape {}", self.aval().shape_str());
        }
        Ok(self.host()?.first_f64())
    }
    pub fn item_i64(&self) -> Result<i64> {
        if self.size() != 1 {
            crate::bail!(Type, "only size-1 arrays can be converted to scalars, got shape {}", self.aval().shape_str());
        }
        Ok(self.host()?.first_i128() as i64)
    }
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        Ok(self.host()?.to_bytes())
    }

    /// How a 0-d literal is printed inside a graph (`2.0`, `3`, `True`).
    pub(crate) fn literal_str(&self) -> String {
        match self.host() {
            Ok(h) => fmt_elem(h, 0),
            Err(_) => "?".into(),
        }
    }
    /// Bits of a 0-d literal (for equality and hashing of literals in CSE).
    pub(crate) fn literal_key(&self) -> Option<(DType, bool, Vec<u8>)> {
        match self.host() {
            Ok(h) if h.len() == 1 && !self.is_tracer() => Some((h.dtype(), self.weak_type(), h.to_bytes())),
            _ => None,
        }
    }
}

/// Every element formatted the way numpy prints it (row-major).
fn fmt_elems(h: &HostData) -> Vec<String> {
    let d = h.dtype();
    crate::with_host!(h, a, T => a.iter().map(|x| {
        if d.is_float() {
            fmt_float(x.to_f64(), d)
        } else if d.is_bool() {
            if x.to_i128() != 0 { "True".into() } else { "False".into() }
        } else {
            x.to_i128().to_string()
        }
    }).collect())
}

fn fmt_elem(h: &HostData, i: usize) -> String {
    fmt_elems(h).swap_remove(i)
}

fn fmt_float(v: f64, d: DType) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    // shortest round-trip text at the array's own precision
    let s = match d {
        DType::F64 => format!("{v}"),
        DType::F32 => format!("{}", v as f32),
        _ => format!("{}", v as f32),
    };
    if s.contains('.') || s.contains('e') {
        s
    } else {
        s + "."
    }
}

fn fmt_nested(h: &[String], shape: &[usize], offset: usize, out: &mut String) {
    if shape.is_empty() {
        out.push_str(&h[offset]);
        return;
    }
    let stride: usize = shape[1..].iter().product();
    out.push('[');
    for i in 0..shape[0] {
        if i > 0 {
            out.push_str(", ");
        }
        fmt_nested(h, &shape[1..], offset + i * stride, out);
    }
    out.push(']');
}

impl fmt::Display for Array {
    /// `Array([1., 2.], dtype=float32)` like JAX's repr; tracers print their aval.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_tracer() {
            return write!(f, "Traced<{}>", self.aval());
        }
        match self.host() {
            Ok(h) => {
                let mut s = String::new();
                fmt_nested(&fmt_elems(h), h.shape(), 0, &mut s);
                let weak = if self.weak_type() { ", weak_type=True" } else { "" };
                write!(f, "Array({s}, dtype={}{weak})", h.dtype())
            }
            Err(e) => write!(f, "<array {} whose computation failed: {}>", self.aval(), e.msg),
        }
    }
}

impl fmt::Debug for Array {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
