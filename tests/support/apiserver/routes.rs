//! Request dispatch: discovery, lists, single GETs and logs. Watches are in `watch.rs`.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use k8sops::model::{KINDS, KindInfo, LogKey, with_type_meta};
use serde_json::{Value, json};

use super::faults::FaultState;
use super::select::{Filter, Selector};
use super::table::{Include, table, wants_table};
use super::{Kind, Shared, USER, lock, watch};

pub(crate) type Query = HashMap<String, String>;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let target = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_string(), |pq| pq.as_str().to_string());
    lock(&shared.request_log).push(format!("{method} {target}"));
    let faults = shared.faults.get();
    if let Some(delay) = faults.latency {
        tokio::time::sleep(delay).await;
    }
    if method != Method::GET && method != Method::HEAD {
        return status(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource".into(),
            json!({}),
        );
    }
    let query = parse_query(uri.query().unwrap_or_default());
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let segments: Vec<&str> = uri.path().split('/').filter(|s| !s.is_empty()).collect();
    let req = Request {
        shared: &shared,
        faults: &faults,
        query: &query,
        table: wants_table(accept),
    };
    match segments.as_slice() {
        [] => json_ok(json!({"paths": ["/api", "/api/v1", "/apis", "/version"]})),
        ["version"] => json_ok(version(&shared.server_version)),
        ["api"] => json_ok(json!({
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{
                "clientCIDR": "0.0.0.0/0",
                "serverAddress": lock(&shared.addr).map(|a| a.to_string()).unwrap_or_default(),
            }],
        })),
        ["apis"] => json_ok(group_list()),
        ["api", version] => resource_list("", version),
        ["apis", group, version] => resource_list(group, version),
        ["api", version, rest @ ..] => req.resource("", version, rest).await,
        ["apis", "metrics.k8s.io", "v1beta1", rest @ ..] => shared.metrics.handle(rest, &query),
        ["apis", group, version, rest @ ..] => req.resource(group, version, rest).await,
        _ => not_found_path(),
    }
}

struct Request<'a> {
    shared: &'a Arc<Shared>,
    faults: &'a FaultState,
    query: &'a Query,
    table: bool,
}

