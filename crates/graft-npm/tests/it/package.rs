use std::collections::BTreeMap;
use std::io::Read as _;

use graft_model::Interface;
use graft_npm::{Registry, registry, runtime, tarball};
use graft_pypi::VersionStore;

fn shop() -> Interface {
    serde_json::from_str(include_str!("../../../graft-pypi/tests/fixtures/shop.json"))
        .expect("fixture interface")
}

/// The files of a `.tgz`, by path, read with a tar reader written here.
fn untar(tgz: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(tgz)
        .read_to_end(&mut tar)
        .expect("gzip");
    let mut files = BTreeMap::new();
    let mut at = 0;
    while at + 512 <= tar.len() && tar[at] != 0 {
        let h = &tar[at..at + 512];
        let field = |r: std::ops::Range<usize>| {
            String::from_utf8_lossy(&h[r])
                .trim_end_matches(['\0', ' '])
                .to_string()
        };
        let size = usize::from_str_radix(&field(124..136), 8).expect("octal size");
        let sum: u32 = h
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u32::from(b)
                }
            })
            .sum();
        assert_eq!(
            u32::from_str_radix(&field(148..154), 8).unwrap(),
            sum,
            "checksum"
        );
        let prefix = field(345..500);
        let name = if prefix.is_empty() {
            field(0..100)
        } else {
            format!("{prefix}/{}", field(0..100))
        };
        files.insert(name, tar[at + 512..at + 512 + size].to_vec());
        at += 512 + size.div_ceil(512) * 512;
    }
    files
}

#[test]
fn a_package_holds_its_module_types_and_runtime() {
    let iface = shop();
    let reg = Registry::build(&iface, &mut VersionStore::in_memory()).expect("registry");
    let p = reg.package("@graft/pypi-shop").expect("the Shop package");
    assert_eq!(p.version, "2.1.0");
    let files = untar(&p.bytes);
    for path in [
        "package/package.json",
        "package/index.js",
        "package/index.d.ts",
        "package/runtime/index.js",
    ] {
        assert!(files.contains_key(path), "{path} in {:?}", files.keys());
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&files["package/package.json"]).unwrap();
    assert_eq!(manifest["name"], "@graft/pypi-shop");
    assert_eq!(manifest["type"], "module");
    assert!(manifest.get("dependencies").is_none(), "no dependencies");
    let dts = String::from_utf8(files["package/index.d.ts"].clone()).unwrap();
    assert!(
        dts.contains("export declare class OutOfStock extends ShopError"),
        "{dts}"
    );
    assert!(dts.contains("export declare class Shop {"), "{dts}");
}

#[test]
fn tarballs_are_deterministic_and_their_integrity_is_sha512() {
    let iface = shop();
    let a = registry::build(&iface, &iface.services[1], "1.0.0");
    let b = registry::build(&iface, &iface.services[1], "1.0.0");
    assert_eq!(a.bytes, b.bytes);
    assert_eq!(a.integrity, tarball::integrity(&a.bytes));
    assert!(a.integrity.starts_with("sha512-") && a.integrity.len() == 7 + 88);
}

#[test]
fn a_changed_interface_gets_a_higher_version() {
    let mut iface = shop();
    let mut store = VersionStore::in_memory();
    let first = Registry::build(&iface, &mut store).unwrap();
    assert_eq!(
        Registry::build(&iface, &mut store).unwrap().packages(),
        first.packages()
    );
    iface.services[1].methods.pop();
    let changed = Registry::build(&iface, &mut store).unwrap();
    assert_eq!(
        changed.package("@graft/pypi-shop").unwrap().version,
        "3.0.0",
        "a method removed: a breaking change"
    );
    assert_eq!(
        changed.package("@graft/pypi-pricing").unwrap().version,
        "2.1.0"
    );
    let doc = changed
        .document("@graft/pypi-shop", "http://h:81/npm")
        .unwrap();
    assert_eq!(doc["dist-tags"]["latest"], "3.0.0");
    let versions: Vec<&String> = doc["versions"].as_object().unwrap().keys().collect();
    assert_eq!(versions, ["2.1.0", "3.0.0"], "the old version stays");
    assert!(
        changed
            .tarball("@graft/pypi-shop", "pypi-shop-2.1.0.tgz")
            .is_some()
    );
}

#[test]
fn npm_versions_are_the_python_grafts_in_one_store() {
    let mut iface = shop();
    let mut store = VersionStore::in_memory();
    graft_pypi::Index::build(&iface, &mut store).unwrap();
    iface.services[1].methods.pop();
    let wheels = graft_pypi::Index::build(&iface, &mut store).unwrap();
    let python: Vec<&str> = wheels
        .project("graft-pypi-shop")
        .iter()
        .map(|w| w.version.as_str())
        .collect();
    let npm = Registry::of(&iface, &store);
    let node: Vec<&str> = npm
        .packages()
        .iter()
        .filter(|p| p.name == "@graft/pypi-shop")
        .map(|p| p.version.as_str())
        .collect();
    assert_eq!(python, ["2.1.0", "3.0.0"]);
    assert_eq!(node, python);
}

#[test]
fn the_package_document_links_the_tarball_with_its_integrity() {
    let reg = Registry::build(&shop(), &mut VersionStore::in_memory()).unwrap();
    let doc = reg.document("@graft/pypi-shop", "http://h:81/npm").unwrap();
    assert_eq!(doc["dist-tags"]["latest"], "2.1.0");
    let dist = &doc["versions"]["2.1.0"]["dist"];
    assert_eq!(
        dist["tarball"],
        "http://h:81/npm/@graft/pypi-shop/-/pypi-shop-2.1.0.tgz"
    );
    assert_eq!(
        dist["integrity"],
        reg.package("@graft/pypi-shop").unwrap().integrity
    );
    assert!(reg.document("@graft/pypi-nope", "").is_none());
    assert!(
        reg.tarball("@graft/pypi-shop", "pypi-shop-2.1.0.tgz")
            .is_some()
    );
    assert!(reg.tarball("@graft/pypi-shop", "pypi-shop-9.tgz").is_none());
}

#[test]
fn the_vendored_runtime_is_every_compiled_file() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../typescript/runtime/dist");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .expect("typescript/runtime/dist")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let vendored: Vec<&str> = runtime::FILES.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        vendored, on_disk,
        "crates/graft-npm/src/runtime.rs lists every file"
    );
}
