//! The index pages: PEP 503 HTML, PEP 691 JSON, and content negotiation.

use graft_pypi::{Format, Index, VersionStore, negotiate};

use crate::shop;

fn index() -> Index {
    Index::build(&shop(), &mut VersionStore::in_memory()).unwrap()
}

#[test]
fn root_lists_the_projects() {
    let index = index();
    let html = index.root_page(Format::Html);
    assert!(html.contains("<a href=\"graft-pypi-pricing/\">graft-pypi-pricing</a>"));
    assert!(html.contains("<a href=\"graft-pypi-shop/\">graft-pypi-shop</a>"));
    assert!(html.contains("<meta name=\"pypi:repository-version\" content=\"1.0\">"));
    let json: serde_json::Value = serde_json::from_str(&index.root_page(Format::Json)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"meta": {"api-version": "1.0"}, "projects": [{"name": "graft-context"}, {"name": "graft-pypi-pricing"}, {"name": "graft-pypi-shop"}]})
    );
}

#[test]
fn project_pages_link_files_with_hashes() {
    let index = index();
    let wheel = index
        .file("graft_pypi_shop-2.1.0-py3-none-any.whl")
        .expect("the wheel");
    let html = index.project_page("graft-pypi-shop", Format::Html).unwrap();
    let link = format!(
        "<a href=\"../../packages/graft_pypi_shop-2.1.0-py3-none-any.whl#sha256={}\" data-requires-python=\"&gt;=3.8\">graft_pypi_shop-2.1.0-py3-none-any.whl</a>",
        wheel.sha256
    );
    assert!(html.contains(&link), "{html}");
    let json: serde_json::Value =
        serde_json::from_str(&index.project_page("graft-pypi-shop", Format::Json).unwrap())
            .unwrap();
    assert_eq!(json["meta"]["api-version"], "1.0");
    assert_eq!(json["name"], "graft-pypi-shop");
    let file = &json["files"][0];
    assert_eq!(file["filename"], wheel.file_name.as_str());
    assert_eq!(
        file["url"],
        "../../packages/graft_pypi_shop-2.1.0-py3-none-any.whl"
    );
    assert_eq!(file["hashes"]["sha256"], wheel.sha256.as_str());
    assert_eq!(file["requires-python"], ">=3.8");
}

#[test]
fn names_are_normalised() {
    let index = index();
    assert_eq!(index.project("Graft_PyPI.Shop").len(), 1);
    assert!(
        index
            .project_page("graft_pypi_SHOP", Format::Html)
            .is_some()
    );
    assert!(
        index
            .project_page("graft-pypi-nothing", Format::Html)
            .is_none()
    );
    assert!(index.file("nope.whl").is_none());
}

#[test]
fn accept_header_picks_the_form() {
    let pip = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01";
    assert_eq!(negotiate(Some(pip)), Some(Format::Json));
    assert_eq!(negotiate(None), Some(Format::Html));
    assert_eq!(negotiate(Some("text/html")), Some(Format::Html));
    assert_eq!(negotiate(Some("*/*")), Some(Format::Html));
    assert_eq!(
        negotiate(Some("application/vnd.pypi.simple.v1+json;q=0.2, text/html")),
        Some(Format::Html)
    );
    assert_eq!(
        negotiate(Some("application/vnd.pypi.simple.v1+html")),
        Some(Format::Html)
    );
    assert_eq!(negotiate(Some("application/xml")), None);
    assert_eq!(
        negotiate(Some("application/vnd.pypi.simple.v1+json;q=0")),
        None
    );
}
