//! The exporter's HTTP client. The SDK's batch processor exports from a
//! thread of its own, outside gg's tokio runtime, where hyper cannot run:
//! each request is sent as a task on gg's runtime instead.

use std::time::Duration;

use opentelemetry_http::hyper::HyperClient;
use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};

/// How long one export request may take (OTLP's default).
const TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug)]
pub struct OnRuntime {
    client: HyperClient,
    runtime: tokio::runtime::Handle,
}

impl OnRuntime {
    pub fn new(runtime: tokio::runtime::Handle) -> OnRuntime {
        OnRuntime {
            client: HyperClient::with_default_connector(TIMEOUT, None),
            runtime,
        }
    }
}

#[async_trait::async_trait]
impl HttpClient for OnRuntime {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let client = self.client.clone();
        let sent = self
            .runtime
            .spawn(async move { client.send_bytes(request).await });
        sent.await?
    }
}
