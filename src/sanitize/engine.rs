//! The engine: keyword gate, span finding, span union and the one-pass rewrite.
//!
//! 1. One Aho-Corasick pass (ASCII case-insensitive) finds every keyword of every rule, and
//!    every existing placeholder.
//! 2. Each hit opens a window on its own line (a little before, up to 8 KiB after); a rule
//!    only runs inside the windows of its own keywords, so rules whose keywords are absent
//!    never run and the cost of the rest is linear in the number of hits.
//! 3. Public IPs, which have no keyword, are the one scan over the whole text.
//! 4. Spans touching an existing placeholder or allowlisted are dropped (idempotence), the
//!    rest are unioned and the output is written in one pass, keeping every newline.

use std::borrow::Cow;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use regex::{Captures, Regex};

use super::entropy::{self, is_token_byte, looks_random};
use super::names::{Says, name_says};
use super::net::IpScanner;
use super::placeholder::{self, Tagger};
use super::rules::{self, Check, Matcher, Rule};
use super::values::{
    NOT_TLDS, is_reference, looks_like_credential, plausible_credential, quoted_key,
    starts_yaml_line, url_with_password, yaml_env_pair, yaml_value_end,
};
use super::{Report, SanitizeConfig, SanitizeError, Sanitized, pem};
use crate::model::text::{ceil_boundary, floor_boundary};

/// Whether the name at `at` ends a URL or an absolute path (`https://auth/oauth/token`,
/// `/api/token`): judged on the whole token before it, not the one byte, so a `/` that a
/// placeholder replaced on an earlier pass decides nothing (a second pass changes nothing).
fn in_url_path(text: &str, at: usize) -> bool {
    let b = text.as_bytes();
    if at == 0 || b.get(at - 1) != Some(&b'/') {
        return false;
    }
    let start = b[..at]
        .iter()
        .rposition(|c| c.is_ascii_whitespace() || matches!(c, b'"' | b'\'' | b'\\' | b'(' | b'['))
        .map_or(0, |i| i + 1);
    let token = &b[start..at];
    token.starts_with(b"/")
        || token
            .windows(4)
            .any(|w| w[0].is_ascii_alphanumeric() && &w[1..] == b"://")
}

/// How far before a keyword a match may start (key names before `password`, schemes …).
const BEFORE: usize = 256;
/// How far after a keyword a match may end (session tokens, JWTs, PEM headers …).
const AFTER: usize = 8192;
/// Nesting of base64 decoding that is followed (docker config in a Secret is two deep).
const MAX_DEPTH: u8 = 2;
/// Marks the keyword that finds existing placeholders.
const PLACEHOLDER_RULE: u16 = u16::MAX;

/// A candidate redaction: byte range, rule priority and placeholder kind.
#[derive(Debug, Clone, Copy)]
struct Span<'r> {
    start: usize,
    end: usize,
    prio: usize,
    kind: &'r str,
}

/// Redacts secrets and PII. Build once per run: it holds the per-run HMAC key (so tags
/// correlate within the run), the compiled rules and the allowlist. `Send + Sync`.
pub struct Sanitizer {
    rules: Vec<Rule>,
    keywords: AhoCorasick,
    /// Pattern id → rules gated by that keyword.
    keyword_rules: Vec<Vec<u16>>,
    /// Rules without keywords, run over the whole input.
    ungated: Vec<usize>,
    ips: Option<IpScanner>,
    emails: bool,
    tagger: Tagger,
    allow: Vec<String>,
    allow_regex: Vec<Regex>,
    base64_run: Regex,
    b64_std: GeneralPurpose,
    b64_url: GeneralPurpose,
}

impl Default for Sanitizer {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Sanitizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sanitizer")
            .field("rules", &self.rules.len())
            .finish_non_exhaustive()
    }
}

