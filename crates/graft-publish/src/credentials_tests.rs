use super::*;

fn no_env(_: &str) -> Option<String> {
    None
}

const PYPIRC: &str = "[distutils]\nindex-servers =\n    pypi\n    internal\n\n\
    [pypi]\nusername = __token__\npassword = pypi-abc\n\n\
    [internal]\nrepository: https://pypi.corp.example/\nusername = ci\npassword = s3cret\n";

#[test]
fn pypi_credentials_come_from_twine_variables_first() {
    let env = |name: &str| match name {
        "TWINE_USERNAME" => Some("env-user".to_string()),
        "TWINE_PASSWORD" => Some("env-pass".to_string()),
        _ => None,
    };
    let (url, auth) = pypi("https://pypi.corp.example", &env, Some(PYPIRC));
    assert_eq!(url, "https://pypi.corp.example");
    let auth = auth.unwrap();
    assert_eq!(
        (auth.username.as_str(), auth.password.as_str()),
        ("env-user", "env-pass")
    );
}

#[test]
fn pypi_credentials_come_from_the_pypirc_section_of_the_url() {
    let (url, auth) = pypi("https://pypi.corp.example", &no_env, Some(PYPIRC));
    assert_eq!(url, "https://pypi.corp.example");
    assert_eq!(auth.unwrap().password, "s3cret");
    let (url, auth) = pypi("internal", &no_env, Some(PYPIRC));
    assert_eq!(
        (url.as_str(), auth.unwrap().username.as_str()),
        ("https://pypi.corp.example/", "ci")
    );
    let (url, auth) = pypi("pypi", &no_env, Some(PYPIRC));
    assert_eq!(
        (url.as_str(), auth.unwrap().password.as_str()),
        (PYPI_UPLOAD_URL, "pypi-abc")
    );
    assert_eq!(pypi("http://elsewhere/", &no_env, Some(PYPIRC)).1, None);
    assert_eq!(pypi("http://elsewhere/", &no_env, None).1, None);
}

#[test]
fn npm_tokens_match_the_registry_path_then_its_host() {
    let url = reqwest::Url::parse("http://127.0.0.1:4873/npm/").unwrap();
    assert_eq!(npm_key(&url), "//127.0.0.1:4873/npm/");
    let project = "registry=http://x/\n//127.0.0.1:4873/:_authToken=host-token\n".to_string();
    let user = "; comment\n//127.0.0.1:4873/npm/:_authToken=\"${NPM_TOKEN}\"\n".to_string();
    let env = |name: &str| (name == "NPM_TOKEN").then(|| "from-env".to_string());
    let both = [project.clone(), user.clone()];
    // The longer path wins over the project file's host-wide token, as in npm.
    assert_eq!(npm_token(&url, &both, &env).as_deref(), Some("from-env"));
    assert_eq!(
        npm_token(&url, &[project], &env).as_deref(),
        Some("host-token")
    );
    let other = reqwest::Url::parse("https://registry.npmjs.org/").unwrap();
    assert_eq!(npm_token(&other, &both, &env), None);
}

#[test]
fn npmrc_files_are_the_projects_then_the_users() {
    let env = |name: &str| (name == "HOME").then(|| "/home/u".to_string());
    assert_eq!(
        npmrc_paths(Path::new("/p"), &env),
        [PathBuf::from("/p/.npmrc"), PathBuf::from("/home/u/.npmrc")]
    );
    let env = |name: &str| (name == "NPM_CONFIG_USERCONFIG").then(|| "/etc/n".to_string());
    assert_eq!(
        npmrc_paths(Path::new("/p"), &env)[1],
        PathBuf::from("/etc/n")
    );
}
