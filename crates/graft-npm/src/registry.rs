//! The npm registry of a gateway's grafts: one package per service, each
//! with one version, served as npm's package document and tarball.

use std::collections::BTreeMap;

use graft_model::{Interface, Service};
use graft_pypi::{PypiError, VersionStore, base_version};
use serde_json::{Value, json};

use crate::{codegen, names, runtime, tarball};

/// One built package.
#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    /// `@graft/pypi-<service>`.
    pub name: String,
    /// Semver (see [`names::semver`]).
    pub version: String,
    /// `pypi-<service>-<version>.tgz`.
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// `sha512-<base64>`.
    pub integrity: String,
    /// The package's `package.json`, for its package document.
    pub manifest: Value,
}

/// Every graft a gateway offers on npm.
#[derive(Debug, Default)]
pub struct Registry {
    packages: Vec<Package>,
}

/// The files of `service`'s package at `version`, by path inside it.
pub fn contents(iface: &Interface, service: &Service, version: &str) -> BTreeMap<String, Vec<u8>> {
    let mut files: BTreeMap<String, Vec<u8>> = codegen::files(iface, service, version)
        .into_iter()
        .map(|(path, text)| (path, text.into_bytes()))
        .collect();
    for (name, source) in runtime::FILES {
        files.insert(format!("runtime/{name}"), source.as_bytes().to_vec());
    }
    files
}

/// `service`'s package at `version`.
pub fn build(iface: &Interface, service: &Service, version: &str) -> Package {
    pack(service, version, &contents(iface, service, version))
}

fn pack(service: &Service, version: &str, files: &BTreeMap<String, Vec<u8>>) -> Package {
    let bytes = tarball::pack(files);
    let manifest = files
        .get("package.json")
        .and_then(|b| serde_json::from_slice(b).ok())
        .unwrap_or(Value::Null);
    Package {
        name: names::package(&service.name),
        version: version.into(),
        file_name: names::tarball(&service.name, version),
        integrity: tarball::integrity(&bytes),
        bytes,
        manifest,
    }
}

impl Registry {
    /// One package per service of `iface`, versioned through `store` as the
    /// Python grafts are (the project version, raised when the contents
    /// change), written as semver.
    pub fn build(iface: &Interface, store: &mut VersionStore) -> Result<Registry, PypiError> {
        let base = base_version(iface.project.as_ref());
        let project = iface.project.as_ref().map_or("", |p| p.name.as_str());
        let mut packages = Vec::new();
        for service in &iface.services {
            // The version is written inside the package: hash the contents without it.
            let unversioned = contents(iface, service, "0.0.0");
            let key = format!("{project}:{}", service.name);
            let hash = graft_pypi::contents_hash(&unversioned);
            let version = names::semver(&store.version(&key, &base, &hash)?);
            packages.push(build(iface, service, &version));
        }
        Ok(Registry { packages })
    }

    pub fn packages(&self) -> &[Package] {
        &self.packages
    }

    /// The package named `name` (`@graft/pypi-x`).
    pub fn package(&self, name: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.name == name)
    }

    /// npm's package document of `name`, its tarball linked under `base`
    /// (the registry's own URL, ending in `/npm`).
    pub fn document(&self, name: &str, base: &str) -> Option<Value> {
        let p = self.package(name)?;
        let mut manifest = p.manifest.clone();
        manifest["_id"] = json!(format!("{}@{}", p.name, p.version));
        manifest["dist"] = json!({
            "tarball": format!("{base}/{}/-/{}", p.name, p.file_name),
            "integrity": p.integrity,
        });
        Some(json!({
            "_id": p.name,
            "name": p.name,
            "dist-tags": {"latest": p.version},
            "versions": {p.version.clone(): manifest},
        }))
    }

    /// The tarball `file` of the package `name`.
    pub fn tarball(&self, name: &str, file: &str) -> Option<&Package> {
        self.package(name).filter(|p| p.file_name == file)
    }
}
