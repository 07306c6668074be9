use graft_model::{Interface, Method, MethodKind, Param, ParamKind, Service, ServiceKind, TypeRef};
use serde_json::json;

use crate::openapi;

fn method(name: &str, kind: MethodKind, params: Vec<Param>, returns: TypeRef) -> Method {
    Method {
        name: name.into(),
        kind,
        is_async: false,
        doc: None,
        params,
        returns,
        streams: false,
        unavailable: None,
        idempotent: false,
    }
}

fn param(name: &str, ty: TypeRef) -> Param {
    Param {
        name: name.into(),
        kind: ParamKind::PositionalOrKeyword,
        ty,
        default: None,
    }
}

fn carts() -> Interface {
    let cart = TypeRef::Object {
        service: "Cart".into(),
    };
    Interface {
        project: None,
        services: vec![Service {
            name: "Cart".into(),
            kind: ServiceKind::Class,
            module: "carts".into(),
            file: "carts.py".into(),
            doc: Some("A cart.".into()),
            methods: vec![
                method("total", MethodKind::Instance, vec![], TypeRef::Float),
                method(
                    "open",
                    MethodKind::Static,
                    vec![param("owner", TypeRef::Str)],
                    cart.clone(),
                ),
                method(
                    "merge",
                    MethodKind::Static,
                    vec![param("other", cart)],
                    TypeRef::Int,
                ),
            ],
            exceptions: vec![],
            constructor: Some(vec![param("owner", TypeRef::Str)]),
        }],
        types: vec![],
    }
}

#[test]
fn a_class_with_a_constructor_has_object_routes_and_no_static_route_for_its_methods() {
    let doc = openapi(&carts());
    let paths = doc["paths"].as_object().unwrap();
    let mut names: Vec<&str> = paths.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "/call/Cart/merge",
            "/call/Cart/open",
            "/objects/Cart",
            "/objects/Cart/{id}",
            "/objects/Cart/{id}/total",
        ]
    );
    let make = &paths["/objects/Cart"]["post"];
    assert_eq!(make["operationId"], "Cart.new");
    assert_eq!(
        make["responses"]["201"]["content"]["application/json"]["schema"]["required"],
        json!(["id"])
    );
    assert!(make["responses"].get("200").is_none());
    let body = &make["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(body["required"], json!(["owner"]));
    let total = &paths["/objects/Cart/{id}/total"]["post"];
    assert_eq!(total["parameters"][0]["name"], "id");
    assert_eq!(total["parameters"][0]["in"], "path");
    assert_eq!(
        total["responses"]["200"]["content"]["application/json"]["schema"]["type"],
        "number"
    );
    let release = &paths["/objects/Cart/{id}"]["delete"];
    assert!(release["responses"]["204"].is_object() && release["responses"]["404"].is_object());
}

#[test]
fn an_object_reference_is_an_object_with_an_id() {
    let doc = openapi(&carts());
    let open = &doc["paths"]["/call/Cart/open"]["post"]["responses"]["200"];
    let schema = &open["content"]["application/json"]["schema"];
    assert_eq!(schema["properties"]["service"], json!({ "const": "Cart" }));
    assert_eq!(schema["required"], json!(["id"]));
}
