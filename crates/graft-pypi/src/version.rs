//! Graft versions: semver, raised by what changed in the interface.
//!
//! A service's first graft gets the hosted project's version
//! (`Interface::project`, else `0.1.0`) written as `X.Y.Z`. Each time the
//! graft's contents change (a sha256 of its generated files, see
//! [`crate::wheel::contents_hash`]), the next version follows the largest
//! change in the service's interface since the previous release
//! (`graft_model::diff`): a breaking change raises the major, an addition
//! the minor, anything else (docs, defaults, a new runtime) the patch. The
//! project's version is the floor: a project raised to `3.0.0` gives
//! `3.0.0` at least. The same contents keep their version, and the wheel
//! its bytes.
//!
//! The [`VersionStore`] keeps every release with the part of the interface
//! it was built from (`graft_model::diff::slice`), so old versions stay
//! installable and can be compared, in one JSON file:
//!
//! ```json
//! {"format": 2, "services": {"shop:Shop": [{"version": "1.0.0", "hash": "<sha256>", "interface": {...}}]}}
//! ```
//!
//! If the file is lost, numbering starts again from the project version;
//! keep it with the gateway's state.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use graft_model::diff::{Kind, diff, largest};
use graft_model::interface::Project;
use graft_model::{Interface, Service};
use serde::{Deserialize, Serialize};

use crate::PypiError;

mod semver;

pub use semver::Semver;

/// The base version of a graft: the project's version when it is a plain
/// PEP 440 release (`1.2.3`, optionally `a1`/`b2`/`rc3`), else its leading
/// release digits, else `0.1.0`.
pub fn base_version(project: Option<&Project>) -> String {
    let Some(version) = project.map(|p| p.version.trim()) else {
        return "0.1.0".into();
    };
    let release_len = release_prefix(version);
    if release_len == 0 {
        return "0.1.0".into();
    }
    let (release, rest) = version.split_at(release_len);
    let pre = ["a", "b", "rc"].iter().any(|p| {
        rest.strip_prefix(p)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    });
    if rest.is_empty() || pre {
        version.into()
    } else {
        release.into()
    }
}

/// The length of the leading `N(.N)*` of `v`.
fn release_prefix(v: &str) -> usize {
    let mut end = 0;
    for (i, part) in v.split('.').enumerate() {
        let digits = part.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            break;
        }
        end += digits + usize::from(i > 0);
        if digits < part.len() {
            break;
        }
    }
    end
}

/// One published graft of a service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Release {
    /// `X.Y.Z`.
    pub version: String,
    /// The contents hash it was recorded with.
    pub hash: String,
    /// The service's part of the interface ([`graft_model::diff::slice`]).
    pub interface: Interface,
}

impl Release {
    /// The service `name` as this release has it.
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.interface.service(name)
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    format: u32,
    /// "project:service" -> its releases, oldest first.
    services: BTreeMap<String, Vec<Release>>,
}

/// Remembers every release of every service's graft.
#[derive(Debug, Default)]
pub struct VersionStore {
    /// The JSON file, or `None` to remember in memory only.
    path: Option<PathBuf>,
    stored: Stored,
    /// The lowest first version of a service, from a store of the old
    /// format ([`VersionStore::follow`]).
    floors: BTreeMap<String, Semver>,
}

const FORMAT: u32 = 2;

impl VersionStore {
    /// A store that forgets everything when dropped (tests, read-only hosts).
    pub fn in_memory() -> Self {
        VersionStore {
            path: None,
            stored: Stored {
                format: FORMAT,
                services: BTreeMap::new(),
            },
            floors: BTreeMap::new(),
        }
    }

    /// The store in `path`; a missing file is an empty store.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, PypiError> {
        let path = path.into();
        let bad = |message: String| PypiError::Store {
            path: path.clone(),
            message,
        };
        let stored: Stored = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| bad(format!("not a version store: {e}")))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Stored {
                format: FORMAT,
                ..Stored::default()
            },
            Err(e) => return Err(PypiError::Io { path, source: e }),
        };
        if stored.format != FORMAT {
            return Err(bad(format!(
                "format {} where {FORMAT} is read",
                stored.format
            )));
        }
        Ok(VersionStore {
            path: Some(path),
            stored,
            floors: BTreeMap::new(),
        })
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The key of `service` of `iface` in the store: `project:service`.
    pub fn key(iface: &Interface, service: &str) -> String {
        let project = iface.project.as_ref().map_or("", |p| p.name.as_str());
        format!("{project}:{service}")
    }

    /// Records the current graft of every service of `iface`, `hash` giving
    /// the contents hash of a service's graft built from its slice.
    pub fn record(
        &mut self,
        iface: &Interface,
        hash: impl Fn(&Interface, &Service) -> String,
    ) -> Result<(), PypiError> {
        let floor = Semver::floor(iface.project.as_ref());
        for service in &iface.services {
            let Some(slice) = graft_model::diff::slice(iface, &service.name) else {
                continue;
            };
            let contents = hash(&slice, service);
            let key = Self::key(iface, &service.name);
            let floor = self.floors.get(&key).map_or(floor, |&f| f.max(floor));
            self.release(&key, floor, slice, &contents)?;
        }
        Ok(())
    }

    /// The version of the graft with these contents: the latest release's
    /// if it has the same contents (and is not below `floor`), else a new
    /// release's, saved at once.
    pub fn release(
        &mut self,
        key: &str,
        floor: Semver,
        slice: Interface,
        contents_hash: &str,
    ) -> Result<String, PypiError> {
        let list = self.stored.services.entry(key.into()).or_default();
        let version = match list.last() {
            None => floor,
            Some(last) => {
                let latest = Semver::parse(&last.version).unwrap_or_default();
                if last.hash == contents_hash && latest >= floor {
                    return Ok(last.version.clone());
                }
                let kind = largest(&diff(&last.interface, &slice)).unwrap_or(Kind::Other);
                latest.raised(kind).max(floor)
            }
        };
        list.push(Release {
            version: version.to_string(),
            hash: contents_hash.into(),
            interface: slice,
        });
        self.save()?;
        Ok(version.to_string())
    }

    /// Continues the numbering of a store of the old format (`format` 1:
    /// `<base>.postN` versions, `pypi-versions.json`) at `path`: a service
    /// it knew, with no release here yet, starts above the versions it
    /// gave (`1.0.0.post3` is followed by `1.0.1`), so `pip install -U`
    /// still moves forward. A missing or unreadable file changes nothing.
    pub fn follow(&mut self, path: &Path) {
        let Ok(bytes) = std::fs::read(path) else {
            return;
        };
        let old: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        let Some(services) = old["services"].as_object().filter(|_| old["format"] == 1) else {
            return;
        };
        for (key, bases) in services {
            let highest = bases
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(b, _)| Semver::parse(b))
                .max();
            if let Some(highest) = highest.filter(|_| self.releases(key).is_empty()) {
                self.floors.insert(key.clone(), highest.raised(Kind::Other));
            }
        }
    }

    /// The releases of the service `key`, oldest first.
    pub fn releases(&self, key: &str) -> &[Release] {
        self.stored.services.get(key).map_or(&[], Vec::as_slice)
    }

    /// Writes the store: to a temporary file, then renamed over the old one.
    fn save(&self) -> Result<(), PypiError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let io = |source| PypiError::Io {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let text = serde_json::to_string(&self.stored).unwrap_or_default();
        let temp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&temp, text + "\n").map_err(io)?;
        std::fs::rename(&temp, path).map_err(io)
    }
}

#[cfg(test)]
mod tests;
