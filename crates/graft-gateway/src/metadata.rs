//! A call's metadata from HTTP: the request's headers, except those that
//! belong to one hop, the gateway's own `Authorization` and `Graft-Version`.

use axum::http::HeaderMap;

/// Headers that describe one connection, not the call (RFC 9110 §7.6.1),
/// those that describe the HTTP message itself, and `graft-version`, which
/// the gateway checks before the call (`index::versions`).
const LEFT_OUT: [&str; 12] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    "authorization",
    crate::index::versions::HEADER,
];

/// The metadata an HTTP call brings: its headers in order, names in lower
/// case (as `http` keeps them), values that are not text left out.
pub fn from_http(headers: &HeaderMap) -> Vec<(String, String)> {
    let named_in_connection: Vec<String> = headers
        .get_all("connection")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    headers
        .iter()
        .filter(|(name, _)| {
            let name = name.as_str();
            !LEFT_OUT.contains(&name) && !named_in_connection.iter().any(|n| n == name)
        })
        .filter_map(|(name, value)| {
            Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect()
}
