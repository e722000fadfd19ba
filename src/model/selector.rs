//! Label selectors (`-l app=web,tier in (a,b)`), read exactly as the API server reads a
//! `labelSelector` query (apimachinery's `labels.Parse`), so a bundle narrowed here holds
//! what a live list with the same `-l` would have returned.

use std::collections::BTreeMap;
use std::fmt;

/// A parsed label selector: every requirement must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    /// As given, for scope descriptions.
    text: String,
    requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Requirement {
    key: String,
    op: Op,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    Exists,
    DoesNotExist,
    /// `=`, `==` and `in`: the label is set to one of these.
    In(Vec<String>),
    /// `!=` and `notin`: the label is absent or set to none of these.
    NotIn(Vec<String>),
    GreaterThan(i64),
    LessThan(i64),
}

/// What the examples in error messages show.
const FORMS: &str = "key, !key, key=value, key!=value, key in (a,b), key notin (a,b)";

impl Selector {
    /// Parses `text`; the error names the bad part and what was expected there.
    pub fn parse(text: &str) -> Result<Selector, String> {
        let tokens = lex(text);
        let mut parser = Parser {
            text,
            tokens: &tokens,
            pos: 0,
            start: 0,
        };
        let requirements = parser.selector()?;
        Ok(Selector {
            text: text.trim().to_string(),
            requirements,
        })
    }

    /// Whether an object with these labels is selected. The empty selector selects all.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// Whether the selector has no requirement (`-l ""`): it selects everything.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Requirement {
    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let value = labels.get(&self.key);
        match (&self.op, value) {
            (Op::Exists, v) => v.is_some(),
            (Op::DoesNotExist, v) => v.is_none(),
            (Op::In(values), Some(v)) => values.contains(v),
            (Op::NotIn(values), Some(v)) => !values.contains(v),
            (Op::NotIn(_), None) => true,
            (Op::GreaterThan(n), Some(v)) => v.parse::<i64>().is_ok_and(|v| v > *n),
            (Op::LessThan(n), Some(v)) => v.parse::<i64>().is_ok_and(|v| v < *n),
            (Op::In(_) | Op::GreaterThan(_) | Op::LessThan(_), None) => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    /// A key, a value, or the words `in` and `notin` (operators only where one is due).
    Word(&'a str),
    Not,
    Eq,
    DoubleEq,
    NotEq,
    Gt,
    Lt,
    Open,
    Close,
    Comma,
    End,
}

/// A token and where it ends in the text.
type Spanned<'a> = (Tok<'a>, usize);

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_symbol(c: char) -> bool {
    matches!(c, '=' | '!' | '(' | ')' | ',' | '>' | '<')
}

/// Splits `text` into tokens as apimachinery's lexer does: `==` and `!=` are one token,
/// every other symbol is its own, and a word runs to the next space or symbol.
fn lex(text: &str) -> Vec<Spanned<'_>> {
    let mut tokens = Vec::new();
    let mut rest = text;
    loop {
        let trimmed = rest.trim_start_matches(is_space);
        let at = text.len() - trimmed.len();
        let Some(c) = trimmed.chars().next() else {
            tokens.push((Tok::End, text.len()));
            return tokens;
        };
        let (tok, len) = if let Some(tok) = [("==", Tok::DoubleEq), ("!=", Tok::NotEq)]
            .into_iter()
            .find_map(|(s, t)| trimmed.starts_with(s).then_some(t))
        {
            (tok, 2)
        } else if is_symbol(c) {
            let tok = match c {
                '=' => Tok::Eq,
                '!' => Tok::Not,
                '(' => Tok::Open,
                ')' => Tok::Close,
                ',' => Tok::Comma,
                '>' => Tok::Gt,
                _ => Tok::Lt,
            };
            (tok, 1)
        } else {
            let len = trimmed
                .find(|c| is_space(c) || is_symbol(c))
                .unwrap_or(trimmed.len());
            (Tok::Word(&trimmed[..len]), len)
        };
        tokens.push((tok, at + len));
        rest = &trimmed[len..];
    }
}

fn shown(tok: Tok<'_>) -> String {
    let s = match tok {
        Tok::Word(w) => w,
        Tok::Not => "!",
        Tok::Eq => "=",
        Tok::DoubleEq => "==",
        Tok::NotEq => "!=",
        Tok::Gt => ">",
        Tok::Lt => "<",
        Tok::Open => "(",
        Tok::Close => ")",
        Tok::Comma => ",",
        Tok::End => return "the end".to_string(),
    };
    format!("'{s}'")
}

