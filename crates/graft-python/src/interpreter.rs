//! Starting CPython as the interpreter gg was built against.
//!
//! CPython computes `sys.prefix` (where its standard library and
//! site-packages are) from its program name. Left at its default,
//! `python3`, that is the first `python3` on PATH at run time, which may be
//! another build than the libpython gg loaded: pyenv's 3.11.7 standard
//! library under Debian's 3.11.2 libpython fails `import ssl`. So the
//! program name is set, through `PyConfig`, to the interpreter gg was built
//! against (`GRAFT_PYTHON_EXECUTABLE`, from `build.rs`): the development
//! build finds its own prefix and pip's packages, the Debian package
//! `/usr/bin/python3.11`'s (`/usr`). `PYTHONHOME` and `PYTHONPATH` still
//! apply, and an active virtualenv (`VIRTUAL_ENV`) adds its packages at
//! start-up (`discover.py`'s `prepare`).

use std::ffi::CString;
use std::mem::MaybeUninit;
use std::sync::OnceLock;

use pyo3::ffi;

use crate::HostError;

/// `sys.executable` of the interpreter this crate was built against (empty if unknown).
pub const BUILT_WITH: &str = env!("GRAFT_PYTHON_EXECUTABLE");

/// Starts the interpreter once per process (later calls see it running).
pub(crate) fn initialize() -> Result<(), HostError> {
    static STARTED: OnceLock<Result<(), String>> = OnceLock::new();
    // SAFETY: runs once, before any other use of the interpreter in gg.
    let started = STARTED.get_or_init(|| unsafe { start(BUILT_WITH) });
    started
        .clone()
        .map_err(|why| HostError::Python(format!("cannot start Python ({BUILT_WITH}): {why}")))?;
    // Lets PyO3 know it runs (it initialises only an interpreter not running yet).
    pyo3::Python::initialize();
    Ok(())
}

/// Initialises CPython with `program` as its program name, as
/// `Py_InitializeEx(0)` would otherwise: no signal handlers of its own (gg
/// handles SIGINT and SIGTERM), no argv parsed, C stdio left as it is,
/// and the process's locale environment not rewritten. Then releases the GIL.
///
/// SAFETY: call once, before any other use of the Python C API.
unsafe fn start(program: &str) -> Result<(), String> {
    if program.is_empty() || unsafe { ffi::Py_IsInitialized() } != 0 {
        return Ok(());
    }
    let program = CString::new(program).map_err(|e| e.to_string())?;
    unsafe {
        let mut pre = MaybeUninit::<ffi::PyPreConfig>::uninit();
        ffi::PyPreConfig_InitPythonConfig(pre.as_mut_ptr());
        let mut pre = pre.assume_init();
        pre.parse_argv = 0;
        pre.coerce_c_locale = 0;
        checked(ffi::Py_PreInitialize(&pre))?;
        let mut config = MaybeUninit::<ffi::PyConfig>::uninit();
        ffi::PyConfig_InitPythonConfig(config.as_mut_ptr());
        let config = config.as_mut_ptr();
        (*config).install_signal_handlers = 0;
        (*config).parse_argv = 0;
        (*config).configure_c_stdio = 0;
        let named =
            ffi::PyConfig_SetBytesString(config, &raw mut (*config).program_name, program.as_ptr());
        let started = match checked(named) {
            Ok(()) => checked(ffi::Py_InitializeFromConfig(config)),
            Err(why) => Err(why),
        };
        ffi::PyConfig_Clear(config);
        started?;
        ffi::PyEval_SaveThread();
    }
    Ok(())
}

/// `status` as a result: its message if it failed.
fn checked(status: ffi::PyStatus) -> Result<(), String> {
    // SAFETY: `status` is a status CPython returned.
    if unsafe { ffi::PyStatus_Exception(status) } == 0 {
        return Ok(());
    }
    let text = |p: *const std::ffi::c_char| match p.is_null() {
        true => String::new(),
        // SAFETY: CPython's status messages are static C strings.
        false => unsafe { std::ffi::CStr::from_ptr(p) }
            .to_string_lossy()
            .into_owned(),
    };
    Err(format!("{}: {}", text(status.func), text(status.err_msg)))
}
