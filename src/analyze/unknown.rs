//! The fallback: broken pods that no other analyzer explained. It runs last, so `out`
//! already holds every other finding; it speaks once per workload, says what is known
//! (state, exit code, the last log lines) and how to investigate. Pods that are history
//! (an old revision, a Job that later succeeded, a long-finished pod), Terminating pods,
//! and pods the node took down (evicted, on a NotReady node) are not its business.

use std::collections::{BTreeMap, HashSet};

use k8s_openapi::api::core::v1::Pod;

use super::crash_loop::{container_log, last_lines, taken_down, termination_excerpt};
use super::{
    Analyzer, Category, ContainerView, Context, EvidenceSource, Finding, PodContext, Severity,
    Strength,
};
use crate::model::{Kind, ObjectRef, pod_is_healthy, pod_status};

pub struct Unknown;

/// A pod that finished longer ago than this is history.
const HISTORY: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);
/// A pod younger than this that is still starting is just starting.
const STARTING: jiff::SignedDuration = jiff::SignedDuration::from_mins(5);
/// Restarts of a pod that is ready again that still count as "restarting".
const MANY_RESTARTS: i32 = 3;
/// Log lines quoted.
const TAIL: usize = 3;

impl Analyzer for Unknown {
    fn name(&self) -> &'static str {
        "unknown"
    }

    fn analyze(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let mut unexplained: BTreeMap<ObjectRef, Vec<&PodContext<'_>>> = BTreeMap::new();
        let explained = Explained::new(out);
        for pod in &cx.pods {
            if is_broken(cx, pod) && !explained.covers(pod) {
                unexplained
                    .entry(pod.workload.clone())
                    .or_default()
                    .push(pod);
            }
        }
        drop(explained);
        for (workload, pods) in unexplained {
            if let Some(f) = finding(cx, &workload, &pods) {
                out.push(f);
            }
        }
    }
}

fn is_broken(cx: &Context<'_>, pod: &PodContext<'_>) -> bool {
    let p = pod.pod;
    let status = p.status.as_ref();
    let phase = status.and_then(|s| s.phase.as_deref());
    if taken_down(pod) || phase == Some("Succeeded") {
        return false;
    }
    if on_unready_node(cx, p) || is_history(cx, pod) {
        return false;
    }
    let now = cx.snapshot.meta.captured_at;
    let created = p.metadata.creation_timestamp.as_ref().map(|t| t.0);
    let young = created.is_some_and(|c| now.duration_since(c) < STARTING);
    if pod_is_healthy(p) {
        // Context keeps ready pods that restarted recently; a few restarts are not broken.
        return pod.containers.iter().any(|c| c.restarts() >= MANY_RESTARTS);
    }
    let crashing = pod
        .containers
        .iter()
        .any(|c| c.restarts() > 0 || c.terminated().is_some_and(|t| t.exit_code != 0));
    !(young && !crashing && phase != Some("Failed"))
}

/// Evicted pods, pods on a NotReady/Unknown node: the node is the thing to fix.
fn on_unready_node(cx: &Context<'_>, pod: &Pod) -> bool {
    let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) else {
        return false;
    };
    let Some(i) = cx.snapshot.index().position(Kind::Node, "", node) else {
        return false;
    };
    let Some(n) = cx.snapshot.objects.nodes.get(i) else {
        return false;
    };
    let ready = n
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
        .map(|c| c.status == "True");
    ready == Some(false)
}

/// A pod of an old ReplicaSet revision, of a Job that later succeeded, or one that
/// finished long ago.
fn is_history(cx: &Context<'_>, pod: &PodContext<'_>) -> bool {
    let s = cx.snapshot;
    let ns = pod.namespace;
    if let Some(owner) = s.controller_of(&pod.pod.metadata) {
        match owner.kind.as_str() {
            "ReplicaSet" => {
                let rs = s
                    .index()
                    .position(Kind::ReplicaSet, ns, &owner.name)
                    .and_then(|i| s.objects.replica_sets.get(i));
                if rs.and_then(|r| r.spec.as_ref()).and_then(|sp| sp.replicas) == Some(0) {
                    return true;
                }
            }
            "Job" => {
                let job = s
                    .index()
                    .position(Kind::Job, ns, &owner.name)
                    .and_then(|i| s.objects.jobs.get(i));
                let complete = job
                    .and_then(|j| j.status.as_ref())
                    .and_then(|st| st.conditions.as_ref())
                    .is_some_and(|cs| {
                        cs.iter()
                            .any(|c| c.type_ == "Complete" && c.status == "True")
                    });
                if complete {
                    return true;
                }
            }
            _ => {}
        }
    }
    let now = s.meta.captured_at;
    let finished = pod
        .containers
        .iter()
        .filter_map(|c| c.terminated())
        .filter_map(|t| t.finished_at.as_ref())
        .map(|t| t.0)
        .max();
    let running = pod.containers.iter().any(|c| {
        c.status
            .and_then(|st| st.state.as_ref())
            .is_some_and(|st| st.running.is_some() || st.waiting.is_some())
    });
    !running && finished.is_some_and(|f| now.duration_since(f) > HISTORY)
}

