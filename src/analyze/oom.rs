//! Out-of-memory kills: containers (init containers too) terminated with `OOMKilled`, and
//! exit-137 kills the node's kernel OOM killer reports (`SystemOOM`, `OOMKilling` events on
//! the Node). The cause names the limit and, when the spec or logs say it, what the process
//! wants (a JVM `-Xmx`, Node's `--max-old-space-size`, an `OutOfMemoryError`); the remedy
//! raises the limit with the arithmetic stated.

use std::sync::LazyLock;

use k8s_openapi::api::core::v1::{Container, ContainerStateTerminated, Event};
use regex::Regex;

use super::crash_loop::{
    container_facts, container_log, last_lines, taken_down, termination_excerpt,
};
use super::{
    Analyzer, Category, Change, ContainerView, Context, EvidenceSource, Finding, PodContext,
    Remedy, Severity, Strength,
};
use crate::model::quantity::quantity_bytes;
use crate::model::{event_first_seen, event_last_seen};

pub struct OomKilled;

const MI: u64 = 1024 * 1024;
const GI: u64 = 1024 * MI;
/// Limits are rounded up to a multiple of this.
const ROUND_TO: u64 = 64 * MI;
/// A node OOM event this close to a container's exit-137 termination is about it.
const NODE_OOM_WINDOW: jiff::SignedDuration = jiff::SignedDuration::from_mins(3);

impl Analyzer for OomKilled {
    fn name(&self) -> &'static str {
        "oom"
    }

    fn analyze(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for pod in &cx.pods {
            for c in &pod.containers {
                let Some(term) = c.terminated() else { continue };
                if term.reason.as_deref() == Some("OOMKilled") {
                    out.push(finding(cx, pod, c, term, None));
                } else if term.exit_code == 137
                    && term.reason.as_deref() != Some("ContainerStatusUnknown")
                    && !taken_down(pod)
                    && let Some(event) = node_oom_event(cx, pod, c, term)
                {
                    out.push(finding(cx, pod, c, term, Some(event)));
                }
            }
        }
    }
}

/// What the process asks for, read from its command line, env or log.
struct Demand {
    /// `-Xmx1024m`
    flag: String,
    /// Where it was read: `JAVA_TOOL_OPTIONS`, `args`, `log`.
    source: String,
    heap: u64,
}

static XMX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"-Xmx(\d+)([kKmMgGtT]?)\b").expect("valid regex"));
static NODE_HEAP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"--max-old-space-size[= ](\d+)\b").expect("valid regex"));
static OOM_LOG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"java\.lang\.OutOfMemoryError[^\n]*",
        r"|JavaScript heap out of memory",
        r"|fatal error: runtime: out of memory",
        r"|\bMemoryError\b[^\n]*",
        r"|Cannot allocate memory",
        r"|std::bad_alloc",
        r"|out of memory"
    ))
    .expect("valid regex")
});
pub(super) static VICTIM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"victim process: ([^,\s]+)|Killed process \d+ \(([^)]+)\)").expect("valid regex")
});

