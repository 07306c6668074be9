//! [`Value`]: a value as it crosses Graft, between JSON, the wire and Python.

use std::sync::Arc;

use crate::scalars::TimeDelta;
use crate::table::Table;

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
#[derive(Debug, Clone)]
pub enum Value {
    None,
    Bool(bool),
    /// Python ints within the signed 64-bit range; larger ones are refused.
    Int(i64),
    Float(f64),
    Str(String),
    /// Shared, not copied, when cloned or sliced: a large payload read from
    /// the wire or from a Python `bytes` keeps that buffer.
    Bytes(bytes::Bytes),
    List(Vec<Value>),
    Tuple(Vec<Value>),
    Set(Vec<Value>),
    /// Keys may be any hashable value, in insertion order.
    Dict(Vec<(Value, Value)>),
    /// A list of objects of one shape, held by columns: the same value as
    /// the [`Value::List`] of its objects, and equal to it.
    Table(Box<Table>),
    /// A dataclass instance: its type's name and its fields in order.
    ///
    /// The names are shared ([`Name`]): the objects of one list, decoded
    /// from a table or read from instances of one class, hold one copy.
    Object {
        type_name: Name,
        fields: Vec<(Name, Value)>,
    },
    /// An enum member: its type's name and the member's value.
    Enum {
        type_name: String,
        value: Box<Value>,
    },
    /// ISO 8601 text, as `datetime.isoformat()` writes it.
    DateTime(String),
    /// ISO 8601 text, as `date.isoformat()` writes it.
    Date(String),
    /// A `decimal.Decimal`, exactly: its text, as `str(d)` writes it.
    Decimal(String),
    /// A `uuid.UUID`: its 16 bytes.
    Uuid([u8; 16]),
    /// A `datetime.timedelta`, in Python's normalised fields.
    TimeDelta(TimeDelta),
    /// A `datetime.time`: ISO 8601 text, as `time.isoformat()` writes it.
    Time(String),
    /// A reference to an object living on a gateway: its service (class)
    /// and its id (32 lower-case hex characters).
    ObjectRef {
        service: String,
        id: String,
    },
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
            Value::List(_) | Value::Table(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Set(_) => "set",
            Value::Dict(_) => "dict",
            Value::Object { .. } => "object",
            Value::Enum { .. } => "enum",
            Value::DateTime(_) => "datetime",
            Value::Date(_) => "date",
            Value::Decimal(_) => "Decimal",
            Value::Uuid(_) => "UUID",
            Value::TimeDelta(_) => "timedelta",
            Value::Time(_) => "time",
            Value::ObjectRef { .. } => "object reference",
        }
    }
}

impl PartialEq for Value {
    /// Structural equality, where a [`Value::Table`] equals the list of its objects.
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Table(table), other) | (other, Value::Table(table)) => table_eq(table, other),
            (Value::None, Value::None) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Str(a), Value::Str(b))
            | (Value::DateTime(a), Value::DateTime(b))
            | (Value::Date(a), Value::Date(b))
            | (Value::Decimal(a), Value::Decimal(b))
            | (Value::Time(a), Value::Time(b)) => a == b,
            (Value::Uuid(a), Value::Uuid(b)) => a == b,
            (Value::TimeDelta(a), Value::TimeDelta(b)) => a == b,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::List(a), Value::List(b))
            | (Value::Tuple(a), Value::Tuple(b))
            | (Value::Set(a), Value::Set(b)) => a == b,
            (Value::Dict(a), Value::Dict(b)) => a == b,
            (Value::Object { .. } | Value::Enum { .. } | Value::ObjectRef { .. }, _) => {
                named_eq(self, other)
            }
            _ => false,
        }
    }
}

/// Whether a table equals `other`, a table or a list: as the list of its objects.
fn table_eq(table: &Table, other: &Value) -> bool {
    match other {
        Value::Table(b) => table.to_objects() == b.to_objects(),
        Value::List(items) => table.to_objects() == *items,
        _ => false,
    }
}

/// Whether two objects, enum members or object references are equal: of
/// the same type (or service), with the same fields (value, id).
fn named_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (
            Value::Object {
                type_name: t,
                fields: f,
            },
            Value::Object {
                type_name: u,
                fields: g,
            },
        ) => t == u && f == g,
        (
            Value::Enum {
                type_name: t,
                value: v,
            },
            Value::Enum {
                type_name: u,
                value: w,
            },
        ) => t == u && v == w,
        (Value::ObjectRef { service: s, id: i }, Value::ObjectRef { service: t, id: j }) => {
            s == t && i == j
        }
        _ => false,
    }
}
