use serde_json::json;

use super::*;

/// An interface of one service `Shop` with these methods and types.
fn shop(methods: serde_json::Value, types: serde_json::Value) -> Interface {
    serde_json::from_value(json!({
        "services": [{"name": "Shop", "kind": "class", "module": "shop", "file": "shop.py",
                      "methods": methods}],
        "types": types,
    }))
    .unwrap()
}

fn method(name: &str, params: serde_json::Value, returns: &str) -> serde_json::Value {
    json!({"name": name, "kind": "static", "is_async": false, "params": params,
           "returns": {"kind": returns}})
}

fn param(name: &str, ty: &str, default: Option<i64>) -> serde_json::Value {
    let default = default.map(|d| json!({"json": d, "python": d.to_string()}));
    json!({"name": name, "kind": "positional_or_keyword", "type": {"kind": ty}, "default": default})
}

fn kinds(old: &Interface, new: &Interface) -> Vec<(Kind, String)> {
    diff(old, new)
        .into_iter()
        .map(|c| (c.kind, format!("{}: {}", c.subject, c.what)))
        .collect()
}

#[test]
fn the_same_interface_has_no_changes() {
    let a = shop(
        json!([method("buy", json!([param("n", "int", None)]), "int")]),
        json!([]),
    );
    assert!(diff(&a, &a).is_empty());
    assert_eq!(largest(&diff(&a, &a)), None);
}

#[test]
fn methods_added_and_removed() {
    let one = shop(json!([method("buy", json!([]), "int")]), json!([]));
    let two = shop(
        json!([
            method("buy", json!([]), "int"),
            method("sell", json!([]), "int")
        ]),
        json!([]),
    );
    assert_eq!(
        kinds(&one, &two),
        [(Kind::Addition, "Shop.sell: method added".into())]
    );
    assert_eq!(
        kinds(&two, &one),
        [(Kind::Breaking, "Shop.sell: method removed".into())]
    );
    assert_eq!(largest(&diff(&two, &one)), Some(Kind::Breaking));
}

#[test]
fn parameters() {
    let m = |params| shop(json!([method("buy", params, "int")]), json!([]));
    let base = m(json!([param("n", "int", None)]));
    let cases = [
        (
            json!([param("n", "int", None), param("gift", "bool", Some(0))]),
            Kind::Addition,
            "new optional parameter `gift`",
        ),
        (
            json!([param("n", "int", None), param("gift", "bool", None)]),
            Kind::Breaking,
            "new required parameter `gift`",
        ),
        (
            json!([param("count", "int", None)]),
            Kind::Breaking,
            "parameter `n` removed",
        ),
        (
            json!([param("n", "str", None)]),
            Kind::Breaking,
            "parameter `n`: type int changed to str",
        ),
        (
            json!([param("n", "int", Some(1))]),
            Kind::Addition,
            "parameter `n` made optional",
        ),
    ];
    for (params, kind, what) in cases {
        let found = kinds(&base, &m(params));
        assert_eq!(found[0], (kind, format!("Shop.buy: {what}")), "{found:?}");
    }
    let with_default = m(json!([param("n", "int", Some(1))]));
    assert_eq!(
        kinds(&with_default, &base)[0].0,
        Kind::Breaking,
        "made required"
    );
    let other_default = m(json!([param("n", "int", Some(2))]));
    assert_eq!(
        kinds(&with_default, &other_default),
        [(
            Kind::Other,
            "Shop.buy: parameter `n`: default changed".into()
        )]
    );
}

#[test]
fn returns_kind_and_docs() {
    let a = shop(json!([method("buy", json!([]), "int")]), json!([]));
    let b = shop(json!([method("buy", json!([]), "str")]), json!([]));
    assert_eq!(
        kinds(&a, &b),
        [(
            Kind::Breaking,
            "Shop.buy: return type int changed to str".into()
        )]
    );
    let mut c = a.clone();
    c.services[0].methods[0].kind = MethodKind::Instance;
    c.services[0].methods[0].doc = Some("Buys.".into());
    let found = kinds(&a, &c);
    assert_eq!(
        found[0],
        (
            Kind::Breaking,
            "Shop.buy: static changed to instance".into()
        )
    );
    assert_eq!(found[1], (Kind::Other, "Shop.buy: doc changed".into()));
}

