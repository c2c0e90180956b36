//! The PJRT backend: opens a plugin with libloading (`GetPjrtApi`), checks
//! its API version and table size, creates clients, moves buffers between
//! host and device, compiles StableHLO text and executes it. Errors carry
//! the plugin's own message; nothing here panics across the plugin.

pub mod ffi;

use crate::dtype::DType;
use crate::error::Result;
use crate::runtime::host::HostData;
use ffi::*;
use std::ffi::c_void;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// A loaded plugin. The library is never unloaded: plugins register
/// process-exit handlers that would run after a dlclose and crash.
pub struct Plugin {
    _lib: std::mem::ManuallyDrop<libloading::Library>,
    api: *const Api,
    pub path: PathBuf,
    pub version: (i32, i32),
}

// The PJRT API table is immutable and its functions are thread-safe.
unsafe impl Send for Plugin {}
unsafe impl Sync for Plugin {}

fn rt(msg: String) -> crate::Error {
    crate::Error::new(crate::ErrorKind::Runtime, msg)
}

impl Plugin {
    /// Opens the plugin at `path` and initializes it.
    pub fn load(path: &Path) -> Result<Arc<Plugin>> {
        // XLA's plugins log to stderr at INFO level (each client's
        // cpu_device_count) and warn about their own internals (GSPMD's
        // deprecation on every partitioned compile); a JAX program's stderr
        // shows neither, so only errors are let through. The user's own
        // setting wins.
        if std::env::var_os("TF_CPP_MIN_LOG_LEVEL").is_none() {
            std::env::set_var("TF_CPP_MIN_LOG_LEVEL", "2");
        }
        // SAFETY: loading a shared library runs its initializers; the path is the user's choice of plugin.
        let lib = unsafe { libloading::Library::new(path) }.map_err(|e| rt(format!("cannot load PJRT plugin {}: {e}", path.display())))?;
        let api = unsafe {
            let get: libloading::Symbol<unsafe extern "C" fn() -> *const Api> =
                lib.get(b"GetPjrtApi\0").map_err(|e| rt(format!("{} is not a PJRT plugin (no GetPjrtApi): {e}", path.display())))?;
            get()
        };
        if api.is_null() {
            crate::bail!(Runtime, "PJRT plugin {} returned a null API table", path.display());
        }
        // SAFETY: the plugin returned a non-null table; we read its header fields only after checking its size.
        let (size, major, minor) = unsafe { ((*api).struct_size, (*api).version.major, (*api).version.minor) };
        let need = std::mem::size_of::<Api>();
        if major != 0 || size < need {
            crate::bail!(
                Runtime,
                "PJRT plugin {} has API version {major}.{minor} with a {size}-byte function table; this build needs API 0.x with at least {need} bytes",
                path.display()
            );
        }
        let p = Plugin { _lib: std::mem::ManuallyDrop::new(lib), api, path: path.to_path_buf(), version: (major, minor) };
        let mut a = PluginInitializeArgs::new();
        p.call(p.api().plugin_initialize, &mut a).map_err(|e| e.context("PJRT_Plugin_Initialize"))?;
        Ok(Arc::new(p))
    }

    fn api(&self) -> &Api {
        // SAFETY: checked non-null and large enough at load.
        unsafe { &*self.api }
    }

