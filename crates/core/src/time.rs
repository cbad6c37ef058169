//! Time as the shop counts it: nanoseconds since the Unix epoch, as the
//! writer stamps them on each command.

/// Times are nanoseconds, as the writer stamps them.
pub const NANOS_PER_SECOND: u64 = 1_000_000_000;
pub const NANOS_PER_DAY: u64 = 86_400 * NANOS_PER_SECOND;
