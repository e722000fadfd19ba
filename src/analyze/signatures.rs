//! Known error signatures as data: well-known messages of container runtimes, language
//! runtimes, Kubernetes components, CoreDNS, cloud providers, registries and databases,
//! each with its category, a cause template and the fix. The built-in catalog is
//! `signatures/builtin.toml`, embedded at build time; users add their own files (the command
//! layer reads `<config dir>/signatures/*.toml` and hands them to [`install`]).
//!
//! All patterns compile once into one `RegexSet`, so matching a line costs one pass over it
//! whatever the catalog's size; the first signature (in catalog order, the user's first)
//! that matches a line wins.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::sync::{LazyLock, OnceLock};

use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use serde::Deserialize;

use super::Category;
use crate::model::text::{Budget, clip};

/// The catalog that ships with k8sops.
const BUILTIN: &str = include_str!("../../signatures/builtin.toml");

/// Quoted lines keep at most this many bytes.
const MAX_LINE: usize = 300;

/// Compiled patterns may use this much memory; the built-in set needs a few MB because
/// Unicode classes (`\w`, `\s`) expand.
const SIZE_LIMIT: usize = 64 << 20;

/// One known error message and what it means.
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    pub id: String,
    pub category: Category,
    /// The pattern as a regex: a `match` substring is escaped and made case-insensitive.
    pattern: String,
    pub cause: String,
    pub fix: Vec<String>,
    pub example: Option<String>,
}

/// A file's `[[signature]]` entries as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    signature: Vec<Raw>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    id: toml::Spanned<String>,
    category: String,
    #[serde(rename = "match")]
    substring: Option<String>,
    regex: Option<String>,
    cause: String,
    fix: Vec<String>,
    example: Option<String>,
}

/// What is wrong with a signature file: where, which field, what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureError {
    pub line: usize,
    /// `signature "id"` when the entry is known.
    pub entry: Option<String>,
    pub field: Option<&'static str>,
    pub message: String,
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(entry) = &self.entry {
            write!(f, ", signature \"{entry}\"")?;
        }
        if let Some(field) = self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for SignatureError {}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |t| t.matches('\n').count() + 1)
}

/// A library error message on one line (regex errors draw a caret diagram over several).
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.chars().all(|c| c == '^' || c == '~'))
        .unwrap_or("invalid")
        .trim_start_matches("error: ")
        .to_string()
}

/// `{name}` placeholders of a template (identifiers only, so JSON in a fix is left alone).
fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    static PLACEHOLDER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\{([A-Za-z_][A-Za-z0-9_]*)\}").expect("valid regex"));
    PLACEHOLDER
        .captures_iter(template)
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
}

