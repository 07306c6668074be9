//! graft-npm against a small interface: the package's files, a
//! deterministic tarball with its integrity, and the package document.

mod package;
