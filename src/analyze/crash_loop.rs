//! Crash loops: containers that keep exiting, with the sub-cause read from the exit code,
//! the runtime's start error and the first error of the crashed container's log (command
//! not found, permission denied, wrong architecture, missing file, a signal, a panic or
//! traceback, a missing environment variable), or a known error signature (`signatures`),
//! whose cause, fix and category the catalog gives. A crash with nothing to say why is left to
//! `unknown`; OOM kills belong to `oom`, Job pods to `job`, and a container the kubelet
//! kills for failing its liveness probe is a symptom of the probe (`probe`).
//!
//! Log reading (`logs`) and the container helpers here are shared with the other pod-level
//! analyzers of this family (`oom`, `probe`, `unknown`).

use std::sync::LazyLock;

use k8s_openapi::api::core::v1::{Container, ContainerStateTerminated};
use regex::Regex;

use super::changes::revisions;
use super::signatures::{self, Match};
use super::{
    Analyzer, Category, Change, ContainerView, Context, EvidenceSource, Finding, PodContext,
    Remedy, Role, Severity, Strength,
};
use crate::model::log_line::{Strictness, is_error_line};
use crate::model::text::{Budget, clip};
use crate::model::{Kind, ObjectRef};

mod logs;

use logs::TRACE_IN_EVIDENCE;
pub(super) use logs::{LogError, container_log, first_error, last_lines};

pub struct CrashLoop;

/// Waiting reasons of a container that fails to start or keeps exiting.
const FAILING_WAITING: &[&str] = &[
    "CrashLoopBackOff",
    "RunContainerError",
    "StartError",
    "ContainerCannotRun",
];

impl Analyzer for CrashLoop {
    fn name(&self) -> &'static str {
        "crash_loop"
    }

    fn analyze(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for pod in &cx.pods {
            if owned_by_job(cx, pod) || taken_down(pod) {
                continue;
            }
            for c in &pod.containers {
                if let Some(f) = analyze_container(cx, pod, c) {
                    out.push(f);
                }
            }
        }
    }
}

/// Jobs and CronJobs have their own analyzer: a failing Job pod is not a crash loop.
fn owned_by_job(cx: &Context<'_>, pod: &PodContext<'_>) -> bool {
    matches!(pod.workload.kind.as_str(), "Job" | "CronJob")
        || cx
            .snapshot
            .controller_of(&pod.pod.metadata)
            .is_some_and(|o| o.kind == "Job")
}

/// Whether the pod belongs to a new ReplicaSet of a Deployment whose rollout exceeded its
/// progress deadline while another of its ReplicaSets still has ready pods.
fn in_failed_rollout(cx: &Context<'_>, pod: &PodContext<'_>) -> bool {
    let s = cx.snapshot;
    let ns = pod.namespace;
    if pod.workload.kind != "Deployment" {
        return false;
    }
    let Some(own_rs) = s
        .controller_of(&pod.pod.metadata)
        .filter(|o| o.kind == "ReplicaSet")
    else {
        return false;
    };
    let deployment = s
        .index()
        .position(Kind::Deployment, ns, &pod.workload.name)
        .and_then(|i| s.objects.deployments.get(i));
    let deadline_exceeded = deployment
        .and_then(|d| d.status.as_ref())
        .and_then(|st| st.conditions.as_ref())
        .is_some_and(|cs| {
            cs.iter().any(|c| {
                c.type_ == "Progressing"
                    && c.status == "False"
                    && c.reason.as_deref() == Some("ProgressDeadlineExceeded")
            })
        });
    deadline_exceeded
        && s.objects.replica_sets.iter().any(|rs| {
            rs.metadata.namespace.as_deref() == Some(ns)
                && rs.metadata.name.as_deref() != Some(own_rs.name.as_str())
                && s.controller_of(&rs.metadata)
                    .is_some_and(|o| o.kind == "Deployment" && o.name == pod.workload.name)
                && rs
                    .status
                    .as_ref()
                    .and_then(|st| st.ready_replicas)
                    .unwrap_or(0)
                    > 0
        })
}

/// Pod status reasons that mean the node took the pod down: `node` speaks for them.
const NODE_REASONS: &[&str] = &[
    "Evicted",
    "Shutdown",
    "NodeShutdown",
    "NodeLost",
    "Terminated",
    "NodeAffinity",
];

