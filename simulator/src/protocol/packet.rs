//! Packet framing: a 3-byte little-endian payload length and a 1-byte sequence id, with
//! logical payloads of 16 MiB − 1 or more split across several physical packets.
//!
//! The sequence id starts at 0 with every command the client sends and goes up by one for
//! each physical packet in either direction, so one counter serves reading and writing.

use std::fmt;
use std::io::{self, BufReader, BufWriter, ErrorKind, Read, Write};
use std::net::TcpStream;

/// The largest payload one physical packet carries; a payload of exactly this length says
/// "more follows".
pub const MAX_PHYSICAL: usize = 0xFF_FFFF;

/// Why reading a packet failed.
#[derive(Debug)]
pub enum PacketError {
    /// The peer closed the connection cleanly between packets.
    Closed,
    /// The stream ended inside a header or a payload.
    Truncated,
    /// A packet arrived with the wrong sequence id.
    BadSequence {
        expected: u8,
        got: u8,
    },
    /// The logical payload would exceed `max_allowed_packet`.
    TooLarge {
        limit: usize,
    },
    Io(io::Error),
}

impl fmt::Display for PacketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PacketError::Closed => f.write_str("connection closed"),
            PacketError::Truncated => f.write_str("connection closed inside a packet"),
            PacketError::BadSequence { expected, got } => {
                write!(f, "bad packet sequence: expected {expected}, got {got}")
            }
            PacketError::TooLarge { limit } => {
                write!(f, "packet larger than max_allowed_packet ({limit} bytes)")
            }
            PacketError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for PacketError {}

impl From<io::Error> for PacketError {
    fn from(e: io::Error) -> Self {
        match e.kind() {
            ErrorKind::UnexpectedEof => PacketError::Truncated,
            _ => PacketError::Io(e),
        }
    }
}

/// One client connection's packet stream.
pub struct PacketStream {
    reader: BufReader<TcpStream>,
    writer: BufWriter<TcpStream>,
    seq: u8,
    max_allowed_packet: usize,
}

impl PacketStream {
    pub fn new(stream: TcpStream, max_allowed_packet: usize) -> io::Result<Self> {
        let write_half = stream.try_clone()?;
        Ok(PacketStream {
            reader: BufReader::with_capacity(64 * 1024, stream),
            writer: BufWriter::with_capacity(64 * 1024, write_half),
            seq: 0,
            max_allowed_packet,
        })
    }

    /// Starts a new command exchange: the next packet read must have sequence id 0.
    pub fn reset_sequence(&mut self) {
        self.seq = 0;
    }

    /// Reads one logical packet (joining physical packets of 16 MiB − 1).
    pub fn read_packet(&mut self) -> Result<Vec<u8>, PacketError> {
        let mut payload = Vec::new();
        let mut first = true;
        loop {
            let mut header = [0u8; 4];
            read_header(&mut self.reader, &mut header, first)?;
            first = false;
            let len =
                usize::from(header[0]) | usize::from(header[1]) << 8 | usize::from(header[2]) << 16;
            let got = header[3];
            if got != self.seq {
                return Err(PacketError::BadSequence {
                    expected: self.seq,
                    got,
                });
            }
            self.seq = self.seq.wrapping_add(1);
            if payload.len().saturating_add(len) > self.max_allowed_packet {
                return Err(PacketError::TooLarge {
                    limit: self.max_allowed_packet,
                });
            }
            let start = payload.len();
            payload.resize(start + len, 0);
            self.reader.read_exact(&mut payload[start..])?;
            if len < MAX_PHYSICAL {
                return Ok(payload);
            }
        }
    }

    /// Buffers one logical packet, split into physical packets as needed.
    pub fn write_packet(&mut self, payload: &[u8]) -> io::Result<()> {
        let mut rest = payload;
        loop {
            let n = rest.len().min(MAX_PHYSICAL);
            let len = (n as u32).to_le_bytes();
            self.writer.write_all(&[len[0], len[1], len[2], self.seq])?;
            self.writer.write_all(&rest[..n])?;
            self.seq = self.seq.wrapping_add(1);
            rest = &rest[n..];
            // A chunk of exactly MAX_PHYSICAL bytes needs a following (possibly empty) one.
            if n < MAX_PHYSICAL {
                return Ok(());
            }
        }
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }

