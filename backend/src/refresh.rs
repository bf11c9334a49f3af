//! Refreshing the filters from Pipedrive: fetch, reconcile, apply in one transaction.

use sqlx::SqlitePool;

use crate::{
    db::{self, DbError},
    domain::{
        filter::{reconcile, Reconciliation},
        time::UnixTime,
    },
    upstream::{pipedrive::PipedriveClient, UpstreamError},
};

#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Fetches Pipedrive's person filters and brings the stored ones in line. Nothing is written
/// unless the whole listing arrived, and all changes land together or not at all.
pub async fn refresh_filters(
    pool: &SqlitePool,
    pipedrive: &PipedriveClient,
) -> Result<Reconciliation, RefreshError> {
    let remote = pipedrive.person_filters().await?;

    let mut tx = db::begin_write(pool).await?;
    let plan = reconcile(&remote, &db::filters::all_stored(&mut tx).await?);
    for filter in &plan.created {
        db::filters::insert(&mut tx, filter).await?;
    }
    for filter in plan.renamed.iter().chain(&plan.restored) {
        db::filters::update_active(&mut tx, filter).await?;
    }
    let now = UnixTime::now();
    for id in &plan.deleted {
        db::filters::soft_delete(&mut tx, *id, now).await?;
    }
    tx.commit().await.map_err(DbError::from)?;
    Ok(plan)
}
