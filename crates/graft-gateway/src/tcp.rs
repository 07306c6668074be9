//! The TCP side of the gateway: Graft's binary protocol (`graft-wire`) over
//! the hosted modules. Each request becomes one [`graft_python::Call`], as
//! HTTP's do; the host checks its decoded arguments against the interface
//! before Python sees them.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use graft_model::Value;
use graft_python::{Args, Arriving, Call, CallError, Deadline, Host, Part, RELEASE};
use graft_wire::{Arguments, CallFailure, Dispatch, Replies, Reply, Request};

use crate::index::versions;
use crate::observe::{self, Observed, Protocol};

/// Why a call is refused before it begins: its `outcome` label in
/// `graft_calls_refused_total`, and what the caller hears.
type Refusal = (&'static str, CallFailure);

/// Runs wire calls on the host.
pub struct HostDispatch {
    pub host: Arc<Host>,
    /// `--callTimeout`: a caller's own timeout may only be shorter.
    pub call_timeout: Option<Duration>,
    /// Where its calls come from: TCP, or a broker's queues (`crate::broker`).
    pub protocol: Protocol,
}

impl Dispatch for HostDispatch {
    fn call(&self, request: Request) -> Replies {
        if request.method == RELEASE {
            return self.release(request.service, request.object);
        }
        match self.call_of(request) {
            Ok((call, caller)) => replies(observe::run(&self.host, call, self.protocol, caller)),
            Err((outcome, failure)) => {
                crate::metrics::refused(self.protocol, outcome);
                failed(failure)
            }
        }
    }

    /// A call past `--maxInFlightPerConnection`, refused by the wire server.
    fn shed(&self) {
        graft_python::admission::count_shed();
    }

    /// `--authTokens`: a connection calls once its Auth frame brought a known
    /// token, under that token's name.
    fn admits(&self, token: Option<&str>) -> Option<&'static str> {
        crate::auth::admit(token.map(str::as_bytes))
    }

    fn unauthenticated(&self) {
        crate::metrics::refused(Protocol::Tcp, "unauthenticated");
    }

    /// A call sent in parts is checked against its graft's version once
    /// its Call, which carries the metadata, comes (`index::versions`).
    fn refuses(
        &self,
        service: &str,
        method: &str,
        metadata: &[(String, String)],
    ) -> Option<CallFailure> {
        let failure = version_refusal(metadata, service, method)?;
        crate::metrics::refused(self.protocol, "not_found");
        Some(failure)
    }
}

impl HostDispatch {
    /// The one call `request` makes, and who makes it; or why it is
    /// refused before it begins.
    fn call_of(&self, request: Request) -> Result<(Call, observe::Caller), Refusal> {
        let Request {
            service,
            method,
            object,
            args,
            timeout,
            version,
            mut metadata,
            connection,
            peer,
            caller,
        } = request;
        if let Some(failure) = version_refusal(&metadata, &service, &method) {
            return Err(("not_found", failure));
        }
        versions::strip(&mut metadata);
        let callee = self.callee(&service, &object, &method, version)?;
        let cap = self.call_timeout;
        // Arguments that do not fit are refused before the call begins, as HTTP's 400s are.
        let args = arguments(args, cap, &callee, self.host.interface())
            .map_err(|message| ("bad_arguments", CallFailure::BadArguments(message)))?;
        let call = Call {
            callee: callee.owned_by(connection),
            args,
            deadline: Deadline::shorter(timeout, cap),
            metadata,
            in_parts: version >= 4,
        };
        let caller = observe::Caller {
            peer: Some(peer),
            token: caller,
        };
        Ok((call, caller))
    }

    /// What `service.method` (of the object `object`, if one is named)
    /// calls, if a client speaking `version` may call it.
    fn callee(
        &self,
        service: &str,
        object: &str,
        method: &str,
        version: u16,
    ) -> Result<graft_python::Callee, Refusal> {
        let found = if object.is_empty() {
            self.host.lookup(service, method)
        } else {
            self.host.lookup_object(service, object, method)
        };
        let callee = found.map_err(|err| (observe::outcome_of(Some(&err)), failure(err)))?;
        // OBJECTS is the newest version a method can need: no need to ask.
        if version < graft_model::version::OBJECTS {
            let needs = graft_model::needs_version(callee.signature(), self.host.interface());
            if version < needs {
                let why = too_old(&callee, needs, version);
                return Err(("too_old", CallFailure::Internal(why)));
            }
        }
        Ok(callee)
    }

