//! Does a key or variable name say its value is secret?
//!
//! Shared by the text rules (`KEY=value`, JSON/YAML keys, `--flags`) and the structured pass
//! (pod-spec `env[].name`). A secret noun anywhere in the name counts (`SECRET_1`,
//! `STRIPE_SECRET_LIVE`, `API_KEY_2`, `SENTRY_DSN`, `GOOGLE_CREDENTIALS_JSON`); what follows
//! the noun decides how sure we are:
//! - nothing, a number or a qualifier (`_LIVE`, `_JSON`, `_B64`, `_PROD`) — the name says
//!   secret ([`Says::Secret`]);
//! - a word that describes the secret instead of holding it (`secretName`, `PASSWORD_FILE`,
//!   `TOKEN_URL`, `tokenTTL`, `secretKeyRef`) — not secret;
//! - any other word (`PRIVATE_KEY_ID`, `TOKEN_SCOPE`) — only if the value looks like a
//!   credential too ([`Says::IfValueLooksRandom`]).
//!
//! `existing` before the noun names a Secret object (Helm's `existingSecret`), never a value.

/// What a name says about the value stored under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Says {
    /// The value is a secret of this kind, whatever it looks like.
    Secret(&'static str),
    /// The value is a secret of this kind if it also looks like a credential
    /// (`values::plausible_credential`).
    IfValueLooksRandom(&'static str),
}

impl Says {
    pub(crate) fn kind(self) -> &'static str {
        match self {
            Says::Secret(k) | Says::IfValueLooksRandom(k) => k,
        }
    }
}

/// Splits `name` into lowercase words at `_`, `-`, `.`, spaces and camelCase humps.
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_ascii_uppercase() && !cur.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            // "dbPassword" -> db|password, "APIKey" -> api|key, "API_KEY" stays whole.
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Qualifiers that make a trailing `key` secret (`api_key`, `AccountKey`, `SECRET_KEY` …).
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "secret",
    "private",
    "access",
    "signing",
    "encryption",
    "master",
    "account",
    "client",
    "shared",
    "storage",
    "license",
    "subscription",
    "webhook",
    "hmac",
    "session",
    "ssh",
    "gpg",
    "pgp",
    "root",
    "auth",
    "app",
    "service",
    "admin",
    "write",
    "read",
    "deploy",
    "consumer",
];

/// Compound words that already end in a secret noun (`apikey`, `clientsecret` …).
const COMPOUND_SUFFIXES: &[(&str, &str)] = &[
    ("password", "password"),
    ("passwd", "password"),
    ("passphrase", "password"),
    ("token", "token"),
    ("secret", "secret"),
    ("apikey", "api-key"),
    ("secretkey", "secret"),
    ("privatekey", "private-key"),
    ("accesskey", "secret"),
    ("accountkey", "secret"),
    ("signingkey", "secret"),
    ("encryptionkey", "secret"),
    ("masterkey", "secret"),
];

/// Words after a secret noun that still leave the name saying secret: numbers, versions,
/// stages and encodings (`SECRET_1`, `STRIPE_SECRET_LIVE`, `CREDENTIALS_JSON`).
const TRANSPARENT: &[&str] = &[
    "live",
    "test",
    "prod",
    "production",
    "staging",
    "stage",
    "dev",
    "development",
    "qa",
    "uat",
    "old",
    "new",
    "current",
    "curr",
    "next",
    "prev",
    "previous",
    "primary",
    "secondary",
    "backup",
    "fallback",
    "json",
    "b64",
    "base64",
    "value",
    "val",
    "str",
    "string",
    "raw",
    "hex",
    "plain",
    "plaintext",
    "encoded",
    "data",
    "default",
    "main",
    "ro",
    "rw",
    "readonly",
    "base",
    "enc",
    "encrypted",
    "salt",
    "pepper",
    "bytes",
    "backend",
    "frontend",
    "server",
    "worker",
    "web",
    "mobile",
    "internal",
    "external",
    "public",
    "private",
    "global",
    "local",
    "shared",
    "common",
];

/// Words after a secret noun that say the name is *about* a secret, not one: where it lives
/// or how it behaves (`secretName`, `PASSWORD_FILE`, `TOKEN_URL`, `tokenTTL`, `secretKeyRef`).
const DESCRIBES: &[&str] = &[
    "name",
    "names",
    "ref",
    "refs",
    "reference",
    "file",
    "files",
    "filename",
    "path",
    "paths",
    "dir",
    "directory",
    "url",
    "uri",
    "urls",
    "endpoint",
    "endpoints",
    "host",
    "type",
    "ttl",
    "expiry",
    "expires",
    "expiration",
    "expire",
    "exp",
    "lifetime",
    "duration",
    "timeout",
    "interval",
    "length",
    "len",
    "size",
    "policy",
    "policies",
    "count",
    "limit",
    "min",
    "max",
    "enabled",
    "enable",
    "disabled",
    "disable",
    "required",
    "header",
    "headers",
    "field",
    "mount",
    "volume",
    "source",
    "provider",
    "store",
    "manager",
    "env",
    "var",
    "reset",
    "changed",
    "last",
    "rotation",
    "rotate",
    "version",
    "format",
    "kind",
    "location",
    "template",
    "prefix",
    "suffix",
    "regex",
    "pattern",
    "label",
    "selector",
    "annotation",
    "mode",
    "method",
    "audience",
    "aud",
    "issuer",
    "iss",
    "scope",
    "scopes",
    "generator",
    "namespace",
    "ns",
    "arn",
    "hint",
    "mask",
    "masked",
    "exists",
    "present",
    "valid",
    "validation",
    "retries",
    "retry",
    "cache",
    "lookup",
    "key",
    "keys",
];

