//! The LLM engine: for each diagnosis the router sends, build the context, ask, validate,
//! re-ask once on an invalid answer, and merge; on any failure keep the rules result and
//! say why in `warnings`.

use std::sync::Mutex;

use futures::StreamExt as _;

use super::cache::{Cache, Entry};
use super::provider::{CallError, Message, Provider, Role};
use super::schema::{self, Checked};
use super::settings::{LlmConfig, Mode};
use super::{prompt, route};
use crate::analyze::{Change, Remedy};
use crate::context::{self, Context, TokenCounter};
use crate::env::Env;
use crate::error::{Error, Result};
use crate::model::{Kind, ObjectRef, Snapshot};
use crate::rca::{self, Diagnosis, DiagnosisList, Explanation, Hypothesis, Usage};
use crate::sanitize::{SanitizeConfig, Sanitizer};

/// Diagnoses asked about at once.
const CONCURRENCY: usize = 2;
/// Used when no base URL is given but a model is.
const OPENAI_BASE: &str = "https://api.openai.com/v1";

/// What one run asks of the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Request {
    pub mode: Mode,
    /// Prose on top of every diagnosis (`--explain`).
    pub explain: bool,
}

/// What the run has spent, against the per-run budget.
#[derive(Debug, Default)]
struct Spent {
    requests: u64,
    tokens: u64,
}

/// The configured LLM engine. Built once per run; `diagnose` may be called many times and
/// shares the run's request and token budget.
pub struct Engine {
    provider: Provider,
    label: String,
    counter: TokenCounter,
    sanitizer: Sanitizer,
    cache: Option<Cache>,
    budget_tokens: usize,
    max_requests: u64,
    max_tokens: u64,
    max_completion: u64,
    spent: Mutex<Spent>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("engine", &self.label)
            .finish_non_exhaustive()
    }
}

/// What came of one diagnosis.
#[derive(Default)]
struct Outcome {
    hypotheses: Vec<Hypothesis>,
    evidence: Vec<crate::analyze::Evidence>,
    explanation: Option<Explanation>,
    usage: Usage,
    warnings: Vec<String>,
}

