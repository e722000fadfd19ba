//! QuotaLimits analyzer (being written).

use super::{Analyzer, Context, Finding};

pub struct QuotaLimits;

impl Analyzer for QuotaLimits {
    fn name(&self) -> &'static str {
        "quota"
    }

    fn analyze(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