struct Parser<'t, 'a> {
    text: &'a str,
    tokens: &'t [Spanned<'a>],
    pos: usize,
    /// Where the requirement being read starts, to show it in errors.
    start: usize,
}

impl<'a> Parser<'_, 'a> {
    fn peek(&self) -> Tok<'a> {
        self.tokens.get(self.pos).map_or(Tok::End, |t| t.0)
    }

    fn next(&mut self) -> Tok<'a> {
        let tok = self.peek();
        self.pos = (self.pos + 1).min(self.tokens.len().saturating_sub(1));
        tok
    }

    /// `'tier in prod': found 'prod', expected '('`, quoting the requirement up to the
    /// token just read.
    fn error(&self, found: Tok<'_>, expected: &str) -> String {
        let end = self
            .pos
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map_or(self.text.len(), |t| t.1)
            .max(self.start);
        let part = self.text.get(self.start..end).unwrap_or(self.text).trim();
        match part.is_empty() {
            true => format!("found {}, expected {expected}", shown(found)),
            false => format!("'{part}': found {}, expected {expected}", shown(found)),
        }
    }

    fn selector(&mut self) -> Result<Vec<Requirement>, String> {
        let mut requirements = Vec::new();
        if self.peek() == Tok::End {
            return Ok(requirements);
        }
        loop {
            self.start = self
                .pos
                .checked_sub(1)
                .and_then(|i| self.tokens.get(i))
                .map_or(0, |t| t.1);
            requirements.push(self.requirement()?);
            match self.next() {
                Tok::End => return Ok(requirements),
                Tok::Comma if matches!(self.peek(), Tok::Word(_) | Tok::Not) => {}
                Tok::Comma => {
                    let found = self.next();
                    return Err(self.error(found, &format!("a requirement after ',' ({FORMS})")));
                }
                other => {
                    return Err(self.error(other, "',' between requirements, or the end"));
                }
            }
        }
    }

    fn requirement(&mut self) -> Result<Requirement, String> {
        let negated = self.peek() == Tok::Not;
        if negated {
            self.next();
        }
        let key = match self.next() {
            Tok::Word(w) => w,
            other => return Err(self.error(other, &format!("a label key ({FORMS})"))),
        };
        valid_key(key)?;
        let key = key.to_string();
        if matches!(self.peek(), Tok::End | Tok::Comma) {
            let op = if negated {
                Op::DoesNotExist
            } else {
                Op::Exists
            };
            return Ok(Requirement { key, op });
        }
        if negated {
            let found = self.next();
            return Err(self.error(found, "',' or the end: '!key' takes no value"));
        }
        let op = match self.next() {
            Tok::Eq | Tok::DoubleEq => Op::In(vec![self.exact(&key)?]),
            Tok::NotEq => Op::NotIn(vec![self.exact(&key)?]),
            Tok::Word("in") => Op::In(self.list(&key)?),
            Tok::Word("notin") => Op::NotIn(self.list(&key)?),
            Tok::Gt => Op::GreaterThan(self.integer(&key)?),
            Tok::Lt => Op::LessThan(self.integer(&key)?),
            other => {
                return Err(self.error(
                    other,
                    "an operator (=, ==, !=, in, notin, >, <), ',' or the end",
                ));
            }
        };
        Ok(Requirement { key, op })
    }

    /// The value after `=`, `==` or `!=`; nothing before a `,` or the end is the empty value.
    fn exact(&mut self, key: &str) -> Result<String, String> {
        match self.peek() {
            Tok::End | Tok::Comma => Ok(String::new()),
            Tok::Word(w) => {
                self.next();
                valid_value(key, w)?;
                Ok(w.to_string())
            }
            other => {
                self.next();
                Err(self.error(other, "a value (or nothing, for the empty value)"))
            }
        }
    }

    fn integer(&mut self, key: &str) -> Result<i64, String> {
        let value = self.exact(key)?;
        value
            .parse()
            .map_err(|_| format!("'{key}': '>' and '<' compare with an integer, not '{value}'"))
    }

    /// `(a, b, c)`: values separated by commas, each possibly empty; `()` is the empty value.
    fn list(&mut self, key: &str) -> Result<Vec<String>, String> {
        match self.next() {
            Tok::Open => {}
            other => return Err(self.error(other, "'(' to open the values, as in key in (a,b)")),
        }
        let mut values = Vec::new();
        let mut value = None;
        loop {
            match self.next() {
                Tok::Word(w) if value.is_none() => value = Some(w),
                Tok::Comma => values.push(value.take().unwrap_or_default()),
                Tok::Close => {
                    values.push(value.take().unwrap_or_default());
                    break;
                }
                other => return Err(self.error(other, "',' or ')' after a value")),
            }
        }
        for v in &values {
            valid_value(key, v)?;
        }
        values.sort_unstable();
        values.dedup();
        Ok(values.into_iter().map(str::to_string).collect())
    }
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, at most 63 characters: a label name or value.
fn is_label_name(s: &str) -> bool {
    let alnum = |c: char| c.is_ascii_alphanumeric();
    s.len() <= 63
        && s.starts_with(alnum)
        && s.ends_with(alnum)
        && s.chars().all(|c| alnum(c) || matches!(c, '-' | '_' | '.'))
}