/// Pods the node or the control plane stopped (evicted, shut down, being deleted): their
/// containers did not crash.
pub(super) fn taken_down(pod: &PodContext<'_>) -> bool {
    let reason = pod.pod.status.as_ref().and_then(|s| s.reason.as_deref());
    pod.pod.metadata.deletion_timestamp.is_some()
        || reason.is_some_and(|r| NODE_REASONS.contains(&r))
}

/// The first known error signature in what the container left: the runtime's message,
/// then the first error of its log with its trace, then the log's other error lines.
fn known_signature<'s>(
    message: &str,
    err: Option<&LogError>,
    log: Option<&str>,
) -> Option<Match<'s>> {
    let catalog = signatures::active();
    let first = err
        .into_iter()
        .flat_map(|e| std::iter::once(e.line.as_str()).chain(e.trace.iter().map(String::as_str)));
    let rest = log
        .into_iter()
        .flat_map(str::lines)
        .filter(|l| is_error_line(l, Strictness::Any));
    catalog.find(message.lines().chain(first).chain(rest))
}

/// What made the container exit, as far as the evidence says.
struct SubCause {
    /// What the cause is: a crash loop, unless a known signature says more.
    category: Category,
    /// Short id for the finding: `exit-127`, `app-error`…
    detail: &'static str,
    summary: String,
    cause: String,
    fix: Vec<String>,
    /// Whether the image itself is at fault (a rollback to the last working image fixes it).
    image_at_fault: bool,
}

