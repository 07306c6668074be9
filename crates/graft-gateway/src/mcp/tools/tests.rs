use serde_json::json;

use super::*;

/// A class service with a method returning a dataclass that nests another,
/// one returning an int, a stream, an instance method and an unavailable one.
fn iface() -> Interface {
    let point = json!({"kind": "named", "name": "Point"});
    let method = |name: &str, kind: &str, returns: Json| {
        json!({"name": name, "kind": kind, "is_async": false, "doc": format!("Doc of {name}."),
               "params": [{"name": "p", "kind": "positional_or_keyword", "type": point}],
               "returns": returns})
    };
    let mut stream = method("walk", "static", json!({"kind": "int"}));
    stream["streams"] = json!(true);
    let mut broken = method("broken", "static", json!({"kind": "int"}));
    broken["unavailable"] = json!("parameter `x`: no Graft form");
    let field = |name: &str, ty: Json| json!({"name": name, "type": ty});
    serde_json::from_value(json!({
        "services": [{
            "name": "Geo", "kind": "class", "module": "geo", "file": "geo.py",
            "methods": [
                method("shape", "static", json!({"kind": "named", "name": "Shape"})),
                method("count", "class", json!({"kind": "int"})),
                stream,
                broken,
                method("move", "instance", json!({"kind": "none"})),
            ],
        }],
        "types": [
            {"name": "Point", "module": "geo", "kind": "dataclass",
             "fields": [field("x", json!({"kind": "float"}))]},
            {"name": "Shape", "module": "geo", "kind": "dataclass",
             "fields": [field("corners", json!({"kind": "list", "item": point}))]},
            {"name": "Unused", "module": "geo", "kind": "dataclass", "fields": []},
        ],
    }))
    .unwrap()
}

#[test]
fn lists_static_class_and_stream_methods_only() {
    let tools = list(&iface());
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Geo.shape", "Geo.count", "Geo.walk"]);
    assert_eq!(tools[0]["description"], "Doc of shape.");
    assert!(
        tools[2]["description"]
            .as_str()
            .unwrap()
            .contains("10000 items")
    );
}

#[test]
fn schemas_are_self_contained_and_closed() {
    let tools = list(&iface());
    let input = &tools[0]["inputSchema"];
    assert_eq!(input["additionalProperties"], json!(false));
    assert_eq!(input["required"], json!(["p"]));
    assert_eq!(input["properties"]["p"]["$ref"], "#/$defs/Point");
    assert_eq!(input["$defs"]["Point"]["properties"]["x"]["type"], "number");
    // A dataclass result is the structured content itself; its nested type comes along.
    let output = &tools[0]["outputSchema"];
    assert_eq!(output["$ref"], "#/$defs/Shape");
    assert_eq!(output["type"], "object");
    let corners = &output["$defs"]["Shape"]["properties"]["corners"]["items"];
    assert_eq!(corners["$ref"], "#/$defs/Point");
    assert!(output["$defs"].get("Point").is_some());
    assert!(output["$defs"].get("Unused").is_none());
    assert!(
        !Json::Array(tools.clone())
            .to_string()
            .contains("#/components/")
    );
}

#[test]
fn wraps_values_that_are_not_objects() {
    let tools = list(&iface());
    let count = &tools[1]["outputSchema"];
    assert_eq!(count["required"], json!(["result"]));
    assert_eq!(count["properties"]["result"]["type"], "integer");
    let walk = &tools[2]["outputSchema"];
    assert_eq!(walk["required"], json!(["items", "truncated"]));
    assert_eq!(walk["properties"]["items"]["items"]["type"], "integer");
}

#[test]
fn splits_names_at_the_last_dot() {
    assert_eq!(split_name("Geo.shape"), Some(("Geo", "shape")));
    assert_eq!(split_name("pkg.mod.f"), Some(("pkg.mod", "f")));
    assert_eq!(split_name("nodot"), None);
    assert_eq!(split_name("Geo."), None);
}
