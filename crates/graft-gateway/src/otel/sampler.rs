//! `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`, as the SDKs read
//! them: always_on, always_off, traceidratio and their parentbased_ forms
//! (parentbased_always_on by default). A parent-based sampler follows the
//! caller's sampled flag; the others decide on their own.

/// A sampling rule.
pub struct Sampler {
    /// Follow the caller's sampled flag when there is a caller.
    parent_based: bool,
    /// Sample a trace whose id's last 64 bits are below this (u64::MAX: all).
    below: u64,
    all: bool,
}

impl Sampler {
    pub fn from_env() -> Sampler {
        let name = std::env::var("OTEL_TRACES_SAMPLER").unwrap_or_default();
        let name = name.trim().to_ascii_lowercase();
        let (parent_based, rule) = match name.strip_prefix("parentbased_") {
            Some(rule) => (true, rule.to_owned()),
            None if name.is_empty() => (true, "always_on".to_owned()),
            None => (false, name.clone()),
        };
        let ratio = match rule.as_str() {
            "always_on" => 1.0,
            "always_off" => 0.0,
            "traceidratio" => ratio_arg(),
            _ => {
                tracing::warn!(
                    "OTLP: unknown OTEL_TRACES_SAMPLER `{name}`; using parentbased_always_on"
                );
                return Sampler::ratio(true, 1.0);
            }
        };
        Sampler::ratio(parent_based, ratio)
    }

    fn ratio(parent_based: bool, ratio: f64) -> Sampler {
        Sampler {
            parent_based,
            // The cast saturates: 1.0 gives u64::MAX.
            below: (ratio.clamp(0.0, 1.0) * u64::MAX as f64) as u64,
            all: ratio >= 1.0,
        }
    }

    /// Whether to sample a span of `trace_id` whose caller sampled it or
    /// not (None: no caller).
    pub fn sampled(&self, parent: Option<bool>, trace_id: u128) -> bool {
        match parent {
            Some(sampled) if self.parent_based => sampled,
            _ if self.all => true,
            // The id's last 64 bits (its last 16 hex digits), as W3C's random part.
            _ => (trace_id as u64) < self.below,
        }
    }
}

/// `OTEL_TRACES_SAMPLER_ARG`, a ratio in [0, 1] (1 when unset or invalid).
fn ratio_arg() -> f64 {
    let arg = std::env::var("OTEL_TRACES_SAMPLER_ARG").unwrap_or_default();
    match arg.trim().parse::<f64>() {
        Ok(ratio) if (0.0..=1.0).contains(&ratio) => ratio,
        _ => {
            tracing::warn!("OTLP: OTEL_TRACES_SAMPLER_ARG `{arg}` is no ratio in [0, 1]; using 1");
            1.0
        }
    }
}