fn analyze_container(
    cx: &Context<'_>,
    pod: &PodContext<'_>,
    c: &ContainerView<'_>,
) -> Option<Finding> {
    let waiting = c.waiting_reason();
    let term = c.terminated();
    let crash_looping = waiting == Some("CrashLoopBackOff");
    let failing_start = waiting.is_some_and(|w| FAILING_WAITING.contains(&w));
    let failed_exit = term.is_some_and(|t| t.exit_code != 0);
    let restarting = c.restarts() > 0 && term.is_some();
    if !(failing_start || failed_exit || (restarting && crash_looping)) {
        return None;
    }
    // OOM kills are `oom`'s; a status the runtime lost is not a crash.
    if term.is_some_and(|t| {
        matches!(
            t.reason.as_deref(),
            Some("OOMKilled" | "ContainerStatusUnknown")
        )
    }) {
        return None;
    }
    // A container that ran to completion and is not restarted (an init container that
    // finished, a pod with restartPolicy Never that succeeded) is fine.
    if term.is_some_and(|t| t.exit_code == 0) && !crash_looping && !failing_start {
        return None;
    }
    let exit_code = term.map(|t| t.exit_code);
    let message = c
        .waiting_message()
        .filter(|_| waiting != Some("CrashLoopBackOff"))
        .or_else(|| term.and_then(|t| t.message.as_deref()))
        .unwrap_or("");
    let log = container_log(cx, pod, c.name);
    let first_error = log.and_then(|(text, _)| first_error(text));
    let liveness_kills = liveness_kill_events(pod, c.name);
    let signature = known_signature(message, first_error.as_ref(), log.map(|(t, _)| t));

    let sub = sub_cause(
        cx,
        pod,
        c,
        exit_code,
        message,
        first_error.as_ref(),
        signature.as_ref(),
    )?;
    let mut f = Finding::new(
        "crash_loop",
        sub.category,
        pod.subject.clone(),
        pod.workload.clone(),
        sub.detail,
    );
    container_facts(&mut f, c, term);
    if let Some(m) = &signature {
        f.facts.insert("signature".into(), m.signature.id.clone());
        let quoted = first_error
            .as_ref()
            .is_some_and(|e| e.line.trim() == m.line);
        if !quoted && !message.contains(m.line.as_str()) {
            f.evidence.push(Context::evidence(
                EvidenceSource::Log,
                &pod.subject,
                format!(
                    "log of {} (signature {}): {}",
                    c.name, m.signature.id, m.line
                ),
                Strength::Indirect,
            ));
        }
    }
    f.severity = if crash_looping || failing_start || pod_phase(pod) == Some("Failed") {
        Severity::Critical
    } else {
        Severity::Warning
    };
    f.summary = sub.summary;
    f.cause = sub.cause;
    if !liveness_kills.is_empty() && exit_code.is_some_and(|e| e == 137 || e == 143) {
        // The kubelet killed it for failing its liveness probe: the probe is the cause.
        f.role = Role::Symptom;
        f.cause = format!(
            "Container {} is restarted because the kubelet kills it when its {} probe fails (exit {}, {}); the crash loop follows from the probe.",
            c.name,
            if liveness_kills.iter().any(|e| e
                .message
                .as_deref()
                .is_some_and(|m| m.contains("startup probe")))
            {
                "startup"
            } else {
                "liveness"
            },
            exit_code.unwrap_or_default(),
            signal_name(exit_code.unwrap_or_default() - 128).unwrap_or("signal")
        );
        for e in &liveness_kills {
            f.evidence
                .push(Context::event_evidence(e, Strength::Direct));
        }
    }

    if f.role == Role::Cause && in_failed_rollout(cx, pod) {
        // The crash is why the rollout stalled; the rollout finding carries the fix (back
        // to the revision that still serves), so the crash is reported as its symptom.
        f.role = Role::Symptom;
        f.cause = format!(
            "{} This is the new revision of a rollout that exceeded its progress deadline while the previous ReplicaSet still serves.",
            f.cause
        );
    }

    let field = if c.init {
        "initContainerStatuses"
    } else {
        "containerStatuses"
    };
    if let Some(t) = term {
        let excerpt = termination_excerpt(c, t);
        // The exit states a crash in so many words, but not a cause of another category
        // that only the log's signature suggests: an analyzer that reads that cause from
        // the objects themselves ranks above this one.
        let strength = if f.category == Category::CrashLoop {
            Strength::Direct
        } else {
            Strength::Circumstantial
        };
        f.evidence.push(Context::evidence(
            EvidenceSource::Status,
            &pod.subject,
            excerpt,
            strength,
        ));
    }
    if let Some(w) = waiting {
        let mut excerpt = format!("{field}[{}].state.waiting: reason={w}", c.name);
        if let Some(m) = c.waiting_message().filter(|_| w != "CrashLoopBackOff") {
            excerpt.push_str(&format!(" message={}", m.trim()));
        }
        let strength = if w == "CrashLoopBackOff" {
            Strength::Circumstantial
        } else {
            Strength::Direct
        };
        f.evidence.push(Context::evidence(
            EvidenceSource::Status,
            &pod.subject,
            excerpt,
            strength,
        ));
    }
    if let (Some(err), Some((_, previous))) = (first_error.as_ref(), log) {
        let which = if previous { "previous log" } else { "log" };
        let mut excerpt = format!("{which} of {}: {}", c.name, err.line);
        for t in err.trace.iter().take(TRACE_IN_EVIDENCE) {
            excerpt.push('\n');
            excerpt.push_str(t);
        }
        f.evidence.push(Context::evidence(
            EvidenceSource::Log,
            &pod.subject,
            excerpt,
            Strength::Indirect,
        ));
    }
    for e in pod.events_with(&["BackOff", "Failed"]) {
        let about_container = e
            .message
            .as_deref()
            .is_some_and(|m| m.contains(&format!("container {}", c.name)))
            || e.involved_object
                .field_path
                .as_deref()
                .is_some_and(|p| p.contains(&format!("{{{}}}", c.name)));
        if about_container || pod.containers.len() == 1 {
            f.evidence
                .push(Context::event_evidence(e, Strength::Circumstantial));
        }
    }

    f.fix = sub.fix;
    f.fix.push(format!(
        "Read the crashed instance's output: kubectl logs -n {} {} -c {} --previous",
        pod.namespace, pod.name, c.name
    ));
    f.prevention = vec![
        "Run the image with the production command, env and architecture in CI (a smoke test that starts the container) before rolling it out.".into(),
        "Fail fast with a clear message naming the missing setting; validate configuration at startup.".into(),
    ];
    if sub.image_at_fault {
        f.remedy = rollback_remedy(cx, &pod.workload, c);
    }
    Some(f)
}