fn finding(
    cx: &Context<'_>,
    pod: &PodContext<'_>,
    c: &ContainerView<'_>,
    term: &ContainerStateTerminated,
    node_event: Option<&Event>,
) -> Finding {
    let name = c.name;
    let limit = c.resource("limits", "memory");
    let request = c.resource("requests", "memory");
    let demand = c
        .spec
        .and_then(demand_from_spec)
        .or_else(|| demand_from_log(cx, pod, name));
    let log = container_log(cx, pod, name);
    let oom_line = log
        .and_then(|(text, _)| OOM_LOG.find(text))
        .map(|m| m.as_str().trim().to_string());
    let last_line =
        log.and_then(|(text, _)| last_lines(text, 1).first().map(|l| l.trim().to_string()));

    let mut f = Finding::new(
        "oom",
        Category::OomKilled,
        pod.subject.clone(),
        pod.workload.clone(),
        &format!("{name}/OOMKilled"),
    );
    f.severity = Severity::Critical;
    container_facts(&mut f, c, Some(term));
    if let Some(l) = limit {
        f.facts.insert("limit".into(), l.to_string());
    }
    if let Some(r) = request {
        f.facts.insert("request".into(), r.to_string());
    }
    if let Some(d) = &demand {
        f.facts
            .insert("heap".into(), format!("{} ({})", d.flag, d.source));
    }

    let who = if c.init {
        format!("Init container {name}")
    } else {
        format!("Container {name}")
    };
    let how = match node_event {
        None => "is OOMKilled (exit 137)".to_string(),
        Some(e) => format!(
            "is OOMKilled by the kernel of node {} (exit 137, {} event)",
            e.involved_object.name.as_deref().unwrap_or("?"),
            e.reason.as_deref().unwrap_or("SystemOOM")
        ),
    };
    let at_limit = match limit {
        Some(l) => format!("at its {l} memory limit"),
        None => "with no memory limit of its own (the node ran out of memory)".to_string(),
    };
    let why = match (&demand, limit.and_then(quantity_bytes)) {
        (Some(d), Some(lim)) if d.heap >= lim => format!(
            ": {} ({}) lets the heap alone grow to {}, more than the limit",
            d.flag,
            d.source,
            format_quantity(d.heap)
        ),
        (Some(d), _) => format!(
            ": the process runs with {} ({}) plus native memory",
            d.flag, d.source
        ),
        (None, _) => match (&oom_line, &last_line) {
            (Some(l), _) => format!(": the log reports `{l}`"),
            (None, Some(l)) if c.init => {
                format!(" while running `{l}`, so the pod never gets past initialization")
            }
            (None, Some(l)) => format!(" (last log line before the kill: `{l}`)"),
            (None, None) => String::new(),
        },
    };
    let also = match (&demand, &oom_line) {
        (Some(_), Some(l)) => format!("; the log reports `{l}`"),
        _ => String::new(),
    };
    f.cause = format!("{who} {how} {at_limit}{why}{also}.");
    f.summary = format!(
        "{name} OOMKilled at {} ({} restarts)",
        limit.unwrap_or("no limit"),
        c.restarts()
    );

    // Evidence.
    let strength = if node_event.is_some() {
        Strength::Circumstantial
    } else {
        Strength::Direct
    };
    f.evidence.push(Context::evidence(
        EvidenceSource::Status,
        &pod.subject,
        termination_excerpt(c, term),
        strength,
    ));
    if let Some(e) = node_event {
        f.evidence
            .push(Context::event_evidence(e, Strength::Indirect));
    }
    if let Some(d) = &demand {
        let limit_text = limit.unwrap_or("unset");
        f.evidence.push(Context::evidence(
            EvidenceSource::Spec,
            &pod.subject,
            format!(
                "{}: {} against resources.limits.memory={limit_text}",
                d.source, d.flag
            ),
            Strength::Indirect,
        ));
    }
    if let Some(l) = &oom_line {
        f.evidence.push(Context::evidence(
            EvidenceSource::Log,
            &pod.subject,
            format!("log of {name}: {l}"),
            Strength::Indirect,
        ));
    }
    for e in pod.events_with(&["BackOff"]) {
        if e.message
            .as_deref()
            .is_some_and(|m| m.contains(&format!("container {name} ")))
        {
            f.evidence
                .push(Context::event_evidence(e, Strength::Circumstantial));
        }
    }

    // Fix and remedy.
    let recommended = limit.and_then(|l| recommend(l, demand.as_ref()));
    let kind = pod.workload.kind.to_lowercase();
    match &recommended {
        Some((to, rationale)) => {
            f.fix.push(format!(
                "Raise the memory limit of {name} in the {} {} manifest from {} to {to}: {rationale}.",
                pod.workload.kind,
                pod.workload.name,
                limit.unwrap_or("")
            ));
            f.remedy = Some(Remedy {
                target: pod.workload.clone(),
                change: Change::SetMemoryLimit { container: name.to_string(), from: limit.map(str::to_string), to: to.clone() },
                rationale: rationale.clone(),
            });
        }
        None => f.fix.push(format!(
            "Give {name} a memory limit and request that cover its peak usage (kubectl top pod -n {} --containers while it runs).",
            pod.namespace
        )),
    }
    if let Some(d) = &demand {
        f.fix.push(format!(
            "Or keep the limit and lower the heap ({}) so heap plus native memory fits inside it; prefer -XX:MaxRAMPercentage=75 for a JVM so the heap follows the limit.",
            d.flag
        ));
    }
    f.fix.push(format!(
        "Set the memory request equal to the limit for predictable scheduling, then watch restarts: kubectl get {kind} -n {} {} -w",
        pod.namespace, pod.workload.name
    ));
    f.prevention = vec![
        "Derive runtime memory settings from the container limit (MaxRAMPercentage, GOMEMLIMIT, --max-old-space-size) instead of fixed values.".into(),
        "Alert on container_memory_working_set_bytes above 90% of the limit and on OOMKilled terminations.".into(),
    ];
    f
}

