//! The package index on `--httpPort`: one graft per service, for pip.
//!
//! [`build`] makes the wheels at start-up (`graft_pypi::Index`), versioned
//! through the version store (`versions.json`) in the state folder ([`STATE_DIR_ENV`], else
//! `$XDG_STATE_HOME/graft`, else `~/.local/state/graft`). [`routes`] serves:
//!
//! - `GET /simple/`: the projects, as PEP 503 HTML or PEP 691 JSON by `Accept`;
//! - `GET /simple/<project>/`: its files, linked with their sha256; any
//!   spelling of the name redirects to the PEP 503 normalised one;
//! - `GET /packages/<file>`: the wheel itself;
//! - `/npm/...`: the npm registry of the TypeScript grafts (`index/npm.rs`).

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use graft_model::Interface;
use graft_pypi::{Format, Index, VersionStore, names, negotiate};

/// The folder where the gateway keeps state between runs (the version store).
pub const STATE_DIR_ENV: &str = "GRAFT_STATE_DIR";

/// The version store's file in the state folder: every release of every
/// graft, for pip and npm alike (`graft_pypi::version`).
const VERSIONS_FILE: &str = "versions.json";

/// The index of `iface`'s grafts, every release of each, and the npm
/// registry of the same versions. A version store that cannot be read or
/// written is reported and replaced by one in memory: the index still works,
/// but versions start again at the project version on the next start.
pub fn build(iface: &Interface) -> anyhow::Result<Arc<Index>> {
    let mut store = match state_dir().map(|d| (VersionStore::open(d.join(VERSIONS_FILE)), d)) {
        Some((Ok(mut store), dir)) => {
            // Numbering goes on above the `.postN` versions of gateways before versions.json.
            store.follow(&dir.join("pypi-versions.json"));
            store
        }
        Some((Err(err), _)) => {
            tracing::warn!("{err}; graft versions are kept in memory only");
            VersionStore::in_memory()
        }
        None => VersionStore::in_memory(),
    };
    if let Err(err) = store.record(iface, contents_hash) {
        tracing::warn!("{err}; graft versions are kept in memory only");
        store = VersionStore::in_memory();
        store.record(iface, contents_hash)?;
    }
    let index = Index::of(iface, &store)?;
    npm::build(iface, &store);
    versions::keep(iface, &store);
    for wheel in index.wheels() {
        tracing::info!(
            "graft {} {} ({})",
            wheel.distribution,
            wheel.version,
            wheel.file_name
        );
    }
    Ok(Arc::new(index))
}

/// What a service's grafts hold, for pip and npm: a new release when either changes.
fn contents_hash(slice: &Interface, service: &graft_model::Service) -> String {
    let wheel = graft_pypi::contents_hash(&graft_pypi::contents(slice, service, None));
    wheel + &graft_npm::registry::unversioned_hash(slice, service)
}

/// [`STATE_DIR_ENV`], else `$XDG_STATE_HOME/graft`, else `$HOME/.local/state/graft`.
pub fn state_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var(STATE_DIR_ENV)
        .or_else(|| var("XDG_STATE_HOME").map(|d| d.join("graft")))
        .or_else(|| var("HOME").map(|d| d.join(".local").join("state").join("graft")))
}

/// `/simple/...` and `/packages/...`.
pub fn routes(index: Arc<Index>) -> Router {
    Router::new()
        .route("/simple", get(|| async { Redirect::permanent("/simple/") }))
        .route("/simple/", get(root))
        .route(
            "/simple/{name}",
            get(|Path(name): Path<String>| async move { to_project(&name) }),
        )
        .route("/simple/{name}/", get(project))
        .route("/packages/{file}", get(package))
        .with_state(index)
        .merge(npm::routes())
}

async fn root(State(index): State<Arc<Index>>, headers: HeaderMap) -> Response {
    match format(&headers) {
        Some(format) => page(format, index.root_page(format)),
        None => not_acceptable(),
    }
}

async fn project(
    State(index): State<Arc<Index>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    if names::normalize(&name) != name {
        return to_project(&name);
    }
    let Some(format) = format(&headers) else {
        return not_acceptable();
    };
    match index.project_page(&name, format) {
        Some(body) => page(format, body),
        None => not_found(&format!("no graft named {name} here; /simple/ lists them")),
    }
}

async fn package(State(index): State<Arc<Index>>, Path(file): Path<String>) -> Response {
    match index.file(&file) {
        Some(wheel) => {
            let disposition = format!("attachment; filename=\"{}\"", wheel.file_name);
            let headers = [
                (header::CONTENT_TYPE, "application/octet-stream".to_string()),
                (header::CONTENT_DISPOSITION, disposition),
            ];
            (headers, wheel.bytes.clone()).into_response()
        }
        None => not_found(&format!("no file named {file} here")),
    }
}

/// A permanent redirect to the normalised project page.
fn to_project(name: &str) -> Response {
    Redirect::permanent(&format!("/simple/{}/", names::normalize(name))).into_response()
}

fn format(headers: &HeaderMap) -> Option<Format> {
    negotiate(headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()))
}

fn not_acceptable() -> Response {
    let message = format!(
        "the index answers {} or text/html",
        graft_pypi::index::JSON_TYPE
    );
    (StatusCode::NOT_ACCEPTABLE, message).into_response()
}

fn page(format: Format, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, format.content_type()),
            (header::VARY, "Accept"),
        ],
        body,
    )
        .into_response()
}

fn not_found(message: &str) -> Response {
    (StatusCode::NOT_FOUND, message.to_string()).into_response()
}

#[path = "index/npm.rs"]
pub mod npm;

#[path = "index/versions.rs"]
pub mod versions;

#[cfg(test)]
#[path = "index/tests.rs"]
mod tests;
