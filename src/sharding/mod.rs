//! Devices, meshes and shardings: JAX's `jax.sharding` (`Mesh`,
//! `PartitionSpec`, `NamedSharding`, `AxisType`). A mesh names axes over a
//! grid of a client's devices; a partition spec maps array dimensions to mesh
//! axes; a named sharding is both, and says which slice of a global array
//! each device holds. `spmd` compiles and runs jitted functions over a mesh;
//! `rules` propagates explicit shardings through shape rules.

pub mod rules;
pub mod manual;
pub mod spmd;

use crate::error::Result;
use crate::runtime::pjrt::Client;
use std::fmt;
use std::sync::Arc;

/// How the compiler treats a mesh axis (JAX's `jax.sharding.AxisType`):
/// `Explicit` axes are part of the types (`f32[8@data]`) and propagate
/// through shape rules; `Auto` axes are left to XLA's partitioner;
/// `Manual` axes are inside `shard_map`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AxisType {
    Auto,
    Explicit,
    Manual,
}

impl AxisType {
    pub fn parse(s: &str) -> Result<AxisType> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(AxisType::Auto),
            "explicit" => Ok(AxisType::Explicit),
            "manual" => Ok(AxisType::Manual),
            _ => crate::bail!(Value, "unknown axis type {s:?}: use Auto, Explicit or Manual"),
        }
    }
}

/// A named grid of devices. `devices` are indices into the client's
/// addressable devices, row-major over `shape`; without a client (the
/// interpreter) the mesh is abstract: it types values and runs `shard_map`
/// on the interpreter, but nothing is placed.
#[derive(Clone)]
pub struct Mesh(Arc<MeshInner>);

pub struct MeshInner {
    pub shape: Vec<usize>,
    pub names: Vec<String>,
    pub types: Vec<AxisType>,
    pub devices: Vec<usize>,
    pub client: Option<Arc<Client>>,
}

impl Mesh {
    /// `jax.sharding.Mesh(devices, axis_names, axis_types)`: `devices` are
    /// device indices of `client`, row-major over `shape`.
    pub fn new(shape: &[usize], names: &[&str], types: &[AxisType], devices: &[usize], client: Option<Arc<Client>>) -> Result<Mesh> {
        if shape.len() != names.len() {
            crate::bail!(Value, "Mesh: {} axis sizes but {} axis names {:?}", shape.len(), names.len(), names);
        }
        if !types.is_empty() && types.len() != names.len() {
            crate::bail!(Value, "Mesh: {} axis types for {} axes", types.len(), names.len());
        }
        for (i, n) in names.iter().enumerate() {
            if n.is_empty() {
                crate::bail!(Value, "Mesh: axis {i} has an empty name");
            }
            if names[..i].contains(n) {
                crate::bail!(Value, "Mesh: axis name {n:?} appears twice in {names:?}");
            }
        }
        let n: usize = shape.iter().product();
        if n == 0 || devices.len() != n {
            crate::bail!(Value, "Mesh of shape {} needs {n} devices, got {}", crate::ir::shape_str(shape), devices.len());
        }
        if let Some(c) = &client {
            for &d in devices {
                if d >= c.num_devices() {
                    crate::bail!(Value, "Mesh: device {d} does not exist (the client has {} devices)", c.num_devices());
                }
            }
        }
        for (i, d) in devices.iter().enumerate() {
            if devices[..i].contains(d) {
                crate::bail!(Value, "Mesh: device {d} appears twice");
            }
        }
        let types = if types.is_empty() { vec![AxisType::Explicit; names.len()] } else { types.to_vec() };
        Ok(Mesh(Arc::new(MeshInner { shape: shape.to_vec(), names: names.iter().map(|s| s.to_string()).collect(), types, devices: devices.to_vec(), client })))
    }

    /// `jax.make_mesh(axis_shapes, axis_names, axis_types)` over the first
    /// devices of the default client (JAX's default axis type: Explicit).
    pub fn make(shape: &[usize], names: &[&str], types: &[AxisType]) -> Result<Mesh> {
        let n: usize = shape.iter().product();
        let client = crate::runtime::default_client();
        if let Some(c) = &client {
            if n > c.num_devices() {
                crate::bail!(
                    Value,
                    "make_mesh: a mesh of shape {} needs {n} devices but only {} are available (set JAXCORE_CPU_DEVICES={n} before the first use of a device, or jax_num_cpu_devices)",
                    crate::ir::shape_str(shape),
                    c.num_devices()
                );
            }
        }
        Mesh::new(shape, names, types, &(0..n).collect::<Vec<_>>(), client)
    }

