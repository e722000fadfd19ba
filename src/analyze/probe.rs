//! Probe failures: liveness probes that get containers killed and readiness probes that
//! never pass (so the Services selecting the pods have no ready endpoints). The probe spec
//! is compared with what the container declares and what the app says it listens on, and
//! the probe's own error (`connection refused` on another port, `statuscode: 404`) tells a
//! wrong port from a wrong path. A probe failing on a container that is being OOM-killed
//! is a symptom of the OOM kill.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use k8s_openapi::api::core::v1::{Container, Event, Probe, Service};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use regex::Regex;

use super::crash_loop::{container_log, liveness_kill_events, signal_name};
use super::{
    Analyzer, Category, Change, ContainerView, Context, EvidenceSource, Finding, PodContext,
    Remedy, Role, Severity, Strength,
};
use crate::model::text::{Budget, clip};
use crate::model::{Kind, ObjectRef};

pub struct ProbeFailure;

impl Analyzer for ProbeFailure {
    fn name(&self) -> &'static str {
        "probe"
    }

    fn analyze(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for pod in &cx.pods {
            if pod.pod.metadata.deletion_timestamp.is_some() {
                continue;
            }
            for c in pod.containers.iter().filter(|c| !c.init) {
                if let Some(f) = analyze_container(cx, pod, c) {
                    out.push(f);
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Liveness,
    Readiness,
    Startup,
}

impl Which {
    fn id(self) -> &'static str {
        match self {
            Which::Liveness => "liveness",
            Which::Readiness => "readiness",
            Which::Startup => "startup",
        }
    }

    fn event_prefix(self) -> &'static str {
        match self {
            Which::Liveness => "Liveness probe",
            Which::Readiness => "Readiness probe",
            Which::Startup => "Startup probe",
        }
    }

    fn spec(self, c: &Container) -> Option<&Probe> {
        match self {
            Which::Liveness => c.liveness_probe.as_ref(),
            Which::Readiness => c.readiness_probe.as_ref(),
            Which::Startup => c.startup_probe.as_ref(),
        }
    }
}

/// How the probe fails, from the kubelet's message.
#[derive(Debug, Clone, PartialEq)]
enum Failure {
    Status(u16),
    Refused,
    Timeout,
    Other,
}

static STATUS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"statuscode: (\d{3})").expect("valid regex"));
static LISTEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:listening|listens|serving|bound|started|running|ready|server)\b[^\n]{0,40}?\bon\b\s*(?:port\s*)?(?:[\w.\-\[\]]*:)?(\d{2,5})\b",
        r#"|(?i)"(?:addr|address|port|listen)"\s*:\s*"?[\w.\-\[\]]*:?(\d{2,5})"?"#,
        r"|(?i)\blisten(?:ing)?\b[^\n]{0,20}?\bport\s*[:=]?\s*(\d{2,5})\b",
        r"|(?:^|\s)(?:-p|--port)[= ](\d{2,5})\b",
        r"|(?i)\b(?:local|network):\s+https?://[^\s/:]+:(\d{2,5})"
    ))
    .expect("valid regex")
});
static ARG_PORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|\s)(?:--port|-p|--listen|--bind)[= ](?:[\w.\-]*:)?(\d{2,5})\b")
        .expect("valid regex")
});
static OK_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#""path"\s*:\s*"(/[^"\s]*)"[^\n]*"status"\s*:\s*200\b"#,
        r#"|"status"\s*:\s*200\b[^\n]*"path"\s*:\s*"(/[^"\s]*)""#,
        r#"|"GET (/\S*) HTTP/[\d.]+" 200\b"#,
        r"|\bGET (/\S*) 200\b"
    ))
    .expect("valid regex")
});
static ROUTES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#""(/[\w\-/]*(?:health|live|ready|ping|status)[\w\-/]*)""#).expect("valid regex")
});

