//! Notifications sent outward: Slack incoming webhooks and GitHub issues. Everything posted
//! goes through the sanitizer first; a message that cannot be sanitized is not sent.

pub mod github_issue;
pub mod slack;
