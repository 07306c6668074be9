//! The interface model of Graft.
//!
//! Discovery (in `graft-python`) builds an [`Interface`] from the hosted
//! modules. Everything that reads an interface — the HTTP call API, argument
//! checking, Graft Vision, OpenAPI, the wire protocol and every client
//! generator — reads only these types, never Python objects.
//!
//! - [`interface`]: services, methods, parameters and named types; the
//!   types annotations name in `interface/type_ref.rs`, the named types in
//!   `interface/type_def.rs`.
//! - [`value`]: [`Value`], the one in-memory form of a value crossing Graft.
//! - [`table`]: [`Table`], a list of objects of one shape held by columns.
//! - [`json`]: type-directed conversion between JSON and [`Value`]; this is
//!   where arguments are checked (`json/convert.rs`; writing in
//!   `json/write.rs`).
//! - [`bind`]: matching a call's arguments to a method's parameters.
//! - [`version`]: which protocol version a wire client needs for a method.
//! - [`diff`]: the changes between two interfaces, breaking or not.
//! - [`allow`]: `--types` and `--methods`, which take services and methods out.

pub mod allow;
pub mod bind;
pub mod check;
pub mod diff;
pub mod interface;
pub mod json;
mod path;
pub mod scalars;
pub mod table;
pub mod value;
pub mod version;

pub use allow::Allow;
pub use bind::{ArgError, Arguments, BoundArgs};
pub use check::check_value;
pub use interface::{
    Default, EnumMember, Field, Interface, Method, MethodKind, Param, ParamKind, Service,
    ServiceKind, TypeDef, TypeDefKind, TypeRef,
};
pub use json::TypeError;
pub use table::{Column, Table};
pub use value::{Name, Raised, Value, same_name};
pub use version::needs_version;