    /// The underlying socket (for shutdown and timeouts).
    pub fn socket(&self) -> &TcpStream {
        self.reader.get_ref()
    }

    /// Reads and discards whatever the client still sends, for at most `budget` bytes or
    /// until it stops or times out, so that a client still writing an oversized packet reads
    /// our error instead of a connection reset.
    pub fn drain(&mut self, budget: u64, timeout: std::time::Duration) {
        if self.socket().set_read_timeout(Some(timeout)).is_err() {
            return;
        }
        let _ = io::copy(&mut (&mut self.reader).take(budget), &mut io::sink());
    }
}

/// Reads a 4-byte header. A clean end of stream before the first byte of a command is
/// `Closed`; anywhere else it is `Truncated`.
fn read_header(r: &mut impl Read, header: &mut [u8; 4], first: bool) -> Result<(), PacketError> {
    let mut filled = 0;
    while filled < header.len() {
        match r.read(&mut header[filled..]) {
            Ok(0) if filled == 0 && first => return Err(PacketError::Closed),
            Ok(0) => return Err(PacketError::Truncated),
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    fn pair(limit: usize) -> (PacketStream, TcpStream) {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let client = TcpStream::connect(l.local_addr().expect("addr")).expect("connect");
        let (server, _) = l.accept().expect("accept");
        (PacketStream::new(server, limit).expect("clone"), client)
    }

    #[test]
    fn joins_multi_packet_payloads_and_checks_sequence() {
        let (mut s, mut c) = pair(64 << 20);
        let big = vec![7u8; MAX_PHYSICAL + 10];
        let mut raw = Vec::new();
        raw.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0]);
        raw.extend_from_slice(&big[..MAX_PHYSICAL]);
        raw.extend_from_slice(&[10, 0, 0, 1]);
        raw.extend_from_slice(&big[MAX_PHYSICAL..]);
        raw.extend_from_slice(&[1, 0, 0, 5, 0x0E]);
        let writer = std::thread::spawn(move || c.write_all(&raw).map(|_| c));
        assert_eq!(s.read_packet().expect("big").len(), MAX_PHYSICAL + 10);
        s.reset_sequence();
        assert!(matches!(
            s.read_packet(),
            Err(PacketError::BadSequence {
                expected: 0,
                got: 5
            })
        ));
        writer.join().expect("writer thread").expect("write");
    }

    #[test]
    fn refuses_payloads_above_the_limit_and_reports_truncation() {
        let (mut s, mut c) = pair(100);
        c.write_all(&[200, 0, 0, 0]).expect("write");
        assert!(matches!(
            s.read_packet(),
            Err(PacketError::TooLarge { limit: 100 })
        ));
        let (mut s, mut c) = pair(100);
        c.write_all(&[5, 0, 0, 0, 1, 2]).expect("write");
        drop(c);
        assert!(matches!(s.read_packet(), Err(PacketError::Truncated)));
    }

    #[test]
    fn writes_an_empty_trailer_after_an_exact_multiple() {
        let (mut s, mut c) = pair(100);
        let reader = std::thread::spawn(move || {
            let mut buf = vec![0u8; MAX_PHYSICAL + 8];
            c.read_exact(&mut buf).map(|_| buf)
        });
        s.write_packet(&vec![1u8; MAX_PHYSICAL]).expect("write");
        s.flush().expect("flush");
        let buf = reader.join().expect("reader thread").expect("read");
        assert_eq!(&buf[..4], &[0xFF, 0xFF, 0xFF, 0]);
        assert_eq!(&buf[MAX_PHYSICAL + 4..], &[0, 0, 0, 1]);
    }
}
