//! The PJRT runtime on the CPU plugin with hand-written StableHLO: load,
//! client, buffers both ways, compile, execute, and compile errors.

use jaxcore::runtime::host::HostData;
use jaxcore::runtime::pjrt::{compile_options, cpu_plugin_cache_path, Client, Plugin};
use jaxcore::DType;

fn client() -> Option<std::sync::Arc<Client>> {
    let path = cpu_plugin_cache_path();
    if !path.exists() {
        assert!(std::env::var_os("CI").is_none(), "CI must fetch the CPU plugin (scripts/fetch_cpu_plugin.sh)");
        eprintln!("skipping: no CPU plugin at {} (run scripts/fetch_cpu_plugin.sh)", path.display());
        return None;
    }
    Some(Client::new(Plugin::load(&path).unwrap(), None).unwrap())
}

#[test]
fn hand_written_module_runs() {
    let Some(c) = client() else { return };
    assert_eq!(c.platform, "cpu");
    let m = "module @m {\n  func.func public @main(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {\n    %0 = stablehlo.multiply %a, %b : tensor<4xf32>\n    %1 = stablehlo.add %0, %a : tensor<4xf32>\n    return %1 : tensor<4xf32>\n  }\n}";
    let exe = c.compile(m, &compile_options(1, 1)).unwrap();
    let x = HostData::from_vec(&[4], vec![1.0f32, 2.0, 3.0, 4.0]).unwrap();
    let bx = c.buffer_from_host(&x, 0).unwrap();
    let out = exe.execute(&[&bx, &bx]).unwrap();
    assert_eq!(out.len(), 1);
    let h = out[0].to_host(DType::F32, &[4]).unwrap();
    assert_eq!(h.to_vec::<f32>(), vec![2.0, 6.0, 12.0, 20.0]);
}

#[test]
fn compile_errors_carry_the_plugin_message() {
    let Some(c) = client() else { return };
    let m = "module @m {\n  func.func public @main(%a: tensor<4xf32>) -> tensor<3xf32> {\n    return %a : tensor<4xf32>\n  }\n}";
    let e = c.compile(m, &compile_options(1, 1)).err().unwrap();
    assert!(e.msg.contains("XLA compilation failed") && e.msg.contains("tensor<3xf32>"), "{e}");
}

#[test]
fn several_cpu_devices() {
    let path = cpu_plugin_cache_path();
    if !path.exists() {
        return;
    }
    let c = Client::new(Plugin::load(&path).unwrap(), Some(4)).unwrap();
    assert_eq!(c.num_devices(), 4);
    assert_eq!(c.device_ids, vec![0, 1, 2, 3]);
}

#[test]
fn a_missing_plugin_is_an_error() {
    let e = Plugin::load(std::path::Path::new("/nonexistent/plugin.so")).err().unwrap();
    assert!(e.msg.contains("/nonexistent/plugin.so"), "{e}");
}