    pub fn inner(&self) -> &MeshInner {
        &self.0
    }
    pub fn size(&self) -> usize {
        self.0.devices.len()
    }
    pub fn axis_index(&self, name: &str) -> Result<usize> {
        self.0.names.iter().position(|n| n == name).ok_or_else(|| crate::err!(Value, "unknown mesh axis name {name:?}: the mesh has axes {:?}", self.0.names))
    }
    pub fn axis_size(&self, name: &str) -> Result<usize> {
        Ok(self.0.shape[self.axis_index(name)?])
    }
    /// The position of mesh device `k` (row-major index) along each axis.
    pub fn coords(&self, k: usize) -> Vec<usize> {
        let mut c = vec![0; self.0.shape.len()];
        let mut r = k;
        for i in (0..c.len()).rev() {
            c[i] = r % self.0.shape[i];
            r /= self.0.shape[i];
        }
        c
    }
    /// The PJRT device ids of the mesh's devices, in mesh order.
    pub fn device_ids(&self) -> Vec<i64> {
        match &self.0.client {
            Some(c) => self.0.devices.iter().map(|&d| c.device_ids[d] as i64).collect(),
            None => self.0.devices.iter().map(|&d| d as i64).collect(),
        }
    }
    /// The same devices with other axis types (JAX's `mesh.update(axis_types=...)`).
    pub fn with_types(&self, types: &[AxisType]) -> Result<Mesh> {
        let names: Vec<&str> = self.0.names.iter().map(|s| s.as_str()).collect();
        Mesh::new(&self.0.shape, &names, types, &self.0.devices, self.0.client.clone())
    }
}

impl PartialEq for Mesh {
    fn eq(&self, o: &Self) -> bool {
        let (a, b) = (&self.0, &o.0);
        Arc::ptr_eq(&self.0, &o.0)
            || (a.shape == b.shape
                && a.names == b.names
                && a.types == b.types
                && a.devices == b.devices
                && match (&a.client, &b.client) {
                    (Some(x), Some(y)) => Arc::ptr_eq(x, y),
                    (None, None) => true,
                    _ => false,
                })
    }
}
impl Eq for Mesh {}
impl std::hash::Hash for Mesh {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.0.shape.hash(h);
        self.0.names.hash(h);
        self.0.devices.hash(h);
    }
}

impl fmt::Display for Mesh {
    /// `Mesh('data': 8, axis_types=(Explicit,))`, as JAX prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let axes: Vec<String> = self.0.names.iter().zip(&self.0.shape).map(|(n, s)| format!("'{n}': {s}")).collect();
        let types: Vec<String> = self.0.types.iter().map(|t| format!("{t:?}")).collect();
        let comma = if types.len() == 1 { "," } else { "" };
        write!(f, "Mesh({}, axis_types=({}{comma}))", axes.join(", "), types.join(", "))
    }
}
impl fmt::Debug for Mesh {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// `jax.sharding.PartitionSpec`: for each leading array dimension, the mesh
/// axes it is split over (none: not split). Trailing dimensions not listed
/// are not split.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct PartitionSpec(pub Vec<Vec<String>>);

impl PartitionSpec {
    /// From one entry per dimension: `None` or `Some(&["a", "b"])`.
    pub fn new(dims: &[Option<&[&str]>]) -> PartitionSpec {
        PartitionSpec(dims.iter().map(|d| d.map(|a| a.iter().map(|s| s.to_string()).collect()).unwrap_or_default()).collect())
    }
    /// The common one-axis-per-dimension form: `P("data", None)` is `P::axes(&[Some("data"), None])`.
    pub fn axes(dims: &[Option<&str>]) -> PartitionSpec {
        PartitionSpec(dims.iter().map(|d| d.map(|a| vec![a.to_string()]).unwrap_or_default()).collect())
    }
    /// Fully replicated: `P()`.
    pub fn replicated() -> PartitionSpec {
        PartitionSpec(vec![])
    }
    /// The axes of dimension `d` (empty when not split).
    pub fn dim(&self, d: usize) -> &[String] {
        self.0.get(d).map(|v| v.as_slice()).unwrap_or(&[])
    }
    /// Every mesh axis the spec uses.
    pub fn used_axes(&self) -> Vec<&str> {
        self.0.iter().flatten().map(|s| s.as_str()).collect()
    }
    /// Trailing unsplit dimensions dropped (so equal specs compare equal).
    pub fn normalized(&self) -> PartitionSpec {
        let mut v = self.0.clone();
        while v.last().is_some_and(|d| d.is_empty()) {
            v.pop();
        }
        PartitionSpec(v)
    }
    /// This spec padded to `ndim` entries.
    pub fn padded(&self, ndim: usize) -> Vec<Vec<String>> {
        (0..ndim).map(|d| self.dim(d).to_vec()).collect()
    }
}

impl fmt::Display for PartitionSpec {
    /// `P('data', None)`, as JAX prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|d| match d.len() {
                0 => "None".to_string(),
                1 => format!("'{}'", d[0]),
                _ => format!("({})", d.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(", ")),
            })
            .collect();
        let comma = if parts.len() == 1 { "," } else { "" };
        write!(f, "P({}{comma})", parts.join(", "))
    }
}