/// Parses and checks one signature file: every entry names a known category, exactly one
/// of `match`/`regex`, a regex that compiles, templates that use only `{line}` and the
/// regex's named groups, and an example the pattern matches.
pub fn parse(text: &str) -> Result<Vec<Signature>, SignatureError> {
    let file: File = toml::from_str(text).map_err(|e| SignatureError {
        line: e.span().map_or(1, |s| line_of(text, s.start)),
        entry: None,
        field: None,
        message: e.message().trim().to_string(),
    })?;
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(file.signature.len());
    for raw in file.signature {
        let line = line_of(text, raw.id.span().start);
        let id = raw.id.into_inner();
        let err = |field: &'static str, message: String| SignatureError {
            line,
            entry: Some(id.clone()),
            field: Some(field),
            message,
        };
        let valid_id = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid_id {
            return Err(err(
                "id",
                "use lower-case letters, digits and '-' (e.g. \"pg-disk-full\")".into(),
            ));
        }
        if !seen.insert(id.clone()) {
            return Err(err("id", "defined twice in this file".into()));
        }
        let Some(category) = Category::parse(&raw.category) else {
            let known: Vec<&str> = Category::ALL.iter().map(|c| c.id()).collect();
            return Err(err(
                "category",
                format!(
                    "unknown category \"{}\" (one of {})",
                    raw.category,
                    known.join(", ")
                ),
            ));
        };
        let (field, pattern) = match (raw.substring, raw.regex) {
            (Some(s), None) if !s.trim().is_empty() => {
                ("match", format!("(?i){}", regex::escape(&s)))
            }
            (None, Some(r)) if !r.trim().is_empty() => ("regex", r),
            (Some(_), Some(_)) => {
                return Err(err(
                    "regex",
                    "give either `match` or `regex`, not both".into(),
                ));
            }
            _ => {
                return Err(err(
                    "match",
                    "give a non-empty `match` (a substring) or `regex`".into(),
                ));
            }
        };
        let compiled = compile(&pattern).map_err(|e| err(field, one_line(&e.to_string())))?;
        let names: HashSet<&str> = compiled.capture_names().flatten().collect();
        let templates =
            std::iter::once(("cause", &raw.cause)).chain(raw.fix.iter().map(|f| ("fix", f)));
        for (field, template) in templates {
            if let Some(unknown) =
                placeholders(template).find(|p| *p != "line" && !names.contains(p))
            {
                return Err(err(
                    field,
                    format!(
                        "{{{unknown}}} is neither {{line}} nor a named group of the regex (?P<{unknown}>…)"
                    ),
                ));
            }
        }
        if raw.cause.trim().is_empty() {
            return Err(err(
                "cause",
                "say in one sentence what the message means".into(),
            ));
        }
        if raw.fix.iter().all(|f| f.trim().is_empty()) {
            return Err(err("fix", "give at least one step".into()));
        }
        if let Some(example) = &raw.example
            && !compiled.is_match(example)
        {
            return Err(err("example", format!("the {field} does not match it")));
        }
        out.push(Signature {
            id,
            category,
            pattern,
            cause: raw.cause,
            fix: raw.fix,
            example: raw.example,
        });
    }
    Ok(out)
}

fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern).size_limit(SIZE_LIMIT).build()
}

/// Signatures compiled for matching.
#[derive(Debug)]
pub struct Catalog {
    signatures: Vec<Signature>,
    set: RegexSet,
    /// One regex per signature, for its named groups once the set says which one matched.
    regexes: Vec<Regex>,
}

/// A signature that matched a line.
#[derive(Debug, Clone, PartialEq)]
pub struct Match<'a> {
    pub signature: &'a Signature,
    /// The matched line, trimmed and clipped.
    pub line: String,
    groups: BTreeMap<String, String>,
}

