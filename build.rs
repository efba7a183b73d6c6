//! Embeds the libtorch library directory as an rpath so the binary, tests and benches
//! run without LD_LIBRARY_PATH. torch-sys (`links = "tch"`) exports that directory to
//! direct dependents as DEP_TCH_LIBTORCH_LIB.

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    if let Ok(lib_dir) = std::env::var("DEP_TCH_LIBTORCH_LIB") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{lib_dir}");

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