    /// Calls one entry point; a returned PJRT_Error becomes our error (and is freed).
    fn call<A>(&self, f: *const c_void, args: &mut A) -> Result<()> {
        if f.is_null() {
            crate::bail!(Runtime, "the PJRT plugin does not implement a function we need");
        }
        // SAFETY: f is an entry of the plugin's table with signature PJRT_Error*(Args*), and args is the matching struct.
        let err = unsafe {
            let f: unsafe extern "C" fn(*mut A) -> *mut Opaque = std::mem::transmute(f);
            f(args)
        };
        if err.is_null() {
            return Ok(());
        }
        let mut m = ErrorMessageArgs::new();
        m.error = err;
        // SAFETY: error_message/error_destroy take these args and the error the plugin just returned.
        let msg = unsafe {
            let f: unsafe extern "C" fn(*mut ErrorMessageArgs) = std::mem::transmute(self.api().error_message);
            f(&mut m);
            let bytes = std::slice::from_raw_parts(m.message as *const u8, m.message_size);
            let s = String::from_utf8_lossy(bytes).into_owned();
            let mut d = ErrorDestroyArgs::new();
            d.error = err;
            let f: unsafe extern "C" fn(*mut ErrorDestroyArgs) = std::mem::transmute(self.api().error_destroy);
            f(&mut d);
            s
        };
        Err(rt(msg))
    }

    fn await_event(&self, event: *mut Opaque) -> Result<()> {
        if event.is_null() {
            return Ok(());
        }
        let mut a = EventAwaitArgs::new();
        a.event = event;
        let r = self.call(self.api().event_await, &mut a);
        let mut d = EventDestroyArgs::new();
        d.event = event;
        let _ = self.call(self.api().event_destroy, &mut d);
        r
    }
}

/// A PJRT client and its addressable devices.
pub struct Client {
    pub plugin: Arc<Plugin>,
    raw: *mut Opaque,
    devices: Vec<*mut Opaque>,
    pub platform: String,
    pub device_ids: Vec<i32>,
}

unsafe impl Send for Client {}
unsafe impl Sync for Client {}

