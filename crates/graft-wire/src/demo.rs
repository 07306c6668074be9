//! [`Demo`]: a small [`Dispatch`] for tests and the example server, so every
//! client implementation can be tested against a real server without Python.
//!
//! Service `Demo`, methods:
//! - `echo(value)`: returns `value` (positional, or keyword `value`);
//! - `echo_args(*args, **kwargs)`: returns `(list(args), dict(kwargs))`;
//! - `sleep(ms, value=None)`: waits `ms` milliseconds, then returns `value`;
//! - `fail(sku)`: raises `shop.OutOfStock(sku)` with field `sku` and a traceback;
//! - `add(a, b)`: integer sum; `TypeError`-style failure on other arguments;
//! - `echo_in_parts(items, size)`: returns the list `items`; to a client that
//!   takes parts (version 4), all but the last `size` of them go ahead in
//!   parts of `size` items.

use std::time::Duration;

use futures::future::BoxFuture;
use graft_model::{BoundArgs, Raised, Value};

use crate::server::{CallFailure, Dispatch, PartSender};

/// The demo service; see the module documentation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Demo;

impl Dispatch for Demo {
    fn call(
        &self,
        service: String,
        method: String,
        args: BoundArgs,
        _timeout: Option<Duration>,
    ) -> BoxFuture<'static, Result<Value, CallFailure>> {
        Box::pin(serve(service, method, args, None))
    }

    fn call_in_parts(
        &self,
        service: String,
        method: String,
        args: BoundArgs,
        _timeout: Option<Duration>,
        parts: PartSender,
    ) -> BoxFuture<'static, Result<Value, CallFailure>> {
        Box::pin(serve(service, method, args, Some(parts)))
    }
}

async fn serve(
    service: String,
    method: String,
    args: BoundArgs,
    parts: Option<PartSender>,
) -> Result<Value, CallFailure> {
    if service != "Demo" {
        return Err(CallFailure::NotFound(format!(
            "no service named \"{service}\""
        )));
    }
    run(&method, args, parts).await
}

async fn run(
    method: &str,
    args: BoundArgs,
    parts: Option<PartSender>,
) -> Result<Value, CallFailure> {
    match method {
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
            if let Some(parts) = parts {
                while items.len() > size {
                    let rest = items.split_off(size);
                    let _ = parts.send(Value::List(std::mem::replace(&mut items, rest)));
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
        "fail" => Err(CallFailure::Raised(out_of_stock(arg(&args, 0, "sku")))),
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
