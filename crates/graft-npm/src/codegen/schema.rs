//! The schema baked into `index.js`: each method's parameters and result,
//! and each named type's fields or members, as the model's own `TypeRef`
//! JSON, so the runtime converts values by the hosted types.

use graft_model::{Interface, Method, Param, ParamKind, Service, TypeDef, TypeDefKind, TypeRef};
use serde_json::{Map, Value, json};

/// The schema of `services` and `defs`, as compact JSON.
pub fn schema(_iface: &Interface, services: &[Service], defs: &[&TypeDef]) -> String {
    let mut methods = Map::new();
    for s in services {
        if let Some(ctor) = &s.constructor {
            let init = json!({"params": params(ctor), "returns": TypeRef::Object { service: s.name.clone() }});
            methods.insert(format!("{}.__init__", s.name), init);
        }
        for m in &s.methods {
            methods.insert(format!("{}.{}", s.name, m.name), method(m));
        }
    }
    let types: Map<String, Value> = defs.iter().map(|d| (d.name.clone(), type_def(d))).collect();
    json!({"types": types, "methods": methods}).to_string()
}

fn method(m: &Method) -> Value {
    let mut v = json!({"params": params(&m.params), "returns": m.returns});
    if m.streams {
        v["streams"] = Value::Bool(true);
    }
    if m.idempotent {
        // A graft may retry it on another replica after a lost connection or a timeout.
        v["idempotent"] = Value::Bool(true);
    }
    v
}

fn params(ps: &[Param]) -> Vec<Value> {
    ps.iter()
        .filter(|p| !matches!(p.kind, ParamKind::VarPositional | ParamKind::VarKeyword))
        .map(|p| match p.kind {
            ParamKind::PositionalOnly => json!({"name": p.name, "type": p.ty, "positional": true}),
            _ => json!({"name": p.name, "type": p.ty}),
        })
        .collect()
}

fn type_def(d: &TypeDef) -> Value {
    let fields = |fs: &[graft_model::Field]| -> Vec<Value> {
        fs.iter()
            .map(|f| json!({"name": f.name, "type": f.ty, "optional": f.default.is_some()}))
            .collect()
    };
    match &d.kind {
        TypeDefKind::Enum { members, flag, .. } => {
            let members: Vec<Value> = members.iter().map(|m| json!([m.name, m.value])).collect();
            json!({"kind": "enum", "members": members, "flag": flag})
        }
        TypeDefKind::Dataclass { fields: fs, .. } => {
            json!({"kind": "dataclass", "fields": fields(fs)})
        }
        TypeDefKind::NamedTuple { fields: fs } => {
            json!({"kind": "named_tuple", "fields": fields(fs)})
        }
        TypeDefKind::TypedDict { fields: fs } => {
            json!({"kind": "typed_dict", "fields": fields(fs)})
        }
        TypeDefKind::Exception { fields: fs, .. } => {
            json!({"kind": "exception", "fields": fields(fs)})
        }
    }
}