/// Facts every container-level finding of this family carries.
pub(super) fn container_facts(
    f: &mut Finding,
    c: &ContainerView<'_>,
    term: Option<&ContainerStateTerminated>,
) {
    let mut put = |k: &str, v: String| {
        f.facts.insert(k.to_string(), v);
    };
    put("container", c.name.to_string());
    if c.init {
        put("init_container", "true".into());
    }
    if let Some(t) = term {
        put("exit_code", t.exit_code.to_string());
        if let Some(r) = t.reason.as_deref() {
            put("reason", r.to_string());
        }
        if let Some(at) = t.finished_at.as_ref() {
            put("last_termination", at.0.to_string());
        }
    }
    put("restarts", c.restarts().to_string());
    if let Some(image) = c.spec.and_then(|s| s.image.as_deref()) {
        put("image", image.to_string());
    }
}

/// `containerStatuses[web].lastState.terminated: exitCode=137 reason=OOMKilled …`
pub(super) fn termination_excerpt(c: &ContainerView<'_>, t: &ContainerStateTerminated) -> String {
    let field = if c.init {
        "initContainerStatuses"
    } else {
        "containerStatuses"
    };
    let current = c
        .status
        .and_then(|s| s.state.as_ref())
        .and_then(|s| s.terminated.as_ref())
        .is_some();
    let state = if current { "state" } else { "lastState" };
    let mut excerpt = format!(
        "{field}[{}].{state}.terminated: exitCode={} reason={}",
        c.name,
        t.exit_code,
        t.reason.as_deref().unwrap_or("")
    );
    if let Some(at) = t.finished_at.as_ref() {
        excerpt.push_str(&format!(" finishedAt={}", at.0));
    }
    if let Some(m) = t.message.as_deref().filter(|m| !m.trim().is_empty()) {
        excerpt.push_str(&format!(" message={}", m.trim()));
    }
    excerpt
}

fn pod_phase<'a>(pod: &PodContext<'a>) -> Option<&'a str> {
    pod.pod.status.as_ref()?.phase.as_deref()
}

static EXEC_NOT_FOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"exec: "([^"]+)": executable file not found|(?:^|\s)(?:exec: )?([^\s:"']+): (?:command )?not found\s*$|sh: \d+: (?:exec: )?([^\s:]+): not found"#)
        .expect("valid regex")
});
static PERMISSION_DENIED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"exec: "([^"]+)": permission denied|exec (\S+): permission denied|([^\s:"']+): [Pp]ermission denied"#).expect("valid regex")
});
static NO_SUCH_FILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"exec: "([^"]+)": stat [^:]+: no such file or directory|exec (\S+): no such file or directory|exec: "([^"]+)": no such file or directory|([^\s:"']+): [Nn]o such file or directory"#)
        .expect("valid regex")
});
static MISSING_ENV: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"KeyError: ['"]([A-Z][A-Z0-9_]{2,})['"]"#,
        r#"|(?i:environment variable|env var|env)\s+[`'"]?([A-Z][A-Z0-9_]{2,})[`'"]?\s+(?i:is\s+)?(?i:not set|not defined|missing|required|must be set|is empty|undefined)"#,
        r#"|(?i:missing|required|undefined)\s+(?i:required\s+)?(?i:environment variable|env var|env)[s]?\s*:?\s*[`'"]?([A-Z][A-Z0-9_]{2,})"#,
        r#"|required key ([A-Z][A-Z0-9_]{2,}) missing value"#
    ))
    .expect("valid regex")
});

fn first_capture<'t>(re: &Regex, text: &'t str) -> Option<&'t str> {
    text.lines().find_map(|line| {
        re.captures(line)
            .and_then(|c| c.iter().skip(1).flatten().next())
            .map(|m| m.as_str())
    })
}

