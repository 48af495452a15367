//! A parsed filter condition as SQL on either backend. Every value is a bound parameter; the
//! only text spliced in is fixed column names chosen by the field.
//!
//! Conditions run through the non-barrier `tenant_leads` view (m0004), so PostgreSQL may test
//! them on other tenants' rows before the tenant predicate: none of them may raise an error
//! that depends on a row's content (the numeric cast is guarded by the value's JSON type).

use crate::domain::email::email_key;
use crate::domain::filter::{FieldKind, FilterCondition, FilterField, FilterOp, FilterValue};
use crate::server::entity::lead;
use chrono::{Duration, Utc};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, DbBackend, Value};

use super::list_leads::contains_pattern;

/// `template` with `$1`, `$2`… (each may appear several times) bound to `values`. SQLite takes
/// plain `?` in order, so there the values are repeated to match.
fn custom(backend: DbBackend, template: &str, values: Vec<Value>) -> SimpleExpr {
    if backend == DbBackend::Postgres {
        return Expr::cust_with_values(template.to_owned(), values);
    }
    let mut sql = String::with_capacity(template.len());
    let mut ordered = Vec::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        let mut digits = String::new();
        while c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            digits.push(chars.next().unwrap_or_default());
        }
        match digits.parse::<usize>() {
            Ok(n) => {
                sql.push('?');
                ordered.push(values[n - 1].clone());
            }
            Err(_) => sql.push(c),
        }
    }
    Expr::cust_with_values(sql, ordered)
}

/// `text` with `LIKE`'s wildcards (and its escape character) taken literally.
fn escaped(text: &str) -> String {
    let pattern = contains_pattern(text);
    pattern[1..pattern.len() - 1].to_owned()
}

/// `LIKE` pattern matching text that starts with `prefix`, wildcards taken literally.
fn starts_pattern(prefix: &str) -> String {
    format!("{}%", escaped(prefix))
}

fn text_column(field: &FilterField) -> &'static str {
    match field {
        FilterField::Email => "email",
        FilterField::Name => "name",
        FilterField::FirstName => "first_name",
        FilterField::LastName => "last_name",
        _ => "company",
    }
}

fn time_column(field: &FilterField) -> lead::Column {
    match field {
        FilterField::Created => lead::Column::Created,
        _ => lead::Column::Updated,
    }
}

/// `NOT expr`, where an unknown (NULL) `expr` counts as false: "is not pro" includes contacts
/// with no plan at all.
fn not(backend: DbBackend, expr: SimpleExpr) -> SimpleExpr {
    let placeholder = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    Expr::cust_with_exprs(format!("NOT coalesce({placeholder}, FALSE)"), [expr])
}

fn like(backend: DbBackend) -> &'static str {
    // SQLite's LIKE already ignores ASCII case.
    if backend == DbBackend::Postgres {
        "ILIKE"
    } else {
        "LIKE"
    }
}

