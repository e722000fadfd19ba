//! Properties of the sanitizer over the corpus in `tests/data/sanitize/`:
//! - any corpus secret, embedded in random log, JSON, YAML or env surroundings, is removed;
//! - sanitizing is idempotent and keeps the number of lines, on any input;
//! - any mix of look-alike lines comes out unchanged.

use std::path::PathBuf;
use std::sync::LazyLock;

use k8sops::sanitize::{SanitizeConfig, Sanitizer};
use proptest::prelude::*;
use proptest::sample::select;

fn data(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/sanitize")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

static SANITIZER: LazyLock<Sanitizer> = LazyLock::new(|| {
    Sanitizer::with_key(&SanitizeConfig::default(), &[5; 64]).expect("rules compile")
});

/// Families whose secrets are recognisable on their own, wherever they appear.
const STANDALONE: &[&str] = &[
    "aws-access-key-id",
    "aws-session-token",
    "github",
    "gitlab",
    "slack-token",
    "stripe",
    "openai",
    "anthropic",
    "huggingface",
    "sendgrid",
    "npm",
    "vault",
    "google-api-key",
    "jwt",
    "email",
    "ipv4",
    "ipv6",
    "base64",
];

/// How a secret of a context-dependent family is written; `{}` is the secret.
fn contexts(family: &str) -> &'static [&'static str] {
    match family {
        "aws-secret-key" => &[
            "aws_secret_access_key = {}",
            "\"SecretAccessKey\": \"{}\"",
            "AWS_SECRET_ACCESS_KEY={}",
        ],
        "slack-webhook" => &["https://hooks.slack.com/services/{}"],
        "azure" => &["AccountName=acme;AccountKey={};EndpointSuffix=core.windows.net"],
        "azure-sas" => &["https://acme.blob.core.windows.net/b/x?sv=2022-11-02&sp=r&sig={}"],
        "bootstrap-token" => &[
            "kubeadm join 10.0.0.1:6443 --token {}",
            "bootstrap token: {}",
        ],
        "docker-auth" => &["{\"auths\":{\"ghcr.io\":{\"auth\":\"{}\"}}}"],
        "basic" => &["Authorization: Basic {}"],
        "bearer" => &["Authorization: Bearer {}", "authorization=\"Bearer {}\""],
        _ => &[
            "DB_PASSWORD={}",
            "export API_TOKEN=\"{}\"",
            "{\"password\":\"{}\"}",
            "client_secret: {}",
            "--password={}",
            "--token {}",
            "postgres://app:{}@pg:5432/orders",
            "  - name: SMTP_PASSWORD\n    value: \"{}\"",
        ],
    }
}

/// `(secret, ways to write it)` for every secret of the positive corpus.
static SECRETS: LazyLock<Vec<(String, Vec<String>)>> = LazyLock::new(|| {
    let mut out = Vec::new();
    for row in data("positives.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
    {
        let mut cols = row.splitn(3, '\t');
        let (Some(family), Some(secrets)) = (cols.next(), cols.next()) else {
            continue;
        };
        if matches!(family, "mixed" | "private-key") {
            continue;
        }
        for secret in secrets.split("|||") {
            let forms: Vec<String> = if STANDALONE.contains(&family) {
                [
                    "{}",
                    "{\"value\":\"{}\"}",
                    "  annotation: {}",
                    "VALUE={}",
                    "[{}]",
                ]
                .iter()
                .map(|t| t.replace("{}", secret))
                .collect()
            } else {
                contexts(family)
                    .iter()
                    .map(|t| t.replace("{}", secret))
                    .collect()
            };
            out.push((secret.to_owned(), forms));
        }
    }
    out
});

static NEGATIVES: LazyLock<Vec<String>> =
    LazyLock::new(|| data("negatives.txt").lines().map(str::to_owned).collect());

static WORDS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut w: Vec<String> = NEGATIVES
        .iter()
        .flat_map(|l| l.split_whitespace().map(str::to_owned))
        .collect();
    w.sort();
    w.dedup();
    w
});

