//! Backends. `interp` evaluates graphs on host arrays (always present, the
//! reference for every test); the PJRT backend comes with the jit issue.

pub mod host;
pub mod interp;
pub mod pjrt;
pub mod compile_cache;

use std::sync::{Arc, OnceLock};

static DEFAULT_CLIENT: OnceLock<Option<Arc<pjrt::Client>>> = OnceLock::new();

/// The client `jit` runs on: the plugin named by `JAXCORE_PLATFORM`
/// (default `cpu`; `JAXCORE_PLUGIN=/path.so` picks a file), with
/// `JAXCORE_CPU_DEVICES` devices. `JAXCORE_PLATFORM=interp`, or no plugin
/// to be found, means the interpreter (with a one-line notice).
pub fn default_client() -> Option<Arc<pjrt::Client>> {
    DEFAULT_CLIENT
        .get_or_init(|| {
            let platform = std::env::var("JAXCORE_PLATFORM").unwrap_or_else(|_| "cpu".into());
            if platform == "interp" {
                return None;
            }
            let devices = std::env::var("JAXCORE_CPU_DEVICES").ok().and_then(|s| s.parse().ok());
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

/// `jax.default_backend()`: the platform name of the default client, or "interp".
pub fn default_backend() -> String {
    default_client().map(|c| c.platform.clone()).unwrap_or_else(|| "interp".into())
}
