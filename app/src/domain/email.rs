//! An email address that has been trimmed, checked and had its domain lower-cased.

use serde::{Deserialize, Serialize};
use std::fmt;

pub const MAX_EMAIL_LEN: usize = 255;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("is required".into());
        }
        if trimmed.len() > MAX_EMAIL_LEN {
            return Err(format!("must be at most {MAX_EMAIL_LEN} characters"));
        }
        let Some((local, domain)) = trimmed.rsplit_once('@') else {
            return Err("must be an email address like name@example.com".into());
        };
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return Err("must be an email address like name@example.com".into());
        }
        if local
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"".contains(c))
            || local.starts_with('.')
            || local.ends_with('.')
            || local.contains("..")
        {
            return Err("has characters not allowed in an email address".into());
        }
        let domain = domain.to_lowercase();
        let labels: Vec<&str> = domain.split('.').collect();
        let valid_label = |label: &&str| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        };
        if labels.len() < 2 || !labels.iter().all(valid_label) {
            return Err("must have a domain like example.com".into());
        }
        if labels
            .last()
            .is_some_and(|tld| tld.len() < 2 || tld.chars().all(|c| c.is_ascii_digit()))
        {
            return Err("must have a domain like example.com".into());
        }
        Ok(Self(format!("{local}@{domain}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What uniqueness and sign-in compare (see `email_key`).
    pub fn key(&self) -> String {
        email_key(&self.0)
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// The case-folded form of an address, stored beside it and compared instead of it, so that
/// both backends agree on which addresses are the same (SQLite's `lower()` folds only ASCII).
/// The migration that introduced the column folds existing rows the same way.
pub fn email_key(raw: &str) -> String {
    raw.trim().to_lowercase()
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn trims_and_lowercases_only_the_domain() {
        let email = EmailAddress::parse("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "Ada.Lovelace@example.com");
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "   ",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@-b.com",
            "a@b.c",
            "a@b..com",
            ".a@b.com",
            "a@1.23",
        ] {
            assert!(
                EmailAddress::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn keys_fold_unicode_case() {
        let upper = EmailAddress::parse("ÜNAL@Umlaut.de").unwrap();
        let lower = EmailAddress::parse("ünal@umlaut.de").unwrap();
        assert_eq!(upper.key(), lower.key());
        assert_eq!(email_key(" Ünal@x.DE "), "ünal@x.de");
    }

    #[test]
    fn rejects_overlong_addresses() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(EmailAddress::parse(&long).is_err());
    }

    proptest! {
        #[test]
        fn accepts_simple_addresses(local in "[a-z0-9][a-z0-9._+-]{0,20}[a-z0-9]", domain in "[a-z][a-z0-9-]{0,10}[a-z0-9]", tld in "[a-z]{2,6}") {
            prop_assume!(!local.contains(".."));
            let raw = format!("{local}@{domain}.{tld}");
            let parsed = EmailAddress::parse(&raw).unwrap();
            prop_assert_eq!(parsed.as_str(), raw.as_str());
        }

        #[test]
        fn parsing_is_idempotent(raw in "\\PC{0,40}") {
            if let Ok(email) = EmailAddress::parse(&raw) {
                prop_assert_eq!(EmailAddress::parse(email.as_str()).unwrap(), email);
            }
        }
    }
}
