//! The completion scripts committed in `completions/` match what the CLI generates.
//! Regenerate with `UPDATE_COMPLETIONS=1 cargo test --test completions`.

use clap::CommandFactory as _;
use clap_complete::Shell;
use k8sops::cmd::cli::Cli;

const FILES: &[(Shell, &str)] = &[
    (Shell::Bash, "k8sops.bash"),
    (Shell::Zsh, "_k8sops"),
    (Shell::Fish, "k8sops.fish"),
    (Shell::PowerShell, "_k8sops.ps1"),
];

fn generate(shell: Shell) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "k8sops", &mut out);
    String::from_utf8(out).expect("completion scripts are UTF-8")
}

#[test]
fn committed_completions_are_up_to_date() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let update = std::env::var_os("UPDATE_COMPLETIONS").is_some();
    for (shell, file) in FILES {
        let path = dir.join(file);
        let fresh = generate(*shell);
        if update {
            std::fs::write(&path, &fresh).expect("write completion");
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "{} is stale: run `UPDATE_COMPLETIONS=1 cargo test --test completions` and commit it",
            path.display()
        );
    }
}

#[test]
fn completions_command_prints_the_same_script() {
    let out = assert_cmd::Command::cargo_bin("k8sops")
        .expect("binary")
        .args(["completions", "zsh"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), generate(Shell::Zsh));
}
