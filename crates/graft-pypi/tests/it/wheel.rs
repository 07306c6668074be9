//! Wheels: determinism, dist-info, RECORD hashes, versions.

use std::io::{Cursor, Read};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use graft_pypi::{Index, MemoryWriter, VersionStore, build, contents, write_wheel};
use sha2::{Digest, Sha256};

use crate::{service, shop, temp_dir};

fn entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).unwrap();
            assert_eq!(
                entry.last_modified(),
                Some(zip::DateTime::default()),
                "{}",
                entry.name()
            );
            assert_eq!(entry.unix_mode(), Some(0o100644));
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            (entry.name().to_string(), data)
        })
        .collect()
}

#[test]
fn the_same_interface_gives_identical_bytes() {
    let iface = shop();
    let a = build(&iface, service(&iface, "Shop"), "2.1.0").unwrap();
    let b = build(&shop(), service(&iface, "Shop"), "2.1.0").unwrap();
    assert_eq!(a.bytes, b.bytes);
    assert_eq!(a.sha256, hex::encode(Sha256::digest(&a.bytes)));
    assert_eq!(a.file_name, "graft_pypi_shop-2.1.0-py3-none-any.whl");
    assert_eq!(a.distribution, "graft-pypi-shop");
}

#[test]
fn record_lists_every_file_with_its_sha256_and_size() {
    let iface = shop();
    let wheel = build(&iface, service(&iface, "Shop"), "2.1.0").unwrap();
    let files = entries(&wheel.bytes);
    let (_, record) = files
        .iter()
        .find(|(n, _)| n == "graft_pypi_shop-2.1.0.dist-info/RECORD")
        .unwrap();
    let record = String::from_utf8(record.clone()).unwrap();
    assert_eq!(record.lines().count(), files.len());
    for (name, data) in &files {
        let line = record
            .lines()
            .find(|l| l.split(',').next() == Some(name))
            .unwrap_or_else(|| panic!("{name} not in RECORD"));
        if name.ends_with("RECORD") {
            assert_eq!(line, format!("{name},,"));
            continue;
        }
        let digest = URL_SAFE_NO_PAD.encode(Sha256::digest(data));
        assert_eq!(line, format!("{name},sha256={digest},{}", data.len()));
    }
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "graft_pypi_shop/__init__.py",
        "graft_pypi_shop/py.typed",
        "graft_pypi_shop/_runtime/config.py",
        "graft_pypi_shop/_runtime/transport.py",
        "graft_pypi_shop/_runtime/wire.py",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
}

#[test]
fn dist_info_says_pure_python_and_depends_on_nothing() {
    let iface = shop();
    let mut out = MemoryWriter::default();
    let files = contents(&iface, service(&iface, "Shop"), None);
    write_wheel(
        &mut out,
        "graft-pypi-shop",
        "2.1.0",
        "Summary\nsecond line dropped",
        &files,
    )
    .unwrap();
    let metadata = out
        .text("graft_pypi_shop-2.1.0.dist-info/METADATA")
        .unwrap();
    assert!(metadata.starts_with("Metadata-Version: 2.1\nName: graft-pypi-shop\nVersion: 2.1.0\nSummary: Summary\nRequires-Python: >=3.8\n"));
    assert!(!metadata.contains("Requires-Dist"), "{metadata}");
    let wheel = out.text("graft_pypi_shop-2.1.0.dist-info/WHEEL").unwrap();
    assert!(wheel.contains("Root-Is-Purelib: true\n") && wheel.contains("Tag: py3-none-any\n"));
    let runtime = include_str!("../../../../python/graft_runtime/client.py");
    assert_eq!(
        out.text("graft_pypi_shop/_runtime/client.py"),
        Some(runtime),
        "the repo's file, as it is"
    );
    assert_eq!(out.files.len(), files.len() + 3);
}

#[test]
fn a_changed_interface_gets_a_higher_version_and_the_store_remembers() {
    let dir = temp_dir("versions");
    let store_path = dir.join("state").join("versions.json");
    let versions = |iface: &graft_model::Interface| {
        let mut store = VersionStore::open(&store_path).unwrap();
        let index = Index::build(iface, &mut store).unwrap();
        index
            .wheels()
            .iter()
            .filter(|w| w.distribution != graft_pypi::wheel::CONTEXT_DISTRIBUTION)
            .map(|w| (w.file_name.clone(), w.sha256.clone()))
            .collect::<Vec<_>>()
    };
    let shop_wheels = |list: Vec<(String, String)>| -> Vec<String> {
        list.into_iter()
            .map(|w| w.0)
            .filter(|f| f.starts_with("graft_pypi_shop-"))
            .collect()
    };
    let first = versions(&shop());
    assert_eq!(
        shop_wheels(first.clone()),
        ["graft_pypi_shop-2.1.0-py3-none-any.whl"]
    );
    assert_eq!(
        versions(&shop()),
        first,
        "same interface, same version and bytes, across restarts"
    );
    let mut changed = shop();
    changed.services[1].methods.pop();
    let second = versions(&changed);
    assert_eq!(
        shop_wheels(second.clone()),
        [
            "graft_pypi_shop-2.1.0-py3-none-any.whl",
            "graft_pypi_shop-3.0.0-py3-none-any.whl"
        ],
        "a method removed is breaking; the old version stays"
    );
    assert_eq!(second[1], first[1], "the old wheel keeps its bytes");
    assert_eq!(second[0], first[0], "pricing did not change");
    assert_eq!(
        shop_wheels(versions(&shop())).last().unwrap(),
        "graft_pypi_shop-3.1.0-py3-none-any.whl",
        "changed back: the method is added again, a minor step up"
    );
    let mut bumped = shop();
    bumped.project.as_mut().unwrap().version = "4.2.0".into();
    assert_eq!(
        shop_wheels(versions(&bumped)).last().unwrap(),
        "graft_pypi_shop-4.2.0-py3-none-any.whl",
        "the project's version is the floor"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn no_project_means_version_0_1_0_and_a_bad_store_is_an_error() {
    let mut iface = shop();
    iface.project = None;
    let index = Index::build(&iface, &mut VersionStore::in_memory()).unwrap();
    let mut grafts = index
        .wheels()
        .iter()
        .filter(|w| w.distribution != graft_pypi::wheel::CONTEXT_DISTRIBUTION);
    assert!(grafts.clone().count() > 0 && grafts.all(|w| w.version == "0.1.0"));
    let dir = temp_dir("bad-store");
    let path = dir.join("versions.json");
    std::fs::write(&path, "not json").unwrap();
    let err = VersionStore::open(&path).unwrap_err().to_string();
    assert!(
        err.contains("versions.json") && err.contains("not a version store"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_graft_holds_the_interface_it_was_built_from() {
    let iface = shop();
    let index = Index::build(&iface, &mut VersionStore::in_memory()).unwrap();
    let wheel = index.project("graft-pypi-shop")[0];
    let held = graft_pypi::wheel::interface_in(&wheel.bytes).unwrap();
    assert_eq!(Some(held), graft_model::diff::slice(&iface, "Shop"));
    let context = index.project("graft-context")[0];
    let err = graft_pypi::wheel::interface_in(&context.bytes).unwrap_err();
    assert!(err.to_string().contains("no _interface.json"), "{err}");
}
