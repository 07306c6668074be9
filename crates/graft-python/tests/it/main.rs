//! The Python host against real fixture modules in `tests/fixtures/`.

mod discovery;
mod invoke;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use graft_python::Host;

pub fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

/// One host over the showcase catalog, shared by the tests (the interpreter is per process).
pub fn catalog() -> &'static Arc<Host> {
    static HOST: OnceLock<Arc<Host>> = OnceLock::new();
    HOST.get_or_init(|| {
        Host::start(&[fixture("showcase/catalog.py")]).expect("the showcase fixture loads")
    })
}
