//! `X.Y.Z` versions, raised by the kind of change.

use std::fmt;

use graft_model::diff::Kind;
use graft_model::interface::Project;

/// A release version: major, minor, patch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Semver(pub u64, pub u64, pub u64);

impl Semver {
    /// `X.Y.Z`, or fewer parts (`1.2` is `1.2.0`), leading release digits
    /// only (`1.0rc1` is `1.0.0`); `None` without any.
    pub fn parse(text: &str) -> Option<Semver> {
        let mut parts = [0u64; 3];
        let mut found = 0;
        for (i, part) in text.trim().split('.').take(3).enumerate() {
            let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
            parts[i] = digits.parse().ok()?;
            found += 1;
            if digits.len() < part.len() {
                break;
            }
        }
        (found > 0).then_some(Semver(parts[0], parts[1], parts[2]))
    }

    /// The lowest version a project's grafts may have: its version's
    /// release numbers ([`super::base_version`]), else `0.1.0`.
    pub fn floor(project: Option<&Project>) -> Semver {
        Semver::parse(&super::base_version(project)).unwrap_or(Semver(0, 1, 0))
    }

    /// The next version after a change of this kind.
    pub fn raised(self, kind: Kind) -> Semver {
        let Semver(major, minor, patch) = self;
        match kind {
            Kind::Breaking => Semver(major + 1, 0, 0),
            Kind::Addition => Semver(major, minor + 1, 0),
            Kind::Other => Semver(major, minor, patch + 1),
        }
    }
}

impl fmt::Display for Semver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_raises() {
        assert_eq!(Semver::parse("1.2"), Some(Semver(1, 2, 0)));
        assert_eq!(Semver::parse("1.0rc1"), Some(Semver(1, 0, 0)));
        assert_eq!(Semver::parse("2.1.3.post4"), Some(Semver(2, 1, 3)));
        assert_eq!(Semver::parse("v1"), None);
        let v = Semver(1, 4, 2);
        assert_eq!(v.raised(Kind::Breaking).to_string(), "2.0.0");
        assert_eq!(v.raised(Kind::Addition).to_string(), "1.5.0");
        assert_eq!(v.raised(Kind::Other).to_string(), "1.4.3");
        assert_eq!(Semver::floor(None).to_string(), "0.1.0");
    }
}