impl Engine {
    /// The engine of a configuration, or `None` when no endpoint is configured (rules
    /// only). A half configuration (an endpoint without a model) is an error that says what
    /// is missing. `sanitize` is the user's `[sanitize]` table, `env` gives the cache dir.
    pub fn from_config(
        cfg: &LlmConfig,
        sanitize: &SanitizeConfig,
        env: &Env<'_>,
    ) -> Result<Option<Engine>> {
        let azure = cfg.azure.deployment.as_deref();
        let (base_url, model) = match (cfg.base_url.as_deref(), cfg.model.as_deref(), azure) {
            (None, None, None) => return Ok(None),
            (None, _, Some(_)) => {
                return Err(config_error(
                    "[llm.azure] deployment is set but no endpoint",
                    "set K8SOPS_LLM_BASE_URL (or AZURE_OPENAI_ENDPOINT) to https://RESOURCE.openai.azure.com",
                ));
            }
            (Some(url), None, None) => {
                return Err(config_error(
                    &format!("an LLM endpoint is set ({url}) but no model"),
                    "set K8SOPS_LLM_MODEL, [llm] model in the config file, or --llm-model",
                ));
            }
            (url, model, deployment) => (
                url.unwrap_or(OPENAI_BASE),
                model.or(deployment).unwrap_or_default(),
            ),
        };
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(config_error(
                &format!("LLM endpoint {base_url:?} is not an http(s) URL"),
                "use the server's base URL, e.g. http://127.0.0.1:11434/v1 or https://api.openai.com/v1",
            ));
        }
        let cache = cfg
            .cache
            .then(|| env.cache_dir().map(|d| Cache::new(d.join("llm"))))
            .flatten();
        let sanitizer = match cache.as_ref().map(Cache::sanitizer_key) {
            Some(Ok(key)) => Sanitizer::with_key(sanitize, &key),
            Some(Err(e)) => {
                tracing::warn!("no stable placeholder key ({e}); the LLM cache will miss");
                Sanitizer::with_config(sanitize)
            }
            None => Sanitizer::with_config(sanitize),
        }
        .map_err(|e| {
            config_error(
                &e.to_string(),
                "fix the [sanitize] table of the config file",
            )
        })?;
        Ok(Some(Engine {
            provider: Provider::new(cfg, base_url, model)?,
            label: format!("llm:{model}"),
            counter: TokenCounter::for_model(model),
            sanitizer,
            cache,
            budget_tokens: cfg.context_tokens,
            max_requests: cfg.max_requests,
            max_tokens: cfg.max_tokens,
            max_completion: cfg.max_completion_tokens as u64,
            spent: Mutex::new(Spent::default()),
        }))
    }

    /// `llm:<model>`, as hypotheses name their engine.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The rules result with the LLM's hypotheses merged into the diagnoses the router
    /// sends, `usage` filled and a warning for each diagnosis that kept the rules result.
    pub async fn diagnose(
        &self,
        snapshot: &Snapshot,
        rules: &DiagnosisList,
        req: &Request,
    ) -> DiagnosisList {
        let mut list = rules.clone();
        let asked: Vec<(usize, &'static str)> = list
            .items
            .iter()
            .enumerate()
            .filter_map(|(i, d)| route::reason(d, req.mode, req.explain).map(|r| (i, r)))
            .collect();
        let outcomes: Vec<(usize, Outcome)> = futures::stream::iter(asked)
            .map(|(i, why)| {
                let d = &rules.items[i];
                async move {
                    tracing::info!("asking {} about {} ({why})", self.label, d.subject);
                    (i, self.one(snapshot, d, req.explain).await)
                }
            })
            .buffered(CONCURRENCY)
            .collect()
            .await;
        for (i, o) in outcomes {
            let d = &mut list.items[i];
            list.usage.add(&o.usage);
            for w in o.warnings {
                list.warnings.push(format!("llm: {}: {w}", d.subject));
            }
            if !o.hypotheses.is_empty() || o.explanation.is_some() {
                rca::merge_llm(d, o.hypotheses, o.evidence, o.explanation);
            }
        }
        list
    }

    async fn one(&self, snapshot: &Snapshot, d: &Diagnosis, explain: bool) -> Outcome {
        let mut out = Outcome::default();
        let ctx = match context::build(
            snapshot,
            d,
            &self.sanitizer,
            self.counter,
            self.budget_tokens,
        ) {
            Ok(c) => c,
            Err(e) => {
                out.warnings.push(format!(
                    "sanitizing the context failed, so nothing was sent: {e}"
                ));
                return out;
            }
        };
        // Every message, the fixed system prompt included, goes through the gate.
        let (system, user) = match (
            self.sanitizer.outbound(&prompt::system(explain)),
            self.sanitizer.outbound(&prompt::user(&ctx)),
        ) {
            (Ok(system), Ok(user)) => (system, user),
            (Err(e), _) | (_, Err(e)) => {
                out.warnings.push(format!(
                    "sanitizing the prompt failed, so nothing was sent: {e}"
                ));
                return out;
            }
        };
        let mut messages = vec![
            Message {
                role: Role::System,
                text: system,
            },
            Message {
                role: Role::User,
                text: user,
            },
        ];
        let key = Cache::key(
            self.provider.model(),
            self.provider.uses_schema(),
            &messages,
        );
        let known = |id: &str| ctx.item(id).is_some();
        let containers = containers_of(snapshot, &d.subject);
        let names: Vec<String> = containers.iter().map(|(n, _)| n.clone()).collect();
        if let Some(entry) = self.cache.as_ref().and_then(|c| c.get(&key))
            && let Ok(answer) = schema::parse(&entry.content)
        {
            out.usage.llm_cache_hits += 1;
            let checked = schema::check(answer, &known, &names);
            self.finish(d, &ctx, checked, &containers, &mut out);
            return out;
        }
        let mut repaired = false;
        loop {
            let reply = match self.call(&messages, &mut out.usage).await {
                Ok(r) => r,
                Err(why) => {
                    out.warnings.push(format!("{why}; kept the rules result"));
                    return out;
                }
            };
            match schema::parse(&reply.content) {
                Ok(answer) => {
                    let checked = schema::check(answer, &known, &names);
                    if let Some(cache) = &self.cache {
                        cache.put(
                            &key,
                            &Entry {
                                model: self.provider.model().to_string(),
                                content: reply.content,
                                prompt_tokens: reply.prompt_tokens.unwrap_or(0),
                                completion_tokens: reply.completion_tokens.unwrap_or(0),
                            },
                        );
                    }
                    self.finish(d, &ctx, checked, &containers, &mut out);
                    return out;
                }
                Err(error) if !repaired => {
                    repaired = true;
                    tracing::info!("{}: invalid answer ({error}); asking again", d.subject);
                    // The model's own words go back to it; they derive from sanitized
                    // input, and go through the sanitizer like everything else.
                    let (said, repair) = match (
                        self.sanitizer.outbound(&reply.content),
                        self.sanitizer.outbound(&prompt::repair(&error)),
                    ) {
                        (Ok(said), Ok(repair)) => (said, repair),
                        (Err(e), _) | (_, Err(e)) => {
                            out.warnings.push(format!(
                                "sanitizing the repair request failed, so nothing was sent: {e}"
                            ));
                            return out;
                        }
                    };
                    messages.push(Message {
                        role: Role::Assistant,
                        text: said,
                    });
                    messages.push(Message {
                        role: Role::User,
                        text: repair,
                    });
                }
                Err(error) => {
                    out.warnings.push(format!(
                        "the model's answer was invalid twice ({error}); kept the rules result"
                    ));
                    return out;
                }
            }
        }
    }

    /// One request against the run's budget.
    async fn call(
        &self,
        messages: &[Message],
        usage: &mut Usage,
    ) -> Result<super::provider::Reply, String> {
        let prompt_tokens: u64 = messages
            .iter()
            .map(|m| self.counter.count(&m.text) as u64 + 4)
            .sum();
        let reserve = prompt_tokens + self.max_completion;
        {
            let mut spent = self.spent.lock().unwrap_or_else(|p| p.into_inner());
            if spent.requests >= self.max_requests {
                return Err(format!(
                    "the run's budget of {} LLM requests is spent",
                    self.max_requests
                ));
            }
            if spent.tokens + reserve > self.max_tokens {
                return Err(format!(
                    "the run's budget of {} LLM tokens is spent ({} used, this request needs up to {reserve})",
                    self.max_tokens, spent.tokens
                ));
            }
            spent.requests += 1;
            spent.tokens += reserve;
        }
        usage.llm_requests += 1;
        let result = self.provider.complete(messages).await;
        let (p, c) = match &result {
            Ok(r) => (
                r.prompt_tokens.unwrap_or(prompt_tokens),
                r.completion_tokens
                    .unwrap_or_else(|| self.counter.count(&r.content) as u64),
            ),
            Err(_) => (0, 0),
        };
        {
            // Give back what the reservation over-estimated.
            let mut spent = self.spent.lock().unwrap_or_else(|p| p.into_inner());
            spent.tokens = spent.tokens - reserve + p + c;
        }
        usage.prompt_tokens += p;
        usage.completion_tokens += c;
        match result {
            Ok(r) => {
                let ms = r.latency.as_millis() as u64;
                usage.llm_latency_ms += ms;
                usage.llm_max_latency_ms = usage.llm_max_latency_ms.max(ms);
                Ok(r)
            }
            Err(e @ CallError::Timeout(_)) => Err(format!("the LLM endpoint gave {e}")),
            Err(e) => Err(e.to_string()),
        }
    }

    fn finish(
        &self,
        d: &Diagnosis,
        ctx: &Context,
        checked: Checked,
        containers: &[(String, String)],
        out: &mut Outcome,
    ) {
        out.warnings.extend(checked.dropped);
        for h in checked.hypotheses {
            for id in &h.evidence {
                if !ctx.item(id).is_some_and(|i| i.from_rules)
                    && !out.evidence.iter().any(|e| &e.id == id)
                    && let Some(e) = ctx.evidence(id)
                {
                    out.evidence.push(e);
                }
            }
            let remedy = h.remedy.map(|(change, rationale)| Remedy {
                target: d.subject.clone(),
                change: with_current(change, containers),
                rationale,
            });
            out.hypotheses.push(Hypothesis {
                cause: h.cause,
                category: h.category,
                confidence: h.confidence,
                engine: self.label.clone(),
                evidence: h.evidence,
                fix: h.fix,
                prevention: h.prevention,
                remedy,
                signature: None,
                inferred: Vec::new(),
            });
        }
        out.explanation = checked.explanation.map(|text| Explanation {
            engine: self.label.clone(),
            text,
        });
        if out.hypotheses.is_empty() && out.warnings.is_empty() && out.explanation.is_none() {
            out.warnings
                .push("the model offered no hypothesis; kept the rules result".into());
        }
    }
}

