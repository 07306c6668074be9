use super::*;

fn method(name: &str) -> serde_json::Value {
    serde_json::json!({"name": name, "kind": "static", "is_async": false, "params": [], "returns": {"kind": "int"}})
}

fn iface() -> Interface {
    let service = |name: &str, methods: &[&str]| {
        serde_json::json!({"name": name, "kind": "class", "module": "m", "file": "m.py",
            "methods": methods.iter().map(|m| method(m)).collect::<Vec<_>>()})
    };
    let mut cart = service("Cart", &["describe"]);
    cart["constructor"] = serde_json::json!([]);
    serde_json::from_value(serde_json::json!({
        "services": [service("Calc", &["add", "sub", "mul"]), service("Billing", &["bill"]), cart],
        "types": []
    }))
    .unwrap()
}

fn exposed(types: &[&str], methods: &[&str]) -> Result<Vec<String>, String> {
    let owned = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    let mut iface = iface();
    Allow::new(&owned(types), &owned(methods))?.apply(&mut iface)?;
    let mut out = Vec::new();
    for s in &iface.services {
        if s.constructor.is_some() {
            out.push(format!("{}.__init__", s.name));
        }
        out.extend(s.methods.iter().map(|m| format!("{}.{}", s.name, m.name)));
    }
    Ok(out)
}

#[test]
fn no_list_exposes_everything() {
    assert_eq!(exposed(&[], &[]).unwrap().len(), 6);
}

#[test]
fn types_and_methods_expose_only_what_they_name() {
    assert_eq!(exposed(&["Billing"], &[]).unwrap(), ["Billing.bill"]);
    assert_eq!(
        exposed(&[], &["Calc.add", "Calc.sub"]).unwrap(),
        ["Calc.add", "Calc.sub"]
    );
    assert_eq!(
        exposed(&["Billing"], &["Calc.mul", "Cart.__init__"]).unwrap(),
        ["Calc.mul", "Billing.bill", "Cart.__init__"]
    );
    assert_eq!(exposed(&[], &["Cart.describe"]).unwrap(), ["Cart.describe"]);
}

#[test]
fn unknown_names_are_errors() {
    let err = exposed(&["Nope"], &[]).unwrap_err();
    assert!(err.contains("--types names Nope"), "{err}");
    let err = exposed(&[], &["Calc.div"]).unwrap_err();
    assert!(err.contains("--methods names Calc.div"), "{err}");
    let err = exposed(&[], &["add"]).unwrap_err();
    assert!(err.contains("Service.method"), "{err}");
    assert!(exposed(&[], &["Billing.__init__"]).is_err());
}

/// Calc.add returns Sum (whose field is a Digit); Billing.bill takes an
/// Invoice; Billing's module defines Overdue (based on BillingError).
fn typed_iface() -> Interface {
    let named = |name: &str| serde_json::json!({"kind": "named", "name": name});
    let dataclass = |name: &str, field: serde_json::Value| {
        serde_json::json!({"name": name, "module": "m", "kind": "dataclass",
            "fields": [{"name": "f", "type": field}]})
    };
    let mut add = method("add");
    add["returns"] = serde_json::json!({"kind": "list", "item": named("Sum")});
    let mut bill = method("bill");
    bill["params"] = serde_json::json!([{"name": "i", "kind": "positional_or_keyword", "type": named("Invoice")}]);
    let service = |name: &str, method: serde_json::Value, exceptions: &[&str]| {
        serde_json::json!({"name": name, "kind": "class", "module": "m", "file": "m.py",
            "methods": [method], "exceptions": exceptions})
    };
    let exception = |name: &str, base: &str| serde_json::json!({"name": name, "module": "m", "kind": "exception", "base": base, "fields": []});
    serde_json::from_value(serde_json::json!({
        "services": [service("Calc", add, &[]), service("Billing", bill, &["Overdue"])],
        "types": [dataclass("Sum", named("Digit")),
                  {"name": "Digit", "module": "m", "kind": "enum", "members": []},
                  dataclass("Invoice", serde_json::json!({"kind": "int"})),
                  exception("Overdue", "BillingError"), exception("BillingError", "Exception")]
    }))
    .unwrap()
}

fn types_left(types: &[&str], methods: &[&str]) -> Vec<String> {
    let owned = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    let mut iface = typed_iface();
    let allow = Allow::new(&owned(types), &owned(methods)).unwrap();
    allow.apply(&mut iface).unwrap();
    iface.types.into_iter().map(|t| t.name).collect()
}

#[test]
fn types_only_hidden_methods_use_go_too() {
    let all = ["Sum", "Digit", "Invoice", "Overdue", "BillingError"];
    assert_eq!(types_left(&[], &[]), all);
    assert_eq!(types_left(&["Calc"], &[]), ["Sum", "Digit"]);
    assert_eq!(
        types_left(&["Billing"], &[]),
        ["Invoice", "Overdue", "BillingError"]
    );
    assert_eq!(types_left(&[], &["Calc.add", "Billing.bill"]), all);
}
