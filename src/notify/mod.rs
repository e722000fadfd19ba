//! Notifications sent outward: Slack incoming webhooks. Everything posted goes through the
//! sanitizer first; a message that cannot be sanitized is not sent.

pub mod slack;