impl Client {
    /// Creates a client; `cpu_device_count` is passed when given (CPU
    /// plugins), and then `asynchronous = false`: XLA's CPU client runs
    /// each execution on the calling thread instead of handing the larger
    /// ones to a worker thread. The engine reads results back between eager
    /// operations and `block_until_ready` follows most calls; each handoff
    /// and wake-up cost 30-100 us on small machines (a jitted 1000-element
    /// sum: 37 us asynchronous, 9 us synchronous), and nothing here overlaps
    /// host work with a running computation. A plugin that does not know the
    /// option is asked again without it; `JAXCORE_CPU_ASYNC=1` keeps XLA's
    /// asynchronous default.
    pub fn new(plugin: Arc<Plugin>, cpu_device_count: Option<usize>) -> Result<Arc<Client>> {
        let opt = |name: &'static [u8], kind, value| NamedValue {
            struct_size: std::mem::size_of::<NamedValue>(),
            extension_start: std::ptr::null_mut(),
            name: name.as_ptr() as *const _,
            name_size: name.len(),
            kind,
            value,
            value_size: 1,
        };
        let mut opts: Vec<NamedValue> = Vec::new();
        if let Some(n) = cpu_device_count {
            opts.push(opt(b"cpu_device_count", NAMED_VALUE_INT64, n as i64));
            if std::env::var("JAXCORE_CPU_ASYNC").as_deref() != Ok("1") {
                opts.push(opt(b"asynchronous", NAMED_VALUE_BOOL, 0));
            }
        }
        let create = |opts: &[NamedValue]| {
            let mut a = ClientCreateArgs::new();
            a.create_options = opts.as_ptr();
            a.num_options = opts.len();
            plugin.call(plugin.api().client_create, &mut a).map(|_| a.client)
        };
        let raw = match create(&opts) {
            Err(_) if opts.len() == 2 => create(&opts[..1]),
            r => r,
        }
        .map_err(|e| e.context(format!("creating a client of {}", plugin.path.display())))?;
        let mut c = Client { plugin, raw, devices: vec![], platform: String::new(), device_ids: vec![] };
        let mut p = ClientPlatformNameArgs::new();
        p.client = raw;
        c.plugin.call(c.plugin.api().client_platform_name, &mut p)?;
        // SAFETY: the plugin returned a string of that size owned by the client.
        c.platform = unsafe { String::from_utf8_lossy(std::slice::from_raw_parts(p.platform_name as *const u8, p.platform_name_size)).into_owned() };
        let mut d = ClientAddressableDevicesArgs::new();
        d.client = raw;
        c.plugin.call(c.plugin.api().client_addressable_devices, &mut d)?;
        // SAFETY: an array of num_devices device pointers owned by the client.
        c.devices = unsafe { std::slice::from_raw_parts(d.devices, d.num_devices).to_vec() };
        for &dev in &c.devices {
            let mut g = DeviceGetDescriptionArgs::new();
            g.device = dev;
            c.plugin.call(c.plugin.api().device_get_description, &mut g)?;
            let mut i = DeviceDescriptionIdArgs::new();
            i.description = g.description;
            c.plugin.call(c.plugin.api().device_description_id, &mut i)?;
            c.device_ids.push(i.id);
        }
        if c.devices.is_empty() {
            crate::bail!(Runtime, "PJRT plugin {} has no addressable devices", c.plugin.path.display());
        }
        Ok(Arc::new(c))
    }

    pub fn num_devices(&self) -> usize {
        self.devices.len()
    }

    /// Copies host data to device `device` (an index into the addressable devices).
    pub fn buffer_from_host(self: &Arc<Self>, h: &HostData, device: usize) -> Result<Buffer> {
        let bytes = h.to_bytes();
        let dims: Vec<i64> = h.shape().iter().map(|&d| d as i64).collect();
        let mut a = ClientBufferFromHostBufferArgs::new();
        a.client = self.raw;
        a.data = bytes.as_ptr() as *const c_void;
        a.buffer_type = buffer_type(h.dtype());
        a.dims = dims.as_ptr();
        a.num_dims = dims.len();
        a.host_buffer_semantics = HOST_SEMANTICS_COPY_DURING_CALL;
        a.device = *self.devices.get(device).ok_or_else(|| rt(format!("device index {device} out of range ({} devices)", self.devices.len())))?;
        self.plugin.call(self.plugin.api().client_buffer_from_host_buffer, &mut a)?;
        self.plugin.await_event(a.done_with_host_buffer)?;
        Ok(Buffer { client: self.clone(), raw: a.buffer })
    }

    /// The plugin's platform version string (part of the compile cache key).
    pub fn platform_version(&self) -> String {
        let mut a = ClientPlatformVersionArgs::new();
        a.client = self.raw;
        match self.plugin.call(self.plugin.api().client_platform_version, &mut a) {
            // SAFETY: a string of that size owned by the client.
            Ok(()) => unsafe { String::from_utf8_lossy(std::slice::from_raw_parts(a.platform_version as *const u8, a.platform_version_size)).into_owned() },
            Err(_) => String::new(),
        }
    }

    /// Loads an executable serialized by `Executable::serialize`.
    pub fn deserialize(self: &Arc<Self>, bytes: &[u8]) -> Result<Executable> {
        let mut a = ExecutableDeserializeAndLoadArgs::new();
        a.client = self.raw;
        a.serialized_executable = bytes.as_ptr() as *const _;
        a.serialized_executable_size = bytes.len();
        self.plugin.call(self.plugin.api().executable_deserialize_and_load, &mut a)?;
        let mut exe = Executable { client: self.clone(), raw: a.loaded_executable, num_outputs: 0 };
        exe.num_outputs = exe.query_num_outputs()?;
        Ok(exe)
    }

    /// Compiles StableHLO text with serialized CompileOptionsProto `options`.
    pub fn compile(self: &Arc<Self>, mlir: &str, options: &[u8]) -> Result<Executable> {
        let fmt = b"mlir";
        let mut prog = Program::new();
        prog.code = mlir.as_ptr() as *mut _;
        prog.code_size = mlir.len();
        prog.format = fmt.as_ptr() as *const _;
        prog.format_size = fmt.len();
        let mut a = ClientCompileArgs::new();
        a.client = self.raw;
        a.program = &prog;
        a.compile_options = options.as_ptr() as *const _;
        a.compile_options_size = options.len();
        self.plugin.call(self.plugin.api().client_compile, &mut a).map_err(|e| e.context("XLA compilation failed"))?;
        let mut exe = Executable { client: self.clone(), raw: a.executable, num_outputs: 0 };
        exe.num_outputs = exe.query_num_outputs()?;
        Ok(exe)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let mut a = ClientDestroyArgs::new();
        a.client = self.raw;
        let _ = self.plugin.call(self.plugin.api().client_destroy, &mut a);
    }
}

