//! Errors of the Python host.

use graft_model::Raised;

/// Why the host could not start.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error("failed to import {file}:\n{error}")]
    Import { file: String, error: String },
    #[error("{0}")]
    Discovery(String),
    #[error("the Python interpreter failed: {0}")]
    Python(String),
}

/// Why one call did not return a value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
    #[error("no service named `{0}`")]
    NoService(String),
    #[error("service `{service}` has no method `{method}`")]
    NoMethod { service: String, method: String },
    /// The method raised (or its arguments or result could not be converted).
    #[error("{}: {}", .0.type_name, .0.message)]
    Raised(Box<Raised>),
    #[error("the call was lost inside the gateway: {0}")]
    Internal(String),
}
