//! Modules and packages as they are published: `__all__`, packages as one
//! service, annotations as a type checker reads them, inherited methods, and
//! pydantic models (fixtures in `tests/fixtures/published/`).

use std::sync::Arc;

use graft_model::{Interface, TypeDefKind, TypeRef};
use graft_python::Host;

use crate::fixture;

fn host(paths: &[&str]) -> Arc<Host> {
    let paths: Vec<_> = paths
        .iter()
        .map(|p| fixture(&format!("published/{p}")))
        .collect();
    Host::start(&paths).expect("the published fixtures load")
}

fn services(iface: &Interface) -> Vec<&str> {
    iface.services.iter().map(|s| s.name.as_str()).collect()
}

fn methods<'a>(iface: &'a Interface, service: &str) -> Vec<&'a str> {
    let service = iface.service(service).expect("the service exists");
    service.methods.iter().map(|m| m.name.as_str()).collect()
}

/// Each parameter's type as Python spells it, then the return type.
fn signature(iface: &Interface, service: &str, method: &str) -> Vec<String> {
    let m = iface.method(service, method).expect("the method exists");
    let mut shown: Vec<String> = m.params.iter().map(|p| p.ty.python()).collect();
    shown.push(m.returns.python());
    shown
}

#[test]
fn a_module_with_all_publishes_what_it_names_re_exports_included() {
    let host = host(&["pub_listed.py"]);
    let iface = host.interface();
    assert_eq!(services(iface), ["Remote", "pub_listed"]);
    assert_eq!(methods(iface, "pub_listed"), ["in_all", "helper"]);
    let remote = iface.service("Remote").unwrap();
    assert_eq!(remote.module, "pub_listed", "called where it is published");
    assert_eq!(methods(iface, "Remote"), ["ping"]);
}

#[test]
fn a_class_published_by_two_hosted_modules_is_one_service() {
    let host = host(&["pub_listed.py", "pub_impl.py"]);
    let iface = host.interface();
    assert_eq!(services(iface), ["Remote", "pub_listed", "pub_impl"]);
    assert_eq!(iface.service("Remote").unwrap().module, "pub_listed");
}

#[test]
fn a_package_is_one_service_named_after_it_from_its_all() {
    let host = host(&["pub_parcel"]);
    let iface = host.interface();
    assert_eq!(
        services(iface),
        ["Scale", "pub_parcel"],
        "no service per submodule"
    );
    assert_eq!(
        methods(iface, "Scale"),
        ["zero", "tare"],
        "a base in the package is hosted"
    );
    let parcel = iface.service("pub_parcel").unwrap();
    assert_eq!(parcel.module, "pub_parcel");
    assert_eq!(methods(iface, "pub_parcel"), ["weigh"]);
    assert_eq!(parcel.exceptions, ["TooHeavy"]);
    assert_eq!(
        signature(iface, "pub_parcel", "weigh"),
        ["float", "Unit", "str"]
    );
    assert!(matches!(
        iface.type_def("Unit").unwrap().kind,
        TypeDefKind::Enum { .. }
    ));
}

#[test]
fn a_package_without_all_publishes_what_its_init_defines() {
    let host = host(&["pub_crate"]);
    let iface = host.interface();
    assert_eq!(services(iface), ["pub_crate"]);
    assert_eq!(
        methods(iface, "pub_crate"),
        ["pack"],
        "not the imported unpack"
    );
}

#[test]
fn annotations_under_type_checking_and_aliases_resolve() {
    let host = host(&["pub_checking.py"]);
    let iface = host.interface();
    assert_eq!(
        signature(iface, "Checked", "guarded"),
        ["Union[float, str]", "date", "list[Point]", "Point"]
    );
    let point = iface
        .type_def("Point")
        .expect("Point, imported under TYPE_CHECKING");
    assert_eq!(point.module, "pub_shapes");
    assert_eq!(
        signature(iface, "Checked", "aliases"),
        ["Union[int, str]", "Optional[str]", "list[Union[int, str]]"]
    );
}

#[test]
fn string_annotations_resolve_and_one_bad_annotation_spoils_only_itself() {
    let host = host(&["pub_checking.py"]);
    let iface = host.interface();
    assert_eq!(
        signature(iface, "Checked", "quoted"),
        ["Point", "Later", "Optional[Later]"]
    );
    let TypeDefKind::Dataclass { fields, .. } = &iface.type_def("Later").unwrap().kind else {
        panic!("Later is a dataclass")
    };
    assert_eq!(fields[0].ty.python(), "Optional[datetime]");
    let partly = iface.method("Checked", "partly").unwrap();
    assert_eq!(partly.params[0].ty, TypeRef::Int);
    assert_eq!(
        partly.params[1].ty,
        TypeRef::Any,
        "NoSuchName is not defined"
    );
    assert_eq!(partly.returns, TypeRef::Str);
}

#[test]
fn methods_inherited_from_library_classes_are_not_exposed() {
    let host = host(&["pub_inherits.py", "pub_audit.py"]);
    let iface = host.interface();
    let mut store = methods(iface, "Store");
    store.sort_unstable();
    assert_eq!(
        store,
        ["audit", "kind", "own", "shared"],
        "hosted bases' methods, not pub_toolkit.Tool's (abc, Generic)"
    );
    assert_eq!(methods(iface, "Shape"), ["sides"]);
}

#[test]
fn a_pydantic_model_is_not_a_service() {
    let host = host(&["pub_models.py"]);
    assert_eq!(services(host.interface()), ["Orders"]);
}
