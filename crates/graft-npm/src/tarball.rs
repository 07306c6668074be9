//! A package as npm's tarball: a gzipped ustar archive of `package/<path>`,
//! deterministic (sorted entries, fixed times, owners and modes, gzip
//! without a time or name), with its `sha512-<base64>` integrity.

use std::collections::BTreeMap;
use std::io::Write as _;

use base64::Engine as _;
use sha2::{Digest, Sha512};

/// The time npm itself stamps on every file of a packed tarball (1985-10-26T08:15:00Z).
const MTIME: u64 = 499_162_500;
const BLOCK: usize = 512;

/// The gzipped tar of `files` (paths inside the package), under `package/`.
pub fn pack(files: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let mut tar = Vec::new();
    for (path, bytes) in files {
        tar.extend_from_slice(&header(&format!("package/{path}"), bytes.len()));
        tar.extend_from_slice(bytes);
        tar.resize(tar.len().div_ceil(BLOCK) * BLOCK, 0);
    }
    tar.resize(tar.len() + 2 * BLOCK, 0);
    let mut gz = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), flate2::Compression::best());
    gz.write_all(&tar).expect("writing to memory");
    gz.finish().expect("writing to memory")
}

/// One file's ustar header; a path over 100 bytes is split into prefix and name.
fn header(path: &str, size: usize) -> [u8; BLOCK] {
    let mut h = [0u8; BLOCK];
    let (prefix, name) = match path.len() {
        0..=100 => ("", path),
        _ => path.rsplit_once('/').unwrap_or(("", path)),
    };
    put(&mut h[0..100], name.as_bytes());
    put(&mut h[100..108], b"0000644");
    put(&mut h[108..116], b"0000000");
    put(&mut h[116..124], b"0000000");
    put(&mut h[124..136], format!("{size:011o}").as_bytes());
    put(&mut h[136..148], format!("{MTIME:011o}").as_bytes());
    h[148..156].fill(b' ');
    h[156] = b'0';
    put(&mut h[257..265], b"ustar\x0000");
    put(&mut h[345..500], prefix.as_bytes());
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    put(&mut h[148..156], format!("{sum:06o}\0 ").as_bytes());
    h
}

fn put(field: &mut [u8], bytes: &[u8]) {
    field[..bytes.len()].copy_from_slice(bytes);
}

/// `sha512-<base64>`, the Subresource Integrity string npm checks.
pub fn integrity(bytes: &[u8]) -> String {
    let digest = Sha512::digest(bytes);
    format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}
