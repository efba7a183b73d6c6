//! Embeds the libtorch library directory as an rpath so the binary, tests and benches
//! run without LD_LIBRARY_PATH. torch-sys (`links = "tch"`) exports that directory to
//! direct dependents as DEP_TCH_LIBTORCH_LIB.

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    if let Ok(lib_dir) = std::env::var("DEP_TCH_LIBTORCH_LIB") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{lib_dir}");

        // Model manifests record the libtorch version, read from the wheel's torch/version.py.
        let version_file = std::path::Path::new(&lib_dir).join("../version.py");
        println!("cargo:rerun-if-changed={}", version_file.display());
        let text = std::fs::read_to_string(&version_file).unwrap_or_default();
        if let Some(line) = text.lines().find(|l| l.starts_with("__version__")) {
            let version = line.split('\'').nth(1).unwrap_or("unknown");
            println!("cargo:rustc-env=RXGRAPH_TORCH_VERSION={version}");
        }

        // The linker drops libtorch_cuda.so when no symbol of it is used directly, and
        // then libtorch never registers its CUDA backend.
        if std::env::var_os("CARGO_FEATURE_CUDA").is_some() {
            println!("cargo:rustc-link-arg=-Wl,--no-as-needed");
            println!("cargo:rustc-link-arg=-ltorch_cuda");
            println!("cargo:rustc-link-arg=-ltorch");
            println!("cargo:rustc-link-arg=-Wl,--as-needed");
        }
    }
}