fn config_error(message: &str, hint: &str) -> Error {
    Error::Config {
        path: None,
        message: message.to_string(),
        hint: hint.to_string(),
    }
}

/// `(container, image)` of the workload's pods, init containers included.
fn containers_of(snapshot: &Snapshot, subject: &ObjectRef) -> Vec<(String, String)> {
    let pod = snapshot.objects.pods.iter().find(|p| {
        snapshot.workload_of(Kind::Pod, &p.metadata) == *subject
            || (subject.kind == "Pod"
                && p.metadata.name.as_deref() == Some(subject.name.as_str())
                && p.metadata.namespace == subject.namespace)
    });
    let Some(spec) = pod.and_then(|p| p.spec.as_ref()) else {
        return Vec::new();
    };
    spec.containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .map(|c| (c.name.clone(), c.image.clone().unwrap_or_default()))
        .collect()
}

/// A model proposes the new value; the current one comes from the spec, not from it.
fn with_current(change: Change, containers: &[(String, String)]) -> Change {
    match change {
        Change::SetImage { container, to, .. } => {
            let from = containers
                .iter()
                .find(|(n, _)| *n == container)
                .map(|(_, i)| i.clone())
                .unwrap_or_default();
            Change::SetImage {
                container,
                from,
                to,
            }
        }
        other => other,
    }
}