fn analyze_container(
    cx: &Context<'_>,
    pod: &PodContext<'_>,
    c: &ContainerView<'_>,
) -> Option<Finding> {
    let spec = c.spec?;
    let kills = liveness_kill_events(pod, c.name);
    let running = c
        .status
        .and_then(|s| s.state.as_ref())
        .is_some_and(|s| s.running.is_some());
    let oom = c
        .terminated()
        .is_some_and(|t| t.reason.as_deref() == Some("OOMKilled"));

    let pick = [Which::Liveness, Which::Startup, Which::Readiness]
        .into_iter()
        .find_map(|w| {
            let probe = w.spec(spec)?;
            let events = unhealthy_events(pod, c.name, w);
            let failing = match w {
                Which::Liveness | Which::Startup => {
                    let own_kills = kills.iter().any(|e| {
                        e.message
                            .as_deref()
                            .is_some_and(|m| m.contains(&format!("{} probe", w.id())))
                    });
                    own_kills || (!events.is_empty() && c.restarts() > 0)
                }
                Which::Readiness => !events.is_empty() && !c.ready() && (running || oom),
            };
            failing.then_some((w, probe, events))
        })?;
    let (which, probe, events) = pick;
    let latest = events.last().copied();
    let message = latest.and_then(|e| e.message.as_deref()).unwrap_or("");
    let failure = classify(message);

    let probe_port = probe_port(probe, spec);
    let probe_path = probe.http_get.as_ref().and_then(|h| h.path.clone());
    let declared: Vec<i32> = spec
        .ports
        .iter()
        .flatten()
        .map(|p| p.container_port)
        .collect();
    let log = container_log(cx, pod, c.name).map(|(t, _)| t);
    let current_log = cx.snapshot.log(pod.namespace, pod.name, c.name, false);
    let listening = listening_port(spec, [log, current_log]);

    let name = c.name;
    let probe_name = which.id();
    let mut f = Finding::new(
        "probe",
        Category::ProbeFailure,
        pod.subject.clone(),
        pod.workload.clone(),
        &format!("{name}/{probe_name}"),
    );
    f.facts.insert("container".into(), name.to_string());
    f.facts.insert("probe".into(), probe_name.to_string());
    if let Some(p) = probe_port {
        f.facts.insert("probe_port".into(), p.to_string());
    }
    if let Some(p) = &probe_path {
        f.facts.insert("probe_path".into(), p.clone());
    }
    if !declared.is_empty() {
        f.facts.insert(
            "container_ports".into(),
            declared
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    if let Some((p, _)) = &listening {
        f.facts.insert("listening_port".into(), p.to_string());
    }
    f.facts.insert("restarts".into(), c.restarts().to_string());
    let failures: i64 = events
        .iter()
        .map(|e| i64::from(crate::model::event_count(e)))
        .sum();
    f.facts
        .insert("probe_failures".into(), failures.to_string());

    // What is wrong with the probe, when the evidence says.
    let quoted = probe_error(message);
    let mut remedy_port = None;
    let mut remedy_path = None;
    let mut problem = None;
    let target = match (&probe_path, probe_port) {
        (Some(path), Some(port)) => format!("{path} on port {port}"),
        (None, Some(port)) => format!("port {port}"),
        (Some(path), None) => path.clone(),
        (None, None) => "its check".into(),
    };
    if let (Some(port), Some((listen, how))) = (probe_port, &listening)
        && *listen != port
        && matches!(
            failure,
            Failure::Refused | Failure::Timeout | Failure::Other
        )
    {
        problem = Some(format!(
            "checks port {port}{quoted} but the app listens on {listen} ({how})"
        ));
        remedy_port = Some(*listen);
        f.evidence.push(Context::evidence(
                EvidenceSource::Spec,
                &pod.subject,
                format!("{probe_name}Probe port {port}; the app listens on {listen} ({how}); containerPorts {declared:?}"),
                Strength::Indirect,
            ));
    }
    if problem.is_none()
        && failure == Failure::Refused
        && let (Some(port), [only]) = (probe_port, declared.as_slice())
        && *only != port
    {
        problem = Some(format!(
            "checks port {port}{quoted} but the container declares port {only}"
        ));
        remedy_port = Some(*only);
        f.evidence.push(Context::evidence(
            EvidenceSource::Spec,
            &pod.subject,
            format!("{probe_name}Probe port {port}; containerPort {only}"),
            Strength::Indirect,
        ));
    }
    if problem.is_none()
        && let Failure::Status(code) = failure
    {
        let path = probe_path.clone().unwrap_or_else(|| "/".into());
        if code == 404 {
            let served = served_path(spec, which, &path, [log, current_log]);
            let also = served
                .as_ref()
                .map(|(p, _)| format!("; the app serves {p}"))
                .unwrap_or_default();
            let on = probe_port
                .map(|p| format!(" on port {p}"))
                .unwrap_or_default();
            problem = Some(format!(
                "requests {path}{on}, which the app answers with 404{quoted}{also}"
            ));
            if let Some((p, how)) = served {
                f.evidence.push(Context::evidence(
                    EvidenceSource::Log,
                    &pod.subject,
                    how,
                    Strength::Indirect,
                ));
                remedy_path = Some(p);
            }
        } else if code >= 500 {
            problem = Some(format!(
                "gets HTTP {code} from {path}{quoted}: the app reports itself unhealthy (often a dependency it checks)"
            ));
        } else {
            problem = Some(format!("gets HTTP {code} from {path}{quoted}"));
        }
    }
    let problem = problem.unwrap_or_else(|| match failure {
        Failure::Timeout => format!(
            "({target}) times out after {}s{quoted}",
            probe.timeout_seconds.unwrap_or(1)
        ),
        Failure::Refused => format!("({target}) gets `connection refused`: nothing listens there"),
        _ => format!("({target}) fails{quoted}"),
    });
    let services = match which {
        Which::Readiness => services_without_ready_endpoints(cx, pod),
        _ => Vec::new(),
    };
    let consequence = match which {
        Which::Liveness | Which::Startup => {
            let exit = c.terminated().map(|t| t.exit_code).filter(|e| *e > 128);
            let how = exit
                .map(|e| format!(" (exit {e}, {})", signal_name(e - 128).unwrap_or("signal")))
                .unwrap_or_default();
            format!(
                "so the kubelet kills the container{how} and restarts it ({} restarts)",
                c.restarts()
            )
        }
        Which::Readiness => match services.as_slice() {
            [] => "so the pod never becomes Ready".to_string(),
            [one] => {
                format!("so no pod becomes Ready and Service {one} has no ready endpoints")
            }
            many => format!(
                "so no pod becomes Ready and Services {} have no ready endpoints",
                many.join(", ")
            ),
        },
    };
    f.cause = format!("The {probe_name} probe of container {name} {problem}, {consequence}.");
    f.summary = format!(
        "{probe_name} probe of {name} failing ({})",
        clip(message.trim(), Budget::Chars(80))
    );
    f.severity = if which == Which::Readiness && !consequence.contains("Service") {
        Severity::Warning
    } else {
        Severity::Critical
    };

    for e in &events {
        f.evidence
            .push(Context::event_evidence(e, Strength::Direct));
    }
    if matches!(which, Which::Liveness | Which::Startup) {
        for e in kills.iter().take(2) {
            f.evidence
                .push(Context::event_evidence(e, Strength::Direct));
        }
    }
    if which == Which::Readiness {
        for svc in &services {
            let svc_ref = ObjectRef::new("Service", Some(pod.namespace), svc.clone());
            f.evidence.push(Context::evidence(
                EvidenceSource::Status,
                &svc_ref,
                format!("Service {svc}: 0 ready endpoints"),
                Strength::Indirect,
            ));
        }
    }

    // The kubelet's own words first, then what they were compared with.
    f.evidence.sort_by_key(|e| match e.source {
        EvidenceSource::Event => 0,
        EvidenceSource::Status => 1,
        EvidenceSource::Spec => 2,
        _ => 3,
    });

    // Readiness cannot pass while the app keeps crashing on its own (exit 1, a panic):
    // that crash is the cause, the probe only reports it.
    let app_crash = c
        .terminated()
        .is_some_and(|t| t.exit_code != 0 && t.exit_code != 137 && t.exit_code != 143);
    if which == Which::Readiness && app_crash && kills.is_empty() && !oom {
        f.role = Role::Symptom;
        f.severity = Severity::Warning;
    }
    if oom {
        f.role = Role::Symptom;
        f.cause = format!(
            "The {probe_name} probe of container {name} fails{quoted} around its OOM kills: a symptom of the memory pressure, not a wrong probe."
        );
        f.fix = vec![
            "Fix the OOM kill first (see the oom-killed hypothesis); the probe recovers with it."
                .into(),
        ];
        return Some(f);
    }

    let kind = pod.workload.kind.to_lowercase();
    if remedy_port.is_some() || remedy_path.is_some() {
        let to = match (&remedy_port, &remedy_path) {
            (Some(p), _) => format!("port {p}"),
            (None, Some(p)) => format!("path {p}"),
            _ => String::new(),
        };
        f.fix.push(format!(
            "Point the {probe_name} probe of {name} at {to}: kubectl edit {kind} -n {} {} (or the manifest in Git).",
            pod.namespace, pod.workload.name
        ));
        f.remedy = Some(Remedy {
            target: pod.workload.clone(),
            change: Change::SetProbe {
                container: name.to_string(),
                probe: probe_name.to_string(),
                port: remedy_port.map(|p| p.to_string()),
                path: remedy_path.clone(),
                initial_delay_seconds: None,
            },
            rationale: match (&remedy_port, &remedy_path) {
                (Some(p), _) => format!(
                    "the probe targets port {} while the app listens on {p}",
                    probe_port.map(|x| x.to_string()).unwrap_or_default()
                ),
                (None, Some(p)) => format!(
                    "{} answers 404 while {p} answers 200",
                    probe_path.clone().unwrap_or_default()
                ),
                _ => String::new(),
            },
        });
    } else if failure == Failure::Timeout {
        f.fix.push(format!(
            "Find why the app answers slowly (CPU throttling, GC pauses, a dependency checked inline); raise timeoutSeconds ({}s now) only if the check is legitimately slow.",
            probe.timeout_seconds.unwrap_or(1)
        ));
    } else {
        f.fix.push(format!(
            "Run the probe by hand from inside the pod: kubectl exec -n {} {} -c {name} -- wget -qO- http://localhost:{}{}",
            pod.namespace,
            pod.name,
            probe_port.map(|p| p.to_string()).unwrap_or_else(|| "<port>".into()),
            probe_path.clone().unwrap_or_default()
        ));
    }
    f.prevention = vec![
        "Name the container port and reference it by name in probes (port: http), so the probe follows the app.".into(),
        "Keep liveness checks trivial (a /healthz that does not call dependencies) and test the probe path in CI.".into(),
    ];
    Some(f)
}

/// `Unhealthy` events of one probe of one container, oldest first.
fn unhealthy_events<'a>(pod: &PodContext<'a>, container: &str, which: Which) -> Vec<&'a Event> {
    let field = format!("{{{container}}}");
    pod.events_with(&["Unhealthy"])
        .into_iter()
        .filter(|e| {
            let path_ok = match e.involved_object.field_path.as_deref() {
                Some(p) if !p.is_empty() => p.contains(&field),
                _ => pod.containers.iter().filter(|c| !c.init).count() == 1,
            };
            path_ok
                && e.message
                    .as_deref()
                    .is_some_and(|m| m.starts_with(which.event_prefix()))
        })
        .collect()
}