fn sub_cause(
    cx: &Context<'_>,
    pod: &PodContext<'_>,
    c: &ContainerView<'_>,
    exit_code: Option<i32>,
    message: &str,
    err: Option<&LogError>,
    signature: Option<&Match<'_>>,
) -> Option<SubCause> {
    let name = c.name;
    let image = c
        .spec
        .and_then(|s| s.image.as_deref())
        .unwrap_or("its image");
    let exit = exit_code
        .map(|e| format!("exits with code {e}"))
        .unwrap_or_else(|| "fails to start".into());
    let log_text = err.map(|e| e.line.as_str()).unwrap_or("");
    let lower_msg = message.to_lowercase();
    let haystack = format!("{message}\n{log_text}");

    if lower_msg.contains("exec format error") || log_text.contains("exec format error") {
        let arch = arch_note(cx, pod);
        return Some(SubCause {
            category: Category::CrashLoop,
            detail: "exec-format-error",
            summary: format!("{name}: exec format error (wrong architecture)"),
            cause: format!(
                "Container {name} {exit} with `exec format error`: image {image} was built for a different CPU architecture than the node{arch}, so its entrypoint cannot run."
            ),
            fix: vec![format!(
                "Build and push {image} for the node's architecture{arch} (docker buildx build --platform linux/amd64,linux/arm64), or pin the pod to nodes of the image's architecture with a nodeSelector on kubernetes.io/arch."
            )],
            image_at_fault: true,
        });
    }
    if exit_code == Some(127)
        || lower_msg.contains("executable file not found")
        || EXEC_NOT_FOUND.is_match(message)
    {
        let exe = first_capture(&EXEC_NOT_FOUND, &haystack)
            .map(str::to_string)
            .or_else(|| log_lines_capture(cx, pod, name, &EXEC_NOT_FOUND))
            .or_else(|| c.spec.and_then(entrypoint));
        let quoted = err
            .map(|e| e.line.clone())
            .filter(|l| EXEC_NOT_FOUND.is_match(l))
            .or_else(|| (!message.is_empty()).then(|| runtime_error(message)));
        let what = exe
            .as_deref()
            .map(|e| format!("`{e}` is not found in the image {image}"))
            .unwrap_or_else(|| format!("a command is not found in the image {image}"));
        let code = exit_code.filter(|e| *e != 0).unwrap_or(127);
        let head = if code == 127 {
            "exits with code 127 (command not found)".to_string()
        } else {
            format!("cannot start (command not found, exit code {code})")
        };
        let said = quoted.map(|q| format!(" (`{q}`)")).unwrap_or_default();
        return Some(SubCause {
            category: Category::CrashLoop,
            detail: "exit-127",
            summary: format!("{name}: exit {code}, command not found"),
            cause: format!("Container {name} {head}: {what}{said}."),
            fix: vec![
                format!(
                    "Install {} in the image or fix the container's command/args to call an executable the image has (check with: kubectl debug or docker run --entrypoint sh {image} -c 'command -v {}').",
                    exe.as_deref().unwrap_or("the executable"),
                    exe.as_deref().unwrap_or("<cmd>")
                ),
                "If the image changed recently (a slim variant, a new base), roll back to the last image that had it.".into(),
            ],
            image_at_fault: true,
        });
    }
    if exit_code == Some(126) || lower_msg.contains("permission denied") {
        let file = first_capture(&PERMISSION_DENIED, &haystack)
            .map(str::to_string)
            .or_else(|| c.spec.and_then(entrypoint));
        let what = file
            .as_deref()
            .map(|f| format!("`{f}`"))
            .unwrap_or_else(|| "the entrypoint".into());
        return Some(SubCause {
            category: Category::CrashLoop,
            detail: "exit-126",
            summary: format!("{name}: exit 126, permission denied"),
            cause: format!(
                "Container {name} {exit} (permission denied): {what} in {image} is not executable for the container's user{}.",
                quote_suffix(message, log_text)
            ),
            fix: vec![format!(
                "Make {what} executable in the image (chmod +x in the Dockerfile) or run it through its interpreter; check the image's USER against the file's owner and mode, and that the volume it lives on is not mounted noexec."
            )],
            image_at_fault: true,
        });
    }
    let exec_log_missing =
        log_text.starts_with("exec ") && log_text.contains("no such file or directory");
    if lower_msg.contains("no such file or directory") || exec_log_missing {
        let said = if message.trim().is_empty() {
            log_text.trim()
        } else {
            message.trim()
        };
        let file = first_capture(&NO_SUCH_FILE, said)
            .map(str::to_string)
            .or_else(|| c.spec.and_then(entrypoint));
        let what = file
            .as_deref()
            .map(|f| format!("`{f}`"))
            .unwrap_or_else(|| "the entrypoint".into());
        return Some(SubCause {
            category: Category::CrashLoop,
            detail: "no-such-file",
            summary: format!("{name}: entrypoint not found"),
            cause: format!(
                "Container {name} cannot start: {what} does not exist in {image} or its interpreter is missing (`{said}`)."
            ),
            fix: vec![format!(
                "Point command/args at a path that exists in {image}, or fix the image so {what} (and its interpreter in the shebang line) is present."
            )],
            image_at_fault: true,
        });
    }

    // A known message: the catalog says what it means and what to do.
    if let Some(m) = signature {
        let code = exit_code
            .map(
                |e| match (e > 128).then(|| signal_name(e - 128)).flatten() {
                    Some(sig) => format!("exits with code {e} ({sig})"),
                    None => format!("exits with code {e}"),
                },
            )
            .unwrap_or_else(|| "fails to start".into());
        return Some(SubCause {
            category: m.signature.category,
            detail: "app-error",
            summary: format!("{name}: {}", clip(&m.line, Budget::Chars(90))),
            cause: format!("Container {name} {code}: {}", m.cause()),
            fix: m.fix(),
            image_at_fault: false,
        });
    }

    // The application ran and said why it stopped.
    if let Some(err) = err {
        let code = exit_code.map(|e| format!(" {e}")).unwrap_or_default();
        let code_phrase =
            match exit_code.and_then(|e| (e > 128).then(|| signal_name(e - 128)).flatten()) {
                Some(sig) => format!("exits with code{code} ({sig})"),
                None => format!("exits with code{code}"),
            };
        let env_note = missing_env_note(c.spec, &err.line, &err.trace);
        let at = err
            .location
            .as_deref()
            .map(|l| format!(" at {l}"))
            .unwrap_or_default();
        let cause = format!(
            "Container {name} {code_phrase} after logging `{}`{at}{env_note}.",
            err.line.trim()
        );
        return Some(SubCause {
            category: Category::CrashLoop,
            detail: "app-error",
            summary: format!("{name}: {}", clip(err.line.trim(), Budget::Chars(90))),
            cause,
            fix: vec![match missing_env_name(&err.line, &err.trace) {
                Some(var) => format!(
                    "Set {var} in the container's env (or the ConfigMap/Secret it loads with envFrom), then let the Deployment roll out."
                ),
                None => format!(
                    "Fix what the first error says: `{}`.",
                    clip(err.line.trim(), Budget::Chars(160))
                ),
            }],
            image_at_fault: false,
        });
    }

    // No log line: the exit code is all there is.
    let code = exit_code?;
    if code > 128 {
        let signal = signal_name(code - 128)?;
        let explanation = match code - 128 {
            9 => {
                "it was killed with SIGKILL but the runtime does not report OOMKilled: a liveness/startup probe, a preStop hook that outlived the grace period, the node's OOM killer (see its SystemOOM events) or another process sent it"
            }
            15 => {
                "it was stopped with SIGTERM (a probe failure, an eviction or another process sent it; the application did not exit by itself)"
            }
            11 => {
                "it crashed with a segmentation fault (a native library bug or an image built for a different libc/CPU)"
            }
            6 => "it aborted (SIGABRT: a failed assertion or a fatal error in a native library)",
            _ => "it was terminated by a signal",
        };
        return Some(SubCause {
            category: Category::CrashLoop,
            detail: if code == 139 { "signal-segv" } else { "signal" },
            summary: format!("{name}: exit {code} ({signal})"),
            cause: format!("Container {name} exits with code {code} ({signal}): {explanation}."),
            fix: vec![format!(
                "Check who sent {signal}: kubectl describe pod -n {} {} (Killing events, probes) and the node's kernel log; for SIGSEGV run the image with core dumps or a debug build.",
                pod.namespace, pod.name
            )],
            image_at_fault: false,
        });
    }
    if code == 0 && c.restarts() > 0 && !c.init {
        return Some(SubCause {
            category: Category::CrashLoop,
            detail: "exit-0",
            summary: format!("{name}: main process exits 0 and is restarted"),
            cause: format!(
                "Container {name} exits with code 0 and is restarted ({} restarts): its command runs to completion instead of staying in the foreground.",
                c.restarts()
            ),
            fix: vec!["Run the server in the foreground (no daemonizing, no `&`), or run one-off work as a Job instead of a Deployment.".into()],
            image_at_fault: false,
        });
    }
    None
}

