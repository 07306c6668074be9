//! Points `gg` (and its tests) at the libpython `graft-python` was built
//! against, so it does not load another CPython found first on the loader's
//! default path (Debian's, on these machines).
fn main() {
    if let Ok(dir) = std::env::var("DEP_GRAFT_PYTHON_LIBDIR") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
