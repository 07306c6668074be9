//! The index routes over a real socket, with graft-pypi's fixture interface.

use std::sync::Arc;

use graft_model::Interface;
use graft_pypi::{Index, VersionStore};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

async fn serve() -> (std::net::SocketAddr, Arc<Index>) {
    let iface: Interface =
        serde_json::from_str(include_str!("../../../graft-pypi/tests/fixtures/shop.json")).unwrap();
    let index = Arc::new(Index::build(&iface, &mut VersionStore::in_memory()).unwrap());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = super::routes(index.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, index)
}

/// One request; answers (status, headers in lower case, body).
async fn get(
    addr: std::net::SocketAddr,
    path: &str,
    accept: Option<&str>,
) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let accept = accept
        .map(|a| format!("Accept: {a}\r\n"))
        .unwrap_or_default();
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\n{accept}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
    let status = head[9..12].parse().unwrap();
    (status, head, raw[split + 4..].to_vec())
}

#[tokio::test]
async fn pages_in_both_forms() {
    let (addr, _) = serve().await;
    let (status, head, body) = get(addr, "/simple/", None).await;
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/html"), "{head}");
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains("<a href=\"graft-pypi-shop/\">graft-pypi-shop</a>")
    );
    let (status, head, body) = get(
        addr,
        "/simple/graft-pypi-shop/",
        Some(graft_pypi::index::JSON_TYPE),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        head.contains("content-type: application/vnd.pypi.simple.v1+json"),
        "{head}"
    );
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        json["files"][0]["filename"],
        "graft_pypi_shop-2.1.0-py3-none-any.whl"
    );
}

#[tokio::test]
async fn names_redirect_to_the_normalised_page() {
    let (addr, _) = serve().await;
    for path in [
        "/simple/graft_pypi_Shop/",
        "/simple/Graft-PyPI-Shop",
        "/simple/graft-pypi-shop",
    ] {
        let (status, head, _) = get(addr, path, None).await;
        assert_eq!(status, 308, "{path}");
        assert!(
            head.contains("location: /simple/graft-pypi-shop/"),
            "{path}: {head}"
        );
    }
    assert_eq!(get(addr, "/simple", None).await.0, 308);
    assert_eq!(get(addr, "/simple/graft-pypi-none/", None).await.0, 404);
    assert_eq!(get(addr, "/simple/", Some("application/xml")).await.0, 406);
}

#[tokio::test]
async fn packages_are_the_wheels_bytes() {
    let (addr, index) = serve().await;
    let wheel = index
        .file("graft_pypi_shop-2.1.0-py3-none-any.whl")
        .unwrap();
    let (status, head, body) = get(
        addr,
        "/packages/graft_pypi_shop-2.1.0-py3-none-any.whl",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(head.contains("content-type: application/octet-stream"));
    assert_eq!(body, wheel.bytes);
    assert_eq!(get(addr, "/packages/nope.whl", None).await.0, 404);
}
