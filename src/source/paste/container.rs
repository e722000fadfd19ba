//! The container blocks of `kubectl describe` (a pod's `Containers:` / `Init Containers:`,
//! a workload's `Pod Template:`) back to a container spec and, for pods, its status.

use serde_json::{Map, Value, json};

use super::age::{parse_time, rfc3339};
use super::tree::{Node, known};

/// Spec and status of one container block.
pub struct Container {
    pub spec: Value,
    /// `None` in a pod template (no instance runs).
    pub status: Option<Value>,
}

pub fn read(node: &Node, with_status: bool) -> Container {
    let mut spec = Map::new();
    spec.insert("name".into(), node.key.clone().into());
    if let Some(image) = node.val("Image") {
        spec.insert("image".into(), image.into());
    }
    let ports: Vec<Value> = node
        .val("Port")
        .or(node.val("Ports"))
        .map(|p| p.split(',').filter_map(port).collect())
        .unwrap_or_default();
    if !ports.is_empty() {
        spec.insert("ports".into(), ports.into());
    }
    for (key, field) in [("Command", "command"), ("Args", "args")] {
        if let Some(n) = node.get(key) {
            let words: Vec<Value> = n.rows.iter().map(|r| Value::from(r.as_str())).collect();
            spec.insert(field.into(), words.into());
        }
    }
    let mut resources = Map::new();
    for (key, field) in [("Limits", "limits"), ("Requests", "requests")] {
        if let Some(n) = node.get(key) {
            let values: Map<String, Value> = n
                .children
                .iter()
                .filter(|c| known(&c.value))
                .map(|c| (c.key.clone(), Value::from(c.value.as_str())))
                .collect();
            if !values.is_empty() {
                resources.insert(field.into(), values.into());
            }
        }
    }
    if !resources.is_empty() {
        spec.insert("resources".into(), resources.into());
    }
    for (key, field) in [
        ("Liveness", "livenessProbe"),
        ("Readiness", "readinessProbe"),
        ("Startup", "startupProbe"),
    ] {
        if let Some(p) = node.val(key).and_then(probe) {
            spec.insert(field.into(), p);
        }
    }
    if let Some(env) = node.get("Environment") {
        let vars: Vec<Value> = env.children.iter().map(env_var).collect();
        if !vars.is_empty() {
            spec.insert("env".into(), vars.into());
        }
    }
    if let Some(from) = node.get("Environment Variables from") {
        let refs: Vec<Value> = from.rows.iter().filter_map(|r| env_from(r)).collect();
        if !refs.is_empty() {
            spec.insert("envFrom".into(), refs.into());
        }
    }
    if let Some(mounts) = node.get("Mounts") {
        let list: Vec<Value> = mounts.rows.iter().filter_map(|r| mount(r)).collect();
        if !list.is_empty() {
            spec.insert("volumeMounts".into(), list.into());
        }
    }
    let status = with_status.then(|| status(node));
    Container {
        spec: spec.into(),
        status,
    }
}

fn status(node: &Node) -> Value {
    let mut status = Map::new();
    status.insert("name".into(), node.key.clone().into());
    status.insert("image".into(), node.val("Image").unwrap_or_default().into());
    status.insert(
        "imageID".into(),
        node.val("Image ID").unwrap_or_default().into(),
    );
    if let Some(id) = node.val("Container ID") {
        status.insert("containerID".into(), id.into());
    }
    status.insert("ready".into(), (node.val("Ready") == Some("True")).into());
    status.insert(
        "restartCount".into(),
        node.val("Restart Count")
            .and_then(|c| c.parse::<i32>().ok())
            .unwrap_or(0)
            .into(),
    );
    if let Some(state) = node.get("State").and_then(state) {
        status.insert("state".into(), state);
    }
    if let Some(last) = node.get("Last State").and_then(state) {
        status.insert("lastState".into(), last);
    }
    status.into()
}

