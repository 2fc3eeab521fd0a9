//! One module per subcommand: its arguments and its run function together.

pub mod album;
pub mod backup;
pub mod cache;
pub mod caption;
pub mod check;
pub mod devices;
pub mod duplicates;
pub mod export;
pub mod favourite;
pub mod fetch;
pub mod import;
pub mod inspect;
pub mod ls;
pub mod pin;
pub mod prune;
pub mod restore;
pub mod search;
pub mod settings;
pub mod show;
pub mod status;
pub mod sync;
pub mod target;
pub mod tidy;
pub mod trash;
pub mod verify;
pub mod watch;
