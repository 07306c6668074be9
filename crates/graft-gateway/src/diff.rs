//! `gg diff <old> <new>`: the changes between two interfaces, one a line
//! with its kind (`breaking`, `addition`, `other`), and exit status 1 when
//! one of them breaks callers of the old one, so that CI can stop there.
//!
//! Each side is:
//! - a file: a saved `/libraries` (`curl http://gw:81/libraries > old.json`);
//! - a gateway's URL (`http://gw:81`, or its `/libraries`);
//! - an index URL: a graft's project page (`http://gw:81/simple/graft-pypi-shop/`,
//!   any PEP 503 index `gg publish` uploaded to), whose latest wheel is read,
//!   or a wheel's own URL. A graft holds the interface it was built from.
//!
//! When one side is one graft and the other a whole gateway, the gateway's
//! side is cut to that graft's service.

use std::process::ExitCode;

use anyhow::Context as _;
use graft_model::Interface;
use graft_model::diff::{Kind, diff, largest, slice};

mod fetch;

/// Runs `gg diff`: 0 without a breaking change, 1 with one, 2 when a side cannot be read.
pub fn run(old: &str, new: &str) -> ExitCode {
    let sides = load(old).and_then(|o| Ok((o, load(new)?)));
    let (mut old, mut new) = match sides {
        Ok(sides) => sides,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::from(2);
        }
    };
    cut_to_graft(&mut old, &new);
    cut_to_graft(&mut new, &old);
    let changes = diff(&old.interface, &new.interface);
    for change in &changes {
        println!("{change}");
    }
    let breaking = changes.iter().filter(|c| c.kind == Kind::Breaking).count();
    match largest(&changes) {
        None => println!("no changes"),
        Some(Kind::Breaking) => {
            eprintln!("{breaking} breaking change(s): callers of the old interface may fail");
            return ExitCode::from(1);
        }
        Some(_) => {}
    }
    ExitCode::SUCCESS
}

/// One side of the comparison.
struct Side {
    interface: Interface,
    /// The service, when the side is one graft.
    graft: Option<String>,
}

/// A whole gateway's side cut to the service of the other side's graft.
fn cut_to_graft(side: &mut Side, other: &Side) {
    let (None, Some(service)) = (&side.graft, &other.graft) else {
        return;
    };
    if let Some(one) = slice(&side.interface, service) {
        side.interface = one;
    }
}

fn load(side: &str) -> anyhow::Result<Side> {
    if !(side.starts_with("http://") || side.starts_with("https://")) {
        let bytes = std::fs::read(side).with_context(|| format!("cannot read `{side}`"))?;
        let interface = serde_json::from_slice(&bytes)
            .with_context(|| format!("`{side}` is not a saved /libraries"))?;
        return Ok(Side {
            interface,
            graft: None,
        });
    }
    if side.ends_with(".whl") || side.contains("/simple/") {
        let wheel = if side.ends_with(".whl") {
            fetch::get(side)?
        } else {
            fetch::latest_wheel(side)?
        };
        let interface = graft_pypi::wheel::interface_in(&wheel).with_context(|| side.to_owned())?;
        let graft = interface.services.first().map(|s| s.name.clone());
        return Ok(Side { interface, graft });
    }
    let url = match side.trim_end_matches('/') {
        url if url.ends_with("/libraries") => url.to_owned(),
        url => format!("{url}/libraries"),
    };
    let bytes = fetch::get(&url)?;
    let interface = serde_json::from_slice(&bytes)
        .with_context(|| format!("{url} is not a gateway's /libraries"))?;
    Ok(Side {
        interface,
        graft: None,
    })
}
