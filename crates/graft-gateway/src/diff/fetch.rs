//! Plain HTTP/1.0 GETs for `gg diff`: a gateway's `/libraries`, an index's
//! project page, a wheel. `https://` is not spoken here.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use anyhow::{Context as _, bail};

/// The body of `url`, which must answer 200 (redirects are followed).
pub fn get(url: &str) -> anyhow::Result<Vec<u8>> {
    let mut url = url.to_owned();
    for _ in 0..5 {
        let (status, location, body) = once(&url)?;
        match (status, location) {
            (200, _) => return Ok(body),
            (301..=308, Some(to)) => url = joined(&url, &to),
            _ => bail!(
                "{url} answered {status}: {}",
                String::from_utf8_lossy(&body).trim()
            ),
        }
    }
    bail!("{url}: too many redirects")
}

/// The latest wheel linked from a PEP 503 project page.
pub fn latest_wheel(page: &str) -> anyhow::Result<Vec<u8>> {
    let page = format!("{}/", page.trim_end_matches('/'));
    let html = String::from_utf8_lossy(&get(&page)?).into_owned();
    let mut wheels: Vec<(Vec<u64>, String)> = html
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|href| href.split('#').next().unwrap_or(href).to_owned())
        .filter(|href| href.ends_with(".whl"))
        .map(|href| (version_of(&href), href))
        .collect();
    wheels.sort();
    let Some((_, href)) = wheels.pop() else {
        bail!("{page} links no wheel");
    };
    get(&joined(&page, &href))
}

/// The release numbers in a wheel's file name (`x-1.10.0-py3-none-any.whl`).
fn version_of(href: &str) -> Vec<u64> {
    let file = href.rsplit('/').next().unwrap_or(href);
    let version = file.split('-').nth(1).unwrap_or_default();
    version.split('.').map(|n| n.parse().unwrap_or(0)).collect()
}

/// `href` resolved against `base`: absolute, from the root, or relative.
fn joined(base: &str, href: &str) -> String {
    if href.starts_with("http://") || href.starts_with("https://") {
        return href.to_owned();
    }
    let origin_end = base.find("://").map_or(0, |i| i + 3);
    let root = base[origin_end..]
        .find('/')
        .map_or(base.len(), |i| origin_end + i);
    if href.starts_with('/') {
        return format!("{}{href}", &base[..root]);
    }
    let mut parts: Vec<&str> = base[root..].split('/').collect();
    parts.pop();
    for segment in href.split('/') {
        match segment {
            ".." => drop(parts.pop()),
            "." => {}
            s => parts.push(s),
        }
    }
    format!("{}{}", &base[..root], parts.join("/"))
}

/// One request: status, `Location`, body.
fn once(url: &str) -> anyhow::Result<(u16, Option<String>, Vec<u8>)> {
    let Some(rest) = url.strip_prefix("http://") else {
        bail!("{url}: gg diff reads http:// URLs; save an https one with curl and pass the file");
    };
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let address = if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:80")
    };
    let mut stream =
        TcpStream::connect(&address).with_context(|| format!("cannot connect to {address}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let path = if path.is_empty() { "/" } else { path };
    let token = std::env::var("GRAFT_TOKEN").map(|t| format!("Authorization: Bearer {t}\r\n"));
    let request = format!(
        "GET {path} HTTP/1.0\r\nHost: {host}\r\n{}Accept: */*\r\n\r\n",
        token.unwrap_or_default()
    );
    stream.write_all(request.as_bytes())?;
    let mut reply = Vec::new();
    stream
        .read_to_end(&mut reply)
        .with_context(|| format!("reading {url}"))?;
    let split = reply
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("no HTTP reply")?;
    let head = String::from_utf8_lossy(&reply[..split]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("no HTTP status")?;
    let location = head.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("location")
            .then(|| value.trim().to_owned())
    });
    Ok((status, location, reply[split + 4..].to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_and_wheels_sort_by_version() {
        let page = "http://h:81/simple/graft-pypi-shop/";
        assert_eq!(
            joined(page, "../../packages/a.whl"),
            "http://h:81/packages/a.whl"
        );
        assert_eq!(
            joined(page, "/packages/a.whl"),
            "http://h:81/packages/a.whl"
        );
        assert_eq!(joined(page, "https://x/a.whl"), "https://x/a.whl");
        assert!(version_of("x-1.10.0-py3-none-any.whl") > version_of("x-1.9.2-py3-none-any.whl"));
    }
}
