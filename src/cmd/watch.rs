//! `k8sops watch`: flags and configuration in, a session out to the dashboard or the
//! headless printer.

use std::io::IsTerminal as _;
use std::time::Duration;

use std::sync::Arc;

use super::cli::WatchArgs;
use super::settings::Settings;
use crate::env::Secret;
use crate::error::{Error, Result};
use crate::sanitize::Sanitizer;
use crate::source::live::LiveOptions;
use crate::source::{self, bundle};
use crate::watch::headless::{Headless, Limits, Slack};
use crate::watch::policy::RateLimit;
use crate::watch::{Input, Session, WatchConfig, assist, live, replay, start};

pub async fn run(settings: &Settings, args: &WatchArgs) -> Result<u8> {
    let full = settings.config()?;
    let sanitizer = settings.sanitizer()?;
    let slack = match args.slack {
        true => Some((full.slack.webhook()?.clone(), sanitizer.clone())),
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
    let opts = settings.live(&args.cluster, &args.source);
    let explainer = assist::explainer(&full.llm, &full.sanitize, &settings.env)?;
    let session = start(input(&opts, args)?, debounce).await?;
    if args.headless {
        return headless(session, &config, sanitizer, slack, explainer).await;
    }
    let assist = crate::tui::Assist {
        explainer,
        fix: super::fix::flow(settings, &Default::default())?.map(crate::tui::fix::FixFlow::new),
    };
    crate::tui::run(session, &config, assist).await?;
    Ok(0)
}

fn input(opts: &LiveOptions, args: &WatchArgs) -> Result<Input> {
    let Some(path) = &args.source.from else {
        return Ok(Input::Live(opts.clone()));
    };
    let snapshot = source::narrow(bundle::read(path)?, opts)?;
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
    sanitizer: Arc<Sanitizer>,
    slack: Option<(Secret, Arc<Sanitizer>)>,
    explainer: Option<Arc<dyn assist::Explainer>>,
) -> Result<u8> {
    let limits = Limits {
        debounce: Duration::from_secs(config.notify_debounce_secs),
        per_hour: config.rate_limit_per_hour as usize,
        llm_failures: config.llm_failure_threshold,
        llm_cooldown: Duration::from_secs(config.llm_cooldown_secs),
    };
    let explainer = explainer.map(|e| (e, session.slices()));
    let mut printer = Headless::new(std::io::stdout(), &limits, sanitizer, explainer);
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
