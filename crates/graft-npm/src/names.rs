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
}
