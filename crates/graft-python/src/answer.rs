//! The answer of one [`Call`]: its parts as they come, then its end, read
//! within the caller's deadline (for a stream, each next item's).

use std::time::Duration;

use futures::future::BoxFuture;
use graft_model::Value;
use tokio::sync::{mpsc, oneshot};

use crate::CallError;
use crate::call::{Call, Callee, Part, items_of};
use crate::deadline::Deadline;

/// The answer of one [`Call`], read with [`Answer::next`]. Dropping it
/// stops the call: a coroutine is cancelled, a generator closed.
pub struct Answer {
    /// Where the parts come from; none for an answer known as it was made.
    parts: Option<mpsc::Receiver<Part>>,
    /// The end of an answer known as it was made (a quick method run
    /// where it was called, a refusal): no channel, no timer.
    end: Option<Part>,
    /// Runs the call, producing into `parts`, while the answer is read.
    driver: Option<BoxFuture<'static, ()>>,
    limit: Limit,
    /// Whether the call streams (its deadline then bounds each item).
    streams: bool,
    /// What was called, for messages.
    callee: Callee,
    ended: bool,
    /// The call's place among those the host runs, held while it is read.
    _slot: Option<crate::admission::Slot>,
}

/// How close to its deadline a raised timeout counts as the call's own.
const NEAR_DEADLINE: Duration = Duration::from_millis(20);

/// When the caller stops waiting.
enum Limit {
    None,
    /// This long from now: for the whole answer, or for each next part of a stream.
    After(Deadline, tokio::time::Instant),
    /// Known once the last arguments arrived (see [`Arriving::rest`]).
    Later(oneshot::Receiver<Option<Deadline>>),
}

impl Answer {
    pub(crate) fn new(call: &Call) -> Answer {
        let limit = Limit::from(call.deadline);
        Answer {
            parts: None,
            end: None,
            driver: None,
            limit,
            streams: call.callee.signature().streams,
            callee: call.callee.clone(),
            ended: false,
            _slot: None,
        }
    }

    pub(crate) fn holding(mut self, slot: crate::admission::Slot) -> Answer {
        self._slot = Some(slot);
        self
    }

    /// The answer, read from `parts` while `driver` produces them.
    pub(crate) fn driven_by(
        mut self,
        parts: mpsc::Receiver<Part>,
        driver: BoxFuture<'static, ()>,
    ) -> Answer {
        self.parts = Some(parts);
        self.driver = Some(driver);
        self
    }

    /// The answer whose end is known already.
    pub(crate) fn ended_with(mut self, end: Result<Value, CallError>) -> Answer {
        self.end = Some(Part::Done(end));
        self
    }

    pub(crate) fn limited_later(mut self, limit: oneshot::Receiver<Option<Deadline>>) -> Answer {
        self.limit = Limit::Later(limit);
        self
    }

    /// Whether the call's method streams its results.
    pub fn streams(&self) -> bool {
        self.streams
    }

    /// The next part; `None` once [`Part::Done`] has been read. Past the
    /// deadline, the call is stopped and its end is a
    /// [`CallError::DeadlineExceeded`].
    pub async fn next(&mut self) -> Option<Part> {
        if self.ended {
            return None;
        }
        if let Some(end) = self.end.take() {
            self.stop();
            return Some(self.timed_out(end));
        }
        if self.streams {
            // Each next item has the whole limit, from when it is asked for.
            self.restart_limit();
        }
        let part = loop {
            let (parts, driver) = (&mut self.parts, &mut self.driver);
            match &mut self.limit {
                Limit::None => break Self::recv(parts, driver).await,
                Limit::After(_, at) => {
                    match tokio::time::timeout_at(*at, Self::recv(parts, driver)).await {
                        Ok(part) => break part,
                        Err(_) => break Part::Done(Err(self.expired())),
                    }
                }
                Limit::Later(rx) => {
                    let limit = tokio::select! {
                        limit = rx => limit.ok().flatten(),
                        part = Self::recv(parts, driver) => break part,
                    };
                    self.limit = Limit::from(limit);
                }
            }
        };
        if let Part::Done(_) = part {
            self.stop();
        }
        Some(self.timed_out(part))
    }

    /// A timeout the method raised at its deadline (a Graft it called got
    /// only what was left, so it gave up a moment earlier) is the call's own.
    fn timed_out(&self, part: Part) -> Part {
        let Limit::After(_, at) = self.limit else {
            return part;
        };
        match part {
            Part::Done(Err(CallError::Raised(raised)))
                if raised.type_name.contains("Timeout")
                    && tokio::time::Instant::now() + NEAR_DEADLINE >= at =>
            {
                Part::Done(Err(self.expired()))
            }
            part => part,
        }
    }

    async fn recv(
        parts: &mut Option<mpsc::Receiver<Part>>,
        driver: &mut Option<BoxFuture<'static, ()>>,
    ) -> Part {
        let Some(parts) = parts else {
            return lost();
        };
        loop {
            let Some(running) = driver.as_mut() else {
                return parts.recv().await.unwrap_or_else(lost);
            };
            tokio::select! {
                biased;
                part = parts.recv() => return part.unwrap_or_else(lost),
                () = running => *driver = None,
            }
        }
    }

    fn restart_limit(&mut self) {
        if let Limit::After(deadline, at) = &mut self.limit {
            *at = tokio::time::Instant::now() + deadline.limit;
        }
    }

    /// The one timeout message, over HTTP and TCP alike: what was called,
    /// the limit, and what set it.
    fn expired(&self) -> CallError {
        let Limit::After(deadline, _) = self.limit else {
            unreachable!("only a set limit expires")
        };
        let what = if self.streams {
            "produced no next item"
        } else {
            "did not finish"
        };
        CallError::DeadlineExceeded(format!(
            "{} {what} within {} s ({})",
            self.callee.name(),
            deadline.limit.as_secs_f64(),
            deadline.set_by
        ))
    }

    /// Stops the call: no more parts are read.
    fn stop(&mut self) {
        self.ended = true;
        self.driver = None;
        if let Some(parts) = &mut self.parts {
            parts.close();
        }
    }

    /// Reads the whole answer: the returned value (with any parts joined
    /// in), or a streaming method's items as one list.
    pub async fn value(mut self) -> Result<Value, CallError> {
        let mut items = Vec::new();
        while let Some(part) = self.next().await {
            match part {
                Part::Items(value) => items.extend(items_of(value)),
                Part::Done(Ok(value)) if items.is_empty() && !self.streams => return Ok(value),
                Part::Done(Ok(_)) if self.streams => return Ok(Value::List(items)),
                Part::Done(Ok(last)) => {
                    items.extend(items_of(last));
                    return Ok(Value::List(items));
                }
                Part::Done(Err(err)) => return Err(err),
            }
        }
        Err(lost_error())
    }
}

impl From<Option<Deadline>> for Limit {
    /// A limit from now.
    fn from(deadline: Option<Deadline>) -> Limit {
        match deadline {
            Some(d) => Limit::After(d, tokio::time::Instant::now() + d.limit),
            None => Limit::None,
        }
    }
}

fn lost() -> Part {
    Part::Done(Err(lost_error()))
}

fn lost_error() -> CallError {
    CallError::Internal("the call ended without an answer".into())
}
