//! ImagePull analyzer (being written).

use super::{Analyzer, Context, Finding};

pub struct ImagePull;

impl Analyzer for ImagePull {
    fn name(&self) -> &'static str {
        "image_pull"
    }

    fn analyze(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
