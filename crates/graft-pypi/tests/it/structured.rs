//! The graft of `tests/fixtures/orders.json` (discovered from
//! tests/e2e/fixtures/realcode/orders.py): NamedTuple, TypedDict, Literal,
//! IntEnum/StrEnum/Flag and a pydantic model as a plain dataclass.

use graft_model::Interface;
use graft_pypi::codegen::init_py;

fn orders() -> Interface {
    serde_json::from_str(include_str!("../fixtures/orders.json")).expect("fixture interface")
}

fn source() -> String {
    let iface = orders();
    init_py(&iface, crate::service(&iface, "Orders"), None)
}

#[test]
fn the_graft_imports_what_its_types_name() {
    let source = source();
    let imports = "from typing import Any, Literal, NamedTuple, Optional, TypedDict, Union, cast\n";
    assert!(source.contains(imports), "{source}");
    assert!(!source.contains("pydantic"));
}

#[test]
fn named_tuples_and_typed_dicts_are_declared() {
    let source = source();
    let point = "class Point(NamedTuple):\n    x: float\n    y: float = 0.0\n\n\nsetattr(Point, \"__graft_module__\", \"orders\")\n";
    assert!(source.contains(point), "{source}");
    let address = "class _AddressRequired(TypedDict):\n    street: str\n    city: str\n\n\n\
                   class Address(_AddressRequired, total=False):\n    note: str\n";
    assert!(source.contains(address), "{source}");
    // A TypedDict's values are plain dicts: nothing to register.
    let register = source
        .lines()
        .find(|l| l.starts_with("_client.register("))
        .unwrap();
    assert!(
        !register.contains("Address") && register.contains("Point"),
        "{register}"
    );
}

#[test]
fn enums_keep_their_kind_and_literals_their_values() {
    let source = source();
    assert!(source.contains("class Priority(enum.IntEnum):\n"));
    assert!(source.contains("class Channel(str, enum.Enum):\n"));
    assert!(source.contains("class Perm(enum.Flag):\n"));
    assert!(
        source.contains("    status: Literal['new', 'paid', 'shipped'] = 'new'\n"),
        "{source}"
    );
    assert!(
        source.contains("status: Literal['new', 'paid', 'shipped']) -> str:"),
        "{source}"
    );
    // The pydantic model is a dataclass with its fields by attribute name.
    assert!(source.contains("@dataclass\nclass Order:\n"), "{source}");
    assert!(
        source.contains("@dataclass(frozen=True)\nclass Money:\n"),
        "{source}"
    );
    assert!(
        source.contains("    order_id: int\n    customer: Customer\n"),
        "{source}"
    );
}

#[test]
fn the_graft_is_valid_python() {
    let dir = crate::temp_dir("structured");
    let file = dir.join("graft.py");
    std::fs::write(&file, source()).unwrap();
    let out = std::process::Command::new("python3")
        .args(["-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())"])
        .arg(&file)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
