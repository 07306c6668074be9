//! The TCP side of the gateway: Graft's binary protocol (`graft-wire`) over
//! the hosted modules. Arguments arrive decoded; they are checked against the
//! interface here, as the HTTP side checks JSON, before Python sees them.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use graft_model::check::check_value;
use graft_model::interface::ParamKind;
use graft_model::interface::{Interface, Method};
use graft_model::{BoundArgs, Value, bind};
use graft_python::FirstItems;
use graft_python::{CallError, Host};
use graft_wire::{Call, CallFailure, Dispatch, PartReceiver, PartSender, streamed_call};
use tokio::sync::oneshot;

/// Runs wire calls on the host.
pub struct HostDispatch {
    pub host: Arc<Host>,
    /// `--callTimeout`: a caller's own timeout may only be shorter.
    pub call_timeout: Option<Duration>,
}

impl Dispatch for HostDispatch {
    fn call(
        &self,
        service: String,
        method: String,
        args: BoundArgs,
        timeout: Option<Duration>,
    ) -> BoxFuture<'static, Result<Value, CallFailure>> {
        self.run(service, method, args, timeout, None)
    }

    fn call_in_parts(
        &self,
        service: String,
        method: String,
        args: BoundArgs,
        timeout: Option<Duration>,
        parts: PartSender,
    ) -> BoxFuture<'static, Result<Value, CallFailure>> {
        self.run(service, method, args, timeout, Some(parts))
    }

    /// Checks each part of the first argument against its parameter and
    /// builds its instances as it comes, while the caller still sends the
    /// rest; the call runs once its last items came.
    fn call_streamed(
        self: Arc<Self>,
        service: String,
        method: String,
        mut parts: PartReceiver,
        call: oneshot::Receiver<Result<Call, String>>,
        reply_parts: PartSender,
    ) -> BoxFuture<'static, Result<Value, CallFailure>> {
        Box::pin(async move {
            let host = Arc::clone(&self.host);
            let iface = host.interface();
            let signature = signature(iface, &service, &method)?;
            let param = signature.params.first().filter(|p| {
                matches!(
                    p.kind,
                    ParamKind::PositionalOnly | ParamKind::PositionalOrKeyword
                )
            });
            let Some(param) = param else {
                return Err(CallFailure::BadArguments(format!(
                    "{service}.{method} has no first positional parameter to send in parts"
                )));
            };
            let first = FirstItems::new();
            while let Some(part) = parts.recv().await {
                let part = check_value(part, &param.ty, iface, &param.name).map_err(|source| {
                    let err = bind::ArgError::Type {
                        param: param.name.clone(),
                        source,
                    };
                    CallFailure::BadArguments(err.to_string())
                })?;
                host.extend(&first, part).await.map_err(failure)?;
            }
            let call = streamed_call(call, &service, &method).await?;
            let args = bind::check(signature, call.args, iface)
                .map_err(|e| CallFailure::BadArguments(e.to_string()))?;
            let running = host.call_streamed(&service, &method, args, first, Some(reply_parts));
            within(self.limit(call.timeout), running, &service, &method).await
        })
    }
}

impl HostDispatch {
    fn run(
        &self,
        service: String,
        method: String,
        args: BoundArgs,
        timeout: Option<Duration>,
        parts: Option<PartSender>,
    ) -> BoxFuture<'static, Result<Value, CallFailure>> {
        let host = Arc::clone(&self.host);
        let limit = self.limit(timeout);
        Box::pin(async move {
            let iface = host.interface();
            let signature = signature(iface, &service, &method)?;
            let args = bind::check(signature, args, iface)
                .map_err(|e| CallFailure::BadArguments(e.to_string()))?;
            let running = host.call_in_parts(&service, &method, args, parts);
            within(limit, running, &service, &method).await
        })
    }

    /// The caller's timeout, no longer than `--callTimeout`.
    fn limit(&self, timeout: Option<Duration>) -> Option<Duration> {
        match (timeout, self.call_timeout) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// The method's signature, or NotFound naming what is missing.
fn signature<'a>(
    iface: &'a Interface,
    service: &str,
    method: &str,
) -> Result<&'a Method, NotFound> {
    let found = iface
        .method(service, method)
        .ok_or_else(|| match iface.service(service) {
            None => CallError::NoService(service.into()),
            Some(_) => CallError::NoMethod {
                service: service.into(),
                method: method.into(),
            },
        });
    found.map_err(|err| NotFound(err.to_string()))
}

/// No such service or method: the message says which.
struct NotFound(String);

impl From<NotFound> for CallFailure {
    fn from(NotFound(message): NotFound) -> CallFailure {
        CallFailure::NotFound(message)
    }
}

/// Waits for a host call for at most `limit`.
async fn within(
    limit: Option<Duration>,
    running: impl Future<Output = Result<Value, CallError>>,
    service: &str,
    method: &str,
) -> Result<Value, CallFailure> {
    let outcome = match limit {
        None => running.await,
        Some(limit) => tokio::time::timeout(limit, running).await.map_err(|_| {
            CallFailure::DeadlineExceeded(format!(
                "{service}.{method} did not finish within {} s",
                limit.as_secs_f64()
            ))
        })?,
    };
    outcome.map_err(failure)
}

fn failure(err: CallError) -> CallFailure {
    match err {
        CallError::Raised(raised) => CallFailure::Raised(*raised),
        err @ (CallError::NoService(_) | CallError::NoMethod { .. }) => {
            CallFailure::NotFound(err.to_string())
        }
        err @ CallError::Internal(_) => CallFailure::Internal(err.to_string()),
    }
}
