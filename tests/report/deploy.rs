//! The in-cluster daily report (`examples/deploy/report-*.yaml`): the manifests are valid
//! Kubernetes (checked offline against the API schemas by `kubernetes-validate`), the
//! ClusterRole is read-only and grants every read the live source makes, the binding and
//! the CronJob agree on the service account, and the CronJob's command line is one k8sops
//! accepts, with the environment its flags need.
//!
//! `kubernetes-validate` comes from PyPI in a throw-away venv (`.ci/run` sets
//! `KUBERNETES_VALIDATE` to it). Under `CI=true` a missing validator fails the test;
//! elsewhere the test prints a SKIP line (`support::tool`).

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::Parser as _;
use k8s_openapi::api::batch::v1::CronJob;
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding};
use k8sops::cmd::cli::{Cli, Command, PostTarget, ReportCommand};
use k8sops::model::{KINDS, Kind};
use serde_json::Value;

use crate::support;

fn deploy() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/deploy")
}

const FILES: &[&str] = &["report-rbac.yaml", "report-cronjob.yaml"];

fn documents() -> Vec<Value> {
    FILES
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(deploy().join(f)).expect("manifest");
            serde_saphyr::from_multiple::<Value>(&text).expect("YAML")
        })
        .collect()
}

fn one<T: serde::de::DeserializeOwned>(kind: &str) -> T {
    let docs: Vec<Value> = documents()
        .into_iter()
        .filter(|d| d["kind"] == kind)
        .collect();
    assert_eq!(docs.len(), 1, "one {kind}");
    serde_json::from_value(docs[0].clone()).expect(kind)
}

#[test]
fn the_cluster_role_is_read_only_and_grants_every_read_the_report_makes() {
    let role: ClusterRole = one("ClusterRole");
    let rules = role.rules.expect("rules");
    let read_only: BTreeSet<&str> = ["get", "list", "watch"].into();
    let mut granted: BTreeSet<(String, String, String)> = BTreeSet::new();
    for rule in &rules {
        for verb in &rule.verbs {
            assert!(
                read_only.contains(verb.as_str()),
                "verb {verb} changes the cluster"
            );
        }
        for group in rule.api_groups.iter().flatten() {
            for resource in rule.resources.iter().flatten() {
                assert_ne!(resource, "*", "no wildcards");
                for verb in &rule.verbs {
                    granted.insert((group.clone(), resource.clone(), verb.clone()));
                }
            }
        }
    }
    let has = |group: &str, resource: &str, verb: &str| {
        granted.contains(&(group.to_string(), resource.to_string(), verb.to_string()))
    };
    // The live source lists every kind of the registry but ReplicationControllers.
    for info in KINDS
        .iter()
        .filter(|k| k.kind != Kind::ReplicationController)
    {
        assert!(
            has(info.group, info.plural, "list"),
            "list {} ({})",
            info.plural,
            info.group
        );
    }
    assert!(has("", "pods/log", "get"));
    assert!(has("metrics.k8s.io", "nodes", "list") && has("metrics.k8s.io", "pods", "list"));
}

#[test]
fn binding_service_account_and_cron_job_agree() {
    let sa: ServiceAccount = one("ServiceAccount");
    let binding: ClusterRoleBinding = one("ClusterRoleBinding");
    let role: ClusterRole = one("ClusterRole");
    let cron: CronJob = one("CronJob");
    assert_eq!(binding.role_ref.kind, "ClusterRole");
    assert_eq!(Some(&binding.role_ref.name), role.metadata.name.as_ref());
    let subject = &binding.subjects.expect("subjects")[0];
    assert_eq!(subject.kind, "ServiceAccount");
    assert_eq!(Some(&subject.name), sa.metadata.name.as_ref());
    assert_eq!(subject.namespace, sa.metadata.namespace);
    assert_eq!(cron.metadata.namespace, sa.metadata.namespace);
    let spec = cron.spec.expect("spec");
    assert_eq!(spec.concurrency_policy.as_deref(), Some("Forbid"));
    let pod = spec
        .job_template
        .spec
        .expect("job")
        .template
        .spec
        .expect("pod");
    assert_eq!(pod.service_account_name, sa.metadata.name);
}

#[test]
fn the_cron_job_runs_a_command_line_k8sops_accepts() {
    let cron: CronJob = one("CronJob");
    let job = cron.spec.expect("spec").job_template.spec.expect("job");
    let container = &job.template.spec.expect("pod").containers[0];
    let args = container.args.clone().expect("args");
    let cli = Cli::try_parse_from(std::iter::once("k8sops".to_string()).chain(args.clone()))
        .map_err(|e| e.to_string())
        .and_then(Cli::resolve)
        .unwrap_or_else(|e| panic!("k8sops {}: {e}", args.join(" ")));
    let Command::Report(ReportCommand::Daily(daily)) = cli.command else {
        panic!("the CronJob runs `report daily`, not {args:?}")
    };
    assert!(daily.scope.all_namespaces, "the whole cluster");
    let env: Vec<(String, Option<String>)> = container
        .env
        .iter()
        .flatten()
        .map(|e| (e.name.clone(), e.value.clone()))
        .collect();
    let set = |name: &str| env.iter().find(|(n, _)| n == name);
    if daily.post.contains(&PostTarget::Slack) {
        assert!(
            set("K8SOPS_SLACK_WEBHOOK_URL").is_some(),
            "--post slack needs the webhook"
        );
    }
    if daily.create_issue {
        assert!(
            set("GITHUB_TOKEN").is_some(),
            "--create-issue needs a token"
        );
        let repo = set("K8SOPS_REPORT_REPO").and_then(|(_, v)| v.clone());
        // There is no checkout in the pod, so the repository must be named.
        assert!(
            daily.repo.is_some()
                || repo
                    .as_deref()
                    .is_some_and(|r| k8sops::github::parse_repo(r).is_ok()),
            "--create-issue needs --repo or K8SOPS_REPORT_REPO"
        );
    }
    assert_eq!(job.backoff_limit, Some(0), "a retry would post twice");
}

#[test]
fn kubernetes_validate_accepts_the_manifests_strictly() {
    let Some(validator) = support::tool::require(&support::tool::KUBERNETES_VALIDATE) else {
        return;
    };
    let out = std::process::Command::new(&validator)
        .arg("--strict")
        .args(FILES.iter().map(|f| deploy().join(f)))
        .output()
        .expect("kubernetes-validate runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    // One line per resource: the namespace, service account, role, binding and CronJob.
    assert_eq!(text.matches(" passed for resource ").count(), 5, "{text}");
}