/// `-Xmx` or `--max-old-space-size` from args, command or an env value.
fn demand_from_spec(spec: &Container) -> Option<Demand> {
    let argv = spec
        .command
        .iter()
        .flatten()
        .chain(spec.args.iter().flatten());
    for a in argv {
        if let Some(d) = demand_in(a, "args") {
            return Some(d);
        }
    }
    spec.env
        .iter()
        .flatten()
        .find_map(|e| e.value.as_deref().and_then(|v| demand_in(v, &e.name)))
}

/// A JVM prints `Picked up JAVA_TOOL_OPTIONS: -Xmx…` when the image sets the options.
fn demand_from_log(cx: &Context<'_>, pod: &PodContext<'_>, container: &str) -> Option<Demand> {
    let (text, _) = container_log(cx, pod, container)?;
    text.lines().find_map(|l| demand_in(l, "log"))
}

fn demand_in(text: &str, source: &str) -> Option<Demand> {
    if let Some(c) = XMX.captures(text) {
        let n: u64 = c[1].parse().ok()?;
        let unit = match c[2].to_ascii_lowercase().as_str() {
            "k" => 1024,
            "m" => MI,
            "g" => GI,
            "t" => 1024 * GI,
            _ => 1,
        };
        let heap = n.saturating_mul(unit);
        return Some(Demand {
            flag: c[0].to_string(),
            source: source.to_string(),
            heap,
        });
    }
    let c = NODE_HEAP.captures(text)?;
    let n: u64 = c[1].parse().ok()?;
    Some(Demand {
        flag: c[0].to_string(),
        source: source.to_string(),
        heap: n.saturating_mul(MI),
    })
}

/// The new limit and the arithmetic behind it.
fn recommend(limit: &str, demand: Option<&Demand>) -> Option<(String, String)> {
    let current = quantity_bytes(limit)?;
    if current == 0 {
        return None;
    }
    if let Some(d) = demand {
        let wanted = round_up(d.heap.saturating_add(d.heap / 4));
        if wanted > current {
            let to = format_quantity(wanted);
            return Some((
                to.clone(),
                format!(
                    "{} ({}) is a {} heap; heap + 25% for metaspace, threads and native memory = {}, rounded up to a multiple of 64Mi = {to}",
                    d.flag,
                    d.source,
                    format_quantity(d.heap),
                    format_quantity(d.heap.saturating_add(d.heap / 4))
                ),
            ));
        }
    }
    let raised = round_up(current.saturating_add(current / 2)).min(current.saturating_mul(2));
    let to = format_quantity(raised);
    Some((
        to.clone(),
        format!(
            "{limit} × 1.5 = {}, rounded up to a multiple of 64Mi and at most 2× the current limit = {to}",
            format_quantity(current.saturating_add(current / 2))
        ),
    ))
}

fn round_up(bytes: u64) -> u64 {
    bytes.div_ceil(ROUND_TO).saturating_mul(ROUND_TO)
}

/// `1280Mi`, `2Gi`: whole Gi when it divides evenly, else Mi rounded up.
pub(super) fn format_quantity(bytes: u64) -> String {
    if bytes >= GI && bytes.is_multiple_of(GI) {
        format!("{}Gi", bytes / GI)
    } else {
        format!("{}Mi", bytes.div_ceil(MI))
    }
}