/// `jax.sharding.NamedSharding(mesh, spec)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NamedSharding {
    pub mesh: Mesh,
    pub spec: PartitionSpec,
}

impl NamedSharding {
    /// Checks that every axis of `spec` is a mesh axis used once.
    pub fn new(mesh: &Mesh, spec: PartitionSpec) -> Result<NamedSharding> {
        let used = spec.used_axes();
        for (i, a) in used.iter().enumerate() {
            mesh.axis_index(a).map_err(|e| e.context(format!("NamedSharding with spec {spec}")))?;
            if used[..i].contains(a) {
                crate::bail!(Value, "NamedSharding: mesh axis {a:?} is used more than once in {spec}");
            }
        }
        Ok(NamedSharding { mesh: mesh.clone(), spec: spec.normalized() })
    }
    pub fn replicated(mesh: &Mesh) -> NamedSharding {
        NamedSharding { mesh: mesh.clone(), spec: PartitionSpec::replicated() }
    }
    pub fn is_replicated(&self) -> bool {
        self.spec.0.iter().all(|d| d.is_empty())
    }
    /// How many pieces dimension `d` is split into.
    pub fn parts(&self, d: usize) -> usize {
        self.spec.dim(d).iter().map(|a| self.mesh.axis_size(a).unwrap_or(1)).product()
    }
    /// Checks that the spec fits an array of `shape` (rank, divisibility),
    /// with JAX's message.
    pub fn check_shape(&self, shape: &[usize], what: &str) -> Result<()> {
        if self.spec.0.len() > shape.len() {
            crate::bail!(Value, "{what}: sharding {self} is for arrays of rank >= {}, got an array of shape {}", self.spec.0.len(), crate::ir::shape_str(shape));
        }
        for (d, &n) in shape.iter().enumerate() {
            let p = self.parts(d);
            if n % p != 0 {
                crate::bail!(
                    Value,
                    "{what} was given the sharding of {self}, which implies that the global size of its dimension {d} should be divisible by {p}, but it is equal to {n} (full shape: {})",
                    crate::ir::shape_str(shape)
                );
            }
        }
        Ok(())
    }
    /// The shape of one device's piece.
    pub fn shard_shape(&self, shape: &[usize]) -> Vec<usize> {
        shape.iter().enumerate().map(|(d, &n)| n / self.parts(d)).collect()
    }
    /// Which piece (along each dimension) mesh device `k` holds, and its
    /// replica number among the devices holding the same piece.
    fn tile_of(&self, k: usize, ndim: usize) -> (Vec<usize>, usize) {
        let m = self.mesh.inner();
        let c = self.mesh.coords(k);
        let tile = (0..ndim)
            .map(|d| {
                self.spec.dim(d).iter().fold(0, |acc, a| {
                    let i = self.mesh.axis_index(a).expect("checked at construction");
                    acc * m.shape[i] + c[i]
                })
            })
            .collect();
        let used = self.spec.used_axes();
        let rep = (0..m.names.len()).filter(|&i| !used.contains(&m.names[i].as_str())).fold(0, |acc, i| acc * m.shape[i] + c[i]);
        (tile, rep)
    }
    /// For each mesh device: the start offsets of its piece of a `shape` array.
    pub fn device_offsets(&self, shape: &[usize]) -> Vec<Vec<usize>> {
        let s = self.shard_shape(shape);
        (0..self.mesh.size()).map(|k| self.tile_of(k, shape.len()).0.iter().zip(&s).map(|(t, n)| t * n).collect()).collect()
    }
    /// True for the one device of each group holding the same piece (the
    /// one a gather reads).
    pub fn is_primary(&self, k: usize, ndim: usize) -> bool {
        self.tile_of(k, ndim).1 == 0
    }
    /// GSPMD's sharding text for an array of rank `ndim`:
    /// `{devices=[2,1,4]0,4,1,5,... last_tile_dim_replicate}`; device numbers
    /// are positions in the mesh (the partition ids of the compiled program).
    pub fn hlo(&self, ndim: usize) -> String {
        if self.is_replicated() {
            return "{replicated}".into();
        }
        let mut dims: Vec<usize> = (0..ndim).map(|d| self.parts(d)).collect();
        let tiles: usize = dims.iter().product();
        let rep = self.mesh.size() / tiles;
        if rep > 1 {
            dims.push(rep);
        }
        let mut order = vec![0usize; self.mesh.size()];
        for k in 0..self.mesh.size() {
            let (t, r) = self.tile_of(k, ndim);
            let mut flat = t.iter().zip(&dims).fold(0, |acc, (x, n)| acc * n + x);
            if rep > 1 {
                flat = flat * rep + r;
            }
            order[flat] = k;
        }
        let ds: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
        let os: Vec<String> = order.iter().map(|d| d.to_string()).collect();
        format!("{{devices=[{}]{}{}}}", ds.join(","), os.join(","), if rep > 1 { " last_tile_dim_replicate" } else { "" })
    }
    /// The part of this sharding over Explicit axes: what the type records.
    pub fn explicit_part(&self) -> Option<NamedSharding> {
        let m = self.mesh.inner();
        let keep = |a: &String| self.mesh.axis_index(a).map(|i| m.types[i] == AxisType::Explicit).unwrap_or(false);
        let spec = PartitionSpec(self.spec.0.iter().map(|d| d.iter().filter(|a| keep(a)).cloned().collect()).collect()).normalized();
        if m.types.iter().any(|t| *t == AxisType::Explicit) {
            Some(NamedSharding { mesh: self.mesh.clone(), spec })
        } else {
            None
        }
    }
}

