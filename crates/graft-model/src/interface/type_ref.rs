//! [`TypeRef`]: a type as an annotation names it.

use serde::{Deserialize, Serialize};

/// A type as an annotation names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TypeRef {
    Any,
    None,
    Bool,
    Int,
    Float,
    Str,
    Bytes,
    /// `datetime.datetime`, carried as ISO 8601 text.
    DateTime,
    /// `datetime.date`, carried as ISO 8601 text.
    Date,
    /// `decimal.Decimal`, exact: carried as its text.
    Decimal,
    /// `uuid.UUID`.
    Uuid,
    /// `datetime.timedelta`.
    TimeDelta,
    /// `datetime.time`, carried as ISO 8601 text (with its offset if aware).
    Time,
    List {
        item: Box<TypeRef>,
    },
    Set {
        item: Box<TypeRef>,
    },
    /// `tuple[A, B]`: fixed length.
    Tuple {
        items: Vec<TypeRef>,
    },
    /// `tuple[A, ...]`: any length.
    VarTuple {
        item: Box<TypeRef>,
    },
    Dict {
        key: Box<TypeRef>,
        value: Box<TypeRef>,
    },
    /// `Optional[X]`, that is `X | None`.
    Optional {
        inner: Box<TypeRef>,
    },
    /// `Union[A, B, ...]` of two or more types other than `None`.
    Union {
        options: Vec<TypeRef>,
    },
    /// `Literal[...]`: one of these values (each a str, int, bool or None),
    /// checked before the method runs.
    Literal {
        values: Vec<serde_json::Value>,
    },
    /// A dataclass, enum or exception listed in [`Interface::types`].
    ///
    /// [`Interface::types`]: super::Interface::types
    Named {
        name: String,
    },
    /// An object of a hosted service class (one with a constructor),
    /// passed by reference: it stays on the gateway.
    Object {
        service: String,
    },
}

impl TypeRef {
    /// The type as Python would write it, for messages and pages.
    pub fn python(&self) -> String {
        self.python_with(&|_| None)
    }

    /// The type as Python would write it, with `leaf` choosing the text of
    /// any part it answers for (say `datetime.datetime` where generated code
    /// imports the module), and the usual text elsewhere.
    pub fn python_with(&self, leaf: &dyn Fn(&TypeRef) -> Option<String>) -> String {
        if let Some(text) = leaf(self) {
            return text;
        }
        let a = |t: &TypeRef| t.python_with(leaf);
        let join = |items: &[TypeRef]| items.iter().map(a).collect::<Vec<_>>().join(", ");
        match self {
            TypeRef::Any => "Any".into(),
            TypeRef::None => "None".into(),
            TypeRef::Bool => "bool".into(),
            TypeRef::Int => "int".into(),
            TypeRef::Float => "float".into(),
            TypeRef::Str => "str".into(),
            TypeRef::Bytes => "bytes".into(),
            TypeRef::DateTime => "datetime".into(),
            TypeRef::Date => "date".into(),
            TypeRef::Decimal => "Decimal".into(),
            TypeRef::Uuid => "UUID".into(),
            TypeRef::TimeDelta => "timedelta".into(),
            TypeRef::Time => "time".into(),
            TypeRef::List { item } => format!("list[{}]", a(item)),
            TypeRef::Set { item } => format!("set[{}]", a(item)),
            TypeRef::Tuple { items } if items.is_empty() => "tuple[()]".into(),
            TypeRef::Tuple { items } => format!("tuple[{}]", join(items)),
            TypeRef::VarTuple { item } => format!("tuple[{}, ...]", a(item)),
            TypeRef::Dict { key, value } => format!("dict[{}, {}]", a(key), a(value)),
            TypeRef::Optional { inner } => format!("Optional[{}]", a(inner)),
            TypeRef::Union { options } => format!("Union[{}]", join(options)),
            TypeRef::Literal { values } => format!("Literal[{}]", literal_values(values)),
            TypeRef::Named { name } => name.clone(),
            TypeRef::Object { service } => service.clone(),
        }
    }
}

/// A `Literal`'s values as Python writes them: `'new', 'paid'`, `1, True, None`.
fn literal_values(values: &[serde_json::Value]) -> String {
    let one = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => {
            format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
        }
        serde_json::Value::Bool(true) => "True".into(),
        serde_json::Value::Bool(false) => "False".into(),
        serde_json::Value::Null => "None".into(),
        other => other.to_string(),
    };
    values.iter().map(one).collect::<Vec<_>>().join(", ")
}
