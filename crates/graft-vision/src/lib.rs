//! Graft Vision, the page a gateway serves at `/GV`.
//!
//! [`PAGE`] is one self-contained HTML document (styles and script inline, no
//! network fetches but to its own origin) kept as a real file, `vision.html`,
//! and embedded at build time. In the browser it reads the interface from
//! `GET /libraries` (the JSON form of `graft_model::Interface`), lists every
//! service, method, parameter and named type, and calls methods with
//! `POST /call/<Service>/<method>` and a JSON object of named arguments. A
//! method that streams is called with `Accept: application/x-ndjson` and its
//! body read as it arrives (`fetch`'s `ReadableStream`), each item listed as
//! its line completes; a last `{"error": ...}` line shows as the error.
//!
//! The gateway only has to serve [`PAGE`] with [`CONTENT_TYPE`]; the page is
//! driven end to end by the browser test in `tests/browser/`.

/// The Graft Vision page.
pub const PAGE: &str = include_str!("vision.html");

/// The `Content-Type` to serve [`PAGE`] with.
pub const CONTENT_TYPE: &str = "text/html; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::PAGE;

    #[test]
    fn page_is_self_contained() {
        for external in [
            "http://",
            "https://",
            "src=\"//",
            "href=\"//",
            "@import",
            "url(",
        ] {
            let hits: Vec<&str> = PAGE
                .lines()
                .filter(|l| l.contains(external) && !l.contains("location.host"))
                .collect();
            assert!(
                hits.is_empty(),
                "the page refers to something outside its origin ({external}): {hits:?}"
            );
        }
    }

    #[test]
    fn page_uses_the_gateway_routes() {
        assert!(PAGE.contains("fetch(\"/libraries\""));
        assert!(PAGE.contains("const s = encodeURIComponent(service.name);"));
        assert!(PAGE.contains("`/call/${s}/${encodeURIComponent(method.name)}`"));
        assert!(PAGE.contains("return `/objects/${s}`;"));
        assert!(PAGE.contains(
            "`/objects/${s}/${encodeURIComponent(id)}/${encodeURIComponent(method.name)}`"
        ));
        assert!(PAGE.contains("{ method: \"DELETE\" }"));
        assert!(PAGE.contains("/simple/ graft-pypi-${name}"));
    }

    #[test]
    fn streams_are_read_as_they_arrive() {
        assert!(PAGE.contains("response.body.pipeThrough(new TextDecoderStream()).getReader()"));
        assert!(PAGE.contains("Accept: accept"));
        assert!(PAGE.contains("\"application/x-ndjson\""));
    }

    #[test]
    fn page_has_the_test_hooks() {
        for hook in [
            "\"data-method\"",
            "\"data-param\"",
            "\"data-action\": \"call\"",
            "\"data-output\"",
            "\"data-service\"",
            "\"data-items\"",
            "\"data-item\"",
            "\"data-action\": \"stop\"",
            "\"data-constructor\"",
            "\"data-action\": \"construct\"",
            "\"data-objects\"",
            "\"data-action\": \"release\"",
        ] {
            assert!(PAGE.contains(hook), "missing {hook}");
        }
    }

    /// The browser tests' stand-in gateway serves this fixture as `/libraries`;
    /// it must be what the real gateway would serve.
    #[test]
    fn browser_fixture_is_an_interface() {
        let text = include_str!("../../../tests/browser/fixtures/shop-interface.json");
        let iface: graft_model::Interface =
            serde_json::from_str(text).expect("the fixture fits the interface model");
        assert_eq!(iface.services.len(), 2);
        assert_eq!(iface.types.len(), 3);
        let order = iface.method("Shop", "order").expect("Shop.order");
        assert_eq!(order.params.len(), 6);
        assert_eq!(order.params[5].ty.python(), "dict[str, float]");
    }

    #[test]
    fn page_is_one_html_document() {
        assert!(PAGE.starts_with("<!doctype html>"));
        assert_eq!(PAGE.matches("<script>").count(), 1);
        assert_eq!(PAGE.matches("</script>").count(), 1);
        assert!(PAGE.trim_end().ends_with("</html>"));
    }
}
