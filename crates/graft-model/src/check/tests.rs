use super::*;
use crate::table::{Column, Table};

fn iface() -> Interface {
    serde_json::from_value(serde_json::json!({
        "services": [],
        "types": [
            {"name": "Color", "module": "m", "kind": "enum", "members": [{"name": "RED", "value": 1}]},
            {"name": "Item", "module": "m", "kind": "dataclass", "fields": [{"name": "qty", "type": {"kind": "int"}}]},
            {"name": "Line", "module": "m", "kind": "dataclass", "fields": [{"name": "quantity_in_stock", "type": {"kind": "int"}}]},
            {"name": "Order", "module": "m", "kind": "dataclass", "fields": [{"name": "line", "type": {"kind": "named", "name": "Line"}}]},
            {"name": "Row", "module": "m", "kind": "dataclass", "fields": [
                {"name": "n", "type": {"kind": "int"}},
                {"name": "x", "type": {"kind": "float"}},
                {"name": "s", "type": {"kind": "optional", "inner": {"kind": "str"}}}
            ]}
        ]
    }))
    .unwrap()
}

fn check(v: Value, ty: TypeRef) -> Result<Value, TypeError> {
    check_value(v, &ty, &iface(), "x")
}

#[test]
fn converts_where_python_would() {
    assert_eq!(check(Value::Int(2), TypeRef::Float), Ok(Value::Float(2.0)));
    let tuple = TypeRef::Tuple {
        items: vec![TypeRef::Int, TypeRef::Str],
    };
    assert_eq!(
        check(
            Value::List(vec![Value::Int(1), Value::Str("a".into())]),
            tuple
        ),
        Ok(Value::Tuple(vec![Value::Int(1), Value::Str("a".into())]))
    );
    let red = Value::Enum {
        type_name: "Color".into(),
        value: Box::new(Value::Int(1)),
    };
    assert_eq!(
        check(
            Value::Int(1),
            TypeRef::Named {
                name: "Color".into()
            }
        ),
        Ok(red)
    );
}

#[test]
fn refuses_what_python_code_would_trip_on() {
    assert_eq!(
        check(Value::Str("1".into()), TypeRef::Int)
            .unwrap_err()
            .found,
        "\"1\""
    );
    assert!(check(Value::Float(1.5), TypeRef::Int).is_err());
    assert!(
        check(
            Value::Int(2),
            TypeRef::Named {
                name: "Color".into()
            }
        )
        .is_err()
    );
    let bad = Value::Object {
        type_name: "Item".into(),
        fields: vec![("qty".into(), Value::Str("x".into()))],
    };
    let err = check(
        bad,
        TypeRef::Named {
            name: "Item".into(),
        },
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "x.qty: expected int, got \"x\"");
    let list = TypeRef::List {
        item: Box::new(TypeRef::Int),
    };
    assert_eq!(
        check(Value::List(vec![Value::Int(1), Value::None]), list)
            .unwrap_err()
            .path,
        "x[1]"
    );
}

fn object(type_name: &str, field: &str, value: Value) -> Value {
    Value::Object {
        type_name: type_name.into(),
        fields: vec![(field.into(), value)],
    }
}

/// A wrong leaf deep inside nested dataclasses is named by its full path,
/// in the very words of the JSON check (the HTTP call API's).
#[test]
fn nested_errors_name_the_full_path() {
    let line = object("Line", "quantity_in_stock", Value::Str("many".into()));
    let order = object("Order", "line", line);
    let ty = TypeRef::Named {
        name: "Order".into(),
    };
    let err = check_value(order, &ty, &iface(), "order").unwrap_err();
    assert_eq!(
        err.to_string(),
        "order.line.quantity_in_stock: expected int, got \"many\""
    );
    let json = serde_json::json!({"line": {"quantity_in_stock": "many"}});
    let http = crate::json::from_json(&json, &ty, &iface(), "order").unwrap_err();
    assert_eq!(http, err);
    let long = "many ".repeat(30);
    let err = check_value(
        Value::List(vec![
            object("Item", "qty", Value::Int(1)),
            object("Item", "qty", Value::Str(long)),
        ]),
        &TypeRef::List {
            item: Box::new(TypeRef::Named {
                name: "Item".into(),
            }),
        },
        &iface(),
        "items",
    )
    .unwrap_err();
    assert_eq!(err.path, "items[1].qty");
    let unknown = object("Item", "colour", Value::Int(3));
    let err = check(
        unknown,
        TypeRef::Named {
            name: "Item".into(),
        },
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "x.colour: expected no such field in Item, got 3"
    );
}

fn row_table(columns: Vec<Column>) -> Value {
    let names = ["n", "x", "s"]
        .iter()
        .take(columns.len())
        .map(|&n| n.into())
        .collect();
    Value::Table(Box::new(Table {
        type_name: "Row".into(),
        names,
        columns,
    }))
}

