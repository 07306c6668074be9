//! Where a package's files go: the one [`PackageWriter`] trait, with a
//! deterministic zip writer for wheels and an in-memory writer for tests.

use std::collections::BTreeMap;
use std::io::{Cursor, Seek, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime};

use crate::PypiError;

/// Receives a package's files, one path and its bytes at a time.
pub trait PackageWriter {
    fn write(&mut self, path: &str, bytes: &[u8]) -> Result<(), PypiError>;
}

/// Keeps the files in a sorted map, for tests.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct MemoryWriter {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl MemoryWriter {
    /// The file at `path` as text, if it was written and is UTF-8.
    pub fn text(&self, path: &str) -> Option<&str> {
        self.files
            .get(path)
            .and_then(|b| std::str::from_utf8(b).ok())
    }
}

impl PackageWriter for MemoryWriter {
    fn write(&mut self, path: &str, bytes: &[u8]) -> Result<(), PypiError> {
        self.files.insert(path.to_owned(), bytes.to_vec());
        Ok(())
    }
}

/// Writes a zip archive whose bytes depend only on the files written and
/// their order: every entry is deflated, dated 1980-01-01 00:00 and mode 0644.
pub struct ZipWriter<W: Write + Seek> {
    zip: zip::ZipWriter<W>,
}

impl ZipWriter<Cursor<Vec<u8>>> {
    /// A writer into memory; [`ZipWriter::finish`] hands back the archive.
    pub fn in_memory() -> Self {
        ZipWriter::new(Cursor::new(Vec::new()))
    }
}

impl<W: Write + Seek> ZipWriter<W> {
    pub fn new(out: W) -> Self {
        ZipWriter {
            zip: zip::ZipWriter::new(out),
        }
    }

    fn options() -> SimpleFileOptions {
        SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(6))
            .last_modified_time(DateTime::default())
            .unix_permissions(0o644)
    }

    /// Writes the central directory and returns the output.
    pub fn finish(self) -> Result<W, PypiError> {
        self.zip.finish().map_err(|e| PypiError::Zip(e.to_string()))
    }
}

impl<W: Write + Seek> PackageWriter for ZipWriter<W> {
    fn write(&mut self, path: &str, bytes: &[u8]) -> Result<(), PypiError> {
        self.zip
            .start_file(path, Self::options())
            .map_err(|e| PypiError::Zip(format!("{path}: {e}")))?;
        self.zip
            .write_all(bytes)
            .map_err(|e| PypiError::Zip(format!("{path}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn archive() -> Vec<u8> {
        let mut w = ZipWriter::in_memory();
        w.write("a/b.py", b"print('hi')\n").unwrap();
        w.write("c.txt", b"").unwrap();
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn zips_are_deterministic_and_readable() {
        let bytes = archive();
        assert_eq!(bytes, archive());
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let entry = zip.by_name("a/b.py").unwrap();
        assert_eq!(entry.unix_mode(), Some(0o100644));
        assert_eq!(entry.last_modified(), Some(DateTime::default()));
        assert_eq!(entry.compression(), CompressionMethod::Deflated);
    }
}
