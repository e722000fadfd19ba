//! `k8sops report daily --from BUNDLE` end to end through the binary: golden Markdown and
//! JSON for the examples and for `tests/data/report/prod` (a cluster with something for
//! every section), the HTML parsed as a browser would, `--previous`, redaction, formats and
//! the errors bad input gets.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use k8sops::analyze::Category;
use k8sops::model::ObjectRef;
use k8sops::report::issues::fingerprint;
use scraper::{Html, Selector};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn prod() -> PathBuf {
    root().join("tests/data/report/prod")
}

fn example(name: &str) -> PathBuf {
    root().join("examples").join(name)
}

fn k8sops() -> Command {
    let mut cmd = Command::cargo_bin("k8sops").expect("binary built");
    cmd.env_remove("KUBECONFIG")
        .env("HOME", std::env::temp_dir())
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("K8SOPS_CONFIG")
        .env_remove("K8SOPS_SLACK_WEBHOOK_URL")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env("NO_COLOR", "1");
    cmd
}

fn run(args: &[&str], from: &Path) -> (i32, String, String) {
    let out = k8sops()
        .args(["report", "daily"])
        .args(args)
        .arg("--from")
        .arg(from)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn report(args: &[&str], from: &Path) -> String {
    let (code, stdout, stderr) = run(args, from);
    assert_eq!(code, 0, "{}: {stderr}", from.display());
    stdout
}

fn json(from: &Path) -> Value {
    serde_json::from_str(&report(&["--format", "json"], from)).expect("valid JSON")
}

/// Placeholders carry a per-run HMAC tag; goldens keep the kind.
fn stable(text: &str) -> String {
    let tag = regex::Regex::new(r"<redacted:([a-z0-9_-]+)#[0-9a-f]+>").expect("regex");
    tag.replace_all(text, "<redacted:$1#tag>").into_owned()
}

const GOLDEN: &[&str] = &["oom-killed", "rollout-stuck", "job-failed"];

#[test]
fn markdown_reports_for_the_examples() {
    for name in GOLDEN {
        insta::assert_snapshot!(
            format!("markdown-{name}"),
            stable(&report(&[], &example(name)))
        );
    }
    insta::assert_snapshot!("markdown-prod", stable(&report(&[], &prod())));
}

#[test]
fn json_reports_follow_the_contract() {
    for name in GOLDEN.iter().copied().chain(["prod"]) {
        let path = match name {
            "prod" => prod(),
            n => example(n),
        };
        let v = json(&path);
        assert_eq!(v["apiVersion"], "k8sops/v1");
        assert_eq!(v["kind"], "DailyReport");
        assert_eq!(v["window"]["since_seconds"], 86_400);
        let grade = v["score"]["grade"].as_str().expect("grade");
        assert!(["A", "B", "C", "D", "E", "F"].contains(&grade), "{grade}");
        for cluster in v["clusters"].as_array().expect("clusters") {
            let name = cluster["name"].as_str().expect("name");
            for issue in cluster["issues"].as_array().expect("issues") {
                let subject: ObjectRef =
                    serde_json::from_value(issue["subject"].clone()).expect("subject");
                let category: Category =
                    serde_json::from_value(issue["category"].clone()).expect("category");
                assert_eq!(issue["fingerprint"], fingerprint(name, &subject, category));
            }
        }
        let v: Value = serde_json::from_str(&stable(&v.to_string())).expect("json");
        insta::assert_json_snapshot!(format!("json-{name}"), v);
    }
}

#[test]
fn every_section_speaks_for_the_prod_cluster() {
    let v = json(&prod());
    let c = &v["clusters"][0];
    assert_eq!(c["name"], "prod", "the context from meta.json");
    // Status: the crash-looping orders pod and the failed export pod are not ready.
    let shop = c["namespaces"]
        .as_array()
        .expect("namespaces")
        .iter()
        .find(|n| n["name"] == "shop")
        .expect("shop");
    assert_eq!(
        (shop["pods_ready"].as_u64(), shop["pods_total"].as_u64()),
        (Some(5), Some(6))
    );
    assert_eq!(shop["not_ready"][0]["status"], "CrashLoopBackOff");
    // Issues: the stuck rollout of orders, caused by the crash.
    let issues = c["issues"].as_array().expect("issues");
    let orders = issues
        .iter()
        .find(|i| i["subject"]["name"] == "orders")
        .expect("orders");
    assert_eq!(orders["severity"], "critical");
    // Deployments: orders revision 2 failed; web revision 4 succeeded, 3 was superseded.
    let outcome = |name: &str, rev: u64| {
        c["deployments"]
            .as_array()
            .expect("deployments")
            .iter()
            .find(|d| d["workload"]["name"] == name && d["revision"] == rev)
            .map(|d| d["outcome"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(outcome("orders", 2).as_deref(), Some("failed"));
    assert_eq!(outcome("web", 4).as_deref(), Some("succeeded"));
    assert_eq!(outcome("web", 3).as_deref(), Some("superseded"));
    assert_eq!(
        outcome("orders", 1),
        None,
        "revision 1 is older than the window"
    );
    let web4 = c["deployments"]
        .as_array()
        .expect("deployments")
        .iter()
        .find(|d| d["revision"] == 4)
        .expect("web 4");
    assert_eq!(web4["changes"][0]["to"], "registry.acme.io/shop/web:2.4.1");
    // Resources: requests against allocatable always; usage needs metrics.k8s.io.
    let node_a = &c["resources"]["nodes"][0];
    assert_eq!(node_a["name"], "node-a");
    assert_eq!(node_a["allocatable"]["cpu_millicores"], 3920);
    // web ×2 (500m) on node-a; orders and checkout request nothing.
    assert_eq!(node_a["requests"]["cpu_millicores"], 1000);
    assert!(node_a.get("usage").is_none());
    assert!(
        c["resources"]["notes"][0]
            .as_str()
            .expect("note")
            .contains("metrics")
    );
    // Recommendations, each with its arithmetic.
    let kinds: Vec<&str> = c["recommendations"]
        .as_array()
        .expect("recommendations")
        .iter()
        .map(|r| r["kind"].as_str().expect("kind"))
        .collect();
    for kind in [
        "missing-limits",
        "missing-probes",
        "stale-namespace",
        "finished-jobs",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let jobs = c["recommendations"]
        .as_array()
        .expect("recommendations")
        .iter()
        .find(|r| r["kind"] == "finished-jobs")
        .expect("finished-jobs");
    assert!(
        jobs["arithmetic"]
            .as_str()
            .expect("arithmetic")
            .contains("7 finished (6 complete, 1 failed)"),
        "{jobs}"
    );
    assert_eq!(v["ci"]["available"], false);
    assert!(
        v["ci"]["note"]
            .as_str()
            .expect("note")
            .starts_with("no CI data")
    );
}

#[test]
fn secrets_in_log_lines_are_redacted_unless_the_report_stays_here() {
    let md = report(&[], &prod());
    assert!(!md.contains("Sup3rS3cret!"), "{md}");
    assert!(md.contains("<redacted:password#"), "{md}");
    let raw = report(&["--no-sanitize"], &prod());
    assert!(raw.contains("Sup3rS3cret!"));
}

#[test]
fn previous_report_says_what_is_new_and_what_was_resolved() {
    let previous = root().join("tests/data/report/previous.json");
    let v: Value = serde_json::from_str(&report(
        &[
            "--format",
            "json",
            "--previous",
            previous.to_str().expect("utf8"),
        ],
        &prod(),
    ))
    .expect("json");
    let d = &v["since_previous"];
    assert_eq!(d["previous_score"], 92);
    assert_eq!(d["ongoing"], 1, "the orders rollout was there yesterday");
    let names = |key: &str| -> Vec<String> {
        d[key]
            .as_array()
            .expect(key)
            .iter()
            .map(|i| {
                format!(
                    "{} {}",
                    i["category"].as_str().unwrap_or(""),
                    i["subject"]["name"].as_str().unwrap_or("")
                )
            })
            .collect()
    };
    assert_eq!(names("resolved"), ["oom-killed web"]);
    assert_eq!(names("new"), ["job-failed report-export-20261120"]);
    let md = report(&["--previous", previous.to_str().expect("utf8")], &prod());
    assert!(
        md.contains("## Since the previous report (2026-11-22 09:20 UTC, score 92 → "),
        "{md}"
    );
}

#[test]
fn html_is_one_self_contained_page_for_a_phone() {
    let page = report(&["--format", "html"], &prod());
    let doc = Html::parse_document(&page);
    let sel = |s: &str| Selector::parse(s).expect("selector");
    assert!(page.starts_with("<!doctype html>"));
    let viewport = doc
        .select(&sel(r#"meta[name="viewport"]"#))
        .next()
        .expect("viewport");
    assert!(
        viewport
            .attr("content")
            .expect("content")
            .contains("width=device-width")
    );
    let csp = doc
        .select(&sel(r#"meta[http-equiv="Content-Security-Policy"]"#))
        .next()
        .expect("CSP");
    assert!(
        csp.attr("content")
            .expect("content")
            .starts_with("default-src 'none'")
    );
    // Nothing that would make a request: no scripts, stylesheets, images, frames or fonts.
    for tag in [
        "script", "link", "img", "iframe", "object", "embed", "video", "audio", "source",
    ] {
        assert_eq!(doc.select(&sel(tag)).count(), 0, "<{tag}> in the page");
    }
    let external: Vec<String> = doc
        .select(&sel("[src], [srcset], [style*='url(']"))
        .map(|el| el.html())
        .collect();
    assert!(external.is_empty(), "external references: {external:#?}");
    for a in doc.select(&sel("a[href]")) {
        let href = a.attr("href").expect("href");
        assert!(
            href.starts_with('#') || href.starts_with("https://"),
            "{href}"
        );
    }
    assert!(!page.contains("Sup3rS3cret!"));
    // The two charts: one bar per namespace with pods, labelled with the numbers.
    let restarts = doc
        .select(&sel("svg#restarts"))
        .next()
        .expect("restarts chart");
    let ready = doc.select(&sel("svg#ready")).next().expect("ready chart");
    let labels = |svg: scraper::ElementRef<'_>| -> Vec<String> {
        svg.select(&sel("text.label"))
            .map(|t| t.text().collect())
            .collect()
    };
    let namespaces = ["batch", "feature-checkout-redesign", "kube-system", "shop"];
    assert_eq!(labels(restarts).len(), namespaces.len());
    assert_eq!(labels(ready).len(), namespaces.len());
    let values: Vec<String> = ready
        .select(&sel("text.value"))
        .map(|t| t.text().collect())
        .collect();
    assert_eq!(values, ["0/1", "1/1", "1/1", "5/6"]);
    let shop_restarts: Vec<String> = restarts
        .select(&sel("text.value"))
        .map(|t| t.text().collect())
        .collect();
    assert_eq!(shop_restarts.last().map(String::as_str), Some("14"));
    // Every section of the report is there.
    for id in ["summary", "charts", "ci"] {
        assert!(
            doc.select(&sel(&format!("section#{id}"))).next().is_some(),
            "{id}"
        );
    }
    let headings: Vec<String> = doc.select(&sel("h3")).map(|h| h.text().collect()).collect();
    for h in [
        "Status per namespace",
        "Issues in the window",
        "Deployments in the window",
        "Resource use",
        "Recommendations",
    ] {
        assert!(
            headings.iter().any(|x| x.starts_with(h)),
            "{h} in {headings:?}"
        );
    }
    let title: String = doc
        .select(&sel("title"))
        .next()
        .expect("title")
        .text()
        .collect();
    assert!(
        title.starts_with("k8sops daily report — B (87/100)"),
        "{title}"
    );
}

#[test]
fn the_output_file_picks_the_format_and_bad_input_names_the_flag() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (file, starts) in [
        ("r.json", "{"),
        ("r.html", "<!doctype html>"),
        ("r.md", "# k8sops daily report"),
    ] {
        let path = dir.path().join(file);
        let (code, stdout, stderr) = run(&["-o", path.to_str().expect("utf8")], &prod());
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.is_empty(), "the report goes to the file");
        let written = std::fs::read_to_string(&path).expect("written");
        assert!(written.starts_with(starts), "{file}: {}", &written[..40]);
    }

    let missing = dir.path().join("nope.json");
    let (code, _, stderr) = run(&["--previous", missing.to_str().expect("utf8")], &prod());
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: --previous: ") && stderr.contains("no such file"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: "), "{stderr}");

    let not_a_report = example("oom-killed/expected.json");
    let (code, _, stderr) = run(
        &["--previous", not_a_report.to_str().expect("utf8")],
        &prod(),
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("not a k8sops daily report"), "{stderr}");

    let (code, _, stderr) = run(&["-o", "/nonexistent/dir/report.md"], &prod());
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: -o: cannot write /nonexistent/dir/report.md"),
        "{stderr}"
    );

    let (code, _, stderr) = run(&["--since", "2 weeks"], &prod());
    assert_eq!(code, 2, "{stderr}");

    let (code, _, stderr) = run(&["--context", "a", "--context", "b"], &prod());
    assert_eq!(code, 2);
    assert!(stderr.starts_with("error: --context: "), "{stderr}");
}

#[test]
fn exit_code_flags_issues_and_a_window_narrows_them() {
    let (code, _, _) = run(&["--exit-code"], &prod());
    assert_eq!(code, 1);
    let (code, stdout, _) = run(&["--exit-code", "-n", "kube-system"], &prod());
    assert_eq!(code, 0, "{stdout}");
    // Two hours back, web revision 3 (yesterday) is outside the window; 4 and orders 2 are in.
    let v: Value = serde_json::from_str(&report(&["--since", "2h", "--format", "json"], &prod()))
        .expect("json");
    let revisions: Vec<u64> = v["clusters"][0]["deployments"]
        .as_array()
        .expect("deployments")
        .iter()
        .filter_map(|d| d["revision"].as_u64())
        .collect();
    assert_eq!(revisions, [2, 4]);
}