fn classify(message: &str) -> Failure {
    if let Some(c) = STATUS.captures(message) {
        return c[1].parse().map(Failure::Status).unwrap_or(Failure::Other);
    }
    let m = message.to_lowercase();
    if m.contains("connection refused") {
        Failure::Refused
    } else if m.contains("deadline exceeded") || m.contains("timeout") || m.contains("timed out") {
        Failure::Timeout
    } else {
        Failure::Other
    }
}

/// ` (`HTTP probe failed with statuscode: 404`)`: the error part of the kubelet's message.
fn probe_error(message: &str) -> String {
    let m = message.trim();
    if m.is_empty() {
        return String::new();
    }
    let detail = m.split_once(" failed: ").map(|(_, d)| d).unwrap_or(m);
    // `Get "http://10.0.0.1:8080/x": dial tcp …: connect: connection refused` → the tail.
    let detail = detail
        .rsplit_once(": connect: ")
        .map(|(_, d)| d)
        .unwrap_or(detail);
    format!(" (`{}`)", clip(detail.trim(), Budget::Chars(120)))
}

/// The probe's port as a number, resolving a named port through the container's ports.
fn probe_port(probe: &Probe, spec: &Container) -> Option<i32> {
    let port = probe
        .http_get
        .as_ref()
        .map(|h| &h.port)
        .or_else(|| probe.tcp_socket.as_ref().map(|t| &t.port));
    match port {
        Some(IntOrString::Int(p)) => Some(*p),
        Some(IntOrString::String(name)) => name.parse().ok().or_else(|| {
            spec.ports
                .iter()
                .flatten()
                .find(|p| p.name.as_deref() == Some(name.as_str()))
                .map(|p| p.container_port)
        }),
        None => probe.grpc.as_ref().map(|g| g.port),
    }
}