/// Random log, JSON, YAML or env text around `inner`.
fn surround(kind: u8, before: &[String], inner: &str, after: &[String]) -> String {
    let (b, a) = (before.join(" "), after.join(" "));
    match kind {
        0 => format!("2026-11-23T18:45:32.123Z INFO {b} {inner} {a}"),
        1 => format!(
            "{{\"ts\":\"2026-11-23T18:45:32Z\",\"msg\":{},\"detail\":\"{inner}\"}}",
            serde_json::json!(b)
        ),
        2 => format!(
            "metadata:\n  name: web\n  note: {b}\nspec:\n  config: |\n    {inner}\n  extra: {a}\n"
        ),
        3 => format!(
            "LOG_LEVEL=info\n{inner}\nHOSTNAME={}\n",
            a.replace(' ', "_")
        ),
        _ => format!("{b}\n{inner}\n{a}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(512), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn embedded_corpus_secret_is_removed(
        entry in select(SECRETS.as_slice()),
        form in any::<prop::sample::Index>(),
        kind in 0u8..5,
        before in prop::collection::vec(select(WORDS.as_slice()), 0..6),
        after in prop::collection::vec(select(WORDS.as_slice()), 0..6),
    ) {
        let (secret, forms) = entry;
        let inner = form.get(&forms);
        let text = surround(kind, &before, inner, &after);
        let out = SANITIZER.sanitize(&text).expect("sanitize").into_string();
        prop_assert!(!out.contains(secret.as_str()), "secret kept:\n{}\n=>\n{}", text, out);
        prop_assert_eq!(out.matches('\n').count(), text.matches('\n').count());
    }

    #[test]
    fn sanitize_is_idempotent_on_corpus_mixes(
        lines in prop::collection::vec(prop_oneof![
            select(NEGATIVES.as_slice()),
            select(SECRETS.as_slice()).prop_map(|(_, forms)| forms[0].clone()),
        ], 1..12),
    ) {
        let text = lines.join("\n");
        let once = SANITIZER.sanitize(&text).expect("sanitize").into_string();
        let twice = SANITIZER.sanitize(&once).expect("sanitize").into_string();
        prop_assert_eq!(&twice, &once);
        prop_assert_eq!(once.matches('\n').count(), text.matches('\n').count());
    }

    #[test]
    fn sanitize_is_idempotent_and_keeps_lines_on_any_text(text in "(?s).{0,400}") {
        let once = SANITIZER.sanitize(&text).expect("sanitize").into_string();
        let twice = SANITIZER.sanitize(&once).expect("sanitize").into_string();
        prop_assert_eq!(&twice, &once);
        prop_assert_eq!(once.matches('\n').count(), text.matches('\n').count());
    }

    #[test]
    fn sanitize_is_idempotent_on_secretish_noise(
        parts in prop::collection::vec(prop_oneof![
            Just("password=".to_owned()), Just("token: ".to_owned()), Just("Bearer ".to_owned()),
            Just("://u:".to_owned()), Just("@".to_owned()), Just("-----BEGIN PRIVATE KEY-----".to_owned()),
            Just("\\n".to_owned()), Just("\n".to_owned()), Just("eyJ".to_owned()), Just(".".to_owned()),
            Just("\"".to_owned()), Just("<redacted:".to_owned()), Just("::".to_owned()),
            "[A-Za-z0-9+/=_-]{1,40}", "[ :=,;'{}]{1,3}",
        ], 0..30),
    ) {
        let text = parts.concat();
        let once = SANITIZER.sanitize(&text).expect("sanitize").into_string();
        let twice = SANITIZER.sanitize(&once).expect("sanitize").into_string();
        prop_assert_eq!(&twice, &once, "input: {:?}", text);
        prop_assert_eq!(once.matches('\n').count(), text.matches('\n').count());
    }

    #[test]
    fn look_alike_mixes_are_unchanged(lines in prop::collection::vec(select(NEGATIVES.as_slice()), 1..20)) {
        let text = lines.join("\n");
        let out = SANITIZER.sanitize(&text).expect("sanitize");
        prop_assert_eq!(out.text.as_ref(), text.as_str());
    }
}
