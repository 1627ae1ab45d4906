//! One file per route.

pub mod admin;
pub mod assignment;
pub mod audit;
pub mod channels_admin;
pub mod home;
pub mod incidents;
pub mod kb_article;
pub mod knowledge_base;
pub mod macros;
pub mod mentions;
pub mod dialogue;
pub mod not_found;
pub mod performance;
pub mod planning;
pub mod qa;
pub mod qa_results;
pub mod qa_review;
pub mod qa_scorecard;
pub mod queue;
pub mod reports;
pub mod schedule;
pub mod rules;
pub mod service_levels;
pub mod sign_in;
pub mod tokens_admin;
pub mod teams_admin;
