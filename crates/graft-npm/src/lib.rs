//! Grafts for npm: one typed ES module package per hosted service, and the
//! npm registry (`/npm/`) a gateway serves them from.
//!
//! A TypeScript graft is the client of one service: the package
//! `@graft/pypi-<service>` ([`names`]), holding a generated `index.js` and
//! `index.d.ts` ([`codegen`]) and the runtime of `typescript/runtime/`
//! vendored as `runtime/` ([`runtime`]). It needs nothing outside Node's
//! standard library (or a browser's `fetch`), so it installs from the
//! gateway's own registry alone.
//!
//! Layout:
//! - [`names`]: package and tarball names;
//! - [`codegen`]: `index.js`, `index.d.ts`, `package.json`;
//! - [`runtime`]: the vendored runtime files (`include_str!`);
//! - [`tarball`]: the deterministic `.tgz` and its `sha512` integrity;
//! - [`registry`]: [`Registry`], the packages and their package documents.

pub mod codegen;
pub mod names;
pub mod registry;
pub mod runtime;
pub mod tarball;

pub use registry::{Package, Registry};
