//! A call's arguments, from [`Args`] to Python: checked against the
//! signature when they came decoded from the wire, an argument arriving in
//! parts built as each part comes ([`FirstItems`]), then made Python objects.

use std::sync::Arc;

use graft_model::check::check_value;
use graft_model::interface::{Method, Param, ParamKind, TypeRef};
use graft_model::{BoundArgs, Value, bind};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use tokio::sync::oneshot;

use crate::call::{Args, Arriving, Callee, items_of};
use crate::deadline::Deadline;
use crate::gc_pause::GcPause;
use crate::{CallError, Host};

/// The instances of an argument's first items built so far, while the
/// rest of it comes.
pub(crate) struct FirstItems {
    /// A keyword argument's name, or empty for the first positional one.
    argument: String,
    built: Py<PyList>,
}

impl Host {
    /// Checks decoded arguments against the callee's signature.
    pub(crate) fn check(&self, callee: &Callee, args: BoundArgs) -> Result<BoundArgs, CallError> {
        bind::check(callee.signature(), args, &self.interface)
            .map_err(|e| CallError::BadArguments(e.to_string()))
    }

    /// The call's checked arguments, once all have come; with the
    /// instances of an argument built as its parts came. `limit` learns
    /// the caller's deadline when it comes with the last arguments.
    pub(crate) async fn arguments_of(
        self: &Arc<Self>,
        callee: &Callee,
        args: Args,
        limit: Option<oneshot::Sender<Option<Deadline>>>,
    ) -> Result<(BoundArgs, Option<FirstItems>), CallError> {
        match args {
            Args::Checked(args) => Ok((args, None)),
            Args::Decoded(args) => Ok((self.check(callee, args)?, None)),
            Args::Arriving(arriving) => self.gather(callee, arriving, limit).await,
        }
    }

    /// Checks and builds each part of an arriving argument as it comes (or,
    /// for a parameter that is not a list, joins the parts to check them
    /// whole), then checks the rest.
    async fn gather(
        self: &Arc<Self>,
        callee: &Callee,
        arriving: Arriving,
        limit: Option<oneshot::Sender<Option<Deadline>>>,
    ) -> Result<(BoundArgs, Option<FirstItems>), CallError> {
        let Arriving {
            argument,
            mut parts,
            rest,
        } = arriving;
        let param = streamable(callee.signature(), &argument);
        let first = FirstItems {
            argument,
            built: Python::attach(|py| PyList::empty(py).unbind()),
        };
        let mut joined = Vec::new();
        while let Some(items) = parts.recv().await {
            match param {
                Some(param) => self.extend(&first, self.check_part(param, items)?).await?,
                None => joined.extend(items_of(items)),
            }
        }
        let (mut args, deadline) = rest.await?;
        if let Some(tx) = limit {
            let _ = tx.send(deadline);
        }
        if param.is_none() {
            if let Some(last) = first.argument_in(&mut args) {
                joined.extend(items_of(std::mem::replace(last, Value::None)));
                *last = Value::List(joined);
            }
            return Ok((self.check(callee, args)?, None));
        }
        Ok((self.check(callee, args)?, Some(first)))
    }

    fn check_part(&self, param: &Param, items: Value) -> Result<Value, CallError> {
        check_value(items, &param.ty, &self.interface, &param.name).map_err(|source| {
            let err = bind::ArgError::Type {
                param: param.name.clone(),
                source,
            };
            CallError::BadArguments(err.to_string())
        })
    }

    /// Builds the instances of `items` (a list or table, already checked)
    /// and appends them to `first`, on a blocking thread.
    async fn extend(self: &Arc<Self>, first: &FirstItems, items: Value) -> Result<(), CallError> {
        let host = Arc::clone(self);
        let list = Python::attach(|py| first.built.clone_ref(py));
        let built = tokio::task::spawn_blocking(move || {
            Python::attach(|py| {
                let _pause = GcPause::new(py);
                let items = host.converter.to_python(py, &items)?;
                list.bind(py).call_method1("extend", (items,)).map(drop)
            })
        });
        match built.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(err)) => Err(Python::attach(|py| self.raised_error(py, &err))),
            Err(err) => Err(CallError::Internal(err.to_string())),
        }
    }

    /// The Python arguments; with `first`, its argument's instances are
    /// appended to those built already, and it is that list.
    pub(crate) fn python_arguments<'py>(
        &self,
        py: Python<'py>,
        args: &BoundArgs,
        first: Option<&FirstItems>,
    ) -> PyResult<(Bound<'py, PyTuple>, Bound<'py, PyDict>)> {
        let _pause = GcPause::new(py);
        let joined = |last: Bound<'py, PyAny>, first: &FirstItems| {
            let list = first.built.bind(py);
            list.call_method1("extend", (last,))?;
            Ok::<_, PyErr>(list.clone().into_any())
        };
        let mut positional = args
            .positional
            .iter()
            .map(|v| self.converter.to_python(py, v))
            .collect::<PyResult<Vec<_>>>()?;
        if let (Some(first), Some(last)) = (
            first.filter(|f| f.argument.is_empty()),
            positional.first_mut(),
        ) {
            *last = joined(last.clone(), first)?;
        }
        let keyword = PyDict::new(py);
        for (name, value) in &args.keyword {
            let mut value = self.converter.to_python(py, value)?;
            if let Some(first) = first.filter(|f| f.argument == *name) {
                value = joined(value, first)?;
            }
            keyword.set_item(self.keywords.get(py, name), value)?;
        }
        Ok((PyTuple::new(py, positional)?, keyword))
    }
}

impl FirstItems {
    /// The argument these items belong to, among `args`.
    fn argument_in<'a>(&self, args: &'a mut BoundArgs) -> Option<&'a mut Value> {
        if self.argument.is_empty() {
            return args.positional.first_mut();
        }
        let found = args.keyword.iter_mut().find(|(n, _)| *n == self.argument);
        found.map(|(_, value)| value)
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