/// A DNS-1123 subdomain: dot-separated lowercase labels, at most 253 characters.
fn is_dns_subdomain(s: &str) -> bool {
    let label_ok = |l: &str| {
        let lower = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
        l.starts_with(lower) && l.ends_with(lower) && l.chars().all(|c| lower(c) || c == '-')
    };
    s.len() <= 253 && s.split('.').all(label_ok)
}

const NAME_RULE: &str =
    "at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";

/// A label key: `name` or `prefix/name`, the prefix a DNS subdomain.
fn valid_key(key: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("'{key}' is not a label key: {why}"));
    let name = match key.split_once('/') {
        None => key,
        Some((_, name)) if name.contains('/') => return bad("it has more than one '/'"),
        Some(("", _)) => return bad("the prefix before '/' is empty"),
        Some((prefix, _)) if !is_dns_subdomain(prefix) => {
            return bad(&format!(
                "the prefix '{prefix}' is not a DNS subdomain (lowercase letters, digits, '-' and '.', e.g. app.kubernetes.io)"
            ));
        }
        Some((_, name)) => name,
    };
    match is_label_name(name) {
        true => Ok(()),
        false if name.is_empty() => bad("the name is empty"),
        false => bad(&format!("the name must be {NAME_RULE}")),
    }
}

