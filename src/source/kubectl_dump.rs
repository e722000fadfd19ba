//! The log files of `kubectl cluster-info dump --output-directory`: `<ns>/<pod>/logs.txt`
//! holds one block per container between `==== START logs for container C of pod NS/POD ====`
//! and the matching END line. k8sops bundles use the same format for `previous-logs.txt`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::model::LogKey;

const START: &str = "==== START logs for container ";
const END: &str = "==== END logs for container ";

/// Current logs, as kubectl names the file.
pub const CURRENT_LOGS: &str = "logs.txt";
/// Logs of the previous container instance (k8sops' extension of the layout).
pub const PREVIOUS_LOGS: &str = "previous-logs.txt";

/// `container C of pod NS/POD ====` → (C, NS, POD).
fn header(rest: &str) -> Option<(&str, &str, &str)> {
    let rest = rest.strip_suffix(" ====")?;
    let (container, pod) = rest.split_once(" of pod ")?;
    let (ns, pod) = pod.split_once('/')?;
    Some((container, ns, pod))
}

/// What kubectl writes into a block when it could not fetch that container's log.
const REQUEST_ERROR: &str = "Request log error: ";

fn keep(out: &mut BTreeMap<LogKey, String>, key: LogKey, body: String) {
    if !(body.starts_with(REQUEST_ERROR) && body.trim_end().lines().count() == 1) {
        out.insert(key, body);
    }
}

/// Splits a logs file into blocks. Lines outside blocks are ignored; an unterminated block
/// runs to the end of the file (a dump cut short still yields its logs).
pub fn parse_log_blocks(text: &str, previous: bool, out: &mut BTreeMap<LogKey, String>) -> usize {
    let mut found = 0;
    let mut current: Option<(LogKey, String)> = None;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if let Some((container, ns, pod)) = bare.strip_prefix(START).and_then(header) {
            if let Some((key, body)) = current.take() {
                keep(out, key, body);
            }
            let key = LogKey {
                namespace: ns.into(),
                pod: pod.into(),
                container: container.into(),
                previous,
            };
            current = Some((key, String::new()));
            found += 1;
        } else if bare.strip_prefix(END).and_then(header).is_some() {
            if let Some((key, body)) = current.take() {
                keep(out, key, body);
            }
        } else if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
        }
    }
    if let Some((key, body)) = current {
        keep(out, key, body);
    }
    found
}

/// Writes the blocks of one pod in the same format.
pub fn format_log_blocks<'a>(logs: impl Iterator<Item = (&'a LogKey, &'a str)>) -> String {
    let mut out = String::new();
    for (key, body) in logs {
        let _ = writeln!(
            out,
            "{START}{} of pod {}/{} ====",
            key.container, key.namespace, key.pod
        );
        out.push_str(body);
        if !body.is_empty() && !body.ends_with('\n') {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "{END}{} of pod {}/{} ====",
            key.container, key.namespace, key.pod
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_round_trip() {
        let text = "==== START logs for container web of pod shop/web-1 ====\nline 1\nline 2\n==== END logs for container web of pod shop/web-1 ====\n==== START logs for container sidecar of pod shop/web-1 ====\n==== END logs for container sidecar of pod shop/web-1 ====\n";
        let mut logs = BTreeMap::new();
        assert_eq!(parse_log_blocks(text, false, &mut logs), 2);
        let web = LogKey {
            namespace: "shop".into(),
            pod: "web-1".into(),
            container: "web".into(),
            previous: false,
        };
        assert_eq!(logs[&web], "line 1\nline 2\n");
        let mut sorted: Vec<_> = logs.iter().collect();
        sorted.sort_by(|a, b| b.0.container.cmp(&a.0.container));
        assert_eq!(
            format_log_blocks(sorted.into_iter().map(|(k, v)| (k, v.as_str()))),
            text
        );
    }

    #[test]
    fn a_log_kubectl_could_not_fetch_is_not_a_log() {
        let text = "==== START logs for container w of pod ns/p ====\nRequest log error: the server rejected our request for an unknown reason (get pods p)\n==== END logs for container w of pod ns/p ====\n";
        let mut logs = BTreeMap::new();
        parse_log_blocks(text, false, &mut logs);
        assert!(logs.is_empty());
    }

    #[test]
    fn unterminated_block_keeps_its_lines() {
        let mut logs = BTreeMap::new();
        parse_log_blocks(
            "==== START logs for container a of pod ns/p ====\npanic: boom",
            true,
            &mut logs,
        );
        assert_eq!(
            logs.values().next().map(String::as_str),
            Some("panic: boom")
        );
    }
}
