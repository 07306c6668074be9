//! Credentials from the places twine and npm read them.
//!
//! - PyPI: `TWINE_USERNAME` and `TWINE_PASSWORD` first, else the `.pypirc`
//!   section whose `repository` is the URL (or, given a section's name
//!   instead of a URL, that section, `[pypi]` meaning PyPI itself).
//! - npm: the `.npmrc` line `//host[:port]/path/:_authToken=<token>` for
//!   the registry, trying shorter paths down to `//host/` as npm does, in
//!   the project's `.npmrc` first, then the user's (`NPM_CONFIG_USERCONFIG`,
//!   else `~/.npmrc`); `${VAR}` in a value is the environment variable.

use std::path::{Path, PathBuf};

use crate::PublishError;
use crate::pypi::PYPI_UPLOAD_URL;

/// A user name and password (HTTP basic).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basic {
    pub username: String,
    pub password: String,
}

/// Reads the environment (a parameter, so tests pass their own).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The upload URL meant by `--pypi` (a URL, or a `.pypirc` section's name),
/// and the credentials for it.
pub fn pypi(target: &str, env: Env, pypirc: Option<&str>) -> (String, Option<Basic>) {
    let sections = pypirc.map(ini).unwrap_or_default();
    let named = (!target.contains("://"))
        .then(|| sections.iter().find(|(name, _)| name == target))
        .flatten();
    let url = match named {
        Some((name, keys)) => get(keys, "repository")
            .or_else(|| (name == "pypi").then(|| PYPI_UPLOAD_URL.to_string()))
            .unwrap_or_else(|| target.to_string()),
        None if target == "pypi" => PYPI_UPLOAD_URL.to_string(),
        None => target.to_string(),
    };
    let section = named.or_else(|| {
        sections.iter().find(|(name, keys)| {
            let repository = get(keys, "repository")
                .or_else(|| (name == "pypi").then(|| PYPI_UPLOAD_URL.to_string()));
            repository.is_some_and(|r| same_url(&r, &url))
        })
    });
    let from_file = |key: &str| section.and_then(|(_, keys)| get(keys, key));
    let username = env("TWINE_USERNAME").or_else(|| from_file("username"));
    let password = env("TWINE_PASSWORD").or_else(|| from_file("password"));
    let auth = match (username, password) {
        (None, None) => None,
        (username, password) => Some(Basic {
            username: username.unwrap_or_else(|| "__token__".into()),
            password: password.unwrap_or_default(),
        }),
    };
    (url, auth)
}

/// npm's key for the registry at `url`: `//host[:port]/path/`.
pub fn npm_key(url: &reqwest::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    format!("//{host}{port}{}", url.path())
}

/// The `_authToken` for the registry at `url` in the given `.npmrc` texts,
/// the first text first.
pub fn npm_token(url: &reqwest::Url, npmrcs: &[String], env: Env) -> Option<String> {
    let mut key = npm_key(url);
    while key.len() > 2 {
        let wanted = format!("{key}:_authToken");
        for text in npmrcs {
            let found = lines(text).find(|(k, _)| *k == wanted);
            if let Some((_, value)) = found {
                return Some(expand(value, env));
            }
        }
        // As npm walks up: `//h/a/b/`, `//h/a/b`, `//h/a/`, `//h/a`, `//h/`.
        match key.ends_with('/') {
            true => drop(key.pop()),
            false => key.truncate(key.rfind('/').map_or(0, |i| i + 1)),
        }
    }
    None
}

/// The `.npmrc` files npm reads for a command run in `cwd`, the project's first.
pub fn npmrc_paths(cwd: &Path, env: Env) -> Vec<PathBuf> {
    let user = env("NPM_CONFIG_USERCONFIG")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| Path::new(&h).join(".npmrc")));
    std::iter::once(cwd.join(".npmrc")).chain(user).collect()
}

/// `~/.pypirc`.
pub fn pypirc_path(env: Env) -> Option<PathBuf> {
    env("HOME").map(|h| Path::new(&h).join(".pypirc"))
}

/// The text of `path`, or `None` if there is no such file.
pub fn read(path: &Path) -> Result<Option<String>, PublishError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(PublishError::Config {
            path: path.display().to_string(),
            source,
        }),
    }
}

/// The process's environment, empty values as unset.
pub fn system_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

type Section = (String, Vec<(String, String)>);

/// The sections of an INI file, as Python's configparser reads `.pypirc`.
fn ini(text: &str) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            sections.push((name.trim().to_string(), Vec::new()));
        } else if let (Some(section), Some((key, value))) =
            (sections.last_mut(), line.split_once(['=', ':']))
            && !line.starts_with(['#', ';'])
        {
            section
                .1
                .push((key.trim().to_lowercase(), value.trim().to_string()));
        }
    }
    sections
}

fn get(keys: &[(String, String)], key: &str) -> Option<String> {
    keys.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

fn same_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// `key=value` lines of an `.npmrc`, comments and blank lines left out.
fn lines(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with(['#', ';']))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim().trim_matches('"')))
}

/// `${VAR}` replaced by the environment variable, as npm does.
fn expand(value: &str, env: Env) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str(&env(&rest[start + 2..start + end]).unwrap_or_default());
        rest = &rest[start + end + 1..];
    }
    out + rest
}

#[cfg(test)]
#[path = "credentials_tests.rs"]
mod tests;
