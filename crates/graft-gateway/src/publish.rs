//! `gg publish`: the grafts `gg` would serve with the same module options
//! (and the same version store in the state folder), uploaded to the
//! registries a team already runs: the wheels to a PyPI repository, the
//! TypeScript packages to an npm registry (`graft_publish`). Versions a
//! registry has already are skipped, so publishing again is harmless.

use std::process::ExitCode;

use graft_publish::npm::Npm;
use graft_publish::pypi::Pypi;
use graft_publish::{Outcome, PublishError};

/// `gg publish`'s options.
#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    /// The modules whose grafts to publish, and their services and methods, as `gg` hosts them.
    #[command(flatten)]
    pub hosted: crate::cli::Hosted,

    /// The PyPI repository's upload URL (`https://upload.pypi.org/legacy/`, pypiserver's root) or a ~/.pypirc section's name; credentials from TWINE_USERNAME/TWINE_PASSWORD or ~/.pypirc.
    #[arg(long = "pypi", value_name = "URL", env = "TWINE_REPOSITORY_URL")]
    pub pypi: Option<String>,

    /// The npm registry's URL; its token from an .npmrc `//host/path/:_authToken=` line.
    #[arg(long = "npm", value_name = "URL")]
    pub npm: Option<String>,
}

/// Runs `gg publish`: 0 when every graft is in the registries, 1 when an
/// upload failed, 2 on a usage error.
pub fn run(args: PublishArgs) -> ExitCode {
    let _log = crate::log::init(crate::trace::LogFormat::Text);
    if args.pypi.is_none() && args.npm.is_none() {
        eprintln!(
            "error: no registry to publish to\n\nhint: name one or both, as in \
             `gg publish --modules ./src/ --pypi https://pypi.example/ --npm https://npm.example/`"
        );
        return ExitCode::from(2);
    }
    let (pypi, npm) = match registries(&args) {
        Ok(registries) => registries,
        Err(err) => return fail(&err, 2),
    };
    let host = match crate::hosting::start(&args.hosted) {
        Ok(host) => host,
        Err(code) => return code,
    };
    match upload(&host, pypi.as_ref(), npm.as_ref()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&err, 1),
    }
}

fn registries(args: &PublishArgs) -> Result<(Option<Pypi>, Option<Npm>), PublishError> {
    let pypi = args.pypi.as_deref().map(Pypi::configured).transpose()?;
    let npm = args.npm.as_deref().map(Npm::configured).transpose()?;
    Ok((pypi, npm))
}

/// Builds the grafts as `gg` serves them and uploads them, PyPI first.
fn upload(
    host: &graft_python::Host,
    pypi: Option<&Pypi>,
    npm: Option<&Npm>,
) -> Result<(), PublishError> {
    let index = crate::index::build(host.interface())
        .map_err(|err| PublishError::Build(format!("{err:#}")))?;
    if let Some(pypi) = pypi {
        for wheel in index.wheels() {
            report(&wheel.file_name, pypi.url(), pypi.upload(wheel)?);
        }
    }
    if let Some(npm) = npm {
        let Some(registry) = crate::index::npm::registry() else {
            return Err(PublishError::Build(
                "the npm grafts could not be built (see the log above)".into(),
            ));
        };
        for package in registry.packages() {
            let newest = registry.package(&package.name).unwrap_or(package);
            let tag = graft_publish::npm::tag(package, newest);
            let name = format!("{}@{}", package.name, package.version);
            report(&name, npm.url(), npm.publish(package, &tag)?);
        }
    }
    Ok(())
}

fn report(what: &str, url: &str, outcome: Outcome) {
    match outcome {
        Outcome::Uploaded => println!("published {what} to {url}"),
        Outcome::AlreadyThere => println!("skipped {what}: {url} has this version already"),
        Outcome::OtherContents => {
            println!("skipped {what}: {url} has this version already");
            eprintln!(
                "warning: {url} has {what} with other contents than gg's\n\n\
                 hint: was the state folder (the version store) lost? Raise the project's version"
            );
        }
    }
}

fn fail(err: &PublishError, code: u8) -> ExitCode {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        source = cause.source();
    }
    eprintln!("error: {message}");
    if let Some(hint) = err.hint() {
        eprintln!("\nhint: {hint}");
    }
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use crate::cli::{Command, parse};

    #[test]
    fn publish_takes_the_module_options_and_the_registries() {
        let args = [
            "gg",
            "publish",
            "./src/",
            "--modules",
            "a.py,b",
            "--types",
            "Calc",
        ]
        .into_iter()
        .chain(["--pypi", "http://p/", "--npm", "http://n/"])
        .map(OsString::from);
        let Some(Command::Publish(p)) = parse(args).unwrap().command else {
            panic!("not gg publish");
        };
        let h = p.hosted;
        assert_eq!(h.module.unwrap().to_str(), Some("./src/"));
        assert_eq!(h.modules.len(), 2);
        assert_eq!((h.types, h.methods), (vec!["Calc".to_string()], vec![]));
        assert_eq!(
            (p.pypi.as_deref(), p.npm.as_deref()),
            (Some("http://p/"), Some("http://n/"))
        );
    }
}
