//! Points the test binaries at the libpython they were built against, so they
//! do not load another CPython found first on the loader's default path, and
//! hands that folder to dependents (`DEP_GRAFT_PYTHON_LIBDIR`) for the same use.
fn main() {
    if let Some(dir) = pyo3_build_config::get().lib_dir() {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
        println!("cargo:libdir={dir}");
    }
}