/// `State:  Waiting` with `Reason:`/`Message:`, `Running` with `Started:`, `Terminated` with
/// `Reason:`, `Message:`, `Exit Code:`, `Signal:`, `Started:`, `Finished:`.
fn state(node: &Node) -> Option<Value> {
    let time = |key: &str| node.val(key).and_then(parse_time).map(rfc3339);
    let mut fields = Map::new();
    if let Some(reason) = node.val("Reason") {
        fields.insert("reason".into(), reason.into());
    }
    if let Some(message) = node.val("Message") {
        fields.insert("message".into(), message.into());
    }
    let which = match node.value.as_str() {
        "Waiting" => "waiting",
        "Running" => {
            if let Some(t) = time("Started") {
                fields.insert("startedAt".into(), t.into());
            }
            "running"
        }
        "Terminated" => {
            let code = node
                .val("Exit Code")
                .and_then(|c| c.parse::<i32>().ok())
                .unwrap_or(0);
            fields.insert("exitCode".into(), code.into());
            if let Some(signal) = node.val("Signal").and_then(|s| s.parse::<i32>().ok()) {
                fields.insert("signal".into(), signal.into());
            }
            if let Some(t) = time("Started") {
                fields.insert("startedAt".into(), t.into());
            }
            if let Some(t) = time("Finished") {
                fields.insert("finishedAt".into(), t.into());
            }
            "terminated"
        }
        _ => return None,
    };
    Some(json!({ which: fields }))
}

/// `8080/TCP`, `8080/TCP (http)`, `<none>`.
fn port(s: &str) -> Option<Value> {
    let s = s.trim();
    let (number, rest) = s.split_once('/')?;
    let number: i32 = number.trim().parse().ok()?;
    let protocol = rest.split_whitespace().next().unwrap_or("TCP");
    let mut port = json!({"containerPort": number, "protocol": protocol});
    if let Some(name) = rest.split_once('(').and_then(|(_, n)| n.strip_suffix(')')) {
        port["name"] = name.into();
    }
    Some(port)
}

/// `http-get http://:8080/healthz delay=10s timeout=1s period=10s #success=1 #failure=3`,
/// `exec [redis-cli ping] …`, `tcp-socket :5432 …`, `grpc <pod>:9090 …`.
pub fn probe(s: &str) -> Option<Value> {
    let (kind, rest) = s.split_once(' ')?;
    let mut probe = Map::new();
    let settings_at = rest.find(" delay=").unwrap_or(rest.len());
    let (target, settings) = rest.split_at(settings_at);
    let target = target.trim();
    match kind {
        "http-get" => {
            let (scheme, rest) = target.split_once("://")?;
            let (hostport, path) = match rest.find('/') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, "/"),
            };
            let (host, port) = hostport.rsplit_once(':')?;
            let mut get = json!({"path": path, "port": port_value(port), "scheme": scheme.to_ascii_uppercase()});
            if !host.is_empty() {
                get["host"] = host.into();
            }
            probe.insert("httpGet".into(), get);
        }
        "exec" => {
            let inner = target.strip_prefix('[')?.strip_suffix(']')?;
            let words: Vec<Value> = inner.split(' ').map(Value::from).collect();
            probe.insert("exec".into(), json!({"command": words}));
        }
        "tcp-socket" => {
            let (_, port) = target.rsplit_once(':')?;
            probe.insert("tcpSocket".into(), json!({"port": port_value(port)}));
        }
        "grpc" => {
            let (_, port) = target.rsplit_once(':')?;
            let port: i32 = port.split_whitespace().next()?.parse().ok()?;
            probe.insert("grpc".into(), json!({"port": port}));
        }
        _ => return None,
    }
    for setting in settings.split_whitespace() {
        let Some((k, v)) = setting.split_once('=') else {
            continue;
        };
        let field = match k {
            "delay" => "initialDelaySeconds",
            "timeout" => "timeoutSeconds",
            "period" => "periodSeconds",
            "#success" => "successThreshold",
            "#failure" => "failureThreshold",
            _ => continue,
        };
        if let Ok(n) = v.trim_end_matches('s').parse::<i32>() {
            probe.insert(field.into(), n.into());
        }
    }
    Some(probe.into())
}

