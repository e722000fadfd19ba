//! What people paste, read into a [`Snapshot`]: `kubectl describe` of pods, workloads,
//! nodes, PVCs and services; `kubectl get` tables (with or without `-A`, `-o wide`,
//! headers); `kubectl get events` in both layouts; `kubectl logs` (named by a `$ kubectl
//! logs POD -c C --previous` line, or not); `-o yaml` / `-o json` of an object or a List.
//! Each section is recognised by its shape. Relative ages are read against `anchor` (when
//! the paste was printed, taken to be now). What the text does not show stays unknown; what
//! was inferred, and the lines that did not read, are listed in the snapshot's warnings.

mod age;
mod assemble;
mod clean;
mod columns;
mod container;
mod describe;
mod events;
mod sections;
mod table;
mod tree;

use jiff::Timestamp;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::model::{Kind, Snapshot};
use events::EventRow;

/// What k8sops understands in a paste, for the hint of a paste it found nothing in.
pub const UNDERSTOOD: &str = "kubectl describe (pods, deployments, replicasets, statefulsets, daemonsets, jobs, cronjobs, nodes, pvc, services), kubectl get <kind> [-o wide] tables, kubectl get events [-o wide], kubectl logs (after a `$ kubectl logs POD -c C --previous` line), -o yaml / -o json";

/// One pasted text and the name it is reported by (a file name, `stdin`).
#[derive(Debug, Clone, Copy)]
pub struct Paste<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

/// Everything read from all pastes, before it becomes a snapshot.
#[derive(Default)]
struct Found {
    /// Each object with the paste it was described in (empty for a `get` row, which a
    /// described copy of the same object replaces).
    objects: Vec<(Kind, Value, String)>,
    events: Vec<EventRow>,
    /// What the `kubectl logs` line named, the log, and the paste's name.
    logs: Vec<(LogHeader, String, String)>,
    inferred: Vec<String>,
    /// Objects whose owner came from `Controlled By:`.
    owned: usize,
    notes: Vec<String>,
}

/// What a `kubectl logs` line names.
#[derive(Debug, Clone, Default, PartialEq)]
struct LogHeader {
    namespace: Option<String>,
    pod: Option<String>,
    container: Option<String>,
    previous: bool,
}

/// Reads pasted files (`-` is stdin) into one snapshot taken now.
pub fn read_files(paths: &[std::path::PathBuf]) -> Result<Snapshot> {
    let mut texts = Vec::with_capacity(paths.len());
    for path in paths {
        let (name, bytes) = if path.as_os_str() == "-" {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes)
                .map_err(|e| Error::io("stdin", e))?;
            ("stdin".to_string(), bytes)
        } else {
            let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            (path.display().to_string(), bytes)
        };
        texts.push((name, String::from_utf8_lossy(&bytes).into_owned()));
    }
    let pastes: Vec<Paste<'_>> = texts
        .iter()
        .map(|(name, text)| Paste { name, text })
        .collect();
    read(&pastes, Timestamp::now())
}

