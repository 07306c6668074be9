//! Wheels to a PyPI repository through the legacy upload API, as twine
//! uploads them: a multipart `POST` to the repository URL with
//! `:action=file_upload`, the metadata fields and the file as `content`,
//! with HTTP basic credentials.

use std::io::Read as _;

use graft_pypi::Wheel;
use md5::Md5;
use reqwest::blocking::multipart::{Form, Part};
use sha2::{Digest, Sha256};

use crate::credentials::{self, Basic};
use crate::{Outcome, PublishError, base_url, client, registry_message};

/// PyPI's own upload URL, which `.pypirc`'s `[pypi]` section means by default.
pub const PYPI_UPLOAD_URL: &str = "https://upload.pypi.org/legacy/";

/// The hint shown when the repository refuses the credentials.
const CREDENTIALS_HINT: &str = "check TWINE_USERNAME and TWINE_PASSWORD, or the repository's \
     username and password in ~/.pypirc";

/// A PyPI repository to upload to.
pub struct Pypi {
    client: reqwest::blocking::Client,
    url: reqwest::Url,
    auth: Option<Basic>,
}

impl Pypi {
    /// The repository at `url` (its upload URL: `https://upload.pypi.org/legacy/`,
    /// pypiserver's root), with `auth` if given.
    pub fn new(url: &str, auth: Option<Basic>) -> Result<Pypi, PublishError> {
        Ok(Pypi {
            client: client(),
            url: base_url(url)?,
            auth,
        })
    }

    /// The repository `--pypi` names (a URL or a `~/.pypirc` section), with
    /// the credentials from the environment or `~/.pypirc`.
    pub fn configured(target: &str) -> Result<Pypi, PublishError> {
        let env = &credentials::system_env;
        let pypirc = match credentials::pypirc_path(env) {
            Some(path) => credentials::read(&path)?,
            None => None,
        };
        let (url, auth) = credentials::pypi(target, env, pypirc.as_deref());
        Pypi::new(&url, auth)
    }

    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// Uploads `wheel`; a version the repository has already is left as it is.
    pub fn upload(&self, wheel: &Wheel) -> Result<Outcome, PublishError> {
        let (content_type, body) = in_memory(form(wheel));
        let mut request = self
            .client
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        if let Some(auth) = &self.auth {
            request = request.basic_auth(&auth.username, Some(&auth.password));
        }
        let response = request.send().map_err(|source| PublishError::Unreachable {
            url: self.url.to_string(),
            source,
        })?;
        let status = response.status();
        let location = response.headers().get("location").cloned();
        let text = response.text().unwrap_or_default();
        if status.is_success() {
            return Ok(Outcome::Uploaded);
        }
        if already_there(status.as_u16(), &text) {
            return Ok(Outcome::AlreadyThere);
        }
        let hint = match status.as_u16() {
            401 | 403 => Some(CREDENTIALS_HINT.to_string()),
            300..=399 => location.and_then(|l| l.to_str().ok().map(str::to_owned)).map(|l| {
                format!("the repository redirects to {l}; give that URL (twine does not follow upload redirects either)")
            }),
            _ => None,
        };
        Err(PublishError::Refused {
            url: self.url.to_string(),
            file: wheel.file_name.clone(),
            status: status.as_u16(),
            message: registry_message(status, &text),
            hint,
        })
    }
}

/// The upload form, with the fields twine sends for a wheel.
pub fn form(wheel: &Wheel) -> Form {
    let file = Part::bytes(wheel.bytes.clone())
        .file_name(wheel.file_name.clone())
        .mime_str("application/octet-stream")
        .expect("a valid MIME type");
    Form::new()
        .text(":action", "file_upload")
        .text("protocol_version", "1")
        .text("metadata_version", "2.1")
        .text("name", wheel.distribution.clone())
        .text("version", wheel.version.clone())
        .text("filetype", "bdist_wheel")
        .text("pyversion", "py3")
        .text("requires_python", graft_pypi::wheel::REQUIRES_PYTHON)
        .text("sha256_digest", hex::encode(Sha256::digest(&wheel.bytes)))
        .text("md5_digest", hex::encode(Md5::digest(&wheel.bytes)))
        .part("content", file)
}

/// The form's content type and bytes. Sent from memory, not streamed: a
/// repository that refuses the credentials answers before reading the whole
/// body, and reqwest's blocking client reports a streamed body cut short
/// instead of that answer.
fn in_memory(form: Form) -> (String, Vec<u8>) {
    let content_type = format!("multipart/form-data; boundary={}", form.boundary());
    let mut body = Vec::new();
    form.into_reader()
        .read_to_end(&mut body)
        .expect("a form of bytes in memory reads whole");
    (content_type, body)
}

/// Whether a refused upload means the file is there already, as twine's
/// `--skip-existing` reads the answers of the repositories it knows.
pub fn already_there(status: u16, text: &str) -> bool {
    let text = text.to_lowercase();
    match status {
        // pypiserver
        409 => true,
        // PyPI, Artifact Registry; Nexus; GitLab
        400 => ["already exist", "updating asset", "already been taken"]
            .iter()
            .any(|words| text.contains(words)),
        // Artifactory
        403 => text.contains("overwrite artifact"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_existing_files_as_twine_does() {
        assert!(already_there(409, ""));
        assert!(already_there(
            400,
            "File already exists. See https://pypi.org/help"
        ));
        assert!(already_there(
            403,
            "Not enough permissions to overwrite artifact"
        ));
        assert!(!already_there(400, "Invalid value for version"));
        assert!(!already_there(
            403,
            "Invalid or non-existent authentication"
        ));
        assert!(!already_there(401, ""));
    }
}
