//! The GETs of `gg diff`, over http or https: a gateway's `/libraries`, an
//! index's project page, a wheel. `GRAFT_TOKEN`, when set, goes as a bearer
//! token (a gateway with `--authTokens`); an index's own credentials go in
//! its URL (`https://user:password@host/simple/...`).

use std::time::Duration;

use anyhow::{Context as _, bail};
use reqwest::Url;

/// The body of `url`, which must answer 2xx (redirects are followed).
pub fn get(url: &str) -> anyhow::Result<Vec<u8>> {
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let mut request = client.get(url);
    if let Ok(token) = std::env::var("GRAFT_TOKEN") {
        request = request.bearer_auth(token);
    }
    let response = request
        .send()
        .with_context(|| format!("cannot GET {url}"))?;
    let status = response.status();
    let body = response.bytes().with_context(|| format!("reading {url}"))?;
    if !status.is_success() {
        bail!(
            "{url} answered {status}: {}",
            String::from_utf8_lossy(&body).trim()
        );
    }
    Ok(body.to_vec())
}

/// The latest wheel linked from a PEP 503 project page.
pub fn latest_wheel(page: &str) -> anyhow::Result<Vec<u8>> {
    let page = Url::parse(&format!("{}/", page.trim_end_matches('/')))?;
    let html = String::from_utf8_lossy(&get(page.as_str())?).into_owned();
    let Some((_, href)) = wheels(&html).pop() else {
        bail!("{page} links no wheel");
    };
    get(page.join(&href)?.as_str())
}

/// The wheels a page links, by release numbers (`x-1.10.0-py3-none-any.whl`), lowest first.
fn wheels(html: &str) -> Vec<(Vec<u64>, String)> {
    let mut found: Vec<(Vec<u64>, String)> = html
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|href| href.split('#').next().unwrap_or(href).to_owned())
        .filter(|href| href.ends_with(".whl"))
        .map(|href| (version_of(&href), href))
        .collect();
    found.sort();
    found
}

fn version_of(href: &str) -> Vec<u64> {
    let file = href.rsplit('/').next().unwrap_or(href);
    let version = file.split('-').nth(1).unwrap_or_default();
    version.split('.').map(|n| n.parse().unwrap_or(0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_wheel_by_version() {
        let html = r#"<a href="../../packages/x-1.9.2-py3-none-any.whl#sha256=1">a</a>
            <a href="../../packages/x-1.10.0-py3-none-any.whl#sha256=2">b</a>
            <a href="../../packages/x-1.2.0.tar.gz">c</a>"#;
        let found = wheels(html);
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].1, "../../packages/x-1.10.0-py3-none-any.whl");
        let page = Url::parse("http://h:81/simple/x/").unwrap();
        assert_eq!(
            page.join(&found[1].1).unwrap().as_str(),
            "http://h:81/packages/x-1.10.0-py3-none-any.whl"
        );
    }
}
