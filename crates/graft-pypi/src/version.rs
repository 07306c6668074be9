//! Graft versions: the hosted project's version, raised when the interface changes.
//!
//! A graft's version is its project's version (`Interface::project`, else
//! `0.1.0`) for the first contents seen with that version, then
//! `<version>.post1`, `.post2`, ... each time the contents (a sha256 of the
//! generated files, see [`crate::wheel::contents_hash`]) differ from the
//! latest seen. So the same interface keeps its version (and the wheel its
//! bytes) and a changed one, even one changed back to an earlier interface,
//! gets a higher version that `pip install -U` picks up.
//!
//! The [`VersionStore`] remembers the assignments in a small JSON file:
//!
//! ```json
//! {"format": 1, "services": {"shop:Shop": {"2.1.0": ["<sha256>", "<sha256>"]}}}
//! ```
//!
//! If the file is lost, numbering starts again from the project version;
//! keep it with the gateway's state (or bump the project version).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use graft_model::interface::Project;
use serde::{Deserialize, Serialize};

use crate::PypiError;

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

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    format: u32,
    /// "project:service" -> base version -> contents hashes; the one at index N got `.postN`.
    services: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

/// Remembers which version each graft's contents got.
#[derive(Debug, Default)]
pub struct VersionStore {
    /// The JSON file, or `None` to remember in memory only.
    path: Option<PathBuf>,
    stored: Stored,
}

impl VersionStore {
    /// A store that forgets everything when dropped (tests, read-only hosts).
    pub fn in_memory() -> Self {
        VersionStore {
            path: None,
            stored: Stored {
                format: 1,
                services: BTreeMap::new(),
            },
        }
    }

    /// The store in `path`; a missing file is an empty store.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, PypiError> {
        let path = path.into();
        let stored = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| PypiError::Store {
                path: path.clone(),
                message: format!("not a version store: {e}"),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Stored {
                format: 1,
                ..Stored::default()
            },
            Err(e) => return Err(PypiError::Io { path, source: e }),
        };
        Ok(VersionStore {
            path: Some(path),
            stored,
        })
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The version of `service`'s graft with these contents: the latest one
    /// if they are the latest contents, else the next one (saved at once).
    pub fn version(
        &mut self,
        service: &str,
        base: &str,
        contents_hash: &str,
    ) -> Result<String, PypiError> {
        let seen = self
            .stored
            .services
            .entry(service.into())
            .or_default()
            .entry(base.into())
            .or_default();
        let index = if seen.last().is_some_and(|h| h == contents_hash) {
            seen.len() - 1
        } else {
            seen.push(contents_hash.into());
            self.save()?;
            self.stored.services[service][base].len() - 1
        };
        Ok(if index == 0 {
            base.to_string()
        } else {
            format!("{base}.post{index}")
        })
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
        let text = serde_json::to_string_pretty(&self.stored).unwrap_or_default();
        let temp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&temp, text + "\n").map_err(io)?;
        std::fs::rename(&temp, path).map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(v: &str) -> Project {
        Project {
            name: "p".into(),
            version: v.into(),
        }
    }

    #[test]
    fn base_versions() {
        assert_eq!(base_version(None), "0.1.0");
        for (given, base) in [
            ("1.0.0", "1.0.0"),
            ("2.1", "2.1"),
            ("1.0rc1", "1.0rc1"),
            ("1.0.post3", "1.0"),
            ("1.2.3-dev", "1.2.3"),
            ("v1", "0.1.0"),
            ("3.0a", "3.0"),
        ] {
            assert_eq!(base_version(Some(&project(given))), base, "{given}");
        }
    }

    #[test]
    fn same_contents_same_version_new_contents_higher() {
        let mut store = VersionStore::in_memory();
        assert_eq!(store.version("Shop", "1.0.0", "aa").unwrap(), "1.0.0");
        assert_eq!(store.version("Shop", "1.0.0", "bb").unwrap(), "1.0.0.post1");
        assert_eq!(store.version("Shop", "1.0.0", "bb").unwrap(), "1.0.0.post1");
        assert_eq!(
            store.version("Shop", "1.0.0", "aa").unwrap(),
            "1.0.0.post2",
            "changed back: still higher"
        );
        assert_eq!(store.version("Shop", "1.0.0", "cc").unwrap(), "1.0.0.post3");
        assert_eq!(store.version("Other", "1.0.0", "cc").unwrap(), "1.0.0");
        assert_eq!(store.version("Shop", "1.1.0", "cc").unwrap(), "1.1.0");
    }
}
