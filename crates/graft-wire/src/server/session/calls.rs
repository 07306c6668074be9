//! Starting calls, refusing them, and finding a running one's controls.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio_util::task::TaskTracker;

use super::{End, Next, Session};
use crate::budget::Permit;
use crate::frame::Call;
use crate::server::answer::{self, Answering, Called};
use crate::server::arriving::{Arriving, PartOf};
use crate::server::{Arguments, CallFailure, Request};
use crate::status::ProtocolCode;

impl Session {
    /// A part of call `id`'s argument: passed on, or starting the call.
    pub(super) async fn on_part(
        &self,
        id: u64,
        of: PartOf,
        value: graft_model::Value,
        arriving: &mut HashMap<u64, Arriving>,
        tracker: &TaskTracker,
    ) -> Next {
        let max = self.shared.config.max_frame_size;
        if let Some(waiting) = arriving.get_mut(&id) {
            waiting.take(&of, value, max);
            return Next::Read;
        }
        let (mut waiting, args) = Arriving::start(of.clone());
        waiting.take(&of, value, max);
        arriving.insert(id, waiting);
        let request = self.request(of.service, of.method, args, None);
        self.dispatch(id, request, Permit::none(), tracker).await
    }

    /// The Call that ends a call sent in parts: its arguments' last items,
    /// unless the dispatch refuses it for the metadata it carries.
    pub(super) fn end_parts(&self, waiting: Arriving, call: Call, held: Permit) {
        let dispatch = &self.shared.dispatch;
        match dispatch.refuses(&call.service, &call.method, &call.metadata) {
            Some(failure) => waiting.refuse(failure),
            None => waiting.finish(call, held),
        }
    }

    pub(super) async fn start_call(
        &self,
        id: u64,
        call: Call,
        held: Permit,
        tracker: &TaskTracker,
    ) -> Next {
        let Call {
            service,
            method,
            object,
            args,
            timeout,
            metadata,
        } = call;
        let mut request = self.request(service, method, Arguments::Whole(args), timeout);
        request.object = object;
        request.metadata = metadata;
        self.dispatch(id, request, held, tracker).await
    }

    fn request(
        &self,
        service: String,
        method: String,
        args: Arguments,
        timeout: Option<std::time::Duration>,
    ) -> Request {
        Request {
            service,
            method,
            args,
            timeout,
            version: self.version,
            object: String::new(),
            metadata: Vec::new(),
            connection: self.connection,
            peer: self.peer,
            caller: "",
        }
    }

    /// Hands `request` to the dispatch and answers it in a task of its own,
    /// if a place among the connection's running calls is free (else it is
    /// refused as Overloaded); the task keeps `held`, the budget its frame took.
    async fn dispatch(
        &self,
        id: u64,
        mut request: Request,
        held: Permit,
        tracker: &TaskTracker,
    ) -> Next {
        request.caller = match self.admitted(id) {
            Ok(caller) => caller,
            Err(refusal) => return refusal,
        };
        let Some(registered) = answer::register(&self.running, id) else {
            return still_running(id);
        };
        let Ok(permit) = self.permits.clone().try_acquire_owned() else {
            drop(registered);
            return self.shed(id);
        };
        let call = self.called(request);
        let answering = Answering {
            frames: self.frames(id),
            call,
            dispatch: Arc::clone(&self.shared.dispatch),
            registered,
            abort: self.abort.clone(),
            closing: self.closing.clone(),
            permit,
            held,
        };
        // Boxed: the answer's state (about 1.3 KB) is then moved as a
        // pointer into its task and between its stages, not copied.
        tracker.spawn(Box::pin(answering.run()));
        Next::Read
    }

    /// The caller the connection goes by, which every call it makes carries;
    /// or, while it has no known token (none yet, or an unknown one sent),
    /// call `id`'s refusal: no call runs for a caller not admitted.
    fn admitted(&self, id: u64) -> Result<&'static str, Next> {
        let refused = self.refused.load(Ordering::Relaxed);
        match self.caller.get() {
            Some(&caller) if !refused => Ok(caller),
            _ => Err(self.unauthenticated(id, refused)),
        }
    }

    /// `request` as its answer's task takes it. A call on an object takes
    /// its place among that object's calls now, in arrival order, which is
    /// the order they must run in; any other runs on its own task.
    fn called(&self, request: Request) -> Called {
        if request.object.is_empty() {
            Called::Later(request)
        } else {
            Called::Now(self.shared.dispatch.call(request))
        }
    }

    /// Refuses call `id` for want of a known token; after an unknown one,
    /// the connection then closes. The refusal names nothing of the server
    /// (not even its address, which the client knows: it connected to it),
    /// only what the client can do.
    fn unauthenticated(&self, id: u64, refused: bool) -> Next {
        let why = match refused {
            true => "the token sent is not known, and the connection closes",
            false => "a known token is needed and none was sent",
        };
        let why = format!("{why} (the graft's `token=` setting, or GRAFT_TOKEN)");
        self.send(&CallFailure::Unauthenticated(why).into_frame(id));
        self.shared.dispatch.unauthenticated();
        match refused {
            true => Next::End(End::Refused),
            false => Next::Read,
        }
    }

    /// The running call `id`'s credit and cancel, if it runs.
    pub(super) fn control(&self, id: u64) -> Option<answer::Control> {
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        running.get(&id).cloned()
    }

    /// Refuses call `id` at once: the connection runs as many calls as it may.
    fn shed(&self, id: u64) -> Next {
        let most = self.shared.config.max_concurrent_calls;
        let why = format!("{most} calls run on this connection already; call again later");
        self.send(&CallFailure::Overloaded(why).into_frame(id));
        self.shared.dispatch.shed();
        Next::Read
    }
}

/// Ends the connection over a call whose id is one of a call still running:
/// the client broke the protocol, and the two calls' frames could not be
/// told apart.
fn still_running(id: u64) -> Next {
    let why = format!("a call with id {id} is still running on this connection");
    Next::End(End::Fault {
        id,
        code: ProtocolCode::UnexpectedFrame,
        message: why,
    })
}
