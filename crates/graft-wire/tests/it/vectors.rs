//! The protocol test vectors in `docs/protocol-vectors`: each `.bin` file and
//! `vectors.json` must be exactly what this module produces, so they cannot
//! drift from the encoder. `GRAFT_WIRE_BLESS=1 cargo test -p graft-wire
//! --test it vectors` rewrites them after a deliberate change.

mod cases;
mod describe;

use std::path::PathBuf;

use bytes::BytesMut;
use graft_wire::{DEFAULT_MAX_FRAME_SIZE, Frame, Hello};
use serde_json::json;

use crate::codec::decode_all;
use cases::{Expect, Vector};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/protocol-vectors")
}

fn manifest(vectors: &[Vector]) -> String {
    let entries: Vec<_> = vectors.iter().map(Vector::manifest_entry).collect();
    let doc = json!({
        "about": "Graft wire protocol test vectors; see docs/PROTOCOL.md, section Test vectors.",
        "protocol_version": graft_wire::VERSION,
        "max_frame_size": DEFAULT_MAX_FRAME_SIZE,
        "types": describe::types(),
        "vectors": entries,
    });
    let mut text = serde_json::to_string_pretty(&doc).expect("json");
    text.push('\n');
    text
}

#[test]
fn committed_vectors_match_the_encoder() {
    let vectors = cases::all();
    let dir = dir();
    let manifest = manifest(&vectors);
    if std::env::var_os("GRAFT_WIRE_BLESS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for v in &vectors {
            std::fs::write(dir.join(&v.file), &v.bytes).unwrap();
        }
        std::fs::write(dir.join("vectors.json"), &manifest).unwrap();
    }
    for v in &vectors {
        let committed = std::fs::read(dir.join(&v.file))
            .unwrap_or_else(|e| panic!("{}: {e} (run with GRAFT_WIRE_BLESS=1)", v.file));
        assert!(
            committed == v.bytes,
            "{} differs from the encoder's output",
            v.file
        );
    }
    let committed = std::fs::read_to_string(dir.join("vectors.json")).unwrap();
    assert!(
        committed == manifest,
        "vectors.json differs (run with GRAFT_WIRE_BLESS=1)"
    );
    let mut on_disk: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    on_disk.retain(|name| name != "vectors.json");
    assert_eq!(
        on_disk.len(),
        vectors.len(),
        "a .bin file in {dir:?} is not in the manifest"
    );
}

/// Each vector decodes, or is rejected, as its manifest entry says; what
/// decodes encodes back to the same bytes.
#[test]
fn vectors_decode_or_are_rejected_as_declared() {
    for v in cases::all() {
        let outcome = match v.kind {
            "value" => decode_all(&v.bytes).map(|value| crate::codec::encode(&value)),
            "frame" => decode_frame(&v.bytes),
            _ => decode_hello(&v.bytes),
        };
        match (&v.expect, outcome) {
            (Expect::Decode(_), Ok(again)) => assert_eq!(again, v.bytes, "{} re-encodes", v.file),
            (Expect::Decode(_), Err(e)) => panic!("{} must decode: {e}", v.file),
            (Expect::Reject(_), Ok(_)) => panic!("{} must be rejected", v.file),
            (Expect::Reject(_), Err(_)) => {}
        }
    }
}

fn decode_frame(bytes: &[u8]) -> Result<Vec<u8>, graft_wire::WireError> {
    let total = Frame::check(bytes, DEFAULT_MAX_FRAME_SIZE)?;
    if total != bytes.len() {
        return Err(graft_wire::WireError::TrailingBytes(bytes.len() - total));
    }
    let frame = Frame::parse(&bytes[4..])?;
    let mut buf = BytesMut::new();
    frame.encode(&mut buf, DEFAULT_MAX_FRAME_SIZE)?;
    Ok(buf.to_vec())
}

fn decode_hello(bytes: &[u8]) -> Result<Vec<u8>, graft_wire::WireError> {
    let array: &[u8; 16] = bytes
        .try_into()
        .map_err(|_| graft_wire::WireError::Incomplete)?;
    Ok(Hello::decode(array)?.encode().to_vec())
}
