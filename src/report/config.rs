//! The `[report]` table: where `--create-issue` files issues and the thresholds behind the
//! hygiene recommendations.
//!
//! ```toml
//! [report]
//! repo = "acme/platform"                 # OWNER/NAME for --create-issue (or K8SOPS_REPORT_REPO)
//! issue_labels = ["k8sops"]              # the first label also finds earlier issues
//! feature_namespace_prefixes = ["feature-", "pr-", "preview-"]
//! stale_namespace_days = 7               # such a namespace idle this long is stale
//! finished_jobs_threshold = 5            # finished Jobs without a TTL before cleanup is advised
//! ```

use serde::{Deserialize, Serialize};

use crate::env::Env;

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportConfig {
    /// `OWNER/NAME` of the repository `--create-issue` files issues in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// Labels put on the issues; the first one also finds the open issues to deduplicate.
    pub issue_labels: Vec<String>,
    /// Namespace name prefixes that mark per-branch environments.
    pub feature_namespace_prefixes: Vec<String>,
    /// Days without any activity after which a per-branch namespace is reported stale.
    pub stale_namespace_days: u32,
    /// Finished Jobs without `ttlSecondsAfterFinished` in one namespace before a cleanup is
    /// recommended.
    pub finished_jobs_threshold: u32,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            repo: None,
            issue_labels: vec!["k8sops".into()],
            feature_namespace_prefixes: ["feature-", "feat-", "pr-", "preview-", "review-"]
                .map(String::from)
                .to_vec(),
            stale_namespace_days: 7,
            finished_jobs_threshold: 5,
        }
    }
}

impl ReportConfig {
    /// `K8SOPS_REPORT_REPO` overrides the file (a CronJob sets it in its env).
    pub fn apply_env(&mut self, env: &Env<'_>) {
        if let Some(repo) = env.get("K8SOPS_REPORT_REPO") {
            self.repo = Some(repo);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table as the configuration file holds it.
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        report: ReportConfig,
    }

    fn parse(text: &str) -> Result<File, toml::de::Error> {
        toml::from_str(text)
    }

    #[test]
    fn the_table_parses_and_the_environment_overrides_the_repo() {
        let text = "[report]\nrepo = \"acme/platform\"\nstale_namespace_days = 14\n";
        let mut cfg = parse(text).expect("parses");
        assert_eq!(cfg.report.repo.as_deref(), Some("acme/platform"));
        assert_eq!(cfg.report.stale_namespace_days, 14);
        assert_eq!(cfg.report.issue_labels, vec!["k8sops".to_string()]);
        cfg.report.apply_env(&Env::from_fn(|k| {
            (k == "K8SOPS_REPORT_REPO").then(|| "acme/ops".to_string())
        }));
        assert_eq!(cfg.report.repo.as_deref(), Some("acme/ops"));
    }

    #[test]
    fn unknown_report_keys_are_errors() {
        let err = parse("[report]\nstale_days = 3\n").expect_err("typo");
        assert!(err.to_string().contains("stale_days"), "{err}");
    }
}
