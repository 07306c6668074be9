//! The hello exchange against a real server: which hellos it accepts, and
//! in which version it answers.

use std::net::SocketAddr;
use std::time::Duration;

use graft_wire::handshake::{HELLO_BYTES, hello_status};
use graft_wire::{Hello, OLDEST_VERSION, ServerConfig, VERSION};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::start;

/// Sends `ours` and returns the server's hello.
async fn exchange(addr: SocketAddr, ours: Hello) -> Hello {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(&ours.encode()).await.unwrap();
    let mut theirs = [0u8; HELLO_BYTES];
    stream.read_exact(&mut theirs).await.unwrap();
    Hello::decode(&theirs).unwrap()
}

#[tokio::test]
async fn each_supported_version_is_answered_in_its_own_version() {
    let server = start(ServerConfig::default()).await;
    assert_eq!((OLDEST_VERSION, VERSION), (3, 8));
    for version in OLDEST_VERSION..=VERSION {
        let ours = Hello {
            version,
            ..Hello::new(1 << 20, 10_000)
        };
        let theirs = exchange(server.addr, ours).await;
        assert_eq!((theirs.version, theirs.status), (version, hello_status::OK));
    }
}

#[tokio::test]
async fn a_client_hello_with_a_status_is_refused() {
    let server = start(ServerConfig::default()).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let ours = Hello {
        status: 7,
        ..Hello::new(1 << 20, 10_000)
    };
    stream.write_all(&ours.encode()).await.unwrap();
    let mut theirs = [0u8; HELLO_BYTES];
    stream.read_exact(&mut theirs).await.unwrap();
    let theirs = Hello::decode(&theirs).unwrap();
    assert_eq!(theirs.status, hello_status::INVALID_HELLO);
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut rest));
    assert_eq!(read.await.unwrap().unwrap(), 0, "the server closes");
}
