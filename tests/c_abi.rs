//! The C ABI: the committed header is what cbindgen generates from the
//! source, and the C examples build with the system C compiler against
//! libjaxcore and print the expected numbers.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn header_is_current() {
    let cfg = cbindgen::Config::from_file(root().join("cbindgen.toml")).unwrap();
    let mut out = Vec::new();
    cbindgen::Builder::new().with_crate(root()).with_config(cfg).generate().expect("cbindgen").write(&mut out);
    let path = root().join("include/jaxcore.h");
    if std::env::var_os("JAXCORE_UPDATE_HEADER").is_some() {
        std::fs::write(&path, &out).unwrap();
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(committed == out, "include/jaxcore.h is stale: regenerate it with JAXCORE_UPDATE_HEADER=1 cargo test --test c_abi header_is_current");
}

/// The folder holding the libjaxcore.so this test run built (target/<profile>/deps:
/// `cargo test` refreshes it there; only `cargo build` copies it one level up).
fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().to_path_buf()
}

/// Compiles a C (or, with `cpp`, C++17) program against the header, the C++
/// wrapper and libjaxcore.so.
fn compile(src: &Path, out: &Path, cpp: bool) {
    let lib = lib_dir();
    assert!(lib.join("libjaxcore.so").exists(), "libjaxcore.so not built in {}", lib.display());
    let compiler = cc::Build::new().cpp(cpp).opt_level(0).target("x86_64-unknown-linux-gnu").host("x86_64-unknown-linux-gnu").cargo_metadata(false).get_compiler();
    let std = if cpp { "-std=c++17" } else { "-std=c99" };
    let st = compiler
        .to_command()
        .args([std, "-Wall", "-Wextra", "-Werror", "-g"])
        .args(if cpp { &["-Wno-unused-parameter"][..] } else { &[][..] })
        .arg("-I")
        .arg(root().join("include"))
        .arg("-I")
        .arg(root().join("bindings/cpp"))
        .arg(src)
        .arg("-o")
        .arg(out)
        .arg("-L")
        .arg(&lib)
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .arg("-ljaxcore")
        .status()
        .unwrap();
    assert!(st.success(), "compiling {}", src.display());
}

pub fn build_c(src: &Path, out: &Path) {
    compile(src, out, false)
}

fn build_cpp(src: &Path, out: &Path) {
    compile(src, out, true)
}

