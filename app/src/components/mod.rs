pub mod live;
pub mod notice;
pub mod shell;
