//! How post times read. Ages are measured against the server's clock carried with each page,
//! so the server and the hydrating browser produce the same text.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::OffsetDateTime;

fn datetime(ts: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(ts).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// For `<time datetime>`.
pub fn iso(ts: i64) -> String {
    datetime(ts).format(&Rfc3339).unwrap_or_default()
}

/// For the hover title: "22 Nov 2026, 05:39 UTC".
pub fn absolute(ts: i64) -> String {
    let fmt = format_description!("[day padding:none] [month repr:short] [year], [hour]:[minute] UTC");
    datetime(ts).format(&fmt).unwrap_or_default()
}

/// "now", "5m", "3h", "2d", then the date.
pub fn age(ts: i64, now: i64) -> String {
    let secs = (now - ts).max(0);
    match secs {
        0..60 => "now".to_owned(),
        60..3600 => format!("{}m", secs / 60),
        3600..86_400 => format!("{}h", secs / 3600),
        86_400..604_800 => format!("{}d", secs / 86_400),
        _ => {
            let fmt = format_description!("[day padding:none] [month repr:short] [year]");
            datetime(ts).format(&fmt).unwrap_or_default()
        }
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
        assert_eq!(age(t, t + 125), "2m");
        assert_eq!(age(t, t + 7200), "2h");
        assert_eq!(age(t, t + 3 * 86_400), "3d");
        assert_eq!(age(t, t + 30 * 86_400), "22 Nov 2026");
    }
}