/// The port the app says it listens on: its log first, then its args and `PORT`-like env.
fn listening_port(spec: &Container, logs: [Option<&str>; 2]) -> Option<(i32, String)> {
    for log in logs.into_iter().flatten() {
        for line in log.lines().filter(|l| !l.starts_with("==== ")) {
            if let Some(c) = LISTEN.captures(line)
                && let Some(p) = c
                    .iter()
                    .skip(1)
                    .flatten()
                    .next()
                    .and_then(|m| m.as_str().parse().ok())
            {
                return Some((
                    p,
                    format!("log: `{}`", clip(line.trim(), Budget::Chars(100))),
                ));
            }
        }
    }
    let argv: Vec<&str> = spec
        .command
        .iter()
        .flatten()
        .chain(spec.args.iter().flatten())
        .map(String::as_str)
        .collect();
    let joined = argv.join(" ");
    if let Some(p) = ARG_PORT.captures(&joined).and_then(|c| c[1].parse().ok()) {
        return Some((
            p,
            format!("args: `{}`", clip(joined.trim(), Budget::Chars(80))),
        ));
    }
    spec.env.iter().flatten().find_map(|e| {
        let port_var = matches!(
            e.name.as_str(),
            "PORT" | "HTTP_PORT" | "SERVER_PORT" | "LISTEN_PORT" | "APP_PORT"
        );
        let v = e.value.as_deref()?;
        (port_var)
            .then(|| v.trim().parse().ok())
            .flatten()
            .map(|p| (p, format!("env {}={v}", e.name)))
    })
}

