//! The rule table: what each secret family looks like and which keywords gate it.
//!
//! Every rule names the literals that must occur near a match (its keywords). The engine
//! finds all keywords in one Aho-Corasick pass (ASCII case-insensitive) and runs a rule only
//! in a window around its keyword hits, so the cost of a clean line is the keyword scan.
//! Rules are listed in priority order: when two spans start at the same byte, the earlier
//! rule names the placeholder.

use base64::Engine as _;
use regex::Regex;

use super::SanitizeError;

/// How a rule finds spans once its keywords are present.
pub(crate) enum Matcher {
    /// A regex run over the window; the secret is the first participating group whose name
    /// is `s`, `secret` or starts with `s_`, else the whole match.
    Regex {
        re: Regex,
        secret_groups: Vec<usize>,
        check: Check,
    },
    /// PEM private key: header, then the body (multi-line, `\n`-escaped or unterminated).
    Pem,
    /// Base64 runs that decode to text holding a secret.
    Base64,
    /// YAML env pair spread over two lines: `- name: DB_PASSWORD` / `value: hunter2`.
    YamlEnvPair,
}

/// Post-match validation and kind selection of a regex rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Check {
    /// Accept every match.
    None,
    /// The `key` group must name a secret (see `names::secret_kind`), which picks the kind.
    SecretName,
    /// Like `SecretName`, and the value must not look like another flag (`--x`).
    Flag,
    /// E-mail address: not URL userinfo, not `file@2x.png`, not `git@host`.
    Email,
    /// Opaque credential after a scheme word: has a digit or is long.
    Opaque,
    /// `Authorization:` header; the `scheme` group picks `bearer`/`basic`/`authorization`.
    Authorization,
    /// `Basic xxx`: must decode to `user:password`.
    BasicCreds,
    /// A token with no telling name: kept unless it reads as random key material
    /// (`values::looks_random`).
    Random,
}

/// One rule of the table.
pub(crate) struct Rule {
    /// Placeholder kind and report key.
    pub(crate) kind: String,
    /// Literals gating the rule; empty means "run over the whole input".
    pub(crate) keywords: Vec<String>,
    pub(crate) matcher: Matcher,
    /// Rules for PII, skipped inside decoded base64 and when the config turns them off.
    pub(crate) pii: bool,
    /// The keyword must sit inside a name that says secret (`DB_PASSWORD`, `--api-key`):
    /// the engine checks that name before running the rule, so `cache key computed` or
    /// `token bucket` cost nothing beyond the keyword scan.
    pub(crate) key_gated: bool,
}

/// Keywords of the generic "key says secret" rules.
const SECRET_WORDS: &[&str] = &[
    "pass",
    "pwd",
    "secret",
    "token",
    "credential",
    "creds",
    "key",
    "auth",
    "dsn",
];

impl Rule {
    fn regex(
        kind: &str,
        keywords: &[&str],
        pattern: &str,
        check: Check,
    ) -> Result<Self, SanitizeError> {
        let re = Regex::new(pattern).map_err(|e| SanitizeError::InvalidRule {
            name: kind.to_owned(),
            reason: super::one_line(&e),
        })?;
        let secret_groups = re
            .capture_names()
            .enumerate()
            .filter_map(|(i, n)| {
                n.filter(|n| *n == "s" || *n == "secret" || n.starts_with("s_"))
                    .map(|_| i)
            })
            .collect();
        Ok(Self {
            kind: kind.to_owned(),
            keywords: keywords.iter().map(|k| (*k).to_owned()).collect(),
            matcher: Matcher::Regex {
                re,
                secret_groups,
                check,
            },
            pii: false,
            key_gated: matches!(check, Check::SecretName | Check::Flag),
        })
    }

    fn custom(kind: &str, keywords: Vec<String>, matcher: Matcher) -> Self {
        let key_gated = matches!(matcher, Matcher::YamlEnvPair);
        Self {
            kind: kind.to_owned(),
            keywords,
            matcher,
            pii: false,
            key_gated,
        }
    }

    fn pii(mut self) -> Self {
        self.pii = true;
        self
    }

