//! Pieces of the admin's filtered keyset lists, which build their SQL from the filters given.

use sqlx::{Encode, QueryBuilder, Sqlite, Type};

/// ` AND {condition}` with `value` bound after it, when there is a value (`"status = "`).
pub(super) fn and_bind<T>(q: &mut QueryBuilder<'static, Sqlite>, condition: &str, value: Option<T>)
where
    T: 'static + Encode<'static, Sqlite> + Type<Sqlite> + Send,
{
    if let Some(value) = value {
        q.push(" AND ").push(condition).push_bind(value);
    }
}

/// A subquery with the range's end bound in its middle: `(text before, text after)`.
pub(super) type Bounded = (&'static str, &'static str);

/// A time range on `time`, also as bounds on `id` (`first_id` and `last_id` find them in a
/// time index), so the newest-first walk starts and stops at the range's ends instead of
/// reading every row past them. The time conditions keep the answer exact where ids and times
/// disagree (rows imported out of order).
pub(super) fn and_time_range(
    q: &mut QueryBuilder<'static, Sqlite>,
    (from, until): (Option<i64>, Option<i64>),
    (time, id): (&str, &str),
    first_id: Bounded,
    last_id: Bounded,
) {
    if let Some(from) = from {
        q.push(format!(" AND {time} >= ")).push_bind(from);
        q.push(format!(" AND {id} >= {}", first_id.0)).push_bind(from).push(first_id.1);
    }
    if let Some(until) = until {
        q.push(format!(" AND {time} < ")).push_bind(until);
        q.push(format!(" AND {id} <= {}", last_id.0)).push_bind(until).push(last_id.1);
    }
}
