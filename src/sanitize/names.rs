//! Does a key or variable name say its value is secret?
//!
//! Shared by the text rules (`KEY=value`, JSON/YAML keys, `--flags`) and the structured pass
//! (pod-spec `env[].name`). The *last* word of the name decides, so `DB_PASSWORD`,
//! `dbPassword` and `x-api-key` are secret while `password_file`, `secretName`,
//! `tokenTTL` and `max_tokens` are not.

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

/// The placeholder kind for a value stored under `name`, or `None` when the name does not
/// say secret.
pub(crate) fn secret_kind(name: &str) -> Option<&'static str> {
    let words = words(name);
    let last = words.last()?.as_str();
    let prev = words
        .len()
        .checked_sub(2)
        .and_then(|i| words.get(i))
        .map(String::as_str);
    // Helm's `existingSecret: db-creds` names a Secret object; diagnosis needs that name.
    if words.first().is_some_and(|w| w == "existing") {
        return None;
    }
    match last {
        "password" | "passwd" | "pwd" | "pass" | "passphrase" | "passcode" => {
            return Some("password");
        }
        "token" => return Some("token"),
        "secret" => return Some("secret"),
        "credential" | "credentials" | "creds" => return Some("secret"),
        "apikey" => return Some("api-key"),
        "auth" if matches!(prev, Some("basic" | "proxy" | "http")) => return Some("password"),
        "key" => {
            return match prev {
                Some("api") => Some("api-key"),
                Some("private") => Some("private-key"),
                Some(p) if KEY_QUALIFIERS.contains(&p) => Some("secret"),
                _ => None,
            };
        }
        _ => {}
    }
    COMPOUND_SUFFIXES
        .iter()
        .find(|(suffix, _)| last.len() > suffix.len() && last.ends_with(suffix))
        .map(|&(_, kind)| kind)
}

#[cfg(test)]
mod tests {
    use super::secret_kind;

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
            "AWS_ACCESS_KEY_ID",
            "token_type",
            "passwordSecretRef",
            "keyring",
            "monkey",
            "name",
            "token_url",
            "ssh_key_path",
        ] {
            assert!(secret_kind(n).is_none(), "{n} should not be secret");
        }
    }
}
