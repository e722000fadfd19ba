//! Git through the user's own `git`: fetch the base branch, edit in a temporary worktree
//! at its tip, commit, push. The `git` CLI brings the user's setup with it — credential
//! helpers, the SSH agent, `insteadOf` rewrites, hooks, signing, proxies — which libgit2
//! (`git2`) ignores and `gix` cannot push with at all.
//!
//! The user's checkout is never touched: no checkout, no stash, no local branch. The
//! commit is made in a detached worktree under the temp directory and pushed as
//! `HEAD:refs/heads/<branch>`; the worktree is removed when dropped. A dirty tree, a
//! detached HEAD or a local branch that is behind stay exactly as they were.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{Error, Input, Result};
use crate::sanitize::Outbound;

/// A local clone and the remote that pull requests go to.
#[derive(Debug, Clone)]
pub struct Repo {
    pub root: PathBuf,
    /// Where `--repo` pointed inside the clone (`apps/shop/`), empty at its top.
    pub prefix: PathBuf,
    pub remote: String,
    /// When false, git must fail rather than ask for a password on the terminal.
    pub interactive: bool,
}

fn hint_for(stderr: &str) -> String {
    let s = stderr.to_ascii_lowercase();
    if s.contains("please tell me who you are") || s.contains("user.email") {
        "set your identity: git config --global user.name NAME; git config --global user.email EMAIL".into()
    } else if s.contains("pre-receive hook declined") || s.contains("hook declined") {
        "the remote's hook refused the push; its message above says why (protected branch names, signed commits…)".into()
    } else if s.contains("authentication")
        || s.contains("permission denied")
        || s.contains("could not read username")
    {
        "check your git credentials for the remote (ssh-add -l, or your credential helper / gh auth setup-git)".into()
    } else if s.contains("stale info") || s.contains("rejected") {
        "the branch moved on the remote while k8sops worked; run the fix again".into()
    } else {
        "run the git command above yourself to see more".into()
    }
}

impl Repo {
    /// The repository containing `path`; the remote must exist.
    pub fn open(path: &Path, remote: &str, interactive: bool) -> Result<Repo> {
        if !path.is_dir() {
            return Err(Error::Invalid {
                input: Input::Repository,
                message: format!("{}: no such directory", path.display()),
                hint: "pass the local clone of the GitOps repository with --repo PATH, or set repo in the [fix] table".into(),
            });
        }
        let probe = Repo {
            root: path.to_path_buf(),
            prefix: PathBuf::new(),
            remote: remote.to_string(),
            interactive,
        };
        let top = probe
            .git(["rev-parse", "--show-toplevel"], "finding the repository")
            .map_err(|_| Error::Invalid {
                input: Input::Repository,
                message: format!("{} is not a git repository", path.display()),
                hint: "pass the local clone of the GitOps repository (git clone …) with --repo"
                    .into(),
            })?;
        let prefix = probe.git(["rev-parse", "--show-prefix"], "finding the repository")?;
        let repo = Repo {
            root: PathBuf::from(top.trim()),
            prefix: PathBuf::from(prefix.trim()),
            ..probe
        };
        crate::github::remote_url(&repo.root, remote).ok_or_else(|| Error::Invalid {
            input: Input::Repository,
            message: format!("{} has no remote named {remote}", repo.root.display()),
            hint: "set remote in the [fix] table to the remote pull requests go to (`git remote -v` lists them)".into(),
        })?;
        Ok(repo)
    }

    fn command(&self, dir: &Path) -> Command {
        let mut cmd = Command::new("git");
        cmd.arg("-C").arg(dir).stdin(Stdio::null());
        if !self.interactive {
            // Without a terminal a credential prompt would hang the run.
            cmd.env("GIT_TERMINAL_PROMPT", "0");
        }
        cmd
    }

    fn git<I, S>(&self, args: I, what: &str) -> Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        run(self.command(&self.root), args, what)
    }

    /// The remote's default branch (what its HEAD points at).
    pub fn default_branch(&self) -> Result<String> {
        let out = self.git(
            ["ls-remote", "--symref", self.remote.as_str(), "HEAD"],
            &format!("asking {} for its default branch", self.remote),
        )?;
        out.lines()
            .find_map(|l| l.strip_prefix("ref: refs/heads/"))
            .and_then(|l| l.split_whitespace().next())
            .map(str::to_string)
            .ok_or_else(|| Error::Git {
                what: format!("asking {} for its default branch", self.remote),
                message: "the remote has no HEAD branch".into(),
                hint: "pass --base BRANCH, or set base in the [fix] table".into(),
            })
    }

    /// Fetches `base` from the remote and returns the commit it points at.
    pub fn fetch(&self, base: &str) -> Result<String> {
        let refspec = format!("+refs/heads/{base}:refs/remotes/{}/{base}", self.remote);
        self.git(
            [
                "fetch",
                "--quiet",
                "--no-tags",
                self.remote.as_str(),
                refspec.as_str(),
            ],
            &format!("fetching {base} from {}", self.remote),
        )?;
        let sha = self.git(
            [
                "rev-parse",
                "--verify",
                &format!("refs/remotes/{}/{base}^{{commit}}", self.remote),
            ],
            &format!("reading {}/{base}", self.remote),
        )?;
        Ok(sha.trim().to_string())
    }

    /// The commit `branch` points at on the remote, when it exists there.
    pub fn remote_branch(&self, branch: &str) -> Result<Option<String>> {
        let out = self.git(
            [
                "ls-remote",
                self.remote.as_str(),
                &format!("refs/heads/{branch}"),
            ],
            &format!("looking for {branch} on {}", self.remote),
        )?;
        Ok(out.split_whitespace().next().map(str::to_string))
    }

    /// A detached worktree at `commit` in a new temporary directory.
    pub fn worktree(&self, commit: &str) -> Result<Worktree> {
        let temp = tempfile::Builder::new()
            .prefix("k8sops-fix-")
            .tempdir()
            .map_err(|e| Error::io(std::env::temp_dir(), e))?;
        let dir = temp.path().join("worktree");
        self.git(
            [
                OsStr::new("worktree"),
                OsStr::new("add"),
                OsStr::new("--quiet"),
                OsStr::new("--detach"),
                dir.as_os_str(),
                OsStr::new(commit),
            ],
            "creating a temporary worktree",
        )?;
        Ok(Worktree {
            repo: self.clone(),
            dir,
            _temp: temp,
        })
    }
}

