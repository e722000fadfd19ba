//! ConfigMissing analyzer (being written).

use super::{Analyzer, Context, Finding};

pub struct ConfigMissing;

impl Analyzer for ConfigMissing {
    fn name(&self) -> &'static str {
        "config_missing"
    }

    fn analyze(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
