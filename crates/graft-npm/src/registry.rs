//! The npm registry of a gateway's grafts: one package per service, each
//! with one version, served as npm's package document and tarball.

use std::collections::BTreeMap;

use graft_model::{Interface, Service};
use graft_pypi::{PypiError, VersionStore};
use serde_json::{Value, json};

use crate::{codegen, names, runtime, tarball};

/// One built package.
#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    /// `@graft/pypi-<service>`.
    pub name: String,
    /// `X.Y.Z`, the Python graft's version.
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

/// The contents hash of `service`'s package, without its version (which
/// is written inside it).
pub fn unversioned_hash(iface: &Interface, service: &Service) -> String {
    graft_pypi::contents_hash(&contents(iface, service, "0.0.0"))
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
    /// One package per release of each service of `iface`, its current
    /// graft recorded in `store` first. Versions are the Python grafts'
    /// when both record into the same store with the same hash (gg does).
    pub fn build(iface: &Interface, store: &mut VersionStore) -> Result<Registry, PypiError> {
        store.record(iface, unversioned_hash)?;
        Ok(Registry::of(iface, store))
    }

    /// One package per release `store` holds of each service of `iface`.
    pub fn of(iface: &Interface, store: &VersionStore) -> Registry {
        let mut packages = Vec::new();
        for service in &iface.services {
            for release in store.releases(&VersionStore::key(iface, &service.name)) {
                if let Some(s) = release.service(&service.name) {
                    packages.push(build(&release.interface, s, &release.version));
                }
            }
        }
        Registry { packages }
    }

    pub fn packages(&self) -> &[Package] {
        &self.packages
    }

    /// The latest package named `name` (`@graft/pypi-x`).
    pub fn package(&self, name: &str) -> Option<&Package> {
        self.packages.iter().rfind(|p| p.name == name)
    }

    /// npm's package document of `name`, every version with its tarball
    /// linked under `base` (the registry's own URL, ending in `/npm`).
    pub fn document(&self, name: &str, base: &str) -> Option<Value> {
        let latest = self.package(name)?;
        let mut versions = serde_json::Map::new();
        for p in self.packages.iter().filter(|p| p.name == name) {
            let mut manifest = p.manifest.clone();
            manifest["_id"] = json!(format!("{}@{}", p.name, p.version));
            manifest["dist"] = json!({
                "tarball": format!("{base}/{}/-/{}", p.name, p.file_name),
                "integrity": p.integrity,
            });
            versions.insert(p.version.clone(), manifest);
        }
        Some(json!({
            "_id": name,
            "name": name,
            "dist-tags": {"latest": latest.version},
            "versions": versions,
        }))
    }

    /// The tarball `file` of the package `name`.
    pub fn tarball(&self, name: &str, file: &str) -> Option<&Package> {
        self.packages
            .iter()
            .find(|p| p.name == name && p.file_name == file)
    }
}
