use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub state: String,
    pub started_by: Uuid,
    pub params: Json,
    pub done: i64,
    pub total: i64,
    pub counts: Json,
    pub message: String,
    pub created: DateTimeUtc,
    pub finished: Option<DateTimeUtc>,
    /// The server instance running it, once claimed.
    pub claimed_by: Option<Uuid>,
    /// When its runner last reported; a stale one means the runner is gone.
    pub heartbeat: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
