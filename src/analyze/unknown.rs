//! Unknown analyzer (being written).

use super::{Analyzer, Context, Finding};

pub struct Unknown;

impl Analyzer for Unknown {
    fn name(&self) -> &'static str {
        "unknown"
    }

    fn analyze(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