/// The useful end of a runtime error: `exec: "gunicorn": executable file not found in $PATH`
/// out of `failed to create containerd task: … unable to start container process: exec: …: unknown`.
fn runtime_error(message: &str) -> String {
    let m = message.trim();
    let tail = m
        .find("exec: ")
        .or_else(|| m.find("exec "))
        .map(|i| &m[i..])
        .unwrap_or(m);
    tail.trim_end_matches(": unknown").to_string()
}

fn quote_suffix(message: &str, log_line: &str) -> String {
    let q = if !message.trim().is_empty() {
        message.trim()
    } else {
        log_line.trim()
    };
    if q.is_empty() {
        String::new()
    } else {
        format!(" (`{q}`)")
    }
}

/// ` — the environment variable X is not set in the container's env` when the error names one.
fn missing_env_note(spec: Option<&Container>, line: &str, trace: &[String]) -> String {
    let Some(var) = missing_env_name(line, trace) else {
        return String::new();
    };
    let Some(spec) = spec else {
        return format!(": environment variable {var} is not set");
    };
    let set = spec.env.iter().flatten().any(|e| e.name == var);
    let has_env_from = spec.env_from.as_ref().is_some_and(|v| !v.is_empty());
    match (set, has_env_from) {
        (true, _) => format!(": environment variable {var} is set but its value is rejected"),
        (false, false) => format!(": environment variable {var} is not set in the container's env"),
        (false, true) => {
            format!(": environment variable {var} is set neither in env nor by its envFrom sources")
        }
    }
}

