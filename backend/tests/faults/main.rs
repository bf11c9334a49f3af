//! Fault tests on the real binary (RELIABILITY.md items 1, 2, 8, 20, 26, 27, 28, 32): it is
//! started as a child process on its own SQLite file, killed with SIGKILL or SIGTERM and
//! started again, against the upstream sandbox in-process. Loopback only; every test is
//! bounded in time.

mod crash;
mod harness;
mod load;
mod mirror_crash;
mod schedule;
mod secrets;
mod server;
mod sqlite;
