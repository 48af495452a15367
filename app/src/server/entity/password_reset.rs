use sea_orm::entity::prelude::*;

/// Global (not a tenant's): a person resets their password, whatever workspaces they are in.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "password_resets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub secret_hash: String,
    pub created: DateTimeUtc,
    pub expires: DateTimeUtc,
    pub used: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
