//! Backends. `interp` evaluates graphs on host arrays (always present, the
//! reference for every test); the PJRT backend comes with the jit issue.

pub mod host;
pub mod interp;
pub mod pjrt;
pub mod compile_cache;
pub(crate) mod eager;
pub(crate) mod denormals;

use std::sync::{Arc, OnceLock};

static DEFAULT_CLIENT: OnceLock<Option<Arc<pjrt::Client>>> = OnceLock::new();
static CPU_DEVICES: OnceLock<usize> = OnceLock::new();

/// JAX's `jax_num_cpu_devices`: how many CPU devices the default client
/// gets. Must come before the first use of a device; later calls asking for
/// the count already in effect are fine, others are an error.
pub fn set_cpu_device_count(n: usize) -> crate::Result<()> {
    if n == 0 {
        crate::bail!(Value, "jax_num_cpu_devices must be positive, got 0");
    }
    let now = *CPU_DEVICES.get_or_init(|| n);
    if now != n {
        crate::bail!(Value, "jax_num_cpu_devices is already {now}: it cannot change once set");
    }
    if let Some(Some(c)) = DEFAULT_CLIENT.get() {
        if c.platform == "cpu" && c.num_devices() != n {
            crate::bail!(Value, "jax_num_cpu_devices = {n} came after the backend was initialized with {} devices; set it (or JAXCORE_CPU_DEVICES) before the first use of a device", c.num_devices());
        }
    }
    Ok(())
}

/// The client `jit` runs on: the plugin named by `JAXCORE_PLATFORM`
/// (default `cpu`; `JAXCORE_PLUGIN=/path.so` picks a file), with
/// `JAXCORE_CPU_DEVICES` devices (or `XLA_FLAGS`'
/// `--xla_force_host_platform_device_count`; one by default, as JAX). `JAXCORE_PLATFORM=interp`, or no plugin
/// to be found, means the interpreter (with a one-line notice).
pub fn default_client() -> Option<Arc<pjrt::Client>> {
    DEFAULT_CLIENT
        .get_or_init(|| {
            let platform = std::env::var("JAXCORE_PLATFORM").unwrap_or_else(|_| "cpu".into());
            if platform == "interp" {
                return None;
            }
            // one CPU device unless asked for more, as JAX (the plugin alone would make 4)
            let devices = CPU_DEVICES
                .get()
                .copied()
                .or_else(|| std::env::var("JAXCORE_CPU_DEVICES").ok().and_then(|s| s.parse().ok()))
                .or_else(xla_flags_device_count)
                .or(Some(1));
            let made = pjrt::find_plugin(&platform)
                .and_then(|p| pjrt::Plugin::load(&p))
                .and_then(|p| pjrt::Client::new(p, if platform == "cpu" { devices } else { None }));
            match made {
                Ok(c) => Some(c),
                Err(e) => {
                    eprintln!("jaxcore: no PJRT plugin for {platform} ({}); running on the interpreter", e.msg);
                    None
                }
            }
        })
        .clone()
}

/// `--xla_force_host_platform_device_count=N` in `XLA_FLAGS`, which JAX
/// users set for several CPU devices.
fn xla_flags_device_count() -> Option<usize> {
    let flags = std::env::var("XLA_FLAGS").ok()?;
    flags.split_whitespace().find_map(|f| f.strip_prefix("--xla_force_host_platform_device_count=")?.parse().ok())
}

/// `jax.default_backend()`: the platform name of the default client, or "interp".
pub fn default_backend() -> String {
    default_client().map(|c| c.platform.clone()).unwrap_or_else(|| "interp".into())
}
