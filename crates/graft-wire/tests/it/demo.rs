//! [`Demo`]: a small [`Dispatch`] for these tests and the example server
//! (`examples/echo_server.rs` includes this file), so every client
//! implementation can be tested against a real server without Python.
//!
//! Service `Demo`, methods:
//! - `echo(value)`: returns `value` (positional, or keyword `value`);
//! - `echo_args(*args, **kwargs)`: returns `(list(args), dict(kwargs))`;
//! - `sleep(ms, value=None)`: waits `ms` milliseconds, then returns `value`;
//! - `fail(sku)`: raises `shop.OutOfStock(sku)` with field `sku` and a traceback;
//! - `add(a, b)`: integer sum; `TypeError`-style failure on other arguments;
//! - `echo_in_parts(items, size)`: returns the list `items`; to a client that
//!   takes parts (version 4), all but the last `size` of them go ahead in
//!   parts of `size` items;
//! - `count(n)`: streams `0, 1, ..., n-1` (version 5).

use std::time::Duration;

use futures::StreamExt;
use graft_model::{BoundArgs, Raised, Value};

use graft_wire::server::{CallFailure, Dispatch, Replies, Reply, Request};

/// The demo service; see the module documentation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Demo;

impl Dispatch for Demo {
    fn call(&self, request: Request) -> Replies {
        let streams = request.method == "count";
        let replies = async move {
            let Request {
                service,
                method,
                args,
                version,
                timeout,
                ..
            } = request;
            let mut parts = Vec::new();
            let outcome = match args.joined().await {
                Ok(_) if service != "Demo" => Err(CallFailure::NotFound(format!(
                    "no service named \"{service}\""
                ))),
                Ok((args, late)) => {
                    let running = run(&method, args, version, &mut parts);
                    within(timeout.or(late), running, &method).await
                }
                Err(failure) => Err(failure),
            };
            parts.push(Reply::Done(outcome));
            futures::stream::iter(parts)
        };
        Replies {
            streams,
            parts: Box::pin(futures::stream::once(replies).flatten()),
        }
    }
}

/// `running`, or a DeadlineExceeded failure once `limit` passed.
async fn within(
    limit: Option<Duration>,
    running: impl Future<Output = Result<Value, CallFailure>>,
    method: &str,
) -> Result<Value, CallFailure> {
    let Some(limit) = limit else {
        return running.await;
    };
    match tokio::time::timeout(limit, running).await {
        Ok(outcome) => outcome,
        Err(_) => Err(CallFailure::DeadlineExceeded(format!(
            "Demo.{method} did not finish within {} ms",
            limit.as_millis()
        ))),
    }
}

/// Runs `method`; parts ahead (a long list's first items, a stream's
/// items) go to `parts`.
async fn run(
    method: &str,
    args: BoundArgs,
    version: u16,
    parts: &mut Vec<Reply>,
) -> Result<Value, CallFailure> {
    match method {
        "count" if version < 5 => Err(CallFailure::Internal(format!(
            "Demo.count streams its results, which needs protocol version 5; this connection speaks version {version}"
        ))),
        "count" => {
            let n = int_arg(&args, 0, "n").map_err(CallFailure::BadArguments)?;
            parts.extend((0..n).map(|i| Reply::Items(Value::List(vec![Value::Int(i)]))));
            Ok(Value::None)
        }
        "echo_in_parts" => {
            let mut items = match arg(&args, 0, "items") {
                Some(Value::List(items)) => items.clone(),
                Some(Value::Table(table)) => table.to_objects(),
                _ => {
                    return Err(CallFailure::BadArguments(
                        "argument \"items\" must be a list".into(),
                    ));
                }
            };
            let size = int_arg(&args, 1, "size")
                .map_err(CallFailure::BadArguments)?
                .max(1) as usize;
            if version >= 4 {
                while items.len() > size {
                    let rest = items.split_off(size);
                    parts.push(Reply::Items(Value::List(std::mem::replace(
                        &mut items, rest,
                    ))));
                }
            }
            Ok(Value::List(items))
        }
        "echo" => Ok(arg(&args, 0, "value").cloned().unwrap_or(Value::None)),
        "echo_args" => {
            let kwargs = args
                .keyword
                .into_iter()
                .map(|(k, v)| (Value::Str(k), v))
                .collect();
            Ok(Value::Tuple(vec![
                Value::List(args.positional),
                Value::Dict(kwargs),
            ]))
        }
        "sleep" => {
            let ms = int_arg(&args, 0, "ms").map_err(CallFailure::BadArguments)?;
            tokio::time::sleep(Duration::from_millis(ms.max(0) as u64)).await;
            Ok(arg(&args, 1, "value").cloned().unwrap_or(Value::None))
        }
        "fail" => Err(CallFailure::Raised(Box::new(out_of_stock(arg(
            &args, 0, "sku",
        ))))),
        "add" => {
            let a = int_arg(&args, 0, "a").map_err(CallFailure::BadArguments)?;
            let b = int_arg(&args, 1, "b").map_err(CallFailure::BadArguments)?;
            a.checked_add(b)
                .map(Value::Int)
                .ok_or_else(|| CallFailure::BadArguments(format!("{a} + {b} overflows 64 bits")))
        }
        other => Err(CallFailure::NotFound(format!(
            "Demo has no method \"{other}\""
        ))),
    }
}

fn arg<'a>(args: &'a BoundArgs, index: usize, name: &str) -> Option<&'a Value> {
    args.positional
        .get(index)
        .or_else(|| args.keyword.iter().find(|(k, _)| k == name).map(|(_, v)| v))
}

fn int_arg(args: &BoundArgs, index: usize, name: &str) -> Result<i64, String> {
    let problem = match arg(args, index, name) {
        Some(Value::Int(i)) => return Ok(*i),
        Some(other) => format!("argument \"{name}\" must be an int, not {}", other.kind()),
        None => format!("missing argument \"{name}\""),
    };
    Err(problem)
}

fn out_of_stock(sku: Option<&Value>) -> Raised {
    let sku = sku.cloned().unwrap_or(Value::None);
    let shown = match &sku {
        Value::Str(s) => s.clone(),
        other => format!("{other:?}"),
    };
    Raised {
        type_name: "OutOfStock".to_string(),
        module: "shop".to_string(),
        message: format!("{shown} is out of stock"),
        args: vec![sku.clone()],
        fields: vec![("sku".to_string(), sku)],
        traceback:
            "Traceback (most recent call last):\n  File \"shop.py\", line 1, in fail\nOutOfStock\n"
                .to_string(),
    }
}
