//! Statements built from parts at run time (the admin's filtered lists, batched inserts), with
//! their values bound as `$1, $2, …` so that one text runs on either database.

use shared::{PostId, UserId};
use std::fmt::Write;

/// A value bound to a built statement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Int(Option<i64>),
    Text(Option<String>),
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Value::Int(Some(value))
    }
}

impl From<u32> for Value {
    fn from(value: u32) -> Self {
        Value::Int(Some(value.into()))
    }
}

impl From<u16> for Value {
    fn from(value: u16) -> Self {
        Value::Int(Some(value.into()))
    }
}

impl From<UserId> for Value {
    fn from(value: UserId) -> Self {
        Value::Int(Some(value.0))
    }
}

impl From<Option<UserId>> for Value {
    fn from(value: Option<UserId>) -> Self {
        Value::Int(value.map(|id| id.0))
    }
}

impl From<PostId> for Value {
    fn from(value: PostId) -> Self {
        Value::Int(Some(value.0))
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Value::Text(Some(value.to_owned()))
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::Text(Some(value))
    }
}

/// A statement's text and the values its placeholders stand for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Built {
    text: String,
    values: Vec<Value>,
}

impl Built {
    pub fn new(text: impl Into<String>) -> Self {
        Built { text: text.into(), values: Vec::new() }
    }

    /// A statement written whole, with the values of its placeholders.
    #[cfg(test)]
    pub fn with_values(text: impl Into<String>, values: Vec<Value>) -> Self {
        Built { text: text.into(), values }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends the next placeholder, standing for `value`.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        let _ = write!(self.text, "${}", self.values.len());
        self
    }

    /// Appends `(v1, v2, …)`, after a comma unless it is the first row of a `VALUES` list.
    pub fn row<const N: usize>(&mut self, values: [Value; N]) -> &mut Self {
        if !self.text.ends_with("VALUES ") {
            self.text.push_str(", ");
        }
        self.text.push('(');
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(value);
        }
        self.text.push(')');
        self
    }

    /// Appends `($1, $2, …)`, one placeholder per value (an `IN` list; at least one value).
    pub fn list<V: Into<Value> + Copy>(&mut self, values: &[V]) -> &mut Self {
        self.text.push('(');
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(*value);
        }
        self.text.push(')');
        self
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn values(&self) -> &[Value] {
        &self.values
    }
}

/// Built statements with more bound values than this are prepared for one run only. Their
/// text changes with their input (a batch of 300 rows is not a batch of 301), and sqlx keeps
/// up to 100 texts prepared on each connection: the request log's batches of up to 500 rows
/// held 12 MB of the server's memory that way (README "Performance"). Small ones, such as
/// a batch of likes, are run again and again, and preparing them each time cost a tenth of
/// the likes' throughput.
pub(crate) const KEEP_PREPARED_UP_TO: usize = 64;

/// Binds a [`Built`] statement's values to a query made from its text (see
/// [`KEEP_PREPARED_UP_TO`]).
macro_rules! bind_values {
    ($query:expr, $built:expr) => {{
        let keep = $built.values().len() <= $crate::store::select::KEEP_PREPARED_UP_TO;
        let mut query = $query.persistent(keep);
        for value in $built.values() {
            query = match value {
                $crate::store::select::Value::Int(v) => query.bind(*v),
                $crate::store::select::Value::Text(v) => query.bind(v.as_deref()),
            };
        }
        query
    }};
}
pub(super) use bind_values;

/// ` AND {condition}` with `value` bound after it, when there is a value (`"status = "`).
pub(super) fn and_bind<T: Into<Value>>(q: &mut Built, condition: &str, value: Option<T>) {
    if let Some(value) = value {
        q.push(" AND ").push(condition).bind(value);
    }
}

/// A subquery with the range's end bound in its middle: `(text before, text after)`.
pub(super) type Bounded = (&'static str, &'static str);

/// A time range on `time`, also as bounds on `id` (`first_id` and `last_id` find them in a
/// time index), so the newest-first walk starts and stops at the range's ends instead of
/// reading every row past them. The time conditions keep the answer exact where ids and times
/// disagree (rows imported out of order).
pub(super) fn and_time_range(
    q: &mut Built,
    (from, until): (Option<i64>, Option<i64>),
    (time, id): (&str, &str),
    first_id: Bounded,
    last_id: Bounded,
) {
    if let Some(from) = from {
        q.push(&format!(" AND {time} >= ")).bind(from);
        q.push(&format!(" AND {id} >= {}", first_id.0)).bind(from).push(first_id.1);
    }
    if let Some(until) = until {
        q.push(&format!(" AND {time} < ")).bind(until);
        q.push(&format!(" AND {id} <= {}", last_id.0)).bind(until).push(last_id.1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_count_up_and_rows_are_separated() {
        let mut q = Built::new("INSERT INTO t (a, b) VALUES ");
        q.row([1_i64.into(), "x".into()]).row([2_i64.into(), Value::Text(None)]);
        assert_eq!(q.text(), "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)");
        assert_eq!(q.values().len(), 4);
    }
}
