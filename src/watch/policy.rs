//! Limits on what the headless watcher sends out: an hourly rate limit on notifications and
//! a circuit breaker on LLM calls. Pure state machines over a given clock, so replay time
//! and tests drive them as well as the wall clock.

use std::collections::VecDeque;
use std::time::Duration;

/// At most `per_hour` sends in any sliding hour.
pub struct RateLimit {
    per_hour: usize,
    sent: VecDeque<jiff::Timestamp>,
}

impl RateLimit {
    pub fn new(per_hour: usize) -> Self {
        RateLimit {
            per_hour,
            sent: VecDeque::new(),
        }
    }

    /// Takes a slot at `now` if one is free.
    pub fn allow(&mut self, now: jiff::Timestamp) -> bool {
        let hour = jiff::SignedDuration::from_hours(1);
        while self
            .sent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= hour)
        {
            self.sent.pop_front();
        }
        if self.sent.len() >= self.per_hour {
            return false;
        }
        self.sent.push_back(now);
        true
    }
}

/// Closed (calls go through) until `threshold` failures in a row; then open (calls are
/// refused) for `cooldown`; then half-open: one trial call decides.
pub struct CircuitBreaker {
    threshold: u32,
    cooldown: jiff::SignedDuration,
    failures: u32,
    open_until: Option<jiff::Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breaker {
    Closed,
    Open,
    HalfOpen,
}

impl CircuitBreaker {
    pub fn new(threshold: u32, cooldown: Duration) -> Self {
        CircuitBreaker {
            threshold: threshold.max(1),
            cooldown: jiff::SignedDuration::try_from(cooldown).unwrap_or_default(),
            failures: 0,
            open_until: None,
        }
    }

    pub fn state(&self, now: jiff::Timestamp) -> Breaker {
        match self.open_until {
            Some(until) if now < until => Breaker::Open,
            Some(_) => Breaker::HalfOpen,
            None => Breaker::Closed,
        }
    }

    /// Whether a call may be made at `now`.
    pub fn allow(&self, now: jiff::Timestamp) -> bool {
        self.state(now) != Breaker::Open
    }

    pub fn success(&mut self) {
        self.failures = 0;
        self.open_until = None;
    }

    pub fn failure(&mut self, now: jiff::Timestamp) {
        self.failures += 1;
        let half_open = self.open_until.is_some_and(|u| now >= u);
        if half_open || self.failures >= self.threshold {
            self.open_until = now.checked_add(self.cooldown).ok();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> jiff::Timestamp {
        jiff::Timestamp::from_second(1_800_000_000 + secs).expect("timestamp")
    }

    #[test]
    fn the_rate_limit_refuses_past_the_hourly_budget_and_recovers() {
        let mut r = RateLimit::new(2);
        assert!(r.allow(at(0)));
        assert!(r.allow(at(10)));
        assert!(!r.allow(at(20)), "third within the hour");
        assert!(r.allow(at(3600)), "the first slot is free again");
        assert!(!r.allow(at(3605)));
    }

    #[test]
    fn the_breaker_opens_after_consecutive_failures_and_a_trial_closes_it() {
        let mut b = CircuitBreaker::new(3, Duration::from_secs(300));
        b.failure(at(0));
        b.failure(at(1));
        assert_eq!(b.state(at(2)), Breaker::Closed);
        b.failure(at(2));
        assert_eq!(b.state(at(3)), Breaker::Open);
        assert!(!b.allow(at(301)));
        assert_eq!(b.state(at(302)), Breaker::HalfOpen);
        b.success();
        assert_eq!(b.state(at(303)), Breaker::Closed);
    }

    #[test]
    fn a_failed_trial_reopens_the_breaker_at_once() {
        let mut b = CircuitBreaker::new(2, Duration::from_secs(60));
        b.failure(at(0));
        b.failure(at(0));
        assert_eq!(b.state(at(61)), Breaker::HalfOpen);
        b.failure(at(61));
        assert_eq!(b.state(at(62)), Breaker::Open);
    }

    #[test]
    fn a_success_resets_the_failure_count() {
        let mut b = CircuitBreaker::new(2, Duration::from_secs(60));
        b.failure(at(0));
        b.success();
        b.failure(at(1));
        assert_eq!(b.state(at(2)), Breaker::Closed);
    }
}
