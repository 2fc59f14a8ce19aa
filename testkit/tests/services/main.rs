//! Tests of the throwaway services, one module per service. Each test starts what it needs
//! and removes it again when its values drop.

mod docker;
mod em;
mod git;
mod http_client;
mod mariadb;
mod redis;
mod temp;