fn missing_env_name(line: &str, trace: &[String]) -> Option<String> {
    std::iter::once(line)
        .chain(trace.iter().map(String::as_str))
        .find_map(|l| {
            MISSING_ENV
                .captures(l)
                .and_then(|c| c.iter().skip(1).flatten().next())
                .map(|m| m.as_str().to_string())
        })
}

fn log_lines_capture(
    cx: &Context<'_>,
    pod: &PodContext<'_>,
    container: &str,
    re: &Regex,
) -> Option<String> {
    let (text, _) = container_log(cx, pod, container)?;
    first_capture(re, text).map(str::to_string)
}

/// The program a container runs: `celery` of `sh -c "exec celery -A …"`, else command[0].
fn entrypoint(spec: &Container) -> Option<String> {
    let argv: Vec<&str> = spec
        .command
        .iter()
        .flatten()
        .chain(spec.args.iter().flatten())
        .map(String::as_str)
        .collect();
    let first = *argv.first()?;
    let is_shell = matches!(
        first.rsplit('/').next(),
        Some("sh" | "bash" | "ash" | "dash")
    );
    if is_shell && argv.get(1) == Some(&"-c") {
        let script = argv.get(2)?;
        let mut words = script
            .split_whitespace()
            .skip_while(|w| *w == "exec" || w.contains('='));
        return words.next().map(str::to_string);
    }
    Some(first.to_string())
}

/// ` (worker-2 is amd64; the cluster also has arm64 nodes)`, as far as the nodes say.
fn arch_note(cx: &Context<'_>, pod: &PodContext<'_>) -> String {
    let arch_of = |n: &k8s_openapi::api::core::v1::Node| -> Option<String> {
        Some(n.status.as_ref()?.node_info.as_ref()?.architecture.clone()).filter(|a| !a.is_empty())
    };
    let Some(node) = pod.pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) else {
        return String::new();
    };
    let nodes = &cx.snapshot.objects.nodes;
    let Some(own) = nodes
        .iter()
        .find(|n| n.metadata.name.as_deref() == Some(node))
        .and_then(arch_of)
    else {
        return String::new();
    };
    let mut others: Vec<String> = nodes
        .iter()
        .filter_map(arch_of)
        .filter(|a| *a != own)
        .collect();
    others.sort();
    others.dedup();
    match others.as_slice() {
        [] => format!(" ({node} is {own})"),
        o => format!(
            " ({node} is {own}; the cluster also has {} nodes)",
            o.join("/")
        ),
    }
}

