//! The versions of the grafts a gateway serves, and the calls an older
//! graft may no longer make.
//!
//! A graft sends its name and version in every call's metadata
//! (`graft-version: graft-pypi-shop/1.1.0`, over TCP as over HTTP; older
//! grafts send none and are not checked). When the method it calls was
//! removed or changed incompatibly since that version (a breaking change
//! in `graft_model::diff` to the method, its service or a type it uses),
//! the call is refused as NotFound with a message naming the method, the
//! graft's version and the gateway's, rather than run with arguments or a
//! result the graft does not expect. `/libraries` shows each graft's
//! version and what changed in each release ([`shown`]).

use std::collections::HashMap;
use std::sync::OnceLock;

use graft_model::Interface;
use graft_model::diff::{CONSTRUCTOR, Change, Kind, diff, method_changes};
use graft_pypi::{Release, VersionStore, names};
use serde_json::{Value, json};

/// The metadata name (and HTTP header) that carries a graft's name and version.
pub const HEADER: &str = "graft-version";

static KNOWN: OnceLock<Known> = OnceLock::new();

#[derive(Default)]
struct Known {
    /// A graft as its [`HEADER`] names it (`distribution/old version`) ->
    /// "Service.method" -> why calls from it are refused. A graft at its
    /// current version, or one with nothing refused, has no entry: its
    /// calls cost one lookup.
    refused: HashMap<String, HashMap<String, String>>,
    /// `/libraries`' `grafts`: each service's graft and its releases.
    shown: Value,
}

/// Remembers the releases of `iface`'s grafts in `store` (once, at start-up).
pub fn keep(iface: &Interface, store: &VersionStore) {
    let mut known = Known::default();
    let mut shown = serde_json::Map::new();
    for service in &iface.services {
        let releases = store.releases(&VersionStore::key(iface, &service.name));
        let (Some(last), dist) = (releases.last(), names::distribution(&service.name)) else {
            continue;
        };
        for old in &releases[..releases.len() - 1] {
            let refused = refusals(&dist, old, last);
            if !refused.is_empty() {
                known
                    .refused
                    .insert(format!("{dist}/{}", old.version), refused);
            }
        }
        shown.insert(service.name.clone(), history(&dist, releases));
    }
    known.shown = Value::Object(shown);
    let _ = KNOWN.set(known);
}

/// Why each method (and constructor) `old` knows cannot be called as it knew it.
fn refusals(dist: &str, old: &Release, last: &Release) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for service in &old.interface.services {
        let constructor = service.constructor.as_ref().map(|_| CONSTRUCTOR);
        let names = service.methods.iter().map(|m| m.name.as_str());
        for method in names.chain(constructor) {
            let changes = method_changes(&old.interface, &last.interface, &service.name, method);
            let Some(change) = changes.iter().find(|c| c.kind == Kind::Breaking) else {
                continue;
            };
            let what = format!("{}.{}", service.name, method);
            let message = refusal(&what, dist, old, last, change);
            out.insert(what, message);
        }
    }
    out
}

/// Why `what` (`Service.method`) of `dist` at `old` is refused: `change` since, at `last`.
/// The Python runtime tells it from a released object's NotFound by
/// " is not served as that graft knows it" (`identity.REFUSED`).
fn refusal(what: &str, dist: &str, old: &Release, last: &Release, change: &Change) -> String {
    format!(
        "`{what}` of {dist} {old_version} is not served as that graft knows it: the gateway serves \
         {dist} {new_version}, where {}: {}\n\nhint: install {dist} {new_version} \
         (pip install -U {dist}, or npm install @graft/{unscoped}@{new_version})",
        change.subject,
        change.what,
        old_version = old.version,
        new_version = last.version,
        unscoped = dist.trim_start_matches("graft-"),
    )
}

/// A graft's version and each release's changes since the one before.
fn history(dist: &str, releases: &[Release]) -> Value {
    let mut list = Vec::new();
    for (i, release) in releases.iter().enumerate() {
        let changes: Vec<Change> = match i {
            0 => Vec::new(),
            _ => diff(&releases[i - 1].interface, &release.interface),
        };
        let changes: Vec<Value> = changes
            .iter()
            .map(|c| json!({"kind": c.kind.as_str(), "subject": c.subject, "what": c.what}))
            .collect();
        list.push(json!({"version": release.version, "changes": changes}));
    }
    let version = releases.last().map(|r| r.version.clone());
    json!({"distribution": dist, "version": version, "releases": list})
}

/// Why a call of `service.method` from the graft `graft` (`name/version`,
/// the [`HEADER`]'s value) is refused, if it is: a static or instance
/// method, or the constructor (`__init__`), over TCP or HTTP alike.
pub fn refused(graft: Option<&str>, service: &str, method: &str) -> Option<String> {
    let refused = KNOWN.get()?.refused.get(graft?.trim())?;
    refused.get(&format!("{service}.{method}")).cloned()
}

/// The [`HEADER`] among a TCP call's metadata.
pub fn in_metadata(metadata: &[(String, String)]) -> Option<&str> {
    metadata
        .iter()
        .find(|(n, _)| n == HEADER)
        .map(|(_, v)| v.as_str())
}

/// Takes the [`HEADER`] out of a call's metadata once checked: hosted code
/// does not see it (a graft it calls sends its own), and a call left with
/// no metadata takes the host's quicker path.
pub fn strip(metadata: &mut Vec<(String, String)>) {
    if metadata.iter().any(|(n, _)| n == HEADER) {
        metadata.retain(|(n, _)| n != HEADER);
    }
}

/// Each service's graft: its distribution, version and releases with their changes.
pub fn shown() -> Value {
    KNOWN.get().map_or(Value::Null, |k| k.shown.clone())
}
