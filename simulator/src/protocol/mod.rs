//! The MySQL wire protocol as a StarRocks 3.4 frontend speaks it: packet framing, the
//! Handshake v10 with `mysql_native_password`, the text protocol, and the few other commands
//! clients send. Hand-rolled on std (a thread per connection), so it builds fast and can
//! reproduce StarRocks's quirks exactly.
//!
//! * [`packet`]: framing, sequence ids, multi-packet payloads, `max_allowed_packet`.
//! * [`codec`]: length-encoded integers and strings; a bounds-checked payload reader.
//! * [`auth`]: the scramble and the `mysql_native_password` check.
//! * [`handshake`]: greeting, handshake response, auth switch, login.
//! * [`results`]: OK/ERR/EOF packets, column definitions, text rows.
//! * [`connection`]: one connection's command loop.
//!
//! The protocol never interprets SQL: COM_QUERY text goes to [`crate::Handler::query`].

pub mod auth;
pub mod codec;
pub mod connection;
pub mod handshake;
pub mod packet;
pub mod results;

/// Capability flags (`CLIENT_*`).
pub mod capability {
    pub const LONG_PASSWORD: u32 = 0x0000_0001;
    pub const LONG_FLAG: u32 = 0x0000_0004;
    pub const CONNECT_WITH_DB: u32 = 0x0000_0008;
    pub const PROTOCOL_41: u32 = 0x0000_0200;
    pub const SSL: u32 = 0x0000_0800;
    pub const TRANSACTIONS: u32 = 0x0000_2000;
    pub const SECURE_CONNECTION: u32 = 0x0000_8000;
    pub const MULTI_STATEMENTS: u32 = 0x0001_0000;
    pub const MULTI_RESULTS: u32 = 0x0002_0000;
    pub const PLUGIN_AUTH: u32 = 0x0008_0000;
    pub const CONNECT_ATTRS: u32 = 0x0010_0000;
    pub const PLUGIN_AUTH_LENENC_CLIENT_DATA: u32 = 0x0020_0000;
    pub const DEPRECATE_EOF: u32 = 0x0100_0000;

    /// What the simulator advertises. StarRocks 3.4 advertises PROTOCOL_41, CONNECT_WITH_DB,
    /// SECURE_CONNECTION, PLUGIN_AUTH, LONG_FLAG, CONNECT_ATTRS and
    /// PLUGIN_AUTH_LENENC_CLIENT_DATA (`fe/.../mysql/MysqlCapability.java` DEFAULT_FLAGS) and
    /// runs multi-statement strings whatever the client asked. The simulator adds
    /// MULTI_STATEMENTS, MULTI_RESULTS and DEPRECATE_EOF so that both ways of ending a result
    /// set are exercised; clients that do not ask for DEPRECATE_EOF (the `mysql` crate, most
    /// C clients) see exactly what StarRocks sends. No SSL.
    pub const SERVER: u32 = PROTOCOL_41
        | CONNECT_WITH_DB
        | SECURE_CONNECTION
        | PLUGIN_AUTH
        | LONG_FLAG
        | CONNECT_ATTRS
        | PLUGIN_AUTH_LENENC_CLIENT_DATA
        | MULTI_STATEMENTS
        | MULTI_RESULTS
        | DEPRECATE_EOF;
}

/// Command bytes (`COM_*`) the simulator answers.
pub mod command {
    pub const QUIT: u8 = 0x01;
    pub const INIT_DB: u8 = 0x02;
    pub const QUERY: u8 = 0x03;
    pub const FIELD_LIST: u8 = 0x04;
    pub const PING: u8 = 0x0E;
    pub const CHANGE_USER: u8 = 0x11;
    pub const STMT_PREPARE: u8 = 0x16;
    pub const STMT_EXECUTE: u8 = 0x17;
    pub const STMT_SEND_LONG_DATA: u8 = 0x18;
    pub const STMT_CLOSE: u8 = 0x19;
    pub const STMT_RESET: u8 = 0x1A;
    pub const RESET_CONNECTION: u8 = 0x1F;

    /// The name StarRocks's `MysqlCommand` gives a command byte it knows (its `toString`),
    /// or `None` for bytes it does not know (`fe/.../mysql/MysqlCommand.java`).
    pub fn starrocks_name(code: u8) -> Option<&'static str> {
        Some(match code {
            0 => "Sleep",
            1 => "Quit",
            2 => "Init DB",
            3 => "Query",
            4 => "Field List",
            5 => "Create DB",
            6 => "Drop Db",
            7 => "Refresh",
            8 => "Shutdown",
            9 => "Statistics",
            10 => "Processlist",
            11 => "Connect",
            12 => "Kill",
            13 => "Debug",
            14 => "Ping",
            15 => "Time",
            16 => "DELETE_INSERT",
            17 => "Change user",
            22 => "COM_STMT_PREPARE",
            23 => "COM_STMT_EXECUTE",
            24 => "COM_STMT_SEND_LONG_DATA",
            25 => "COM_STMT_CLOSE",
            26 => "COM_STMT_RESET",
            29 => "COM_DAEMON",
            31 => "COM_RESET_CONNECTION",
            _ => return None,
        })
    }
}

/// SERVER_MORE_RESULTS_EXISTS: another result follows this one.
pub const SERVER_MORE_RESULTS_EXISTS: u16 = 0x0008;

/// StarRocks's default `max_allowed_packet` session variable, 32 MiB
/// (`fe/.../qe/SessionVariable.java`, `maxAllowedPacket = 33554432`).
pub const DEFAULT_MAX_ALLOWED_PACKET: usize = 32 * 1024 * 1024;

/// The login plugin StarRocks uses and switches other clients to.
pub const NATIVE_PASSWORD: &str = "mysql_native_password";
/// The other plugin StarRocks accepts as proposed (the response is the password in clear).
pub const CLEAR_PASSWORD: &str = "mysql_clear_password";
