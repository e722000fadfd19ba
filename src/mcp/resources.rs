//! Resources: `k8sops://report/daily`, the daily health report (last 24 hours) of what the
//! server reads, as sanitized JSON — the same model `report daily -o FILE.json` writes.

use std::time::Duration;

use rmcp::ErrorData;
use rmcp::model::{ReadResourceResult, Resource};

use super::Server;
use super::output;
use super::views::Scope;
use crate::error::Result;
use crate::report::{ClusterInput, Input, Report};

pub const DAILY_REPORT: &str = "k8sops://report/daily";
const DAY: Duration = Duration::from_secs(24 * 3600);

pub fn list() -> Vec<Resource> {
    vec![
        Resource::new(DAILY_REPORT, "report-daily")
            .with_title("Daily health report")
            .with_description("Score and grade, status per namespace, issues and rollouts of the last 24 hours, resource use and recommendations (JSON, sanitized)")
            .with_mime_type("application/json"),
    ]
}

/// The report of the view of `scope` over the `since` before its capture.
pub async fn report(server: &Server, scope: &Scope, since: Duration) -> Result<Report> {
    let view = server.views.get(scope).await?;
    Ok(crate::report::build(Input {
        clusters: vec![ClusterInput {
            name: view.name.clone(),
            snapshot: Ok(view.snapshot.clone()),
        }],
        ci_runs: None,
        since,
        config: &server.report,
        now: jiff::Timestamp::now(),
    }))
}

pub async fn read(
    server: &Server,
    uri: &str,
) -> std::result::Result<ReadResourceResult, ErrorData> {
    if uri != DAILY_REPORT {
        return Err(ErrorData::resource_not_found(
            format!("no resource {uri}; this server has {DAILY_REPORT}"),
            None,
        ));
    }
    let value = report(server, &Scope::default(), DAY)
        .await
        .and_then(|r| output::sanitized_value(&server.sanitizer, &r));
    match value {
        Ok(v) => Ok(output::resource(&v, uri)),
        Err(e) => {
            let failed = output::error(&server.sanitizer, &e);
            let message: String = failed
                .content
                .iter()
                .filter_map(|c| c.as_text().map(|t| t.text.clone()))
                .collect();
            Err(ErrorData::internal_error(message, None))
        }
    }
}
