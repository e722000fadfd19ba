//! The messages sent: fixed instructions, the context of one diagnosis, and the re-ask
//! after an invalid answer.

use crate::analyze::Category;
use crate::context::Context;

/// The instructions. They say what the rules engine cannot: weigh several signals, and
/// explain; and they forbid what an LLM is prone to: causes without evidence.
pub fn system(explain: bool) -> String {
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.id()).collect();
    format!(
        "You are a Kubernetes site reliability engineer finding the root cause of a broken workload.\n\
You get the evidence k8sops collected (object states, events, compressed logs, specs, what changed), \
each item with an id like ev-3, and the conclusions of a deterministic rules engine.\n\
Rules:\n\
- Use only the evidence given. Every hypothesis cites the ids of the items that support it; never cite an id that is not in the context.\n\
- Give at most 3 hypotheses, most likely first. Name the concrete cause (the key, the image tag, the limit, the host) in one sentence.\n\
- confidence is your probability in [0, 1] that the hypothesis is the root cause.\n\
- category is one of: {}.\n\
- fix: concrete steps; prevention: how to keep it from recurring.\n\
- remedy: null, or one typed change: set-memory-limit / set-memory-request / set-cpu-request (container, to), set-image (container, to), set-probe (container, probe, path or port), create-key (kind, name, key). Unused remedy fields are null.\n\
- explanation: {}\n\
- Values shown as <redacted:…> were removed on purpose; do not guess them.\n\
Answer with one JSON object only, no prose around it:\n\
{{\"hypotheses\": [{{\"cause\": \"…\", \"category\": \"…\", \"confidence\": 0.0, \"evidence\": [\"ev-1\"], \"fix\": [\"…\"], \"prevention\": [\"…\"], \"remedy\": null}}], \"explanation\": \"…\"}}",
        categories.join(", "),
        if explain {
            "a short paragraph for the on-call engineer: what happened, why, and what to do first."
        } else {
            "one or two sentences."
        }
    )
}

/// The user message: the context.
pub fn user(context: &Context) -> String {
    context.render()
}

/// The re-ask after an invalid answer.
pub fn repair(error: &str) -> String {
    format!(
        "Your answer was not valid: {error}\nReply again with only the JSON object described in the instructions."
    )
}
