//! Packages to an npm registry as `npm publish` sends them: a `PUT` of the
//! package document to `<registry>/@scope%2fname`, the version's manifest
//! under `versions`, and the tarball base64-encoded in `_attachments`, with
//! the `.npmrc` token as a bearer token.

use base64::Engine as _;
use graft_npm::Package;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use crate::{Outcome, PublishError, base_url, client, credentials, registry_message};

/// The hint shown when the registry refuses the token.
const TOKEN_HINT: &str = "check the registry's `//host/path/:_authToken=` line in .npmrc \
     (the project's, or ~/.npmrc)";

/// An npm registry to publish to.
pub struct Npm {
    client: reqwest::blocking::Client,
    url: reqwest::Url,
    token: Option<String>,
}

impl Npm {
    /// The registry at `url`, with `token` if given.
    pub fn new(url: &str, token: Option<String>) -> Result<Npm, PublishError> {
        Ok(Npm {
            client: client(),
            url: base_url(url)?,
            token,
        })
    }

    /// The registry at `url`, with its token from the `.npmrc` files npm
    /// would read in the current folder.
    pub fn configured(url: &str) -> Result<Npm, PublishError> {
        let env = &credentials::system_env;
        let cwd = std::env::current_dir().unwrap_or_default();
        let mut npmrcs = Vec::new();
        for path in credentials::npmrc_paths(&cwd, env) {
            npmrcs.extend(credentials::read(&path)?);
        }
        let token = credentials::npm_token(&base_url(url)?, &npmrcs, env);
        Npm::new(url, token)
    }

    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// Publishes `package` under the dist-tag `tag` (see [`tag`]), unless the
    /// registry has its version already.
    pub fn publish(&self, package: &Package, tag: &str) -> Result<Outcome, PublishError> {
        let url = format!("{}{}", self.url, escaped(&package.name));
        if let Some(outcome) = self.existing(&url, package)? {
            return Ok(outcome);
        }
        let put = self
            .client
            .put(&url)
            .json(&document(package, self.url.as_str(), tag));
        let (status, text) = self.send(put, &url)?;
        match status.as_u16() {
            200..=299 => Ok(Outcome::Uploaded),
            409 => Ok(Outcome::AlreadyThere),
            _ => Err(self.refused(package, status, &text)),
        }
    }

    /// What the registry has of the package's version: nothing (`None`),
    /// the same tarball, or another one (its `dist.integrity` differs).
    fn existing(&self, url: &str, package: &Package) -> Result<Option<Outcome>, PublishError> {
        let get = self.client.get(url).header("accept", "application/json");
        let (status, text) = self.send(get, url)?;
        let doc: Value = match status.as_u16() {
            200 => serde_json::from_str(&text).unwrap_or(Value::Null),
            404 => return Ok(None),
            _ => return Err(self.refused(package, status, &text)),
        };
        let Some(theirs) = doc["versions"].get(&package.version) else {
            return Ok(None);
        };
        Ok(Some(match theirs["dist"]["integrity"].as_str() {
            Some(integrity) if integrity != package.integrity => Outcome::OtherContents,
            _ => Outcome::AlreadyThere,
        }))
    }

    fn send(
        &self,
        request: reqwest::blocking::RequestBuilder,
        url: &str,
    ) -> Result<(reqwest::StatusCode, String), PublishError> {
        let request = match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        let response = request.send().map_err(|source| PublishError::Unreachable {
            url: url.to_string(),
            source,
        })?;
        let status = response.status();
        Ok((status, response.text().unwrap_or_default()))
    }

    fn refused(&self, package: &Package, status: reqwest::StatusCode, text: &str) -> PublishError {
        let hint = match (status.as_u16(), &self.token) {
            (401 | 403, Some(_)) => Some(TOKEN_HINT.to_string()),
            (401 | 403, None) => Some(format!(
                "no token for this registry; add `{}:_authToken=<token>` to .npmrc",
                credentials::npm_key(&self.url)
            )),
            _ => None,
        };
        PublishError::Refused {
            url: self.url.to_string(),
            file: format!("{}@{}", package.name, package.version),
            status: status.as_u16(),
            message: registry_message(status, text),
            hint,
        }
    }
}

/// `@graft/pypi-x` as it goes in a registry URL: `@graft%2fpypi-x`.
pub fn escaped(name: &str) -> String {
    name.replace('/', "%2f")
}

/// The dist-tag of `package`: `latest` for the newest version gg has of
/// it, else `v<major>`, so that publishing an older version that was
/// missing does not move `latest` back (as `npm publish --tag` would not).
pub fn tag(package: &Package, newest: &Package) -> String {
    match package.version == newest.version {
        true => "latest".into(),
        false => format!("v{}", package.version.split('.').next().unwrap_or("0")),
    }
}

/// The document `npm publish --tag <tag>` sends for `package` to the
/// registry at `registry`.
pub fn document(package: &Package, registry: &str, tag: &str) -> Value {
    let tarball_name = format!("{}-{}.tgz", package.name, package.version);
    let mut manifest = package.manifest.clone();
    manifest["_id"] = json!(format!("{}@{}", package.name, package.version));
    manifest["dist"] = json!({
        "integrity": package.integrity,
        "shasum": hex::encode(Sha1::digest(&package.bytes)),
        "tarball": format!("{registry}{}/-/{tarball_name}", package.name),
    });
    json!({
        "_id": package.name,
        "name": package.name,
        "description": manifest.get("description").cloned().unwrap_or(Value::Null),
        "dist-tags": {tag: package.version},
        "versions": {package.version.clone(): manifest},
        "access": null,
        "_attachments": {
            tarball_name: {
                "content_type": "application/octet-stream",
                "data": base64::engine::general_purpose::STANDARD.encode(&package.bytes),
                "length": package.bytes.len(),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_npm_publishs() {
        let package = Package {
            name: "@graft/pypi-calc".into(),
            version: "1.2.0".into(),
            file_name: "pypi-calc-1.2.0.tgz".into(),
            bytes: b"tgz".to_vec(),
            integrity: "sha512-x".into(),
            manifest: json!({"name": "@graft/pypi-calc", "version": "1.2.0", "description": "d"}),
        };
        let doc = document(&package, "http://r.example/npm/", "latest");
        let version = &doc["versions"]["1.2.0"];
        assert_eq!(version["_id"], "@graft/pypi-calc@1.2.0");
        assert_eq!(
            version["dist"]["tarball"],
            "http://r.example/npm/@graft/pypi-calc/-/@graft/pypi-calc-1.2.0.tgz"
        );
        assert_eq!(version["dist"]["shasum"], hex::encode(Sha1::digest(b"tgz")));
        let attachment = &doc["_attachments"]["@graft/pypi-calc-1.2.0.tgz"];
        assert_eq!(
            (attachment["data"].as_str(), attachment["length"].as_u64()),
            (Some("dGd6"), Some(3))
        );
        assert_eq!(
            (
                doc["dist-tags"]["latest"].as_str(),
                doc["description"].as_str()
            ),
            (Some("1.2.0"), Some("d"))
        );
        assert_eq!(escaped(&package.name), "@graft%2fpypi-calc");
        let older = Package {
            version: "1.1.0".into(),
            ..package.clone()
        };
        assert_eq!(
            (tag(&package, &package), tag(&older, &package)),
            ("latest".into(), "v1".into())
        );
        let doc = document(&older, "http://r.example/npm/", "v1");
        assert_eq!(doc["dist-tags"], json!({"v1": "1.1.0"}));
    }
}
