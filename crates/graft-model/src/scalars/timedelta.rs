//! [`TimeDelta`]: a `datetime.timedelta` in Python's normalised fields,
//! read from an ISO 8601 duration or a number of seconds and written as
//! pydantic writes it.

/// The most days a `datetime.timedelta` holds, either way.
const MAX_DAYS: i64 = 999_999_999;
const MICROS_PER_SECOND: i128 = 1_000_000;
const MICROS_PER_DAY: i128 = 86_400 * MICROS_PER_SECOND;

/// A `datetime.timedelta` in Python's normalised fields: `0 <= seconds <
/// 86400`, `0 <= microseconds < 10^6`, and `days` carrying the sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeDelta {
    pub days: i32,
    pub seconds: i32,
    pub microseconds: i32,
}

impl TimeDelta {
    /// The timedelta of `micros` microseconds, if Python can hold it.
    pub fn from_micros(micros: i128) -> Option<TimeDelta> {
        let days = micros.div_euclid(MICROS_PER_DAY);
        let rest = micros.rem_euclid(MICROS_PER_DAY);
        if days.abs() > i128::from(MAX_DAYS) {
            return None;
        }
        Some(TimeDelta {
            days: days as i32,
            seconds: (rest / MICROS_PER_SECOND) as i32,
            microseconds: (rest % MICROS_PER_SECOND) as i32,
        })
    }

    pub fn micros(&self) -> i128 {
        i128::from(self.days) * MICROS_PER_DAY
            + i128::from(self.seconds) * MICROS_PER_SECOND
            + i128::from(self.microseconds)
    }

    /// Whether the fields are Python's normalised ones (a decoded value may not be).
    pub fn is_normalised(&self) -> bool {
        i64::from(self.days).abs() <= MAX_DAYS
            && (0..86_400).contains(&self.seconds)
            && (0..1_000_000).contains(&self.microseconds)
    }

    /// The ISO 8601 duration pydantic writes: `P1DT2H3M4.5S`, `-PT1S`,
    /// `P1Y35D` (a year is 365 days), `PT0S`.
    pub fn iso(&self) -> String {
        let total = self.micros();
        let sign = if total < 0 { "-" } else { "" };
        let abs = total.unsigned_abs();
        let (days, rest) = (abs / MICROS_PER_DAY as u128, abs % MICROS_PER_DAY as u128);
        let (secs, micros) = (rest / 1_000_000, rest % 1_000_000);
        let mut out = format!("{sign}P");
        if days >= 365 {
            out += &format!("{}Y", days / 365);
        }
        if days % 365 != 0 {
            out += &format!("{}D", days % 365);
        }
        if rest != 0 {
            out.push('T');
            let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
            if h != 0 {
                out += &format!("{h}H");
            }
            if m != 0 {
                out += &format!("{m}M");
            }
            if s != 0 || micros != 0 {
                out += &s.to_string();
                if micros != 0 {
                    out += format!(".{micros:06}").trim_end_matches('0');
                }
                out.push('S');
            }
        }
        if abs == 0 {
            out += "T0S";
        }
        out
    }

    /// An ISO 8601 duration (`P1DT2H`, `-PT1.5S`, `P1W`; a year is 365 days
    /// and a month 30, as pydantic reads them) or a number of seconds.
    pub fn parse(text: &str) -> Option<TimeDelta> {
        let text = text.trim();
        match seconds_micros(text) {
            Some(micros) => TimeDelta::from_micros(micros),
            None => TimeDelta::from_micros(duration_micros(text)?),
        }
    }

    /// A number of seconds, as a JSON number gives it.
    pub fn from_seconds(seconds: f64) -> Option<TimeDelta> {
        let micros = (seconds * 1e6).round();
        if !(micros.is_finite() && micros.abs() < 1e35) {
            return None;
        }
        TimeDelta::from_micros(micros as i128)
    }
}

/// A decimal number of seconds (`-3.25`) in microseconds, rounded as Python rounds.
fn seconds_micros(text: &str) -> Option<i128> {
    let f: f64 = text.parse().ok()?;
    let ok = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    ok.then_some(())?;
    TimeDelta::from_seconds(f).map(|t| t.micros())
}

/// An ISO 8601 duration (`-P1DT2H`) in microseconds: date parts, then
/// time parts after a `T`, each part at most once and in order.
fn duration_micros(text: &str) -> Option<i128> {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let body = text.strip_prefix(['P', 'p'])?;
    let (date, time) = match body.find(['T', 't']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    const DAY: i128 = MICROS_PER_DAY;
    let mut total = units(
        date,
        &[
            ('Y', 365 * DAY),
            ('M', 30 * DAY),
            ('W', 7 * DAY),
            ('D', DAY),
        ],
    )?;
    if let Some(time) = time {
        let s = MICROS_PER_SECOND;
        total += units(time, &[('H', 3600 * s), ('M', 60 * s), ('S', s)])
            .filter(|_| !time.is_empty())?;
    }
    if body.is_empty() || body.ends_with(['T', 't']) {
        return None;
    }
    Some(if negative { -total } else { total })
}

/// `3D4H`-style parts in microseconds: each a number (a fraction allowed)
/// and one of `order`'s letters, in that order, each at most once.
fn units(text: &str, order: &[(char, i128)]) -> Option<i128> {
    let mut total: i128 = 0;
    let mut rest = text;
    let mut next = 0;
    while !rest.is_empty() {
        let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let letter = rest[end..].chars().next()?.to_ascii_uppercase();
        let at = order[next..].iter().position(|(l, _)| *l == letter)? + next;
        total = total.checked_add(scaled(&rest[..end], order[at].1)?)?;
        next = at + 1;
        rest = &rest[end + 1..];
    }
    Some(total)
}

/// `number` (digits, maybe a fraction) times `unit`, exactly to the microsecond.
fn scaled(number: &str, unit: i128) -> Option<i128> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || whole.len() > 18 {
        return None;
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut total = whole.parse::<i128>().ok()?.checked_mul(unit)?;
    let mut scale = unit;
    for digit in fraction.bytes().take(12) {
        scale /= 10;
        total += i128::from(digit - b'0') * scale;
    }
    Some(total)
}
