use super::*;

fn td(days: i32, seconds: i32, microseconds: i32) -> TimeDelta {
    TimeDelta {
        days,
        seconds,
        microseconds,
    }
}

#[test]
fn durations_are_written_as_pydantic_writes_them() {
    // Each pair checked against pydantic 2.13's TypeAdapter(timedelta).dump_json.
    let cases = [
        (td(1, 7384, 500_000), "P1DT2H3M4.5S"),
        (td(-1, 0, 0), "-P1D"),
        (td(-1, 86399, 0), "-PT1S"),
        (td(0, 0, 0), "PT0S"),
        (td(400, 0, 0), "P1Y35D"),
        (td(0, 0, 1), "PT0.000001S"),
        (td(-400, 0, 5), "-P1Y34DT23H59M59.999995S"),
    ];
    for (delta, text) in cases {
        assert_eq!(delta.iso(), text);
        assert_eq!(TimeDelta::parse(text), Some(delta), "{text}");
    }
}

#[test]
fn durations_are_read_in_every_iso_form_and_as_seconds() {
    assert_eq!(TimeDelta::parse("P1W"), Some(td(7, 0, 0)));
    assert_eq!(TimeDelta::parse("P1M"), Some(td(30, 0, 0)));
    assert_eq!(TimeDelta::parse("PT1.5M"), Some(td(0, 90, 0)));
    assert_eq!(TimeDelta::parse("3.5"), Some(td(0, 3, 500_000)));
    assert_eq!(TimeDelta::parse("-1"), Some(td(-1, 86399, 0)));
    assert_eq!(
        TimeDelta::from_seconds(-0.000001),
        Some(td(-1, 86399, 999_999))
    );
    for bad in [
        "",
        "P",
        "PT",
        "P1H",
        "PT1D",
        "P1D1Y",
        "1 day",
        "P-1D",
        "inf",
        "P1000000000D",
    ] {
        assert_eq!(TimeDelta::parse(bad), None, "{bad:?}");
    }
    assert!(td(0, 86399, 999_999).is_normalised());
    assert!(!td(0, 86400, 0).is_normalised() && !td(0, 0, -1).is_normalised());
}

#[test]
fn decimals_are_what_python_reads() {
    for good in [
        "1.5", "-0.10", "+3", "1e-7", "1E+10", ".5", "5.", "1_000.25", " 2 ", "NaN", "-sNaN12",
        "Infinity", "-inf",
    ] {
        assert!(is_decimal(good), "{good:?}");
    }
    for bad in [
        "", ".", "-", "1.2.3", "1e", "e5", "1__0", "_1", "0x10", "1,5", "nan-1", "١",
    ] {
        assert!(!is_decimal(bad), "{bad:?}");
    }
}

#[test]
fn uuids_read_as_python_reads_them_and_write_canonically() {
    let canonical = "12345678-9abc-def0-1234-56789abcdef0";
    let bytes = parse_uuid(canonical).unwrap();
    assert_eq!(bytes[0], 0x12);
    assert_eq!(uuid_text(&bytes), canonical);
    for same in [
        "123456789ABCDEF0123456789ABCDEF0",
        "{12345678-9abc-def0-1234-56789abcdef0}",
        "urn:uuid:12345678-9abc-def0-1234-56789abcdef0",
    ] {
        assert_eq!(parse_uuid(same), Some(bytes), "{same}");
    }
    for bad in [
        "",
        "1234",
        "g2345678-9abc-def0-1234-56789abcdef0",
        "+2345678-9abc-def0-1234-56789abcdef0",
    ] {
        assert_eq!(parse_uuid(bad), None, "{bad}");
    }
}

#[test]
fn times_are_what_time_fromisoformat_reads() {
    for good in [
        "12:30",
        "12:30:00",
        "23:59:59.123456",
        "08:00:00+01:00",
        "08:00Z",
        "00:00:00.5-05:30",
    ] {
        assert!(is_time(good), "{good}");
    }
    for bad in [
        "",
        "24:00",
        "12:60",
        "1:30",
        "12:30:00.1234567",
        "12:30+25:00",
        "noon",
        "12:30:00+",
    ] {
        assert!(!is_time(bad), "{bad}");
    }
}
