//! The `deptrust` binary as users run it: exit codes, stdout and stderr.

use assert_cmd::Command;

fn deptrust() -> Command {
    Command::cargo_bin("deptrust").unwrap()
}

#[test]
fn help_shows_examples() {
    let output = deptrust().args(["graph", "--help"]).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("Examples:"), "{text}");
}
