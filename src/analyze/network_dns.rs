//! NetworkDns analyzer (being written).

use super::{Analyzer, Context, Finding};

pub struct NetworkDns;

impl Analyzer for NetworkDns {
    fn name(&self) -> &'static str {
        "network_dns"
    }

    fn analyze(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
