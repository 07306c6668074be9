//! Services, methods, parameters and named types, as discovery finds them.

use serde::{Deserialize, Serialize};

/// Everything one gateway exposes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Interface {
    /// The hosted project's name and version, from `pyproject.toml` when found.
    #[serde(default)]
    pub project: Option<Project>,
    pub services: Vec<Service>,
    /// Named types (dataclasses, enums, exceptions) used by the services.
    pub types: Vec<TypeDef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub name: String,
    pub version: String,
}

/// A class, or the public functions of one module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub name: String,
    pub kind: ServiceKind,
    /// The Python module that defines the service (its import name).
    pub module: String,
    /// The file the module was loaded from, for messages.
    pub file: String,
    #[serde(default)]
    pub doc: Option<String>,
    pub methods: Vec<Method>,
    /// Exception classes defined in the service's module (names in `types`).
    #[serde(default)]
    pub exceptions: Vec<String>,
    /// A class with instance methods: its `__init__` parameters (without
    /// `self`). Its objects live on the gateway (remote objects), and its
    /// [`MethodKind::Instance`] methods are called on one of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constructor: Option<Vec<Param>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// A public class; its static and class methods are the service's
    /// methods, and with a constructor its instance methods too.
    Class,
    /// A module's public functions.
    Module,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Method {
    pub name: String,
    pub kind: MethodKind,
    pub is_async: bool,
    #[serde(default)]
    pub doc: Option<String>,
    pub params: Vec<Param>,
    /// What a call returns; for a streaming method, the type of each item.
    pub returns: TypeRef,
    /// A streaming method: it returns an iterator or async iterator
    /// (`Iterator[T]`, `AsyncIterator[T]`, ...) whose items, of type
    /// `returns`, cross one by one as they are produced.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub streams: bool,
    /// Why the method cannot be called, when a parameter or its return has
    /// a type Graft cannot carry ("parameter `x`: type `Foo` has no Graft
    /// form"). Such a method is listed, with the reason, but not callable,
    /// not in OpenAPI and not on the graft.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<String>,
    /// Declared idempotent by its author (`@graft_context.idempotent`): a
    /// graft may retry a call of it that may have run (connection lost, timeout).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub idempotent: bool,
}

impl Method {
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MethodKind {
    Static,
    Class,
    Function,
    /// A method of an object of the class (see [`Service::constructor`]).
    Instance,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    pub name: String,
    pub kind: ParamKind,
    #[serde(rename = "type")]
    pub ty: TypeRef,
    /// Absent when the parameter is required.
    #[serde(default)]
    pub default: Option<Default>,
}

impl Param {
    pub fn is_required(&self) -> bool {
        self.default.is_none()
            && !matches!(self.kind, ParamKind::VarPositional | ParamKind::VarKeyword)
    }
}

/// How a parameter may be passed, as in Python's `inspect.Parameter.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    PositionalOnly,
    PositionalOrKeyword,
    KeywordOnly,
    /// `*args`: its type is the type of each extra positional value.
    VarPositional,
    /// `**kwargs`: its type is the type of each extra named value.
    VarKeyword,
}

/// A parameter's or field's default value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Default {
    /// The default as JSON, for forms and OpenAPI; `null` when it has no JSON form.
    pub json: serde_json::Value,
    /// A Python expression that rebuilds the default in generated code, or
    /// `None` when the value cannot be written as source (say, a mutable object).
    pub python: Option<String>,
}

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

/// A named type: dataclass, enum or exception.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeDef {
    pub name: String,
    pub module: String,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(flatten)]
    pub kind: TypeDefKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TypeDefKind {
    /// A dataclass, or (`model`) a pydantic `BaseModel`: its fields by
    /// attribute name; the hosted model validates an argument itself.
    Dataclass {
        fields: Vec<Field>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        model: bool,
        /// A frozen dataclass: its instances cannot be changed, and hash.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        frozen: bool,
    },
    /// An enum; a `Flag` (`flag`) takes any combination of its members.
    Enum {
        members: Vec<EnumMember>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        flag: bool,
        /// `int` for an `IntEnum` or `IntFlag`, `str` for a `StrEnum` (its
        /// members are also ints or strs), else absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mixin: Option<String>,
    },
    /// A `typing.NamedTuple`: it travels as an object of its fields.
    NamedTuple { fields: Vec<Field> },
    /// A `TypedDict`: a dict with these keys; a key with a default (of
    /// JSON `null`) is `NotRequired` and may be left out.
    TypedDict { fields: Vec<Field> },
    /// An exception class; `fields` are the attributes its `__init__` takes.
    Exception { base: String, fields: Vec<Field> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: TypeRef,
    #[serde(default)]
    pub default: Option<Default>,
    /// A pydantic field's alias: the JSON call API takes it for the field's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// JSON Schema keywords of the checks a pydantic field adds
    /// (`minimum`, `maxLength`, `pattern`...), for OpenAPI; the model
    /// itself applies them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraints: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnumMember {
    pub name: String,
    /// The member's value: an int or a string (or another JSON scalar).
    pub value: serde_json::Value,
}

impl Interface {
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    pub fn method(&self, service: &str, method: &str) -> Option<&Method> {
        self.service(service)?
            .methods
            .iter()
            .find(|m| m.name == method)
    }

    pub fn type_def(&self, name: &str) -> Option<&TypeDef> {
        self.types.iter().find(|t| t.name == name)
    }
}
