//! NodeProblem analyzer (being written).

use super::{Analyzer, Context, Finding};

pub struct NodeProblem;

impl Analyzer for NodeProblem {
    fn name(&self) -> &'static str {
        "node"
    }

    fn analyze(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