impl Sanitizer {
    /// Built-in rules, e-mail and public-IP redaction on, a fresh random HMAC key.
    pub fn new() -> Self {
        // The built-in table is constant and covered by tests; if it ever failed to build,
        // a sanitizer without rules would leak, so refuse loudly instead.
        Self::with_config(&SanitizeConfig::default())
            .unwrap_or_else(|e| panic!("built-in sanitize rules are invalid: {e}"))
    }

    /// Built-in rules plus the user's rules and allowlist.
    pub fn with_config(cfg: &SanitizeConfig) -> Result<Self, SanitizeError> {
        Self::build(cfg, Tagger::random())
    }

    /// Like [`Sanitizer::with_config`] with a fixed HMAC key, for reproducible output
    /// (tests, golden files). Never use a fixed key for data that leaves the machine.
    pub fn with_key(cfg: &SanitizeConfig, key: &[u8; 64]) -> Result<Self, SanitizeError> {
        Self::build(cfg, Tagger::with_key(key))
    }

    fn build(cfg: &SanitizeConfig, tagger: Tagger) -> Result<Self, SanitizeError> {
        let mut rules = rules::builtin()?;
        for r in &cfg.rules {
            rules.push(Rule::user(&r.name, &r.regex, &r.keywords)?);
        }
        if rules.len() >= usize::from(PLACEHOLDER_RULE) {
            return Err(SanitizeError::InvalidRule {
                name: "*".into(),
                reason: "too many rules".into(),
            });
        }
        let mut patterns: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<u16>> = Vec::new();
        let mut ungated = Vec::new();
        let mut add = |kw: &str, rule: u16| {
            let lower = kw.to_ascii_lowercase();
            match patterns.iter().position(|p| *p == lower) {
                Some(i) => {
                    if !keyword_rules[i].contains(&rule) {
                        keyword_rules[i].push(rule);
                    }
                }
                None => {
                    patterns.push(lower);
                    keyword_rules.push(vec![rule]);
                }
            }
        };
        add(placeholder::OPEN, PLACEHOLDER_RULE);
        for (i, rule) in rules.iter().enumerate() {
            let skip = rule.pii
                && matches!(
                    rule.matcher,
                    Matcher::Regex {
                        check: Check::Email,
                        ..
                    }
                )
                && !cfg.redact_emails;
            if skip {
                continue;
            }
            if rule.keywords.is_empty() {
                ungated.push(i);
            }
            for kw in &rule.keywords {
                // Bounded above by the PLACEHOLDER_RULE check.
                add(
                    kw,
                    u16::try_from(i).map_err(|_| SanitizeError::Internal("rule index"))?,
                );
            }
        }
        let keywords = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .map_err(|_| SanitizeError::Internal("keyword automaton"))?;
        let mut allow_regex = Vec::new();
        for pattern in &cfg.allow_regex {
            let re = Regex::new(&format!("^(?:{pattern})$")).map_err(|e| {
                SanitizeError::InvalidAllowlist {
                    pattern: pattern.clone(),
                    reason: super::one_line(&e),
                }
            })?;
            allow_regex.push(re);
        }
        let lenient = GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true);
        Ok(Self {
            rules,
            keywords,
            keyword_rules,
            ungated,
            ips: if cfg.redact_public_ips {
                Some(IpScanner::new()?)
            } else {
                None
            },
            emails: cfg.redact_emails,
            tagger,
            allow: cfg.allow.clone(),
            allow_regex,
            base64_run: Regex::new(r"[A-Za-z0-9+/_-]{16,}")
                .map_err(|_| SanitizeError::Internal("base64 run regex"))?,
            b64_std: GeneralPurpose::new(&base64::alphabet::STANDARD, lenient),
            b64_url: GeneralPurpose::new(&base64::alphabet::URL_SAFE, lenient),
        })
    }

    /// Redacts `text`. Newlines are kept one for one; text that holds only placeholders and
    /// clean content is returned unchanged (borrowed).
    pub fn sanitize<'a>(&self, text: &'a str) -> Result<Sanitized<'a>, SanitizeError> {
        let spans = self.find_spans(text, 0)?;
        let mut report = Report::default();
        if spans.is_empty() {
            return Ok(Sanitized {
                text: Cow::Borrowed(text),
                report,
            });
        }
        let mut out = String::with_capacity(text.len() + spans.len() * 24);
        let mut last = 0;
        for span in &spans {
            let (Some(before), Some(secret)) =
                (text.get(last..span.start), text.get(span.start..span.end))
            else {
                return Err(SanitizeError::Internal("span off a character boundary"));
            };
            out.push_str(before);
            self.tagger.push_placeholder(&mut out, span.kind, secret);
            out.extend(std::iter::repeat_n(
                '\n',
                secret.bytes().filter(|&b| b == b'\n').count(),
            ));
            report.add(span.kind, 1);
            last = span.end;
        }
        out.push_str(
            text.get(last..)
                .ok_or(SanitizeError::Internal("span off a character boundary"))?,
        );
        Ok(Sanitized {
            text: Cow::Owned(out),
            report,
        })
    }

    /// The placeholder this run uses for `secret` of `kind` (structured redaction).
    pub(crate) fn placeholder(&self, kind: &str, secret: &str) -> String {
        self.tagger.placeholder(kind, secret)
    }

    /// Unioned, sorted spans to redact in `text`. `depth > 0` is text decoded from base64,
    /// where only secrets (not PII) count.
    fn find_spans(&self, text: &str, depth: u8) -> Result<Vec<Span<'_>>, SanitizeError> {
        let mut windows: Vec<Vec<(usize, usize)>> = vec![Vec::new(); self.rules.len()];
        let mut protected: Vec<(usize, usize)> = Vec::new();
        for m in self.keywords.find_overlapping_iter(text) {
            let Some(rules) = self.keyword_rules.get(m.pattern().as_usize()) else {
                return Err(SanitizeError::Internal("keyword without rules"));
            };
            // A keyword inside a placeholder of an earlier pass (`<redacted:private-key#…>`)
            // opens no window: a second pass must change nothing. Matches come in order of
            // their ends, so the placeholder around this one is the last one found.
            if protected
                .last()
                .is_some_and(|&(s, e)| s <= m.start() && m.end() <= e)
            {
                continue;
            }
            let mut window = None;
            let mut key_window = None;
            for &r in rules {
                if r == PLACEHOLDER_RULE {
                    if let Some(len) = text.get(m.start()..).and_then(placeholder::placeholder_len)
                    {
                        protected.push((m.start(), m.start() + len));
                    }
                    continue;
                }
                let line = *window.get_or_insert_with(|| line_window(text, m.start(), m.end()));
                let (ws, we) = if self
                    .rules
                    .get(usize::from(r))
                    .is_some_and(|rule| rule.key_gated)
                {
                    match *key_window
                        .get_or_insert_with(|| secret_key_window(text, m.start(), m.end(), line))
                    {
                        Some(w) => w,
                        None => continue,
                    }
                } else {
                    line
                };
                let Some(list) = windows.get_mut(usize::from(r)) else {
                    return Err(SanitizeError::Internal("rule index out of range"));
                };
                match list.last_mut() {
                    Some(last) if ws <= last.1 => last.1 = last.1.max(we),
                    _ => list.push((ws, we)),
                }
            }
        }
        for &r in &self.ungated {
            if let Some(list) = windows.get_mut(r) {
                *list = vec![(0, text.len())];
            }
        }

        let mut spans: Vec<Span<'_>> = Vec::new();
        // End of the last base64 run decoded, so a long blob hit in many windows is
        // decoded once.
        let mut b64_done = 0;
        for (prio, (rule, list)) in self.rules.iter().zip(&windows).enumerate() {
            if list.is_empty() || (rule.pii && (depth > 0 || !self.emails)) {
                continue;
            }
            for &(ws, we) in list {
                self.run_rule(rule, prio, text, (ws, we), depth, &mut b64_done, &mut spans)?;
            }
        }
        if depth == 0 {
            let mut found = Vec::new();
            entropy::scan(text, &mut found);
            let prio = self.rules.len();
            spans.extend(found.into_iter().map(|(start, end)| Span {
                start,
                end,
                prio,
                kind: "high-entropy",
            }));
        }
        if depth == 0
            && let Some(ips) = &self.ips
        {
            let mut found = Vec::new();
            ips.scan(text, &mut found);
            let prio = self.rules.len();
            spans.extend(found.into_iter().map(|(start, end, kind)| Span {
                start,
                end,
                prio,
                kind,
            }));
        }
        if spans.is_empty() {
            return Ok(spans);
        }

        protected.sort_unstable();
        spans.retain(|s| {
            s.start < s.end
                && !overlaps_any(&protected, s.start, s.end)
                && !self.allowed(text, s.start, s.end)
        });
        spans.sort_unstable_by_key(|s| (s.start, s.prio));
        let mut merged: Vec<Span<'_>> = Vec::with_capacity(spans.len());
        for s in spans {
            match merged.last_mut() {
                Some(cur) if s.start < cur.end => cur.end = cur.end.max(s.end),
                _ => merged.push(s),
            }
        }
        if merged
            .iter()
            .any(|s| !text.is_char_boundary(s.start) || !text.is_char_boundary(s.end))
        {
            return Err(SanitizeError::Internal("span off a character boundary"));
        }
        Ok(merged)
    }

    /// Whether the span `start..end` of `text` is allowlisted: it is an allowed literal,
    /// lies inside an occurrence of one (`postgres://demo:demo@localhost` allows its
    /// password), or an allow regex matches it.
    fn allowed(&self, text: &str, start: usize, end: usize) -> bool {
        let secret = text.get(start..end).unwrap_or("");
        let inside_literal = |a: &String| {
            let from = floor_boundary(text, start.saturating_sub(a.len()));
            let to = ceil_boundary(text, end + a.len());
            text[from..to].match_indices(a.as_str()).any(|(i, m)| {
                let (s, e) = (from + i, from + i + m.len());
                s <= start && end <= e
            })
        };
        self.allow
            .iter()
            .any(|a| !a.is_empty() && (a == secret || inside_literal(a)))
            || self.allow_regex.iter().any(|re| re.is_match(secret))
    }

    #[allow(clippy::too_many_arguments)]
    fn run_rule<'r>(
        &'r self,
        rule: &'r Rule,
        prio: usize,
        text: &str,
        (ws, we): (usize, usize),
        depth: u8,
        b64_done: &mut usize,
        out: &mut Vec<Span<'r>>,
    ) -> Result<(), SanitizeError> {
        let hay = text
            .get(ws..we)
            .ok_or(SanitizeError::Internal("window off a character boundary"))?;
        match &rule.matcher {
            Matcher::Regex {
                re,
                secret_groups,
                check,
            } => {
                let mut at = 0;
                while at <= hay.len() {
                    let Some(caps) = re.captures_at(hay, at) else {
                        break;
                    };
                    let Some(whole) = caps.get(0) else { break };
                    let secret = secret_groups
                        .iter()
                        .find_map(|&g| caps.get(g))
                        .unwrap_or(whole);
                    match self.accept(rule, *check, &caps, text, ws, secret) {
                        Some((s, e, kind)) => {
                            out.push(Span {
                                start: ws + s,
                                end: ws + e,
                                prio,
                                kind,
                            });
                            at = ceil_boundary(hay, whole.end().max(whole.start() + 1));
                        }
                        // A rejected `key=value` may hide a real one in its value
                        // (`user: bob password: x`, `-H --token x`): resume at the value,
                        // one character early so a rule's leading delimiter can match.
                        None if secret.start() > whole.start() + 1 => {
                            at = floor_boundary(hay, secret.start() - 1);
                        }
                        None if secret.start() > whole.start() => at = secret.start(),
                        None => at = ceil_boundary(hay, whole.end().max(whole.start() + 1)),
                    }
                }
            }
            Matcher::Pem => {
                let mut found = Vec::new();
                pem::find(text, ws, we, &mut found);
                out.extend(found.into_iter().map(|(start, end)| Span {
                    start,
                    end,
                    prio,
                    kind: &rule.kind,
                }));
            }
            Matcher::YamlEnvPair => {
                if let Some((start, end, kind)) = yaml_env_pair(text, ws) {
                    out.push(Span {
                        start,
                        end,
                        prio,
                        kind,
                    });
                }
            }
            Matcher::Base64 => {
                if depth >= MAX_DEPTH {
                    return Ok(());
                }
                for m in self.base64_run.find_iter(hay) {
                    let (start, end) = extend_base64_run(text, ws + m.start(), ws + m.end());
                    if start < *b64_done {
                        continue;
                    }
                    *b64_done = end;
                    let Some(run) = text.get(start..end) else {
                        continue;
                    };
                    let Some(decoded) = self.decode_base64(run) else {
                        continue;
                    };
                    let decoded = String::from_utf8_lossy(&decoded);
                    if !self.find_spans(&decoded, depth + 1)?.is_empty() {
                        out.push(Span {
                            start,
                            end,
                            prio,
                            kind: &rule.kind,
                        });
                    }
                }
            }
        }
        Ok(())
    }

    fn decode_base64(&self, run: &str) -> Option<Vec<u8>> {
        let run = run.trim_end_matches('=');
        let usable = run.len() - run.len() % 4 + if run.len() % 4 >= 2 { run.len() % 4 } else { 0 };
        let run = run.get(..usable)?;
        let url = run.contains(['-', '_']);
        if url && run.contains(['+', '/']) {
            return None;
        }
        let engine = if url { &self.b64_url } else { &self.b64_std };
        engine.decode(run).ok()
    }

    /// Validates a regex match and picks the kind; `None` rejects it.
    fn accept<'r>(
        &'r self,
        rule: &'r Rule,
        check: Check,
        caps: &Captures<'_>,
        text: &str,
        ws: usize,
        secret: regex::Match<'_>,
    ) -> Option<(usize, usize, &'r str)> {
        let value = secret.as_str();
        let (s, mut e) = (secret.start(), secret.end());
        if check != Check::Email && is_reference(value) {
            return None;
        }
        let kind: &'r str = match check {
            Check::None => &rule.kind,
            Check::SecretName | Check::Flag => {
                let key = caps.name("key")?;
                // `…/token: i/o timeout`: a name inside a URL path is not a key.
                if in_url_path(text, ws + key.start()) {
                    return None;
                }
                if url_with_password(value) {
                    return None;
                }
                let kind = match name_says(key.as_str())? {
                    Says::Secret(kind) => kind,
                    Says::IfValueLooksRandom(kind) if plausible_credential(value) => kind,
                    Says::IfValueLooksRandom(_) => return None,
                };
                if check == Check::Flag && value.starts_with('-') {
                    return None;
                }
                // `password: client_secret: x` — a bare value ending in `:` is the next key.
                if caps.name("s_bare").is_some() && value.ends_with(':') {
                    return None;
                }
                if check == Check::SecretName && caps.name("s_bare").is_some() {
                    let colon = caps
                        .name("sep")
                        .is_some_and(|m| m.as_str().starts_with(':'));
                    let key = caps.name("key")?;
                    if colon && starts_yaml_line(text, ws + key.start()) {
                        e = yaml_value_end(text, ws + e) - ws;
                    } else if colon
                        && !quoted_key(text, ws + key.start(), ws + key.end())
                        && !looks_like_credential(value)
                    {
                        // `failed to refresh token: context deadline exceeded` is prose.
                        return None;
                    }
                }
                kind
            }
            Check::Email => {
                let before = text.get(..ws + secret.start()).unwrap_or("");
                if (before.ends_with(':') && !before.ends_with("mailto:")) || before.ends_with('/')
                {
                    return None;
                }
                let (local, domain) = value.split_once('@')?;
                let tld = domain.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
                if local == "git" || NOT_TLDS.contains(&tld.as_str()) {
                    return None;
                }
                &rule.kind
            }
            Check::Random => {
                // A window may open inside a long token: only whole tokens are judged, and
                // never the rest of one a placeholder cut (a second pass changes nothing).
                let b = text.as_bytes();
                let (ts, te) = (ws + s, ws + e);
                let inside = |i: usize| {
                    b.get(i)
                        .copied()
                        .is_some_and(|c| is_token_byte(c) || c == b'<' || c == b'>')
                };
                if (ts > 0 && inside(ts - 1))
                    || inside(te)
                    || in_public_pem(text, ts)
                    || !looks_random(value)
                {
                    return None;
                }
                &rule.kind
            }
            Check::Opaque => {
                if !(value.bytes().any(|b| b.is_ascii_digit()) || value.len() >= 24) {
                    return None;
                }
                &rule.kind
            }
            Check::Authorization => {
                match caps.name("scheme").map(|m| m.as_str().to_ascii_lowercase()) {
                    Some(scheme) if scheme == "bearer" => "bearer",
                    Some(scheme) if scheme == "basic" => "basic",
                    Some(_) => &rule.kind,
                    None if value.bytes().any(|b| b.is_ascii_digit()) || value.len() >= 16 => {
                        &rule.kind
                    }
                    None => return None,
                }
            }
            Check::BasicCreds => {
                let decoded = self.decode_base64(value)?;
                if !decoded.contains(&b':') {
                    return None;
                }
                &rule.kind
            }
        };
        (s < e).then_some((s, e, kind))
    }
}

