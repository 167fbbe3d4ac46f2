//! How post times read. Ages are measured against the server's clock carried with each page,
//! so the server and the hydrating browser produce the same text.
//!
//! `time` does the calendar; the text is put together with `format!`, because `time`'s
//! formatting machinery would add kilobytes to the feed's WASM for three fixed layouts.

use time::OffsetDateTime;

fn datetime(ts: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(ts).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// "22 Nov 2026".
fn date(t: OffsetDateTime) -> String {
    let month = &t.month().to_string()[..3];
    format!("{} {month} {}", t.day(), t.year())
}

/// For `<time datetime>` (RFC 3339, UTC).
pub fn iso(ts: i64) -> String {
    let t = datetime(ts);
    let (year, month, day) = (t.year(), u8::from(t.month()), t.day());
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", t.hour(), t.minute(), t.second())
}

/// For the hover title: "22 Nov 2026, 05:39 UTC".
pub fn absolute(ts: i64) -> String {
    let t = datetime(ts);
    format!("{}, {:02}:{:02} UTC", date(t), t.hour(), t.minute())
}

/// "now", "5m", "3h", "2d", then the date. A time more than a minute ahead (a skewed clock)
/// shows its date instead of passing for "now".
pub fn age(ts: i64, now: i64) -> String {
    match now - ts {
        -60..60 => "now".to_owned(),
        secs @ 60..3600 => format!("{}m", secs / 60),
        secs @ 3600..86_400 => format!("{}h", secs / 3600),
        secs @ 86_400..604_800 => format!("{}d", secs / 86_400),
        _ => date(datetime(ts)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let t = 1_795_326_000; // 2026-11-22T05:40:00Z
        assert_eq!(iso(t), "2026-11-22T05:40:00Z");
        assert_eq!(absolute(t), "22 Nov 2026, 05:40 UTC");
        assert_eq!(age(t, t + 5), "now");
        assert_eq!(age(t, t - 30), "now", "a few seconds of skew");
        assert_eq!(age(t, t - 3 * 86_400), "22 Nov 2026", "days ahead: the date, not \"now\"");
        assert_eq!(age(t, t + 125), "2m");
        assert_eq!(age(t, t + 7200), "2h");
        assert_eq!(age(t, t + 3 * 86_400), "3d");
        assert_eq!(age(t, t + 30 * 86_400), "22 Nov 2026");
        assert_eq!(iso(1_767_225_599), "2025-12-31T23:59:59Z");
        assert_eq!(absolute(1_748_736_000), "1 Jun 2025, 00:00 UTC");
    }
}
