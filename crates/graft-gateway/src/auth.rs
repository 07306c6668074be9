//! Who may call and download: `--authTokens <file>`.
//!
//! The file holds one token a line; `#` starts a comment; a line
//! `name=token` names its token for logs (a token with `=` in it needs a
//! name). With tokens on, every route answers 401 without a known token,
//! except the probes ([`OPEN`]): calls take `Authorization: Bearer <token>`,
//! and every route takes HTTP basic auth with the token as the user name or
//! the password, as pip sends it (`--index-url http://<token>@host/simple/`).
//! The TCP side asks for the same tokens in the Auth frame
//! ([`crate::tcp::HostDispatch`]). Tokens are compared in constant time and
//! never logged.

use std::path::Path;
use std::sync::OnceLock;

use anyhow::Context as _;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use subtle::ConstantTimeEq;

use crate::respond::ErrorBody;

/// Paths that answer without a token: liveness, readiness and metrics
/// (`/status`, which names what the gateway holds, needs one).
pub const OPEN: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// The tokens of `--authTokens`, set once at start-up; `None` when auth is off.
static TOKENS: OnceLock<Option<Tokens>> = OnceLock::new();

/// The known tokens, each with the name logs give its caller.
#[derive(Debug, Default)]
pub struct Tokens {
    entries: Vec<(String, Vec<u8>)>,
}

impl Tokens {
    /// The tokens in the text of a tokens file.
    pub fn parse(text: &str) -> Tokens {
        let entries = text.lines().enumerate().filter_map(entry).collect();
        Tokens { entries }
    }

    /// The name of `token` if it is known. Every known token is compared,
    /// each in constant time, so the time taken says nothing of which matched.
    pub fn name_of(&self, token: &[u8]) -> Option<&str> {
        let mut found = None;
        for (name, known) in &self.entries {
            if bool::from(known.as_slice().ct_eq(token)) {
                found = Some(name.as_str());
            }
        }
        found
    }
}

/// Line `n` (from 0) of a tokens file: a token and its name, if it has one.
fn entry((n, line): (usize, &str)) -> Option<(String, Vec<u8>)> {
    let line = line.split('#').next().unwrap_or_default().trim();
    if line.is_empty() {
        return None;
    }
    let named = line
        .split_once('=')
        .filter(|(name, token)| !name.is_empty() && !token.is_empty() && !token.starts_with('='));
    let (name, token) = match named {
        Some((name, token)) => (name.trim().to_owned(), token.trim()),
        None => (format!("line {}", n + 1), line),
    };
    Some((name, token.as_bytes().to_vec()))
}

/// Reads `--authTokens` (auth stays off without it); an unreadable or empty file is an error.
pub fn init(path: Option<&Path>) -> anyhow::Result<()> {
    let tokens = match path {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --authTokens {}", path.display()))?;
            let tokens = Tokens::parse(&text);
            anyhow::ensure!(
                !tokens.entries.is_empty(),
                "--authTokens {} holds no token",
                path.display()
            );
            tracing::info!("authentication on: {} tokens", tokens.entries.len());
            Some(tokens)
        }
    };
    let _ = TOKENS.set(tokens);
    Ok(())
}

/// Whether `--authTokens` turned authentication on.
pub fn on() -> bool {
    matches!(TOKENS.get(), Some(Some(_)))
}

/// Whether a caller that sent `token` (or none) may call: the token's name,
/// or `""` when auth is off; `None` when refused.
pub fn admit(token: Option<&[u8]>) -> Option<&'static str> {
    match TOKENS.get() {
        Some(Some(tokens)) => tokens.name_of(token?),
        _ => Some(""),
    }
}

/// The axum middleware: a request without a known token answers 401,
/// except on the [`OPEN`] paths.
pub async fn layer(request: Request, next: Next) -> Response {
    if !on() || OPEN.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    match admit(presented(request.headers()).as_deref()) {
        Some(name) => {
            crate::conn::admitted(name);
            next.run(request).await
        }
        None => {
            let path = request.uri().path();
            if path.starts_with("/call/") || path.starts_with("/objects/") {
                crate::metrics::refused(crate::observe::Protocol::Http, "unauthenticated");
            }
            refused()
        }
    }
}

/// The token a request presents: a bearer token, or basic auth's user name
/// or password (pip puts a URL's `token@` in the user name).
fn presented(headers: &HeaderMap) -> Option<Vec<u8>> {
    let value = headers.get(header::AUTHORIZATION)?.as_bytes();
    if let Some(token) = strip_scheme(value, b"bearer ") {
        return Some(token.trim_ascii().to_vec());
    }
    let encoded = strip_scheme(value, b"basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim_ascii())
        .ok()?;
    let (user, password) = match decoded.iter().position(|&b| b == b':') {
        Some(at) => (&decoded[..at], &decoded[at + 1..]),
        None => (&decoded[..], &[][..]),
    };
    // One of the two is the token: the one that is known, if either is.
    match admit(Some(password)) {
        Some(_) if !password.is_empty() => Some(password.to_vec()),
        _ => Some(user.to_vec()),
    }
}

fn strip_scheme<'a>(value: &'a [u8], scheme: &[u8]) -> Option<&'a [u8]> {
    let head = value.get(..scheme.len())?;
    head.eq_ignore_ascii_case(scheme)
        .then(|| &value[scheme.len()..])
}

/// 401, asking for basic auth (pip and browsers ask for credentials only after it) or a bearer token.
fn refused() -> Response {
    let body = ErrorBody::new(
        "Unauthenticated",
        "a known token is needed: Authorization: Bearer <token>, or basic auth with the token",
    );
    let mut response = body.respond(StatusCode::UNAUTHORIZED);
    let headers = response.headers_mut();
    headers.append(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"graft\""),
    );
    headers.append(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"graft\""),
    );
    response.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tokens_names_and_comments() {
        let tokens = Tokens::parse("# ops\nalice=s3cret # laptop\n\nbare-token\npadded==\n");
        assert_eq!(tokens.name_of(b"s3cret"), Some("alice"));
        assert_eq!(tokens.name_of(b"bare-token"), Some("line 4"));
        assert_eq!(tokens.name_of(b"padded=="), Some("line 5"));
        assert_eq!(tokens.name_of(b"s3cre"), None);
        assert_eq!(tokens.name_of(b"alice"), None);
        assert_eq!(tokens.name_of(b""), None);
    }
}