impl Match<'_> {
    fn fill(&self, template: &str) -> String {
        let mut out = template.to_string();
        for name in placeholders(template) {
            let value = match name {
                "line" => self.line.as_str(),
                other => self.groups.get(other).map(String::as_str).unwrap_or(""),
            };
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    /// The cause, with the line and the named groups filled in.
    pub fn cause(&self) -> String {
        self.fill(&self.signature.cause)
    }

    pub fn fix(&self) -> Vec<String> {
        self.signature.fix.iter().map(|f| self.fill(f)).collect()
    }
}

impl Catalog {
    /// Compiles signatures; the patterns were checked one by one when parsed, so only the
    /// size of the whole set can fail here.
    pub fn new(signatures: Vec<Signature>) -> Result<Catalog, regex::Error> {
        let set = RegexSetBuilder::new(signatures.iter().map(|s| s.pattern.as_str()))
            .size_limit(SIZE_LIMIT)
            .build()?;
        let regexes = signatures
            .iter()
            .map(|s| compile(&s.pattern))
            .collect::<Result<_, _>>()?;
        Ok(Catalog {
            signatures,
            set,
            regexes,
        })
    }

    /// The catalog that ships with k8sops.
    pub fn builtin() -> Catalog {
        // The embedded file is checked by this module's tests; it cannot be bad input.
        let signatures = parse(BUILTIN).expect("signatures/builtin.toml is valid");
        Catalog::new(signatures).expect("the built-in signatures compile")
    }

    /// The user's signatures first, then the built-in ones they do not replace (same id).
    pub fn with_user(user: Vec<Signature>) -> Result<Catalog, regex::Error> {
        let ids: HashSet<String> = user.iter().map(|s| s.id.clone()).collect();
        let builtin = parse(BUILTIN).expect("signatures/builtin.toml is valid");
        let mut all = user;
        all.extend(builtin.into_iter().filter(|s| !ids.contains(&s.id)));
        Catalog::new(all)
    }

    pub fn signatures(&self) -> &[Signature] {
        &self.signatures
    }

    /// The first signature matching this one line.
    pub fn match_line<'a>(&'a self, line: &str) -> Option<Match<'a>> {
        let i = self.set.matches(line).iter().next()?;
        let signature = &self.signatures[i];
        let groups = self.regexes[i]
            .captures(line)
            .map(|caps| {
                self.regexes[i]
                    .capture_names()
                    .flatten()
                    .filter_map(|n| Some((n.to_string(), caps.name(n)?.as_str().to_string())))
                    .collect()
            })
            .unwrap_or_default();
        Some(Match {
            signature,
            line: clip(line.trim(), Budget::Bytes(MAX_LINE)),
            groups,
        })
    }

    /// The first line (in the order given) that a signature matches.
    pub fn find<'a, 'l>(&'a self, lines: impl IntoIterator<Item = &'l str>) -> Option<Match<'a>> {
        lines
            .into_iter()
            .filter(|l| !l.trim().is_empty())
            .find_map(|l| self.match_line(l))
    }
}

static BUILTIN_CATALOG: LazyLock<Catalog> = LazyLock::new(Catalog::builtin);
static INSTALLED: OnceLock<Catalog> = OnceLock::new();

/// Makes the user's signatures part of every analysis in this process. The command layer
/// calls it once, before analyzing; the analyzers are called from many front-ends (diagnose,
/// watch, report, MCP, the TUI) that all share this one catalog. A second call is ignored.
pub fn install(catalog: Catalog) {
    let _ = INSTALLED.set(catalog);
}