/// Reads every paste into one snapshot taken at `anchor`. A paste with nothing kubectl
/// prints is an error naming it; lines that did not read are named in the warnings.
pub fn read(pastes: &[Paste<'_>], now: Timestamp) -> Result<Snapshot> {
    let anchor = printed_at(pastes, now);
    let mut found = Found::default();
    for paste in pastes {
        sections::read_one(paste, anchor, &mut found)?;
    }
    if anchor != now {
        found.inferred.push(format!(
            "that the paste was printed at {} (the newest node heartbeat in it; ages count back from there)",
            age::rfc3339(anchor)
        ));
    }
    Ok(assemble::assemble(found, anchor))
}

/// How stale a node heartbeat may be in fresh output: the kubelet reports an unchanged
/// status every 5 minutes.
const HEARTBEAT: jiff::SignedDuration = jiff::SignedDuration::from_mins(10);

/// When the paste was printed: now, unless the newest node heartbeat it shows (a describe
/// node's `Conditions:` row) is older than a kubelet lets one get — then the paste is that
/// old, and its ages count back from the heartbeat.
fn printed_at(pastes: &[Paste<'_>], now: Timestamp) -> Timestamp {
    let newest = pastes
        .iter()
        .flat_map(|p| p.text.lines())
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let kind = words.next()?;
            let status = words.next()?;
            if (!kind.ends_with("Pressure") && kind != "Ready")
                || !matches!(status, "True" | "False" | "Unknown")
            {
                return None;
            }
            // `Fri, 20 Nov 2026 09:27:13 +0000`: six words.
            let time: Vec<&str> = words.take(6).collect();
            age::parse_time(&time.join(" "))
        })
        .max();
    match newest {
        Some(t) if t < now && now.duration_since(t) > HEARTBEAT => t,
        _ => now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sections::ranges;

    fn now() -> Timestamp {
        "2026-11-20T10:00:00Z".parse().expect("time")
    }

    fn read_text(text: &str) -> Snapshot {
        read(
            &[Paste {
                name: "p.txt",
                text,
            }],
            now(),
        )
        .expect("reads")
    }

    const POD: &str = "Name:         web-1\nNamespace:    shop\nNode:         worker-1/10.0.1.11\nStart Time:   Fri, 20 Nov 2026 09:00:00 +0000\nStatus:       Running\nIP:           10.244.1.2\nControlled By:  ReplicaSet/web-7d9f\nContainers:\n  app:\n    Image:          ghcr.io/acme/web:1.2\n    State:          Waiting\n      Reason:       CrashLoopBackOff\n    Last State:     Terminated\n      Reason:       Error\n      Message:      panic: config file /etc/web/app.yaml: no such file or directory\ngoroutine 1 [running]:\n      Exit Code:    2\n    Ready:          False\n    Restart Count:  4\nEvents:\n  Type     Reason   Age                From     Message\n  ----     ------   ----               ----     -------\n  Warning  BackOff  2m (x9 over 10m)   kubelet  Back-off restarting failed container app in pod\nweb-1_shop(0f1e)\n";

    #[test]
    fn wrapped_messages_join_their_line() {
        let s = read_text(POD);
        let pod = &s.objects.pods[0];
        let status = &pod
            .status
            .as_ref()
            .expect("status")
            .container_statuses
            .as_ref()
            .expect("statuses")[0];
        let last = status
            .last_state
            .as_ref()
            .and_then(|l| l.terminated.as_ref())
            .expect("terminated");
        assert_eq!(last.exit_code, 2);
        assert!(
            last.message
                .as_deref()
                .is_some_and(|m| m.ends_with("\ngoroutine 1 [running]:"))
        );
        let event = &s.objects.events[0];
        assert_eq!(event.count, Some(9));
        assert!(
            event
                .message
                .as_deref()
                .is_some_and(|m| m.ends_with("in pod\nweb-1_shop(0f1e)"))
        );
        let owner = &pod.metadata.owner_references.as_ref().expect("owner")[0];
        assert_eq!(
            (owner.kind.as_str(), owner.name.as_str(), owner.uid.as_str()),
            ("ReplicaSet", "web-7d9f", "")
        );
    }

    #[test]
    fn a_headed_log_goes_to_its_container_and_prose_is_named_as_skipped() {
        let text = format!(
            "can someone look at this?\n\n{POD}\n$ kubectl logs web-1 -n shop -c app -p\npanic: boom\n"
        );
        let s = read_text(&text);
        assert_eq!(s.log("shop", "web-1", "app", true), Some("panic: boom\n"));
        assert!(
            s.warnings
                .iter()
                .any(|w| w.ends_with("p.txt: skipped lines that are not kubectl output: 1")),
            "{:?}",
            s.warnings
        );
    }

    #[test]
    fn get_tables_with_and_without_namespace_and_nothing_else_is_an_error() {
        let text = "$ kubectl get pods -n shop -o wide\nNAME    READY   STATUS             RESTARTS      AGE   IP           NODE       NOMINATED NODE   READINESS GATES\nweb-1   0/1     CrashLoopBackOff   4 (2m ago)    1h    10.244.1.2   worker-1   <none>           <none>\n\n$ kubectl get nodes\nNAME       STATUS     ROLES    AGE   VERSION\nworker-1   NotReady   <none>   40d   v1.31.2\n";
        let s = read_text(text);
        assert_eq!(
            s.objects.pods[0].metadata.namespace.as_deref(),
            Some("shop")
        );
        let node = &s.objects.nodes[0];
        let ready = &node
            .status
            .as_ref()
            .and_then(|st| st.conditions.as_ref())
            .expect("conditions")[0];
        assert_eq!(
            (ready.type_.as_str(), ready.status.as_str()),
            ("Ready", "False")
        );
        let err = read(
            &[Paste {
                name: "notes.md",
                text: "nothing to see\n",
            }],
            now(),
        )
        .expect_err("no kubectl output");
        assert_eq!(err.to_string(), "found nothing kubectl prints in notes.md");
        assert!(err.hint().contains("kubectl get events"));
    }

    #[test]
    fn an_old_paste_counts_its_ages_back_from_its_newest_heartbeat() {
        let node = "Name:               worker-1\nRoles:              <none>\nConditions:\n  Type             Status  LastHeartbeatTime                 LastTransitionTime                Reason                       Message\n  ----             ------  -----------------                 ------------------                ------                       -------\n  Ready            True    Fri, 13 Nov 2026 09:58:00 +0000   Sat, 10 Oct 2026 09:35:00 +0000   KubeletReady                 kubelet is posting ready status\nEvents:\n  Type     Reason    Age   From     Message\n  ----     ------    ----  ----     -------\n  Warning  Rebooted  1h    kubelet  Node worker-1 has been rebooted\n";
        let s = read_text(node);
        assert_eq!(age::rfc3339(s.meta.captured_at), "2026-11-13T09:58:00Z");
        let event = &s.objects.events[0];
        assert_eq!(
            event
                .last_timestamp
                .as_ref()
                .map(|t| age::rfc3339(t.0))
                .as_deref(),
            Some("2026-11-13T08:58:00Z")
        );
        let fresh = node.replace("Fri, 13 Nov 2026 09:58:00", "Fri, 20 Nov 2026 09:57:00");
        assert_eq!(read_text(&fresh).meta.captured_at, now());
    }

    #[test]
    fn skipped_lines_are_given_as_ranges() {
        assert_eq!(ranges(&[1, 2, 3, 7, 9, 10]), "1-3, 7, 9-10");
    }
}
