//! Encoding of server answers: OK, ERR and EOF packets, column definitions and text rows,
//! and the sequence of packets one [`Outcome`] becomes.
//!
//! What StarRocks 3.4 sends, from its source (`fe/.../mysql/MysqlOkPacket.java`,
//! `MysqlErrPacket.java`, `MysqlEofPacket.java`, `MysqlSerializer.writeField`,
//! `fe/.../catalog/Type.java` `getMysqlResultSetField*`):
//! * column definitions: catalog `def`, schema/table/org_table empty, name = org_name,
//!   **flags always 0**, charset 33 for strings and 63 (binary) for everything else, the
//!   display length per type (VARCHAR(30) of SHOW results: 90), decimals 31 for DOUBLE;
//! * the OK packet's info string is length-encoded and sent only when not empty;
//! * the ERR packet falls back to "Unknown error" when the message is empty;
//! * the status flags are 0 except SERVER_MORE_RESULTS_EXISTS between results.

use std::io;

use super::codec::{put_lenenc_bytes, put_lenenc_int};
use super::packet::PacketStream;
use super::SERVER_MORE_RESULTS_EXISTS;
use crate::response::{Column, ColumnType, Outcome, Response, SqlError};

/// How a column type is described on the wire: type code, charset, display length, decimals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WireType {
    pub code: u8,
    pub charset: u16,
    pub length: u32,
    pub decimals: u8,
}

/// utf8_general_ci.
pub const CHARSET_UTF8: u16 = 33;
/// binary.
pub const CHARSET_BINARY: u16 = 63;

impl WireType {
    pub fn of(kind: ColumnType) -> WireType {
        let (code, charset, length, decimals) = match kind {
            ColumnType::VarString => (253, CHARSET_UTF8, 90, 0),
            ColumnType::LongLong => (8, CHARSET_BINARY, 20, 0),
            ColumnType::Long => (3, CHARSET_BINARY, 11, 0),
            ColumnType::Tiny => (1, CHARSET_BINARY, 4, 0),
            ColumnType::Double => (5, CHARSET_BINARY, 22, 31),
            ColumnType::DateTime => (12, CHARSET_BINARY, 19, 0),
            ColumnType::Date => (10, CHARSET_BINARY, 10, 0),
            // `ColumnType` carries no precision; StarRocks sends precision + 3 (+1 with a
            // scale), and 0 when the precision is unknown.
            ColumnType::Decimal => (246, CHARSET_BINARY, 0, 0),
        };
        WireType {
            code,
            charset,
            length,
            decimals,
        }
    }
}

/// Whether result sets end with an EOF packet (classic) or an OK packet with a 0xFE header
/// (the client asked for CLIENT_DEPRECATE_EOF).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Terminator {
    Eof,
    Ok,
}

pub fn ok_packet(
    affected: u64,
    last_insert_id: u64,
    status: u16,
    warnings: u16,
    info: &str,
) -> Vec<u8> {
    let mut p = vec![0x00];
    put_lenenc_int(&mut p, affected);
    put_lenenc_int(&mut p, last_insert_id);
    p.extend_from_slice(&status.to_le_bytes());
    p.extend_from_slice(&warnings.to_le_bytes());
    if !info.is_empty() {
        put_lenenc_bytes(&mut p, info.as_bytes());
    }
    p
}

pub fn err_packet(e: &SqlError) -> Vec<u8> {
    let mut p = vec![0xFF];
    p.extend_from_slice(&e.code.to_le_bytes());
    p.push(b'#');
    let mut state = [b'H', b'Y', b'0', b'0', b'0'];
    for (dst, src) in state.iter_mut().zip(e.sqlstate.bytes()) {
        *dst = src;
    }
    p.extend_from_slice(&state);
    if e.message.is_empty() {
        p.extend_from_slice(b"Unknown error");
    } else {
        p.extend_from_slice(e.message.as_bytes());
    }
    p
}

/// The end of a column list or of the rows.
pub fn end_packet(term: Terminator, status: u16) -> Vec<u8> {
    match term {
        Terminator::Eof => {
            let mut p = vec![0xFE, 0, 0];
            p.extend_from_slice(&status.to_le_bytes());
            p
        }
        Terminator::Ok => {
            let mut p = vec![0xFE, 0, 0];
            p.extend_from_slice(&status.to_le_bytes());
            p.extend_from_slice(&0u16.to_le_bytes());
            p
        }
    }
}

