//! The dashboard's async worker: everything that reads the network, walks the stores or
//! runs git happens here, and answers with an [`Action::Show`] (or, for a fix, an
//! [`Action::Ask`] over the diff). The `e` key ends up in the `watch::assist` seam, `f`
//! in the [`FixFlow`].

use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use tokio::sync::mpsc;

use super::action::{Action, Ask, Request};
use super::fix::{self, FixFlow};
use crate::model::{Kind, ObjectRef};
use crate::rca::DiagnosisList;
use crate::remediate::Hints;
use crate::source::live::container_log;
use crate::watch::assist::{self, Explainer};
use crate::watch::{Logs, Readers, Slices};

pub struct Worker {
    pub readers: Readers,
    /// What the LLM reads for a diagnosis.
    pub slices: Slices,
    pub logs: Logs,
    pub client: Option<kube::Client>,
    pub context: Option<String>,
    pub explainer: Option<Arc<dyn Explainer>>,
    /// `None` without a GitOps repository: `f` then shows the command to run.
    pub fix: Option<Arc<FixFlow>>,
    pub tail: u32,
}

impl Worker {
    /// Serves requests until the channel closes; each answer goes to `out`.
    pub async fn run(self, mut requests: mpsc::Receiver<Request>, out: mpsc::Sender<Action>) {
        let me = Arc::new(self);
        while let Some(request) = requests.recv().await {
            let me = me.clone();
            let out = out.clone();
            tokio::spawn(async move {
                if let Some(answer) = me.answer(request, &out).await {
                    let _ = out.send(answer).await;
                }
            });
        }
    }

    async fn answer(&self, request: Request, out: &mpsc::Sender<Action>) -> Option<Action> {
        let show = |(title, lines): (String, Vec<String>)| Some(Action::Show { title, lines });
        match request {
            Request::Logs {
                pod,
                container,
                previous,
            } => show(self.logs(&pod, container, previous).await),
            Request::Describe(o) => show((format!("describe {o}"), self.describe(&o))),
            Request::Yaml(o) => show((format!("yaml {o}"), self.yaml(&o))),
            Request::Explain(d) => {
                let text = match &self.explainer {
                    Some(e) => {
                        let _ = out
                            .send(Action::Message(format!(
                                "asking the LLM about {}…",
                                d.subject
                            )))
                            .await;
                        let snapshot = self.slices.snapshot(&d.subject);
                        match e.explain(&snapshot, &d).await {
                            Ok(merged) => crate::render::text(
                                &DiagnosisList::new(vec![merged], Vec::new()),
                                snapshot.meta.captured_at,
                                false,
                            ),
                            Err(err) => err.to_string(),
                        }
                    }
                    None => assist::ExplainError::NotConfigured.to_string(),
                };
                show((
                    format!("explain {}", d.subject),
                    text.lines().map(str::to_string).collect(),
                ))
            }
            Request::Fix(d) => {
                let title = format!("fix {}", d.subject);
                let Some(flow) = self.fix.clone() else {
                    let p = assist::propose_fix(&d, self.context.as_deref());
                    return show((title, fix::unconfigured_lines(&p)));
                };
                let _ = out
                    .send(Action::Message(format!(
                        "proposing a fix for {} (fetching the GitOps repository)…",
                        d.subject
                    )))
                    .await;
                let hints = self.hints(&d.subject);
                let proposed = tokio::task::spawn_blocking(move || flow.propose(*d, hints)).await;
                match proposed {
                    Ok(Ok(lines)) => Some(Action::Ask(Box::new(Ask {
                        title,
                        lines,
                        yes: Request::OpenPr,
                        no: Request::DeclineFix,
                    }))),
                    Ok(Err(e)) => show((
                        title,
                        vec![
                            format!("No fix proposed: {e}"),
                            format!("hint: {}", e.hint()),
                            "Nothing was changed.".into(),
                        ],
                    )),
                    Err(e) => show((title, vec![format!("The fix proposal failed: {e}")])),
                }
            }
            Request::OpenPr => {
                let flow = self.fix.as_ref()?;
                let _ = out
                    .send(Action::Message(
                        "committing, pushing and opening the pull request…".into(),
                    ))
                    .await;
                show(("pull request".into(), flow.open().await))
            }
            Request::DeclineFix => {
                if let Some(flow) = &self.fix {
                    flow.decline(None);
                }
                Some(Action::Message(
                    "fix cancelled: nothing was committed or pushed".into(),
                ))
            }
        }
    }

    /// What locating the source file learns from the live object (Argo CD, Flux, Helm).
    fn hints(&self, subject: &ObjectRef) -> Hints {
        self.object(subject)
            .and_then(|(_, v)| serde_json::from_value::<ObjectMeta>(v["metadata"].clone()).ok())
            .map(|meta| Hints::from_meta(&meta))
            .unwrap_or_default()
    }

    fn object(&self, o: &ObjectRef) -> Option<(Kind, serde_json::Value)> {
        let kind = o.known_kind()?;
        Some((
            kind,
            self.readers.json(kind, o.namespace.as_deref(), &o.name)?,
        ))
    }

