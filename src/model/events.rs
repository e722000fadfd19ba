//! Event timing, in both shapes the API serves: classic events carry `count` and
//! `lastTimestamp`; events written through events.k8s.io (the scheduler in new clusters)
//! carry `eventTime` and a `series` instead.

use k8s_openapi::api::core::v1::Event;

/// When the event was last observed.
pub fn event_last_seen(event: &Event) -> Option<jiff::Timestamp> {
    event
        .series
        .as_ref()
        .and_then(|s| s.last_observed_time.as_ref())
        .map(|t| t.0)
        .or_else(|| event.last_timestamp.as_ref().map(|t| t.0))
        .or_else(|| event.event_time.as_ref().map(|t| t.0))
        .or_else(|| event.first_timestamp.as_ref().map(|t| t.0))
        .or_else(|| event.metadata.creation_timestamp.as_ref().map(|t| t.0))
}

/// When the event was first observed.
pub fn event_first_seen(event: &Event) -> Option<jiff::Timestamp> {
    event
        .first_timestamp
        .as_ref()
        .map(|t| t.0)
        .or_else(|| event.event_time.as_ref().map(|t| t.0))
        .or_else(|| event.metadata.creation_timestamp.as_ref().map(|t| t.0))
}

/// How many times it happened.
pub fn event_count(event: &Event) -> i32 {
    event
        .series
        .as_ref()
        .and_then(|s| s.count)
        .or(event.count)
        .unwrap_or(1)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: serde_json::Value) -> Event {
        serde_json::from_value(v).expect("event")
    }

    #[test]
    fn classic_event_uses_count_and_last_timestamp() {
        let e = parse(serde_json::json!({
            "metadata": {"name": "web.1", "namespace": "shop"},
            "involvedObject": {"kind": "Pod", "name": "web"},
            "count": 7,
            "firstTimestamp": "2026-11-20T09:00:00Z",
            "lastTimestamp": "2026-11-20T09:20:00Z"
        }));
        assert_eq!(event_count(&e), 7);
        assert_eq!(
            event_last_seen(&e).map(|t| t.to_string()).as_deref(),
            Some("2026-11-20T09:20:00Z")
        );
        assert_eq!(
            event_first_seen(&e).map(|t| t.to_string()).as_deref(),
            Some("2026-11-20T09:00:00Z")
        );
    }

    #[test]
    fn scheduler_event_uses_series_and_event_time() {
        let e = parse(serde_json::json!({
            "metadata": {"name": "web.2", "namespace": "shop"},
            "involvedObject": {"kind": "Pod", "name": "web"},
            "eventTime": "2026-11-20T09:01:00.000000Z",
            "series": {"count": 12, "lastObservedTime": "2026-11-20T09:25:00.000000Z"},
            "firstTimestamp": null,
            "lastTimestamp": null
        }));
        assert_eq!(event_count(&e), 12);
        assert_eq!(
            event_last_seen(&e).map(|t| t.to_string()).as_deref(),
            Some("2026-11-20T09:25:00Z")
        );
        assert_eq!(
            event_first_seen(&e).map(|t| t.to_string()).as_deref(),
            Some("2026-11-20T09:01:00Z")
        );
    }
}
