//! Custom key/value attributes of a lead: a bounded JSON object of strings, numbers and booleans.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub const MAX_ATTRIBUTES: usize = 50;
pub const MAX_KEY_LEN: usize = 64;
pub const MAX_TEXT_LEN: usize = 1000;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AttributeValue {
    Bool(bool),
    Number(serde_json::Number),
    Text(String),
}

// By hand rather than `#[serde(untagged)]` (or through `Value`), whose general machinery is
// large in the WASM client.
impl<'de> Deserialize<'de> for AttributeValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Scalar;
        impl serde::de::Visitor<'_> for Scalar {
            type Value = AttributeValue;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_bool<E>(self, v: bool) -> Result<AttributeValue, E> {
                Ok(AttributeValue::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<AttributeValue, E> {
                Ok(AttributeValue::Number(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<AttributeValue, E> {
                Ok(AttributeValue::Number(v.into()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<AttributeValue, E> {
                serde_json::Number::from_f64(v)
                    .map(AttributeValue::Number)
                    .ok_or_else(|| E::custom("numbers must be finite"))
            }
            fn visit_str<E>(self, v: &str) -> Result<AttributeValue, E> {
                Ok(AttributeValue::Text(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<AttributeValue, E> {
                Ok(AttributeValue::Text(v))
            }
        }
        deserializer.deserialize_any(Scalar)
    }
}

impl AttributeValue {
    /// How a value reads in a form field.
    pub fn to_form_text(&self) -> String {
        match self {
            Self::Bool(b) => b.to_string(),
            Self::Number(n) => n.to_string(),
            Self::Text(s) => s.clone(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Attributes(BTreeMap<String, AttributeValue>);

pub fn validate_key(key: &str) -> Result<(), String> {
    if key.is_empty() || key.chars().count() > MAX_KEY_LEN {
        return Err(format!("keys must be 1–{MAX_KEY_LEN} characters"));
    }
    if !key
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '))
    {
        return Err(format!(
            "key {key:?} may only use letters, digits, _ - . and space"
        ));
    }
    Ok(())
}

pub fn validate_value(key: &str, value: &Value) -> Result<AttributeValue, String> {
    match value {
        Value::Bool(b) => Ok(AttributeValue::Bool(*b)),
        Value::Number(n) => Ok(AttributeValue::Number(n.clone())),
        // Line breaks and tabs are fine in a note; other control characters (NUL above all,
        // which no PostgreSQL text or jsonb value can hold) are refused.
        Value::String(s)
            if s.chars()
                .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) =>
        {
            Err(format!(
                "value of {key:?} must not contain control characters"
            ))
        }
        Value::String(s) if s.chars().count() <= MAX_TEXT_LEN => {
            Ok(AttributeValue::Text(s.clone()))
        }
        Value::String(_) => Err(format!(
            "value of {key:?} must be at most {MAX_TEXT_LEN} characters"
        )),
        _ => Err(format!(
            "value of {key:?} must be a string, number or boolean"
        )),
    }
}

impl Attributes {
    pub fn empty() -> Self {
        Self::default()
    }

    /// Parses a JSON value as received from the API.
    pub fn from_json(value: &Value) -> Result<Self, String> {
        let Value::Object(map) = value else {
            return Err("must be an object of key/value pairs".into());
        };
        Self::from_map(map)
    }

    fn from_map(map: &Map<String, Value>) -> Result<Self, String> {
        if map.len() > MAX_ATTRIBUTES {
            return Err(format!("at most {MAX_ATTRIBUTES} attributes"));
        }
        let mut out = BTreeMap::new();
        for (key, value) in map {
            validate_key(key)?;
            out.insert(key.clone(), validate_value(key, value)?);
        }
        Ok(Self(out))
    }

    /// Parses key/value rows from a form. A form cannot tell "42" the string from 42 the
    /// number, so new values are text; a row whose text is unchanged from `previous` keeps the
    /// type it had (editing a contact must not turn its numbers into strings).
    pub fn from_rows(rows: &[(String, String)], previous: &Attributes) -> Result<Self, String> {
        let mut map = Map::new();
        for (key, value) in rows {
            let key = key.trim();
            if key.is_empty() && value.trim().is_empty() {
                continue;
            }
            if key.is_empty() {
                return Err("every attribute needs a key".into());
            }
            if map.contains_key(key) {
                return Err(format!("key {key:?} is used twice"));
            }
            let unchanged = previous
                .0
                .get(key)
                .filter(|old| old.to_form_text() == *value);
            let value = match unchanged {
                Some(old) => {
                    serde_json::to_value(old).unwrap_or_else(|_| Value::String(value.clone()))
                }
                None => Value::String(value.clone()),
            };
            map.insert(key.to_owned(), value);
        }
        Self::from_map(&map)
    }

    pub fn to_json(&self) -> Value {
        serde_json::to_value(&self.0).unwrap_or_else(|_| Value::Object(Map::new()))
    }

    pub fn get(&self, key: &str) -> Option<&AttributeValue> {
        self.0.get(key)
    }

    /// Sets one attribute, refusing a new key beyond `MAX_ATTRIBUTES`. Says whether it changed.
    pub fn set(&mut self, key: &str, value: AttributeValue) -> Result<bool, String> {
        if !self.0.contains_key(key) && self.0.len() >= MAX_ATTRIBUTES {
            return Err(format!("a contact has at most {MAX_ATTRIBUTES} attributes"));
        }
        Ok(self.0.insert(key.to_owned(), value.clone()).as_ref() != Some(&value))
    }

    /// Removes one attribute. Says whether it was there.
    pub fn remove(&mut self, key: &str) -> bool {
        self.0.remove(key).is_some()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &AttributeValue)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn accepts_strings_numbers_and_booleans() {
        let attrs = Attributes::from_json(
            &json!({"plan": "pro", "seats": 12, "trial": false, "lead source": "x"}),
        )
        .unwrap();
        assert_eq!(attrs.len(), 4);
        assert_eq!(
            attrs.to_json(),
            json!({"plan": "pro", "seats": 12, "trial": false, "lead source": "x"})
        );
    }

    #[test]
    fn rejects_nested_values_bad_keys_and_too_many() {
        assert!(Attributes::from_json(&json!({"a": {"b": 1}})).is_err());
        assert!(Attributes::from_json(&json!({"a": [1]})).is_err());
        assert!(Attributes::from_json(&json!({"a": null})).is_err());
        assert!(Attributes::from_json(&json!({"": 1})).is_err());
        assert!(Attributes::from_json(&json!({"a/b": 1})).is_err());
        assert!(Attributes::from_json(&json!({"k".repeat(65): 1})).is_err());
        assert!(Attributes::from_json(&json!({"a": "x".repeat(1001)})).is_err());
        assert!(Attributes::from_json(&json!([1, 2])).is_err());
        let many: Map<String, Value> = (0..51).map(|i| (format!("k{i}"), json!(i))).collect();
        assert!(Attributes::from_json(&Value::Object(many)).is_err());
    }

    #[test]
    fn rejects_control_characters_but_keeps_line_breaks() {
        assert!(Attributes::from_json(&json!({"k": "v\u{0}"})).is_err());
        assert!(Attributes::from_json(&json!({"k": "bell\u{7}"})).is_err());
        assert!(Attributes::from_json(&json!({"note": "line one\nline two\tend"})).is_ok());
    }

    #[test]
    fn deserializes_scalars_only() {
        let attrs: Attributes =
            serde_json::from_value(json!({"a": "x", "b": 2, "c": -1.5, "d": true})).unwrap();
        assert_eq!(
            attrs.to_json(),
            json!({"a": "x", "b": 2, "c": -1.5, "d": true})
        );
        assert!(serde_json::from_value::<Attributes>(json!({"a": [1]})).is_err());
        assert!(serde_json::from_value::<Attributes>(json!({"a": null})).is_err());
    }

    #[test]
    fn form_rows_flag_duplicate_and_empty_keys() {
        let rows_of = |r: &[(&str, &str)]| {
            r.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        assert!(
            Attributes::from_rows(&rows_of(&[("a", "1"), (" a ", "2")]), &Attributes::empty())
                .is_err()
        );
        assert!(Attributes::from_rows(&rows_of(&[("", "value")]), &Attributes::empty()).is_err());
        assert_eq!(
            Attributes::from_rows(&rows_of(&[("", ""), ("plan", "pro")]), &Attributes::empty())
                .unwrap()
                .len(),
            1
        );
    }

    proptest! {
        #[test]
        fn valid_keys_round_trip(key in "[A-Za-z0-9_. -]{1,64}", value in "\\PC{0,50}") {
            let attrs = Attributes::from_json(&json!({ key.clone(): value.clone() })).unwrap();
            prop_assert_eq!(Attributes::from_json(&attrs.to_json()).unwrap(), attrs);
        }
    }
}
