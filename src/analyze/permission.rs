//! Permission analyzer (being written).

use super::{Analyzer, Context, Finding};

pub struct Permission;

impl Analyzer for Permission {
    fn name(&self) -> &'static str {
        "permission"
    }

    fn analyze(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