/// Whether `at` lies in the body of a certificate or public key printed on one line
/// (`-----BEGIN CERTIFICATE----- MIIC…`, `\n`-escaped in JSON): public, and random-looking.
fn in_public_pem(text: &str, at: usize) -> bool {
    let from = floor_boundary(text, at.saturating_sub(2048));
    let Some(before) = text.get(from..at) else {
        return false;
    };
    let Some(i) = before.rfind("-----BEGIN ") else {
        return false;
    };
    let header = &before[i..];
    let header = header.get(..header.len().min(48)).unwrap_or(header);
    !header.contains("PRIVATE") && !before[i..].contains("-----END ")
}

/// The window a keyword hit at `[s, e)` opens: the rest of its line, bounded.
fn line_window(text: &str, s: usize, e: usize) -> (usize, usize) {
    let lo = floor_boundary(text, s.saturating_sub(BEFORE));
    let hi = ceil_boundary(text, e.saturating_add(AFTER).min(text.len()));
    let start = text
        .get(lo..s)
        .and_then(|b| b.rfind('\n'))
        .map_or(lo, |i| lo + i + 1);
    let end = text
        .get(e..hi)
        .and_then(|a| a.find('\n'))
        .map_or(hi, |i| e + i);
    (start, end)
}

/// For a keyword hit inside a name (`DB_PASSWORD`, `x-api-key`, `--client-secret`): the
/// window from just before that name to the end of the line, if the name says secret.
fn secret_key_window(
    text: &str,
    s: usize,
    e: usize,
    line: (usize, usize),
) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let is_name = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.');
    let (mut ks, mut ke) = (s, e);
    while ks > line.0 && is_name(b[ks - 1]) {
        ks -= 1;
    }
    while ke < line.1 && is_name(b[ke]) {
        ke += 1;
    }
    let name = text.get(ks..ke)?.trim_start_matches(['-', '.']);
    name_says(name)?;
    // Room for `--`, a quote or `- ` before the name, or `\"name\":\"` in escaped JSON;
    // never starting inside another name (`gSecret=` of `existingSecret=cache-creds`).
    let mut ws = ks.saturating_sub(12).max(line.0);
    while ws > line.0 && ks - ws < 128 && is_name(b[ws - 1]) {
        ws -= 1;
    }
    Some((floor_boundary(text, ws), line.1))
}

