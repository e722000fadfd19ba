//! ProbeFailure analyzer (being written).

use super::{Analyzer, Context, Finding};

pub struct ProbeFailure;

impl Analyzer for ProbeFailure {
    fn name(&self) -> &'static str {
        "probe"
    }

    fn analyze(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
