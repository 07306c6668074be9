//! Builds the grafts of an interface: `build_wheel <interface.json> <out dir> [version store]`.
//!
//! The interface is what a gateway serves at `/libraries`. One wheel per
//! service is written to the out dir and its file name printed; without a
//! version store the project version is used as is.

use std::path::PathBuf;
use std::process::ExitCode;

use graft_model::Interface;
use graft_pypi::{Index, VersionStore};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [interface, out, rest @ ..] = args.as_slice() else {
        eprintln!("usage: build_wheel <interface.json> <out dir> [version store]");
        return ExitCode::from(2);
    };
    match run(interface, PathBuf::from(out), rest.first()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(
    interface: &str,
    out: PathBuf,
    store: Option<&String>,
) -> Result<(), Box<dyn std::error::Error>> {
    let iface: Interface = serde_json::from_slice(&std::fs::read(interface)?)?;
    let mut store = match store {
        Some(path) => VersionStore::open(path)?,
        None => VersionStore::in_memory(),
    };
    let index = Index::build(&iface, &mut store)?;
    std::fs::create_dir_all(&out)?;
    for wheel in index.wheels() {
        std::fs::write(out.join(&wheel.file_name), &wheel.bytes)?;
        println!("{}", wheel.file_name);
    }
    Ok(())
}
