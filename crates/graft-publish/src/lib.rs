//! Publishing grafts to the registries a team already runs (`gg publish`).
//!
//! gg builds its grafts as it serves them (`graft_pypi` wheels, `graft_npm`
//! tarballs); this crate uploads them through each registry's own upload
//! protocol, as the registry's usual tool would, and skips versions the
//! registry already has:
//!
//! - [`pypi`]: a wheel as twine uploads it: the legacy upload API, a
//!   multipart `POST` with `:action=file_upload`;
//! - [`npm`]: a package as `npm publish` does: a `PUT` of the package
//!   document with the tarball base64-encoded in `_attachments`;
//! - [`credentials`]: where the credentials come from, as for those tools:
//!   `TWINE_USERNAME`/`TWINE_PASSWORD` or `~/.pypirc`, and an `.npmrc`
//!   `//host/path/:_authToken=` line.

pub mod credentials;
pub mod npm;
pub mod pypi;

use std::time::Duration;

/// What became of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Uploaded,
    /// The registry has this version already; nothing was changed.
    AlreadyThere,
    /// The registry has this version with other contents (npm's integrity
    /// says so); nothing was changed. A lost version store does this.
    OtherContents,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("\"{0}\" is not a registry URL (expected http:// or https://)")]
    BadUrl(String),
    #[error("cannot reach {url}")]
    Unreachable {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{url} refused {file}: HTTP {status}{message}")]
    Refused {
        url: String,
        file: String,
        status: u16,
        /// The registry's own words, `: ...`, or nothing.
        message: String,
        /// What to check, for the user.
        hint: Option<String>,
    },
    #[error("cannot build the grafts: {0}")]
    Build(String),
    #[error("cannot read {path}: {source}")]
    Config {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl PublishError {
    /// A hint for the user, printed after the error as `hint: ...`.
    pub fn hint(&self) -> Option<&str> {
        match self {
            PublishError::Refused { hint, .. } => hint.as_deref(),
            PublishError::Unreachable { .. } => {
                Some("check the URL, and that the registry answers there")
            }
            _ => None,
        }
    }
}

/// How long one upload may take, connection included.
const TIMEOUT: Duration = Duration::from_secs(300);

/// An HTTP client that follows no redirect: a redirected upload would turn
/// into a `GET` and seem to succeed, so the user is told the new URL instead.
pub(crate) fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .user_agent(concat!("graft-publish/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("an HTTP client with rustls and no redirects")
}

/// `url` checked to be http(s), ending in `/`.
pub(crate) fn base_url(url: &str) -> Result<reqwest::Url, PublishError> {
    let with_slash = match url.ends_with('/') {
        true => url.to_string(),
        false => format!("{url}/"),
    };
    match reqwest::Url::parse(&with_slash) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(u),
        _ => Err(PublishError::BadUrl(url.to_string())),
    }
}

/// The registry's answer to a refused request, shortened for a message.
pub(crate) fn registry_message(status: reqwest::StatusCode, text: &str) -> String {
    let text = text.trim();
    let text = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => v
            .get("error")
            .or_else(|| v.get("message"))
            .and_then(|e| e.as_str())
            .unwrap_or(text)
            .to_string(),
        Err(_) => text.to_string(),
    };
    let text: String = text.chars().take(300).collect();
    let words = match text.is_empty() || text.starts_with('<') {
        true => status.canonical_reason().unwrap_or_default().to_string(),
        false => text,
    };
    match words.is_empty() {
        true => String::new(),
        false => format!(": {}", words.replace('\n', " ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_end_in_a_slash_and_are_http() {
        assert_eq!(
            base_url("http://127.0.0.1:8080").unwrap().as_str(),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(
            base_url("https://r.example/npm/").unwrap().as_str(),
            "https://r.example/npm/"
        );
        assert!(matches!(base_url("ftp://x/"), Err(PublishError::BadUrl(_))));
        assert!(matches!(base_url("pypi"), Err(PublishError::BadUrl(_))));
    }

    #[test]
    fn registry_messages_are_their_own_words() {
        let s = reqwest::StatusCode::UNAUTHORIZED;
        assert_eq!(
            registry_message(s, r#"{"error":"bad token"}"#),
            ": bad token"
        );
        assert_eq!(registry_message(s, "<html>..."), ": Unauthorized");
        assert_eq!(registry_message(s, "no\nway"), ": no way");
    }
}
