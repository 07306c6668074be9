//! Starting the Python host from the module options (`--modules`, the main
//! module, `--types`, `--methods`), for `gg` and `gg publish` alike.

use std::process::ExitCode;
use std::sync::Arc;

use graft_python::{Host, HostError};

use crate::cli::Hosted;

/// The host of `hosted`'s modules, exposing what its `types` and `methods` allow; on an
/// error, says why on stderr and gives the exit status (2: usage, 1: else).
pub fn start(hosted: &Hosted) -> Result<Arc<Host>, ExitCode> {
    let paths = hosted.paths();
    let (types, methods) = (&hosted.types, &hosted.methods);
    if paths.is_empty() {
        eprintln!("error: no modules to host\n\nhint: name them, as in `gg --modules ./src/`");
        return Err(ExitCode::from(2));
    }
    if let Some(missing) = paths.iter().find(|p| !p.exists()) {
        eprintln!(
            "error: the module path `{}` does not exist",
            missing.display()
        );
        return Err(ExitCode::from(2));
    }
    let allow = graft_model::Allow::new(types, methods).map_err(|err| {
        eprintln!("error: {err}");
        ExitCode::from(2)
    })?;
    Host::start_allowing(&paths, &allow).map_err(|err| {
        eprintln!("error: {err}");
        if matches!(err, HostError::Usage(_)) {
            return ExitCode::from(2);
        }
        if matches!(err, HostError::Import { .. }) {
            eprintln!(
                "\nhint: hosted modules import their dependencies from PYTHONPATH or the active virtualenv"
            );
        }
        ExitCode::from(1)
    })
}