/// A ColumnDefinition41. `default` adds the default-value field COM_FIELD_LIST sends.
pub fn column_definition(col: &Column, schema: &str, table: &str, with_default: bool) -> Vec<u8> {
    let t = WireType::of(col.kind);
    let mut p = Vec::with_capacity(32 + col.name.len() * 2);
    put_lenenc_bytes(&mut p, b"def");
    put_lenenc_bytes(&mut p, schema.as_bytes());
    put_lenenc_bytes(&mut p, table.as_bytes());
    put_lenenc_bytes(&mut p, table.as_bytes());
    put_lenenc_bytes(&mut p, col.name.as_bytes());
    put_lenenc_bytes(&mut p, col.name.as_bytes());
    p.push(0x0C);
    p.extend_from_slice(&t.charset.to_le_bytes());
    p.extend_from_slice(&t.length.to_le_bytes());
    p.push(t.code);
    p.extend_from_slice(&0u16.to_le_bytes());
    p.push(t.decimals);
    p.extend_from_slice(&[0, 0]);
    if with_default {
        put_lenenc_bytes(&mut p, b"");
    }
    p
}

/// A text-protocol row: each cell length-encoded, NULL as 0xFB.
pub fn text_row(row: &[Option<String>], out: &mut Vec<u8>) {
    out.clear();
    for cell in row {
        match cell {
            Some(s) => put_lenenc_bytes(out, s.as_bytes()),
            None => out.push(0xFB),
        }
    }
}

/// Writes the answer to one COM_QUERY: every outcome in order, SERVER_MORE_RESULTS_EXISTS on
/// all but the last. An error ends the answer (the handler stops at the first error; any
/// outcome after one is not sent). An empty list is answered with a plain OK.
pub fn write_outcomes(
    out: &mut PacketStream,
    outcomes: &[Outcome],
    term: Terminator,
) -> io::Result<()> {
    if outcomes.is_empty() {
        return out.write_packet(&ok_packet(0, 0, 0, 0, ""));
    }
    for (i, outcome) in outcomes.iter().enumerate() {
        let status = if i + 1 < outcomes.len() {
            SERVER_MORE_RESULTS_EXISTS
        } else {
            0
        };
        match outcome {
            Ok(resp) => write_response(out, resp, status, term)?,
            Err(e) => return out.write_packet(&err_packet(e)),
        }
    }
    Ok(())
}

fn write_response(
    out: &mut PacketStream,
    resp: &Response,
    status: u16,
    term: Terminator,
) -> io::Result<()> {
    match resp {
        Response::Ok {
            affected_rows,
            last_insert_id,
            warnings,
            info,
        } => out.write_packet(&ok_packet(
            *affected_rows,
            *last_insert_id,
            status,
            *warnings,
            info,
        )),
        Response::ResultSet { columns, rows } => {
            let mut p = Vec::new();
            put_lenenc_int(&mut p, columns.len() as u64);
            out.write_packet(&p)?;
            for c in columns {
                out.write_packet(&column_definition(c, "", "", false))?;
            }
            if term == Terminator::Eof {
                out.write_packet(&end_packet(Terminator::Eof, 0))?;
            }
            for row in rows {
                text_row(row, &mut p);
                out.write_packet(&p)?;
            }
            out.write_packet(&end_packet(term, status))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_columns_are_varchar_90_utf8_with_no_flags() {
        let p = column_definition(&Column::varchar("JobId"), "", "", false);
        let tail = &p[p.len() - 13..];
        assert_eq!(tail[0], 0x0C);
        assert_eq!(u16::from_le_bytes([tail[1], tail[2]]), 33);
        assert_eq!(u32::from_le_bytes([tail[3], tail[4], tail[5], tail[6]]), 90);
        assert_eq!(tail[7], 253);
        assert_eq!(&tail[8..], &[0, 0, 0, 0, 0]);
        assert!(p.starts_with(&[3, b'd', b'e', b'f', 0, 0, 0, 5]));
    }

    #[test]
    fn err_packet_pads_sqlstate_and_never_sends_an_empty_message() {
        let p = err_packet(&SqlError::new(1045, "28", ""));
        assert_eq!(
            &p[..9],
            &[0xFF, 0x15, 0x04, b'#', b'2', b'8', b'0', b'0', b'0']
        );
        assert_eq!(&p[9..], b"Unknown error");
    }

    #[test]
    fn null_cells_are_0xfb() {
        let mut out = Vec::new();
        text_row(&[None, Some("ab".into()), Some(String::new())], &mut out);
        assert_eq!(out, vec![0xFB, 2, b'a', b'b', 0]);
    }

    #[test]
    fn ok_packet_sends_info_only_when_present() {
        assert_eq!(ok_packet(1, 0, 0, 0, ""), vec![0, 1, 0, 0, 0, 0, 0]);
        assert_eq!(
            ok_packet(0, 0, 8, 0, "x"),
            vec![0, 0, 0, 8, 0, 0, 0, 1, b'x']
        );
    }
}
