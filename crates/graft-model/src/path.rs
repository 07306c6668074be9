//! [`Path`]: where a value sits inside an argument (`items[2].price`).
//!
//! Checks pass a `Path` down as they walk a value and write it out only when
//! an error names it, so a correct argument of 10,000 records costs no text.

use std::fmt;

#[derive(Clone, Copy, Debug)]
pub(crate) enum Path<'a> {
    /// The argument itself, by its parameter's name.
    Root(&'a str),
    /// An item of a list, set or tuple: `[2]`.
    Index(&'a Path<'a>, usize),
    /// A dataclass field: `.price`.
    Field(&'a Path<'a>, &'a str),
    /// A dict value under a known key: `["k"]`.
    Entry(&'a Path<'a>, &'a str),
    /// A dict key: ` key "k"`, or ` key` when it has no text form.
    Key(&'a Path<'a>, Option<&'a str>),
    /// A dict value under a key that has no text form: `[...]`.
    AnyEntry(&'a Path<'a>),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root(name) => f.write_str(name),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
            Path::Field(parent, name) => write!(f, "{parent}.{name}"),
            Path::Entry(parent, key) => write!(f, "{parent}[{key:?}]"),
            Path::Key(parent, Some(key)) => write!(f, "{parent} key {key:?}"),
            Path::Key(parent, None) => write!(f, "{parent} key"),
            Path::AnyEntry(parent) => write!(f, "{parent}[...]"),
        }
    }
}