fn run(exe: &Path, envs: &[(&str, &str)]) -> String {
    // LD_LIBRARY_PATH from cargo may name a stale copy of the library first
    let out = Command::new(exe).env("LD_LIBRARY_PATH", lib_dir()).envs(envs.iter().copied()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{} failed ({:?}):\n{text}\n{}", exe.display(), out.status, String::from_utf8_lossy(&out.stderr));
    text
}

#[test]
fn readme_example_in_c() {
    let exe = lib_dir().join("readme_c");
    build_c(&root().join("examples/c/readme.c"), &exe);
    let out = run(&exe, &[]);
    assert!(out.contains("grad(tanh)(1.0) = 0.4199743"), "{out}");
    // JAX prints 0.6216267 (0x3f1f22ed); the seed README 0.62162673: one ulp apart
    assert!(out.contains("grad(grad(grad(tanh)))(1.0) = 0.621626"), "{out}");
    assert!(out.contains("jit sum = 3000000.0"), "{out}");
    assert!(out.contains("pairwise distances shape = (100, 100)"), "{out}");
    assert!(out.contains("live arrays = 0, live functions = 0"), "{out}");
}


#[test]
fn mlp_example_in_cpp_learns() {
    let exe = lib_dir().join("mlp_cpp");
    build_cpp(&root().join("examples/cpp/mlp.cpp"), &exe);
    let out = run(&exe, &[]);
    assert!(out.contains("loss fell from"), "{out}");
}

#[test]
fn sharding_example_in_cpp() {
    let exe = lib_dir().join("sharding_cpp");
    build_cpp(&root().join("examples/cpp/sharding.cpp"), &exe);
    let out = run(&exe, &[]);
    assert!(out.contains("Mesh('data': 8, axis_types=(Explicit,))"), "{out}");
    assert!(out.contains("typeof(x) = f32[16@data,4]"), "{out}");
    assert!(out.contains("jit keeps the type: f32[16@data,4]"), "{out}");
    assert!(out.contains("shard_map psum = 2016.0, sum = 2016.0"), "{out}");
}

#[test]
fn readme_example_in_cpp() {
    let exe = lib_dir().join("readme_cpp");
    build_cpp(&root().join("examples/cpp/readme.cpp"), &exe);
    let out = run(&exe, &[]);
    assert!(out.contains("grad(tanh)(1.0) = 0.4199743"), "{out}");
    assert!(out.contains("grad(grad(grad(tanh)))(1.0) = 0.621626"), "{out}");
    assert!(out.contains("jit sum = 3000000.0"), "{out}");
    assert!(out.contains("pairwise distances shape = (100, 100)"), "{out}");
    assert!(out.contains("caught: grad(bad): bad: thrown in a lambda"), "{out}");
}

#[test]
fn mlp_example_in_c_learns() {
    let exe = lib_dir().join("mlp_c");
    build_c(&root().join("examples/c/mlp.c"), &exe);
    let out = run(&exe, &[]);
    assert!(out.contains("loss fell from"), "{out}");
    assert!(out.contains("live arrays = 0, live functions = 0"), "{out}");
}

#[test]
fn control_flow_and_custom_derivatives_in_c() {
    let exe = lib_dir().join("control_flow_c");
    build_c(&root().join("examples/c/control_flow.c"), &exe);
    let out = run(&exe, &[]);
    assert!(out.contains("custom_jvp grad(log1pexp)(100) = [1]"), "{out}");
    assert!(out.contains("custom_jvp jit(vmap(grad(log1pexp))) = [0.04742587, 0.5, 0.8807971, 1]"), "{out}");
    assert!(out.contains("custom_vjp jit(grad(loss)) = [1, 1, 1, 1]"), "{out}");
    assert!(out.contains("scan cumsum ys = [-3, -3, -1, 99]"), "{out}");
    assert!(out.contains("grad of sum(cumsum) = [4, 3, 2, 1]"), "{out}");
    assert!(out.contains("while_loop doubled ten times = [1536]"), "{out}");
    assert!(out.contains("jit(pure_callback(cube) + x) = [2, 10, -2, 0.625]"), "{out}");
    assert!(out.contains("host callback ran 3 times"), "{out}");
    assert!(out.contains("live arrays = 0, live functions = 0"), "{out}");
}

#[test]
fn fsdp_example_in_c() {
    let exe = lib_dir().join("fsdp_c");
    build_c(&root().join("examples/c/fsdp.c"), &exe);
    let out = run(&exe, &[]);
    assert!(out.contains("mesh: Mesh('data': 8, axis_types=(Auto,))"), "{out}");
    assert!(out.contains("w1: 8 shards, NamedSharding(mesh=Mesh('data': 8, axis_types=(Auto,)), spec=P('data',))"), "{out}");
    assert!(out.contains("fsdp gradients equal the single-device ones"), "{out}");
    assert!(out.contains("typeof(w1) = f32[16@data,32]"), "{out}");
    assert!(out.contains("live arrays = 0, live functions = 0"), "{out}");
}

#[test]
fn clients_and_devices_in_c() {
    let exe = lib_dir().join("devices_c");
    build_c(&root().join("tests/c/devices.c"), &exe);
    let out = run(&exe, &[]);
    assert!(out.contains("platform cpu, 4 devices: 0 1 2 3"), "{out}");
    assert!(out.contains("out of range: 3"), "{out}"); // JC_ERR_INDEX
    assert!(out.contains("on device 2, sum of 2x = 12.0"), "{out}");
}

#[test]
fn misuse_gets_errors_never_crashes() {
    let exe = lib_dir().join("misuse_c");
    build_c(&root().join("tests/c/misuse.c"), &exe);
    let out = run(&exe, &[]);
    assert!(out.contains(" passed, 0 failed"), "{out}");
}

/// Runs a C program under valgrind (when installed; CI has it): no invalid
/// access, no leak definitely lost. The interpreter backend keeps it fast.
fn valgrind_clean(exe: &Path) {
    if Command::new("valgrind").arg("--version").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "CI must run valgrind");
        eprintln!("skipping: valgrind not installed");
        return;
    }
    let out = Command::new("valgrind")
        .args(["--error-exitcode=99", "--leak-check=full", "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite"])
        .arg(exe)
        .env("LD_LIBRARY_PATH", lib_dir())
        .env("JAXCORE_PLATFORM", "interp")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "valgrind found errors in {}:\n{err}", exe.display());
    assert!(err.contains("ERROR SUMMARY: 0 errors"), "{err}");
}

#[test]
fn c_examples_are_valgrind_clean() {
    for (src, name) in [("examples/c/readme.c", "readme_vg"), ("tests/c/misuse.c", "misuse_vg"), ("examples/c/control_flow.c", "control_flow_vg"), ("examples/c/fsdp.c", "fsdp_vg")] {
        let exe = lib_dir().join(name);
        build_c(&root().join(src), &exe);
        valgrind_clean(&exe);
    }
}