fn text_condition(backend: DbBackend, c: &FilterCondition) -> SimpleExpr {
    let col = text_column(c.field());
    let value = match c.value() {
        FilterValue::Text(t) => t.clone(),
        _ => String::new(),
    };
    let like = like(backend);
    match c.op() {
        FilterOp::Contains => custom(
            backend,
            &format!(r#""{col}" {like} $1 ESCAPE '\'"#),
            vec![contains_pattern(&value).into()],
        ),
        FilterOp::Starts => custom(
            backend,
            &format!(r#""{col}" {like} $1 ESCAPE '\'"#),
            vec![starts_pattern(&value).into()],
        ),
        // Email equality is the uniqueness rule's: the case-folded key.
        FilterOp::Eq if *c.field() == FilterField::Email => custom(
            backend,
            r#""email_key" = $1"#,
            vec![email_key(&value).into()],
        ),
        FilterOp::Neq if *c.field() == FilterField::Email => custom(
            backend,
            r#""email_key" <> $1"#,
            vec![email_key(&value).into()],
        ),
        FilterOp::Eq => custom(
            backend,
            &format!(r#"lower("{col}") = lower($1)"#),
            vec![value.into()],
        ),
        FilterOp::Neq => custom(
            backend,
            &format!(r#"lower("{col}") <> lower($1)"#),
            vec![value.into()],
        ),
        FilterOp::Empty => Expr::cust(format!(r#""{col}" = ''"#)),
        _ => Expr::cust(format!(r#""{col}" <> ''"#)),
    }
}

fn domain_condition(backend: DbBackend, c: &FilterCondition) -> SimpleExpr {
    let FilterValue::Text(domain) = c.value() else {
        return Expr::cust("FALSE");
    };
    // `email_key` is already lower case, so a plain LIKE on the escaped domain is exact.
    let pattern = format!("%@{}", escaped(domain));
    let matches = custom(
        backend,
        r#""email_key" LIKE $1 ESCAPE '\'"#,
        vec![pattern.into()],
    );
    if c.op() == FilterOp::Neq {
        not(backend, matches)
    } else {
        matches
    }
}

fn status_condition(c: &FilterCondition) -> SimpleExpr {
    let statuses: Vec<&'static str> = match c.value() {
        FilterValue::Statuses(s) => s.iter().map(|s| s.as_str()).collect(),
        _ => Vec::new(),
    };
    match c.op() {
        FilterOp::Neq => lead::Column::Status.is_not_in(statuses),
        _ => lead::Column::Status.is_in(statuses),
    }
}

fn score_condition(c: &FilterCondition) -> SimpleExpr {
    let col = lead::Column::Score;
    match (c.op(), c.value()) {
        (FilterOp::Between, FilterValue::ScoreRange(low, high)) => col.between(*low, *high),
        (op, FilterValue::Score(n)) => match op {
            FilterOp::Eq => col.eq(*n),
            FilterOp::Neq => col.ne(*n),
            FilterOp::Lt => col.lt(*n),
            FilterOp::Lte => col.lte(*n),
            FilterOp::Gt => col.gt(*n),
            _ => col.gte(*n),
        },
        _ => Expr::cust("FALSE"),
    }
}

fn time_condition(c: &FilterCondition) -> SimpleExpr {
    let col = time_column(c.field());
    match (c.op(), c.value()) {
        (FilterOp::After, FilterValue::Moment(m)) => col.gte(m.start()),
        (FilterOp::Before, FilterValue::Moment(m)) => col.lt(m.start()),
        (FilterOp::Between, FilterValue::MomentRange(start, end)) => Condition::all()
            .add(col.gte(start.start()))
            .add(col.lt(end.end_exclusive()))
            .into(),
        (FilterOp::LastDays, FilterValue::Days(days)) => {
            col.gte(Utc::now() - Duration::days(i64::from(*days)))
        }
        _ => Expr::cust("FALSE"),
    }
}

/// The JSON values an attribute equality accepts for `raw`: always the string, and also the
/// number or boolean it spells, so `seats:eq:5` finds `5` and `"5"`, `vip:eq:true` finds `true`.
fn equal_values(raw: &str) -> Vec<serde_json::Value> {
    let mut values = vec![serde_json::Value::String(raw.to_owned())];
    if let Ok(n) = raw.parse::<i64>() {
        values.push(n.into());
    } else if let Some(n) = raw
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
    {
        values.push(n.into());
    }
    match raw {
        "true" => values.push(true.into()),
        "false" => values.push(false.into()),
        _ => {}
    }
    values
}

fn attribute_condition(backend: DbBackend, key: &str, c: &FilterCondition) -> SimpleExpr {
    let pg = backend == DbBackend::Postgres;
    let like = like(backend);
    // SQLite addresses the key by a JSON path; keys cannot hold a double quote.
    let key_value: Value = if pg {
        key.into()
    } else {
        format!("$.\"{key}\"").into()
    };
    let text_test = |pattern: String| {
        let sql = if pg {
            format!(
                r#"(jsonb_typeof("attributes" -> $1) = 'string' AND "attributes" ->> $1 {like} $2 ESCAPE '\')"#
            )
        } else {
            format!(
                r#"(json_type("attributes", $1) = 'text' AND json_extract("attributes", $1) {like} $2 ESCAPE '\')"#
            )
        };
        custom(backend, &sql, vec![key_value.clone(), pattern.into()])
    };
    match (c.op(), c.value()) {
        (FilterOp::Eq | FilterOp::Neq, FilterValue::Text(raw)) => {
            let equal = if pg {
                // Containment, so the GIN index on `attributes` (m0005) serves it.
                let mut sql = Vec::new();
                let mut values = Vec::new();
                for (i, v) in equal_values(raw).into_iter().enumerate() {
                    sql.push(format!(r#""attributes" @> ${}::jsonb"#, i + 1));
                    values.push(serde_json::json!({ key: v }).to_string().into());
                }
                custom(backend, &format!("({})", sql.join(" OR ")), values)
            } else {
                let mut sql = vec![r#"(json_type("attributes", $1) = 'text' AND json_extract("attributes", $1) = $2)"#.to_owned()];
                let mut values: Vec<Value> = vec![key_value.clone(), raw.clone().into()];
                for v in equal_values(raw).into_iter().skip(1) {
                    match v {
                        serde_json::Value::Bool(b) => sql.push(format!(
                            r#"json_type("attributes", $1) = '{}'"#,
                            if b { "true" } else { "false" }
                        )),
                        serde_json::Value::Number(n) => {
                            sql.push(r#"(json_type("attributes", $1) IN ('integer', 'real') AND json_extract("attributes", $1) = $3)"#.to_owned());
                            values.push(n.as_f64().unwrap_or_default().into());
                        }
                        _ => {}
                    }
                }
                custom(backend, &format!("({})", sql.join(" OR ")), values)
            };
            if c.op() == FilterOp::Neq {
                not(backend, equal)
            } else {
                equal
            }
        }
        (FilterOp::Contains, FilterValue::Text(raw)) => text_test(contains_pattern(raw)),
        (FilterOp::Starts, FilterValue::Text(raw)) => text_test(starts_pattern(raw)),
        (
            op @ (FilterOp::Lt | FilterOp::Lte | FilterOp::Gt | FilterOp::Gte),
            FilterValue::Number(n),
        ) => {
            let cmp = match op {
                FilterOp::Lt => "<",
                FilterOp::Lte => "<=",
                FilterOp::Gt => ">",
                _ => ">=",
            };
            let sql = if pg {
                format!(
                    r#"(CASE WHEN jsonb_typeof("attributes" -> $1) = 'number' THEN ("attributes" ->> $1)::numeric END) {cmp} $2::numeric"#
                )
            } else {
                format!(
                    r#"(json_type("attributes", $1) IN ('integer', 'real') AND json_extract("attributes", $1) {cmp} $2)"#
                )
            };
            custom(backend, &sql, vec![key_value, (*n).into()])
        }
        (FilterOp::Exists | FilterOp::NotExists, _) => {
            let sql = if pg {
                r#"jsonb_exists("attributes", $1)"#
            } else {
                r#"json_type("attributes", $1) IS NOT NULL"#
            };
            let exists = custom(backend, sql, vec![key_value]);
            if c.op() == FilterOp::NotExists {
                not(backend, exists)
            } else {
                exists
            }
        }
        _ => Expr::cust("FALSE"),
    }
}

/// The SQL of one condition.
pub(super) fn condition(backend: DbBackend, c: &FilterCondition) -> SimpleExpr {
    match c.field().kind() {
        FieldKind::Text => text_condition(backend, c),
        FieldKind::Domain => domain_condition(backend, c),
        FieldKind::Status => status_condition(c),
        FieldKind::Score => score_condition(c),
        FieldKind::Time => time_condition(c),
        FieldKind::Attribute => match c.field() {
            FilterField::Attribute(key) => attribute_condition(backend, key, c),
            _ => Expr::cust("FALSE"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{PostgresQueryBuilder, Query, SqliteQueryBuilder};

    fn sql(backend: DbBackend, raw: &str) -> String {
        let c = FilterCondition::parse(raw).unwrap();
        let q = Query::select()
            .expr(Expr::val(1))
            .and_where(condition(backend, &c))
            .to_owned();
        match backend {
            DbBackend::Postgres => q.to_string(PostgresQueryBuilder),
            _ => q.to_string(SqliteQueryBuilder),
        }
    }

    #[test]
    fn values_are_bound_and_placeholders_repeat_on_sqlite() {
        let pg = sql(DbBackend::Postgres, "attributes.plan:contains:pro");
        assert!(pg.contains(r#""attributes" -> 'plan'"#), "{pg}");
        let lite = sql(DbBackend::Sqlite, "attributes.plan:contains:pro");
        assert_eq!(lite.matches(r#"'$."plan"'"#).count(), 2, "{lite}");
        assert!(lite.contains("'%pro%'"), "{lite}");
    }

    #[test]
    fn domains_and_prefixes_are_literal() {
        let lite = sql(DbBackend::Sqlite, "emailDomain:eq:ex_ample.com");
        assert!(lite.contains(r"'%@ex\_ample.com'"), "{lite}");
        let lite = sql(DbBackend::Sqlite, "name:starts:50%");
        assert!(lite.contains(r"'50\%%'"), "{lite}");
    }
}