    /// A user rule from the config file.
    pub(crate) fn user(
        name: &str,
        pattern: &str,
        keywords: &[String],
    ) -> Result<Self, SanitizeError> {
        let valid_name = !name.is_empty()
            && name.len() <= 40
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !valid_name {
            return Err(SanitizeError::InvalidRule {
                name: name.to_owned(),
                reason: "name must be 1-40 characters of a-z, 0-9, '-' or '_'".to_owned(),
            });
        }
        let kws: Vec<&str> = keywords
            .iter()
            .map(String::as_str)
            .filter(|k| !k.is_empty())
            .collect();
        Self::regex(name, &kws, pattern, Check::None)
    }
}

/// Where values and arguments are written: env dumps and pod specs (`env`, `value:`,
/// `export`, `-e`), command lines (`--`, `args`, `command`), cloud credentials (`aws`), and
/// the secret words themselves (`using key …`).
const HIGH_ENTROPY_CONTEXT: &[&str] = &[
    "env",
    "export",
    "value",
    "--",
    "-e ",
    "args",
    "command",
    "aws",
    "pass",
    "pwd",
    "secret",
    "token",
    "credential",
    "creds",
    "key",
    "auth",
];

/// Secret prefixes whose base64 encodings gate the base64 rule.
const BASE64_PREFIXES: &[&str] = &[
    "AKIA",
    "ASIA",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "hooks.slack.com",
    "sk_live_",
    "rk_live_",
    "sk_test_",
    "sk-proj-",
    "sk-ant-",
    "hf_",
    "SG.",
    "npm_",
    "hvs.",
    "hvb.",
    "AIza",
    "AccountKey=",
    "PRIVATE KEY",
    "://",
    "postgres",
    "mysql",
    "mongodb",
    "redis",
    "amqp",
    "https://",
    "http://",
    "password",
    "Password",
    "PASSWORD",
    "passwd",
    "token",
    "Token",
    "TOKEN",
    "secret",
    "Secret",
    "SECRET",
    "\"auth\"",
    "Bearer",
    "eyJ",
];

/// Substrings of the base64 encoding of `prefix` that do not depend on the bytes around it,
/// for each of the three alignments it can have inside the encoded text.
fn base64_keywords(prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let len = prefix.len();
    for k in 0..3 {
        let mut buf = vec![0u8; k];
        buf.extend_from_slice(prefix.as_bytes());
        let enc = base64::engine::general_purpose::STANDARD.encode(&buf);
        // Character i carries bits [6i, 6i+6); the prefix occupies bits [8k, 8(k+len)).
        let lo = (8 * k).div_ceil(6);
        let hi = 8 * (k + len) / 6;
        if hi >= lo + 4
            && let Some(stable) = enc.get(lo..hi)
        {
            out.push(stable.to_owned());
            let url_safe = stable.replace('+', "-").replace('/', "_");
            if url_safe != stable {
                out.push(url_safe);
            }
        }
    }
    out
}