fn rows() -> TypeRef {
    TypeRef::List {
        item: Box::new(TypeRef::Named { name: "Row".into() }),
    }
}

#[test]
fn tables_that_fit_are_checked_by_column() {
    let strs = || Column::Values(vec![Value::Str("a".into()), Value::None]);
    let table = row_table(vec![
        Column::Int(vec![1, 2]),
        Column::Int(vec![3, 4]),
        strs(),
    ]);
    let checked = check(table, rows()).unwrap();
    // Still a table, the int column for a float field now a float column.
    let Value::Table(t) = &checked else {
        panic!("{checked:?}")
    };
    assert!(matches!(&t.columns[1], Column::Float(x) if *x == [3.0, 4.0]));
    let optional = TypeRef::Optional {
        inner: Box::new(rows()),
    };
    assert!(matches!(
        check(checked.clone(), optional),
        Ok(Value::Table(_))
    ));
    assert!(matches!(check(checked, TypeRef::Any), Ok(Value::Table(_))));
}

#[test]
fn tables_that_do_not_fit_fail_as_their_objects_would() {
    let cases = [
        (
            row_table(vec![
                Column::Int(vec![1]),
                Column::Str {
                    text: "z".into(),
                    ends: vec![1],
                },
            ]),
            rows(),
        ),
        (
            row_table(vec![Column::Values(vec![Value::Int(1), Value::Float(2.5)])]),
            rows(),
        ),
        (
            row_table(vec![Column::Int(vec![1])]),
            TypeRef::List {
                item: Box::new(TypeRef::Named {
                    name: "Item".into(),
                }),
            },
        ),
        (
            row_table(vec![Column::Int(vec![1])]),
            TypeRef::Set {
                item: Box::new(TypeRef::Int),
            },
        ),
    ];
    for (table, ty) in cases {
        let Value::Table(t) = &table else {
            unreachable!()
        };
        let as_rows = check(Value::List(t.to_objects()), ty.clone());
        assert!(as_rows.is_err());
        assert_eq!(check(table, ty), as_rows);
    }
    // Where the row form converts (a list for a set), the table does too.
    let set = TypeRef::Set {
        item: Box::new(TypeRef::Named { name: "Row".into() }),
    };
    let table = row_table(vec![Column::Int(vec![7])]);
    let Value::Table(t) = &table else {
        unreachable!()
    };
    assert_eq!(
        check(table.clone(), set.clone()),
        Ok(Value::Set(t.to_objects()))
    );
}

#[test]
fn decoded_scalars_are_checked_before_python_sees_them() {
    let dec = |s: &str| Value::Decimal(s.into());
    assert_eq!(check(dec("-1.50"), TypeRef::Decimal), Ok(dec("-1.50")));
    assert_eq!(check(Value::Int(3), TypeRef::Decimal), Ok(dec("3")));
    let err = check(dec("1,5"), TypeRef::Decimal).unwrap_err();
    assert_eq!(err.to_string(), "x: expected Decimal, got \"1,5\"");
    assert!(check(Value::Str("1.5".into()), TypeRef::Decimal).is_err());
    assert!(check(Value::Float(1.5), TypeRef::Decimal).is_err());
    let td = |days, seconds, microseconds| {
        Value::TimeDelta(crate::scalars::TimeDelta {
            days,
            seconds,
            microseconds,
        })
    };
    assert_eq!(
        check(td(-1, 86399, 0), TypeRef::TimeDelta),
        Ok(td(-1, 86399, 0))
    );
    assert!(check(td(0, 86400, 0), TypeRef::TimeDelta).is_err());
    assert!(check(td(1_000_000_000, 0, 0), TypeRef::TimeDelta).is_err());
    assert!(check(Value::Time("12:30:00+01:00".into()), TypeRef::Time).is_ok());
    assert!(check(Value::Time("noon".into()), TypeRef::Time).is_err());
    assert!(check(Value::Uuid([7; 16]), TypeRef::Uuid).is_ok());
    assert!(check(Value::Str("x".into()), TypeRef::Uuid).is_err());
}

#[test]
fn an_int_for_a_union_with_float_stays_an_int() {
    let float_or_str = TypeRef::Union {
        options: vec![TypeRef::Float, TypeRef::Str],
    };
    assert_eq!(
        check(Value::Int(1000000), float_or_str.clone()),
        Ok(Value::Int(1000000))
    );
    assert_eq!(
        check(Value::Float(0.5), float_or_str),
        Ok(Value::Float(0.5))
    );
    assert_eq!(check(Value::Int(3), TypeRef::Float), Ok(Value::Float(3.0)));
}
