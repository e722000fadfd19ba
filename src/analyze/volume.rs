//! Volume analyzer (being written).

use super::{Analyzer, Context, Finding};

pub struct Volume;

impl Analyzer for Volume {
    fn name(&self) -> &'static str {
        "volume"
    }

    fn analyze(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
