//! Tab-separated line reading shared by the text readers: gzip detection, BOM rejection,
//! CRLF tolerance, and per-line UTF-8 checks that report the line number.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use crate::kg::error::{KgError, Origin};

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Reads a text file line by line; gzip-compressed files are decompressed on the fly.
pub struct LineReader {
    path: PathBuf,
    reader: Box<dyn BufRead + Send>,
    buffer: Vec<u8>,
    line: u64,
}

impl LineReader {
    /// Opens `path`, or returns [`KgError::MissingFile`] if it does not exist.
    ///
    /// # Errors
    /// A missing or unreadable file, or one that starts with a byte-order mark.
    pub fn open(path: &Path) -> Result<Self, KgError> {
        let file = File::open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => KgError::MissingFile {
                path: path.to_owned(),
            },
            _ => KgError::io("open", path, e),
        })?;
        Self::from_reader(path, Box::new(file))
    }

    /// Reads from `bytes`, naming `path` in errors (for data compiled into the binary).
    ///
    /// # Errors
    /// As [`LineReader::open`].
    pub fn from_bytes(path: &Path, bytes: &'static [u8]) -> Result<Self, KgError> {
        Self::from_reader(path, Box::new(bytes))
    }

    fn from_reader(path: &Path, reader: Box<dyn Read + Send>) -> Result<Self, KgError> {
        let mut raw = BufReader::with_capacity(1 << 16, reader);
        let head = raw.fill_buf().map_err(|e| KgError::io("read", path, e))?;
        let reader: Box<dyn BufRead + Send> = if head.starts_with(&GZIP_MAGIC) {
            Box::new(BufReader::with_capacity(1 << 16, MultiGzDecoder::new(raw)))
        } else {
            Box::new(raw)
        };
        let mut this = Self {
            path: path.to_owned(),
            reader,
            buffer: Vec::new(),
            line: 0,
        };
        if this
            .reader
            .fill_buf()
            .map_err(|e| KgError::io("read", path, e))?
            .starts_with(&BOM)
        {
            return Err(KgError::ByteOrderMark {
                path: path.to_owned(),
            });
        }
        Ok(this)
    }

    /// Returns the path errors name.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Returns the origin of the line read last.
    #[must_use]
    pub fn origin(&self) -> Origin {
        Origin {
            path: self.path.clone(),
            line: self.line,
        }
    }

    /// Reads the next line without its `\n` or `\r\n`; `None` at the end of the file.
    ///
    /// # Errors
    /// A read failure, or a line that is not valid UTF-8.
    pub fn next_line(&mut self) -> Option<Result<&str, KgError>> {
        self.buffer.clear();
        match self.reader.read_until(b'\n', &mut self.buffer) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(e) => return Some(Err(KgError::io("read", &self.path, e))),
        }
        self.line += 1;
        if self.buffer.last() == Some(&b'\n') {
            self.buffer.pop();
        }
        if self.buffer.last() == Some(&b'\r') {
            self.buffer.pop();
        }
        Some(
            std::str::from_utf8(&self.buffer).map_err(|e| KgError::NotUtf8 {
                origin: Origin {
                    path: self.path.clone(),
                    line: self.line,
                },
                byte_offset: e.valid_up_to(),
            }),
        )
    }

    /// Reads the header line and checks it against `expected` column names.
    ///
    /// # Errors
    /// An empty file or a different header.
    pub fn expect_header(&mut self, expected: &[&'static str]) -> Result<(), KgError> {
        let path = self.path.clone();
        let found = match self.next_line() {
            Some(line) => line?.to_owned(),
            None => String::new(),
        };
        if found.split('\t').eq(expected.iter().copied()) {
            Ok(())
        } else {
            Err(KgError::BadHeader {
                path,
                expected: expected.to_vec(),
                found,
            })
        }
    }

    /// Reads the next non-empty line and splits it into exactly `columns` fields.
    ///
    /// # Errors
    /// As [`LineReader::next_line`], or [`KgError::ColumnCount`].
    pub fn next_record(&mut self, columns: usize) -> Option<Result<(u64, Vec<&str>), KgError>> {
        loop {
            let line_number = self.line + 1;
            let origin = Origin {
                path: self.path.clone(),
                line: line_number,
            };
            let line = match self.next_line()? {
                Ok(line) => line,
                Err(e) => return Some(Err(e)),
            };
            if line.is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            if fields.len() != columns {
                return Some(Err(KgError::ColumnCount {
                    origin,
                    expected: columns,
                    found: fields.len(),
                }));
            }
            // Re-borrow so the fields point into the buffer for the caller.
            let fields: Vec<&str> = std::str::from_utf8(&self.buffer)
                .expect("checked above")
                .split('\t')
                .collect();
            return Some(Ok((line_number, fields)));
        }
    }
}
