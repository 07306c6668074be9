//! Classes of remote objects: a hosted class with a constructor, and a
//! factory in another service returning one of its objects.

use graft_model::Interface;
use graft_pypi::codegen::init_py;
use serde_json::json;

use crate::service;

fn param(
    name: &str,
    ty: serde_json::Value,
    default: Option<(&str, serde_json::Value)>,
) -> serde_json::Value {
    let default = default.map(|(py, js)| json!({"json": js, "python": py}));
    json!({"name": name, "kind": "positional_or_keyword", "type": ty, "default": default})
}

fn method(
    name: &str,
    kind: &str,
    params: serde_json::Value,
    returns: serde_json::Value,
) -> serde_json::Value {
    json!({"name": name, "kind": kind, "is_async": false, "doc": null, "params": params, "returns": returns})
}

/// `carts.Cart` (constructor, instance methods, a streaming one, `close`,
/// a static factory) and `carts.Shop` (static methods taking and returning carts).
fn carts() -> Interface {
    let cart = json!({"kind": "object", "service": "Cart"});
    let line = json!({"kind": "named", "name": "Line"});
    let mut count = method(
        "count",
        "instance",
        json!([param("k", json!({"kind": "int"}), None)]),
        json!({"kind": "int"}),
    );
    count["streams"] = json!(true);
    let iface = json!({
        "services": [
            {"name": "Cart", "kind": "class", "module": "carts", "file": "carts.py", "doc": "A cart.",
             "constructor": [param("owner", json!({"kind": "str"}), None),
                             param("currency", json!({"kind": "str"}), Some(("'EUR'", json!("EUR"))))],
             "methods": [
                method("add", "instance", json!([param("line", line.clone(), None)]), json!({"kind": "int"})),
                method("total", "instance", json!([]), json!({"kind": "float"})),
                count,
                method("close", "instance", json!([]), json!({"kind": "none"})),
                method("open", "static", json!([param("owner", json!({"kind": "str"}), None)]), cart.clone()),
             ],
             "exceptions": []},
            {"name": "Shop", "kind": "class", "module": "carts", "file": "carts.py", "doc": null,
             "methods": [
                method("open_cart", "static", json!([param("owner", json!({"kind": "str"}), None)]), cart.clone()),
                method("merge", "static", json!([param("into", cart.clone(), None), param("other", cart, None)]),
                       json!({"kind": "int"})),
             ],
             "exceptions": []},
        ],
        "types": [{"name": "Line", "module": "carts", "doc": null, "kind": "dataclass",
                   "fields": [{"name": "sku", "type": {"kind": "str"}, "default": null}]}],
    });
    serde_json::from_value(iface).expect("carts interface")
}

fn assert_contains(py: &str, texts: &[&str]) {
    for text in texts {
        assert!(py.contains(text), "missing:\n{text}\nin:\n{py}");
    }
}

#[test]
fn a_class_with_a_constructor_is_a_class_of_objects() {
    let iface = carts();
    let py = init_py(&iface, service(&iface, "Cart"), None);
    assert_contains(
        &py,
        &[
            "class Cart(_runtime.GraftObject):\n    \"\"\"A cart.\"\"\"\n\n    __graft_module__ = \"carts\"\n    _graft_client = _client\n\n",
            "    def __init__(self, owner: str, currency: str = 'EUR') -> None:\n        \
         _client.new(self, \"Cart\", (), {\"owner\": owner, \"currency\": currency})\n",
            "    async def add(self, line: Line) -> int:\n        \
         return cast(\"int\", await _client.call_on(self, \"add\", (), {\"line\": line}))\n",
            "    async def total(self) -> float:\n",
            "    def count(self, k: int) -> AsyncIterator[int]:\n        return _client.stream_on(self, \"count\", (), {\"k\": k})\n",
            "    @staticmethod\n    async def open(owner: str) -> Cart:\n        \
         return cast(\"Cart\", await _client.call(\"Cart\", \"open\", (), {\"owner\": owner}))\n",
            "ReleasedObjectError = _runtime.ReleasedObjectError\n",
            "_client.register(Cart, Line)\n",
            "    \"ReleasedObjectError\",\n",
        ],
    );
    assert!(
        !py.contains("def close"),
        "the base class's close() releases the object:\n{py}"
    );
}

#[test]
fn a_graft_defines_the_object_classes_its_signatures_name() {
    let iface = carts();
    let py = init_py(&iface, service(&iface, "Shop"), None);
    assert_contains(
        &py,
        &[
            "class Cart(_runtime.GraftObject):\n",
            "    async def add(self, line: Line) -> int:\n",
            "@dataclass\nclass Line:\n",
            "    async def open_cart(owner: str) -> Cart:\n",
            "    async def merge(into: Cart, other: Cart) -> int:\n",
            "_client.register(Cart, Line)\n",
            "    \"Cart\",\n",
            "\n\nfrom typing import AsyncIterator  # noqa: E402 - for the object classes below\n\n\nclass Cart(",
        ],
    );
    assert!(py.find("class Shop:").unwrap() < py.find("class Cart(").unwrap());
}

#[test]
fn a_class_without_a_constructor_stays_as_it_was() {
    let iface = crate::shop();
    let py = init_py(&iface, service(&iface, "Shop"), None);
    assert!(
        !py.contains("GraftObject") && !py.contains("ReleasedObjectError"),
        "{py}"
    );
}