/// A health path the app does serve: answered 200 in its log, the container's other
/// (passing) probe, or a health-like route it lists.
fn served_path(
    spec: &Container,
    which: Which,
    wrong: &str,
    logs: [Option<&str>; 2],
) -> Option<(String, String)> {
    for log in logs.into_iter().flatten() {
        for line in log.lines() {
            if let Some(c) = OK_PATH.captures(line)
                && let Some(p) = c.iter().skip(1).flatten().next().map(|m| m.as_str())
                && p != wrong
            {
                return Some((
                    p.to_string(),
                    format!(
                        "log answers 200: `{}`",
                        clip(line.trim(), Budget::Chars(160))
                    ),
                ));
            }
        }
    }
    for other in [Which::Readiness, Which::Liveness, Which::Startup]
        .into_iter()
        .filter(|w| *w != which)
    {
        let path = other
            .spec(spec)
            .and_then(|p| p.http_get.as_ref())
            .and_then(|h| h.path.clone());
        if let Some(p) = path.filter(|p| p != wrong) {
            return Some((
                p.clone(),
                format!("the {} probe of the same container uses {p}", other.id()),
            ));
        }
    }
    for log in logs.into_iter().flatten() {
        let routes: BTreeSet<&str> = ROUTES
            .captures_iter(log)
            .filter_map(|c| c.get(1))
            .map(|m| m.as_str())
            .collect();
        if let Some(p) = routes.into_iter().find(|p| *p != wrong) {
            return Some((p.to_string(), format!("log lists route {p}")));
        }
    }
    None
}

