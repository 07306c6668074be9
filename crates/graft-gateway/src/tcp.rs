//! The TCP side of the gateway: Graft's binary protocol (`graft-wire`) over
//! the hosted modules. Arguments arrive decoded; they are checked against the
//! interface here, as the HTTP side checks JSON, before Python sees them.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use graft_model::check::check_value;
use graft_model::interface::{Interface, Method, Param};
use graft_model::interface::{ParamKind, TypeRef};
use graft_model::{BoundArgs, Value, bind};
use graft_python::FirstItems;
use graft_python::{CallError, Host};
use graft_wire::{
    Call, CallFailure, Dispatch, PartOf, PartReceiver, PartSender, joined_call, streamed_call,
};
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

    /// Checks each part of the argument against its parameter and builds
    /// its instances as it comes, while the caller still sends the rest;
    /// the call runs once its last items came (see [`streamable`]).
    fn call_streamed(
        self: Arc<Self>,
        part: PartOf,
        mut parts: PartReceiver,
        call: oneshot::Receiver<Result<Call, String>>,
        reply_parts: PartSender,
    ) -> BoxFuture<'static, Result<Value, CallFailure>> {
        Box::pin(async move {
            let host = Arc::clone(&self.host);
            let iface = host.interface();
            let (service, method) = (part.service.as_str(), part.method.as_str());
            let signature = signature(iface, service, method)?;
            let Some(param) = streamable(signature, &part.argument) else {
                let call = joined_call(&part, parts, call).await?;
                let running = self.run(
                    call.service,
                    call.method,
                    call.args,
                    call.timeout,
                    Some(reply_parts),
                );
                return running.await;
            };
            let first = FirstItems::new(&part.argument);
            while let Some(items) = parts.recv().await {
                let items =
                    check_value(items, &param.ty, iface, &param.name).map_err(|source| {
                        let err = bind::ArgError::Type {
                            param: param.name.clone(),
                            source,
                        };
                        CallFailure::BadArguments(err.to_string())
                    })?;
                host.extend(&first, items).await.map_err(failure)?;
            }
            let call = streamed_call(&part, call).await?;
            let args = bind::check(signature, call.args, iface)
                .map_err(|e| CallFailure::BadArguments(e.to_string()))?;
            let running = host.call_streamed(service, method, args, first, Some(reply_parts));
            within(self.limit(call.timeout), running, service, method).await
        })
    }
}

/// The parameter a call's `argument` (a keyword argument's name, or empty
/// for the first positional one) is passed to, if its parts may be built
/// as they come: one declared as a list. Any other (a tuple, a set, a
/// union: a caller may pass a list for it) gets the parts joined first and
/// is checked whole, as in a call sent at once.
fn streamable<'a>(signature: &'a Method, argument: &str) -> Option<&'a Param> {
    let param = if argument.is_empty() {
        signature.params.first().filter(|p| {
            matches!(
                p.kind,
                ParamKind::PositionalOnly | ParamKind::PositionalOrKeyword
            )
        })
    } else {
        signature.param(argument).filter(|p| {
            matches!(
                p.kind,
                ParamKind::PositionalOrKeyword | ParamKind::KeywordOnly
            )
        })
    };
    param.filter(|p| matches!(p.ty, TypeRef::List { .. }))
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
