//! The server's integration tests: the real router (and, in `cli`, the real binary) on a fresh
//! database per test (a SQLite file, or a PostgreSQL database with `MUBLOG_TEST_BACKEND=postgres`),
//! one module per area. One test binary, so one link step.

mod common;

mod accounts;
mod admin;
mod auth;
mod cli;
mod docs;
mod graphql;
mod headers;
mod images;
mod jobs;
mod live;
mod operations;
mod pages;
mod posts;
mod proxy;
mod rest;
mod security;