/// A device buffer; freed when dropped.
pub struct Buffer {
    client: Arc<Client>,
    raw: *mut Opaque,
}

unsafe impl Send for Buffer {}
unsafe impl Sync for Buffer {}

impl Buffer {
    /// The client that owns this buffer.
    pub fn client(&self) -> &Arc<Client> {
        &self.client
    }

    /// Copies to the host (waiting for the data to be ready; errors raised
    /// while computing it surface here).
    pub fn to_host(&self, dtype: DType, shape: &[usize]) -> Result<HostData> {
        let n: usize = shape.iter().product::<usize>() * dtype.size_in_bytes();
        if self.client.platform == "cpu" {
            if let Some(data) = self.read_cpu_memory(dtype, shape, n)? {
                return Ok(data);
            }
        }
        let mut bytes = vec![0u8; n];
        let mut a = BufferToHostBufferArgs::new();
        a.src = self.raw;
        a.dst = bytes.as_mut_ptr() as *mut c_void;
        a.dst_size = n;
        let p = &self.client.plugin;
        p.call(p.api().buffer_to_host_buffer, &mut a)?;
        p.await_event(a.event)?;
        HostData::from_bytes(dtype, shape, &bytes)
    }

    /// A CPU buffer's memory is host memory: once the value is computed it
    /// is read in place (as jaxlib's CPU arrays are), under an external
    /// reference that keeps the memory alive. PJRT_Buffer_ToHostBuffer
    /// would hand the copy to the client's worker threads and wait for it
    /// (~100 us on a small VM, for 16 bytes). `None` when the buffer is not
    /// plain dense memory of that size (the copy path reads it then).
    fn read_cpu_memory(&self, dtype: DType, shape: &[usize], n: usize) -> Result<Option<HostData>> {
        let p = &self.client.plugin;
        let mut size = BufferOnDeviceSizeArgs::new();
        size.buffer = self.raw;
        p.call(p.api().buffer_on_device_size_in_bytes, &mut size)?;
        if size.on_device_size_in_bytes != n || n == 0 {
            return Ok(None);
        }
        self.block_until_ready()?;
        let mut r = BufferExternalReferenceArgs::new();
        r.buffer = self.raw;
        p.call(p.api().buffer_increase_external_reference_count, &mut r)?;
        let mut m = BufferDeviceMemoryPointerArgs::new();
        m.buffer = self.raw;
        let got = p.call(p.api().buffer_opaque_device_memory_data_pointer, &mut m).map(|_| {
            // SAFETY: n bytes of computed buffer memory, kept alive by the external reference.
            let bytes = unsafe { std::slice::from_raw_parts(m.device_memory_ptr as *const u8, n) };
            HostData::from_bytes(dtype, shape, bytes)
        });
        let mut r = BufferExternalReferenceArgs::new();
        r.buffer = self.raw;
        p.call(p.api().buffer_decrease_external_reference_count, &mut r)?;
        got?.map(Some)
    }

    /// Waits until the buffer's value is computed.
    pub fn block_until_ready(&self) -> Result<()> {
        let mut a = BufferReadyEventArgs::new();
        a.buffer = self.raw;
        let p = &self.client.plugin;
        p.call(p.api().buffer_ready_event, &mut a)?;
        p.await_event(a.event)
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        let mut a = BufferDestroyArgs::new();
        a.buffer = self.raw;
        let p = &self.client.plugin;
        let _ = p.call(p.api().buffer_destroy, &mut a);
    }
}

