use graft_model::{MethodKind, ParamKind, ServiceKind, TypeDefKind, TypeRef};
use graft_python::{Host, HostError};
use serde_json::json;

use crate::{catalog, fixture};

mod published;

fn t(json: serde_json::Value) -> TypeRef {
    serde_json::from_value(json).unwrap()
}

#[test]
fn finds_public_classes_and_module_functions_only() {
    let iface = catalog().interface();
    let names: Vec<&str> = iface.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["Catalog", "catalog"],
        "no imported, private or data classes"
    );
    let catalog = iface.service("Catalog").unwrap();
    assert_eq!(catalog.kind, ServiceKind::Class);
    assert_eq!(catalog.doc.as_deref(), Some("Looks things up."));
    assert_eq!(catalog.exceptions, ["OutOfStock"]);
    let methods: Vec<&str> = catalog.methods.iter().map(|m| m.name.as_str()).collect();
    assert!(
        methods.contains(&"scalars") && methods.contains(&"name") && methods.contains(&"later")
    );
    assert!(!methods.iter().any(|m| m.starts_with('_')), "{methods:?}");
    // An instance method makes the class a service with a constructor (here `object`'s, no parameters).
    let instance = iface.method("Catalog", "instance_method").unwrap();
    assert_eq!(instance.kind, MethodKind::Instance);
    assert!(instance.params.is_empty(), "no self: {:?}", instance.params);
    assert_eq!(catalog.constructor.as_deref(), Some(&[][..]));
    let module = iface.service("catalog").unwrap();
    assert_eq!(module.kind, ServiceKind::Module);
    let funcs: Vec<&str> = module.methods.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(funcs, ["top_level", "top_async"]);
}

#[test]
fn describes_scalars_from_string_annotations() {
    let m = catalog().interface().method("Catalog", "scalars").unwrap();
    let types: Vec<TypeRef> = m.params.iter().map(|p| p.ty.clone()).collect();
    assert_eq!(
        types,
        [
            TypeRef::Int,
            TypeRef::Float,
            TypeRef::Bool,
            TypeRef::Str,
            TypeRef::Bytes,
            TypeRef::None
        ]
    );
    assert_eq!(m.kind, MethodKind::Static);
    assert_eq!(m.doc.as_deref(), Some("Echoes the scalars."));
    assert_eq!(
        m.params[5].default.as_ref().unwrap().python.as_deref(),
        Some("None")
    );
    assert_eq!(m.returns.python(), "tuple[int, float, bool, str, bytes]");
}

#[test]
fn describes_optional_union_and_containers() {
    let iface = catalog().interface();
    let opt = iface.method("Catalog", "optional").unwrap();
    assert_eq!(
        opt.params[0].ty,
        t(json!({"kind": "optional", "inner": {"kind": "int"}}))
    );
    assert_eq!(opt.params[1].ty.python(), "Union[int, str]");
    assert_eq!(opt.params[2].ty.python(), "Optional[int]");
    assert_eq!(opt.returns.python(), "Optional[str]");
    let c = iface.method("Catalog", "containers").unwrap();
    let shown: Vec<String> = c.params.iter().map(|p| p.ty.python()).collect();
    assert_eq!(
        shown,
        [
            "list[int]",
            "set[str]",
            "dict[str, float]",
            "tuple[int, ...]",
            "dict[int, Item]"
        ]
    );
    assert_eq!(c.returns, TypeRef::Any);
    let when = iface.method("Catalog", "when").unwrap();
    assert_eq!(when.params[0].ty, TypeRef::DateTime);
    assert_eq!(when.params[1].ty, TypeRef::Date);
}

#[test]
fn describes_dataclasses_enums_and_exceptions() {
    let iface = catalog().interface();
    let item = iface.type_def("Item").unwrap();
    let TypeDefKind::Dataclass { fields, .. } = &item.kind else {
        panic!("Item is a dataclass: {item:?}")
    };
    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["sku", "qty", "color", "tags"]);
    assert_eq!(
        fields[2].default.as_ref().unwrap().python.as_deref(),
        Some("Color.RED")
    );
    assert_eq!(
        fields[3].default.as_ref().unwrap().python.as_deref(),
        Some("field(default_factory=list)")
    );
    let docs: Vec<Option<&str>> = ["Item", "Color", "OutOfStock"]
        .iter()
        .map(|n| iface.type_def(n).unwrap().doc.as_deref())
        .collect();
    assert_eq!(
        docs,
        [None, None, None],
        "no docstrings invented or inherited from dataclass, Enum or Exception"
    );
    let TypeDefKind::Enum { members, .. } = &iface.type_def("Size").unwrap().kind else {
        panic!()
    };
    assert_eq!(members[0].value, json!("s"));
    let TypeDefKind::Exception { base, fields } = &iface.type_def("OutOfStock").unwrap().kind
    else {
        panic!()
    };
    assert_eq!(base, "Exception");
    assert_eq!(
        fields.iter().map(|f| f.ty.clone()).collect::<Vec<_>>(),
        [TypeRef::Str, TypeRef::Int]
    );
}

#[test]
fn describes_async_classmethods_and_parameter_kinds() {
    let iface = catalog().interface();
    assert!(iface.method("Catalog", "later").unwrap().is_async);
    assert!(!iface.method("Catalog", "blocking").unwrap().is_async);
    assert!(iface.method("catalog", "top_async").unwrap().is_async);
    let name = iface.method("Catalog", "name").unwrap();
    assert_eq!(name.kind, MethodKind::Class);
    assert_eq!(name.params.len(), 1, "cls is not a parameter");
    let top = iface.method("catalog", "top_level").unwrap();
    assert_eq!(top.params[1].kind, ParamKind::KeywordOnly);
    let untyped = iface.method("Catalog", "untyped").unwrap();
    assert_eq!(untyped.params[0].ty, TypeRef::Any);
    assert_eq!(untyped.params[1].default.as_ref().unwrap().json, json!(2));
}

#[test]
fn finds_the_project_version_above_the_modules() {
    // tests/fixtures has no pyproject.toml, but the crate folder above it does not either;
    // the workspace root has none with a [project] table, so there is no project.
    assert!(catalog().interface().project.is_none());
}

#[test]
fn a_package_is_its_init_not_its_submodules() {
    // shop/__init__.py defines nothing and has no __all__; Cart is in shop/cart.py.
    let host = Host::start(&[fixture("pkg_case/shop")]).unwrap();
    assert!(
        host.interface().services.is_empty(),
        "{:?}",
        host.interface().services
    );
}

#[test]
fn an_import_failure_names_the_file_and_the_error() {
    let Err(err) = Host::start(&[fixture("broken/bad.py")]) else {
        panic!("the broken module loaded")
    };
    let HostError::Import { file, error } = &err else {
        panic!("not an import error: {err}")
    };
    assert!(file.ends_with("broken/bad.py"), "{file}");
    assert!(
        error.contains("ModuleNotFoundError: No module named 'this_module_does_not_exist'"),
        "{error}"
    );
}
