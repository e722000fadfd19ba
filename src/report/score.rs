//! The health score and grade — the one formula the report and the TUI header share.
//!
//! Modelled on popeye: each section is a pass ratio over the objects it checks, and the
//! score is the mean of the sections.
//!
//! | section    | checks                                                   | fails                          | warns                  |
//! | ---------- | -------------------------------------------------------- | ------------------------------ | ---------------------- |
//! | pods       | every pod that has not Succeeded                         | not Running with all ready     | —                      |
//! | workloads  | each object a human fixes (Deployment, StatefulSet, DaemonSet, CronJob, Job or ReplicaSet without an owner, bare Pod) | a critical diagnosis | a warning diagnosis |
//! | nodes      | every node                                               | not Ready, or critical         | a warning diagnosis    |
//! | containers | each container of each workload's pod template           | —                              | no cpu/memory request or memory limit; no readiness probe (long-running workloads) |
//!
//! ```text
//! section score = 100 × (passed + ½ × warned) / checked
//! score         = ⌊ mean of the sections that checked something ⌋   (100 when none did)
//! grade         = A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, E ≥ 50, F below
//! ```
//!
//! Several clusters combine by adding their section tallies, so a big cluster weighs more
//! than a small one.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Node;
use serde::{Deserialize, Serialize};

use super::workloads::{Workload, missing_resources, workloads};
use crate::analyze::Severity;
use crate::model::{ObjectRef, Snapshot, pod_is_healthy};
use crate::rca::Diagnosis;

/// A score in 0..=100, its grade and the sections it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub score: u8,
    /// `A` … `F`.
    pub grade: String,
    pub sections: Vec<Section>,
}

/// One section's tally.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// `pods`, `workloads`, `nodes`, `containers`.
    pub name: String,
    pub passed: usize,
    pub warned: usize,
    pub failed: usize,
    /// `⌊100 × (passed + warned/2) / checked⌋`; 100 when nothing was checked.
    pub score: u8,
}

impl Section {
    fn new(name: &str, passed: usize, warned: usize, failed: usize) -> Section {
        let mut s = Section {
            name: name.into(),
            passed,
            warned,
            failed,
            score: 100,
        };
        s.score = s.ratio().map_or(100, |r| (r * 100.0).floor() as u8);
        s
    }

    pub fn checked(&self) -> usize {
        self.passed + self.warned + self.failed
    }

    fn ratio(&self) -> Option<f64> {
        let checked = self.checked();
        (checked > 0).then(|| (self.passed as f64 + self.warned as f64 / 2.0) / checked as f64)
    }
}

/// The grade of a score: A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, E ≥ 50, F below.
pub fn grade(score: u8) -> &'static str {
    match score {
        90.. => "A",
        80..=89 => "B",
        70..=79 => "C",
        60..=69 => "D",
        50..=59 => "E",
        _ => "F",
    }
}

impl Score {
    fn from_sections(sections: Vec<Section>) -> Score {
        let ratios: Vec<f64> = sections.iter().filter_map(Section::ratio).collect();
        let score = match ratios.len() {
            0 => 100,
            n => (ratios.iter().sum::<f64>() / n as f64 * 100.0).floor() as u8,
        };
        Score {
            score,
            grade: grade(score).into(),
            sections,
        }
    }

    /// Several clusters as one: section tallies added up, then the same formula.
    pub fn combine<'a>(scores: impl IntoIterator<Item = &'a Score>) -> Score {
        let mut sums: Vec<(String, usize, usize, usize)> = Vec::new();
        for s in scores.into_iter().flat_map(|s| &s.sections) {
            match sums.iter_mut().find(|(n, ..)| *n == s.name) {
                Some(t) => {
                    t.1 += s.passed;
                    t.2 += s.warned;
                    t.3 += s.failed;
                }
                None => sums.push((s.name.clone(), s.passed, s.warned, s.failed)),
            }
        }
        Score::from_sections(
            sums.into_iter()
                .map(|(n, p, w, f)| Section::new(&n, p, w, f))
                .collect(),
        )
    }
}

/// The health score of a snapshot given its diagnoses (`rca::run(snapshot).items`).
pub fn health(snapshot: &Snapshot, diagnoses: &[Diagnosis]) -> Score {
    let mut pods = PodTally::default();
    for pod in &snapshot.objects.pods {
        let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
        pods.count(phase == Some("Succeeded"), pod_is_healthy(pod));
    }
    let work: Vec<WorkloadTally> = workloads(snapshot).iter().map(WorkloadTally::of).collect();
    health_with(&snapshot.objects.nodes, diagnoses, pods, &work)
}

