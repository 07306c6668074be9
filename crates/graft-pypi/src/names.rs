//! The names of a graft: distribution, import package, wheel file, and
//! PEP 503 normalisation.

/// The distribution name of a service's graft: `graft-pypi-<service, lower-cased>`.
///
/// `EnergyPriceCalculator` gives `graft-pypi-energypricecalculator`.
pub fn distribution(service: &str) -> String {
    format!("graft-pypi-{}", service.to_lowercase())
}

/// The import package of a service's graft: `graft_pypi_<service, lower-cased>`.
pub fn import_package(service: &str) -> String {
    format!("graft_pypi_{}", service.to_lowercase())
}

/// A project name as PEP 503 compares them: lower case, each run of `-`, `_`
/// and `.` as one `-` (`Graft_PyPI.X` is `graft-pypi-x`).
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.extend(c.to_lowercase());
            in_run = false;
        }
    }
    out
}

/// The name part of wheel and dist-info file names: normalised, `-` as `_`.
pub fn wheel_name(distribution: &str) -> String {
    normalize(distribution).replace('-', "_")
}

/// `graft_pypi_x-1.0.0-py3-none-any.whl`.
pub fn wheel_file(distribution: &str, version: &str) -> String {
    format!("{}-{version}-py3-none-any.whl", wheel_name(distribution))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_the_tutorial_graft() {
        assert_eq!(
            distribution("EnergyPriceCalculator"),
            "graft-pypi-energypricecalculator"
        );
        assert_eq!(
            import_package("EnergyPriceCalculator"),
            "graft_pypi_energypricecalculator"
        );
        assert_eq!(
            wheel_file("graft-pypi-energypricecalculator", "1.0.0"),
            "graft_pypi_energypricecalculator-1.0.0-py3-none-any.whl"
        );
    }

    #[test]
    fn normalisation_follows_pep_503() {
        assert_eq!(
            normalize("graft_pypi_EnergyPriceCalculator"),
            "graft-pypi-energypricecalculator"
        );
        assert_eq!(normalize("A.-_b__C"), "a-b-c");
        assert_eq!(wheel_name("graft-pypi-my_service"), "graft_pypi_my_service");
    }
}