    /// `__release__`: the object leaves the gateway once its calls before this one end.
    fn release(&self, service: String, object: String) -> Replies {
        let host = Arc::clone(&self.host);
        Replies::value(async move {
            let released = host.release(&service, &object).await;
            released.map(|()| Value::None).map_err(failure)
        })
    }
}

/// A request's arguments as the host takes them: whole ones checked against
/// `callee`'s parameters (Err: why they do not fit); those arriving in parts
/// are checked as they come, and bring the caller's timeout, no longer than `cap`.
fn arguments(
    args: Arguments,
    cap: Option<Duration>,
    callee: &graft_python::Callee,
    iface: &graft_model::Interface,
) -> Result<Args, String> {
    Ok(match args {
        Arguments::Whole(args) => {
            let checked = graft_model::bind::check(callee.signature(), args, iface);
            Args::Checked(checked.map_err(|err| err.to_string())?)
        }
        Arguments::InParts {
            argument,
            parts,
            rest,
        } => Args::Arriving(Arriving {
            argument,
            parts,
            rest: Box::pin(async move {
                let (args, timeout) = rest.await.map_err(call_error)?;
                Ok((args, Deadline::shorter(timeout, cap)))
            }),
        }),
    })
}

/// Why a client of `version` cannot call `callee`, which needs `needs`.
fn too_old(callee: &graft_python::Callee, needs: u16, version: u16) -> String {
    let what = if needs >= graft_model::version::OBJECTS {
        "uses remote objects or value types"
    } else {
        "streams its results"
    };
    format!(
        "{} {what}, which needs protocol version {needs}; this connection speaks version \
         {version}: install the graft again from the gateway's index (pip install -U)",
        callee.name()
    )
}

/// The answer as the wire server reads it.
fn replies(answer: Observed) -> Replies {
    let streams = answer.streams();
    let parts = futures::stream::unfold(answer, |mut answer| async move {
        let reply = match answer.next().await? {
            Part::Items(value) => Reply::Items(value),
            Part::Done(outcome) => Reply::Done(outcome.map_err(failure)),
        };
        Some((reply, answer))
    });
    Replies {
        streams,
        parts: parts.boxed(),
    }
}

fn failed(failure: CallFailure) -> Replies {
    Replies::value(std::future::ready(Err(failure)))
}

fn failure(err: CallError) -> CallFailure {
    match err {
        CallError::Raised(mut raised) => {
            if let Some(id) = crate::errors::conceal(&mut raised) {
                raised.traceback = crate::errors::traceback_note(&id);
            }
            CallFailure::Raised(raised)
        }
        err @ (CallError::NoService(_)
        | CallError::NoMethod { .. }
        | CallError::Unavailable { .. }
        | CallError::NoObject { .. }
        | CallError::NeedsObject { .. }
        | CallError::Refused(_)) => CallFailure::NotFound(err.to_string()),
        CallError::TooManyObjects(message) => CallFailure::Internal(message),
        CallError::BadArguments(message) => CallFailure::BadArguments(message),
        CallError::DeadlineExceeded(message) => CallFailure::DeadlineExceeded(message),
        CallError::Overloaded(message) => CallFailure::Overloaded(message),
        err @ CallError::Internal(_) => CallFailure::Internal(err.to_string()),
    }
}

/// Why a call of `service.method` is refused for the graft version its
/// `metadata` names, if it is (`index::versions`).
fn version_refusal(
    metadata: &[(String, String)],
    service: &str,
    method: &str,
) -> Option<CallFailure> {
    let graft = versions::in_metadata(metadata);
    versions::refused(graft, service, method).map(CallFailure::NotFound)
}

/// Why arguments sent in parts cannot make a call, as the host's error.
fn call_error(failure: CallFailure) -> CallError {
    match failure {
        CallFailure::BadArguments(message) => CallError::BadArguments(message),
        CallFailure::NotFound(message) => CallError::Refused(message),
        other => CallError::Internal(other.to_string()),
    }
}
