//! Redacts secrets and PII from everything bound outward.
