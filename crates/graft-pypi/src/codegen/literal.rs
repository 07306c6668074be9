//! Python source text: string literals, docstrings, JSON values as literals,
//! and checking that a default's expression only names what the graft defines.

use std::collections::BTreeSet;

/// A Python string literal for `text` (JSON's escapes are Python's too).
pub fn py_str(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// A docstring statement at `indent`, or nothing when there is no doc.
pub fn docstring(doc: Option<&str>, indent: &str) -> String {
    let Some(doc) = doc.map(str::trim).filter(|d| !d.is_empty()) else {
        return String::new();
    };
    if doc.contains("\"\"\"") || doc.contains('\\') || doc.ends_with('"') {
        return format!("{indent}{}\n", py_str(doc));
    }
    let mut out = format!("{indent}\"\"\"");
    for (i, line) in doc.lines().enumerate() {
        if i > 0 {
            out.push('\n');
            if !line.trim().is_empty() {
                out.push_str(indent);
            }
        }
        out.push_str(if i > 0 && line.trim().is_empty() {
            ""
        } else {
            line
        });
    }
    if doc.contains('\n') {
        out.push('\n');
        out.push_str(indent);
    }
    out.push_str("\"\"\"\n");
    out
}

/// A JSON value as the Python literal that builds it.
pub fn json_literal(value: &serde_json::Value) -> String {
    use serde_json::Value as J;
    match value {
        J::Null => "None".into(),
        J::Bool(true) => "True".into(),
        J::Bool(false) => "False".into(),
        J::Number(n) => n.to_string(),
        J::String(s) => py_str(s),
        J::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(json_literal)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        J::Object(map) => {
            let pairs: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", py_str(k), json_literal(v)))
                .collect();
            format!("{{{}}}", pairs.join(", "))
        }
    }
}

/// Whether every `Name.` in `expr` (outside string literals) names a type
/// the graft defines, so the expression can be evaluated inside the graft.
pub fn names_known(expr: &str, known: &BTreeSet<String>) -> bool {
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' || c == '"' {
            i = skip_string(&chars, i);
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let dotted = chars.get(i) == Some(&'.');
            let after_dot = start > 0 && chars[start - 1] == '.';
            if dotted && !after_dot && !known.contains(&word) {
                return false;
            }
        } else {
            i += 1;
        }
    }
    true
}

fn skip_string(chars: &[char], start: usize) -> usize {
    let quote = chars[start];
    let mut i = start + 1;
    while i < chars.len() && chars[i] != quote {
        i += if chars[i] == '\\' { 2 } else { 1 };
    }
    i + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_docstrings() {
        assert_eq!(py_str("a\"b\\c\n"), r#""a\"b\\c\n""#);
        assert_eq!(
            docstring(Some("One line."), "    "),
            "    \"\"\"One line.\"\"\"\n"
        );
        assert_eq!(
            docstring(Some("Title.\n\nBody."), "  "),
            "  \"\"\"Title.\n\n  Body.\n  \"\"\"\n"
        );
        assert_eq!(
            docstring(Some("has \"\"\" in it"), ""),
            "\"has \\\"\\\"\\\" in it\"\n"
        );
        assert_eq!(docstring(None, ""), "");
    }

    #[test]
    fn json_literals() {
        let v = serde_json::json!({"a": [1, 2.5, null, true, "x"]});
        assert_eq!(json_literal(&v), "{\"a\": [1, 2.5, None, True, \"x\"]}");
    }

    #[test]
    fn expressions_may_only_name_known_types() {
        let known: BTreeSet<String> = ["Color".to_string()].into();
        assert!(names_known("Color.RED", &known));
        assert!(names_known("(Color.RED, 'Size.S', 1.5)", &known));
        assert!(!names_known("Size.S", &known));
        assert!(names_known("float('inf')", &known));
    }
}
