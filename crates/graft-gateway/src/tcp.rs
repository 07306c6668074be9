//! The TCP side of the gateway: Graft's binary protocol (`graft-wire`) over
//! the hosted modules. Arguments arrive decoded; they are checked against the
//! interface here, as the HTTP side checks JSON, before Python sees them.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use graft_model::{BoundArgs, Value, bind};
use graft_python::{CallError, Host};
use graft_wire::{CallFailure, Dispatch, PartSender};

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
        let limit = match (timeout, self.call_timeout) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Box::pin(async move {
            let iface = host.interface();
            let Some(signature) = iface.method(&service, &method) else {
                let err = match iface.service(&service) {
                    None => CallError::NoService(service),
                    Some(_) => CallError::NoMethod { service, method },
                };
                return Err(CallFailure::NotFound(err.to_string()));
            };
            let args = bind::check(signature, args, iface)
                .map_err(|e| CallFailure::BadArguments(e.to_string()))?;
            let call = host.call_in_parts(&service, &method, args, parts);
            let outcome = match limit {
                None => call.await,
                Some(limit) => tokio::time::timeout(limit, call).await.map_err(|_| {
                    CallFailure::DeadlineExceeded(format!(
                        "{service}.{method} did not finish within {} s",
                        limit.as_secs_f64()
                    ))
                })?,
            };
            outcome.map_err(|err| match err {
                CallError::Raised(raised) => CallFailure::Raised(*raised),
                err @ (CallError::NoService(_) | CallError::NoMethod { .. }) => {
                    CallFailure::NotFound(err.to_string())
                }
                err @ CallError::Internal(_) => CallFailure::Internal(err.to_string()),
            })
        })
    }
}