/// A `SystemOOM` / `OOMKilling` event on the pod's node close to this termination, naming
/// this container's process when it names one.
fn node_oom_event<'a>(
    cx: &Context<'a>,
    pod: &PodContext<'_>,
    c: &ContainerView<'_>,
    term: &ContainerStateTerminated,
) -> Option<&'a Event> {
    let node = pod.pod.spec.as_ref()?.node_name.as_deref()?;
    let finished = term.finished_at.as_ref()?.0;
    // Node events live in `default` with no namespace on the involved object, so the
    // by-name index (keyed by the event's namespace) misses them: scan. Exit-137 kills
    // without an OOMKilled reason are rare, so this stays cheap.
    let about_node = |e: &&'a Event| {
        e.involved_object.kind.as_deref() == Some("Node")
            && e.involved_object.name.as_deref() == Some(node)
    };
    let process = c.spec.map(process_names).unwrap_or_default();
    cx.snapshot
        .objects
        .events
        .iter()
        .filter(about_node)
        .find(|e| {
            let reason_ok = matches!(e.reason.as_deref(), Some("SystemOOM" | "OOMKilling"))
                || e.message
                    .as_deref()
                    .is_some_and(|m| m.contains("Memory cgroup out of memory"));
            if !reason_ok {
                return false;
            }
            let first = event_first_seen(e).unwrap_or(finished);
            let last = event_last_seen(e).unwrap_or(finished);
            let near = finished >= first - NODE_OOM_WINDOW && finished <= last + NODE_OOM_WINDOW;
            let victim = e
                .message
                .as_deref()
                .and_then(|m| VICTIM.captures(m))
                .and_then(|cap| {
                    cap.iter()
                        .skip(1)
                        .flatten()
                        .next()
                        .map(|m| m.as_str().to_string())
                });
            let victim_ok = match victim {
                Some(v) => process.is_empty() || process.contains(&v),
                None => true,
            };
            near && victim_ok
        })
}

/// Names the container's process may have in the kernel log: the basename of its
/// command, of its first argument, and of its image.
pub(super) fn process_names(spec: &Container) -> Vec<String> {
    let base = |s: &str| s.rsplit('/').next().unwrap_or(s).to_string();
    let mut out: Vec<String> = spec
        .command
        .iter()
        .flatten()
        .chain(spec.args.iter().flatten())
        .take(3)
        .map(|s| base(s))
        .collect();
    if let Some(image) = spec.image.as_deref() {
        let repo = image.split(['@', ':']).next().unwrap_or(image);
        out.push(base(repo));
    }
    // An image that runs a JVM shows up as `java`, whatever the command.
    if spec.env.iter().flatten().any(|e| e.name.contains("JAVA")) {
        out.push("java".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testing::run;

    #[test]
    fn jvm_heap_larger_than_the_limit_is_oom_killed() {
        let f = run(&OomKilled, "oom/jvm-xmx.json");
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].category, Category::OomKilled);
        assert_eq!(f[0].workload.to_string(), "Deployment shop/web");
        assert!(
            f[0].cause.contains("OOMKilled")
                && f[0].cause.contains("512Mi")
                && f[0].cause.contains("-Xmx1024m"),
            "{}",
            f[0].cause
        );
        let remedy = f[0].remedy.as_ref().expect("remedy");
        assert_eq!(
            remedy.change,
            Change::SetMemoryLimit {
                container: "web".into(),
                from: Some("512Mi".into()),
                to: "1280Mi".into()
            }
        );
        assert!(remedy.rationale.contains("25%"), "{}", remedy.rationale);
    }

    #[test]
    fn init_container_oom_names_the_init_container_and_raises_by_half() {
        let f = run(&OomKilled, "oom/init-container.json");
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].workload.to_string(), "StatefulSet shop/postgres");
        assert!(
            f[0].cause
                .starts_with("Init container restore is OOMKilled"),
            "{}",
            f[0].cause
        );
        assert!(f[0].cause.contains("128Mi"), "{}", f[0].cause);
        let remedy = f[0].remedy.as_ref().expect("remedy");
        assert_eq!(
            remedy.change,
            Change::SetMemoryLimit {
                container: "restore".into(),
                from: Some("128Mi".into()),
                to: "192Mi".into()
            }
        );
    }

    #[test]
    fn node_oom_event_explains_an_exit_137() {
        let f = run(&OomKilled, "oom/node-oom.json");
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(f[0].cause.contains("node worker-1"), "{}", f[0].cause);
    }

    #[test]
    fn a_healthy_pod_with_an_old_oom_kill_is_history() {
        assert!(run(&OomKilled, "oom/healthy.json").is_empty());
    }

    #[test]
    fn quantities_round_trip() {
        assert_eq!(format_quantity(1280 * MI), "1280Mi");
        assert_eq!(format_quantity(2 * GI), "2Gi");
        assert_eq!(round_up(700 * MI), 704 * MI);
    }
}
