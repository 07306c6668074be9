//! Grafts for pip: one typed, self-contained wheel per hosted service, and
//! the package index (`/simple/`) a gateway serves them from.
//!
//! A graft is the Python client of one service: `graft-pypi-<service>`,
//! importing as `graft_pypi_<service>`. It holds a generated `__init__.py`
//! (the service class with every method as an `async def`, the data types
//! and exception classes, and `GraftConfig`), `py.typed`, and the runtime of
//! `python/graft_runtime/` vendored as `_runtime/`. It needs nothing but the
//! standard library, so it installs from the gateway's own index alone.
//!
//! Layout:
//! - [`names`]: distribution, import package and wheel file names (PEP 503);
//! - [`annotation`]: `TypeRef` to annotation text, and the types a service uses;
//! - [`codegen`]: the `__init__.py`;
//! - [`runtime`]: the vendored runtime files (`include_str!`);
//! - [`writer`]: [`PackageWriter`], the one way files are written (zip, memory);
//! - [`wheel`]: dist-info, RECORD and the deterministic wheel;
//! - [`version`]: semver raised by what the interface changed; every release kept ([`VersionStore`]);
//! - [`index`]: [`Index`], the PEP 503 HTML and PEP 691 JSON pages.

pub mod annotation;
pub mod codegen;
pub mod index;
pub mod names;
pub mod runtime;
pub mod version;
pub mod wheel;
pub mod writer;

use std::path::PathBuf;

pub use index::{Format, Index, negotiate};
pub use version::{Release, Semver, VersionStore, base_version};
pub use wheel::{Wheel, build, contents, contents_hash, write_wheel};
pub use writer::{MemoryWriter, PackageWriter, ZipWriter};

/// Why a graft or the index could not be built.
#[derive(Debug, thiserror::Error)]
pub enum PypiError {
    #[error("cannot write the wheel entry {0}")]
    Zip(String),
    #[error("cannot read the graft's wheel: {0}")]
    Read(String),
    #[error("the version store \"{path}\" cannot be used: {message}")]
    Store { path: PathBuf, message: String },
    #[error("cannot read or write \"{path}\": {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