/// The catalog analyzers match against: the installed one, else the built-in one.
pub fn active() -> &'static Catalog {
    INSTALLED.get().unwrap_or(&BUILTIN_CATALOG)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalog_has_at_least_sixty_signatures_with_unique_ids() {
        let catalog = Catalog::builtin();
        assert!(
            catalog.signatures().len() >= 60,
            "{} signatures",
            catalog.signatures().len()
        );
        let ids: HashSet<&str> = catalog.signatures().iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids.len(), catalog.signatures().len());
    }

    #[test]
    fn every_builtin_fixture_is_matched_by_its_own_signature_first() {
        let catalog = Catalog::builtin();
        for s in catalog.signatures() {
            let example = s
                .example
                .as_deref()
                .unwrap_or_else(|| panic!("{} has no example", s.id));
            let m = catalog
                .match_line(example)
                .unwrap_or_else(|| panic!("{}: nothing matches its example", s.id));
            assert_eq!(m.signature.id, s.id, "{example}");
            let cause = m.cause();
            let unfilled = placeholders(&cause).find(|p| !m.line.contains(&format!("{{{p}}}")));
            assert!(unfilled.is_none(), "{}: unfilled template: {cause}", s.id);
            assert!(m.fix().iter().all(|f| !f.trim().is_empty()), "{}", s.id);
        }
    }

    #[test]
    fn named_groups_fill_the_cause_and_the_fix() {
        let catalog = Catalog::builtin();
        let m = catalog
            .match_line("2026-11-20 02:00:03.000 UTC [4100] FATAL:  password authentication failed for user \"backup\"")
            .expect("match");
        assert_eq!(m.signature.id, "postgres-password-authentication-failed");
        assert!(m.cause().contains("user backup"), "{}", m.cause());
        assert!(m.fix()[0].contains("for backup"), "{:?}", m.fix());
    }

    #[test]
    fn substrings_match_whatever_the_case_and_ordinary_lines_match_nothing() {
        let catalog = Catalog::builtin();
        let m = catalog
            .match_line("write /data/wal: No Space Left On Device")
            .expect("match");
        assert_eq!(m.signature.id, "no-space-left-on-device");
        for line in [
            "GET /healthz 200 1.2ms",
            "{\"level\":\"info\",\"msg\":\"listening on :8080\"}",
            "Started Application in 4.2 seconds",
        ] {
            assert!(catalog.match_line(line).is_none(), "{line}");
        }
    }

    #[test]
    fn find_takes_the_first_matching_line() {
        let catalog = Catalog::builtin();
        let log = "starting\nconnecting to db\ndial tcp 10.96.44.12:5432: connect: connection refused\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n";
        let m = catalog.find(log.lines()).expect("match");
        assert_eq!(m.signature.id, "connection-refused");
        assert!(m.cause().contains("10.96.44.12:5432"), "{}", m.cause());
    }

    #[test]
    fn a_user_signature_comes_first_and_replaces_a_builtin_of_the_same_id() {
        let user = parse(
            r#"
[[signature]]
id = "exec-format-error"
category = "crash-loop"
match = "exec format error"
cause = "Our arm64 build job pushed an amd64 image (`{line}`)."
fix = ["Re-run the release pipeline with PLATFORMS=linux/arm64."]

[[signature]]
id = "acme-license-expired"
category = "config-missing"
regex = 'ACME-E(?P<code>\d{4}): license expired'
cause = "The ACME licence has expired (error {code})."
fix = ["Renew the licence in Secret acme-license."]
example = "ACME-E0042: license expired on 2026-11-01"
"#,
        )
        .expect("valid");
        let catalog = Catalog::with_user(user).expect("compiles");
        let m = catalog
            .match_line("exec /app/api: exec format error")
            .expect("match");
        assert!(
            m.cause().starts_with("Our arm64 build job"),
            "{}",
            m.cause()
        );
        assert_eq!(
            catalog
                .signatures()
                .iter()
                .filter(|s| s.id == "exec-format-error")
                .count(),
            1
        );
        let m = catalog
            .match_line("ACME-E0042: license expired on 2026-11-01")
            .expect("match");
        assert_eq!(m.cause(), "The ACME licence has expired (error 0042).");
    }

    fn error_of(text: &str) -> String {
        parse(text).expect_err("invalid").to_string()
    }

    #[test]
    fn a_bad_user_file_names_the_line_the_signature_and_the_field() {
        let head = "[[signature]]\nid = \"x-1\"\ncategory = \"crash-loop\"\n";
        let cases = [
            (
                format!("{head}regex = '(unclosed'\ncause = \"c\"\nfix = [\"f\"]\n"),
                "line 2, signature \"x-1\", field `regex`",
            ),
            (
                "[[signature]]\nid = \"x-1\"\ncategory = \"crashloop\"\nmatch = \"m\"\ncause = \"c\"\nfix = [\"f\"]\n".to_string(),
                "field `category`: unknown category \"crashloop\"",
            ),
            (
                format!("{head}match = \"boom\"\ncause = \"{{host}} failed\"\nfix = [\"f\"]\n"),
                "field `cause`: {host} is neither",
            ),
            (
                format!("{head}match = \"boom\"\ncause = \"c\"\nfix = [\"f\"]\nexample = \"bang\"\n"),
                "field `example`: the match does not match it",
            ),
            (
                format!("{head}cause = \"c\"\nfix = [\"f\"]\n"),
                "field `match`",
            ),
            (
                format!("{head}match = \"m\"\ncuase = \"c\"\nfix = [\"f\"]\n"),
                "unknown field `cuase`",
            ),
        ];
        for (text, expected) in cases {
            let message = error_of(&text);
            assert!(message.contains(expected), "{expected:?} in {message:?}");
            assert!(!message.contains('\n'), "one line: {message:?}");
        }
    }
}
