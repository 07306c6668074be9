//! The generated `__init__.py`: signatures, types, exceptions, exports.

use graft_pypi::codegen::init_py;

use crate::{service, shop};

fn shop_py() -> String {
    let iface = shop();
    init_py(&iface, service(&iface, "Shop"), None)
}

#[test]
fn methods_keep_names_kinds_defaults_and_annotations() {
    let py = shop_py();
    let expected = [
        "    async def total(order: Order) -> int:\n        \"\"\"The number of items.\"\"\"\n        return cast(\"int\", await _client.call(\"Shop\", \"total\", (), {\"order\": order}))\n",
        "    async def paint(items: list[Item], color: Color = Color.GREEN) -> list[Item]:\n",
        "    async def lookup(sku: str, /, strict: bool = True, *more: str, limit: int = 10, **filters: float) -> Optional[Item]:\n",
        "await _client.call(\"Shop\", \"lookup\", (sku, strict, *more), {\"limit\": limit, **filters})",
        "    async def stats(days: set[datetime.date], raw: bytes = b'', weights: dict[str, float] = _NOT_GIVEN) -> tuple[int, float]:\n",
        "    async def anything(x: Any, y: Union[int, str], z: tuple[int, ...] = (1, 2)) -> Any:\n        return await _client.call(",
        "    async def nothing() -> None:\n        await _client.call(\"Shop\", \"nothing\", (), {})\n",
    ];
    for text in expected {
        assert!(py.contains(text), "missing:\n{text}\nin:\n{py}");
    }
    assert_eq!(py.matches("    @staticmethod\n    async def ").count(), 6);
}

#[test]
fn data_types_are_the_graft_own_classes() {
    let py = shop_py();
    for text in [
        "class Color(enum.Enum):\n    \"\"\"Paint colours.\"\"\"\n\n    __graft_module__ = \"shop\"\n    RED = \"red\"\n    GREEN = \"green\"\n",
        "@dataclass\nclass Item:\n    \"\"\"One line of an order.\"\"\"\n\n    __graft_module__ = \"shop\"\n    sku: str\n    color: Color = Color.RED\n    tags: list[str] = field(default_factory=list)\n",
        "    items: list[Item]\n    placed: datetime.datetime\n    size: Optional[Size] = None\n    note: str = 'none'\n",
    ] {
        assert!(py.contains(text), "missing:\n{text}\nin:\n{py}");
    }
    let (color, item, shop_error) = (
        py.find("class Color").unwrap(),
        py.find("class Item").unwrap(),
        py.find("class ShopError").unwrap(),
    );
    assert!(
        color < item && item < shop_error,
        "enums, then dataclasses, then exceptions"
    );
}

#[test]
fn exceptions_keep_fields_and_bases() {
    let py = shop_py();
    let out_of_stock = "class OutOfStock(ShopError):\n    \"\"\"Not enough left.\"\"\"\n\n    __graft_module__ = \"shop\"\n    \
        __graft_fields__: tuple[str, ...] = (\"sku\", \"left\")\n\n    def __init__(self, sku: str, left: int = 0) -> None:\n        \
        BaseException.__init__(self, sku, left)\n        self.sku = sku\n        self.left = left\n";
    assert!(py.contains(out_of_stock), "{py}");
    assert!(py.contains("class BadColor(ValueError):"));
    assert!(
        py.find("class ShopError(Exception):").unwrap() < py.find("class OutOfStock").unwrap(),
        "base first"
    );
    assert!(
        py.contains(
            "_client.register(BadColor, Color, Item, Order, OutOfStock, ShopError, Size)\n"
        )
    );
}

#[test]
fn header_client_and_exports() {
    let py = shop_py();
    assert!(py.starts_with("\"\"\"The Graft of `Shop` (module `shop`, from shop 2.1.0)."));
    assert!(py.contains("\nfrom __future__ import annotations\n"));
    assert!(py.contains("_client = _runtime.GraftClient(\n    \"graft-pypi-shop\", service=\"Shop\", module=\"shop\", kind=\"class\", default_config=None\n)\n"));
    assert!(py.contains("class GraftConfig(_runtime.GraftConfig):"));
    assert!(py.contains("__all__ = [\n    \"BadColor\",\n    \"CircuitOpen\",\n    \"Color\",\n    \"GraftConfig\",\n    \"GraftConfigError\",\n    \"Item\",\n"));
    assert!(py.contains("from ._runtime import GraftConfigError, RemoteError, Unauthenticated, CircuitOpen, Overloaded, Timeout, Unavailable\n"));
    assert!(
        !py.contains("import graft_runtime"),
        "relative imports only"
    );
}

#[test]
fn idempotent_methods_are_named_to_the_client() {
    let mut iface = shop();
    let py = init_py(&iface, &iface.services[0], None);
    assert!(
        py.contains("default_config=None\n)\n"),
        "none declared: as before"
    );
    iface.services[0].methods[0].idempotent = true;
    let name = format!(
        "\"{}.{}\"",
        iface.services[0].name, iface.services[0].methods[0].name
    );
    let py = init_py(&iface, &iface.services[0], None);
    assert!(
        py.contains(&format!("default_config=None, idempotent=({name},)\n)\n")),
        "{py}"
    );
}

#[test]
fn module_services_export_functions_and_the_class() {
    let iface = shop();
    let py = init_py(&iface, service(&iface, "pricing"), Some("host=inMemory"));
    assert!(py.contains("class pricing:\n"));
    assert!(py.contains("\n\nasync def quote(kwh: int, night: bool = False) -> float:\n    \"\"\"The price of `kwh` kilowatt-hours.\"\"\"\n"));
    assert!(py.contains("kind=\"module\", default_config=\"host=inMemory\""));
    assert!(py.contains("    \"quote\",\n"));
    assert!(py.contains("_client.register()\n"));
}

#[test]
fn unknown_names_in_defaults_fall_back_to_the_hosted_default() {
    let mut iface = shop();
    iface.services[1].methods[1].params[1]
        .default
        .as_mut()
        .unwrap()
        .python = Some("Shade.DARK".into());
    let py = init_py(&iface, service(&iface, "Shop"), None);
    assert!(
        py.contains("async def paint(items: list[Item], color: Color = _NOT_GIVEN)"),
        "{py}"
    );
}

#[test]
fn a_streaming_method_is_a_def_returning_an_async_iterator() {
    let mut iface = shop();
    let shop_service = iface.services.iter_mut().find(|s| s.name == "Shop");
    let total = shop_service
        .unwrap()
        .methods
        .iter_mut()
        .find(|m| m.name == "total");
    total.unwrap().streams = true;
    let py = init_py(&iface, service(&iface, "Shop"), None);
    let expected = "    @staticmethod\n    def total(order: Order) -> AsyncIterator[int]:\n        \"\"\"The number of items.\"\"\"\n        \
        return _client.stream(\"Shop\", \"total\", (), {\"order\": order})\n";
    assert!(py.contains(expected), "missing:\n{expected}\nin:\n{py}");
    assert!(py.contains("\nfrom typing import Any, AsyncIterator, Optional, Union, cast\n"));
    assert!(
        !shop_py().contains("AsyncIterator"),
        "a graft with no streaming method is as it was"
    );
}