/// Runs git and returns stdout; a failure carries git's own message.
fn run<I, S>(mut cmd: Command, args: I, what: &str) -> Result<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    cmd.args(args);
    let out = cmd.output().map_err(|e| Error::Git {
        what: what.to_string(),
        message: format!("cannot run git: {e}"),
        hint: "install git and make sure it is on PATH".into(),
    })?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let message = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" / ");
    Err(Error::Git {
        what: what.to_string(),
        message: if message.is_empty() {
            format!("git exited with {}", out.status)
        } else {
            message
        },
        hint: hint_for(&stderr),
    })
}

/// A temporary detached worktree; removed (with its administrative files) on drop.
pub struct Worktree {
    repo: Repo,
    dir: PathBuf,
    _temp: tempfile::TempDir,
}

impl std::fmt::Debug for Worktree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Worktree({})", self.dir.display())
    }
}

impl Worktree {
    pub fn path(&self) -> &Path {
        &self.dir
    }

    fn git<I, S>(&self, args: I, what: &str) -> Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        run(self.repo.command(&self.dir), args, what)
    }

    /// Commits `files` (relative to the worktree) with `message`, with the user's identity,
    /// hooks and signing; returns the commit. The message leaves with the push, so it must
    /// have passed the sanitizer's gate.
    pub fn commit(&self, files: &[&Path], message: &Outbound<String>) -> Result<String> {
        let message = message.as_str();
        let mut add = vec![OsStr::new("add"), OsStr::new("--")];
        add.extend(files.iter().map(|f| f.as_os_str()));
        self.git(add, "staging the change")?;
        self.git(
            ["commit", "--quiet", "-m", message],
            "committing the change",
        )?;
        Ok(self
            .git(["rev-parse", "HEAD"], "reading the new commit")?
            .trim()
            .to_string())
    }

    /// The tree of `commit`, to tell whether a branch already holds the same change.
    pub fn tree_of(&self, commit: &str) -> Result<String> {
        Ok(self
            .git(
                ["rev-parse", "--verify", &format!("{commit}^{{tree}}")],
                "reading a tree",
            )?
            .trim()
            .to_string())
    }

    /// Fetches `branch` from the remote so its commit can be compared (FETCH_HEAD only).
    pub fn fetch_branch(&self, branch: &str) -> Result<()> {
        self.git(
            [
                "fetch",
                "--quiet",
                "--no-tags",
                self.repo.remote.as_str(),
                &format!("refs/heads/{branch}"),
            ],
            &format!("fetching {branch} from {}", self.repo.remote),
        )
        .map(|_| ())
    }

    /// Pushes HEAD to `branch`; `lease` is the commit the remote branch must still be at
    /// (it is replaced), `None` when it must not exist yet.
    pub fn push(&self, branch: &Outbound<String>, lease: Option<&str>) -> Result<()> {
        let branch = branch.as_str();
        let lease = format!(
            "--force-with-lease=refs/heads/{branch}:{}",
            lease.unwrap_or("")
        );
        self.git(
            [
                "push",
                "--quiet",
                lease.as_str(),
                self.repo.remote.as_str(),
                &format!("HEAD:refs/heads/{branch}"),
            ],
            &format!("pushing {branch} to {}", self.repo.remote),
        )
        .map(|_| ())
    }
}

impl Drop for Worktree {
    fn drop(&mut self) {
        // Best effort: a worktree left behind is pruned by the next `git worktree prune`.
        let _ = run(
            self.repo.command(&self.repo.root),
            [
                OsStr::new("worktree"),
                OsStr::new("remove"),
                OsStr::new("--force"),
                self.dir.as_os_str(),
            ],
            "removing the temporary worktree",
        );
        let _ = run(
            self.repo.command(&self.repo.root),
            ["worktree", "prune"],
            "pruning worktrees",
        );
    }
}