/// Grows a base64 run found inside a window to its full extent in `text`.
fn extend_base64_run(text: &str, mut s: usize, mut e: usize) -> (usize, usize) {
    let b = text.as_bytes();
    let is_b64 = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'-' | b'_');
    while s > 0 && is_b64(b[s - 1]) {
        s -= 1;
    }
    while e < b.len() && is_b64(b[e]) {
        e += 1;
    }
    while e < b.len() && b[e] == b'=' {
        e += 1;
    }
    (s, e)
}

fn overlaps_any(sorted: &[(usize, usize)], s: usize, e: usize) -> bool {
    let i = sorted.partition_point(|&(_, pe)| pe <= s);
    sorted.get(i).is_some_and(|&(ps, _)| ps < e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s() -> Sanitizer {
        Sanitizer::with_key(&SanitizeConfig::default(), &[7; 64]).unwrap()
    }

    #[test]
    fn sanitizer_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Sanitizer>();
    }

    #[test]
    fn giant_single_line_stays_linear() {
        let line = r#"{"password": 12345, "token": 9, "x": "y"} "#.repeat(50_000);
        let out = s().sanitize(&line).unwrap();
        assert_eq!(out.report.get("password"), 50_000);
        assert!(!out.text.contains("12345"));
    }

    #[test]
    fn dsn_keeps_structure_and_correlates() {
        let out = s()
            .sanitize("a postgres://app:hunter2@pg:5432/orders b DB_PASSWORD=hunter2")
            .unwrap();
        let t = out.text;
        assert!(t.starts_with("a postgres://app:<redacted:password#"), "{t}");
        assert!(
            t.contains("@pg:5432/orders b DB_PASSWORD=<redacted:password#"),
            "{t}"
        );
        let tags: Vec<&str> = t
            .match_indices("password#")
            .map(|(i, _)| &t[i + 9..i + 13])
            .collect();
        assert_eq!(tags[0], tags[1]);
    }

    #[test]
    fn bearer_and_idempotent() {
        let san = s();
        let once = san
            .sanitize("Authorization: Bearer abcDEF0123456789xyz")
            .unwrap()
            .into_string();
        assert!(
            once.starts_with("Authorization: Bearer <redacted:bearer#"),
            "{once}"
        );
        assert_eq!(san.sanitize(&once).unwrap().text, once);
    }

    #[test]
    fn lines_are_kept() {
        let text = "x\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\nBgkqhkiG9w0B\n-----END PRIVATE KEY-----\ny\n";
        let out = s().sanitize(text).unwrap().into_string();
        assert_eq!(out.lines().count(), text.lines().count());
        assert!(!out.contains("MIIEvQIBADAN"));
    }

    #[test]
    fn references_are_not_secrets() {
        let san = s();
        for t in [
            "password: ${DB_PASSWORD}",
            "token=$(cat /run/token)",
            "secret \"db-creds\" not found",
        ] {
            assert_eq!(san.sanitize(t).unwrap().text, t);
        }
    }

    #[test]
    fn yaml_env_pair_over_two_lines() {
        let t = "  - name: DB_PASSWORD\n    value: \"s3cr3t-value\"\n";
        let out = s().sanitize(t).unwrap().into_string();
        assert!(!out.contains("s3cr3t-value"), "{out}");
    }
}
