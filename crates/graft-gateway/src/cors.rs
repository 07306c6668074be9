//! Cross-origin calls from browser pages (`--corsAllowedOrigins`).
//!
//! A graft's fetch transport in a page served from another origin calls the
//! call API across origins; the browser first asks (a preflight `OPTIONS`)
//! and only sends the call if the answer names the page's origin. Off by
//! default: no CORS headers at all, so browsers refuse every cross-origin
//! call. The layer sits outside the token check, since a preflight carries
//! no `Authorization` header; the call that follows still needs its token.

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, Method};
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

/// How long a browser may keep a preflight's answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// `router` answering cross-origin calls from `origins` (`*` for any); unchanged when empty.
pub fn allow(router: Router, origins: &[String]) -> Router {
    match layer(origins) {
        Some(layer) => router.layer(layer),
        None => router,
    }
}

/// The CORS layer for `origins`, or None when no origin is allowed.
pub fn layer(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<&str> = origins
        .iter()
        .map(|o| o.trim().trim_end_matches('/'))
        .filter(|o| !o.is_empty())
        .collect();
    if origins.is_empty() {
        return None;
    }
    let allowed = if origins.contains(&"*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    Some(
        CorsLayer::new()
            .allow_origin(allowed)
            .allow_methods([Method::GET, Method::POST, Method::DELETE])
            // Metadata travels as request headers of any name (docs/PROTOCOL.md, "Metadata").
            .allow_headers(AllowHeaders::mirror_request())
            .max_age(PREFLIGHT_MAX_AGE),
    )
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use axum::routing::post;
    use tower::ServiceExt;

    use super::*;

    fn app(origins: &[&str]) -> Router {
        let origins: Vec<String> = origins.iter().map(|o| o.to_string()).collect();
        allow(
            Router::new().route("/call/S/m", post(|| async { "1" })),
            &origins,
        )
    }

    fn preflight(origin: &str) -> Request<Body> {
        Request::options("/call/S/m")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "content-type,traceparent",
            )
            .body(Body::empty())
            .unwrap()
    }

    fn allowed_origin(response: &axum::response::Response) -> Option<&str> {
        let value = response.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN);
        value.map(|v| v.to_str().unwrap())
    }

    #[tokio::test]
    async fn a_listed_origin_is_allowed_with_its_headers() {
        let response = app(&["https://app.example"])
            .oneshot(preflight("https://app.example"))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(allowed_origin(&response), Some("https://app.example"));
        let headers = response
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_HEADERS)
            .unwrap();
        assert_eq!(headers.to_str().unwrap(), "content-type,traceparent");
    }

    #[tokio::test]
    async fn another_origin_gets_no_allowance() {
        let response = app(&["https://app.example"])
            .oneshot(preflight("https://evil.example"))
            .await
            .unwrap();
        assert_eq!(allowed_origin(&response), None);
    }

    #[tokio::test]
    async fn off_by_default() {
        let response = app(&[])
            .oneshot(preflight("https://app.example"))
            .await
            .unwrap();
        assert_eq!(allowed_origin(&response), None);
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    }

    #[tokio::test]
    async fn a_star_allows_any_origin() {
        let response = app(&["*"])
            .oneshot(preflight("http://localhost:3000"))
            .await
            .unwrap();
        assert_eq!(allowed_origin(&response), Some("*"));
    }
}
