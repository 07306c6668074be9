//! Option names in any case (`--TCPServer` = `--tcpserver`), as in the
//! tutorial's gateway: [`parse`] rewrites each to its canonical spelling,
//! then clap parses.

use std::ffi::OsString;

use clap::{CommandFactory, Parser};

use super::Cli;

/// Parses `args` (the program name first), accepting option names in any case.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Cli, clap::Error> {
    let command = Cli::command();
    let longs: Vec<String> = command
        .get_arguments()
        .filter_map(|a| a.get_long().map(str::to_owned))
        .chain(["help".to_owned(), "version".to_owned()])
        .collect();
    let args = args.into_iter().map(|arg| canonical(arg, &longs));
    Cli::try_parse_from(args)
}

/// `--HTTPPORT=91` becomes `--httpPort=91`; anything else is left as it is.
fn canonical(arg: OsString, longs: &[String]) -> OsString {
    let Some(text) = arg.to_str() else { return arg };
    let Some(option) = text.strip_prefix("--") else {
        return arg;
    };
    let (name, value) = match option.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (option, None),
    };
    match longs.iter().find(|long| long.eq_ignore_ascii_case(name)) {
        Some(long) => match value {
            Some(value) => format!("--{long}={value}").into(),
            None => format!("--{long}").into(),
        },
        None => arg,
    }
}