impl Request<'_> {
    async fn resource(&self, group: &str, version: &str, rest: &[&str]) -> Response {
        let lookup = |plural: &str| {
            KINDS
                .iter()
                .find(|k| k.group == group && k.version == version && k.plural == plural)
        };
        let watching = matches!(
            self.query.get("watch").map(String::as_str),
            Some("true" | "1")
        );
        match rest {
            [plural] => match lookup(plural) {
                Some(info) if watching => self.watch(info, None).await,
                Some(info) => self.list(info, None),
                None => not_found_path(),
            },
            [plural, name] => match lookup(plural) {
                Some(info) if !info.namespaced => self.get(info, None, name),
                _ => not_found_path(),
            },
            ["namespaces", ns, plural] => match lookup(plural) {
                Some(info) if info.namespaced && watching => self.watch(info, Some(ns)).await,
                Some(info) if info.namespaced => self.list(info, Some(ns)),
                _ => not_found_path(),
            },
            ["namespaces", ns, plural, name] => match lookup(plural) {
                Some(info) if info.namespaced => self.get(info, Some(ns), name),
                _ => not_found_path(),
            },
            ["namespaces", ns, "pods", name, "log"] if group.is_empty() => self.logs(ns, name),
            _ => not_found_path(),
        }
    }

    /// The injected 403/500 for `verb` on `info`, if any.
    fn fault(
        &self,
        info: &KindInfo,
        verb: &str,
        ns: Option<&str>,
        name: Option<&str>,
    ) -> Option<Response> {
        let resource = if info.group.is_empty() {
            info.plural.to_string()
        } else {
            format!("{}.{}", info.plural, info.group)
        };
        let mut details = json!({"kind": info.plural});
        if !info.group.is_empty() {
            details["group"] = info.group.into();
        }
        if let Some(name) = name {
            details["name"] = name.into();
        }
        if self.faults.forbidden.contains(&info.kind) {
            let subject = match name {
                Some(n) => format!("{resource} \"{n}\""),
                None => resource,
            };
            let scope = match ns {
                Some(ns) => format!("in the namespace \"{ns}\""),
                None => "at the cluster scope".to_string(),
            };
            let message = format!(
                "{subject} is forbidden: User \"{USER}\" cannot {verb} resource \"{}\" in API group \"{}\" {scope}",
                info.plural, info.group
            );
            return Some(status(StatusCode::FORBIDDEN, "Forbidden", message, details));
        }
        if let Some(&code) = self.faults.failing.get(&info.kind) {
            let code = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let (reason, message) = match code.as_u16() {
                429 => (
                    "TooManyRequests",
                    "the server has received too many requests and has asked us to try again later"
                        .to_string(),
                ),
                503 => (
                    "ServiceUnavailable",
                    "the server is currently unable to handle the request".to_string(),
                ),
                504 => (
                    "Timeout",
                    format!(
                        "the server was unable to return a response in the time allotted, but may still be processing the request (get {resource})"
                    ),
                ),
                _ => (
                    "InternalError",
                    format!("Internal error occurred: injected failure: {verb} {resource}"),
                ),
            };
            if reason == "InternalError" {
                details["causes"] =
                    json!([{"message": message.trim_start_matches("Internal error occurred: ")}]);
            }
            return Some(status(code, reason, message, details));
        }
        None
    }

    /// The namespace and selectors of the request; a bad selector gives a 400 response.
    fn filter(&self, ns: Option<&str>) -> Result<Filter, Box<Response>> {
        let bad = |msg: String| {
            Box::new(status(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                msg,
                json!({}),
            ))
        };
        let labels = match self.query.get("labelSelector").filter(|s| !s.is_empty()) {
            Some(s) => Some(Selector::label(s).map_err(bad)?),
            None => None,
        };
        let fields = match self.query.get("fieldSelector").filter(|s| !s.is_empty()) {
            Some(s) => Some(Selector::field(s).map_err(bad)?),
            None => None,
        };
        Ok(Filter {
            namespace: ns.map(str::to_string),
            labels,
            fields,
        })
    }

    fn include(&self) -> Option<Include> {
        self.table
            .then(|| Include::parse(self.query.get("includeObject").map(String::as_str)))
    }

    fn list(&self, info: &KindInfo, ns: Option<&str>) -> Response {
        if let Some(resp) = self.fault(info, "list", ns, None) {
            return resp;
        }
        let filter = match self.filter(ns) {
            Ok(f) => f,
            Err(resp) => return *resp,
        };
        let store = self.shared.store();
        let (mut list_rv, floor) = (store.rv, store.floor);
        let mut start: Option<(String, String)> = None;
        if let Some(token) = self.query.get("continue").filter(|t| !t.is_empty()) {
            match decode_continue(token) {
                Some((rv, _)) if rv < floor => {
                    return status(
                        StatusCode::GONE,
                        "Expired",
                        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.".into(),
                        json!({}),
                    );
                }
                Some((rv, key)) => {
                    list_rv = rv;
                    start = Some(key);
                }
                None => {
                    return status(
                        StatusCode::BAD_REQUEST,
                        "BadRequest",
                        format!("continue key is not valid: {token}"),
                        json!({}),
                    );
                }
            }
        }
        let limit = self
            .query
            .get("limit")
            .and_then(|l| l.parse::<usize>().ok())
            .filter(|&l| l > 0);
        let empty = Default::default();
        let all = store.objects.get(&info.kind).unwrap_or(&empty);
        let matching: Vec<(&(String, String), &Value)> = all
            .iter()
            .filter(|(key, _)| start.as_ref().is_none_or(|s| *key > s))
            .filter(|(_, o)| filter.matches(o))
            .collect();
        let take = limit.unwrap_or(matching.len()).min(matching.len());
        let page: Vec<&Value> = matching[..take].iter().map(|(_, o)| *o).collect();
        let rest = matching.len() - take;
        let mut meta = json!({"resourceVersion": list_rv.to_string()});
        if rest > 0
            && let Some((key, _)) = take.checked_sub(1).map(|i| matching[i])
        {
            meta["continue"] = encode_continue(list_rv, key).into();
            meta["remainingItemCount"] = rest.into();
        }
        if let Some(include) = self.include() {
            return json_ok(table(info, &page, include, meta));
        }
        // Written straight from the store: no copy of the items (lists can be 100k events).
        let head = json!({"kind": format!("{}List", info.name), "apiVersion": info.api_version(), "metadata": meta});
        let mut body = head.to_string().into_bytes();
        body.pop(); // the closing brace
        body.extend_from_slice(b",\"items\":[");
        for (i, item) in page.iter().enumerate() {
            if i > 0 {
                body.push(b',');
            }
            serde_json::to_writer(&mut body, item).expect("serialize a JSON value");
        }
        body.extend_from_slice(b"]}");
        drop(store);
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    }

    fn get(&self, info: &KindInfo, ns: Option<&str>, name: &str) -> Response {
        if let Some(resp) = self.fault(info, "get", ns, Some(name)) {
            return resp;
        }
        let key = (ns.unwrap_or_default().to_string(), name.to_string());
        let found = self
            .shared
            .store()
            .objects
            .get(&info.kind)
            .and_then(|m| m.get(&key))
            .cloned();
        match found {
            None => not_found(info, name),
            Some(object) => match self.include() {
                Some(include) => {
                    let rv = object["metadata"]["resourceVersion"].clone();
                    json_ok(table(
                        info,
                        &[&object],
                        include,
                        json!({"resourceVersion": rv}),
                    ))
                }
                None => json_ok(with_type_meta(object, info)),
            },
        }
    }

    async fn watch(&self, info: &'static KindInfo, ns: Option<&str>) -> Response {
        if let Some(resp) = self.fault(info, "watch", ns, None) {
            return resp;
        }
        let filter = match self.filter(ns) {
            Ok(f) => f,
            Err(resp) => return *resp,
        };
        watch::watch(
            self.shared.clone(),
            info,
            filter,
            self.query,
            self.include(),
            self.faults,
        )
    }

    fn logs(&self, ns: &str, name: &str) -> Response {
        let bad = |msg: String| status(StatusCode::BAD_REQUEST, "BadRequest", msg, json!({}));
        if self.faults.forbid_logs {
            let message = format!(
                "pods \"{name}\" is forbidden: User \"{USER}\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"{ns}\""
            );
            return status(
                StatusCode::FORBIDDEN,
                "Forbidden",
                message,
                json!({"name": name, "kind": "pods"}),
            );
        }
        let pod_info = Kind::Pod.info();
        let key = (ns.to_string(), name.to_string());
        let Some(pod) = self
            .shared
            .store()
            .objects
            .get(&Kind::Pod)
            .and_then(|m| m.get(&key))
            .cloned()
        else {
            return not_found(pod_info, name);
        };
        let names = |field: &str| -> Vec<String> {
            pod["spec"][field]
                .as_array()
                .map(|cs| {
                    cs.iter()
                        .filter_map(|c| c["name"].as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (containers, inits, ephemeral) = (
            names("containers"),
            names("initContainers"),
            names("ephemeralContainers"),
        );
        let container = match self.query.get("container").filter(|c| !c.is_empty()) {
            Some(c) => c.clone(),
            None if containers.len() == 1 => containers[0].clone(),
            None => {
                let mut msg = format!(
                    "a container name must be specified for pod {name}, choose one of: [{}]",
                    containers.join(" ")
                );
                if !inits.is_empty() {
                    msg.push_str(&format!(
                        " or one of the init containers: [{}]",
                        inits.join(" ")
                    ));
                }
                return bad(msg);
            }
        };
        if ![&containers, &inits, &ephemeral]
            .iter()
            .any(|list| list.contains(&container))
        {
            return bad(format!("container {container} is not valid for pod {name}"));
        }
        let previous = matches!(
            self.query.get("previous").map(String::as_str),
            Some("true" | "1")
        );
        let log_key = LogKey {
            namespace: ns.to_string(),
            pod: name.to_string(),
            container: container.clone(),
            previous,
        };
        let stored = lock(&self.shared.logs).get(&log_key).cloned();
        let text = match stored {
            Some(text) => text,
            None if previous => {
                return bad(format!(
                    "previous terminated container \"{container}\" in pod \"{name}\" not found"
                ));
            }
            None => {
                let waiting = ["containerStatuses", "initContainerStatuses"]
                    .iter()
                    .find_map(|field| {
                        pod["status"][field].as_array()?.iter().find_map(|c| {
                            (c["name"].as_str() == Some(container.as_str()))
                                .then(|| {
                                    c["state"]["waiting"]["reason"].as_str().map(str::to_string)
                                })
                                .flatten()
                        })
                    });
                if let Some(reason) = waiting {
                    return bad(format!(
                        "container \"{container}\" in pod \"{name}\" is waiting to start: {reason}"
                    ));
                }
                String::new()
            }
        };
        let mut bytes = match self
            .query
            .get("tailLines")
            .and_then(|t| t.parse::<usize>().ok())
        {
            Some(n) => {
                let lines: Vec<&str> = text.split_inclusive('\n').collect();
                lines[lines.len().saturating_sub(n)..].concat().into_bytes()
            }
            None => text.into_bytes(),
        };
        if let Some(limit) = self
            .query
            .get("limitBytes")
            .and_then(|t| t.parse::<usize>().ok())
        {
            bytes.truncate(limit);
        }
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain")],
            bytes,
        )
            .into_response()
    }
}

fn encode_continue(rv: u64, key: &(String, String)) -> String {
    let start = if key.0.is_empty() {
        format!("/{}\u{0}", key.1)
    } else {
        format!("/{}/{}\u{0}", key.0, key.1)
    };
    B64.encode(json!({"v": "meta.k8s.io/v1", "rv": rv, "start": start}).to_string())
}

fn decode_continue(token: &str) -> Option<(u64, (String, String))> {
    let raw = B64.decode(token).ok()?;
    let value: Value = serde_json::from_slice(&raw).ok()?;
    let rv = value["rv"].as_u64()?;
    let start = value["start"]
        .as_str()?
        .strip_prefix('/')?
        .strip_suffix('\u{0}')?;
    let key = match start.split_once('/') {
        Some((ns, name)) => (ns.to_string(), name.to_string()),
        None => (String::new(), start.to_string()),
    };
    Some((rv, key))
}

/// Decodes `a=b&c=d` with `%XX` and `+` escapes.
pub(crate) fn parse_query(q: &str) -> Query {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn json_ok(value: Value) -> Response {
    json_response(StatusCode::OK, &value)
}

fn json_response(code: StatusCode, value: &Value) -> Response {
    (
        code,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

/// A `v1 Status` failure body.
pub(crate) fn status_body(code: u16, reason: &str, message: &str, details: Value) -> Value {
    let mut body = json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    });
    if details.as_object().is_some_and(|d| !d.is_empty()) {
        body["details"] = details;
    }
    body
}

pub(crate) fn status(code: StatusCode, reason: &str, message: String, details: Value) -> Response {
    json_response(code, &status_body(code.as_u16(), reason, &message, details))
}

fn not_found(info: &KindInfo, name: &str) -> Response {
    let resource = if info.group.is_empty() {
        info.plural.to_string()
    } else {
        format!("{}.{}", info.plural, info.group)
    };
    let mut details = json!({"name": name, "kind": info.plural});
    if !info.group.is_empty() {
        details["group"] = info.group.into();
    }
    status(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("{resource} \"{name}\" not found"),
        details,
    )
}

fn not_found_path() -> Response {
    status(
        StatusCode::NOT_FOUND,
        "NotFound",
        "the server could not find the requested resource".into(),
        json!({}),
    )
}

fn version(git_version: &str) -> Value {
    let mut parts = git_version.trim_start_matches('v').split(['.', '-', '+']);
    let major = parts.next().unwrap_or("1").to_string();
    let minor = parts.next().unwrap_or("32").to_string();
    json!({
        "major": major,
        "minor": minor,
        "gitVersion": git_version,
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2025-04-22T15:56:51Z",
        "goVersion": "go1.23.8",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

fn group_list() -> Value {
    let mut groups: Vec<Value> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for info in KINDS.iter().filter(|k| !k.group.is_empty()) {
        if seen.contains(&info.group) {
            continue;
        }
        seen.push(info.group);
        let gv = json!({"groupVersion": info.api_version(), "version": info.version});
        groups.push(json!({"name": info.group, "versions": [gv.clone()], "preferredVersion": gv}));
    }
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

const CATEGORY_ALL: &[&str] = &[
    "pods",
    "services",
    "deployments",
    "replicasets",
    "statefulsets",
    "daemonsets",
    "jobs",
    "cronjobs",
    "replicationcontrollers",
    "horizontalpodautoscalers",
];

fn resource_list(group: &str, version: &str) -> Response {
    let infos: Vec<&KindInfo> = KINDS
        .iter()
        .filter(|k| k.group == group && k.version == version)
        .collect();
    if infos.is_empty() {
        return not_found_path();
    }
    let mut resources: Vec<Value> = Vec::new();
    for info in infos {
        let mut r = json!({
            "name": info.plural,
            "singularName": info.name.to_ascii_lowercase(),
            "namespaced": info.namespaced,
            "kind": info.name,
            "verbs": ["get", "list", "watch"],
        });
        if !info.short_names.is_empty() {
            r["shortNames"] = json!(info.short_names);
        }
        if CATEGORY_ALL.contains(&info.plural) {
            r["categories"] = json!(["all"]);
        }
        resources.push(r);
        if info.kind == Kind::Pod {
            resources.push(json!({
                "name": "pods/log",
                "singularName": "",
                "namespaced": true,
                "kind": "Pod",
                "verbs": ["get"],
            }));
        }
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    json_ok(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    }))
}
