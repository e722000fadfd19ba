//! Findings over time: which are new and which resolved between two analysis passes, by
//! fingerprint, with a debounce so a flapping finding is announced once. Used by the
//! headless watcher (announcements) and the TUI (age, newest first).
//!
//! Debounce: a finding is announced as new the first time it is seen; when it disappears
//! it is only announced as resolved after staying away for the debounce window, and if it
//! comes back within the window nothing is announced at all.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::analyze::{Category, Finding, Severity};
use crate::model::ObjectRef;
use crate::rca::Diagnosis;

/// One finding as the watcher reports it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Tracked {
    /// `namespace/finding id`: stable across passes and restarts.
    pub fingerprint: String,
    pub subject: ObjectRef,
    pub category: Category,
    pub severity: Severity,
    pub summary: String,
    pub cause: String,
    pub first_seen: jiff::Timestamp,
}

/// What changed since the last pass.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Changes {
    pub new: Vec<Tracked>,
    pub resolved: Vec<Tracked>,
}

enum State {
    Active(Tracked),
    /// Gone since the timestamp; resolved once the debounce window has passed.
    Leaving(Tracked, jiff::Timestamp),
}

pub struct Tracker {
    debounce: jiff::SignedDuration,
    states: BTreeMap<String, State>,
}

pub fn fingerprint(subject: &ObjectRef, finding: &Finding) -> String {
    format!(
        "{}/{}",
        subject.namespace.as_deref().unwrap_or(""),
        finding.id
    )
}

impl Tracker {
    pub fn new(debounce: Duration) -> Self {
        Tracker {
            debounce: jiff::SignedDuration::try_from(debounce).unwrap_or_default(),
            states: BTreeMap::new(),
        }
    }

    /// Folds in the diagnoses of a pass made at `now`.
    pub fn update(&mut self, diagnoses: &[Diagnosis], now: jiff::Timestamp) -> Changes {
        let mut changes = Changes::default();
        let mut present = std::collections::BTreeSet::new();
        for d in diagnoses {
            for f in &d.findings {
                let fp = fingerprint(&d.subject, f);
                present.insert(fp.clone());
                match self.states.remove(&fp) {
                    Some(State::Active(t)) | Some(State::Leaving(t, _)) => {
                        self.states.insert(fp, State::Active(t));
                    }
                    None => {
                        let t = Tracked {
                            fingerprint: fp.clone(),
                            subject: d.subject.clone(),
                            category: f.category,
                            severity: f.severity,
                            summary: f.summary.clone(),
                            cause: f.cause.clone(),
                            first_seen: now,
                        };
                        changes.new.push(t.clone());
                        self.states.insert(fp, State::Active(t));
                    }
                }
            }
        }
        let gone: Vec<String> = self
            .states
            .keys()
            .filter(|k| !present.contains(*k))
            .cloned()
            .collect();
        for fp in gone {
            match self.states.remove(&fp) {
                Some(State::Active(t)) => {
                    self.states.insert(fp, State::Leaving(t, now));
                }
                Some(State::Leaving(t, since)) => {
                    self.states.insert(fp, State::Leaving(t, since));
                }
                None => {}
            }
        }
        changes.resolved = self.expire(now);
        changes
    }

    /// Findings that stayed away for the debounce window by `now`.
    pub fn expire(&mut self, now: jiff::Timestamp) -> Vec<Tracked> {
        let due: Vec<String> = self
            .states
            .iter()
            .filter_map(|(k, s)| match s {
                State::Leaving(_, since) if now.duration_since(*since) >= self.debounce => {
                    Some(k.clone())
                }
                _ => None,
            })
            .collect();
        due.into_iter()
            .filter_map(|k| match self.states.remove(&k) {
                Some(State::Leaving(t, _)) => Some(t),
                _ => None,
            })
            .collect()
    }

    /// When a finding was first seen (for ages and "newest first").
    pub fn first_seen(&self, fingerprint: &str) -> Option<jiff::Timestamp> {
        match self.states.get(fingerprint)? {
            State::Active(t) | State::Leaving(t, _) => Some(t.first_seen),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oom() -> Vec<Diagnosis> {
        let snap = crate::source::bundle::read(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/oom-killed"
        )))
        .expect("example reads");
        crate::rca::run(&snap).items
    }

    fn at(secs: i64) -> jiff::Timestamp {
        jiff::Timestamp::from_second(1_800_000_000 + secs).expect("timestamp")
    }

    #[test]
    fn a_finding_is_new_once_and_resolved_after_the_window() {
        let items = oom();
        let mut t = Tracker::new(Duration::from_secs(60));
        let first = t.update(&items, at(0));
        assert!(!first.new.is_empty());
        assert!(first.new.iter().any(|f| f.category == Category::OomKilled));
        assert_eq!(t.update(&items, at(10)), Changes::default());
        let gone = t.update(&[], at(20));
        assert!(gone.resolved.is_empty(), "not before the window");
        let later = t.update(&[], at(81));
        assert_eq!(later.resolved.len(), first.new.len());
    }

    #[test]
    fn a_flapping_finding_is_announced_once() {
        let items = oom();
        let mut t = Tracker::new(Duration::from_secs(60));
        let first = t.update(&items, at(0));
        assert!(t.update(&[], at(5)).resolved.is_empty());
        let back = t.update(&items, at(30));
        assert!(back.new.is_empty() && back.resolved.is_empty(), "{back:?}");
        let fp = &first.new[0].fingerprint;
        assert_eq!(t.first_seen(fp), Some(at(0)));
    }
}
