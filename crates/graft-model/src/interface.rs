//! Services, methods, parameters and named types, as discovery finds them.
//!
//! The types that parameters, fields and returns name are in `type_ref.rs`
//! ([`TypeRef`]), the named types an interface lists in `type_def.rs`
//! ([`TypeDef`]).

use serde::{Deserialize, Serialize};

mod type_def;
mod type_ref;

pub use type_def::{EnumMember, Field, TypeDef, TypeDefKind};
pub use type_ref::TypeRef;

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
