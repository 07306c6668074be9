//! [`Table`]: a list of objects of one shape, held by columns.
//!
//! The wire carries such a list as a table (`docs/PROTOCOL.md`, "Tables"),
//! and a list of one dataclass's instances read from Python is one. Held by
//! columns, its ints, floats, bools and strings are plain vectors, not a
//! [`Value`] and a field vector per object: decoding, checking, building
//! Python objects from it and encoding it each take one pass per column, and
//! it frees in a few deallocations. It means exactly the list of objects
//! [`Table::to_objects`] gives ([`Value`]'s equality treats the two as one).

use crate::value::{Name, Value};

/// A non-empty list of objects with one type name and the same field names.
#[derive(Debug, Clone)]
pub struct Table {
    pub type_name: Name,
    /// The field names, one per column (at least one).
    pub names: Vec<Name>,
    /// One per name, each with one cell per object.
    pub columns: Vec<Column>,
}

/// One field of every object of a [`Table`].
#[derive(Debug, Clone)]
pub enum Column {
    Bool(Vec<bool>),
    Int(Vec<i64>),
    Float(Vec<f64>),
    /// The strings one after another in `text`; string `i` ends at `ends[i]`
    /// (a char boundary) and starts where string `i - 1` ends.
    Str {
        text: String,
        ends: Vec<usize>,
    },
    /// Cells of any kind, or of mixed kinds.
    Values(Vec<Value>),
}

impl Table {
    /// How many objects the table holds.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, Column::len)
    }

    /// The objects, as the row-by-row form holds them.
    pub fn to_objects(&self) -> Vec<Value> {
        (0..self.rows())
            .map(|i| Value::Object {
                type_name: self.type_name.clone(),
                fields: self
                    .names
                    .iter()
                    .zip(&self.columns)
                    .map(|(name, column)| (name.clone(), column.cell(i)))
                    .collect(),
            })
            .collect()
    }
}

impl Column {
    pub fn len(&self) -> usize {
        match self {
            Column::Bool(v) => v.len(),
            Column::Int(v) => v.len(),
            Column::Float(v) => v.len(),
            Column::Str { ends, .. } => ends.len(),
            Column::Values(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// String `i` of a [`Column::Str`].
    pub fn str_at<'a>(text: &'a str, ends: &[usize], i: usize) -> &'a str {
        let start = if i == 0 { 0 } else { ends[i - 1] };
        &text[start..ends[i]]
    }

    /// A column of one cell, `first`, with room for `rows` cells: of the
    /// kind that holds it.
    pub fn starting_with(first: Value, rows: usize) -> Column {
        let mut column = match &first {
            Value::Bool(_) => Column::Bool(Vec::with_capacity(rows)),
            Value::Int(_) => Column::Int(Vec::with_capacity(rows)),
            Value::Float(_) => Column::Float(Vec::with_capacity(rows)),
            Value::Str(_) => Column::Str {
                text: String::new(),
                ends: Vec::with_capacity(rows),
            },
            _ => Column::Values(Vec::with_capacity(rows)),
        };
        column.push(first);
        column
    }

    /// Appends a cell; a cell of another kind than the column's makes it a
    /// [`Column::Values`].
    pub fn push(&mut self, cell: Value) {
        match (&mut *self, cell) {
            (Column::Bool(v), Value::Bool(b)) => v.push(b),
            (Column::Int(v), Value::Int(i)) => v.push(i),
            (Column::Float(v), Value::Float(f)) => v.push(f),
            (Column::Str { .. }, Value::Str(s)) => self.push_str(&s),
            (Column::Values(v), cell) => v.push(cell),
            (_, cell) => {
                let mut cells: Vec<Value> = (0..self.len()).map(|i| self.cell(i)).collect();
                cells.push(cell);
                *self = Column::Values(cells);
            }
        }
    }

    /// Appends a string cell without making a [`Value`] of it first.
    pub fn push_str(&mut self, s: &str) {
        match self {
            Column::Str { text, ends } => {
                text.push_str(s);
                ends.push(text.len());
            }
            other => other.push(Value::Str(s.to_owned())),
        }
    }

    /// Cell `i` as a [`Value`] (`i` must be below [`Column::len`]).
    pub fn cell(&self, i: usize) -> Value {
        match self {
            Column::Bool(v) => Value::Bool(v[i]),
            Column::Int(v) => Value::Int(v[i]),
            Column::Float(v) => Value::Float(v[i]),
            Column::Str { text, ends } => Value::Str(Column::str_at(text, ends, i).to_owned()),
            Column::Values(v) => v[i].clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_the_list_of_its_objects() {
        let table = Table {
            type_name: "P".into(),
            names: vec!["x".into(), "s".into()],
            columns: vec![
                Column::Int(vec![1, 2]),
                Column::Str {
                    text: "aébc".into(),
                    ends: vec![3, 5],
                },
            ],
        };
        let object = |x, s: &str| Value::Object {
            type_name: "P".into(),
            fields: vec![
                ("x".into(), Value::Int(x)),
                ("s".into(), Value::Str(s.into())),
            ],
        };
        let rows = vec![object(1, "aé"), object(2, "bc")];
        assert_eq!(table.to_objects(), rows);
        let value = Value::Table(Box::new(table));
        assert_eq!(value, Value::List(rows.clone()));
        assert_eq!(Value::List(rows), value);
        assert_ne!(value, Value::List(vec![object(1, "aé")]));
        assert_ne!(value, Value::Tuple(vec![object(1, "aé"), object(2, "bc")]));
    }

    #[test]
    fn a_column_holds_one_kind_until_a_cell_of_another_arrives() {
        let mut column = Column::starting_with(Value::Str("a".into()), 3);
        column.push_str("bc");
        assert!(matches!(&column, Column::Str { text, ends } if text == "abc" && *ends == [1, 3]));
        column.push(Value::None);
        assert!(
            matches!(&column, Column::Values(cells) if *cells == [Value::Str("a".into()), Value::Str("bc".into()), Value::None])
        );
        column.push_str("d");
        assert_eq!(column.cell(3), Value::Str("d".into()));
        let mut ints = Column::starting_with(Value::Int(1), 2);
        ints.push(Value::Int(2));
        assert!(matches!(&ints, Column::Int(v) if *v == [1, 2]));
        ints.push(Value::Float(0.5));
        assert_eq!(
            (0..3).map(|i| ints.cell(i)).collect::<Vec<_>>(),
            [Value::Int(1), Value::Int(2), Value::Float(0.5)]
        );
    }
}
