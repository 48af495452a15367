//! `/api/v1/imports`: CSV files as spreadsheets write them, mapping, modes, the error file,
//! undo, and every way an upload can be wrong.

mod common;

use common::Backend;
use common::{
    AppOptions, TestApp, TestUser, assert_error, field_error, read, spawn_app, spawn_app_with,
};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

async fn upload(
    app: &TestApp,
    user: &TestUser,
    file: impl Into<Vec<u8>>,
    options: Option<Value>,
) -> (StatusCode, Value) {
    let mut form = Form::new().part(
        "file",
        Part::bytes(file.into())
            .file_name("contacts.csv")
            .mime_str("text/csv")
            .unwrap(),
    );
    if let Some(options) = options {
        form = form.text("options", options.to_string());
    }
    let response = user
        .request(app, reqwest::Method::POST, "/api/v1/imports")
        .multipart(form)
        .send()
        .await
        .expect("upload");
    read(response).await
}

async fn wait_for(app: &TestApp, user: &TestUser, path: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = user.get(app, path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let job = if body["job"].is_object() {
            &body["job"]
        } else {
            &body
        };
        if job["finished"].is_string() {
            return body;
        }
        assert!(Instant::now() < deadline, "job did not finish: {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Uploads, expects 202, waits for the end; the finished import.
async fn import(app: &TestApp, user: &TestUser, file: &str, options: Option<Value>) -> Value {
    let (status, started) = upload(app, user, file, options).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");
    assert_eq!(started["job"]["kind"], "import");
    let id = started["job"]["id"].as_str().unwrap();
    wait_for(app, user, &format!("/api/v1/imports/{id}")).await
}

fn counts(import: &Value) -> [u64; 5] {
    let c = &import["job"]["counts"];
    ["created", "updated", "unchanged", "skipped", "failed"].map(|k| c[k].as_u64().unwrap())
}

async fn error_file(app: &TestApp, user: &TestUser, import: &Value) -> Vec<Vec<String>> {
    let id = import["job"]["id"].as_str().unwrap();
    let response = user
        .request(
            app,
            reqwest::Method::GET,
            &format!("/api/v1/imports/{id}/errors"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = response.text().await.unwrap();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

async fn contact(app: &TestApp, user: &TestUser, email: &str) -> Option<Value> {
    let (_, body) = user
        .list(app, &format!("search={}", email.replace('@', "%40")))
        .await;
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["email"].as_str().unwrap().eq_ignore_ascii_case(email))
        .cloned()
}

#[tokio::test]
async fn a_spreadsheet_export_imports_with_guessed_columns_and_its_bad_rows_reported() {
    let app = spawn_app().await;
    let user = app.signup("Importer").await;
    // BOM, semicolons, CRLF, odd header spacing and case, a quoted field holding the separator
    // and a line break, a blank line, an all-empty row, a duplicate (the later row wins), a bad
    // email and a bad score.
    let file = "\u{FEFF}E-mail; First Name ;Company;Plan;Lead Score\r\n\
        ada@example.com;Ada;\"Analytical; Engines\";pro;10\r\n\
        \r\n\
        grace@example.com;Grace;Navy;\"two\nlines\";20\r\n\
        not-an-email;Nobody;;;\r\n\
        ;;;;\r\n\
        ADA@example.com;Augusta;Engines Ltd;team;30\r\n\
        linus@example.com;Linus;;free;lots\r\n";
    let done = import(&app, &user, file, None).await;
    assert_eq!(done["job"]["state"], "done", "{done}");
    assert_eq!(done["job"]["progress"]["total"], 6, "{done}");
    assert_eq!(done["job"]["progress"]["done"], 6);
    // created, updated, unchanged, skipped (the empty row and the earlier duplicate), failed.
    assert_eq!(counts(&done), [2, 0, 0, 2, 2], "{done}");
    assert_eq!(done["errorRows"], 3);
    assert_eq!(done["fileName"], "contacts.csv");

    let ada = contact(&app, &user, "ada@example.com").await.unwrap();
    assert_eq!(ada["email"], "ADA@example.com", "the later row won");
    assert_eq!(ada["firstName"], "Augusta");
    assert_eq!(ada["company"], "Engines Ltd");
    assert_eq!(ada["score"], 30);
    assert_eq!(ada["attributes"], json!({ "Plan": "team" }));
    let grace = contact(&app, &user, "grace@example.com").await.unwrap();
    assert_eq!(grace["company"], "Navy");
    assert_eq!(grace["attributes"], json!({ "Plan": "two\nlines" }));
    assert!(contact(&app, &user, "linus@example.com").await.is_none());

    let errors = error_file(&app, &user, &done).await;
    assert_eq!(
        errors[0],
        [
            "Error row",
            "Error field",
            "Error message",
            "E-mail",
            "First Name",
            "Company",
            "Plan",
            "Lead Score"
        ]
    );
    let by_row: Vec<(&str, &str)> = errors[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    // Rows as a spreadsheet numbers them: the header is row 1, the blank line is skipped.
    assert_eq!(by_row, [("2", "email"), ("4", "email"), ("7", "score")]);
    assert!(errors[1][2].contains("row 6"), "{:?}", errors[1]);
    assert_eq!(
        errors[1][3..6],
        ["ada@example.com", "Ada", "Analytical; Engines"]
    );
    assert_eq!(errors[3][3], "linus@example.com");

    // The error file, fixed, imports as is: its own columns are ignored.
    let fixed = "Error row,Error field,Error message,E-mail,First Name,Company,Plan,Lead Score\n\
        7,score,bad,linus@example.com,Linus,,free,40\n";
    let again = import(&app, &user, fixed, None).await;
    assert_eq!(counts(&again), [1, 0, 0, 0, 0], "{again}");
    let linus = contact(&app, &user, "linus@example.com").await.unwrap();
    assert_eq!(
        (linus["score"].as_i64(), &linus["attributes"]),
        (Some(40), &json!({ "Plan": "free" }))
    );

    let (status, history) = user.get(&app, "/api/v1/imports").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert_eq!(history[0]["job"]["id"], again["job"]["id"], "newest first");
}

#[tokio::test]
async fn modes_match_existing_contacts_by_email_and_merge_or_replace_attributes() {
    let app = spawn_app().await;
    let user = app.signup("Modes").await;
    user.create_contact(
        &app,
        json!({ "email": "old@example.com", "firstName": "Old", "company": "Keep",
                "score": 5, "attributes": { "seats": 5, "tier": "gold" } }),
    )
    .await;
    let file = "email,firstName,company,seats,plan\n\
        OLD@Example.com,Olga,,5,pro\n\
        new@example.com,Nina,Fresh,1,free\n";

    let created = import(&app, &user, file, Some(json!({ "mode": "create" }))).await;
    assert_eq!(counts(&created), [1, 0, 0, 1, 0], "{created}");
    let old = contact(&app, &user, "old@example.com").await.unwrap();
    assert_eq!(
        old["firstName"], "Old",
        "create mode leaves existing contacts alone"
    );

    let updated = import(
        &app,
        &user,
        "email,firstName,company,seats,plan\nOLD@Example.com,Olga,,5,pro\nnobody@example.com,No,,,\n",
        Some(json!({ "mode": "update" })),
    )
    .await;
    assert_eq!(counts(&updated), [0, 1, 0, 1, 0], "{updated}");
    assert!(contact(&app, &user, "nobody@example.com").await.is_none());
    let old = contact(&app, &user, "old@example.com").await.unwrap();
    assert_eq!(
        old["email"], "old@example.com",
        "the address keeps its spelling"
    );
    assert_eq!(old["firstName"], "Olga");
    assert_eq!(old["company"], "Keep", "an empty cell keeps the value");
    assert_eq!(
        old["attributes"],
        json!({ "seats": 5, "tier": "gold", "plan": "pro" }),
        "merged; the number stays a number"
    );

    // The same file again changes nothing.
    let same = import(
        &app,
        &user,
        "email,firstName,seats,plan\nold@example.com,Olga,5,pro\n",
        Some(json!({ "mode": "upsert" })),
    )
    .await;
    assert_eq!(counts(&same), [0, 0, 1, 0, 0], "{same}");

    // Replace, with an explicit mapping: only the file's attributes stay.
    let replaced = import(
        &app,
        &user,
        "Mail,Nick,Seats\nold@example.com,Oggy,7\n",
        Some(json!({ "attributes": "replace",
                     "mapping": { "Mail": "email", "Nick": "firstName", "Seats": "attributes.seats" } })),
    )
    .await;
    assert_eq!(counts(&replaced), [0, 1, 0, 0, 0], "{replaced}");
    let old = contact(&app, &user, "old@example.com").await.unwrap();
    assert_eq!(
        (&old["firstName"], &old["attributes"]),
        (&json!("Oggy"), &json!({ "seats": "7" }))
    );
}

#[tokio::test]
async fn undo_deletes_what_was_created_restores_what_was_updated_and_spares_later_edits() {
    let app = spawn_app().await;
    let user = app.signup("Undo").await;
    let kept = user
        .create_contact(
            &app,
            json!({ "email": "kept@example.com", "company": "Before", "score": 1 }),
        )
        .await;
    let file = "email,company,score\n\
        kept@example.com,After,2\n\
        a@example.com,A,3\n\
        b@example.com,B,4\n";
    let done = import(&app, &user, file, None).await;
    assert_eq!(counts(&done), [2, 1, 0, 0, 0], "{done}");
    let id = done["job"]["id"].as_str().unwrap().to_owned();

    // Someone edits one of the imported contacts afterwards: undo must not clobber it.
    let b = contact(&app, &user, "b@example.com").await.unwrap();
    let (status, _) = user
        .patch(
            &app,
            &format!("/api/v1/contacts/{}", b["id"].as_str().unwrap()),
            json!({ "score": 99 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, job) = user
        .post(&app, &format!("/api/v1/imports/{id}/revert"), json!({}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    assert_eq!(job["kind"], "import.revert");
    let revert_id = job["id"].as_str().unwrap();
    let finished = wait_for(&app, &user, &format!("/api/v1/jobs/{revert_id}")).await;
    assert_eq!(finished["state"], "done", "{finished}");
    assert_eq!(
        (
            finished["counts"]["deleted"].as_u64(),
            finished["counts"]["updated"].as_u64(),
            finished["counts"]["skipped"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{finished}"
    );
    assert!(contact(&app, &user, "a@example.com").await.is_none());
    assert_eq!(
        contact(&app, &user, "b@example.com").await.unwrap()["score"],
        99
    );
    let restored = contact(&app, &user, "kept@example.com").await.unwrap();
    assert_eq!(
        (&restored["company"], &restored["score"]),
        (&json!("Before"), &json!(1))
    );
    assert_eq!(restored["id"], kept["id"]);
    assert_ne!(
        restored["updated"], kept["updated"],
        "a restore is a new version"
    );

    let (_, after) = user.get(&app, &format!("/api/v1/imports/{id}")).await;
    assert_eq!(after["revertedBy"], revert_id);
    assert_error(
        user.post(&app, &format!("/api/v1/imports/{id}/revert"), json!({}))
            .await,
        StatusCode::CONFLICT,
        "conflict",
    );
}

#[tokio::test]
async fn another_workspace_sees_none_of_an_import() {
    let app = spawn_app().await;
    let owner = app.signup("Owner").await;
    let other = app.signup("Other").await;
    let done = import(&app, &owner, "email\nbad\nok@example.com\n", None).await;
    let id = done["job"]["id"].as_str().unwrap();
    for path in [
        format!("/api/v1/imports/{id}"),
        format!("/api/v1/imports/{id}/errors"),
    ] {
        assert_error(
            other.get(&app, &path).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }
    assert_error(
        other
            .post(&app, &format!("/api/v1/imports/{id}/revert"), json!({}))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    // A malformed id names nothing either.
    for path in ["/api/v1/imports/null%2Cnull", "/api/v1/imports/nope/errors"] {
        assert_error(
            owner.get(&app, path).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }
    let (_, theirs) = other.get(&app, "/api/v1/imports").await;
    assert_eq!(theirs, json!([]));
    assert!(contact(&app, &other, "ok@example.com").await.is_none());
    assert!(contact(&app, &owner, "ok@example.com").await.is_some());
}

#[tokio::test]
async fn bad_uploads_are_clear_errors_and_write_nothing() {
    let app = spawn_app_with(AppOptions {
        import_max_bytes: Some(200_000),
        ..AppOptions::default()
    })
    .await;
    let user = app.signup("Careful").await;

    // Not multipart.
    assert_error(
        user.post(&app, "/api/v1/imports", json!({ "file": "email\n" }))
            .await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    // No file part.
    let response = user
        .request(&app, reqwest::Method::POST, "/api/v1/imports")
        .multipart(Form::new().text("options", "{}"))
        .send()
        .await
        .unwrap();
    let answer = read(response).await;
    assert!(field_error(answer.0, &answer.1, "file").contains("required"));

    let cases: [(&[u8], Option<Value>, &str, &str); 8] = [
        (
            b"email\na@b.co\n",
            Some(json!({ "mode": "merge" })),
            "mode",
            "create, update or upsert",
        ),
        (
            b"email\na@b.co\n",
            Some(json!({ "colour": 1 })),
            "colour",
            "not a known option",
        ),
        (
            b"email\na@b.co\n",
            Some(json!({ "mapping": { "Mail": "email" } })),
            "mapping.Mail",
            "no column",
        ),
        (
            b"email\na@b.co\n",
            Some(json!({ "mapping": { "email": "phone" } })),
            "mapping.email",
            "not a target",
        ),
        (
            b"name,company\nAda,X\n",
            None,
            "mapping",
            "no column is mapped to email",
        ),
        (b"", None, "file", "empty"),
        (b"email,name\nzo\xEB@b.co,Zo\xEB\n", None, "file", "UTF-8"),
        (b"\xFF\xFEe\x00m\x00", None, "file", "UTF-16"),
    ];
    for (file, options, field, message) in cases {
        let (status, body) = upload(&app, &user, file.to_vec(), options.clone()).await;
        let got = field_error(status, &body, field);
        assert!(
            got.contains(message),
            "{options:?}: {field} = {got:?}, want {message:?}"
        );
    }

    // Over the limit: a 413 naming it.
    let big = format!("email\n{}", "x@example.com\n".repeat(20_000));
    let (status, body) = upload(&app, &user, big, None).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"]["code"], "payload_too_large");

    // Invalid UTF-8 past what the upload checks at once: the job fails before writing a row.
    let mut late = String::from("email\n");
    for i in 0..6000 {
        late.push_str(&format!("user{i}@example.com\n"));
    }
    let mut late = late.into_bytes();
    late.extend_from_slice(b"bad\xFF@example.com\n");
    let (status, started) = upload(&app, &user, late, None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");
    let id = started["job"]["id"].as_str().unwrap();
    let failed = wait_for(&app, &user, &format!("/api/v1/imports/{id}")).await;
    assert_eq!(failed["job"]["state"], "failed", "{failed}");
    assert!(
        failed["job"]["message"]
            .as_str()
            .unwrap()
            .contains("row 6002 is not UTF-8"),
        "{failed}"
    );
    assert_eq!(counts(&failed), [0; 5]);

    assert!(
        app.leads_in_db(user.tenant_id).await.is_empty(),
        "nothing was written"
    );
}

#[tokio::test]
async fn a_large_file_imports_in_chunks_and_can_be_cancelled_part_way() {
    let app = spawn_app().await;
    let user = app.signup("Big").await;
    let mut file = String::from("email,score\n");
    for i in 0..5000 {
        file.push_str(&format!("big{i}@example.com,{}\n", i % 100));
    }
    let done = import(&app, &user, &file, None).await;
    assert_eq!(counts(&done), [5000, 0, 0, 0, 0], "{done}");
    assert_eq!(app.leads_in_db(user.tenant_id).await.len(), 5000);

    // Cancelled at once: it stops at a chunk boundary, and what it wrote is undoable.
    let mut more = String::from("email\n");
    for i in 0..20_000 {
        more.push_str(&format!("more{i}@example.com\n"));
    }
    let (status, started) = upload(&app, &user, more, None).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let id = started["job"]["id"].as_str().unwrap().to_owned();
    let (status, _) = user
        .post(&app, &format!("/api/v1/jobs/{id}/cancel"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let cancelled = wait_for(&app, &user, &format!("/api/v1/imports/{id}")).await;
    assert_eq!(cancelled["job"]["state"], "cancelled", "{cancelled}");
    let created = counts(&cancelled)[0];
    assert!(created < 20_000, "{cancelled}");
    let chunk = app::server::service::imports::IMPORT_CHUNK as u64;
    assert_eq!(created % chunk, 0, "whole chunks only: {cancelled}");
    assert_eq!(
        app.leads_in_db(user.tenant_id).await.len() as u64,
        5000 + created
    );

    let (status, job) = user
        .post(&app, &format!("/api/v1/imports/{id}/revert"), json!({}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let undone = wait_for(
        &app,
        &user,
        &format!("/api/v1/jobs/{}", job["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(
        undone["counts"]["deleted"].as_u64(),
        Some(created),
        "{undone}"
    );
    assert_eq!(app.leads_in_db(user.tenant_id).await.len(), 5000);
}

/// A new installation's contacts table has never been analysed, and PostgreSQL plans a chunk's
/// lookups of its emails as if the table were tiny (an import crawled at a few hundred rows a
/// second). The import analyses it after its first chunk.
#[tokio::test]
async fn an_import_analyses_a_contacts_table_that_was_never_analysed() {
    let app = spawn_app().await;
    if common::backend() != Backend::Postgres || common::on_citus() {
        return;
    }
    let reltuples = || async {
        app.db
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT reltuples::float8 FROM pg_class WHERE oid = 'leads'::regclass",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<f64>(0)
            .unwrap()
    };
    assert_eq!(reltuples().await, -1.0, "a new database, never analysed");
    let user = app.signup("Fresh").await;
    let mut file = String::from("email\n");
    for i in 0..50 {
        file.push_str(&format!("fresh{i}@example.com\n"));
    }
    let done = import(&app, &user, &file, None).await;
    assert_eq!(counts(&done), [50, 0, 0, 0, 0], "{done}");
    assert_eq!(reltuples().await, 50.0, "analysed once the rows were in");
}

#[tokio::test]
async fn an_export_imports_back_losslessly() {
    let app = spawn_app().await;
    let source = app.signup("Exporter").await;
    let target = app.signup("Receiver").await;
    for body in [
        json!({ "email": "Ada@Example.com", "firstName": "Ada", "lastName": "Lovelace",
                "company": "Engines, \"Analytical\"", "status": "bounced", "score": -5,
                "attributes": { "plan": "pro", "note": "line one\nline two" } }),
        json!({ "email": "grace@example.com", "name": "Amazing Grace", "status": "unsubscribed",
                "score": 1000000, "attributes": { "plan": "free" } }),
        json!({ "email": "zoë@example.com" }),
    ] {
        source.create_contact(&app, body).await;
    }
    let csv = source
        .request(
            &app,
            reqwest::Method::GET,
            "/api/v1/contacts/export?format=csv",
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let done = import(&app, &target, &csv, None).await;
    assert_eq!(counts(&done), [3, 0, 0, 0, 0], "{done}");

    let fields = |c: &Value| {
        let mut c = c.clone();
        for k in ["id", "tenantId", "created", "updated"] {
            c.as_object_mut().unwrap().remove(k);
        }
        c
    };
    let (_, theirs) = source.list(&app, "sort=email&order=asc").await;
    let (_, ours) = target.list(&app, "sort=email&order=asc").await;
    let theirs: Vec<Value> = theirs["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(fields)
        .collect();
    let ours: Vec<Value> = ours["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(fields)
        .collect();
    assert_eq!(ours, theirs);
}

#[tokio::test]
async fn an_import_cut_short_by_a_restart_is_interrupted_with_what_it_committed_counted() {
    let app = spawn_app().await;
    let user = app.signup("Restarted").await;
    // Big enough that it cannot finish between the first chunk and the interruption.
    let mut file = String::from("email\n");
    for i in 0..300_000 {
        file.push_str(&format!("r{i}@example.com\n"));
    }
    let (status, started) = upload(&app, &user, file, None).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let id = started["job"]["id"].as_str().unwrap().to_owned();
    // Once some chunks are in.
    loop {
        let (_, now) = user.get(&app, &format!("/api/v1/jobs/{id}")).await;
        if now["progress"]["done"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        assert!(
            now["finished"].is_null(),
            "finished before it could be cut short: {now}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // What a start-up (or another instance) does once the runner has stopped reporting: here
    // at once, every heartbeat so far counting as stale.
    app::server::service::jobs::interrupt_stale(&app.db, chrono::Duration::hours(-1))
        .await
        .unwrap();
    // The running task notices at its next chunk and stops writing, once the chunks it has in
    // hand are in: the count must hold still for a while.
    let (mut last, mut still) = (usize::MAX, 0);
    while still < 4 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = app.leads_in_db(user.tenant_id).await.len();
        still = if now == last { still + 1 } else { 0 };
        last = now;
    }
    let (_, import) = user.get(&app, &format!("/api/v1/imports/{id}")).await;
    assert_eq!(import["job"]["state"], "interrupted", "{import}");
    assert!(last > 0 && last < 300_000, "it stopped part-way: {import}");
    assert_eq!(
        counts(&import)[0],
        last as u64,
        "every committed row is counted: {import}"
    );
    // And what it did is undoable.
    let (status, job) = user
        .post(&app, &format!("/api/v1/imports/{id}/revert"), json!({}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    wait_for(
        &app,
        &user,
        &format!("/api/v1/jobs/{}", job["id"].as_str().unwrap()),
    )
    .await;
    assert!(app.leads_in_db(user.tenant_id).await.is_empty());
}