    fn yaml(&self, o: &ObjectRef) -> Vec<String> {
        match self.object(o) {
            Some((_, v)) => match serde_saphyr::to_string(&v) {
                Ok(y) => y.lines().map(str::to_string).collect(),
                Err(e) => vec![format!("cannot render {o} as YAML: {e}")],
            },
            None => vec![format!(
                "{o} is not in the watch cache (deleted, or its kind is not watched)"
            )],
        }
    }

    /// A `kubectl describe`-like view: identity, labels, status, containers, events.
    fn describe(&self, o: &ObjectRef) -> Vec<String> {
        let Some((_, v)) = self.object(o) else {
            return vec![format!(
                "{o} is not in the watch cache (deleted, or its kind is not watched)"
            )];
        };
        let meta = &v["metadata"];
        let mut out = vec![
            format!("Name:       {}", meta["name"].as_str().unwrap_or("")),
            format!("Namespace:  {}", meta["namespace"].as_str().unwrap_or("")),
            format!("Kind:       {}", o.kind),
            format!(
                "Created:    {}",
                meta["creationTimestamp"].as_str().unwrap_or("")
            ),
        ];
        if let Some(labels) = meta["labels"].as_object() {
            let l: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect();
            out.push(format!("Labels:     {}", l.join(", ")));
        }
        if let Some(owner) = meta["ownerReferences"].as_array().and_then(|a| a.first()) {
            out.push(format!(
                "Controlled by: {}/{}",
                owner["kind"].as_str().unwrap_or(""),
                owner["name"].as_str().unwrap_or("")
            ));
        }
        if let Some(phase) = v["status"]["phase"].as_str() {
            out.push(format!("Status:     {phase}"));
        }
        for c in v["spec"]["containers"].as_array().into_iter().flatten() {
            out.push(format!("Container {}:", c["name"].as_str().unwrap_or("")));
            out.push(format!("  Image:    {}", c["image"].as_str().unwrap_or("")));
            if let Some(r) = c.get("resources").filter(|r| !r.is_null()) {
                out.push(format!("  Resources: {r}"));
            }
        }
        for cs in v["status"]["containerStatuses"]
            .as_array()
            .into_iter()
            .flatten()
        {
            out.push(format!(
                "State of {}: {} (ready {}, restarts {})",
                cs["name"].as_str().unwrap_or(""),
                cs["state"]
                    .as_object()
                    .and_then(|s| s.keys().next().cloned())
                    .unwrap_or_default(),
                cs["ready"],
                cs["restartCount"]
            ));
            if let Some(t) = cs["lastState"]["terminated"].as_object() {
                out.push(format!(
                    "  Last terminated: {} (exit {})",
                    t.get("reason").and_then(|r| r.as_str()).unwrap_or(""),
                    t.get("exitCode").cloned().unwrap_or_default()
                ));
            }
        }
        for c in v["status"]["conditions"].as_array().into_iter().flatten() {
            out.push(format!(
                "Condition {}={} {}",
                c["type"].as_str().unwrap_or(""),
                c["status"].as_str().unwrap_or(""),
                c["message"].as_str().unwrap_or("")
            ));
        }
        let mut events = self.readers.events.about(o);
        events.sort_by_key(crate::model::event_last_seen);
        out.push("Events:".into());
        if events.is_empty() {
            out.push("  <none>".into());
        }
        for e in &events {
            out.push(format!(
                "  {} {} (x{}): {}",
                e.type_.as_deref().unwrap_or("Normal"),
                e.reason.as_deref().unwrap_or(""),
                crate::model::event_count(e),
                e.message.as_deref().unwrap_or("").trim()
            ));
        }
        out
    }

    async fn logs(
        &self,
        pod: &ObjectRef,
        container: Option<String>,
        previous: bool,
    ) -> (String, Vec<String>) {
        let ns = pod.namespace.clone().unwrap_or_default();
        let container = container.or_else(|| {
            self.readers
                .json(Kind::Pod, pod.namespace.as_deref(), &pod.name)
                .and_then(|v| {
                    v["spec"]["containers"][0]["name"]
                        .as_str()
                        .map(str::to_string)
                })
        });
        let Some(container) = container else {
            return (
                format!("logs {pod}"),
                vec![format!("{pod} has no containers in the watch cache")],
            );
        };
        let which = if previous { "previous" } else { "current" };
        let title = format!("logs {ns}/{} [{container}, {which}]", pod.name);
        let key = crate::model::LogKey {
            namespace: ns.clone(),
            pod: pod.name.clone(),
            container: container.clone(),
            previous,
        };
        let text = match &self.client {
            Some(client) => match container_log(client, &key, self.tail, None).await {
                Ok(t) => t,
                Err(e) => format!("cannot read the logs: {e}"),
            },
            None => self
                .logs
                .lock()
                .ok()
                .and_then(|l| l.get(&key).cloned())
                .unwrap_or_else(|| {
                    format!("the bundle holds no {which} log of container {container}")
                }),
        };
        (title, text.lines().map(str::to_string).collect())
    }
}
