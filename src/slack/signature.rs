//! Slack's request signatures, for HTTP mode.
//!
//! Slack signs each request with the app's signing secret: HMAC-SHA256 over
//! `v0:<x-slack-request-timestamp>:<raw body>`, sent as
//! `x-slack-signature: v0=<hex>`. A request is accepted when the signature
//! matches and its timestamp is within [`MAX_AGE_SECONDS`] of now, so a
//! captured request cannot be replayed later.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// How far a request's timestamp may be from now, either way.
pub const MAX_AGE_SECONDS: i64 = 5 * 60;

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the request has no x-slack-signature or x-slack-request-timestamp header")]
    Missing,
    #[error("the request timestamp is not a number")]
    BadTimestamp,
    #[error("the request timestamp is more than five minutes from now")]
    Stale,
    #[error("the request signature does not match")]
    Mismatch,
}

/// `v0=<hex>` for `body` sent at `timestamp`.
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mac = mac(secret, timestamp, body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks a request's signature and age against `now` (Unix seconds).
pub fn verify(
    secret: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(SignatureError::Missing);
    };
    let sent: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| SignatureError::BadTimestamp)?;
    if (now - sent).abs() > MAX_AGE_SECONDS {
        return Err(SignatureError::Stale);
    }
    let digest = signature
        .strip_prefix("v0=")
        .and_then(|digits| hex::decode(digits).ok())
        .ok_or(SignatureError::Mismatch)?;
    // `verify_slice` compares in constant time.
    mac(secret, timestamp, body)
        .verify_slice(&digest)
        .map_err(|_| SignatureError::Mismatch)
}

fn mac(secret: &str, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(b"v0:");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_round_trips_and_a_changed_body_fails() {
        let signature = sign("secret", "100", b"a=1");
        assert_eq!(
            verify("secret", Some("100"), Some(&signature), b"a=1", 100),
            Ok(())
        );
        assert_eq!(
            verify("secret", Some("100"), Some(&signature), b"a=2", 100),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("other", Some("100"), Some(&signature), b"a=1", 100),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn malformed_headers_are_refused() {
        assert_eq!(
            verify("s", None, Some("v0=00"), b"", 0),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify("s", Some("x"), Some("v0=00"), b"", 0),
            Err(SignatureError::BadTimestamp)
        );
        assert_eq!(
            verify("s", Some("0"), Some("v1=00"), b"", 0),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("s", Some("0"), Some("v0=zz"), b"", 0),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("s", Some("0"), Some("v0=abc"), b"", 0),
            Err(SignatureError::Mismatch)
        );
    }
}
