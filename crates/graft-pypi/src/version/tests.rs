use super::*;

fn project(v: &str) -> Project {
    Project {
        name: "p".into(),
        version: v.into(),
    }
}

#[test]
fn base_versions() {
    assert_eq!(base_version(None), "0.1.0");
    for (given, base) in [
        ("1.0.0", "1.0.0"),
        ("2.1", "2.1"),
        ("1.0rc1", "1.0rc1"),
        ("1.0.post3", "1.0"),
        ("1.2.3-dev", "1.2.3"),
        ("v1", "0.1.0"),
        ("3.0a", "3.0"),
    ] {
        assert_eq!(base_version(Some(&project(given))), base, "{given}");
    }
}

#[test]
fn versions_follow_the_interface_and_the_project_is_the_floor() {
    let shop = |methods: &[&str], version: &str| -> Interface {
        let methods: Vec<_> = methods
            .iter()
            .map(|m| {
                serde_json::json!({"name": m,
            "kind": "static", "is_async": false, "params": [], "returns": {"kind": "int"}})
            })
            .collect();
        serde_json::from_value(
            serde_json::json!({"project": {"name": "p", "version": version},
            "services": [{"name": "Shop", "kind": "class", "module": "s", "file": "s.py",
            "methods": methods}], "types": []}),
        )
        .unwrap()
    };
    let mut store = VersionStore::in_memory();
    let mut at = |iface: Interface, hash: &str| {
        let floor = Semver::floor(iface.project.as_ref());
        store.release("p:Shop", floor, iface, hash).unwrap()
    };
    assert_eq!(at(shop(&["a"], "1.0"), "h1"), "1.0.0");
    assert_eq!(at(shop(&["a"], "1.0"), "h1"), "1.0.0", "same contents");
    assert_eq!(
        at(shop(&["a", "b"], "1.0"), "h2"),
        "1.1.0",
        "a method added"
    );
    assert_eq!(at(shop(&["a", "b"], "1.0"), "h3"), "1.1.1", "contents only");
    assert_eq!(at(shop(&["b"], "1.0"), "h4"), "2.0.0", "a method removed");
    assert_eq!(
        at(shop(&["b"], "3.1"), "h4"),
        "3.1.0",
        "the project's version is the floor"
    );
    assert_eq!(at(shop(&["b", "c"], "3.1"), "h5"), "3.2.0");
    let versions: Vec<_> = store
        .releases("p:Shop")
        .iter()
        .map(|r| r.version.as_str())
        .collect();
    assert_eq!(
        versions,
        ["1.0.0", "1.1.0", "1.1.1", "2.0.0", "3.1.0", "3.2.0"]
    );
}

#[test]
fn an_old_store_is_followed_by_a_higher_version() {
    let dir = std::env::temp_dir().join(format!("graft-follow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let old = dir.join("pypi-versions.json");
    let text = r#"{"format": 1, "services": {"p:Shop": {"1.0.0": ["a", "b", "c"]}}}"#;
    std::fs::write(&old, text).unwrap();
    let iface: Interface = serde_json::from_value(serde_json::json!({
        "project": {"name": "p", "version": "1.0.0"},
        "services": [
            {"name": "Shop", "kind": "class", "module": "s", "file": "s.py", "methods": []},
            {"name": "New", "kind": "class", "module": "s", "file": "s.py", "methods": []}],
        "types": []}))
    .unwrap();
    let mut store = VersionStore::in_memory();
    store.follow(&old);
    store.follow(&dir.join("missing.json"));
    store.record(&iface, |_, s| s.name.clone()).unwrap();
    assert_eq!(
        store.releases("p:Shop")[0].version,
        "1.0.1",
        "above 1.0.0.post2"
    );
    assert_eq!(store.releases("p:New")[0].version, "1.0.0");
    let _ = std::fs::remove_dir_all(dir);
}
