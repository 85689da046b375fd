//! One behavioural suite, run against SQLite always and against PostgreSQL when
//! `GATEHOUSE_TEST_POSTGRES_URL` names a server (each run gets a fresh database there).

use super::*;

fn account(id: &str) -> AccountRecord {
    AccountRecord {
        account_id: id.to_owned(),
        name: format!("acct-{id}"),
        email: format!("{id}@example.com"),
        status: "ACTIVE".to_owned(),
        created_at: 1_700_000_000_000,
    }
}

fn user(account_id: &str, name: &str, path: &str) -> UserRecord {
    UserRecord {
        account_id: account_id.to_owned(),
        user_name: name.to_owned(),
        user_id: format!("AIDA{}", name.to_uppercase()),
        path: path.to_owned(),
        created_at: 1_700_000_000_000,
        permissions_boundary: None,
        tags: vec![("team".to_owned(), "blue".to_owned())],
    }
}

fn key(id: &str, account_id: &str, owner: KeyOwner) -> AccessKeyRecord {
    AccessKeyRecord {
        access_key_id: id.to_owned(),
        account_id: account_id.to_owned(),
        owner,
        secret_sealed: vec![0, 1, 2, 255],
        status: "Active".to_owned(),
        created_at: 1_700_000_000_000,
        last_used: None,
    }
}

async fn suite(store: Store) {
    let (a, b) = ("111111111111", "222222222222");
    let mut tx = store.begin().await.unwrap();
    tx.insert_account(&account(a)).await.unwrap();
    tx.insert_account(&account(b)).await.unwrap();
    tx.commit().await.unwrap();

    // A duplicate account id is refused and the transaction leaves nothing behind.
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.insert_account(&account(a)).await,
        Err(StoreError::Duplicate)
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.account(a).await.unwrap(), Some(account(a)));
    assert_eq!(tx.account("333333333333").await.unwrap(), None);

    // Users: unique per account regardless of case, invisible from other accounts.
    tx.insert_user(&user(a, "Alice", "/")).await.unwrap();
    tx.insert_user(&user(a, "bob", "/dev/")).await.unwrap();
    tx.insert_user(&user(a, "carol", "/dev/ops/"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.insert_user(&UserRecord {
            user_id: "AIDAOTHER".into(),
            ..user(a, "ALICE", "/")
        })
        .await,
        Err(StoreError::Duplicate)
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.user(a, "alice").await.unwrap().unwrap().user_name,
        "Alice"
    );
    assert_eq!(
        tx.user(a, "alice").await.unwrap().unwrap().tags,
        user(a, "Alice", "/").tags
    );
    assert_eq!(tx.user(b, "alice").await.unwrap(), None);

    let names = |users: Vec<UserRecord>| users.into_iter().map(|u| u.user_name).collect::<Vec<_>>();
    assert_eq!(
        names(tx.list_users(a, "/", None, 100).await.unwrap()),
        ["Alice", "bob", "carol"]
    );
    assert_eq!(
        names(tx.list_users(a, "/dev/", None, 100).await.unwrap()),
        ["bob", "carol"]
    );
    assert_eq!(
        names(tx.list_users(a, "/", None, 2).await.unwrap()),
        ["Alice", "bob"]
    );
    assert_eq!(
        names(tx.list_users(a, "/", Some("bob"), 2).await.unwrap()),
        ["carol"]
    );
    assert!(tx.list_users(b, "/", None, 100).await.unwrap().is_empty());

    // Access keys: scoped by account for every change.
    tx.insert_access_key(&key("AKIAROOTA", a, KeyOwner::Root))
        .await
        .unwrap();
    tx.insert_access_key(&key("AKIABOB1", a, KeyOwner::User("bob".into())))
        .await
        .unwrap();
    tx.insert_access_key(&key("AKIABOB2", a, KeyOwner::User("BOB".into())))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let found = tx.access_key_by_id("AKIABOB1").await.unwrap().unwrap();
    assert_eq!(found.owner, KeyOwner::User("bob".into()));
    assert_eq!(found.secret_sealed, vec![0, 1, 2, 255]);
    assert_eq!(
        tx.access_keys_of(a, &KeyOwner::User("Bob".into()))
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        tx.access_keys_of(a, &KeyOwner::Root).await.unwrap().len(),
        1
    );
    assert!(!tx
        .set_access_key_status(b, "AKIABOB1", "Inactive")
        .await
        .unwrap());
    assert!(tx
        .set_access_key_status(a, "AKIABOB1", "Inactive")
        .await
        .unwrap());
    assert!(!tx.delete_access_key(b, "AKIABOB2").await.unwrap());
    assert!(tx.delete_access_key(a, "AKIABOB2").await.unwrap());
    tx.record_key_use("AKIABOB1", 1_800_000_000_000, "iam", "us-east-1")
        .await
        .unwrap();
    tx.record_key_use("AKIABOB1", 1_700_000_000_000, "sts", "eu-west-1")
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let found = tx.access_key_by_id("AKIABOB1").await.unwrap().unwrap();
    assert_eq!(found.status, "Inactive");
    assert_eq!(
        found.last_used,
        Some((1_800_000_000_000, "iam".into(), "us-east-1".into()))
    );
    assert_eq!(tx.access_key_by_id("AKIABOB2").await.unwrap(), None);

    // Rolled-back work leaves no trace.
    tx.insert_user(&user(b, "dave", "/")).await.unwrap();
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.user(b, "dave").await.unwrap(), None);
    assert!(tx.delete_user(a, "CAROL").await.unwrap());
    assert!(!tx.delete_user(a, "carol").await.unwrap());
    tx.commit().await.unwrap();

    // Reset keeps the kept account and its root key only.
    store.reset(a).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(tx.account(a).await.unwrap().is_some());
    assert!(tx.account(b).await.unwrap().is_none());
    assert!(tx.access_key_by_id("AKIAROOTA").await.unwrap().is_some());
    assert!(tx.access_key_by_id("AKIABOB1").await.unwrap().is_none());
    assert!(tx.user(a, "alice").await.unwrap().is_none());
    drop(tx);

    assert!(store.ping().await);
    assert_eq!(
        migrations::current_version(&store).await.unwrap(),
        migrations::latest_version(&store)
    );
}

#[tokio::test]
async fn sqlite_backend_behaves() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("state.db").display());
    let store = Store::open(&url).await.unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    suite(store).await;
    // Reopening runs no migration twice.
    Store::open(&url).await.unwrap();
}

#[tokio::test]
async fn postgres_backend_behaves() {
    let Some(url) = fresh_postgres_database().await else {
        return;
    };
    let store = Store::open(&url).await.unwrap();
    assert_eq!(store.backend(), Backend::Postgres);
    suite(store).await;
}

/// Creates an empty database on the server named by `GATEHOUSE_TEST_POSTGRES_URL` and
/// returns its URL; prints a loud notice and returns `None` when the variable is unset.
pub(crate) async fn fresh_postgres_database() -> Option<String> {
    let Ok(base) = std::env::var("GATEHOUSE_TEST_POSTGRES_URL") else {
        eprintln!("SKIPPED: PostgreSQL store tests (set GATEHOUSE_TEST_POSTGRES_URL to run them)");
        return None;
    };
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&base).await.unwrap();
    let name = format!("gatehouse_test_{}", uuid::Uuid::new_v4().simple());
    sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    let (prefix, rest) = base.rsplit_once('/').unwrap();
    let query = rest
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    Some(format!("{prefix}/{name}{query}"))
}
