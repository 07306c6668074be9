//! Points the test binaries at the libpython they were built against, so they
//! do not load another CPython found first on the loader's default path, and
//! hands that folder to dependents (`DEP_GRAFT_PYTHON_LIBDIR`) for the same use.
//!
//! Also names the build interpreter (`GRAFT_PYTHON_EXECUTABLE`, read by
//! `interpreter.rs`): CPython finds its standard library and `sys.prefix`
//! from its program name, which must be that interpreter's, not whichever
//! `python3` comes first on PATH at run time.
fn main() {
    let config = pyo3_build_config::get();
    if let Some(dir) = config.lib_dir() {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
        println!("cargo:libdir={dir}");
    }
    let executable = config.executable().unwrap_or_default();
    println!("cargo:rustc-env=GRAFT_PYTHON_EXECUTABLE={executable}");
    println!("cargo:rerun-if-env-changed=PYO3_PYTHON");
    println!("cargo:rerun-if-changed=build.rs");
}
