//! Real GitOps repositories for remediation tests: a bare remote in a temp dir, seeded
//! from a layout in `tests/data/gitops/<layout>`, and the user's clone of it. `UserState`
//! captures everything a user could lose (HEAD, branches, index, working tree, stash,
//! worktrees) so a test can assert it is exactly as before.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs git isolated from the machine's global and system config.
pub fn git_command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0");
    cmd
}

/// `git ARGS` in `dir`; panics with git's stderr on failure.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_command(dir).args(args).output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read fixture dir") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).expect("copy");
        }
    }
}

fn identity(dir: &Path, name: &str) {
    git(dir, &["config", "user.name", name]);
    git(
        dir,
        &[
            "config",
            "user.email",
            &format!("{}@example.com", name.to_lowercase()),
        ],
    );
}

pub struct Gitops {
    pub tmp: tempfile::TempDir,
    /// The bare remote (`origin`).
    pub remote: PathBuf,
    /// The user's clone, the `--repo`.
    pub user: PathBuf,
}

impl Gitops {
    /// A remote holding `tests/data/gitops/<layout>` on `main`, and the user's clone;
    /// `None` when git is missing outside CI (`support::tool`).
    pub fn new(layout: &str) -> Option<Gitops> {
        super::tool::require(&super::tool::GIT)?;
        let tmp = tempfile::tempdir().expect("tempdir");
        let remote = tmp.path().join("gitops.git");
        git(
            tmp.path(),
            &[
                "init",
                "--quiet",
                "--bare",
                "-b",
                "main",
                remote.to_str().expect("utf8"),
            ],
        );
        let seed = tmp.path().join("seed");
        git(
            tmp.path(),
            &[
                "init",
                "--quiet",
                "-b",
                "main",
                seed.to_str().expect("utf8"),
            ],
        );
        identity(&seed, "Seed");
        copy_tree(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data/gitops")
                .join(layout),
            &seed,
        );
        git(&seed, &["add", "-A"]);
        git(&seed, &["commit", "--quiet", "-m", "initial manifests"]);
        git(
            &seed,
            &["remote", "add", "origin", remote.to_str().expect("utf8")],
        );
        git(&seed, &["push", "--quiet", "origin", "main"]);
        let user = tmp.path().join("user");
        git(
            tmp.path(),
            &[
                "clone",
                "--quiet",
                remote.to_str().expect("utf8"),
                user.to_str().expect("utf8"),
            ],
        );
        identity(&user, "Dana");
        Some(Gitops { tmp, remote, user })
    }

    /// Someone else pushes a change to `main` (the user's clone is now behind).
    pub fn push_elsewhere(&self, file: &str, contents: &str, message: &str) -> String {
        let other = self.tmp.path().join("other");
        if !other.exists() {
            git(
                self.tmp.path(),
                &[
                    "clone",
                    "--quiet",
                    self.remote.to_str().expect("utf8"),
                    other.to_str().expect("utf8"),
                ],
            );
            identity(&other, "Sam");
        }
        git(&other, &["pull", "--quiet", "--ff-only"]);
        let path = other.join(file);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, contents).expect("write");
        git(&other, &["add", "-A"]);
        git(&other, &["commit", "--quiet", "-m", message]);
        git(&other, &["push", "--quiet", "origin", "HEAD:main"]);
        git(&other, &["rev-parse", "HEAD"]).trim().to_string()
    }

    /// A ref on the remote, `None` when absent.
    pub fn remote_ref(&self, name: &str) -> Option<String> {
        let out = git_command(&self.remote)
            .args(["rev-parse", "--verify", "--quiet", name])
            .output()
            .expect("git runs");
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Branches on the remote.
    pub fn remote_branches(&self) -> Vec<String> {
        git(
            &self.remote,
            &["for-each-ref", "--format=%(refname:short)", "refs/heads"],
        )
        .lines()
        .map(str::to_string)
        .collect()
    }

    /// `git diff main..BRANCH` on the remote, without the index line (blob hashes).
    pub fn diff(&self, branch: &str) -> String {
        git(
            &self.remote,
            &["diff", "--no-color", &format!("main..{branch}")],
        )
        .lines()
        .filter(|l| !l.starts_with("index "))
        .map(|l| format!("{l}\n"))
        .collect()
    }

    /// A file on a branch of the remote.
    pub fn show(&self, branch: &str, file: &str) -> String {
        git(&self.remote, &["show", &format!("{branch}:{file}")])
    }

    /// Everything of the user's that k8sops must not touch.
    pub fn state(&self) -> UserState {
        UserState::of(&self.user)
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct UserState {
    pub head: String,
    pub symbolic_head: String,
    pub status: String,
    pub index: String,
    pub branches: String,
    pub stash: String,
    pub worktrees: usize,
    pub files: BTreeMap<PathBuf, Vec<u8>>,
}

impl UserState {
    pub fn of(dir: &Path) -> UserState {
        let symbolic = git_command(dir)
            .args(["symbolic-ref", "--quiet", "HEAD"])
            .output()
            .expect("git runs");
        let mut files = BTreeMap::new();
        collect(dir, dir, &mut files);
        UserState {
            head: git(dir, &["rev-parse", "HEAD"]),
            symbolic_head: String::from_utf8_lossy(&symbolic.stdout).into_owned(),
            status: git(dir, &["status", "--porcelain=v1", "--untracked-files=all"]),
            index: git(dir, &["ls-files", "--stage"]),
            branches: git(
                dir,
                &[
                    "for-each-ref",
                    "--format=%(refname) %(objectname)",
                    "refs/heads",
                ],
            ),
            stash: git(dir, &["stash", "list"]),
            worktrees: git(dir, &["worktree", "list", "--porcelain"])
                .lines()
                .filter(|l| l.starts_with("worktree "))
                .count(),
            files,
        }
    }
}

fn collect(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
    for e in std::fs::read_dir(dir).expect("read dir") {
        let e = e.expect("entry");
        if e.file_name() == ".git" {
            continue;
        }
        let p = e.path();
        if p.is_dir() {
            collect(root, &p, out);
        } else {
            let rel = p.strip_prefix(root).expect("under root").to_path_buf();
            out.insert(rel, std::fs::read(&p).expect("read"));
        }
    }
}
