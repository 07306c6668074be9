//! The command line as the tutorial and the docs write it: flags in any
//! case, defaults, and refusals with clap's status 2.

use std::ffi::OsString;

use super::*;

fn cli(args: &[&str]) -> Result<Cli, clap::Error> {
    parse(
        std::iter::once("gg")
            .chain(args.iter().copied())
            .map(OsString::from),
    )
}

#[test]
fn takes_the_tutorials_flags_in_any_case() {
    let c = cli(&[
        "--modules",
        "/a/price_calculator.py",
        "--httpPort",
        "91",
        "--port",
        "90",
        "--TCPServer",
        "--tcpPort=9092",
        "--memoryBudget",
        "64",
    ])
    .unwrap();
    assert_eq!(
        (c.port, c.http_port, c.tcp_port, c.tcp_server),
        (90, 91, 9092, true)
    );
    assert_eq!(c.hosted.paths(), [PathBuf::from("/a/price_calculator.py")]);
    assert_eq!(c.memory_budget_bytes(), 64 << 20);
    let c = cli(&[
        "--MODULES=a,b",
        "--HTTPPORT=1",
        "--tcpserver=false",
        "--MEMORYBUDGET=8",
        "main.py",
    ])
    .unwrap();
    assert_eq!(c.memory_budget, 8);
    assert_eq!(c.hosted.paths(), ["main.py", "a", "b"].map(PathBuf::from));
    assert_eq!((c.http_port, c.tcp_server), (1, false));
}

#[test]
fn has_defaults() {
    let c = cli(&["./src/"]).unwrap();
    assert_eq!(
        (c.port, c.http_port, c.tcp_port, c.tcp_server),
        (80, 81, 82, false)
    );
    assert_eq!(c.bind.to_string(), "0.0.0.0");
    assert!(c.mcp && c.mcp_origins.is_empty());
    assert!(!cli(&["./src/", "--MCP=false"]).unwrap().mcp);
    assert_eq!(c.memory_budget_bytes(), 512 << 20);
}

#[test]
fn refuses_unknown_options_with_status_2() {
    let err = cli(&["--modules", "x", "--prot", "1"]).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("--prot"), "{err}");
    assert_eq!(cli(&["--port", "eighty"]).unwrap_err().exit_code(), 2);
    assert_eq!(cli(&["--memoryBudget=0"]).unwrap_err().exit_code(), 2);
}
