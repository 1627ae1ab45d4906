pub mod notice;
pub mod shell;
