//! Limits kept in Redis, so that they hold across every instance: one Lua script runs the
//! generic cell rate algorithm (the one governor runs in process) atomically on the server,
//! with the server's clock, so instances with skewed clocks still agree.

use super::Limit;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// `KEYS[1]`: the key; `ARGV[1]`: milliseconds between refills; `ARGV[2]`: the burst.
/// Returns 0 when allowed, else the milliseconds until the next attempt would be.
const GCRA: &str = r"
local now_parts = redis.call('TIME')
local now = now_parts[1] * 1000 + math.floor(now_parts[2] / 1000)
local interval = tonumber(ARGV[1])
local tolerance = interval * (tonumber(ARGV[2]) - 1)
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
if now < tat - tolerance then return tat - tolerance - now end
tat = tat + interval
redis.call('SET', KEYS[1], tat, 'PX', tat - now)
return 0
";

/// Why a limit could not be checked.
#[derive(Debug, thiserror::Error)]
#[error("the rate-limit store: {0}")]
pub struct StoreError(#[from] redis::RedisError);

#[derive(Clone)]
pub(super) struct Redis {
    connection: redis::aio::ConnectionManager,
    script: redis::Script,
    /// Keys start with this, so several sites (or test runs) can share one server.
    prefix: String,
}

impl Redis {
    pub(super) async fn connect(url: &str, prefix: &str) -> Result<Self, StoreError> {
        // A stalled server refuses the request quickly instead of holding it.
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(2);
        let connection = redis::Client::open(url)?.get_connection_manager_with_config(config).await?;
        Ok(Redis { connection, script: redis::Script::new(GCRA), prefix: prefix.to_owned() })
    }

    /// `Ok(Err(wait))` when the key has used up its allowance. Keys are hashed: they hold
    /// email addresses, which have no business in a cache server.
    pub(super) async fn check(&self, limit: &Limit, key: &str) -> Result<Result<(), Duration>, StoreError> {
        let digest = Sha256::digest(key.as_bytes());
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        let stored = format!("{}:limit:{}:{hex}", self.prefix, limit.name);
        let interval_ms = (limit.period / limit.burst).as_millis() as u64;
        let wait_ms: u64 = self
            .script
            .key(stored)
            .arg(interval_ms)
            .arg(limit.burst)
            .invoke_async(&mut self.connection.clone())
            .await?;
        Ok(if wait_ms == 0 { Ok(()) } else { Err(Duration::from_millis(wait_ms)) })
    }
}

/// Forgets every counter kept under `prefix` (what a test leaves, or all limits of a site an
/// operator resets). Blocking: tests call it from `Drop`.
pub fn forget_counters(url: &str, prefix: &str) -> Result<(), StoreError> {
    use redis::Commands;
    let mut connection = redis::Client::open(url)?.get_connection()?;
    let keys: Vec<String> =
        connection.scan_match::<_, String>(format!("{prefix}:*"))?.collect::<Result<_, _>>()?;
    if !keys.is_empty() {
        connection.del::<_, ()>(keys)?;
    }
    Ok(())
}
