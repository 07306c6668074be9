//! The named types from JSON: an enum member (by value or by name), a
//! dataclass, NamedTuple or exception as an object of its fields, a
//! NamedTuple also as an array, a `TypedDict` as a dict.

use serde_json::{Map, Value as Json};

use super::{Converter, any};
use crate::interface::{EnumMember, Field, TypeDefKind};
use crate::json::{TypeError, flag_value, mismatch};
use crate::path::Path;
use crate::value::{Name, Value};

impl Converter<'_> {
    /// A value of the named type `name`, as its kind reads JSON.
    pub(super) fn named(
        &self,
        json: &Json,
        name: &str,
        path: &Path<'_>,
    ) -> Result<Value, TypeError> {
        let Some(def) = self.iface.type_def(name) else {
            return Err(mismatch(path, format!("{name} (an unknown type)"), json));
        };
        match (&def.kind, json) {
            (TypeDefKind::Enum { members, flag, .. }, _) => {
                member(json, members, *flag, name, path)
            }
            (
                TypeDefKind::Dataclass { fields, .. }
                | TypeDefKind::NamedTuple { fields }
                | TypeDefKind::Exception { fields, .. },
                Json::Object(o),
            ) => Ok(Value::Object {
                type_name: name.into(),
                fields: self.fields(o, fields, name, path)?,
            }),
            // A NamedTuple is a tuple too: its fields by position, as pydantic takes it.
            (TypeDefKind::NamedTuple { fields }, Json::Array(a)) if a.len() <= fields.len() => {
                self.named_tuple(a, fields, name, path)
            }
            (TypeDefKind::TypedDict { fields }, Json::Object(o)) => Ok(Value::Dict(
                self.fields(o, fields, name, path)?
                    .into_iter()
                    .map(|(k, v)| (Value::Str(k.to_string()), v))
                    .collect(),
            )),
            _ => Err(mismatch(path, format!("{name} (a JSON object)"), json)),
        }
    }

    /// A NamedTuple's fields given by position, as the object of them.
    fn named_tuple(
        &self,
        a: &[Json],
        fields: &[Field],
        name: &str,
        path: &Path<'_>,
    ) -> Result<Value, TypeError> {
        let names = fields.iter().map(|f| f.name.clone());
        let o: Map<String, Json> = names.zip(a.iter().cloned()).collect();
        Ok(Value::Object {
            type_name: name.into(),
            fields: self.fields(&o, fields, name, path)?,
        })
    }

    /// The fields of an object of `name`, each converted to its declared
    /// type and found by its name or alias; a field not declared, or one
    /// without a default not given, is an error.
    fn fields(
        &self,
        o: &Map<String, Json>,
        fields: &[Field],
        name: &str,
        path: &Path<'_>,
    ) -> Result<Vec<(Name, Value)>, TypeError> {
        known_fields(o, fields, name, path)?;
        let mut out = Vec::with_capacity(fields.len());
        for field in fields {
            let field_path = Path::Field(path, &field.name);
            let given = o.get(&field.name);
            match given.or_else(|| o.get(field.alias.as_deref()?)) {
                Some(j) => out.push((
                    field.name.as_str().into(),
                    self.convert(j, &field.ty, &field_path)?,
                )),
                None if field.default.is_some() => {}
                None => {
                    let path = field_path.to_string();
                    return Err(TypeError {
                        path,
                        expected: field.ty.python(),
                        found: "nothing (the field is required)".into(),
                    });
                }
            }
        }
        Ok(out)
    }
}

/// Refuses the first key of `o` that is neither a field's name nor its alias.
fn known_fields(
    o: &Map<String, Json>,
    fields: &[Field],
    name: &str,
    path: &Path<'_>,
) -> Result<(), TypeError> {
    let known = |k: &str| {
        fields
            .iter()
            .any(|f| f.name == k || f.alias.as_deref() == Some(k))
    };
    match o.keys().find(|k| !known(k)) {
        Some(unknown) => Err(TypeError {
            path: Path::Field(path, unknown).to_string(),
            expected: format!("no such field in {name}"),
            found: o[unknown].to_string(),
        }),
        None => Ok(()),
    }
}

/// The member of enum `name` that `json` is (its value, or its name), or
/// for a `Flag` a combination of members.
fn member(
    json: &Json,
    members: &[EnumMember],
    flag: bool,
    name: &str,
    path: &Path<'_>,
) -> Result<Value, TypeError> {
    members
        .iter()
        .find(|m| &m.value == json)
        .or_else(|| {
            members
                .iter()
                .find(|m| json.as_str() == Some(m.name.as_str()))
        })
        .map(|m| any(&m.value))
        .or_else(|| flag_value(members, flag, json).map(Value::Int))
        .map(|value| Value::Enum {
            type_name: name.into(),
            value: Box::new(value),
        })
        .ok_or_else(|| {
            let values: Vec<String> = members.iter().map(|m| m.value.to_string()).collect();
            let any = if flag { "a combination of " } else { "one of " };
            mismatch(path, format!("{name}, {any}{}", values.join(", ")), json)
        })
}
