use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "import_errors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub import_id: Uuid,
    /// The row's number as a spreadsheet shows it (the header is row 1).
    #[sea_orm(primary_key, auto_increment = false)]
    pub row_number: i64,
    pub fields: String,
    pub message: String,
    /// The row's cells as read, a JSON array of strings.
    pub cells: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