/// What the other analyzers already speak for: workloads, subjects and nodes.
struct Explained<'f> {
    objects: HashSet<&'f ObjectRef>,
    nodes: HashSet<&'f str>,
}

impl<'f> Explained<'f> {
    fn new(out: &'f [Finding]) -> Self {
        let mut objects = HashSet::new();
        let mut nodes = HashSet::new();
        for f in out {
            objects.insert(&f.workload);
            objects.insert(&f.subject);
            for r in [&f.workload, &f.subject] {
                if r.kind == "Node" {
                    nodes.insert(r.name.as_str());
                }
            }
        }
        Explained { objects, nodes }
    }

    /// Whether another finding already speaks for the pod, its workload or its node.
    fn covers(&self, pod: &PodContext<'_>) -> bool {
        let node = pod.pod.spec.as_ref().and_then(|s| s.node_name.as_deref());
        self.objects.contains(&pod.workload)
            || self.objects.contains(&pod.subject)
            || node.is_some_and(|n| self.nodes.contains(n))
    }
}

/// `Failed`/`Pending` when the pod is in that phase, else kubectl's STATUS column.
fn phase_or_status(pod: &Pod, status: &str) -> String {
    match pod.status.as_ref().and_then(|s| s.phase.as_deref()) {
        Some(p @ ("Failed" | "Pending")) => p.to_string(),
        _ => status.to_string(),
    }
}

/// The container that says most about the failure: a failed termination, then a waiting
/// reason, then one that is not ready.
fn worst<'a, 'b>(
    pods: &'b [&'b PodContext<'a>],
) -> Option<(&'b PodContext<'a>, &'b ContainerView<'a>)> {
    let score = |c: &ContainerView<'_>| -> i32 {
        let failed = c.terminated().is_some_and(|t| t.exit_code != 0);
        (failed as i32) * 4
            + (c.waiting_reason().is_some() as i32) * 2
            + (!c.ready() as i32)
            + c.restarts().min(1)
    };
    pods.iter()
        .flat_map(|p| p.containers.iter().map(move |c| (*p, c)))
        .max_by_key(|(_, c)| score(c))
}