/// A compiled, loaded executable.
pub struct Executable {
    client: Arc<Client>,
    raw: *mut Opaque,
    pub num_outputs: usize,
}

unsafe impl Send for Executable {}
unsafe impl Sync for Executable {}

impl Executable {
    /// Runs `f` on the (unloaded) executable behind this loaded one, freeing it after.
    fn with_executable<R>(&self, f: impl FnOnce(&Plugin, *mut Opaque) -> Result<R>) -> Result<R> {
        let p = &self.client.plugin;
        let mut g = LoadedExecutableGetExecutableArgs::new();
        g.loaded_executable = self.raw;
        p.call(p.api().loaded_executable_get_executable, &mut g)?;
        let r = f(p, g.executable);
        let mut d = ExecutableDestroyArgs::new();
        d.executable = g.executable;
        let _ = p.call(p.api().executable_destroy, &mut d);
        r
    }

    fn query_num_outputs(&self) -> Result<usize> {
        self.with_executable(|p, exe| {
            let mut n = ExecutableNumOutputsArgs::new();
            n.executable = exe;
            p.call(p.api().executable_num_outputs, &mut n).map(|_| n.num_outputs)
        })
    }

    /// The executable in the plugin's serialized form (for the disk cache).
    pub fn serialize(&self) -> Result<Vec<u8>> {
        self.with_executable(|p, exe| {
            let mut s = ExecutableSerializeArgs::new();
            s.executable = exe;
            p.call(p.api().executable_serialize, &mut s).map(|_| {
                // SAFETY: bytes owned by serialized_executable until its deleter runs.
                let v = unsafe { std::slice::from_raw_parts(s.serialized_bytes as *const u8, s.serialized_bytes_size).to_vec() };
                if let Some(del) = s.serialized_executable_deleter {
                    // SAFETY: the deleter the plugin gave for this object.
                    unsafe { del(s.serialized_executable) };
                }
                v
            })
        })
    }

    /// The client device indices this executable runs on, in the order
    /// `execute_sharded` takes and returns per-device lists.
    pub fn addressable_devices(&self) -> Result<Vec<usize>> {
        let p = &self.client.plugin;
        let mut a = LoadedExecutableAddressableDevicesArgs::new();
        a.executable = self.raw;
        p.call(p.api().loaded_executable_addressable_devices, &mut a)?;
        // SAFETY: an array of that many device pointers owned by the executable.
        let devs = unsafe { std::slice::from_raw_parts(a.addressable_devices, a.num_addressable_devices) };
        devs.iter()
            .map(|d| self.client.devices.iter().position(|x| x == d).ok_or_else(|| rt("the executable runs on a device its client does not list".into())))
            .collect()
    }

    /// Runs on several devices at once (an SPMD program): one argument list
    /// per device in `addressable_devices` order; one output list per device.
    pub fn execute_sharded(&self, args: &[Vec<&Buffer>]) -> Result<Vec<Vec<Buffer>>> {
        let p = &self.client.plugin;
        let nargs = args.first().map(|a| a.len()).unwrap_or(0);
        let ptrs: Vec<Vec<*mut Opaque>> = args.iter().map(|l| l.iter().map(|b| b.raw).collect()).collect();
        let arg_lists: Vec<*const *mut Opaque> = ptrs.iter().map(|l| l.as_ptr()).collect();
        let mut outs: Vec<Vec<*mut Opaque>> = args.iter().map(|_| vec![std::ptr::null_mut(); self.num_outputs]).collect();
        let out_lists: Vec<*mut *mut Opaque> = outs.iter_mut().map(|l| l.as_mut_ptr()).collect();
        let mut opts = ExecuteOptions::new();
        let mut a = LoadedExecutableExecuteArgs::new();
        a.executable = self.raw;
        a.options = &mut opts;
        a.argument_lists = arg_lists.as_ptr();
        a.num_devices = args.len();
        a.num_args = nargs;
        a.output_lists = out_lists.as_ptr();
        p.call(p.api().loaded_executable_execute, &mut a).map_err(|e| e.context("XLA execution failed"))?;
        Ok(outs.into_iter().map(|l| l.into_iter().map(|raw| Buffer { client: self.client.clone(), raw }).collect()).collect())
    }