/// The built-in rules, in priority order.
pub(crate) fn builtin() -> Result<Vec<Rule>, SanitizeError> {
    use Check as C;
    let sw = SECRET_WORDS;
    let mut rules = vec![
        Rule::custom(
            "private-key",
            vec!["PRIVATE KEY-----".into(), "PRIVATE KEY BLOCK-----".into()],
            Matcher::Pem,
        ),
        Rule::regex(
            "aws-access-key-id",
            &["AKIA", "ASIA", "ABIA", "ACCA"],
            r"(?-u:\b)(?P<s>(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})(?-u:\b)",
            C::None,
        )?,
        Rule::regex(
            "aws-secret-key",
            &["secret_access_key", "secretaccesskey", "secret-access-key", "aws_secret", "aws-secret"],
            r#"(?i:aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key|aws-secret-access-key|aws-secret-key)\\?["']?\s*(?:[:=]|=>)?\s*\\?["']?(?P<s>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#,
            C::None,
        )?,
        Rule::regex(
            "aws-session-token",
            &["session_token", "sessiontoken", "session-token", "security_token", "securitytoken", "security-token"],
            r#"(?i:aws_?session_?token|x-amz-security-token|security_?token|session_?token|aws-session-token)\\?["']?\s*(?:[:=]|=>)?\s*\\?["']?(?P<s>[A-Za-z0-9/+=%]{80,})"#,
            C::None,
        )?,
        Rule::regex(
            "aws-session-token",
            &["IQoJb3JpZ2lu", "FwoGZXIvYXdz"],
            r"(?P<s>(?:IQoJb3JpZ2lu|FwoGZXIvYXdz)[A-Za-z0-9/+=%]{60,})",
            C::None,
        )?,
        Rule::regex(
            "github-token",
            &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
            r"(?-u:\b)(?P<s>gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?-u:\b)",
            C::None,
        )?,
        Rule::regex(
            "gitlab-token",
            &["glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "glft-", "glimt-", "glagent-", "glsoat-", "gloas-"],
            r"(?-u:\b)(?P<s>gl(?:pat|dt|rt|ptt|cbt|ft|imt|agent|soat|oas)-[A-Za-z0-9_-]{20,})",
            C::None,
        )?,
        Rule::regex(
            "slack-token",
            &["xox", "xapp-"],
            r"(?-u:\b)(?P<s>xox[abposre](?:\.[a-z0-9]+)?-[A-Za-z0-9-]{10,}|xapp-[0-9]-[A-Za-z0-9-]{10,})",
            C::None,
        )?,
        Rule::regex(
            "slack-webhook",
            &["hooks.slack.com"],
            r"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<s>[A-Za-z0-9_/-]{16,})",
            C::None,
        )?,
        Rule::regex(
            "stripe-key",
            &["sk_live_", "rk_live_", "sk_test_", "rk_test_", "whsec_"],
            r"(?-u:\b)(?P<s>(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9+/=]{24,})",
            C::None,
        )?,
        Rule::regex(
            "anthropic-key",
            &["sk-ant-"],
            r"(?-u:\b)(?P<s>sk-ant-[A-Za-z0-9_-]{32,})",
            C::None,
        )?,
        Rule::regex(
            "openai-key",
            &["sk-"],
            r"(?-u:\b)(?P<s>sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}|sk-[A-Za-z0-9]{32,})",
            C::None,
        )?,
        Rule::regex(
            "huggingface-token",
            &["hf_", "api_org_"],
            r"(?-u:\b)(?P<s>(?:hf_|api_org_)[A-Za-z0-9]{30,})(?-u:\b)",
            C::None,
        )?,
        Rule::regex(
            "sendgrid-key",
            &["SG."],
            r"(?-u:\b)(?P<s>SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64})",
            C::None,
        )?,
        Rule::regex("npm-token", &["npm_"], r"(?-u:\b)(?P<s>npm_[A-Za-z0-9]{36})(?-u:\b)", C::None)?,
        Rule::regex(
            "vault-token",
            &["hvs.", "hvb.", "hvr."],
            r"(?-u:\b)(?P<s>hv[sbr]\.[A-Za-z0-9_-]{20,})",
            C::None,
        )?,
        Rule::regex("google-api-key", &["AIza"], r"(?-u:\b)(?P<s>AIza[0-9A-Za-z_-]{35})", C::None)?,
        Rule::regex(
            "google-oauth",
            &["ya29.", "GOCSPX-", "1//0"],
            r"(?P<s>ya29\.[0-9A-Za-z_-]{20,}|GOCSPX-[0-9A-Za-z_-]{20,}|1//0[0-9A-Za-z_-]{30,})",
            C::None,
        )?,
        Rule::regex(
            "azure-key",
            &["accountkey", "sharedaccesskey", "sharedsecretvalue"],
            r"(?i:AccountKey|SharedAccessKey|SharedSecretValue)\s*=\s*(?P<s>[A-Za-z0-9+/%]{16,}={0,2})",
            C::None,
        )?,
        Rule::regex(
            "azure-sas",
            &["sig="],
            r"[?&;]sig=(?P<s>[A-Za-z0-9%+/_-]{16,}(?:%3[dD]|=){0,2})",
            C::None,
        )?,
        Rule::regex(
            "jwt",
            &["eyJ"],
            r"(?-u:\b)(?P<s>eyJ[A-Za-z0-9_-]{6,}\.eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*)",
            C::None,
        )?,
        Rule::regex(
            "bootstrap-token",
            &["token", "bootstrap", "kubeadm"],
            r"(?-u:\b)(?P<s>[a-z0-9]{6}\.[a-z0-9]{16})(?-u:\b)",
            C::None,
        )?,
        Rule::regex(
            "password",
            &["://"],
            r#"(?i:[a-z][a-z0-9+.-]*)://(?P<u>[^:@/\s"'<>]*):(?P<s>[^/\s"'<>]+)@"#,
            C::None,
        )?,
        Rule::regex(
            "password",
            &["@tcp(", "@unix("],
            r#"(?P<u>[A-Za-z0-9_.-]+):(?P<s>[^/\s"'<>]+)@(?:tcp|unix)\("#,
            C::None,
        )?,
        Rule::regex(
            "authorization",
            &["authorization"],
            r#"(?i:(?:proxy-)?authorization)\\?["']?\s*[:=]\s*\\?["']?(?:(?P<scheme>(?i:bearer|basic|token|digest|negotiate|ntlm|apikey|api-key|splunk|ssws|key|oauth|hawk))\s+)?(?P<s>[^\s"'\\,]{6,})"#,
            C::Authorization,
        )?,
        Rule::regex("bearer", &["bearer"], r"(?i:bearer)\s+(?P<s>[A-Za-z0-9._~+/=-]{8,})", C::Opaque)?,
        Rule::regex(
            "basic",
            &["basic"],
            r"(?i:basic)\s+(?P<s>[A-Za-z0-9+/]{6,}={0,2})(?:[^A-Za-z0-9+/=]|$)",
            C::BasicCreds,
        )?,
        Rule::regex(
            "secret",
            sw,
            r#"(?:^|[\s"'\[,(])--?(?P<key>[A-Za-z][A-Za-z0-9_-]*)(?:=|[ \t]+)(?:"(?P<s_dq>[^"]*)"|'(?P<s_sq>[^']*)'|(?P<s_bare>[^\s"']+))"#,
            C::Flag,
        )?,
        Rule::regex(
            "password",
            &["mysql"],
            r#"(?:^|[\s;&|(])mysql(?:dump|admin|sh)?\s(?:[^\n|;&]*?\s)??-p(?:"(?P<s_dq>[^"]+)"|'(?P<s_sq>[^']+)'|(?P<s_bare>[^\s"'-][^\s"']*))"#,
            C::None,
        )?,
        Rule::regex(
            "password",
            &["sshpass", "login", "redis-cli"],
            r#"(?:^|[\s;&|(])(?:(?:sshpass|(?:docker|podman|nerdctl|buildah|skopeo|helm\s+registry)\s+login)\s(?:[^\n|;&]*?\s)??-p|redis-cli\s(?:[^\n|;&]*?\s)??-a)\s*(?:"(?P<s_dq>[^"]+)"|'(?P<s_sq>[^']+)'|(?P<s_bare>[^\s"'-][^\s"']*))"#,
            C::None,
        )?,
        Rule::regex(
            "password",
            &["curl", "wget"],
            r#"(?:^|[\s;&|(])(?:curl|wget)\s(?:[^\n|;&]*?\s)??(?:(?:-u|--user)[\s=]*["']?[^:\s"']*:|--(?:http-)?password[\s=]+["']?)(?P<s>[^\s"']+)"#,
            C::None,
        )?,
        Rule::regex(
            "password",
            &["password", "identified by"],
            r"(?i:with\s+(?:encrypted\s+)?password|identified\s+by|password\s+for\s+\S+\s*=)\s*(?:'(?P<s_sq>[^']+)'|\x22(?P<s_dq>[^\x22]+)\x22)",
            C::None,
        )?,
        Rule::regex(
            "cookie",
            &["cookie"],
            r#"(?i:set-cookie|cookie)\\?["']?\s*:\s*\\?["']?(?P<s>[^"'\\\r\n]{8,})"#,
            C::Opaque,
        )?,
        Rule::regex(
            "docker-auth",
            &["auth"],
            r#"\\?"(?:auth|identitytoken)\\?"\s*:\s*\\?"(?P<s>[A-Za-z0-9+/=_.-]{4,})\\?""#,
            C::None,
        )?,
        Rule::regex(
            "secret",
            sw,
            r#"(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)(?:\\?["'])?(?P<sep>[ \t]*=>?[ \t]*|:[ \t]*)(?:\\"(?P<s_eq>(?:[^"\\]|\\[^"])*)\\"|"(?P<s_dq>(?:[^"\\]|\\.)*)"|'(?P<s_sq>[^']*)'|(?P<s_bare>[^\s"',;&}\])\\]+))"#,
            C::SecretName,
        )?,
        Rule::regex(
            "secret",
            sw,
            r#""(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)"[ \t]+:[ \t]*"(?P<s_dq>(?:[^"\\]|\\.)*)""#,
            C::SecretName,
        )?,
        Rule::regex(
            "secret",
            sw,
            r"<(?P<key>[A-Za-z_][A-Za-z0-9_.:-]*)>(?P<s>[^<\n]{1,256})</",
            C::SecretName,
        )?,
        Rule::regex(
            "secret",
            sw,
            r#""name"\s*:\s*"(?P<key>[^"]+)"\s*,\s*"value"\s*:\s*"(?P<s_dq>(?:[^"\\]|\\.)*)""#,
            C::SecretName,
        )?,
        // `- name: DB_PASSWORD\n        value: "x"`: a manifest printed inside a JSON string or
        // a log line (Argo CD, Helm `--debug`, operators), its newlines escaped.
        Rule::regex(
            "secret",
            sw,
            r#"(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)\\?["']?[ \t]*(?:\\r)?\\n[ \t]*(?:-[ \t]+)?value:[ \t]*(?:\\"(?P<s_eq>(?:[^"\\]|\\[^"])*)\\"|"(?P<s_dq>(?:[^"\\]|\\.)*)"|'(?P<s_sq>[^']*)'|(?P<s_bare>(?:[^\s"'\\]|\\[^n"])+))"#,
            C::SecretName,
        )?,
        // `{\"name\":\"DB_PASSWORD\",\"value\":\"x\"}`: an env entry inside a JSON string.
        Rule::regex(
            "secret",
            sw,
            r#"\\"name\\"\s*:\s*\\"(?P<key>[^"\\]+)\\"\s*,\s*\\"value\\"\s*:\s*\\"(?P<s_eq>(?:[^"\\]|\\[^"])*)\\""#,
            C::SecretName,
        )?,
        Rule::custom("secret", sw.iter().map(|s| (*s).to_owned()).collect(), Matcher::YamlEnvPair),
        Rule::custom(
            "base64",
            BASE64_PREFIXES.iter().flat_map(|p| base64_keywords(p)).collect(),
            Matcher::Base64,
        ),
        // Random key material with no telling name (an AWS secret key in `env X=…`, a token
        // passed as an argument), only where env values and arguments are written.
        Rule::regex(
            "high-entropy",
            HIGH_ENTROPY_CONTEXT,
            r"[A-Za-z0-9+/_.~-]{20,512}={0,2}",
            C::Random,
        )?,
        Rule::regex(
            "email",
            &["@"],
            r"(?P<s>[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24})(?-u:\b)",
            C::Email,
        )?
        .pii(),
    ];
    // Keep the order stable: the engine relies on index = priority.
    rules.shrink_to_fit();
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_compile() {
        let rules = builtin().unwrap();
        assert!(rules.len() > 25);
        assert!(rules.iter().all(|r| !r.keywords.is_empty()));
    }

    #[test]
    fn base64_keywords_cover_every_alignment() {
        let kws = base64_keywords("password");
        for pad in ["", "x", "xy", "abc", "abcd"] {
            let enc = base64::engine::general_purpose::STANDARD.encode(format!("{pad}password=1"));
            assert!(
                kws.iter().any(|k| enc.contains(k.as_str())),
                "{pad:?}: {enc}"
            );
        }
    }
}
