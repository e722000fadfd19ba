//! Unschedulable analyzer (being written).

use super::{Analyzer, Context, Finding};

pub struct Unschedulable;

impl Analyzer for Unschedulable {
    fn name(&self) -> &'static str {
        "unschedulable"
    }

    fn analyze(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