fn valid_value(key: &str, value: &str) -> Result<(), String> {
    match value.is_empty() || is_label_name(value) {
        true => Ok(()),
        false => Err(format!(
            "'{value}' is not a label value (of '{key}'): it must be empty or {NAME_RULE}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn selects(selector: &str, pairs: &[(&str, &str)]) -> bool {
        Selector::parse(selector)
            .unwrap_or_else(|e| panic!("{selector}: {e}"))
            .matches(&labels(pairs))
    }

    #[test]
    fn equality_in_all_three_spellings() {
        for s in ["app=web", "app==web", " app = web ", "app == web"] {
            assert!(selects(s, &[("app", "web"), ("tier", "db")]), "{s}");
            assert!(!selects(s, &[("app", "api")]), "{s}");
            assert!(!selects(s, &[]), "{s}: an absent key is not equal");
        }
    }

    #[test]
    fn inequality_matches_an_absent_key() {
        assert!(selects("app!=web", &[("app", "api")]));
        assert!(selects("app != web", &[]));
        assert!(!selects("app!=web", &[("app", "web")]));
    }

    #[test]
    fn existence_and_absence() {
        assert!(selects("app", &[("app", "")]));
        assert!(!selects("app", &[("tier", "db")]));
        assert!(selects("!app", &[("tier", "db")]));
        assert!(selects(" ! app ", &[]));
        assert!(!selects("!app", &[("app", "web")]));
    }

    #[test]
    fn set_membership() {
        let s = "tier in (web, api),env notin (dev,test)";
        assert!(selects(s, &[("tier", "api"), ("env", "prod")]));
        assert!(
            selects(s, &[("tier", "web")]),
            "notin matches an absent key"
        );
        assert!(!selects(s, &[("tier", "db")]));
        assert!(!selects(s, &[("env", "prod")]), "in needs the key");
        assert!(!selects(s, &[("tier", "web"), ("env", "dev")]));
        assert!(selects("tier in(web)", &[("tier", "web")]));
    }

    #[test]
    fn empty_values() {
        assert!(selects("tier=", &[("tier", "")]));
        assert!(!selects("tier=", &[("tier", "web")]));
        assert!(!selects("tier=,app", &[("app", "x")]));
        assert!(selects("tier!=,app", &[("app", "x")]));
        assert!(selects("tier in ()", &[("tier", "")]));
        assert!(selects("tier in (a,,b)", &[("tier", "")]));
        assert!(selects("tier in (,a)", &[("tier", "")]));
        assert!(selects("tier in (a,)", &[("tier", "")]));
        assert!(!selects("tier in (a,b)", &[("tier", "")]));
    }

    #[test]
    fn prefixed_keys() {
        let s = "app.kubernetes.io/name=shop,!k8s.example.com/legacy";
        assert!(selects(s, &[("app.kubernetes.io/name", "shop")]));
        assert!(!selects(
            s,
            &[
                ("app.kubernetes.io/name", "shop"),
                ("k8s.example.com/legacy", "1")
            ]
        ));
    }

    #[test]
    fn in_and_notin_are_plain_words_as_keys_and_values() {
        assert!(selects("in in (in, notin)", &[("in", "notin")]));
        assert!(selects("notin=in", &[("notin", "in")]));
        assert!(selects("in", &[("in", "x")]));
    }

    #[test]
    fn integer_comparisons() {
        assert!(selects("replicas>2", &[("replicas", "3")]));
        assert!(!selects("replicas>2", &[("replicas", "2")]));
        assert!(!selects("replicas>2", &[("replicas", "many")]));
        assert!(!selects("replicas>2", &[]));
        assert!(selects("replicas < 10", &[("replicas", "3")]));
    }

    #[test]
    fn the_empty_selector_selects_everything() {
        for s in ["", "   "] {
            let sel = Selector::parse(s).expect("empty parses");
            assert!(sel.is_empty() && sel.matches(&labels(&[("a", "b")])));
        }
        assert!(!Selector::parse("a").expect("parses").is_empty());
    }

    #[test]
    fn shows_the_selector_as_given() {
        let sel = Selector::parse(" app=web, tier in (a,b) ").expect("parses");
        assert_eq!(sel.to_string(), "app=web, tier in (a,b)");
    }

    #[test]
    fn errors_name_the_bad_part_and_what_was_expected() {
        for (text, expected) in [
            (
                "app=web,tier in prod",
                "'tier in prod': found 'prod', expected '(' to open the values",
            ),
            (
                "app=web tier=db",
                "'app=web tier': found 'tier', expected ',' between requirements",
            ),
            (
                "app=web,",
                "found the end, expected a requirement after ','",
            ),
            (",app", "found ',', expected a label key"),
            ("app=(web)", "'app=(': found '(', expected a value"),
            (
                "tier in (a b)",
                "'tier in (a b': found 'b', expected ',' or ')'",
            ),
            ("tier in (a", "found the end, expected ',' or ')'"),
            ("!app=web", "'!app=': found '=', expected ',' or the end"),
            ("app web", "'app web': found 'web', expected an operator"),
            ("app=a=b", "found '=', expected ',' between requirements"),
            ("replicas>two", "compare with an integer, not 'two'"),
            ("Tier_=x", "'Tier_' is not a label key: the name must be"),
            (
                "a/b/c=x",
                "'a/b/c' is not a label key: it has more than one '/'",
            ),
            ("/name=x", "the prefix before '/' is empty"),
            (
                "Example.com/name",
                "the prefix 'Example.com' is not a DNS subdomain",
            ),
            ("example.com/=x", "the name is empty"),
            ("app=we b", "expected ',' between requirements"),
            ("app=-web", "'-web' is not a label value (of 'app')"),
            (
                "app in (ok, bad!)",
                "'app in (ok, bad!': found '!', expected ',' or ')'",
            ),
            ("app in (ok, b@d)", "'b@d' is not a label value (of 'app')"),
            ("app=été", "'été' is not a label value"),
        ] {
            let err = Selector::parse(text).expect_err(text);
            assert!(err.contains(expected), "{text}: {err}");
            assert!(!err.contains('\n'), "{text}: one line");
        }
        let long = "a".repeat(64);
        assert!(Selector::parse(&long).is_err());
        assert!(Selector::parse(&"a".repeat(63)).is_ok());
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics(text in "\\PC{0,40}") {
            let _ = Selector::parse(&text);
        }

        #[test]
        fn parsing_selector_like_text_never_panics(text in "[a-z/.!=(), <>\t-]{0,40}") {
            if let Ok(sel) = Selector::parse(&text) {
                let _ = sel.matches(&labels(&[("a", "b"), ("in", "")]));
            }
        }
    }
}
