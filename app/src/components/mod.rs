pub mod live;
pub mod notice;
pub mod promise;
pub mod shell;