/// The kind of secret word `w` (preceded by `prev`) is, if it is one.
fn noun_kind(w: &str, prev: Option<&str>) -> Option<&'static str> {
    match w {
        "password" | "passwd" | "pwd" | "pw" | "pass" | "passphrase" | "passcode" => {
            Some("password")
        }
        "token" => Some("token"),
        "secret" => Some("secret"),
        "credential" | "credentials" | "creds" | "cred" | "dsn" => Some("secret"),
        "apikey" => Some("api-key"),
        "auth" if matches!(prev, Some("basic" | "proxy" | "http")) => Some("password"),
        "key" => match prev {
            Some("api") => Some("api-key"),
            Some("private") => Some("private-key"),
            Some(p) if KEY_QUALIFIERS.contains(&p) => Some("secret"),
            _ => None,
        },
        _ => COMPOUND_SUFFIXES
            .iter()
            .find(|(suffix, _)| w.len() > suffix.len() && w.ends_with(suffix))
            .map(|&(_, kind)| kind),
    }
}

/// A number or a version (`1`, `v2`).
fn is_number(w: &str) -> bool {
    let digits = w.strip_prefix('v').unwrap_or(w);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// What `name` says about its value, or `None` when it does not say secret.
pub(crate) fn name_says(name: &str) -> Option<Says> {
    let words = words(name);
    let mut noun = None;
    for (i, w) in words.iter().enumerate() {
        let prev = i
            .checked_sub(1)
            .and_then(|p| words.get(p))
            .map(String::as_str);
        if let Some(kind) = noun_kind(w, prev) {
            noun = Some((i, kind));
        }
    }
    let (at, kind) = noun?;
    // Helm's `existingSecret: db-creds` names a Secret object; diagnosis needs that name.
    if words[..at].iter().any(|w| w == "existing") {
        return None;
    }
    let after = &words[at + 1..];
    if after
        .iter()
        .all(|w| is_number(w) || TRANSPARENT.contains(&w.as_str()))
    {
        return Some(Says::Secret(kind));
    }
    if after.iter().any(|w| DESCRIBES.contains(&w.as_str())) {
        return None;
    }
    Some(Says::IfValueLooksRandom(kind))
}

/// The placeholder kind when `name` alone says secret, `None` otherwise (including names
/// that say secret only together with a credential-like value).
pub(crate) fn secret_kind(name: &str) -> Option<&'static str> {
    match name_says(name)? {
        Says::Secret(kind) => Some(kind),
        Says::IfValueLooksRandom(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{Says, name_says, secret_kind};

    #[test]
    fn secret_names() {
        for n in [
            "DB_PASSWORD",
            "dbPassword",
            "password",
            "MYSQL_ROOT_PASSWORD",
            "x-api-key",
            "API_KEY",
            "apiKey",
            "AWS_SECRET_ACCESS_KEY",
            "SecretAccessKey",
            "client_secret",
            "GITHUB_TOKEN",
            "accessToken",
            "private_key",
            "AccountKey",
            "REDIS_PASS",
            "rootpassword",
            "X-Auth-Token",
            "PRIVATE-TOKEN",
            "credentials",
            "basic_auth",
            "APIKey",
            "SECRET_1",
            "STRIPE_SECRET_LIVE",
            "API_KEY_2",
            "DB_PASS",
            "SMTP_PWD",
            "SENTRY_DSN",
            "GOOGLE_CREDENTIALS_JSON",
            "jwtSecretV2",
            "SECRET_KEY_BASE",
        ] {
            assert!(secret_kind(n).is_some(), "{n} should be secret");
        }
    }

    #[test]
    fn ordinary_names() {
        for n in [
            "password_file",
            "secretName",
            "tokenTTL",
            "max_tokens",
            "prompt_tokens",
            "key",
            "secretKeyRef",
            "existingSecret",
            "bypass",
            "token_type",
            "passwordSecretRef",
            "keyring",
            "monkey",
            "name",
            "token_url",
            "ssh_key_path",
            "SECRET_NAME",
            "secretRef",
            "PASSWORD_FILE",
            "TOKEN_URL",
            "auth.existingSecret",
            "password_policy",
            "passwordLastChanged",
            "token-ttl",
            "PASSWORD_MIN_LENGTH",
        ] {
            assert!(name_says(n).is_none(), "{n} should not be secret");
        }
    }

    #[test]
    fn names_that_need_a_credential_like_value() {
        for n in [
            "PRIVATE_KEY_ID",
            "api_key_id",
            "AWS_ACCESS_KEY_ID",
            "TOKEN_OWNER",
        ] {
            assert!(
                matches!(name_says(n), Some(Says::IfValueLooksRandom(_))),
                "{n}: {:?}",
                name_says(n)
            );
            assert!(secret_kind(n).is_none());
        }
    }
}
