//! The Python host against real fixture modules in `tests/fixtures/`.

mod discovery;
mod invoke;
mod objects;
mod scalars;
mod stream;
mod structured;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use graft_model::{BoundArgs, Value};
use graft_python::{Answer, Args, Call, CallError, Host};

pub fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

/// One host over the showcase catalog, shared by the tests (the interpreter is per process).
pub fn catalog() -> &'static Arc<Host> {
    static HOST: OnceLock<Arc<Host>> = OnceLock::new();
    HOST.get_or_init(|| {
        Host::start(&[fixture("showcase/catalog.py")]).expect("the showcase fixture loads")
    })
}

/// Calls by name, as the gateway does: look the method up, run one [`Call`].
pub(crate) trait Calls {
    /// The call's answer, with its (already checked) arguments; `in_parts`:
    /// a long returned list may go ahead in parts.
    fn answer(
        &self,
        service: &str,
        method: &str,
        args: BoundArgs,
        in_parts: bool,
    ) -> Result<Answer, CallError>;

    /// The call's whole answer: its value or its error.
    async fn call(&self, service: &str, method: &str, args: BoundArgs) -> Result<Value, CallError> {
        self.answer(service, method, args, false)?.value().await
    }
}

impl Calls for Arc<Host> {
    fn answer(
        &self,
        service: &str,
        method: &str,
        args: BoundArgs,
        in_parts: bool,
    ) -> Result<Answer, CallError> {
        let call = Call {
            callee: self.lookup(service, method)?,
            args: Args::Checked(args),
            deadline: None,
            metadata: Vec::new(),
            in_parts,
        };
        Ok(self.run(call))
    }
}
