//! graft-pypi against the fixture interface `tests/fixtures/shop.json`
//! (discovered by gg from `tests/fixtures/shop/`: a class service `Shop` and
//! a module service `pricing`).

mod codegen;
mod index;
mod objects;
mod structured;
mod wheel;

use graft_model::{Interface, Service};

pub fn shop() -> Interface {
    serde_json::from_str(include_str!("../fixtures/shop.json")).expect("fixture interface")
}

pub fn service<'a>(iface: &'a Interface, name: &str) -> &'a Service {
    iface.service(name).expect("service in the fixture")
}

/// A fresh directory under the system's temporary folder.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("graft-pypi-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
