//! The HTTP listeners, over TLS or not, as axum serves them. TLS handshakes
//! run on tasks of their own, so a slow or silent client holds up no other.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::AsyncWriteExt as _;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tokio_util::either::Either;

use super::{HANDSHAKE_TIMEOUT, Side, Tls};

/// Connections handed to axum: bare, or after their TLS handshake.
pub struct Listener {
    local: SocketAddr,
    inner: Inner,
}

type Slot = mpsc::OwnedPermit<(TlsStream<TcpStream>, SocketAddr)>;

enum Inner {
    Plain(TcpListener),
    Tls(mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>),
}

/// `tcp` as axum's listener for `side`: over TLS when the gateway has it.
pub fn listen(tcp: TcpListener, tls: Option<&Arc<Tls>>, side: Side) -> io::Result<Listener> {
    let local = tcp.local_addr()?;
    let inner = match tls {
        None => Inner::Plain(tcp),
        Some(tls) => Inner::Tls(handshaking(tcp, Arc::clone(tls), side)),
    };
    Ok(Listener { local, inner })
}

/// Connections accepted and not yet taken by the server, handshakes
/// included; past it, accepting waits (as a full backlog does).
const WAITING: usize = 1024;

/// Accepts on `tcp` and shakes hands with each client on its own task; the
/// connections that made it come out of the receiver. Stops accepting once
/// the receiver is dropped (the server stopped).
fn handshaking(
    tcp: TcpListener,
    tls: Arc<Tls>,
    side: Side,
) -> mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)> {
    let (ready, connections) = mpsc::channel(WAITING);
    tokio::spawn(async move {
        while let Ok(slot) = ready.clone().reserve_owned().await {
            let accepted = tokio::select! {
                accepted = tcp.accept() => accepted,
                () = ready.closed() => return,
            };
            let (stream, peer) = match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    tracing::warn!("accept failed: {err}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(shake(stream, peer, tls.acceptor(side), slot));
        }
    });
    connections
}

/// One client's handshake; the connection takes its `slot` once it made it.
async fn shake(mut stream: TcpStream, peer: SocketAddr, acceptor: TlsAcceptor, slot: Slot) {
    let handshake = async {
        refuse_plain_http(&mut stream).await?;
        acceptor.accept(stream).await
    };
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake).await {
        Ok(Ok(stream)) => drop(slot.send((stream, peer))),
        Ok(Err(err)) => tracing::debug!(%peer, "TLS handshake failed: {err}"),
        Err(_) => tracing::debug!(%peer, "no TLS handshake in time"),
    }
}

/// What a plain HTTP request to a TLS port is told.
const PLAIN_HTTP: &str = "This port serves HTTPS: call it with https://\n";

/// A client that starts with plain HTTP (a letter where TLS sends 0x16) is
/// told to use https and closed, rather than sent a TLS alert it cannot read.
async fn refuse_plain_http(stream: &mut TcpStream) -> io::Result<()> {
    let mut first = [0u8; 1];
    if stream.peek(&mut first).await? == 1 && first[0].is_ascii_uppercase() {
        let answer = format!(
            "HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\nconnection: close\r\n\
             content-length: {}\r\n\r\n{PLAIN_HTTP}",
            PLAIN_HTTP.len()
        );
        let _ = stream.write_all(answer.as_bytes()).await;
        let _ = stream.shutdown().await;
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "a plain HTTP request",
        ));
    }
    Ok(())
}

impl axum::serve::Listener for Listener {
    type Io = Either<TcpStream, TlsStream<TcpStream>>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, SocketAddr) {
        match &mut self.inner {
            Inner::Plain(tcp) => {
                let (stream, peer) = axum::serve::Listener::accept(tcp).await;
                (Either::Left(stream), peer)
            }
            Inner::Tls(connections) => match connections.recv().await {
                Some((stream, peer)) => (Either::Right(stream), peer),
                // The accepting task never ends while this receiver lives.
                None => std::future::pending().await,
            },
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local)
    }
}
