//! OomKilled analyzer (being written).

use super::{Analyzer, Context, Finding};

pub struct OomKilled;

impl Analyzer for OomKilled {
    fn name(&self) -> &'static str {
        "oom"
    }

    fn analyze(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