    /// Runs on one device with the given argument buffers.
    pub fn execute(&self, args: &[&Buffer]) -> Result<Vec<Buffer>> {
        let p = &self.client.plugin;
        let arg_ptrs: Vec<*mut Opaque> = args.iter().map(|b| b.raw).collect();
        let arg_lists: [*const *mut Opaque; 1] = [arg_ptrs.as_ptr()];
        let mut outs: Vec<*mut Opaque> = vec![std::ptr::null_mut(); self.num_outputs];
        let out_lists: [*mut *mut Opaque; 1] = [outs.as_mut_ptr()];
        let mut opts = ExecuteOptions::new();
        let mut a = LoadedExecutableExecuteArgs::new();
        a.executable = self.raw;
        a.options = &mut opts;
        a.argument_lists = arg_lists.as_ptr();
        a.num_devices = 1;
        a.num_args = args.len();
        a.output_lists = out_lists.as_ptr();
        p.call(p.api().loaded_executable_execute, &mut a).map_err(|e| e.context("XLA execution failed"))?;
        Ok(outs.into_iter().map(|raw| Buffer { client: self.client.clone(), raw }).collect())
    }
}

impl Drop for Executable {
    fn drop(&mut self) {
        let mut a = LoadedExecutableDestroyArgs::new();
        a.executable = self.raw;
        let p = &self.client.plugin;
        let _ = p.call(p.api().loaded_executable_destroy, &mut a);
    }
}

// Protobuf wire format for the few messages sent to plugins (no protoc).
fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn varint_field(tag: u64, v: u64, out: &mut Vec<u8>) {
    varint(tag << 3, out);
    varint(v, out);
}

fn bytes_field(tag: u64, body: &[u8], out: &mut Vec<u8>) {
    varint((tag << 3) | 2, out);
    varint(body.len() as u64, out);
    out.extend_from_slice(body);
}

/// Serialized `xla.CompileOptionsProto` for `num_replicas` x `num_partitions`
/// (XLA's defaults are 0, so both are always written), with the options
/// of `XLA_FLAGS`.
pub fn compile_options(num_replicas: u64, num_partitions: u64) -> Vec<u8> {
    let mut build = Vec::new();
    varint_field(4, num_replicas, &mut build);
    varint_field(5, num_partitions, &mut build);
    let mut out = Vec::new();
    bytes_field(3, &build, &mut out); // executable_build_options
    out.extend_from_slice(xla_flags());
    out
}

/// Compile options for an SPMD program over `device_ids` (one partition
/// per device, in partition order): XLA's partitioner splits the program.
pub fn compile_options_spmd(device_ids: &[i64]) -> Vec<u8> {
    // DeviceAssignmentProto: replica_count 1, computation_count 2, computation_devices 3
    let mut da = Vec::new();
    varint_field(1, 1, &mut da);
    varint_field(2, device_ids.len() as u64, &mut da);
    for &id in device_ids {
        let mut cd = Vec::new();
        varint_field(1, id as u64, &mut cd); // replica_device_ids
        bytes_field(3, &cd, &mut da);
    }
    let mut build = Vec::new();
    varint_field(4, 1, &mut build);
    varint_field(5, device_ids.len() as u64, &mut build);
    varint_field(6, 1, &mut build); // use_spmd_partitioning
    bytes_field(9, &da, &mut build);
    let mut out = Vec::new();
    bytes_field(3, &build, &mut out);
    out.extend_from_slice(xla_flags());
    out
}

