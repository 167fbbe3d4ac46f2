//! The request log in the admin: filtered lists, status counts and the slowest requests.

use super::{filled, page_of, parse_cursor, parse_range, Staff, PAGE_SIZE};
use crate::store::RequestSelection;
use crate::{now, DomainError, Mublog};
use shared::admin::{Page, RequestFilter, RequestRecord, RequestStats, StatsWindow};
use shared::FieldError;

const SLOWEST: u32 = 20;

impl Mublog {
    pub async fn admin_requests(
        &self,
        _: Staff,
        filter: &RequestFilter,
    ) -> Result<Page<RequestRecord>, DomainError> {
        let mut problems = Vec::new();
        let method = filled(&filter.method).map(str::to_ascii_uppercase);
        if method.as_ref().is_some_and(|m| m.len() > 10 || !m.chars().all(|c| c.is_ascii_alphabetic())) {
            problems.push(FieldError::new("method", "Use an HTTP method, like GET or POST."));
        }
        let status =
            filled(&filter.status).map(|s| s.parse::<u16>().ok().filter(|s| (100..=599).contains(s)));
        if status == Some(None) {
            problems.push(FieldError::new("status", "Use an HTTP status, from 100 to 599."));
        }
        let user = match self.named_user("user", &filter.user).await {
            Err(DomainError::Validation(more)) => {
                problems.extend(more);
                None
            }
            other => other?,
        };
        for (field, value) in [("path", &filter.path), ("route", &filter.route)] {
            if filled(value).is_some_and(|v| v.len() > 500) {
                problems.push(FieldError::new(field, "At most 500 characters."));
            }
        }
        let at = match parse_range(&filter.from, &filter.until) {
            Ok(range) => range,
            Err(DomainError::Validation(more)) => {
                problems.extend(more);
                (None, None)
            }
            Err(e) => return Err(e),
        };
        if !problems.is_empty() {
            return Err(DomainError::Validation(problems));
        }
        let selection = RequestSelection {
            path: filled(&filter.path),
            route: filled(&filter.route),
            method: method.as_deref(),
            status: status.flatten(),
            user,
            at,
            before: parse_cursor(filter.cursor.as_deref())?,
        };
        let rows = self.db.select_requests(&selection, PAGE_SIZE + 1).await?;
        Ok(page_of(rows, |r| r.id, |r| r))
    }

    /// Requests by status, and the slowest ones, over the last hour or day.
    pub async fn request_stats(&self, _: Staff, window: StatsWindow) -> Result<RequestStats, DomainError> {
        let now = now();
        let since = now - window.seconds();
        Ok(RequestStats {
            window,
            statuses: self.db.status_counts(since).await?,
            slowest: self.db.slowest_requests(since, SLOWEST).await?,
            now,
        })
    }
}
