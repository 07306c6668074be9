//! The npm registry on `--httpPort`: one TypeScript graft per service
//! (`graft_npm`), so `npm install --registry http://<gateway>/npm/ @graft/pypi-<service>`
//! needs no other registry. With `--authTokens`, npm's `//<host>/npm/:_authToken=`
//! is a bearer token, which `auth::layer` admits as for every route.
//!
//! - `GET /npm/@graft%2fpypi-<service>` (or unencoded): the package document;
//! - `GET /npm/@graft/pypi-<service>/-/pypi-<service>-<version>.tgz`: the tarball.
//!
//! Versions are the Python grafts', from the same version store
//! (`versions.json` in the state folder); old versions stay installable.

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use graft_model::Interface;
use graft_npm::Registry;
use graft_pypi::VersionStore;

static REGISTRY: OnceLock<Arc<Registry>> = OnceLock::new();
/// Whether the web side serves TLS, so tarball links say `https`.
static TLS: OnceLock<bool> = OnceLock::new();

/// Builds the registry of `iface`'s grafts, every release `store` holds,
/// once, at start-up.
pub fn build(iface: &Interface, store: &VersionStore) {
    let registry = Registry::of(iface, store);
    for p in registry.packages() {
        tracing::info!("npm graft {} {} ({})", p.name, p.version, p.file_name);
    }
    let _ = REGISTRY.set(Arc::new(registry));
}

/// The registry [`build`] made, if it could (`gg publish` uploads its packages).
pub fn registry() -> Option<Arc<Registry>> {
    REGISTRY.get().cloned()
}

/// Tells the registry whether gg serves TLS (`serve.rs`, once at start-up).
pub fn links_over_tls(on: bool) {
    let _ = TLS.set(on);
}

/// `/npm/...`.
pub fn routes() -> Router {
    Router::new()
        .route(
            "/npm/{name}",
            get(|Path(name): Path<String>, h: HeaderMap| async move { document(&name, &h) }),
        )
        .route(
            "/npm/{scope}/{name}",
            get(
                |Path((scope, name)): Path<(String, String)>, h: HeaderMap| async move {
                    document(&format!("{scope}/{name}"), &h)
                },
            ),
        )
        .route("/npm/{scope}/{name}/-/{file}", get(tarball))
}

fn document(name: &str, headers: &HeaderMap) -> Response {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    // Tarball links are absolute (npm needs them so): the scheme from a
    // proxy's X-Forwarded-Proto, else gg's own.
    let own = if TLS.get().copied().unwrap_or(false) {
        "https"
    } else {
        "http"
    };
    let scheme = text("x-forwarded-proto").unwrap_or(own);
    let host = text("host").unwrap_or("localhost");
    let base = format!("{scheme}://{host}/npm");
    match REGISTRY.get().and_then(|r| r.document(name, &base)) {
        Some(doc) => (
            [(header::CONTENT_TYPE, "application/json")],
            doc.to_string(),
        )
            .into_response(),
        None => not_found(&format!(
            "no graft named {name} here; grafts are @graft/pypi-<service, lower-cased>"
        )),
    }
}

async fn tarball(Path((scope, name, file)): Path<(String, String, String)>) -> Response {
    let found = REGISTRY
        .get()
        .and_then(|r| r.tarball(&format!("{scope}/{name}"), &file));
    match found {
        Some(p) => (
            [(header::CONTENT_TYPE, "application/octet-stream")],
            p.bytes.clone(),
        )
            .into_response(),
        None => not_found(&format!("no file named {file} here")),
    }
}

fn not_found(message: &str) -> Response {
    let body = serde_json::json!({"error": message}).to_string();
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}
