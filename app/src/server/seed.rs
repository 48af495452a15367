//! The demo workspace created on first start, so the app is alive at first sight.

use crate::domain::account::Signup;
use crate::domain::attributes::Attributes;
use crate::domain::email::EmailAddress;
use crate::domain::error::AppError;
use crate::domain::lead::LeadStatus;
use crate::domain::lead_input::NewLead;
use crate::server::entity::tenant;
use crate::server::service::{auth, leads};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use serde_json::json;

pub const DEMO_EMAIL: &str = "demo@example.com";
pub const DEMO_PASSWORD: &str = "demo-password";
pub const DEMO_CONTACTS: usize = 300;

const FIRST: [&str; 20] = [
    "Ada",
    "Grace",
    "Alan",
    "Linus",
    "Margaret",
    "Ken",
    "Barbara",
    "Dennis",
    "Frances",
    "Edsger",
    "Radia",
    "Tim",
    "Hedy",
    "John",
    "Katherine",
    "Donald",
    "Sophie",
    "Niklaus",
    "Annie",
    "Bjarne",
];
const LAST: [&str; 20] = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Torvalds",
    "Hamilton",
    "Thompson",
    "Liskov",
    "Ritchie",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "McCarthy",
    "Johnson",
    "Knuth",
    "Wilson",
    "Wirth",
    "Easley",
    "Stroustrup",
];
const COMPANIES: [&str; 12] = [
    "Acme Corp",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark Industries",
    "Wayne Enterprises",
    "Soylent",
    "Cyberdyne",
    "Tyrell",
    "Vandelay Industries",
    "Pied Piper",
];
const PLANS: [&str; 3] = ["free", "pro", "enterprise"];

/// Creates the demo workspace when the database has no workspace at all. Returns whether it did.
pub async fn seed_demo_if_empty(db: &DatabaseConnection) -> Result<bool, AppError> {
    if tenant::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    let signup =
        Signup::parse(DEMO_EMAIL, DEMO_PASSWORD, "Demo Workspace").map_err(AppError::from)?;
    let signed_in = auth::signup(db, signup).await?;
    for i in 0..DEMO_CONTACTS {
        let first = FIRST[i % FIRST.len()];
        let last = LAST[(i * 7 + i / FIRST.len()) % LAST.len()];
        let company = COMPANIES[(i * 5) % COMPANIES.len()];
        let domain = company.to_lowercase().replace(' ', "");
        let email = EmailAddress::parse(&format!(
            "{}.{}{}@{domain}.com",
            first.to_lowercase(),
            last.to_lowercase().replace('-', ""),
            i
        ))
        .map_err(|m| AppError::invalid("email", m))?;
        let status = match i % 10 {
            0 => LeadStatus::Bounced,
            1 | 2 => LeadStatus::Unsubscribed,
            _ => LeadStatus::Active,
        };
        let attributes =
            Attributes::from_json(&json!({ "plan": PLANS[i % 3], "seats": (i % 40) + 1 }))
                .map_err(|m| AppError::invalid("attributes", m))?;
        let new = NewLead {
            email,
            name: Some(format!("{first} {last}")),
            first_name: Some(first.to_owned()),
            last_name: Some(last.to_owned()),
            company: (i % 9 != 0).then(|| company.to_owned()),
            status,
            score: ((i * 37) % 100) as i32,
            attributes,
        };
        leads::create(db, &signed_in.context, new).await?;
    }
    Ok(true)
}
