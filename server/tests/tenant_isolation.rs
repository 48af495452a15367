//! Randomised tenant isolation. Three tenants make a long, seeded series of requests over every
//! tenant route, each sometimes aiming at another tenant's ids (or at deleted or unknown ones).
//! Each workspace has an owner and an admin, and tenant 0's owner is also an admin of tenant 1
//! (a person in both, with a session in each), so requests come from several members' sessions
//! and tokens.
//! A model of what each tenant should have predicts every answer:
//! - another tenant's id is always a 404, never a 403 or a success;
//! - lists and searches hold exactly the caller's own rows, as the model has them;
//! - at the end each tenant's rows in the database equal its model.
//!
//! The seed is printed; rerun a failure with `ISOLATION_SEED=<seed>` (and `ISOLATION_OPS=<n>` to
//! change the number of operations).

mod common;

use common::{TestApp, TestUser, bearer_client, query, read, sha256_hex, spawn_app};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use reqwest::{Client, Method, StatusCode};
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

const TENANTS: usize = 3;
const DEFAULT_OPS: usize = 2_000;
/// Shared by all tenants, so a search for one would find other tenants' contacts if it leaked.
const WORDS: [&str; 4] = ["alpha", "bravo", "gamma", "delta"];
const STATUSES: [&str; 3] = ["active", "bounced", "unsubscribed"];
const SORTS: [&str; 6] = ["updated", "created", "email", "name", "company", "score"];

/// One kind of request a tenant makes.
///
/// To cover a new tenant route: add a variant here, list it with a weight in `all_ops`, and give
/// it an arm in `World::run` that sends the request, checks the answer against the model (use
/// `World::pick` to aim at own, foreign, deleted or unknown ids) and updates the model; extend
/// `World::check_database` if the route writes a new table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    CreateContact,
    ListContacts,
    SearchContacts,
    FilterContacts,
    GetContact,
    PatchContact,
    DeleteContact,
    BulkStatus,
    ImportContacts,
    ReadImport,
    CreateToken,
    ListTokens,
    DeleteToken,
    CreateView,
    ListViews,
    RenameView,
    DeleteView,
    Me,
    ListMembers,
    ContactEvents,
}

/// Every operation with its relative weight.
fn all_ops() -> Vec<(Op, u32)> {
    vec![
        (Op::CreateContact, 8),
        (Op::ListContacts, 3),
        (Op::SearchContacts, 4),
        (Op::FilterContacts, 3),
        (Op::GetContact, 6),
        (Op::PatchContact, 6),
        (Op::DeleteContact, 3),
        (Op::BulkStatus, 2),
        (Op::ImportContacts, 1),
        (Op::ReadImport, 1),
        (Op::CreateToken, 2),
        (Op::ListTokens, 2),
        (Op::DeleteToken, 2),
        (Op::CreateView, 2),
        (Op::ListViews, 1),
        (Op::RenameView, 2),
        (Op::DeleteView, 1),
        (Op::Me, 1),
        (Op::ListMembers, 1),
        (Op::ContactEvents, 3),
    ]
}

#[derive(Clone, Debug, PartialEq)]
struct Contact {
    email: String,
    company: String,
    score: i64,
    status: String,
}

impl Contact {
    fn from_json(value: &Value) -> Self {
        Contact {
            email: value["email"].as_str().unwrap().to_owned(),
            company: value["company"].as_str().unwrap_or("").to_owned(),
            score: value["score"].as_i64().unwrap(),
            status: value["status"].as_str().unwrap().to_owned(),
        }
    }
}

/// What one tenant should have.
#[derive(Default)]
struct Model {
    contacts: BTreeMap<String, Contact>,
    deleted_contacts: Vec<String>,
    /// Live tokens: id → (name, secret).
    tokens: BTreeMap<String, (String, String)>,
    revoked_tokens: Vec<String>,
    /// Saved views: id → name.
    views: BTreeMap<String, String>,
    deleted_views: Vec<String>,
    /// Imports the tenant ran (their ids).
    imports: Vec<String>,
    /// The members' email addresses.
    members: BTreeSet<String>,
}

impl Model {
    fn id_with_email(&self, email: &str) -> Option<&String> {
        self.contacts
            .iter()
            .find(|(_, c)| c.email.eq_ignore_ascii_case(email))
            .map(|(id, _)| id)
    }
}

