pub mod app_header;