/// `SetImage` back to the newest older revision whose image differs, when there is one.
fn rollback_remedy(
    cx: &Context<'_>,
    workload: &ObjectRef,
    c: &ContainerView<'_>,
) -> Option<Remedy> {
    let current = c.spec?.image.clone()?;
    let revs = revisions(cx.snapshot, workload);
    let image_in = |t: &k8s_openapi::api::core::v1::PodTemplateSpec| -> Option<String> {
        let spec = t.spec.as_ref()?;
        spec.containers
            .iter()
            .chain(spec.init_containers.iter().flatten())
            .find(|x| x.name == c.name)
            .and_then(|x| x.image.clone())
    };
    let newest = revs.last()?;
    if image_in(&newest.template).as_deref() != Some(current.as_str()) {
        return None;
    }
    let previous = revs.iter().rev().skip(1).find_map(|r| {
        image_in(&r.template)
            .filter(|i| *i != current)
            .map(|i| (r, i))
    })?;
    Some(Remedy {
        target: workload.clone(),
        change: Change::SetImage {
            container: c.name.to_string(),
            from: current.clone(),
            to: previous.1.clone(),
        },
        rationale: format!(
            "revision {} ({}) ran {}; the current image {} cannot start, so roll back until a fixed image is built",
            previous.0.number, previous.0.name, previous.1, current
        ),
    })
}

/// `SIGKILL` for 9…
pub(super) fn signal_name(n: i32) -> Option<&'static str> {
    Some(match n {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        _ => return None,
    })
}

/// `Killing` events that say the kubelet restarted this container for a failed liveness
/// (or startup) probe.
pub(super) fn liveness_kill_events<'a>(
    pod: &PodContext<'a>,
    container: &str,
) -> Vec<&'a k8s_openapi::api::core::v1::Event> {
    let needle = format!("Container {container} failed");
    pod.events_with(&["Killing"])
        .into_iter()
        .filter(|e| {
            e.message.as_deref().is_some_and(|m| {
                m.contains(&needle) && (m.contains("liveness probe") || m.contains("startup probe"))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testing::run;

    #[test]
    fn python_keyerror_names_the_missing_env_var() {
        let f = run(&CrashLoop, "crash_loop/keyerror.json");
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].category, Category::CrashLoop);
        assert_eq!(f[0].workload.to_string(), "Deployment shop/orders");
        assert!(
            f[0].cause.contains("KeyError: 'PAYMENT_API_URL'"),
            "{}",
            f[0].cause
        );
        assert!(f[0].cause.contains("exits with code 1"), "{}", f[0].cause);
        assert!(
            f[0].cause.contains("not set in the container's env"),
            "{}",
            f[0].cause
        );
        assert!(f[0].remedy.is_none());
    }

    #[test]
    fn exit_127_names_the_missing_executable() {
        let f = run(&CrashLoop, "crash_loop/exit127.json");
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(
            f[0].cause.contains("`celery`") && f[0].cause.contains("127"),
            "{}",
            f[0].cause
        );
        assert_eq!(f[0].facts.get("exit_code").map(String::as_str), Some("127"));
    }

    #[test]
    fn exec_format_error_rolls_the_image_back() {
        let f = run(&CrashLoop, "crash_loop/exec-format.json");
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(
            f[0].cause.contains("exec format error") && f[0].cause.contains("arm64"),
            "{}",
            f[0].cause
        );
        let remedy = f[0].remedy.as_ref().expect("rollback remedy");
        assert_eq!(
            remedy.change,
            Change::SetImage {
                container: "api".into(),
                from: "registry.example.com/shop/api:2.0.0".into(),
                to: "registry.example.com/shop/api:1.9.3".into()
            }
        );
    }

    #[test]
    fn go_panic_is_the_first_error_with_its_trace() {
        let log = "starting\npanic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation]\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/cmd/main.go:71 +0x3a5\n";
        let e = first_error(log).expect("error");
        assert!(e.line.starts_with("panic: runtime error"));
        assert_eq!(e.location.as_deref(), Some("/src/cmd/main.go:71"));
    }

    #[test]
    fn a_crash_in_a_failed_rollout_is_the_rollouts_symptom() {
        let f = run(&CrashLoop, "crash_loop/failed-rollout.json");
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].role, Role::Symptom);
        assert!(
            f[0].cause.contains("panic: runtime error"),
            "{}",
            f[0].cause
        );
    }

    #[test]
    fn a_crash_without_any_clue_is_left_to_unknown() {
        assert!(run(&CrashLoop, "crash_loop/silent-exit.json").is_empty());
    }

    #[test]
    fn healthy_and_oom_killed_containers_are_not_crash_loops() {
        assert!(run(&CrashLoop, "crash_loop/healthy.json").is_empty());
    }
}
