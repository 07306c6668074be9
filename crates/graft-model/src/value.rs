//! [`Value`]: a value as it crosses Graft, between JSON, the wire and Python.

use std::sync::Arc;

/// A type or field name that many values share.
pub type Name = Arc<str>;

/// Whether two names are equal: by address first, since the objects of one
/// list share their names (one comparison instead of one per character),
/// then by text.
pub fn same_name(a: &Name, b: &Name) -> bool {
    Arc::ptr_eq(a, b) || a == b
}

/// One value passed to or returned from a hosted method.
///
/// Python's value kinds map one to one, so a round trip through any encoding
/// gives back the same Python type: a tuple stays a tuple, a set a set, an
/// enum member the same member.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    /// Python ints within the signed 64-bit range; larger ones are refused.
    Int(i64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    List(Vec<Value>),
    Tuple(Vec<Value>),
    Set(Vec<Value>),
    /// Keys may be any hashable value, in insertion order.
    Dict(Vec<(Value, Value)>),
    /// A dataclass instance: its type's name and its fields in order.
    ///
    /// The names are shared ([`Name`]): the objects of one list, decoded
    /// from a table or read from instances of one class, hold one copy.
    Object { type_name: Name, fields: Vec<(Name, Value)> },
    /// An enum member: its type's name and the member's value.
    Enum { type_name: String, value: Box<Value> },
    /// ISO 8601 text, as `datetime.isoformat()` writes it.
    DateTime(String),
    /// ISO 8601 text, as `date.isoformat()` writes it.
    Date(String),
}

/// An exception a hosted method raised, in a form every client can rebuild.
#[derive(Debug, Clone, PartialEq)]
pub struct Raised {
    /// The class name, `ValueError` or `OutOfStock`.
    pub type_name: String,
    /// The module that defines the class, `builtins` for built-in exceptions.
    pub module: String,
    /// `str(exception)`.
    pub message: String,
    /// The exception's `args`, where they have a [`Value`] form.
    pub args: Vec<Value>,
    /// Attributes of a custom exception (its `__init__` parameters).
    pub fields: Vec<(String, Value)>,
    /// The formatted Python traceback, for people; never parsed.
    pub traceback: String,
}

impl Value {
    /// A short name of the value's kind, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::None => "None",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Set(_) => "set",
            Value::Dict(_) => "dict",
            Value::Object { .. } => "object",
            Value::Enum { .. } => "enum",
            Value::DateTime(_) => "datetime",
            Value::Date(_) => "date",
        }
    }
}
