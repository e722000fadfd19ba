//! RolloutStuck analyzer (being written).

use super::{Analyzer, Context, Finding};

pub struct RolloutStuck;

impl Analyzer for RolloutStuck {
    fn name(&self) -> &'static str {
        "rollout"
    }

    fn analyze(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