#[test]
fn fields_and_enum_members() {
    let item = |fields: serde_json::Value| {
        let color = json!({"name": "Color", "module": "shop", "kind": "enum",
                           "members": [{"name": "RED", "value": 1}]});
        let item = json!({"name": "Item", "module": "shop", "kind": "dataclass", "fields": fields});
        shop(
            json!([method("get", json!([]), "int")]),
            json!([item, color]),
        )
    };
    let f = |name: &str, ty: &str, default: Option<i64>| param(name, ty, default);
    let old = item(json!([f("sku", "str", None)]));
    let added = item(json!([f("sku", "str", None), f("qty", "int", Some(1))]));
    assert_eq!(
        kinds(&old, &added),
        [(
            Kind::Addition,
            "type Item: new field `qty` with a default".into()
        )]
    );
    let required = item(json!([f("sku", "str", None), f("qty", "int", None)]));
    assert_eq!(kinds(&old, &required)[0].0, Kind::Breaking);
    let retyped = item(json!([f("sku", "int", None)]));
    assert_eq!(
        kinds(&old, &retyped),
        [(
            Kind::Breaking,
            "type Item: field `sku`: type str changed to int".into()
        )]
    );
    let mut more = old.clone();
    if let crate::TypeDefKind::Enum { members, .. } = &mut more.types[1].kind {
        members.push(crate::EnumMember {
            name: "BLUE".into(),
            value: json!(2),
        });
    }
    assert_eq!(
        kinds(&old, &more),
        [(Kind::Addition, "type Color: member BLUE added".into())]
    );
    assert_eq!(kinds(&more, &old)[0].0, Kind::Breaking);
}

#[test]
fn a_methods_changes_include_the_types_it_uses() {
    let item = |ty: &str| {
        json!([{"name": "Item", "module": "shop", "kind": "dataclass",
        "fields": [param("sku", ty, None)]}])
    };
    let methods = json!([method("buy", json!([]), "int"),
        {"name": "get", "kind": "static", "is_async": false, "params": [],
         "returns": {"kind": "named", "name": "Item"}}]);
    let (old, new) = (
        shop(methods.clone(), item("str")),
        shop(methods, item("int")),
    );
    assert_eq!(method_changes(&old, &new, "Shop", "get").len(), 1);
    assert!(method_changes(&old, &new, "Shop", "buy").is_empty());
}

#[test]
fn a_slice_holds_the_service_and_what_it_uses() {
    let iface: Interface = serde_json::from_value(json!({
        "services": [
            {"name": "Shop", "kind": "class", "module": "shop", "file": "shop.py", "methods": [
                {"name": "cart", "kind": "static", "is_async": false, "params": [],
                 "returns": {"kind": "object", "service": "Cart"}}]},
            {"name": "Cart", "kind": "class", "module": "shop", "file": "shop.py", "methods": [
                {"name": "total", "kind": "instance", "is_async": false, "params": [],
                 "returns": {"kind": "named", "name": "Money"}}], "constructor": []},
            {"name": "Other", "kind": "module", "module": "o", "file": "o.py", "methods": []}],
        "types": [
            {"name": "Money", "module": "shop", "kind": "dataclass", "fields": [
                {"name": "unit", "type": {"kind": "named", "name": "Currency"}}]},
            {"name": "Currency", "module": "shop", "kind": "enum", "members": []},
            {"name": "Unused", "module": "shop", "kind": "dataclass", "fields": []}],
    }))
    .unwrap();
    let shop = slice(&iface, "Shop").unwrap();
    let names: Vec<&str> = shop.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Shop", "Cart"]);
    let types: Vec<&str> = shop.types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        types,
        ["Money", "Currency"],
        "and the types their fields name"
    );
    assert_eq!(slice(&iface, "Other").unwrap().services.len(), 1);
    assert!(slice(&iface, "Nope").is_none());
}

/// `Shop` with one static method `buy` and a constructor taking `params`.
fn with_constructor(params: Option<serde_json::Value>) -> Interface {
    let mut iface = shop(json!([method("buy", json!([]), "int")]), json!([]));
    iface.services[0].constructor = params.map(|p| serde_json::from_value(p).unwrap());
    iface
}

#[test]
fn a_changed_constructor_is_breaking_and_touches_only_constructing() {
    let old = with_constructor(Some(json!([
        param("owner", "str", None),
        param("limit", "int", Some(10)),
        param("gone", "int", Some(0))
    ])));
    let new = with_constructor(Some(json!([
        param("owner", "int", None),
        param("limit", "int", None)
    ])));
    let breaking = [
        "Shop.__init__: parameter `owner`: type str changed to int",
        "Shop.__init__: parameter `limit` made required",
        "Shop.__init__: parameter `gone` removed",
    ];
    let found = kinds(&old, &new);
    for what in breaking {
        assert!(found.contains(&(Kind::Breaking, what.into())), "{found:?}");
    }
    assert_eq!(largest(&diff(&old, &new)), Some(Kind::Breaking));
    assert_eq!(method_changes(&old, &new, "Shop", CONSTRUCTOR).len(), 3);
    assert!(method_changes(&old, &new, "Shop", "buy").is_empty());
    let none = with_constructor(None);
    assert_eq!(
        kinds(&old, &none),
        [(Kind::Breaking, "Shop.__init__: constructor removed".into())]
    );
    assert!(method_changes(&old, &none, "Shop", "buy").is_empty());
    assert_eq!(
        kinds(&none, &old),
        [(Kind::Addition, "Shop.__init__: constructor added".into())]
    );
}
