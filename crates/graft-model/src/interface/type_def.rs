//! [`TypeDef`]: the named types (dataclasses, enums, exceptions...) an
//! interface lists.

use serde::{Deserialize, Serialize};

use super::{Default, TypeRef};

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
