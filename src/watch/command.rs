//! The `watch` command's glue: flags and configuration in, a session out to the dashboard
//! or the headless printer.

use std::io::IsTerminal as _;
use std::time::Duration;

use super::headless::{Headless, Limits, Slack};
use super::policy::RateLimit;
use super::{Input, Session, live, replay, start};
use crate::cli::{Global, WatchArgs};
use crate::config::{Config, Env, WatchConfig};
use crate::error::{Error, Result};
use crate::sanitize::Sanitizer;
use crate::source::bundle;
use crate::source::live::LiveOptions;

pub async fn run(global: &Global, args: &WatchArgs) -> Result<u8> {
    let full = Config::load(global.config.as_deref())?.config;
    let slack = match args.slack {
        true => Some((
            full.slack.webhook()?.clone(),
            Sanitizer::with_config(&full.sanitize).map_err(|e| Error::Sanitize {
                what: "the configured rules".into(),
                message: e.to_string(),
            })?,
        )),
        false => None,
    };
    let config = full.watch.clone();
    if !args.speed.is_finite() || args.speed < 0.0 {
        return Err(Error::Usage {
            flag: "--speed".into(),
            message: format!("{} is not a speed", args.speed),
            hint: "pass a factor of 0 or more, e.g. --speed 60 (0 plays as fast as possible)"
                .into(),
        });
    }
    let terminal = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    if !args.headless && !terminal {
        return Err(Error::Usage {
            flag: "watch".into(),
            message: "the dashboard needs a terminal on stdin and stdout".into(),
            hint: "run it in a terminal, or pass --headless for JSON lines".into(),
        });
    }
    let debounce = Duration::from_millis(config.debounce_ms);
    let opts = LiveOptions::from_flags(global, &args.source);
    let explainer = super::assist::explainer(&full, &Env::process())?;
    let session = start(input(&opts, args)?, debounce).await?;
    if args.headless {
        return headless(session, &config, slack, explainer).await;
    }
    let assist = crate::tui::Assist {
        explainer,
        fix: crate::tui::fix::FixFlow::from_config(&full, &Env::process())?,
    };
    crate::tui::run(session, &config, assist).await?;
    Ok(0)
}

fn input(opts: &LiveOptions, args: &WatchArgs) -> Result<Input> {
    let Some(path) = &args.source.from else {
        return Ok(Input::Live(opts.clone()));
    };
    let mut snapshot = bundle::read(path)?;
    if let (Some(ns), false) = (&opts.namespace, opts.all_namespaces) {
        snapshot = bundle::restrict_to_namespace(snapshot, ns);
    }
    let replay = args.replay.then_some(replay::Speed {
        factor: args.speed,
        paused: false,
    });
    Ok(Input::Bundle {
        snapshot: Box::new(snapshot),
        replay,
        hold: !args.headless,
    })
}

async fn headless(
    mut session: Session,
    config: &WatchConfig,
    slack: Option<(crate::config::Secret, Sanitizer)>,
    explainer: Option<std::sync::Arc<dyn super::assist::Explainer>>,
) -> Result<u8> {
    let limits = Limits {
        debounce: Duration::from_secs(config.notify_debounce_secs),
        per_hour: config.rate_limit_per_hour as usize,
        llm_failures: config.llm_failure_threshold,
        llm_cooldown: Duration::from_secs(config.llm_cooldown_secs),
    };
    let explainer = explainer.map(|e| (e, session.slices()));
    let mut printer = Headless::new(std::io::stdout(), &limits, explainer);
    if let Some((webhook, sanitizer)) = slack {
        printer = printer.with_slack(Slack {
            webhook,
            sanitizer,
            rate: RateLimit::new(limits.per_hour),
            context: session
                .origin
                .context
                .clone()
                .unwrap_or_else(|| "cluster".into()),
        });
    }
    let status = session.status.clone();
    let updates = std::mem::replace(&mut session.updates, tokio::sync::mpsc::channel(1).1);
    let warnings = {
        let status = status.clone();
        move || live::warnings(&status)
    };
    tokio::select! {
        _ = printer.run(updates, warnings) => {}
        _ = shutdown() => {}
    }
    let partial = !live::warnings(&status).is_empty();
    Ok(if partial { 3 } else { 0 })
}

/// Ctrl-C, or SIGTERM (how Kubernetes stops a pod).
async fn shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