struct Tenant {
    user: TestUser,
    /// Sessions of the workspace's other members (admins), each signed in to this workspace.
    members: Vec<Client>,
    model: Model,
    /// Bearer clients of live tokens, by token id.
    bearers: HashMap<String, Client>,
}

/// Whose an id aimed at is, which decides the expected answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Own,
    Foreign,
    Gone,
    Unknown,
}

#[derive(Clone, Copy)]
enum Kind {
    Contact,
    Token,
    View,
    Import,
}

struct World<'a> {
    app: &'a TestApp,
    rng: StdRng,
    tenants: Vec<Tenant>,
    next: u64,
    step: usize,
    seed: u64,
    /// How often each (op, target) pair came up, to show the run covered what it claims.
    seen: BTreeMap<(Op, Option<Target>), u32>,
}

async fn call(
    app: &TestApp,
    client: &Client,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = client.request(method, app.url(path));
    if let Some(body) = body {
        request = request.json(&body);
    }
    read(request.send().await.expect("request")).await
}

impl World<'_> {
    fn context(&self, me: usize, op: Op) -> String {
        format!("seed {} step {} tenant {me} {op:?}", self.seed, self.step)
    }

    fn fresh(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    /// The owner's session most of the time, else another member's, else one of the
    /// workspace's live API tokens.
    fn actor(&mut self, me: usize) -> Client {
        let live: Vec<String> = self.tenants[me].model.tokens.keys().cloned().collect();
        if self.rng.random_bool(0.25) {
            return self.tenants[me]
                .members
                .choose(&mut self.rng)
                .unwrap()
                .clone();
        }
        if live.is_empty() || self.rng.random_bool(0.7) {
            return self.tenants[me].user.client.clone();
        }
        let id = live.choose(&mut self.rng).unwrap().clone();
        let secret = self.tenants[me].model.tokens[&id].1.clone();
        self.tenants[me]
            .bearers
            .entry(id)
            .or_insert_with(|| bearer_client(&secret))
            .clone()
    }

    /// An id to aim at: mostly the tenant's own, often another tenant's, sometimes a deleted or
    /// an unknown one.
    fn pick(&mut self, me: usize, kind: Kind) -> (String, Target) {
        let pools = |t: &Tenant| -> (Vec<String>, Vec<String>) {
            match kind {
                Kind::Contact => (
                    t.model.contacts.keys().cloned().collect(),
                    t.model.deleted_contacts.clone(),
                ),
                Kind::Token => (
                    t.model.tokens.keys().cloned().collect(),
                    t.model.revoked_tokens.clone(),
                ),
                Kind::View => (
                    t.model.views.keys().cloned().collect(),
                    t.model.deleted_views.clone(),
                ),
                Kind::Import => (t.model.imports.clone(), Vec::new()),
            }
        };
        let (own, own_gone) = pools(&self.tenants[me]);
        let mut foreign = Vec::new();
        let mut foreign_gone = Vec::new();
        for (i, tenant) in self.tenants.iter().enumerate() {
            if i != me {
                let (live, gone) = pools(tenant);
                foreign.extend(live);
                foreign_gone.extend(gone);
            }
        }
        let roll = self.rng.random_range(0..100);
        let (pool, target) = match roll {
            0..55 => (own, Target::Own),
            55..80 => (foreign, Target::Foreign),
            80..88 => (own_gone, Target::Gone),
            88..93 => (foreign_gone, Target::Gone),
            _ => (Vec::new(), Target::Unknown),
        };
        match pool.choose(&mut self.rng) {
            Some(id) => (id.clone(), target),
            None => (Uuid::now_v7().to_string(), Target::Unknown),
        }
    }

    fn note(&mut self, op: Op, target: Option<Target>) {
        *self.seen.entry((op, target)).or_default() += 1;
    }

    #[track_caller]
    fn expect_not_found(
        &self,
        me: usize,
        op: Op,
        target: Target,
        (status, body): (StatusCode, Value),
    ) {
        let ctx = self.context(me, op);
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{ctx}: {target:?} id must be a 404, got {body}"
        );
        assert_eq!(body["error"]["code"], "not_found", "{ctx}");
    }

    fn new_company(&mut self) -> String {
        let word = *WORDS.choose(&mut self.rng).unwrap();
        let n = self.fresh();
        format!("{word} {n}")
    }

    async fn run(&mut self, me: usize, op: Op) {
        let app = self.app;
        let ctx = self.context(me, op);
        let client = self.actor(me);
        match op {
            Op::CreateContact => {
                // Sometimes reuse an email: the tenant's own (a conflict, in any case) or another's (fine).
                let roll = self.rng.random_range(0..10);
                let own_emails: Vec<String> = self.tenants[me]
                    .model
                    .contacts
                    .values()
                    .map(|c| c.email.clone())
                    .collect();
                let foreign_emails: Vec<String> = self
                    .tenants
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != me)
                    .flat_map(|(_, t)| t.model.contacts.values().map(|c| c.email.clone()))
                    .collect();
                let email = match (
                    roll,
                    own_emails.choose(&mut self.rng),
                    foreign_emails.choose(&mut self.rng),
                ) {
                    (0, Some(own), _) => own.to_uppercase(),
                    (1, _, Some(foreign)) => foreign.clone(),
                    _ => format!("c{}@t{me}.example", self.fresh()),
                };
                let body = json!({
                    "email": email,
                    "company": self.new_company(),
                    "score": self.rng.random_range(-100..=100),
                    "status": STATUSES.choose(&mut self.rng).unwrap(),
                });
                let (status, created) = call(
                    app,
                    &client,
                    Method::POST,
                    "/api/v1/contacts",
                    Some(body.clone()),
                )
                .await;
                match self.tenants[me].model.id_with_email(&email).cloned() {
                    Some(existing) => {
                        self.note(op, Some(Target::Own));
                        assert_eq!(status, StatusCode::CONFLICT, "{ctx}: {created}");
                        assert_eq!(
                            created["error"]["existingId"].as_str(),
                            Some(existing.as_str()),
                            "{ctx}"
                        );
                    }
                    None => {
                        self.note(op, None);
                        assert_eq!(status, StatusCode::CREATED, "{ctx}: {body} → {created}");
                        assert_eq!(
                            created["tenantId"].as_str(),
                            Some(self.tenants[me].user.tenant_id.to_string().as_str()),
                            "{ctx}"
                        );
                        let id = created["id"].as_str().unwrap().to_owned();
                        self.tenants[me]
                            .model
                            .contacts
                            .insert(id, Contact::from_json(&created));
                    }
                }
            }
            Op::ListContacts | Op::SearchContacts | Op::FilterContacts => {
                let sort = *SORTS.choose(&mut self.rng).unwrap();
                let order = if self.rng.random_bool(0.5) {
                    "asc"
                } else {
                    "desc"
                };
                let limit = [7, 50, 100].choose(&mut self.rng).unwrap().to_string();
                let mut pairs = vec![
                    ("sort", sort.to_owned()),
                    ("order", order.to_owned()),
                    ("limit", limit),
                ];
                let word = WORDS.choose(&mut self.rng).unwrap().to_string();
                let status_filter = (op == Op::SearchContacts && self.rng.random_bool(0.4))
                    .then(|| STATUSES.choose(&mut self.rng).unwrap().to_string());
                if op == Op::SearchContacts {
                    let term = if self.rng.random_bool(0.5) {
                        word.to_uppercase()
                    } else {
                        word.clone()
                    };
                    pairs.push(("search", term));
                }
                if let Some(status) = &status_filter {
                    pairs.push(("status", status.clone()));
                }
                // Filters: a company word and a score floor, through the typed conditions.
                let min_score = self.rng.random_range(-100..=100);
                if op == Op::FilterContacts {
                    pairs.push(("filter", format!("company:contains:{word}")));
                    pairs.push(("filter", format!("score:gte:{min_score}")));
                }
                self.note(op, None);
                let expected: BTreeMap<String, Contact> = self.tenants[me]
                    .model
                    .contacts
                    .iter()
                    .filter(|(_, c)| op == Op::ListContacts || c.company.contains(&word))
                    .filter(|(_, c)| op != Op::FilterContacts || c.score >= min_score)
                    .filter(|(_, c)| status_filter.as_ref().is_none_or(|s| &c.status == s))
                    .map(|(id, c)| (id.clone(), c.clone()))
                    .collect();
                let mut found = BTreeMap::new();
                let mut cursor: Option<String> = None;
                loop {
                    let mut page_pairs: Vec<(&str, &str)> =
                        pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    if let Some(c) = &cursor {
                        page_pairs.push(("cursor", c));
                    }
                    let (status, body) = call(
                        app,
                        &client,
                        Method::GET,
                        &format!("/api/v1/contacts?{}", query(&page_pairs)),
                        None,
                    )
                    .await;
                    assert_eq!(status, StatusCode::OK, "{ctx}: {body}");
                    assert_eq!(
                        body["meta"]["total"].as_u64(),
                        Some(expected.len() as u64),
                        "{ctx}: total for {pairs:?}"
                    );
                    for item in body["data"].as_array().unwrap() {
                        let id = item["id"].as_str().unwrap().to_owned();
                        assert_eq!(
                            item["tenantId"].as_str(),
                            Some(self.tenants[me].user.tenant_id.to_string().as_str()),
                            "{ctx}: a foreign row was listed"
                        );
                        assert!(
                            found.insert(id.clone(), Contact::from_json(item)).is_none(),
                            "{ctx}: {id} listed twice"
                        );
                    }
                    match body["meta"]["nextCursor"].as_str() {
                        Some(next) => cursor = Some(next.to_owned()),
                        None => break,
                    }
                }
                assert_eq!(found, expected, "{ctx}: {pairs:?}");
            }
            Op::GetContact => {
                let (id, target) = self.pick(me, Kind::Contact);
                self.note(op, Some(target));
                let answer = call(
                    app,
                    &client,
                    Method::GET,
                    &format!("/api/v1/contacts/{id}"),
                    None,
                )
                .await;
                if target == Target::Own {
                    assert_eq!(answer.0, StatusCode::OK, "{ctx}: {}", answer.1);
                    assert_eq!(
                        Contact::from_json(&answer.1),
                        self.tenants[me].model.contacts[&id],
                        "{ctx}"
                    );
                } else {
                    self.expect_not_found(me, op, target, answer);
                }
            }
            Op::PatchContact => {
                let (id, target) = self.pick(me, Kind::Contact);
                self.note(op, Some(target));
                let mut body = json!({});
                if self.rng.random_bool(0.5) {
                    body["company"] = json!(self.new_company());
                }
                if self.rng.random_bool(0.4) {
                    body["score"] = json!(self.rng.random_range(-100..=100));
                }
                if self.rng.random_bool(0.3) {
                    body["status"] = json!(STATUSES.choose(&mut self.rng).unwrap());
                }
                let mut conflict = None;
                if self.rng.random_bool(0.2) {
                    let own: Vec<(String, String)> = self.tenants[me]
                        .model
                        .contacts
                        .iter()
                        .filter(|(other, _)| **other != id)
                        .map(|(i, c)| (i.clone(), c.email.clone()))
                        .collect();
                    let email = match own.choose(&mut self.rng) {
                        Some((other, email)) if self.rng.random_bool(0.5) => {
                            conflict = Some(other.clone());
                            email.to_uppercase()
                        }
                        _ => format!("p{}@t{me}.example", self.fresh()),
                    };
                    body["email"] = json!(email);
                }
                let answer = call(
                    app,
                    &client,
                    Method::PATCH,
                    &format!("/api/v1/contacts/{id}"),
                    Some(body.clone()),
                )
                .await;
                match (target, conflict) {
                    (Target::Own, Some(existing)) => {
                        assert_eq!(answer.0, StatusCode::CONFLICT, "{ctx}: {}", answer.1);
                        assert_eq!(
                            answer.1["error"]["existingId"].as_str(),
                            Some(existing.as_str()),
                            "{ctx}"
                        );
                    }
                    (Target::Own, None) => {
                        assert_eq!(answer.0, StatusCode::OK, "{ctx}: {body} → {}", answer.1);
                        let contact = self.tenants[me].model.contacts.get_mut(&id).unwrap();
                        if let Some(company) = body["company"].as_str() {
                            contact.company = company.to_owned();
                        }
                        if let Some(score) = body["score"].as_i64() {
                            contact.score = score;
                        }
                        if let Some(status) = body["status"].as_str() {
                            contact.status = status.to_owned();
                        }
                        if let Some(email) = body["email"].as_str() {
                            contact.email = email.to_owned();
                        }
                        assert_eq!(Contact::from_json(&answer.1), *contact, "{ctx}");
                    }
                    (target, _) => self.expect_not_found(me, op, target, answer),
                }
            }
            Op::DeleteContact => {
                let (id, target) = self.pick(me, Kind::Contact);
                self.note(op, Some(target));
                let answer = call(
                    app,
                    &client,
                    Method::DELETE,
                    &format!("/api/v1/contacts/{id}"),
                    None,
                )
                .await;
                if target == Target::Own {
                    assert_eq!(answer, (StatusCode::NO_CONTENT, Value::Null), "{ctx}");
                    self.tenants[me].model.contacts.remove(&id);
                    self.tenants[me].model.deleted_contacts.push(id);
                } else {
                    self.expect_not_found(me, op, target, answer);
                }
            }
            Op::CreateToken => {
                self.note(op, None);
                let name = format!("token {}", self.fresh());
                let (status, created) = call(
                    app,
                    &client,
                    Method::POST,
                    "/api/v1/tokens",
                    Some(json!({ "name": name })),
                )
                .await;
                assert_eq!(status, StatusCode::CREATED, "{ctx}: {created}");
                let id = created["id"].as_str().unwrap().to_owned();
                self.tenants[me]
                    .model
                    .tokens
                    .insert(id, (name, created["token"].as_str().unwrap().to_owned()));
            }
            Op::ListTokens => {
                self.note(op, None);
                let (status, list) = call(app, &client, Method::GET, "/api/v1/tokens", None).await;
                assert_eq!(status, StatusCode::OK, "{ctx}: {list}");
                let found: BTreeMap<String, String> = list
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| {
                        (
                            t["id"].as_str().unwrap().to_owned(),
                            t["name"].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect();
                let expected: BTreeMap<String, String> = self.tenants[me]
                    .model
                    .tokens
                    .iter()
                    .map(|(id, (name, _))| (id.clone(), name.clone()))
                    .collect();
                assert_eq!(found, expected, "{ctx}");
                let text = list.to_string();
                assert!(!text.contains("\"token\""), "{ctx}: {text}");
                for tenant in &self.tenants {
                    for (_, secret) in tenant.model.tokens.values() {
                        assert!(!text.contains(secret.as_str()), "{ctx}: a secret is listed");
                    }
                }
            }
            Op::DeleteToken => {
                let (id, target) = self.pick(me, Kind::Token);
                self.note(op, Some(target));
                let answer = call(
                    app,
                    &client,
                    Method::DELETE,
                    &format!("/api/v1/tokens/{id}"),
                    None,
                )
                .await;
                if target == Target::Own {
                    assert_eq!(answer, (StatusCode::NO_CONTENT, Value::Null), "{ctx}");
                    let (_, secret) = self.tenants[me].model.tokens.remove(&id).unwrap();
                    self.tenants[me].model.revoked_tokens.push(id.clone());
                    // Revocation is immediate, whoever holds the token.
                    let revoked = self.tenants[me]
                        .bearers
                        .remove(&id)
                        .unwrap_or_else(|| bearer_client(&secret));
                    assert_eq!(
                        call(app, &revoked, Method::GET, "/api/v1/auth/me", None)
                            .await
                            .0,
                        StatusCode::UNAUTHORIZED,
                        "{ctx}"
                    );
                } else {
                    self.expect_not_found(me, op, target, answer);
                }
            }
            Op::BulkStatus => {
                // Three picks, own and others' mixed: only the tenant's own live ones change.
                let picks: Vec<(String, Target)> =
                    (0..3).map(|_| self.pick(me, Kind::Contact)).collect();
                for (_, target) in &picks {
                    self.note(op, Some(*target));
                }
                let status = STATUSES.choose(&mut self.rng).unwrap().to_string();
                let ids: Vec<&str> = picks.iter().map(|(id, _)| id.as_str()).collect();
                let (code, body) = call(
                    app,
                    &client,
                    Method::POST,
                    "/api/v1/contacts/bulk",
                    Some(json!({ "ids": ids, "action": { "setStatus": status } })),
                )
                .await;
                assert_eq!(code, StatusCode::OK, "{ctx}: {body}");
                let own: BTreeSet<String> = picks
                    .iter()
                    .filter(|(id, t)| {
                        *t == Target::Own && self.tenants[me].model.contacts.contains_key(id)
                    })
                    .map(|(id, _)| id.clone())
                    .collect();
                let touched = body["counts"]["updated"].as_u64().unwrap()
                    + body["counts"]["unchanged"].as_u64().unwrap();
                assert_eq!(touched, own.len() as u64, "{ctx}: {body}");
                for id in own {
                    self.tenants[me].model.contacts.get_mut(&id).unwrap().status = status.clone();
                }
            }
            Op::ImportContacts => {
                self.note(op, None);
                // A new address, sometimes one of the tenant's own (an update) and sometimes
                // another tenant's (a new contact here, nothing changes there).
                let mut emails = vec![format!("i{}@t{me}.example", self.fresh())];
                let own: Vec<String> = self.tenants[me]
                    .model
                    .contacts
                    .values()
                    .map(|c| c.email.clone())
                    .collect();
                let foreign: Vec<String> = self
                    .tenants
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != me)
                    .flat_map(|(_, t)| t.model.contacts.values().map(|c| c.email.clone()))
                    .collect();
                if let Some(e) = own.choose(&mut self.rng) {
                    emails.push(e.to_uppercase());
                }
                if let Some(e) = foreign.choose(&mut self.rng)
                    && self.tenants[me].model.id_with_email(e).is_none()
                    && !emails.iter().any(|m| m.eq_ignore_ascii_case(e))
                {
                    emails.push(e.clone());
                }
                let mut csv = String::from("email,company,score,status\n");
                let mut rows = Vec::new();
                for email in &emails {
                    let row = Contact {
                        email: email.clone(),
                        company: self.new_company(),
                        score: self.rng.random_range(-100..=100),
                        status: STATUSES.choose(&mut self.rng).unwrap().to_string(),
                    };
                    csv.push_str(&format!(
                        "{},{},{},{}\n",
                        row.email, row.company, row.score, row.status
                    ));
                    rows.push(row);
                }
                let form = reqwest::multipart::Form::new().part(
                    "file",
                    reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("isolation.csv"),
                );
                let response = client
                    .post(app.url("/api/v1/imports"))
                    .multipart(form)
                    .send()
                    .await
                    .expect("upload");
                let (status, started) = read(response).await;
                assert_eq!(status, StatusCode::ACCEPTED, "{ctx}: {started}");
                let id = started["job"]["id"].as_str().unwrap().to_owned();
                let done = loop {
                    let (status, now) = call(
                        app,
                        &client,
                        Method::GET,
                        &format!("/api/v1/imports/{id}"),
                        None,
                    )
                    .await;
                    assert_eq!(status, StatusCode::OK, "{ctx}: {now}");
                    if now["job"]["finished"].is_string() {
                        break now;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                };
                assert_eq!(done["job"]["state"], "done", "{ctx}: {done}");
                assert_eq!(done["job"]["counts"]["failed"], 0, "{ctx}: {done}");
                for row in rows {
                    let existing = self.tenants[me].model.id_with_email(&row.email).cloned();
                    match existing {
                        Some(id) => {
                            let kept = self.tenants[me].model.contacts.get_mut(&id).unwrap();
                            // Matched by email ignoring case; the stored address keeps its spelling.
                            let email = kept.email.clone();
                            *kept = Contact { email, ..row };
                        }
                        None => {
                            let filter = query(&[("filter", &format!("email:eq:{}", row.email))]);
                            let (status, found) = call(
                                app,
                                &client,
                                Method::GET,
                                &format!("/api/v1/contacts?{filter}"),
                                None,
                            )
                            .await;
                            assert_eq!(status, StatusCode::OK, "{ctx}: {found}");
                            let id = found["data"][0]["id"].as_str().unwrap().to_owned();
                            self.tenants[me].model.contacts.insert(id, row);
                        }
                    }
                }
                self.tenants[me].model.imports.push(id);
            }
            Op::ReadImport => {
                let (id, target) = self.pick(me, Kind::Import);
                self.note(op, Some(target));
                for path in [
                    format!("/api/v1/imports/{id}"),
                    format!("/api/v1/imports/{id}/errors"),
                ] {
                    let (status, body) = call(app, &client, Method::GET, &path, None).await;
                    if target == Target::Own {
                        assert_eq!(status, StatusCode::OK, "{ctx}: {path} {body}");
                    } else {
                        self.expect_not_found(me, op, target, (status, body));
                    }
                }
                let (status, imports) =
                    call(app, &client, Method::GET, "/api/v1/imports", None).await;
                assert_eq!(status, StatusCode::OK, "{ctx}");
                let listed: BTreeSet<String> = imports
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["job"]["id"].as_str().unwrap().to_owned())
                    .collect();
                let own: BTreeSet<String> = self.tenants[me]
                    .model
                    .imports
                    .iter()
                    .rev()
                    .take(50)
                    .cloned()
                    .collect();
                assert_eq!(
                    listed, own,
                    "{ctx}: the list holds exactly the tenant's imports"
                );
            }
            Op::CreateView => {
                self.note(op, None);
                let name = format!("view {}", self.fresh());
                let word = WORDS.choose(&mut self.rng).unwrap();
                let body =
                    json!({ "name": name, "query": format!("filter=company%3Acontains%3A{word}") });
                let (status, created) =
                    call(app, &client, Method::POST, "/api/v1/views", Some(body)).await;
                assert_eq!(status, StatusCode::CREATED, "{ctx}: {created}");
                let id = created["id"].as_str().unwrap().to_owned();
                self.tenants[me].model.views.insert(id, name);
            }
            Op::ListViews => {
                self.note(op, None);
                let (status, list) = call(app, &client, Method::GET, "/api/v1/views", None).await;
                assert_eq!(status, StatusCode::OK, "{ctx}: {list}");
                let found: BTreeMap<String, String> = list
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| {
                        (
                            v["id"].as_str().unwrap().to_owned(),
                            v["name"].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect();
                assert_eq!(found, self.tenants[me].model.views, "{ctx}");
            }
            Op::RenameView => {
                let (id, target) = self.pick(me, Kind::View);
                self.note(op, Some(target));
                let name = format!("renamed {}", self.fresh());
                let answer = call(
                    app,
                    &client,
                    Method::PATCH,
                    &format!("/api/v1/views/{id}"),
                    Some(json!({ "name": name })),
                )
                .await;
                if target == Target::Own {
                    assert_eq!(answer.0, StatusCode::OK, "{ctx}: {}", answer.1);
                    self.tenants[me].model.views.insert(id, name);
                } else {
                    self.expect_not_found(me, op, target, answer);
                }
            }
            Op::DeleteView => {
                let (id, target) = self.pick(me, Kind::View);
                self.note(op, Some(target));
                let answer = call(
                    app,
                    &client,
                    Method::DELETE,
                    &format!("/api/v1/views/{id}"),
                    None,
                )
                .await;
                if target == Target::Own {
                    assert_eq!(answer, (StatusCode::NO_CONTENT, Value::Null), "{ctx}");
                    self.tenants[me].model.views.remove(&id);
                    self.tenants[me].model.deleted_views.push(id);
                } else {
                    self.expect_not_found(me, op, target, answer);
                }
            }
            Op::ListMembers => {
                self.note(op, None);
                let (status, list) = call(app, &client, Method::GET, "/api/v1/members", None).await;
                assert_eq!(status, StatusCode::OK, "{ctx}: {list}");
                let found: BTreeSet<String> = list
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["email"].as_str().unwrap().to_owned())
                    .collect();
                assert_eq!(found, self.tenants[me].model.members, "{ctx}");
            }
            Op::ContactEvents => {
                let (id, target) = self.pick(me, Kind::Contact);
                self.note(op, Some(target));
                let answer = call(
                    app,
                    &client,
                    Method::GET,
                    &format!("/api/v1/contacts/{id}/events"),
                    None,
                )
                .await;
                let own_gone = self.tenants[me].model.deleted_contacts.contains(&id);
                if target == Target::Own || own_gone {
                    assert_eq!(answer.0, StatusCode::OK, "{ctx}: {}", answer.1);
                    let events = answer.1.as_array().unwrap();
                    let newest = events.first().map(|e| e["kind"].as_str().unwrap());
                    // Its history is its own: a deleted contact's ends with its deletion.
                    if own_gone {
                        assert_eq!(newest, Some("deleted"), "{ctx}");
                    } else {
                        assert!(newest.is_some_and(|k| k != "deleted"), "{ctx}: {events:?}");
                    }
                } else {
                    self.expect_not_found(me, op, target, answer);
                }
            }
            Op::Me => {
                self.note(op, None);
                let (status, me_body) =
                    call(app, &client, Method::GET, "/api/v1/auth/me", None).await;
                assert_eq!(status, StatusCode::OK, "{ctx}");
                assert_eq!(
                    me_body["tenant"]["id"].as_str(),
                    Some(self.tenants[me].user.tenant_id.to_string().as_str()),
                    "{ctx}"
                );
            }
        }
    }

    async fn check_database(&self) {
        let mut total = 0;
        for (i, tenant) in self.tenants.iter().enumerate() {
            let rows = self.app.leads_in_db(tenant.user.tenant_id).await;
            total += rows.len();
            let stored: BTreeMap<String, Contact> = rows
                .into_iter()
                .map(|r| {
                    (
                        r.id.to_string(),
                        Contact {
                            email: r.email,
                            company: r.company,
                            score: r.score.into(),
                            status: r.status,
                        },
                    )
                })
                .collect();
            assert_eq!(
                stored, tenant.model.contacts,
                "seed {}: tenant {i}'s leads in the database",
                self.seed
            );

            let tokens = self.app.tokens_in_db(tenant.user.tenant_id).await;
            let live: BTreeMap<String, (String, String)> = tokens
                .iter()
                .filter(|t| t.revoked.is_none())
                .map(|t| (t.id.to_string(), (t.name.clone(), t.secret_hash.clone())))
                .collect();
            let expected: BTreeMap<String, (String, String)> = tenant
                .model
                .tokens
                .iter()
                .map(|(id, (name, secret))| (id.clone(), (name.clone(), sha256_hex(secret))))
                .collect();
            assert_eq!(
                live, expected,
                "seed {}: tenant {i}'s live tokens",
                self.seed
            );
            let revoked: BTreeSet<String> = tokens
                .iter()
                .filter(|t| t.revoked.is_some())
                .map(|t| t.id.to_string())
                .collect();
            assert_eq!(
                revoked,
                tenant.model.revoked_tokens.iter().cloned().collect(),
                "seed {}: tenant {i}'s revoked tokens",
                self.seed
            );
        }
        let all = app::server::entity::lead::Entity::find()
            .all(&self.app.db)
            .await
            .unwrap()
            .len();
        assert_eq!(all, total, "no lead belongs to anyone else");
    }
}