fn finding(cx: &Context<'_>, workload: &ObjectRef, pods: &[&PodContext<'_>]) -> Option<Finding> {
    let (pod, c) = worst(pods)?;
    let name = c.name;
    let status = pod_status(pod.pod);
    let term = c.terminated();
    let waiting = c.waiting_reason();
    let crash_looping = waiting == Some("CrashLoopBackOff") || c.restarts() > 0;
    let mut f = Finding::new(
        "unknown",
        Category::Unknown,
        pod.subject.clone(),
        workload.clone(),
        "unexplained",
    );
    f.severity = if crash_looping {
        Severity::Critical
    } else {
        Severity::Warning
    };
    f.facts.insert("status".into(), status.clone());
    f.facts.insert("container".into(), name.to_string());
    f.facts.insert("restarts".into(), c.restarts().to_string());
    if let Some(t) = term {
        f.facts.insert("exit_code".into(), t.exit_code.to_string());
    }
    if pods.len() > 1 {
        f.facts.insert("pods".into(), pods.len().to_string());
    }

    let who = format!("{} {}", workload.kind, workload.name);
    let what = match (term, waiting) {
        (Some(t), _) if t.exit_code != 0 || crash_looping => {
            let verb = if c
                .status
                .and_then(|s| s.state.as_ref())
                .is_some_and(|s| s.terminated.is_some())
            {
                "exited"
            } else {
                "exits"
            };
            let took = match (t.started_at.as_ref(), t.finished_at.as_ref()) {
                (Some(s), Some(e)) => match e.0.duration_since(s.0).as_secs() {
                    ..=0 => " immediately".to_string(),
                    n => format!(" after {n}s"),
                },
                _ => String::new(),
            };
            let state = match waiting {
                Some(w) => format!("{w}, {} restarts", c.restarts()),
                None if c.restarts() == 0 => format!("pod {}", phase_or_status(pod.pod, &status)),
                None => format!(
                    "pod {}, {} restarts",
                    phase_or_status(pod.pod, &status),
                    c.restarts()
                ),
            };
            format!(
                "container {name} {verb} with code {}{took} ({state})",
                t.exit_code
            )
        }
        (_, Some(w)) => format!("container {name} is waiting: {w}"),
        _ if !c.ready() => format!("container {name} is not ready (pod {status})"),
        _ => format!("pod {} is {status}", pod.name),
    };
    let log = container_log(cx, pod, name);
    let tail: Vec<&str> = log.map(|(t, _)| last_lines(t, TAIL)).unwrap_or_default();
    let log_clue = match (log, tail.last()) {
        (Some(_), Some(last)) => format!(" right after logging `{}`", last.trim()),
        (Some(_), None) => " with an empty log".to_string(),
        (None, _) => " (no log collected)".to_string(),
    };
    let warnings: Vec<&str> = pod
        .events
        .iter()
        .filter(|e| e.type_.as_deref() == Some("Warning"))
        .filter_map(|e| e.reason.as_deref())
        .collect();
    let events_clue = match warnings.as_slice() {
        [] => "no warning event",
        w if w.iter().all(|r| *r == "BackOff") => "no event beyond BackOff",
        _ => "no event",
    };
    f.cause = format!(
        "{who}: {what}{log_clue}; no error line in its log, {events_clue} and nothing in its spec explain why."
    );
    f.summary = format!("{who}: {what} (unexplained)");

    if let Some(t) = term {
        f.evidence.push(Context::evidence(
            EvidenceSource::Status,
            &pod.subject,
            termination_excerpt(c, t),
            Strength::Circumstantial,
        ));
    } else {
        let excerpt = format!(
            "pod {} status {status}; container {name} ready={}",
            pod.name,
            c.ready()
        );
        f.evidence.push(Context::evidence(
            EvidenceSource::Status,
            &pod.subject,
            excerpt,
            Strength::Circumstantial,
        ));
    }
    if let Some((_, previous)) = log {
        let which = if previous { "previous log" } else { "log" };
        let excerpt = if tail.is_empty() {
            format!("{which} of {name}: (empty)")
        } else {
            format!("{which} of {name} (last lines):\n{}", tail.join("\n"))
        };
        f.evidence.push(Context::evidence(
            EvidenceSource::Log,
            &pod.subject,
            excerpt,
            Strength::Circumstantial,
        ));
    }
    for e in pod
        .events
        .iter()
        .filter(|e| e.type_.as_deref() == Some("Warning"))
        .take(3)
    {
        f.evidence
            .push(Context::event_evidence(e, Strength::Circumstantial));
    }

    let ns = pod.namespace;
    f.fix = vec![
        format!("Read the full output of the failed instance: kubectl logs -n {ns} {} -c {name} --previous", pod.name),
        format!("Check events, exit code and mounts: kubectl describe pod -n {ns} {}", pod.name),
        format!(
            "Start a copy with a shell to reproduce by hand: kubectl debug -n {ns} {} -it --copy-to={}-debug --container={name} -- sh",
            pod.name, pod.name
        ),
        "Raise the application's log level (or run it with strace) to see what it does right before it exits.".into(),
    ];
    if workload.known_kind().is_some_and(|k| k.info().rolls_out()) {
        f.fix.push(format!(
            "If it worked before, compare with the previous revision: kubectl rollout history -n {ns} {}/{}",
            workload.kind.to_lowercase(),
            workload.name
        ));
    }
    f.prevention = vec![
        "Make the application log why it exits (a clear error line before a non-zero exit code)."
            .into(),
    ];
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testing::{fixture, run};

    #[test]
    fn a_silent_crash_loop_is_reported_once_per_workload() {
        let f = run(&Unknown, "unknown/silent-crash.json");
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].category, Category::Unknown);
        assert_eq!(f[0].workload.to_string(), "Deployment shop/legacy-billing");
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(f[0].cause.contains("exits with code 1"), "{}", f[0].cause);
        assert!(
            f[0].cause.contains("starting billing daemon..."),
            "{}",
            f[0].cause
        );
        assert!(f[0].remedy.is_none());
    }

    #[test]
    fn a_failed_bare_pod_is_its_own_workload() {
        let f = run(&Unknown, "unknown/bare-pod.json");
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].workload.to_string(), "Pod shop/migrate-20261120");
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(
            f[0].cause.contains("exited with code 1") && f[0].cause.contains("empty log"),
            "{}",
            f[0].cause
        );
    }

    #[test]
    fn a_workload_another_analyzer_explained_is_left_alone() {
        let s = fixture("unknown/silent-crash.json");
        let cx = Context::new(&s);
        let pod = &cx.pods[0];
        let mut out = vec![Finding::new(
            "other",
            Category::CrashLoop,
            pod.subject.clone(),
            pod.workload.clone(),
            "x",
        )];
        Unknown.analyze(&cx, &mut out);
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn evicted_terminating_and_old_revision_pods_are_not_unknown() {
        assert!(run(&Unknown, "unknown/history.json").is_empty());
    }
}