fn port_value(port: &str) -> Value {
    match port.parse::<i32>() {
        Ok(n) => n.into(),
        Err(_) => port.into(),
    }
}

/// `NAME:  value`, `NAME:  <set to the key 'k' in secret 's'>  Optional: false`,
/// `NAME:  <set to the key 'k' of config map 'c'>  Optional: false`, `NAME:   (v1:metadata.name)`.
fn env_var(node: &Node) -> Value {
    let value = node.value.as_str();
    let optional = value.contains("Optional: true");
    if let Some(rest) = value.strip_prefix("<set to the key '") {
        let key = rest.split('\'').next().unwrap_or_default();
        let name = rest.split('\'').nth(2).unwrap_or_default();
        let source = if rest.contains("' in secret '") {
            "secretKeyRef"
        } else {
            "configMapKeyRef"
        };
        return json!({"name": node.key, "valueFrom": {source: {"name": name, "key": key, "optional": optional}}});
    }
    if let Some(path) = value
        .strip_prefix('(')
        .and_then(|v| v.split(')').next())
        .and_then(|v| v.split_once(':'))
    {
        return json!({"name": node.key, "valueFrom": {"fieldRef": {"apiVersion": path.0, "fieldPath": path.1}}});
    }
    json!({"name": node.key, "value": value})
}

/// `app-config  ConfigMap  Optional: false`, `db  Secret  Optional: true` (a prefix, when
/// set, sits between the name and the kind).
fn env_from(row: &str) -> Option<Value> {
    let words: Vec<&str> = row.split_whitespace().collect();
    let name = *words.first()?;
    let optional = row.contains("Optional: true");
    if words.contains(&"Secret") {
        Some(json!({"secretRef": {"name": name, "optional": optional}}))
    } else if words.contains(&"ConfigMap") {
        Some(json!({"configMapRef": {"name": name, "optional": optional}}))
    } else {
        None
    }
}

/// `/data from data (rw)`, `/etc/app from config (ro,path="app.yaml")`.
fn mount(row: &str) -> Option<Value> {
    let (path, rest) = row.split_once(" from ")?;
    let (name, flags) = rest.split_once(" (").unwrap_or((rest, ""));
    let mut mount = json!({"mountPath": path.trim(), "name": name.trim()});
    if flags.starts_with("ro") {
        mount["readOnly"] = true.into();
    }
    if let Some(sub) = flags
        .split_once("path=\"")
        .and_then(|(_, p)| p.split('"').next())
    {
        mount["subPath"] = sub.into();
    }
    Some(mount)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_read_back_as_kubectl_printed_them() {
        let p = probe(
            "http-get http://:8080/healthz delay=10s timeout=1s period=10s #success=1 #failure=3",
        )
        .expect("http probe");
        assert_eq!(p["httpGet"]["path"], "/healthz");
        assert_eq!(p["httpGet"]["port"], 8080);
        assert_eq!(p["initialDelaySeconds"], 10);
        assert_eq!(p["failureThreshold"], 3);
        let p = probe("exec [redis-cli ping] delay=0s timeout=1s period=5s #success=1 #failure=3")
            .expect("exec probe");
        assert_eq!(p["exec"]["command"], json!(["redis-cli", "ping"]));
        let p = probe("tcp-socket :5432 delay=5s timeout=1s period=10s #success=1 #failure=3")
            .expect("tcp probe");
        assert_eq!(p["tcpSocket"]["port"], 5432);
        assert!(probe("nonsense").is_none());
    }

    #[test]
    fn secret_references_keep_names_only() {
        let node = Node {
            key: "DB_PASSWORD".into(),
            value: "<set to the key 'password' in secret 'orders-db'>  Optional: false".into(),
            ..Node::default()
        };
        let v = env_var(&node);
        assert_eq!(v["valueFrom"]["secretKeyRef"]["name"], "orders-db");
        assert_eq!(v["valueFrom"]["secretKeyRef"]["key"], "password");
        assert!(v.get("value").is_none());
    }
}
