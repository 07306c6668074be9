//! Calls one of whose arguments, a list, comes in CallPart frames ahead of
//! the Call itself: the read loop passes each part on as it comes, and the
//! Call last, so the dispatch may start on the parts meanwhile.

use graft_model::{BoundArgs, Value};
use tokio::sync::{mpsc, oneshot};

use super::{Arguments, CallFailure};
use crate::budget::Permit;
use crate::frame::Call;

/// What a call's parts are of: its service, method and argument (a keyword
/// argument's name, or empty for the first positional one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PartOf {
    pub service: String,
    pub method: String,
    pub argument: String,
}

/// A call whose argument is still coming in parts, as the read loop keeps it.
pub(super) struct Arriving {
    /// What its first part named: every later part names the same.
    of: PartOf,
    /// To its dispatch; None once it failed.
    parts: Option<mpsc::UnboundedSender<Value>>,
    /// The call itself, when it comes, with the budget its frame holds; or
    /// why it cannot run.
    call: Option<oneshot::Sender<Result<(Call, Permit), CallFailure>>>,
    /// The parts' size so far, against the server's frame limit.
    size: usize,
}

impl Arriving {
    /// A call whose first part names `of`, and its arguments for the dispatch.
    pub fn start(of: PartOf) -> (Arriving, Arguments) {
        let (parts_tx, parts) = mpsc::unbounded_channel();
        let (call_tx, call_rx) = oneshot::channel();
        let rest = Box::pin(rest(of.clone(), call_rx));
        let args = Arguments::InParts {
            argument: of.argument.clone(),
            parts,
            rest,
        };
        let arriving = Arriving {
            of,
            parts: Some(parts_tx),
            call: Some(call_tx),
            size: 0,
        };
        (arriving, args)
    }

    /// Passes one part on, unless it names another call or argument than
    /// the first, or the parts together pass `max` bytes: then the call
    /// fails (its dispatch hears why) and later parts are dropped.
    pub fn take(&mut self, of: &PartOf, value: Value, max: u32) {
        self.size += crate::codec::size_hint(&value);
        let wrong = if *of != self.of {
            Some(format!(
                "a part for {}.{} ({}) came among parts for {}.{} ({})",
                of.service,
                of.method,
                of.argument,
                self.of.service,
                self.of.method,
                self.of.argument
            ))
        } else if self.size > max as usize {
            Some(format!(
                "the call's parts pass the server's limit of {max} bytes"
            ))
        } else {
            None
        };
        if let Some(why) = wrong {
            self.fail(why);
        }
        if let Some(tx) = &self.parts {
            let _ = tx.send(value);
        }
    }

    /// The Call has come, holding `held` of the budget: the parts are over.
    pub fn finish(mut self, call: Call, held: Permit) {
        self.parts = None;
        if let Some(tx) = self.call.take() {
            let _ = tx.send(Ok((call, held))); // its dispatch may have failed already
        }
    }

    /// The Call has come, but the dispatch refuses it ([`super::Dispatch::refuses`]).
    pub fn refuse(mut self, failure: CallFailure) {
        self.end(failure);
    }

    fn fail(&mut self, why: String) {
        self.end(CallFailure::BadArguments(why));
    }

    fn end(&mut self, failure: CallFailure) {
        if let Some(tx) = self.call.take() {
            let _ = tx.send(Err(failure));
        }
        self.parts = None;
    }
}

/// The Call that ends a call sent in parts, once it has come: checked to
/// name the parts' service and method and to hold their argument, a list.
async fn rest(
    of: PartOf,
    call: oneshot::Receiver<Result<(Call, Permit), CallFailure>>,
) -> Result<(BoundArgs, Option<std::time::Duration>), CallFailure> {
    let (mut call, _held) = call.await.map_err(|_| {
        CallFailure::Internal("the call's parts came, the call itself never did".into())
    })??;
    let PartOf {
        service,
        method,
        argument,
    } = &of;
    if call.service != *service || call.method != *method {
        return Err(CallFailure::BadArguments(format!(
            "the call to {}.{} came after parts sent for {service}.{method}",
            call.service, call.method
        )));
    }
    match argument_in(&mut call.args, argument) {
        Some(Value::List(_) | Value::Table(_)) => Ok((call.args, call.timeout)),
        _ => {
            let name = if argument.is_empty() {
                "the first positional one"
            } else {
                argument
            };
            Err(CallFailure::BadArguments(format!(
                "{service}.{method}: the argument sent in parts ({name}) is not a list in the call"
            )))
        }
    }
}

/// The argument `argument` (a keyword argument's name, or empty for the
/// first positional one) among `args`.
pub(super) fn argument_in<'a>(args: &'a mut BoundArgs, argument: &str) -> Option<&'a mut Value> {
    if argument.is_empty() {
        return args.positional.first_mut();
    }
    let found = args.keyword.iter_mut().find(|(name, _)| *name == argument);
    found.map(|(_, value)| value)
}
