//! The names of a TypeScript graft: its npm package, its tarball, and the
//! configuration name it answers to.
//!
//! The rule: the service's Python graft `graft-pypi-<service, lower-cased>`
//! becomes the scoped npm package `@graft/pypi-<service, lower-cased>`
//! (`EnergyPriceCalculator` gives `@graft/pypi-energypricecalculator`). The
//! graft answers to the Python graft's name in configurations (`name=`,
//! `GRAFT_CONFIG_GRAFT_PYPI_<SERVICE>`), so one configuration string serves both.

/// The npm scope of every graft.
pub const SCOPE: &str = "@graft";

/// `@graft/pypi-<service, lower-cased>`.
pub fn package(service: &str) -> String {
    format!("{SCOPE}/{}", unscoped(service))
}

/// `pypi-<service, lower-cased>`: the package name without its scope.
pub fn unscoped(service: &str) -> String {
    format!("pypi-{}", service.to_lowercase())
}

/// `pypi-<service>-<version>.tgz`, as npm names a scoped package's tarball.
pub fn tarball(service: &str, version: &str) -> String {
    format!("{}-{version}.tgz", unscoped(service))
}

/// A PEP 440 graft version as semver: `1.2` is `1.2.0`, `1.2.3.post2` is
/// `1.2.3-post.2`, `1.0.0rc1` is `1.0.0-rc.1`.
pub fn semver(version: &str) -> String {
    let (release, post) = match version.split_once(".post") {
        Some((release, n)) => (release, Some(n)),
        None => (version, None),
    };
    let digits = release
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(release.len());
    let (numbers, pre) = release.split_at(digits);
    let mut parts: Vec<&str> = numbers.split('.').filter(|p| !p.is_empty()).collect();
    parts.resize(parts.len().max(3), "0");
    let mut out = parts[..3].join(".");
    if !pre.is_empty() {
        let split = pre.find(|c: char| c.is_ascii_digit()).unwrap_or(pre.len());
        out.push_str(&format!("-{}.{}", &pre[..split], &pre[split..]));
    }
    if let Some(n) = post {
        out.push_str(&format!(
            "{}post.{n}",
            if pre.is_empty() { "-" } else { "." }
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tutorial_graft() {
        assert_eq!(
            package("EnergyPriceCalculator"),
            "@graft/pypi-energypricecalculator"
        );
        assert_eq!(tarball("Shop", "1.0.0"), "pypi-shop-1.0.0.tgz");
    }

    #[test]
    fn versions_become_semver() {
        assert_eq!(semver("0.1.0"), "0.1.0");
        assert_eq!(semver("1.2"), "1.2.0");
        assert_eq!(semver("1.2.3.post2"), "1.2.3-post.2");
        assert_eq!(semver("1.0.0rc1"), "1.0.0-rc.1");
        assert_eq!(semver("2.0rc1.post1"), "2.0.0-rc.1.post.1");
    }
}