/// The pods section of the score: pods done (`Succeeded`) are not counted.
#[derive(Debug, Default, Clone, Copy)]
pub struct PodTally {
    healthy: usize,
    unhealthy: usize,
}

impl PodTally {
    pub fn count(&mut self, succeeded: bool, healthy: bool) {
        match (succeeded, healthy) {
            (true, _) => {}
            (_, true) => self.healthy += 1,
            (_, false) => self.unhealthy += 1,
        }
    }
}

/// What the workloads and containers sections read of one workload: its containers with
/// the resource settings and (for long-running ones) the readiness probe the report
/// checks for, and those without.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadTally {
    pub subject: ObjectRef,
    passed: usize,
    warned: usize,
}

impl WorkloadTally {
    pub fn of(w: &Workload<'_>) -> WorkloadTally {
        let (mut passed, mut warned) = (0, 0);
        for c in w.spec.iter().flat_map(|s| &s.containers) {
            let unprobed = w.long_running && c.readiness_probe.is_none();
            match missing_resources(c).is_empty() && !unprobed {
                true => passed += 1,
                false => warned += 1,
            }
        }
        WorkloadTally {
            subject: w.subject.clone(),
            passed,
            warned,
        }
    }
}

/// [`health`] over tallies the caller made. The watch stores keep objects packed: the
/// dashboard tallies pods and workloads from what the stores keep beside each object.
pub fn health_with(
    nodes: &[Node],
    diagnoses: &[Diagnosis],
    pods: PodTally,
    workloads: &[WorkloadTally],
) -> Score {
    let mut worst: BTreeMap<&ObjectRef, Severity> = BTreeMap::new();
    for d in diagnoses {
        let e = worst.entry(&d.subject).or_insert(d.severity);
        *e = (*e).max(d.severity);
    }
    let judge = |subject: &ObjectRef, broken: bool, tally: &mut (usize, usize, usize)| match (
        broken,
        worst.get(subject),
    ) {
        (true, _) | (_, Some(Severity::Critical)) => tally.2 += 1,
        (_, Some(Severity::Warning)) => tally.1 += 1,
        _ => tally.0 += 1,
    };
    let pods = (pods.healthy, 0, pods.unhealthy);

    let mut work = (0, 0, 0);
    let mut containers = (0, 0, 0);
    for w in workloads {
        judge(&w.subject, false, &mut work);
        containers.0 += w.passed;
        containers.1 += w.warned;
    }

    let mut tally = (0, 0, 0);
    for node in nodes {
        let ready = node
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
            .is_some_and(|c| c.status == "True");
        let subject = ObjectRef::from_meta(crate::model::Kind::Node, &node.metadata);
        judge(&subject, !ready, &mut tally);
    }
    let nodes = tally;

    Score::from_sections(
        [
            ("pods", pods),
            ("workloads", work),
            ("nodes", nodes),
            ("containers", containers),
        ]
        .into_iter()
        .map(|(n, (p, w, f))| Section::new(n, p, w, f))
        .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_follow_the_documented_bands() {
        let bands = [(100, "A"), (90, "A"), (89, "B"), (80, "B"), (79, "C")];
        for (score, want) in bands
            .into_iter()
            .chain([(60, "D"), (55, "E"), (49, "F"), (0, "F")])
        {
            assert_eq!(grade(score), want, "{score}");
        }
    }

    #[test]
    fn a_section_is_a_pass_ratio_with_half_credit_for_warnings() {
        // 6 passed, 2 warned, 2 failed of 10: (6 + 1) / 10 = 70.
        assert_eq!(Section::new("pods", 6, 2, 2).score, 70);
        assert_eq!(Section::new("pods", 0, 0, 0).score, 100);
        // Mean of 70 and 100 is 85; an empty section does not count.
        let s = Score::from_sections(vec![
            Section::new("pods", 6, 2, 2),
            Section::new("nodes", 3, 0, 0),
            Section::new("workloads", 0, 0, 0),
        ]);
        assert_eq!((s.score, s.grade.as_str()), (85, "B"));
    }

    #[test]
    fn clusters_combine_by_adding_tallies() {
        let a = Score::from_sections(vec![Section::new("pods", 1, 0, 1)]);
        let b = Score::from_sections(vec![Section::new("pods", 8, 0, 0)]);
        // (1 + 8) / 10 = 90, not the mean of 50 and 100.
        assert_eq!(Score::combine([&a, &b]).score, 90);
    }
}
