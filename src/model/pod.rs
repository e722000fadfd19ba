//! Pod status as kubectl's STATUS and READY columns show it.

use k8s_openapi::api::core::v1::Pod;

/// `CrashLoopBackOff`, `OOMKilled`, `Pending`, `Running`, `Init:Error`… as kubectl prints it.
pub fn pod_status(pod: &Pod) -> String {
    let Some(status) = pod.status.as_ref() else {
        return "Unknown".into();
    };
    if pod.metadata.deletion_timestamp.is_some() {
        return "Terminating".into();
    }
    if let Some(reason) = status.reason.as_ref().filter(|r| !r.is_empty()) {
        return reason.clone();
    }
    for cs in status.init_container_statuses.iter().flatten() {
        let state = cs.state.as_ref();
        if let Some(t) = state
            .and_then(|s| s.terminated.as_ref())
            .filter(|t| t.exit_code != 0)
        {
            return format!(
                "Init:{}",
                t.reason.clone().unwrap_or_else(|| "Error".into())
            );
        }
        if let Some(w) = state.and_then(|s| s.waiting.as_ref()) {
            return format!(
                "Init:{}",
                w.reason.clone().unwrap_or_else(|| "Waiting".into())
            );
        }
    }
    let mut result = status.phase.clone().unwrap_or_else(|| "Unknown".into());
    for cs in status.container_statuses.iter().flatten().rev() {
        let state = cs.state.as_ref();
        if let Some(reason) = state
            .and_then(|s| s.waiting.as_ref())
            .and_then(|w| w.reason.clone())
        {
            result = reason;
        } else if let Some(t) = state.and_then(|s| s.terminated.as_ref()) {
            result = t
                .reason
                .clone()
                .unwrap_or_else(|| format!("ExitCode:{}", t.exit_code));
        }
    }
    result
}

/// Ready containers and all containers, as `1/2`.
pub fn pod_ready(pod: &Pod) -> (usize, usize) {
    let total = pod.spec.as_ref().map(|s| s.containers.len()).unwrap_or(0);
    let ready = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .map(|cs| cs.iter().filter(|c| c.ready).count())
        .unwrap_or(0);
    (ready, total)
}

/// Whether a pod is healthy: running with every container ready, or completed.
pub fn pod_is_healthy(pod: &Pod) -> bool {
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
    match phase {
        Some("Succeeded") => true,
        Some("Running") => {
            let (ready, total) = pod_ready(pod);
            ready == total && pod_status(pod) == "Running"
        }
        _ => false,
    }
}
