//! What gg hosts: `--modules` (and the positional module), narrowed by
//! `--types` and `--methods`. Its own group, as `gg publish` takes it too.

use std::path::PathBuf;

/// What gg hosts, the same for serving and for `gg publish`: the modules,
/// and the services and methods of them that are exposed.
#[derive(Debug, clap::Args)]
pub struct Hosted {
    /// The main module: a folder, a .py file or a package (added to --modules).
    #[arg(value_name = "MODULE")]
    pub module: Option<PathBuf>,

    /// Modules to host, comma-separated: folders, .py files or packages.
    #[arg(long = "modules", value_name = "PATHS", value_delimiter = ',')]
    pub modules: Vec<PathBuf>,

    /// Expose only these services (comma-separated), with all their methods; with --methods, both add up.
    #[arg(long = "types", value_name = "SERVICES", value_delimiter = ',')]
    pub types: Vec<String>,

    /// Expose only these methods, as Service.method, comma-separated (`--methods Calc.add,Calc.sub`).
    #[arg(long = "methods", value_name = "METHODS", value_delimiter = ',')]
    pub methods: Vec<String>,
}

impl Hosted {
    /// Every module path given, the positional one first.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.module
            .iter()
            .chain(&self.modules)
            .filter(|p| !p.as_os_str().is_empty())
            .cloned()
            .collect()
    }
}
