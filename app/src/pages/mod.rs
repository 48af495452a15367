pub mod contact;
pub mod contacts;
pub mod home;
pub mod import;
pub mod login;
pub mod not_found;
pub mod signup;
