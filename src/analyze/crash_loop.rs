//! CrashLoop analyzer (being written).

use super::{Analyzer, Context, Finding};

pub struct CrashLoop;

impl Analyzer for CrashLoop {
    fn name(&self) -> &'static str {
        "crash_loop"
    }

    fn analyze(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