#[tokio::test]
async fn tenants_never_see_or_touch_each_others_data() {
    let seed = std::env::var("ISOLATION_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random::<u64>);
    let ops: usize = std::env::var("ISOLATION_OPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_OPS);
    println!("tenant isolation: seed {seed}, {ops} operations (rerun with ISOLATION_SEED={seed})");
    let app = spawn_app().await;
    let mut tenants = Vec::new();
    for i in 0..TENANTS {
        let user = app.signup(&format!("Tenant {i}")).await;
        let admin = app.join(&user, "admin").await;
        let model = Model {
            members: BTreeSet::from([user.email.clone(), admin.email.clone()]),
            ..Model::default()
        };
        tenants.push(Tenant {
            user,
            members: vec![admin.client],
            model,
            bearers: HashMap::new(),
        });
    }
    // Tenant 0's owner also joins tenant 1 as an admin, and signs in there in a second session.
    let (both, there) = (&tenants[0].user, &tenants[1].user);
    let (status, invited) = there
        .post(
            &app,
            "/api/v1/invitations",
            json!({ "email": both.email, "role": "admin" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{invited}");
    let (status, joined) = both
        .post(
            &app,
            "/api/v1/invitations/accept",
            json!({ "secret": common::invitation_secret(&invited) }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{joined}");
    let second = common::client();
    for (path, body) in [
        (
            "/api/v1/auth/login",
            json!({ "email": both.email, "password": common::PASSWORD }),
        ),
        (
            "/api/v1/auth/switch",
            json!({ "tenantId": there.tenant_id }),
        ),
    ] {
        let response = second.post(app.url(path)).json(&body).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    let email = both.email.clone();
    tenants[1].members.push(second);
    tenants[1].model.members.insert(email);
    let mut world = World {
        app: &app,
        rng: StdRng::seed_from_u64(seed),
        tenants,
        next: 0,
        step: 0,
        seed,
        seen: BTreeMap::new(),
    };
    let table = all_ops();
    for step in 0..ops {
        world.step = step;
        let me = world.rng.random_range(0..TENANTS);
        let op = table
            .choose_weighted(&mut world.rng, |(_, weight)| *weight)
            .unwrap()
            .0;
        world.run(me, op).await;
    }
    world.check_database().await;

    let summary: Vec<String> = world
        .seen
        .iter()
        .map(|((op, target), n)| {
            format!(
                "{op:?}/{}: {n}",
                target.map_or("-".into(), |t| format!("{t:?}"))
            )
        })
        .collect();
    println!("tenant isolation: {}", summary.join(", "));
    let foreign: u32 = world
        .seen
        .iter()
        .filter(|((_, t), _)| *t == Some(Target::Foreign))
        .map(|(_, n)| n)
        .sum();
    assert!(
        foreign >= (ops / 20) as u32,
        "seed {seed}: only {foreign} requests aimed at another tenant's ids"
    );
    for (op, _) in &table {
        assert!(
            world.seen.keys().any(|(seen, _)| seen == op),
            "seed {seed}: {op:?} never ran"
        );
    }
}
