//! A searched total that would take longer than its budget comes back as the planner's
//! estimate, marked as one, with the page itself intact. Its own test binary: the budget is
//! process-wide, and here it is squeezed to 1 ms so that counting 10,000 matches overruns it.

mod common;

use common::{Backend, backend, insert_contacts, spawn_app};
use sea_orm::ConnectionTrait;

#[tokio::test]
async fn an_overrun_count_gives_way_to_a_marked_estimate() {
    if backend() != Backend::Postgres {
        println!(
            "the count budget applies on PostgreSQL only; skipped (set LEADS_TEST_BACKEND=postgres)"
        );
        return;
    }
    let app = spawn_app().await;
    let user = app.signup("Counted").await;
    insert_contacts(&app, &user, 30_000).await;
    app.db.execute_unprepared("ANALYZE leads").await.unwrap();

    // Within the usual budget: exact (up to the cap).
    let (ids, meta) = user.list_ids(&app, "search=s1234%40").await;
    assert_eq!(
        (ids.len(), &meta["total"]),
        (1, &serde_json::json!(1)),
        "{meta}"
    );
    assert_eq!(meta["totalIsEstimate"], false);

    app::server::service::set_count_budget_ms(1);
    let (ids, meta) = user.list_ids(&app, "search=example&limit=20").await;
    // The page is whole: the squeezed limit was lifted again before it was read.
    assert_eq!(ids.len(), 20, "{meta}");
    assert_eq!(meta["totalIsEstimate"], true, "{meta}");
    assert_eq!(meta["totalIsExact"], false);
    let total = meta["total"].as_u64().unwrap();
    assert!(
        (10_000..=60_000).contains(&total),
        "a sane estimate of 30,000: {meta}"
    );
    assert!(meta["nextCursor"].is_string());
    app::server::service::set_count_budget_ms(app::server::service::COUNT_BUDGET_MS);
}
