//! The health score in the header: one number from the current diagnoses, so a glance
//! says whether things got better or worse. Swappable for the daily report's score.
//!
//! Formula: start at 100 and subtract, per diagnosis, 10 for critical, 4 for warning and
//! 1 for info, each weighted by its top hypothesis' confidence (a shaky guess costs less
//! than a certain failure); the result is floored at 0 and rounded. Grades: A ≥ 90,
//! B ≥ 75, C ≥ 60, D ≥ 40, else F.

use crate::analyze::Severity;
use crate::rca::Diagnosis;

/// A score in 0..=100 and its letter grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Health {
    pub score: u8,
    pub grade: char,
}

pub fn score(diagnoses: &[Diagnosis]) -> Health {
    let penalty: f64 = diagnoses
        .iter()
        .map(|d| {
            let weight = match d.severity {
                Severity::Critical => 10.0,
                Severity::Warning => 4.0,
                Severity::Info => 1.0,
            };
            weight * d.top().map_or(1.0, |h| h.confidence)
        })
        .sum();
    let score = (100.0 - penalty).clamp(0.0, 100.0).round() as u8;
    let grade = match score {
        90.. => 'A',
        75.. => 'B',
        60.. => 'C',
        40.. => 'D',
        _ => 'F',
    };
    Health { score, grade }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnosis(severity: Severity, confidence: f64) -> Diagnosis {
        let category = crate::analyze::Category::OomKilled;
        Diagnosis {
            subject: crate::model::ObjectRef::new("Deployment", Some("shop"), "web"),
            severity,
            hypotheses: vec![crate::rca::Hypothesis {
                cause: String::new(),
                category,
                confidence,
                engine: "rules".into(),
                evidence: Vec::new(),
                fix: Vec::new(),
                prevention: Vec::new(),
                remedy: None,
            }],
            findings: Vec::new(),
            evidence: Vec::new(),
            changes: Vec::new(),
        }
    }

    #[test]
    fn a_healthy_cluster_scores_100_grade_a() {
        assert_eq!(
            score(&[]),
            Health {
                score: 100,
                grade: 'A'
            }
        );
    }

    #[test]
    fn a_certain_critical_costs_more_than_a_shaky_one() {
        let certain = score(&[diagnosis(Severity::Critical, 0.9)]);
        let shaky = score(&[diagnosis(Severity::Critical, 0.3)]);
        assert_eq!(certain.score, 91);
        assert_eq!(shaky.score, 97);
    }

    #[test]
    fn many_criticals_floor_at_zero_grade_f() {
        let many = vec![diagnosis(Severity::Critical, 0.97); 20];
        assert_eq!(
            score(&many),
            Health {
                score: 0,
                grade: 'F'
            }
        );
    }
}