/// Services in the pod's namespace that select it and have no ready endpoint.
fn services_without_ready_endpoints(cx: &Context<'_>, pod: &PodContext<'_>) -> Vec<String> {
    let labels = pod.pod.metadata.labels.clone().unwrap_or_default();
    cx.snapshot
        .objects
        .services
        .iter()
        .filter(|s| s.metadata.namespace.as_deref() == Some(pod.namespace))
        .filter(|s| selects(s, &labels))
        .filter_map(|s| {
            let name = s.metadata.name.clone()?;
            (ready_endpoints(cx, pod.namespace, &name) == Some(0)).then_some(name)
        })
        .collect()
}

fn selects(service: &Service, labels: &std::collections::BTreeMap<String, String>) -> bool {
    let Some(selector) = service.spec.as_ref().and_then(|s| s.selector.as_ref()) else {
        return false;
    };
    !selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// Ready endpoints of a Service from its EndpointSlices, else its Endpoints; None when
/// the snapshot has neither.
fn ready_endpoints(cx: &Context<'_>, namespace: &str, service: &str) -> Option<usize> {
    let s = cx.snapshot;
    let slices = s.index().endpoint_slices_for(namespace, service);
    if !slices.is_empty() {
        let ready = slices
            .iter()
            .filter_map(|i| s.objects.endpoint_slices.get(*i))
            .flat_map(|sl| sl.endpoints.iter())
            .filter(|e| e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true))
            .count();
        return Some(ready);
    }
    let i = s.index().position(Kind::Endpoints, namespace, service)?;
    let ep = s.objects.endpoints.get(i)?;
    Some(
        ep.subsets
            .iter()
            .flatten()
            .map(|ss| ss.addresses.as_ref().map_or(0, Vec::len))
            .sum(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testing::run;

    #[test]
    fn readiness_on_the_wrong_port_empties_the_service() {
        let f = run(&ProbeFailure, "probe/wrong-port.json");
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].category, Category::ProbeFailure);
        assert_eq!(f[0].workload.to_string(), "Deployment shop/web");
        assert!(
            f[0].cause.contains("port 8080") && f[0].cause.contains("3000"),
            "{}",
            f[0].cause
        );
        assert!(
            f[0].cause.contains("Service web has no ready endpoints"),
            "{}",
            f[0].cause
        );
        let remedy = f[0].remedy.as_ref().expect("remedy");
        assert_eq!(
            remedy.change,
            Change::SetProbe {
                container: "web".into(),
                probe: "readiness".into(),
                port: Some("3000".into()),
                path: None,
                initial_delay_seconds: None
            }
        );
    }

    #[test]
    fn liveness_404_kills_and_names_the_served_path() {
        let f = run(&ProbeFailure, "probe/liveness-404.json");
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(
            f[0].cause.contains("/health on port 8080") && f[0].cause.contains("404"),
            "{}",
            f[0].cause
        );
        assert!(f[0].cause.contains("kills the container"), "{}", f[0].cause);
        let remedy = f[0].remedy.as_ref().expect("remedy");
        assert_eq!(
            remedy.change,
            Change::SetProbe {
                container: "catalog".into(),
                probe: "liveness".into(),
                port: None,
                path: Some("/healthz".into()),
                initial_delay_seconds: None
            }
        );
    }

    #[test]
    fn probe_failures_around_an_oom_kill_are_a_symptom() {
        let f = run(&ProbeFailure, "oom/jvm-xmx.json");
        assert!(!f.is_empty());
        assert!(f.iter().all(|f| f.role == Role::Symptom), "{f:#?}");
    }

    #[test]
    fn a_ready_pod_with_a_passing_probe_is_healthy() {
        assert!(run(&ProbeFailure, "probe/healthy.json").is_empty());
    }
}