/// `XLA_FLAGS` (`--xla_dump_to=/tmp/d --xla_cpu_enable_fast_math=true ...`,
/// as JAX users set them) as `CompileOptionsProto.env_option_overrides`:
/// plugins do not read the variable themselves. A value reads as a bool
/// (`true`/`false`, or a bare `--flag`), an integer, a float, else a string;
/// the plugin rejects unknown names and mistyped values at compile time.
fn xla_flags() -> &'static [u8] {
    static FLAGS: OnceLock<Vec<u8>> = OnceLock::new();
    FLAGS.get_or_init(|| encode_option_overrides(&std::env::var("XLA_FLAGS").unwrap_or_default()))
}

fn encode_option_overrides(flags: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for flag in flags.split_whitespace() {
        let flag = flag.trim_start_matches('-');
        let (name, value) = flag.split_once('=').unwrap_or((flag, "true"));
        // OptionOverrideProto: string_field 1, bool_field 2, int_field 3, double_field 4
        let mut v = Vec::new();
        match value {
            "true" | "false" => varint_field(2, (value == "true") as u64, &mut v),
            _ => {
                if let Ok(i) = value.parse::<i64>() {
                    varint_field(3, i as u64, &mut v);
                } else if let (Ok(d), true) = (value.parse::<f64>(), value.contains(['.', 'e', 'E'])) {
                    varint((4 << 3) | 1, &mut v); // fixed64
                    v.extend_from_slice(&d.to_le_bytes());
                } else {
                    bytes_field(1, value.as_bytes(), &mut v);
                }
            }
        }
        let mut entry = Vec::new();
        bytes_field(1, name.as_bytes(), &mut entry);
        bytes_field(2, &v, &mut entry);
        bytes_field(7, &entry, &mut out); // env_option_overrides map entry
    }
    out
}

/// Where the CPU plugin is cached by `scripts/fetch_cpu_plugin.sh`.
pub fn cpu_plugin_cache_path() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    base.join("jaxcore/plugins/cpu/xla_cpu-0.11.2.so")
}

/// The plugin path for a platform name (`cpu`, `cuda`, `tpu`) or an explicit
/// path; `JAXCORE_PLUGIN` overrides.
pub fn find_plugin(name: &str) -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("JAXCORE_PLUGIN") {
        return Ok(PathBuf::from(p));
    }
    let p = Path::new(name);
    if name.contains('/') || name.ends_with(".so") {
        return Ok(p.to_path_buf());
    }
    let candidates: Vec<PathBuf> = match name {
        "cpu" => vec![cpu_plugin_cache_path()],
        "cuda" => vec![PathBuf::from("xla_cuda_plugin.so")],
        "tpu" => vec![PathBuf::from("libtpu.so")],
        _ => crate::bail!(Value, "unknown PJRT platform {name:?}: use cpu, cuda, tpu or a plugin path"),
    };
    candidates.into_iter().find(|c| c.exists() || !c.is_absolute()).ok_or_else(|| {
        rt(format!("no PJRT plugin for {name}: run scripts/fetch_cpu_plugin.sh, or set JAXCORE_PLUGIN=/path/to/plugin.so"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn xla_flags_encode_as_jaxlib_encodes_env_option_overrides() {
        // jaxlib 0.10.2: CompileOptions().env_option_overrides =
        // [("xla_cpu_use_xnnpack", True), ("xla_dump_to", "/x")], serialized
        let jaxlib = "3a190a13786c615f6370755f7573655f786e6e7061636b120210013a130a0b786c615f64756d705f746f12040a022f78";
        assert_eq!(hex(&encode_option_overrides("--xla_cpu_use_xnnpack --xla_dump_to=/x")), jaxlib);
        assert_eq!(hex(&encode_option_overrides(" --xla_cpu_use_xnnpack=true  --xla_dump_to=/x ")), jaxlib);
        // jaxlib: [("a", 3), ("b", 0.5)]: OptionOverrideProto int_field and double_field
        assert_eq!(hex(&encode_option_overrides("--a=3 --b=0.5")), "3a070a0161120218033a0e0a0162120921000000000000e03f");
        assert!(encode_option_overrides("").is_empty());
    }
}
