//! Teams: invitations, roles against every route, removal, role changes, token scopes and
//! expiry, password changes. On both backends.

mod common;

use common::smtp_sink::SmtpSink;
use common::{
    AppOptions, PASSWORD, TestApp, TestUser, assert_error, bearer_client, client,
    invitation_secret, read, session_secret, spawn_app, spawn_app_with,
};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use std::collections::BTreeSet;

async fn invite(app: &TestApp, by: &TestUser, email: &str, role: &str) -> (StatusCode, Value) {
    by.post(
        app,
        "/api/v1/invitations",
        json!({ "email": email, "role": role }),
    )
    .await
}

#[tokio::test]
async fn an_invitation_works_once_for_its_address_until_it_expires_or_is_revoked() {
    let app = spawn_app().await;
    let owner = app.signup("Acme").await;
    let ann = app.signup("Ann's own").await;
    let eve = app.signup("Eve's own").await;

    let (status, created) = invite(&app, &owner, &ann.email.to_uppercase(), "member").await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["mailed"], false, "no mail is set up");
    assert!(
        created["link"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/invite/", app.base)),
        "{created}"
    );
    let secret = invitation_secret(&created);
    let (_, pending) = owner.get(&app, "/api/v1/invitations").await;
    assert_eq!(pending.as_array().unwrap().len(), 1);
    assert!(
        !pending.to_string().contains(&secret),
        "the secret is shown once"
    );

    // Someone else holding the link cannot use it.
    let (status, body) = eve
        .post(
            &app,
            "/api/v1/invitations/accept",
            json!({ "secret": secret }),
        )
        .await;
    assert_error((status, body), StatusCode::FORBIDDEN, "forbidden");
    // Nor can a token, even Ann's own.
    let token = ann.create_token(&app, "cli").await;
    let by_token = ann.with_token(token["token"].as_str().unwrap());
    let (status, body) = by_token
        .post(
            &app,
            "/api/v1/invitations/accept",
            json!({ "secret": secret }),
        )
        .await;
    assert_error((status, body), StatusCode::FORBIDDEN, "forbidden");

    let (status, body) = ann
        .post(
            &app,
            "/api/v1/invitations/accept",
            json!({ "secret": secret }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["tenant"]["name"], "Acme");
    let (status, body) = ann
        .post(
            &app,
            "/api/v1/invitations/accept",
            json!({ "secret": secret }),
        )
        .await;
    assert_error((status, body), StatusCode::GONE, "gone");
    let (_, pending) = owner.get(&app, "/api/v1/invitations").await;
    assert_eq!(pending, json!([]), "accepted is no longer pending");

    // Ann now has two workspaces and switches between them; her role there is the invited one.
    let (_, spaces) = ann.get(&app, "/api/v1/auth/workspaces").await;
    let names: BTreeSet<_> = spaces
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["tenant"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, BTreeSet::from(["Acme".into(), "Ann's own".into()]));
    let (status, body) = ann
        .post(
            &app,
            "/api/v1/auth/switch",
            json!({ "tenantId": owner.tenant_id }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, me) = ann.get(&app, "/api/v1/auth/me").await;
    assert_eq!(
        (me["tenant"]["name"].as_str(), me["role"].as_str()),
        (Some("Acme"), Some("member"))
    );
    let (status, body) = ann
        .post(
            &app,
            "/api/v1/auth/switch",
            json!({ "tenantId": eve.tenant_id }),
        )
        .await;
    assert_error((status, body), StatusCode::NOT_FOUND, "not_found");
    let (status, body) = by_token
        .post(
            &app,
            "/api/v1/auth/switch",
            json!({ "tenantId": owner.tenant_id }),
        )
        .await;
    assert_error((status, body), StatusCode::FORBIDDEN, "forbidden");

    // Inviting a member again is a conflict; a revoked link is unknown; an expired one is gone.
    let (status, body) = invite(&app, &owner, &ann.email, "viewer").await;
    assert_error((status, body), StatusCode::CONFLICT, "conflict");
    let (_, revoked) = invite(&app, &owner, &eve.email, "viewer").await;
    let id = revoked["id"].as_str().unwrap();
    let (status, _) = owner
        .delete(&app, &format!("/api/v1/invitations/{id}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = eve
        .post(
            &app,
            "/api/v1/invitations/accept",
            json!({ "secret": invitation_secret(&revoked) }),
        )
        .await;
    assert_error((status, body), StatusCode::NOT_FOUND, "not_found");
    let (status, _) = owner
        .delete(&app, &format!("/api/v1/invitations/{id}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "revoked once");

    let (_, expiring) = invite(&app, &owner, &eve.email, "viewer").await;
    app.db
        .execute_unprepared(&format!(
            "UPDATE invitations SET expires = created WHERE secret_hash = '{}'",
            common::sha256_hex(&invitation_secret(&expiring))
        ))
        .await
        .unwrap();
    let (status, body) = eve
        .post(
            &app,
            "/api/v1/invitations/accept",
            json!({ "secret": invitation_secret(&expiring) }),
        )
        .await;
    assert_error((status, body), StatusCode::GONE, "gone");

    // Bad input names its field.
    let (status, body) = invite(&app, &owner, "not-an-email", "boss").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["fields"]["email"].is_string() && body["error"]["fields"]["role"].is_string()
    );
}

#[tokio::test]
async fn an_invitation_is_mailed_when_smtp_is_configured() {
    let sink = SmtpSink::start().await;
    let app = spawn_app_with(AppOptions {
        smtp_url: Some(sink.url()),
        ..AppOptions::default()
    })
    .await;
    let owner = app.signup("Mailers").await;
    let (status, created) = invite(&app, &owner, "new.person@example.com", "viewer").await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["mailed"], true);
    let mails = sink.messages();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["new.person@example.com"]);
    assert_eq!(mails[0].from, "leads@example.com");
    let link = created["link"].as_str().unwrap();
    assert!(
        mails[0].text().contains(link),
        "the mail carries the link: {}",
        mails[0].data
    );
    assert!(mails[0].data.contains("Subject: Join Mailers on Leads"));
}

/// How a route is exercised in the role table.
enum Body {
    None,
    Json(Value),
    Csv,
}

/// One route's rule: the least role that may call it, whether it writes (a `read` token may
/// not), and whether only a session may (never a token).
struct Rule {
    method: Method,
    path: &'static str,
    least: Option<&'static str>,
    writes: bool,
    session_only: bool,
    body: Body,
    /// Not run here (it would end the sessions the table runs on); tested on its own below.
    run: bool,
}

fn rule(method: Method, path: &'static str, least: &'static str, writes: bool, body: Body) -> Rule {
    Rule {
        method,
        path,
        least: Some(least),
        writes,
        session_only: false,
        body,
        run: true,
    }
}

fn rules() -> Vec<Rule> {
    use Body::{Csv, Json as J, None as N};
    let session = |mut r: Rule| {
        r.session_only = true;
        r
    };
    let not_run = |mut r: Rule| {
        r.run = false;
        r
    };
    let public = |method, path| Rule {
        method,
        path,
        least: None,
        writes: false,
        session_only: false,
        body: N,
        run: false,
    };
    vec![
        public(Method::POST, "/api/v1/auth/signup"),
        public(Method::POST, "/api/v1/auth/login"),
        public(Method::POST, "/api/v1/auth/password-reset"),
        public(Method::POST, "/api/v1/auth/password-reset/confirm"),
        rule(Method::GET, "/api/v1/auth/me", "viewer", false, N),
        rule(Method::GET, "/api/v1/auth/workspaces", "viewer", false, N),
        session(rule(
            Method::POST,
            "/api/v1/auth/switch",
            "viewer",
            true,
            J(json!({"tenantId": "{tenant}"})),
        )),
        session(rule(
            Method::POST,
            "/api/v1/auth/password",
            "viewer",
            true,
            J(json!({"currentPassword": "wrong one", "newPassword": "a new long one"})),
        )),
        not_run(rule(Method::POST, "/api/v1/auth/logout", "viewer", true, N)),
        not_run(session(rule(
            Method::POST,
            "/api/v1/auth/logout-everywhere",
            "viewer",
            true,
            N,
        ))),
        // A wrong name: allowed roles get 400, and nothing is deleted.
        session(rule(
            Method::DELETE,
            "/api/v1/workspace",
            "owner",
            true,
            J(json!({"name": "not its name"})),
        )),
        rule(Method::GET, "/api/v1/tokens", "viewer", false, N),
        rule(
            Method::POST,
            "/api/v1/tokens",
            "viewer",
            true,
            J(json!({"name": "t", "scope": "read"})),
        ),
        rule(Method::GET, "/api/v1/contacts", "viewer", false, N),
        rule(
            Method::POST,
            "/api/v1/contacts",
            "member",
            true,
            J(json!({"email": "{unique}@example.com"})),
        ),
        rule(Method::GET, "/api/v1/contacts/{id}", "viewer", false, N),
        rule(
            Method::PATCH,
            "/api/v1/contacts/{id}",
            "member",
            true,
            J(json!({"company": "{unique}"})),
        ),
        rule(
            Method::GET,
            "/api/v1/contacts/{id}/events",
            "viewer",
            false,
            N,
        ),
        rule(Method::GET, "/api/v1/contacts/export", "member", false, N),
        rule(
            Method::POST,
            "/api/v1/contacts/batch",
            "member",
            true,
            J(json!({"items": [{"email": "{unique}@example.com"}]})),
        ),
        rule(
            Method::POST,
            "/api/v1/contacts/bulk",
            "member",
            true,
            J(json!({"ids": ["{contact}"], "action": {"setStatus": "active"}})),
        ),
        rule(Method::POST, "/api/v1/imports", "member", true, Csv),
        rule(Method::GET, "/api/v1/imports", "viewer", false, N),
        rule(Method::GET, "/api/v1/imports/{id}", "viewer", false, N),
        rule(
            Method::GET,
            "/api/v1/imports/{id}/errors",
            "viewer",
            false,
            N,
        ),
        rule(
            Method::POST,
            "/api/v1/imports/{id}/revert",
            "member",
            true,
            N,
        ),
        rule(Method::GET, "/api/v1/jobs", "viewer", false, N),
        rule(Method::GET, "/api/v1/jobs/{id}", "viewer", false, N),
        rule(Method::POST, "/api/v1/jobs/{id}/cancel", "member", true, N),
        rule(Method::GET, "/api/v1/views", "viewer", false, N),
        rule(
            Method::POST,
            "/api/v1/views",
            "member",
            true,
            J(json!({"name": "{unique}", "query": "status=active"})),
        ),
        rule(
            Method::PATCH,
            "/api/v1/views/{id}",
            "member",
            true,
            J(json!({"name": "{unique}"})),
        ),
        rule(Method::GET, "/api/v1/members", "viewer", false, N),
        rule(
            Method::PATCH,
            "/api/v1/members/{userId}",
            "admin",
            true,
            J(json!({"role": "viewer"})),
        ),
        rule(
            Method::POST,
            "/api/v1/invitations",
            "admin",
            true,
            J(json!({"email": "{unique}@example.com", "role": "member"})),
        ),
        rule(Method::GET, "/api/v1/invitations", "admin", false, N),
        session(rule(
            Method::POST,
            "/api/v1/invitations/accept",
            "viewer",
            true,
            J(json!({"secret": "no-such-secret"})),
        )),
        // Deletions last: once done, later roles meet a 404 (still not a 403).
        rule(Method::DELETE, "/api/v1/invitations/{id}", "admin", true, N),
        rule(Method::DELETE, "/api/v1/views/{id}", "member", true, N),
        rule(Method::DELETE, "/api/v1/members/{userId}", "admin", true, N),
        rule(Method::DELETE, "/api/v1/tokens/{id}", "viewer", true, N),
        rule(Method::DELETE, "/api/v1/contacts/{id}", "member", true, N),
        public(Method::GET, "/api/v1/openapi.json"),
    ]
}

fn assert_forbidden(status: StatusCode, body: &Value, what: &str) {
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden")),
        "{what}"
    );
}

const ROLES: [&str; 4] = ["viewer", "member", "admin", "owner"];

fn rank(role: &str) -> usize {
    ROLES.iter().position(|r| *r == role).unwrap()
}

/// Ids the table's paths and bodies refer to.
struct Fixtures {
    tenant: String,
    contact: String,
    view: String,
    import: String,
    job: String,
    invitation: String,
    /// A member the table changes and removes.
    target: String,
}

async fn fixtures(app: &TestApp, owner: &TestUser) -> Fixtures {
    let contact = owner
        .create_contact(app, json!({"email": "fixture@example.com"}))
        .await;
    let (_, view) = owner
        .post(
            app,
            "/api/v1/views",
            json!({"name": "fixture", "query": ""}),
        )
        .await;
    let (status, import) = upload(app, owner).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{import}");
    let (status, job) = owner
        .post(
            app,
            "/api/v1/contacts/bulk",
            json!({"filter": "status=bounced", "action": {"setStatus": "active"}}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let (_, invitation) = invite(app, owner, "pending@example.com", "member").await;
    let target = app.join(owner, "viewer").await;
    Fixtures {
        tenant: owner.tenant_id.to_string(),
        contact: contact["id"].as_str().unwrap().to_owned(),
        view: view["id"].as_str().unwrap().to_owned(),
        import: import["job"]["id"].as_str().unwrap().to_owned(),
        job: job["id"].as_str().unwrap().to_owned(),
        invitation: invitation["id"].as_str().unwrap().to_owned(),
        target: target.user_id.to_string(),
    }
}

async fn upload(app: &TestApp, user: &TestUser) -> (StatusCode, Value) {
    let form = Form::new().part(
        "file",
        Part::bytes(format!("email\n{}@example.com\n", uuid::Uuid::new_v4().simple()).into_bytes())
            .file_name("c.csv")
            .mime_str("text/csv")
            .unwrap(),
    );
    read(
        user.request(app, Method::POST, "/api/v1/imports")
            .multipart(form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

impl Rule {
    fn path_for(&self, f: &Fixtures, own_token: &str) -> String {
        let id = match self.path.split('/').nth(3) {
            Some("contacts") => &f.contact,
            Some("views") => &f.view,
            Some("imports") => &f.import,
            Some("jobs") => &f.job,
            Some("invitations") => &f.invitation,
            Some("tokens") => own_token,
            _ => "",
        };
        self.path.replace("{id}", id).replace("{userId}", &f.target)
    }

    async fn call(
        &self,
        app: &TestApp,
        who: &TestUser,
        f: &Fixtures,
        own_token: &str,
    ) -> (StatusCode, Value) {
        let request = who.request(app, self.method.clone(), &self.path_for(f, own_token));
        let request = match &self.body {
            Body::None => request,
            Body::Csv => {
                return upload(app, who).await;
            }
            Body::Json(body) => {
                let unique = uuid::Uuid::new_v4().simple().to_string();
                let text = body
                    .to_string()
                    .replace("{unique}", &unique)
                    .replace("{tenant}", &f.tenant)
                    .replace("{contact}", &f.contact);
                request
                    .header("content-type", "application/json")
                    .body(text)
            }
        };
        read(request.send().await.unwrap()).await
    }
}

#[tokio::test]
async fn every_route_enforces_its_role_and_token_scope() {
    let app = spawn_app().await;
    let owner = app.signup("Roles").await;
    let f = fixtures(&app, &owner).await;

    // The table must name every operation the API documents (the /leads aliases share theirs).
    let (_, doc) = owner.get(&app, "/api/v1/openapi.json").await;
    let table = rules();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if path.starts_with("/api/v1/leads") {
            continue;
        }
        for method in item.as_object().unwrap().keys() {
            assert!(
                table
                    .iter()
                    .any(|r| r.path == path && r.method.as_str().eq_ignore_ascii_case(method)),
                "{method} {path} has no rule in the role table: add one"
            );
        }
    }

    let mut people = Vec::new();
    for role in ["viewer", "member", "admin"] {
        people.push((role, app.join(&owner, role).await));
    }
    people.push(("owner", owner));
    let mut own_tokens = Vec::new();
    for (_, person) in &people {
        let (status, token) = person
            .post(
                &app,
                "/api/v1/tokens",
                json!({"name": "own", "scope": "read"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{token}");
        own_tokens.push(token["id"].as_str().unwrap().to_owned());
    }
    let owner = &people[3].1;
    let mut scoped = Vec::new();
    for scope in ["read", "write"] {
        let (status, t) = owner
            .post(
                &app,
                "/api/v1/tokens",
                json!({"name": scope, "scope": scope}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{t}");
        scoped.push((
            owner.with_token(t["token"].as_str().unwrap()),
            t["id"].as_str().unwrap().to_owned(),
            scope,
        ));
    }

    for rule in table.iter().filter(|r| r.run) {
        let least = rank(rule.least.unwrap());
        for (i, (role, person)) in people.iter().enumerate() {
            let (status, body) = rule.call(&app, person, &f, &own_tokens[i]).await;
            let what = format!("{role}: {} {} → {status} {body}", rule.method, rule.path);
            if rank(role) >= least {
                assert!(
                    status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                    "{what}"
                );
            } else {
                assert_forbidden(status, &body, &what);
            }
        }
        for (token, id, scope) in &scoped {
            let scope = *scope;
            // A token revoking itself would end the run: tokens delete the viewer's instead.
            let id = if rule.path == "/api/v1/tokens/{id}" {
                &own_tokens[0]
            } else {
                id
            };
            let (status, body) = rule.call(&app, token, &f, id).await;
            let what = format!(
                "{scope} token: {} {} → {status} {body}",
                rule.method, rule.path
            );
            let refused = rule.session_only || (scope == "read" && rule.writes);
            if refused {
                assert_forbidden(status, &body, &what);
            } else {
                assert!(
                    status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                    "{what}"
                );
            }
        }
    }
}

#[tokio::test]
async fn removing_a_member_or_changing_their_role_applies_at_once() {
    let app = spawn_app().await;
    let owner = app.signup("Cut-off").await;
    let member = app.join(&owner, "member").await;
    let token = member.create_token(&app, "script").await;
    let by_token = member.with_token(token["token"].as_str().unwrap());
    // Both work, and are cached as working.
    for who in [&member, &by_token] {
        who.create_contact(
            &app,
            json!({"email": format!("{}@example.com", uuid::Uuid::new_v4().simple())}),
        )
        .await;
    }

    // Demoted to viewer: the very next write is refused, reads still work.
    let (status, body) = owner
        .patch(
            &app,
            &format!("/api/v1/members/{}", member.user_id),
            json!({"role": "viewer"}),
        )
        .await;
    assert_eq!(
        (status, body["role"].as_str()),
        (StatusCode::OK, Some("viewer"))
    );
    for who in [&member, &by_token] {
        let (status, body) = who
            .post(
                &app,
                "/api/v1/contacts",
                json!({"email": "late@example.com"}),
            )
            .await;
        assert_error((status, body), StatusCode::FORBIDDEN, "forbidden");
        let (status, _) = who.get(&app, "/api/v1/contacts").await;
        assert_eq!(status, StatusCode::OK);
    }

    // Removed: session and token stop working at once; the token is revoked in the database.
    let (status, _) = owner
        .delete(&app, &format!("/api/v1/members/{}", member.user_id))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for who in [&member, &by_token] {
        let (status, body) = who.get(&app, "/api/v1/contacts").await;
        assert_error((status, body), StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let tokens = app.tokens_in_db(owner.tenant_id).await;
    assert!(
        tokens
            .iter()
            .filter(|t| t.user_id == member.user_id)
            .all(|t| t.revoked.is_some())
    );
    let (_, members) = owner.get(&app, "/api/v1/members").await;
    assert_eq!(members.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_workspace_always_keeps_an_owner_and_only_owners_make_owners() {
    let app = spawn_app().await;
    let owner = app.signup("Owners").await;
    let admin = app.join(&owner, "admin").await;
    let me = format!("/api/v1/members/{}", owner.user_id);
    let (status, body) = owner.patch(&app, &me, json!({"role": "admin"})).await;
    assert_error((status, body), StatusCode::CONFLICT, "conflict");
    let (status, body) = owner.delete(&app, &me).await;
    assert_error((status, body), StatusCode::CONFLICT, "conflict");
    // An admin may not touch an owner, nor make one.
    let (status, body) = admin.delete(&app, &me).await;
    assert_error((status, body), StatusCode::FORBIDDEN, "forbidden");
    let admin_path = format!("/api/v1/members/{}", admin.user_id);
    let (status, body) = admin
        .patch(&app, &admin_path, json!({"role": "owner"}))
        .await;
    assert_error((status, body), StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = invite(&app, &admin, "boss@example.com", "owner").await;
    assert_error((status, body), StatusCode::FORBIDDEN, "forbidden");
    // With a second owner, the first may step down, and the second may then leave? No: last.
    let (status, _) = owner
        .patch(&app, &admin_path, json!({"role": "owner"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = owner.patch(&app, &me, json!({"role": "member"})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = admin.delete(&app, &admin_path).await;
    assert_error((status, body), StatusCode::CONFLICT, "conflict");
    // Anyone may leave: the former owner, now a member, leaves.
    let (status, _) = owner.delete(&app, &me).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = owner.get(&app, "/api/v1/contacts").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn token_scopes_expiry_and_who_sees_which_tokens() {
    let app = spawn_app().await;
    let owner = app.signup("Tokens").await;
    let member = app.join(&owner, "member").await;
    let viewer = app.join(&owner, "viewer").await;

    let (status, read) = owner
        .post(
            &app,
            "/api/v1/tokens",
            json!({"name": "reader", "scope": "read"}),
        )
        .await;
    assert_eq!(
        (status, read["scope"].as_str()),
        (StatusCode::CREATED, Some("read"))
    );
    let reader = owner.with_token(read["token"].as_str().unwrap());
    let (status, _) = reader.get(&app, "/api/v1/contacts").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = reader
        .post(&app, "/api/v1/contacts", json!({"email": "r@example.com"}))
        .await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("only read"),
        "{body}"
    );
    assert_error((status, body), StatusCode::FORBIDDEN, "forbidden");

    // A viewer may hold read tokens only.
    let (status, body) = viewer
        .post(
            &app,
            "/api/v1/tokens",
            json!({"name": "w", "scope": "write"}),
        )
        .await;
    assert_error((status, body), StatusCode::FORBIDDEN, "forbidden");

    // Expiry: in the past is refused; a token past its expiry stops working.
    let (status, body) = owner
        .post(
            &app,
            "/api/v1/tokens",
            json!({"name": "old", "expires": "2020-01-01"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let (status, short) = owner
        .post(
            &app,
            "/api/v1/tokens",
            json!({"name": "short", "expires": soon}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{short}");
    let brief = owner.with_token(short["token"].as_str().unwrap());
    assert_eq!(brief.get(&app, "/api/v1/auth/me").await.0, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (status, body) = brief.get(&app, "/api/v1/auth/me").await;
    assert_error((status, body), StatusCode::UNAUTHORIZED, "unauthorized");

    // Owners and admins see everyone's tokens; members their own; a member cannot revoke
    // another's token (it is not theirs to see), an owner can.
    let mine = member.create_token(&app, "member's").await;
    let (_, all) = owner.get(&app, "/api/v1/tokens").await;
    assert!(all.as_array().unwrap().len() >= 3, "{all}");
    let (_, own) = member.get(&app, "/api/v1/tokens").await;
    assert_eq!(own.as_array().unwrap().len(), 1);
    assert_eq!(own[0]["userId"], member.user_id.to_string());
    let (status, _) = member
        .delete(
            &app,
            &format!("/api/v1/tokens/{}", read["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = owner
        .delete(
            &app,
            &format!("/api/v1/tokens/{}", mine["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = member
        .with_token(mine["token"].as_str().unwrap())
        .get(&app, "/api/v1/contacts")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn changing_the_password_signs_out_every_other_session() {
    let app = spawn_app().await;
    let user = app.signup("Passwords").await;
    // A second session of the same person (another browser).
    let other = client();
    let response = other
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": user.email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(session_secret(&response).is_some());
    let other_me = || other.get(app.url("/api/v1/auth/me")).send();
    assert_eq!(other_me().await.unwrap().status(), StatusCode::OK);

    let (status, body) = user
        .post(
            &app,
            "/api/v1/auth/password",
            json!({"currentPassword": "not it at all", "newPassword": "brand new secret"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["fields"]["currentPassword"].is_string(),
        "{body}"
    );
    let (status, body) = user
        .post(
            &app,
            "/api/v1/auth/password",
            json!({"currentPassword": PASSWORD, "newPassword": "short"}),
        )
        .await;
    assert!(body["error"]["fields"]["newPassword"].is_string(), "{body}");
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, _) = user
        .post(
            &app,
            "/api/v1/auth/password",
            json!({"currentPassword": PASSWORD, "newPassword": "brand new secret"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(other_me().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(user.get(&app, "/api/v1/auth/me").await.0, StatusCode::OK);
    let (status, _) = app
        .post_anonymous(
            "/api/v1/auth/login",
            json!({"email": user.email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .post_anonymous(
            "/api/v1/auth/login",
            json!({"email": user.email, "password": "brand new secret"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // Signing out everywhere ends this session too (tokens stay).
    let token = user.create_token(&app, "stays").await;
    let (status, _) = user
        .post(&app, "/api/v1/auth/logout-everywhere", json!({}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        user.get(&app, "/api/v1/auth/me").await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = bearer_client(token["token"].as_str().unwrap())
        .get(app.url("/api/v1/auth/me"))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_a_mailed_single_use_link() {
    let sink = SmtpSink::start().await;
    let app = spawn_app_with(AppOptions {
        smtp_url: Some(sink.url()),
        ..AppOptions::default()
    })
    .await;
    let user = app.signup("Forgetful").await;
    // An unknown address gets the same answer, and no mail.
    let (status, _) = app
        .post_anonymous(
            "/api/v1/auth/password-reset",
            json!({"email": "nobody@example.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert!(sink.messages().is_empty());
    let (status, _) = app
        .post_anonymous(
            "/api/v1/auth/password-reset",
            json!({"email": user.email.to_uppercase()}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mails = sink.messages();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, std::slice::from_ref(&user.email));
    let link = mails[0]
        .text()
        .lines()
        .find(|l| l.contains("/reset-password/"))
        .expect("the mail has the link")
        .trim()
        .to_owned();
    assert!(
        link.starts_with(&format!("{}/reset-password/", app.base)),
        "{link}"
    );
    let secret = link.rsplit_once('/').unwrap().1.to_owned();

    let (status, body) = app
        .post_anonymous(
            "/api/v1/auth/password-reset/confirm",
            json!({"secret": secret, "newPassword": "short"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["newPassword"].is_string(), "{body}");
    let (status, _) = app
        .post_anonymous(
            "/api/v1/auth/password-reset/confirm",
            json!({"secret": secret, "newPassword": "a brand new one"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // Every session ended; the new password works, the old does not; the link works once.
    assert_eq!(
        user.get(&app, "/api/v1/auth/me").await.0,
        StatusCode::UNAUTHORIZED
    );
    let login = |password: &str| {
        app.post_anonymous(
            "/api/v1/auth/login",
            json!({"email": user.email, "password": password}),
        )
    };
    assert_eq!(login(PASSWORD).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(login("a brand new one").await.0, StatusCode::OK);
    let (status, body) = app
        .post_anonymous(
            "/api/v1/auth/password-reset/confirm",
            json!({"secret": secret, "newPassword": "yet another one"}),
        )
        .await;
    assert_error((status, body), StatusCode::GONE, "gone");
    let (status, body) = app
        .post_anonymous(
            "/api/v1/auth/password-reset/confirm",
            json!({"secret": "made-up", "newPassword": "yet another one"}),
        )
        .await;
    assert_error((status, body), StatusCode::NOT_FOUND, "not_found");

    // An expired link is gone.
    let (status, body) = app
        .post_anonymous("/api/v1/auth/password-reset", json!({"email": user.email}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let mails = sink.messages();
    assert_eq!(mails.len(), 2);
    let text = mails[1].text();
    let late = text
        .lines()
        .find(|l| l.contains("/reset-password/"))
        .unwrap();
    let late = late.trim().rsplit_once('/').unwrap().1.to_owned();
    assert_ne!(late, secret, "a new link each time");
    app.db
        .execute_unprepared(&format!(
            "UPDATE password_resets SET expires = created WHERE secret_hash = '{}'",
            common::sha256_hex(&late)
        ))
        .await
        .unwrap();
    let (status, body) = app
        .post_anonymous(
            "/api/v1/auth/password-reset/confirm",
            json!({"secret": late, "newPassword": "yet another one"}),
        )
        .await;
    assert_error((status, body), StatusCode::GONE, "gone");
}

#[tokio::test]
async fn without_mail_a_password_reset_says_it_is_not_set_up() {
    let app = spawn_app().await;
    let (status, body) = app
        .post_anonymous(
            "/api/v1/auth/password-reset",
            json!({"email": "a@example.com"}),
        )
        .await;
    assert_error((status, body), StatusCode::NOT_FOUND, "not_configured");
}

#[tokio::test]
async fn an_owner_deletes_the_workspace_and_everyone_loses_it_at_once() {
    let app = spawn_app().await;
    let owner = app.signup("Doomed").await;
    let admin = app.join(&owner, "admin").await;
    owner
        .create_contact(&app, json!({"email": "gone@example.com"}))
        .await;
    let token = owner.create_token(&app, "script").await;
    let by_token = owner.with_token(token["token"].as_str().unwrap());
    // Only the owner, with the exact name, from a session.
    let (status, body) = admin
        .request(&app, Method::DELETE, "/api/v1/workspace")
        .json(&json!({"name": "Doomed"}))
        .send()
        .await
        .map(|r| r.status())
        .map(|s| (s, ()))
        .unwrap();
    assert_eq!(status, StatusCode::FORBIDDEN, "{body:?}");
    let (status, body) = read(
        owner
            .request(&app, Method::DELETE, "/api/v1/workspace")
            .json(&json!({"name": "doomed"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(app.leads_in_db(owner.tenant_id).await.len(), 1);
    let (status, _) = read(
        owner
            .request(&app, Method::DELETE, "/api/v1/workspace")
            .json(&json!({"name": "Doomed"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for who in [&owner, &admin, &by_token] {
        assert_eq!(
            who.get(&app, "/api/v1/auth/me").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    assert!(app.leads_in_db(owner.tenant_id).await.is_empty());
    assert!(app.tokens_in_db(owner.tenant_id).await.is_empty());
    // The admin still has their own workspace to sign in to.
    let (status, signed) = app
        .post_anonymous(
            "/api/v1/auth/login",
            json!({"email": admin.email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(signed["tenant"]["name"], "their own");
}
