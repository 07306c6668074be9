//! One graft as a wheel: its files, its dist-info, and the archive.
//!
//! [`contents`] gives the package's own files (`__init__.py`, `py.typed`, the
//! vendored runtime); [`write_wheel`] writes them, sorted, then `METADATA`,
//! `WHEEL` and `RECORD` (sha256 and size of every file) through any
//! [`PackageWriter`]; [`build`] puts it together into a zip in memory.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use graft_model::{Interface, Service};
use sha2::{Digest, Sha256};

use crate::writer::{PackageWriter, ZipWriter};
use crate::{PypiError, codegen, names, runtime};

/// The Python versions a graft supports.
pub const REQUIRES_PYTHON: &str = ">=3.8";

/// The file in a graft's package holding the interface it was built from.
pub const INTERFACE_FILE: &str = "_interface.json";

/// The interface a graft's wheel was built from (its [`INTERFACE_FILE`]).
pub fn interface_in(wheel: &[u8]) -> Result<Interface, PypiError> {
    use std::io::Read as _;
    let bad = PypiError::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(wheel))
        .map_err(|e| bad(format!("not a zip: {e}")))?;
    let suffix = format!("/{INTERFACE_FILE}");
    let name = zip
        .file_names()
        .find(|n| n.ends_with(&suffix))
        .map(str::to_owned);
    let name = name.ok_or_else(|| {
        bad(format!(
            "no {INTERFACE_FILE} in it (not a graft, or one from before gg kept it)"
        ))
    })?;
    let mut text = String::new();
    let mut file = zip
        .by_name(&name)
        .map_err(|e| bad(format!("{name}: {e}")))?;
    file.read_to_string(&mut text)
        .map_err(|e| bad(format!("{name}: {e}")))?;
    serde_json::from_str(&text).map_err(|e| bad(format!("{name}: {e}")))
}

/// A built wheel.
#[derive(Debug, Clone, PartialEq)]
pub struct Wheel {
    /// `graft-pypi-<service>`.
    pub distribution: String,
    pub version: String,
    /// `graft_pypi_<service>-<version>-py3-none-any.whl`.
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// The archive's sha256, hex, for the index's links.
    pub sha256: String,
}

/// The package files of `service`'s graft, by path inside the wheel.
pub fn contents(
    iface: &Interface,
    service: &Service,
    default_config: Option<&str>,
) -> BTreeMap<String, Vec<u8>> {
    let package = names::import_package(&service.name);
    let mut files = BTreeMap::new();
    files.insert(
        format!("{package}/__init__.py"),
        codegen::init_py(iface, service, default_config).into_bytes(),
    );
    files.insert(format!("{package}/py.typed"), Vec::new());
    // What the graft was built from, for `gg diff` against a published graft.
    let slice = graft_model::diff::slice(iface, &service.name);
    let interface = serde_json::to_vec(&slice.as_ref().unwrap_or(iface)).unwrap_or_default();
    files.insert(format!("{package}/{INTERFACE_FILE}"), interface);
    for (name, source) in runtime::FILES {
        files.insert(
            format!("{package}/_runtime/{name}"),
            source.as_bytes().to_vec(),
        );
    }
    files
}

/// The sha256 (hex) of a set of files: paths, sizes and bytes, in order.
/// Equal for equal contents, which is what the version store keys on.
pub fn contents_hash(files: &BTreeMap<String, Vec<u8>>) -> String {
    let mut hash = Sha256::new();
    for (path, bytes) in files {
        hash.update(path.as_bytes());
        hash.update([0]);
        hash.update((bytes.len() as u64).to_be_bytes());
        hash.update(bytes);
    }
    hex::encode(hash.finalize())
}

/// Writes the wheel's files, then its dist-info, through `out`.
pub fn write_wheel(
    out: &mut dyn PackageWriter,
    distribution: &str,
    version: &str,
    summary: &str,
    files: &BTreeMap<String, Vec<u8>>,
) -> Result<(), PypiError> {
    let dist_info = format!("{}-{version}.dist-info", names::wheel_name(distribution));
    let mut record = String::new();
    let mut put =
        |out: &mut dyn PackageWriter, path: &str, bytes: &[u8]| -> Result<(), PypiError> {
            let digest = URL_SAFE_NO_PAD.encode(Sha256::digest(bytes));
            record.push_str(&format!("{path},sha256={digest},{}\n", bytes.len()));
            out.write(path, bytes)
        };
    for (path, bytes) in files {
        put(out, path, bytes)?;
    }
    put(
        out,
        &format!("{dist_info}/METADATA"),
        metadata(distribution, version, summary).as_bytes(),
    )?;
    put(out, &format!("{dist_info}/WHEEL"), WHEEL.as_bytes())?;
    record.push_str(&format!("{dist_info}/RECORD,,\n"));
    out.write(&format!("{dist_info}/RECORD"), record.as_bytes())
}

const WHEEL: &str =
    "Wheel-Version: 1.0\nGenerator: graft-pypi\nRoot-Is-Purelib: true\nTag: py3-none-any\n";

fn metadata(distribution: &str, version: &str, summary: &str) -> String {
    let summary = summary.lines().next().unwrap_or_default();
    format!(
        "Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\nSummary: {summary}\n\
         Requires-Python: {REQUIRES_PYTHON}\nDescription-Content-Type: text/plain\n\n\
         A Graft: the typed client of a service hosted by a Graft gateway (gg).\n\
         It depends on nothing outside the Python standard library.\n"
    )
}

/// The wheel of `service`'s graft at `version`, as a deterministic zip.
pub fn build(iface: &Interface, service: &Service, version: &str) -> Result<Wheel, PypiError> {
    let files = contents(iface, service, None);
    build_from(service, version, &files)
}

/// The wheel of already generated `files` (see [`contents`]).
pub fn build_from(
    service: &Service,
    version: &str,
    files: &BTreeMap<String, Vec<u8>>,
) -> Result<Wheel, PypiError> {
    let summary = format!(
        "Graft of {}: typed async client, in-process or over TCP",
        service.name
    );
    pack(names::distribution(&service.name), version, &summary, files)
}

/// The distribution of `graft_context` (the metadata of the call being
/// served), for type checkers and IDEs: gg and every graft bring their own
/// copy of the same file at run time.
pub const CONTEXT_DISTRIBUTION: &str = "graft-context";

/// The `graft-context` wheel; its version is the protocol version that
/// brought metadata.
pub fn context_wheel() -> Result<Wheel, PypiError> {
    let source = runtime::FILES
        .iter()
        .find(|(name, _)| *name == "context.py")
        .map_or("", |(_, source)| source);
    let files = BTreeMap::from([
        (
            "graft_context/__init__.py".to_owned(),
            source.as_bytes().to_vec(),
        ),
        ("graft_context/py.typed".to_owned(), Vec::new()),
    ]);
    let summary = "graft_context: the metadata of the call a Graft gateway serves";
    pack(CONTEXT_DISTRIBUTION.into(), "7.0.0", summary, &files)
}

fn pack(
    distribution: String,
    version: &str,
    summary: &str,
    files: &BTreeMap<String, Vec<u8>>,
) -> Result<Wheel, PypiError> {
    let mut zip = ZipWriter::in_memory();
    write_wheel(&mut zip, &distribution, version, summary, files)?;
    let bytes = zip.finish()?.into_inner();
    let sha256 = hex::encode(Sha256::digest(&bytes));
    Ok(Wheel {
        file_name: names::wheel_file(&distribution, version),
        distribution,
        version: version.into(),
        bytes,
        sha256,
    })
}
