//! A call's deadline: how long its caller waits, and what set that limit,
//! so that the one timeout message ([`crate::Answer`]'s) names it, over
//! HTTP and TCP alike.

use std::fmt;
use std::time::Duration;

/// How long a caller waits: for the whole answer of a plain method, for
/// each next item of a streaming one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub limit: Duration,
    pub set_by: SetBy,
}

/// What set a call's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetBy {
    /// The caller's own timeout: HTTP's `Graft-Timeout-Ms`, a Call frame's.
    Caller,
    /// The gateway's `--callTimeout`.
    Gateway,
}

impl Deadline {
    /// The caller's timeout (`asked`), no longer than the gateway's cap:
    /// the shorter one is the deadline, and says it set it. `None`: no limit.
    pub fn shorter(asked: Option<Duration>, cap: Option<Duration>) -> Option<Deadline> {
        let (limit, set_by) = match (asked, cap) {
            (Some(asked), Some(cap)) if cap < asked => (cap, SetBy::Gateway),
            (Some(asked), _) => (asked, SetBy::Caller),
            (None, Some(cap)) => (cap, SetBy::Gateway),
            (None, None) => return None,
        };
        Some(Deadline { limit, set_by })
    }

    /// The limit in seconds.
    pub fn as_secs_f64(&self) -> f64 {
        self.limit.as_secs_f64()
    }
}

impl fmt::Display for SetBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SetBy::Caller => "the caller's timeout",
            SetBy::Gateway => "--callTimeout",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shorter_limit_is_the_deadline_and_names_what_set_it() {
        let s = Duration::from_secs;
        let by = |asked, cap| Deadline::shorter(asked, cap).map(|d| (d.limit, d.set_by));
        assert_eq!(by(Some(s(2)), Some(s(300))), Some((s(2), SetBy::Caller)));
        assert_eq!(
            by(Some(s(900)), Some(s(300))),
            Some((s(300), SetBy::Gateway))
        );
        assert_eq!(
            by(Some(s(300)), Some(s(300))),
            Some((s(300), SetBy::Caller))
        );
        assert_eq!(by(None, Some(s(300))), Some((s(300), SetBy::Gateway)));
        assert_eq!(by(Some(s(2)), None), Some((s(2), SetBy::Caller)));
        assert_eq!(by(None, None), None);
        assert_eq!(SetBy::Caller.to_string(), "the caller's timeout");
        assert_eq!(SetBy::Gateway.to_string(), "--callTimeout");
    }
}