impl fmt::Display for NamedSharding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NamedSharding(mesh={}, spec={})", self.mesh, self.spec)
    }
}

thread_local! {
    static CURRENT_MESH: std::cell::RefCell<Vec<Mesh>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `jax.set_mesh(mesh)` as a scope: the mesh bare partition specs refer to
/// until the guard is dropped.
pub struct MeshGuard(());

pub fn set_mesh(mesh: &Mesh) -> MeshGuard {
    CURRENT_MESH.with(|m| m.borrow_mut().push(mesh.clone()));
    MeshGuard(())
}

impl Drop for MeshGuard {
    fn drop(&mut self) {
        CURRENT_MESH.with(|m| {
            m.borrow_mut().pop();
        });
    }
}

/// The mesh set by the innermost `set_mesh` on this thread.
pub fn current_mesh() -> Option<Mesh> {
    CURRENT_MESH.with(|m| m.borrow().last().cloned())
}

/// A bare spec resolved against the current mesh (JAX's
/// `device_put(x, P(...))` under `set_mesh`).
pub fn sharding_for_spec(spec: PartitionSpec) -> Result<NamedSharding> {
    let mesh = current_mesh().ok_or_else(|| crate::err!(Value, "a PartitionSpec {spec} was given but no mesh is set: use set_mesh(mesh) or a NamedSharding"))?;
    NamedSharding::new(&mesh, spec)
}

thread_local! {
    /// Named axes in scope for collectives: (name, size), innermost last.
    static AXIS_ENV: std::cell::RefCell<Vec<(String, usize)>> = const { std::cell::RefCell::new(Vec::new()) };
    /// The axis the innermost running vmap maps (None: an unnamed vmap).
    static BATCH_AXIS: std::cell::RefCell<Vec<Option<String>>> = const { std::cell::RefCell::new(Vec::new()) };
}

struct PopAxes(usize);
impl Drop for PopAxes {
    fn drop(&mut self) {
        AXIS_ENV.with(|e| e.borrow_mut().truncate(self.0));
    }
}
struct PopBatch;
impl Drop for PopBatch {
    fn drop(&mut self) {
        BATCH_AXIS.with(|e| {
            e.borrow_mut().pop();
        });
    }
}

/// Runs `f` with named axes in scope (while a `shard_map` body or a named
/// `vmap` is traced).
pub fn with_axis_env<R>(axes: &[(String, usize)], f: impl FnOnce() -> R) -> R {
    let depth = AXIS_ENV.with(|e| {
        let mut e = e.borrow_mut();
        let d = e.len();
        e.extend(axes.iter().cloned());
        d
    });
    let _pop = PopAxes(depth);
    f()
}

/// The size of a named axis in scope; JAX's error otherwise.
pub fn axis_size(name: &str) -> Result<usize> {
    AXIS_ENV
        .with(|e| e.borrow().iter().rev().find(|(n, _)| n == name).map(|(_, s)| *s))
        .ok_or_else(|| crate::err!(Value, "unbound axis name: {name}. The following axis names (e.g. defined by pmap, vmap or shard_map) are available to collective operations: {:?}", AXIS_ENV.with(|e| e.borrow().iter().map(|(n, _)| n.clone()).collect::<Vec<_>>())))
}

/// Runs `f` (a vmap's evaluation) with `name` as the axis being mapped.
pub fn with_batch_axis<R>(name: Option<&str>, f: impl FnOnce() -> R) -> R {
    BATCH_AXIS.with(|e| e.borrow_mut().push(name.map(|s| s.to_string())));
    let _pop = PopBatch;
    f()
}

/// The axis the innermost running vmap maps, if it has a name.
pub fn current_batch_axis() -> Option<String> {
    BATCH_AXIS.with(|e| e.borrow().last().cloned().flatten())
}
