//! JobFailed analyzer (being written).

use super::{Analyzer, Context, Finding};

pub struct JobFailed;

impl Analyzer for JobFailed {
    fn name(&self) -> &'static str {
        "job"
    }

    fn analyze(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
