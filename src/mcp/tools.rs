//! The tools, their input schemas (schemars, from the doc comments below) and their
//! answers. Each reads a view (see `views`), answers JSON through `output` (sanitized), and
//! turns every failure into a tool error with its hint: a bad call never stops the server.

use std::collections::BTreeSet;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{schemars, tool, tool_router};
use serde::{Deserialize, Serialize};

use super::Server;
use super::output;
use super::views::{self, Scope};
use crate::analyze::changes::{ChangeRecord, revisions, what_changed};
use crate::analyze::{Category, Severity};
use crate::error::{Error, Result};
use crate::model::ObjectRef;
use crate::rca::DiagnosisList;

/// Where a call reads; both default to how the server was started.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct Where {
    /// The kubeconfig context (default: the server's --context, else the current context)
    #[serde(default)]
    pub context: Option<String>,
    /// The namespace (default: the server's -n, else every namespace in the snapshot)
    #[serde(default)]
    pub namespace: Option<String>,
}

impl Where {
    fn scope(&self) -> Scope {
        Scope {
            context: self.context.clone(),
            namespace: self.namespace.clone(),
        }
    }
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ListProblemsParams {
    /// The kubeconfig context (default: the server's --context, else the current context)
    #[serde(default)]
    pub context: Option<String>,
    /// Namespaces to look in (default: the server's -n or -A, else the context's namespace)
    #[serde(default)]
    pub namespaces: Vec<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct DiagnoseParams {
    /// What to diagnose, as kubectl writes it: deploy/NAME, sts/NAME, ds/NAME, pod/NAME,
    /// job/NAME, cronjob/NAME, node/NAME
    pub target: String,
    #[serde(flatten)]
    pub scope: Where,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct GetLogsParams {
    /// The pod's name (pod/NAME works too)
    pub pod: String,
    /// The container (default: the pod's default-container annotation, else its first)
    #[serde(default)]
    pub container: Option<String>,
    /// The log of the previous, crashed instance of the container
    #[serde(default)]
    pub previous: bool,
    /// Lines from the end (default 200, at most 5000)
    #[serde(default)]
    pub tail: Option<u32>,
    #[serde(flatten)]
    pub scope: Where,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct WhatChangedParams {
    /// The workload: deploy/NAME, sts/NAME or ds/NAME (a pod/NAME means its owner)
    pub workload: String,
    #[serde(flatten)]
    pub scope: Where,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ReportParams {
    /// How far back to look for issues and rollouts, e.g. 24h, 90m, 7d (default 24h)
    #[serde(default)]
    pub window: Option<String>,
    #[serde(flatten)]
    pub scope: Where,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ProposeFixParams {
    /// The object to fix, as in diagnose (deploy/NAME …)
    pub target: String,
    /// Which hypothesis's remedy, by index in the diagnosis (0 = the most likely); default:
    /// the first of the top three that has a remedy
    #[serde(default)]
    pub hypothesis: Option<usize>,
    #[serde(flatten)]
    pub scope: Where,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct DiagnoseTextParams {
    /// What kubectl printed, as pasted: `kubectl describe` (pods, workloads, nodes, PVCs,
    /// services), `kubectl get` tables, `kubectl get events`, `kubectl logs` after its
    /// `$ kubectl logs POD -c C --previous` line, `-o yaml` / `-o json`; any mix
    pub text: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct OpenFixPrParams {
    /// The fix_id a propose_fix call returned
    pub fix_id: String,
}

/// One line of `list_problems`.
#[derive(Debug, Serialize)]
struct Problem {
    /// Pass this to diagnose, what_changed or propose_fix.
    target: String,
    subject: ObjectRef,
    severity: Severity,
    category: Category,
    cause: String,
    confidence: f64,
    engine: String,
    /// Whether the top hypotheses carry a remedy propose_fix can write.
    fixable: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ProblemList {
    api_version: &'static str,
    kind: &'static str,
    items: Vec<Problem>,
    warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
struct RevisionSummary {
    number: i64,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<jiff::Timestamp>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ChangeList {
    api_version: &'static str,
    kind: &'static str,
    workload: ObjectRef,
    revisions: Vec<RevisionSummary>,
    /// Between the two newest revisions, in the fields that break things.
    changes: Vec<ChangeRecord>,
}

/// `deployment/web`: the spelling the other tools take.
fn target_of(subject: &ObjectRef) -> String {
    format!("{}/{}", subject.kind.to_ascii_lowercase(), subject.name)
}

impl Server {
    fn answer<T: Serialize>(&self, result: Result<T>) -> CallToolResult {
        match result {
            Ok(v) => output::json(&self.sanitizer, &v),
            Err(e) => output::error(&self.sanitizer, &e),
        }
    }

    async fn problems(&self, p: &ListProblemsParams) -> Result<ProblemList> {
        let scopes: Vec<Scope> = match p.namespaces.as_slice() {
            [] => vec![Scope {
                context: p.context.clone(),
                namespace: None,
            }],
            several => several
                .iter()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .map(|ns| Scope {
                    context: p.context.clone(),
                    namespace: Some(ns.clone()),
                })
                .collect(),
        };
        let mut items = Vec::new();
        let mut warnings = Vec::new();
        for scope in &scopes {
            let view = self.views.get(scope).await?;
            for d in &view.list.items {
                let Some(top) = d.top() else { continue };
                items.push(Problem {
                    target: target_of(&d.subject),
                    subject: d.subject.clone(),
                    severity: d.severity,
                    category: top.category,
                    cause: top.cause.clone(),
                    confidence: top.confidence,
                    engine: top.engine.clone(),
                    fixable: d.hypotheses.iter().take(3).any(|h| h.remedy.is_some()),
                });
            }
            for w in &view.list.warnings {
                if !warnings.contains(w) {
                    warnings.push(w.clone());
                }
            }
        }
        items.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| b.confidence.total_cmp(&a.confidence))
                .then_with(|| a.subject.cmp(&b.subject))
        });
        Ok(ProblemList {
            api_version: "k8sops/v1",
            kind: "ProblemList",
            items,
            warnings,
        })
    }

    async fn diagnosis(&self, p: &DiagnoseParams) -> Result<DiagnosisList> {
        let scope = p.scope.scope();
        let view = self.views.get(&scope).await?;
        let subject = views::resolve(&view, &p.target, self.views.lookup_namespace(&scope))?;
        let mut list = view.list.clone();
        list.items.retain(|d| d.subject == subject);
        Ok(list)
    }

    fn text_diagnosis(&self, p: &DiagnoseTextParams) -> Result<DiagnosisList> {
        let paste = crate::source::paste::Paste {
            name: "text",
            text: &p.text,
        };
        let snapshot = crate::source::paste::read(&[paste], jiff::Timestamp::now())?;
        Ok(crate::rca::run(&snapshot))
    }

    async fn changes(&self, p: &WhatChangedParams) -> Result<ChangeList> {
        let scope = p.scope.scope();
        let view = self.views.get(&scope).await?;
        let workload = views::resolve(&view, &p.workload, self.views.lookup_namespace(&scope))?;
        let revisions = revisions(&view.snapshot, &workload)
            .into_iter()
            .map(|r| RevisionSummary {
                number: r.number,
                name: r.name,
                created: r.created,
            })
            .collect();
        Ok(ChangeList {
            api_version: "k8sops/v1",
            kind: "ChangeList",
            changes: what_changed(&view.snapshot, &workload),
            revisions,
            workload,
        })
    }

    async fn report_of(&self, p: &ReportParams) -> Result<crate::report::Report> {
        let since = crate::model::parse_duration(p.window.as_deref().unwrap_or("24h")).map_err(
            |message| Error::Usage {
                flag: "window".into(),
                message,
                hint: "write it as 24h, 90m or 7d".into(),
            },
        )?;
        super::resources::report(self, &p.scope.scope(), since).await
    }
}

#[tool_router(vis = "pub(super)")]
impl Server {
    /// What is broken: one line per workload (or node, or bare pod) with a problem, most severe first — its target, severity, category, most likely cause and confidence.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn list_problems(&self, Parameters(p): Parameters<ListProblemsParams>) -> CallToolResult {
        self.answer(self.problems(&p).await)
    }

    /// Root cause of one object with evidence: the k8sops/v1 DiagnosisList (ranked hypotheses with confidence, fix steps, remedy, findings, evidence, what changed).
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn diagnose(&self, Parameters(p): Parameters<DiagnoseParams>) -> CallToolResult {
        self.answer(self.diagnosis(&p).await)
    }

    /// Root cause from text a user pasted (kubectl describe, get, get events, logs, -o yaml/json) instead of the cluster: the k8sops/v1 DiagnosisList; its warnings say what was inferred and which lines were skipped.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn diagnose_text(&self, Parameters(p): Parameters<DiagnoseTextParams>) -> CallToolResult {
        self.answer(self.text_diagnosis(&p))
    }

    /// A container's log, current or previous, the last lines; secrets are redacted.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn get_logs(&self, Parameters(p): Parameters<GetLogsParams>) -> CallToolResult {
        let req = super::logs::Request {
            pod: &p.pod,
            container: p.container.as_deref(),
            previous: p.previous,
            tail: p.tail,
        };
        self.answer(super::logs::get(&self.views, &p.scope.scope(), &req).await)
    }

    /// What changed between a workload's two newest revisions (image, env, resources, probes, command): the usual suspect after a rollout.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn what_changed(&self, Parameters(p): Parameters<WhatChangedParams>) -> CallToolResult {
        self.answer(self.changes(&p).await)
    }

    /// The daily health report as JSON: score and grade, status per namespace, issues and rollouts in the window, resource use, recommendations.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn report(&self, Parameters(p): Parameters<ReportParams>) -> CallToolResult {
        self.answer(self.report_of(&p).await)
    }

    /// Turns the remedy of a diagnosis into a diff of the GitOps repository's manifest and returns it with a fix_id. Writes nothing: no commit, no push, no pull request.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn propose_fix(&self, Parameters(p): Parameters<ProposeFixParams>) -> CallToolResult {
        let result = async {
            let scope = p.scope.scope();
            let view = self.views.get(&scope).await?;
            let subject = views::resolve(&view, &p.target, self.views.lookup_namespace(&scope))?;
            self.fixes.propose(&view, &subject, p.hypothesis).await
        }
        .await;
        self.answer(result)
    }

    /// Opens (or updates) the pull request of a proposed fix: commits its diff on a branch, pushes it and opens the PR. Only on a server started with --allow-pr; subject to the policy and recorded in the audit log. Show the diff to the user first.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = false,
        // An opened fix is gone: a second call is an error, not the same answer.
        idempotent_hint = false,
        open_world_hint = true
    ))]
    async fn open_fix_pr(&self, Parameters(p): Parameters<OpenFixPrParams>) -> CallToolResult {
        self.answer(self.fixes.open(&p.fix_id).await)
    }
}
