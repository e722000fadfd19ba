//! The k8sops binary: everything is in the library's command layer (`k8sops::cmd`).

fn main() -> std::process::ExitCode {
    k8sops::cmd::main()
}
