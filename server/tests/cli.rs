//! The binary's command line: `mublog check --deploy`.

use std::process::Command;

fn check_deploy(vars: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mublog"));
    cmd.args(["check", "--deploy"]).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (out.status.code().unwrap(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn development_settings_fail_the_deploy_check() {
    let (code, out) = check_deploy(&[]);
    assert_eq!(code, 1, "{out}");
    for id in ["mublog.W001", "mublog.W002", "mublog.W003", "mublog.W004", "mublog.W005"] {
        assert!(out.contains(id), "{id} missing from:\n{out}");
    }
}

#[test]
fn a_production_environment_passes_the_deploy_check() {
    let (code, out) = check_deploy(&[
        ("MUBLOG_ENV", "production"),
        ("MUBLOG_JWT_SECRET", "a-long-random-production-signing-key-0123"),
        ("MUBLOG_PUBLIC_URL", "https://mublog.example"),
        ("MUBLOG_ALLOWED_HOSTS", "mublog.example"),
        ("MUBLOG_SMTP_URL", "smtps://user:pass@mail.example"),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("No issues found."));
}
