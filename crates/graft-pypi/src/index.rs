//! The package index: PEP 503 HTML and PEP 691 JSON pages over the grafts.
//!
//! `/simple/` lists the projects, `/simple/<project>/` links each file as
//! `../../packages/<file>#sha256=<hex>` with its `requires-python`. The
//! form is chosen from the request's `Accept` header ([`negotiate`]).

use graft_model::Interface;
use serde_json::json;

use crate::version::VersionStore;
use crate::wheel::{self, REQUIRES_PYTHON, Wheel};
use crate::{PypiError, names};

/// PEP 691's JSON content type.
pub const JSON_TYPE: &str = "application/vnd.pypi.simple.v1+json";
/// PEP 691's HTML content type (the PEP 503 page).
pub const HTML_TYPE: &str = "application/vnd.pypi.simple.v1+html";

/// Which form of a page to answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Json,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Json => JSON_TYPE,
        }
    }
}

/// The form an `Accept` header prefers (HTML when absent), or `None` when it
/// accepts neither (answer 406).
pub fn negotiate(accept: Option<&str>) -> Option<Format> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(Format::Html);
    };
    let mut best: Option<(f32, u8, Format)> = None;
    for item in accept.split(',') {
        let mut parts = item.split(';').map(str::trim);
        let media = parts.next().unwrap_or_default().to_ascii_lowercase();
        let q = parts
            .find_map(|p| p.strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let (rank, format) = match media.as_str() {
            JSON_TYPE => (3, Format::Json),
            HTML_TYPE => (2, Format::Html),
            "text/html" => (1, Format::Html),
            "*/*" | "application/*" | "text/*" => (0, Format::Html),
            _ => continue,
        };
        if q > 0.0 && best.is_none_or(|(bq, br, _)| q > bq || (q == bq && rank > br)) {
            best = Some((q, rank, format));
        }
    }
    best.map(|(_, _, f)| f)
}

/// Every graft a gateway offers, one wheel per service.
#[derive(Debug, Default)]
pub struct Index {
    wheels: Vec<Wheel>,
}

impl Index {
    /// One wheel per release of each service of `iface`, its current graft
    /// recorded in `store` first (keyed by project name and service name).
    pub fn build(iface: &Interface, store: &mut VersionStore) -> Result<Index, PypiError> {
        store.record(iface, |slice, service| {
            wheel::contents_hash(&wheel::contents(slice, service, None))
        })?;
        Index::of(iface, store)
    }

    /// One wheel per release `store` holds of each service of `iface`, old
    /// ones included, and the `graft-context` wheel.
    pub fn of(iface: &Interface, store: &VersionStore) -> Result<Index, PypiError> {
        let mut wheels = Vec::new();
        for service in &iface.services {
            for release in store.releases(&VersionStore::key(iface, &service.name)) {
                if let Some(s) = release.service(&service.name) {
                    wheels.push(wheel::build(&release.interface, s, &release.version)?);
                }
            }
        }
        wheels.push(wheel::context_wheel()?);
        Ok(Index::from_wheels(wheels))
    }

    pub fn from_wheels(mut wheels: Vec<Wheel>) -> Index {
        wheels.sort_by(|a, b| {
            a.distribution
                .cmp(&b.distribution)
                .then(a.file_name.cmp(&b.file_name))
        });
        Index { wheels }
    }

    pub fn wheels(&self) -> &[Wheel] {
        &self.wheels
    }

    /// The wheel named `file_name` (`/packages/<file>`).
    pub fn file(&self, file_name: &str) -> Option<&Wheel> {
        self.wheels.iter().find(|w| w.file_name == file_name)
    }

    /// The normalised project names, sorted.
    pub fn projects(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .wheels
            .iter()
            .map(|w| names::normalize(&w.distribution))
            .collect();
        names.dedup();
        names
    }

    /// The files of the project `name` (any spelling PEP 503 normalises to it).
    pub fn project(&self, name: &str) -> Vec<&Wheel> {
        let wanted = names::normalize(name);
        self.wheels
            .iter()
            .filter(|w| names::normalize(&w.distribution) == wanted)
            .collect()
    }

    /// `/simple/` in the given form.
    pub fn root_page(&self, format: Format) -> String {
        let projects = self.projects();
        match format {
            Format::Json => {
                let list: Vec<_> = projects.iter().map(|p| json!({"name": p})).collect();
                json!({"meta": {"api-version": "1.0"}, "projects": list}).to_string()
            }
            Format::Html => {
                let links: String = projects
                    .iter()
                    .map(|p| format!("    <a href=\"{p}/\">{p}</a>\n"))
                    .collect();
                page("Simple index", &links)
            }
        }
    }

    /// `/simple/<name>/` in the given form, or `None` for an unknown project.
    pub fn project_page(&self, name: &str, format: Format) -> Option<String> {
        let files = self.project(name);
        let project = names::normalize(name);
        if files.is_empty() {
            return None;
        }
        Some(match format {
            Format::Json => {
                let list: Vec<_> = files
                    .iter()
                    .map(|w| json!({"filename": w.file_name, "url": format!("../../packages/{}", w.file_name),
                        "hashes": {"sha256": w.sha256}, "requires-python": REQUIRES_PYTHON}))
                    .collect();
                json!({"meta": {"api-version": "1.0"}, "name": project, "files": list}).to_string()
            }
            Format::Html => {
                let links: String = files
                    .iter()
                    .map(|w| {
                        format!(
                            "    <a href=\"../../packages/{f}#sha256={h}\" data-requires-python=\"{r}\">{f}</a>\n",
                            f = w.file_name,
                            h = w.sha256,
                            r = REQUIRES_PYTHON.replace('>', "&gt;").replace('<', "&lt;"),
                        )
                    })
                    .collect();
                page(&format!("Links for {project}"), &links)
            }
        })
    }
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.0\">\n    \
         <title>{title}</title>\n  </head>\n  <body>\n    <h1>{title}</h1>\n{body}  </body>\n</html>\n"
    )
}
