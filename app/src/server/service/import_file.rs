//! Reading an uploaded CSV file as spreadsheets and other tools write it: UTF-8 with or without
//! a byte-order mark, separated by commas, semicolons or tabs (found from the header line),
//! quoted fields with line breaks, CRLF, blank lines. The parsing is the `csv` crate's.

use crate::domain::error::AppError;
use crate::domain::import::{ColumnTarget, ImportPreview, MAX_COLUMNS};
use std::io::{Read, Seek, SeekFrom};

/// How much of a file the encoding check, the separator sniffing and the preview read.
pub const SAMPLE_BYTES: usize = 64 * 1024;
const PREVIEW_ROWS: usize = 5;
const BOM: &[u8] = b"\xEF\xBB\xBF";

fn bad_file(message: impl Into<String>) -> AppError {
    AppError::invalid("file", message)
}

/// Refuses, from its first bytes, a file that is not UTF-8 text.
pub fn check_encoding(sample: &[u8]) -> Result<(), AppError> {
    if sample.starts_with(b"\xFF\xFE") || sample.starts_with(b"\xFE\xFF") {
        return Err(bad_file(
            "is UTF-16 text; save it as \"CSV UTF-8\" and upload it again",
        ));
    }
    match std::str::from_utf8(sample) {
        Ok(text) if text.contains('\u{FFFD}') => Err(bad_file(
            "is not UTF-8 text (it holds replacement characters); save it as \"CSV UTF-8\"",
        )),
        Ok(_) => Ok(()),
        // Cut in the middle of a character by the sample's end: fine.
        Err(e) if e.error_len().is_none() => Ok(()),
        Err(e) => Err(bad_file(format!(
            "is not UTF-8 text (byte {} is not); save it as \"CSV UTF-8\" and upload it again",
            e.valid_up_to() + 1
        ))),
    }
}

fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// The separator: whichever of `,` `;` and tab the header line holds most of, outside quotes
/// (a comma when none).
pub fn sniff_delimiter(sample: &[u8]) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for &byte in without_bom(sample) {
        match byte {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(entry) = counts.iter_mut().find(|(d, _)| *d == byte) {
                    entry.1 += 1;
                }
            }
            _ => {}
        }
    }
    // The first of the most frequent, so a tie goes to the comma.
    counts
        .iter()
        .fold(
            (b',', 0),
            |best, &(d, n)| if n > best.1 { (d, n) } else { best },
        )
        .0
}

/// A reader of records (the header too) separated by `delimiter`. Rows may have fewer cells
/// than the header (trailing empty cells are often left out); more is the row's error.
pub fn reader<R: Read>(input: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(input)
}

/// The header row, trimmed: refuses an empty file or one with too many columns.
pub fn header_of<R: Read>(reader: &mut csv::Reader<R>) -> Result<Vec<String>, AppError> {
    let mut record = csv::StringRecord::new();
    let found = reader
        .read_record(&mut record)
        .map_err(|e| match e.kind() {
            csv::ErrorKind::Utf8 { .. } => bad_file("has a header that is not UTF-8 text"),
            _ => bad_file(format!("cannot be read as CSV: {e}")),
        })?;
    if !found || record.iter().all(|h| h.trim().is_empty()) {
        return Err(bad_file("is empty: the first line must name the columns"));
    }
    if record.len() > MAX_COLUMNS {
        return Err(bad_file(format!(
            "has {} columns; at most {MAX_COLUMNS}",
            record.len()
        )));
    }
    Ok(record.iter().map(|h| h.trim().to_owned()).collect())
}

/// An uploaded file, ready to read from its first record: the BOM skipped, the separator known.
pub fn open(mut file: std::fs::File) -> Result<csv::Reader<std::fs::File>, AppError> {
    // The upload was just written: read it from its start.
    file.seek(SeekFrom::Start(0))
        .map_err(|_| AppError::Internal)?;
    let mut sample = Vec::with_capacity(SAMPLE_BYTES);
    (&mut file)
        .take(SAMPLE_BYTES as u64)
        .read_to_end(&mut sample)
        .map_err(|_| AppError::Internal)?;
    check_encoding(&sample)?;
    let delimiter = sniff_delimiter(&sample);
    let start = if sample.starts_with(BOM) {
        BOM.len()
    } else {
        0
    };
    file.seek(SeekFrom::Start(start as u64))
        .map_err(|_| AppError::Internal)?;
    Ok(reader(file, delimiter))
}

/// The import page's first look at a file: its first bytes as the browser read them.
pub fn preview(sample: &[u8]) -> Result<ImportPreview, AppError> {
    check_encoding(sample)?;
    let delimiter = sniff_delimiter(sample);
    let mut reader = reader(without_bom(sample), delimiter);
    let headers = header_of(&mut reader)?;
    let rows = reader
        .records()
        // The sample may end inside a row: a row that does not parse ends the preview.
        .map_while(Result::ok)
        .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
        .take(PREVIEW_ROWS)
        .map(|r| r.iter().map(str::to_owned).collect())
        .collect();
    Ok(ImportPreview {
        guesses: headers.iter().map(|h| ColumnTarget::guess(h)).collect(),
        headers,
        rows,
        delimiter: (delimiter as char).to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_separator_is_the_header_lines_most_frequent() {
        assert_eq!(sniff_delimiter(b"email;first name;\"a,b,c\"\nx,y,z"), b';');
        assert_eq!(sniff_delimiter(b"\xEF\xBB\xBFemail\tname\n"), b'\t');
        assert_eq!(sniff_delimiter(b"email,name\r\n"), b',');
        assert_eq!(sniff_delimiter(b"email\n"), b',');
    }

    #[test]
    fn other_encodings_are_refused_with_a_way_out() {
        assert!(check_encoding("email\nzoë@b.co".as_bytes()).is_ok());
        // Latin-1 "ë".
        let err = check_encoding(b"email\nzo\xEB@b.co").unwrap_err();
        assert!(err.to_string().contains("UTF-8"), "{err}");
        assert!(check_encoding(b"\xFF\xFEe\0m\0").is_err());
        // A sample cut inside a two-byte character.
        assert!(check_encoding(&"zoë".as_bytes()[..3]).is_ok());
    }

    #[test]
    fn preview_reads_quoted_newlines_blank_lines_and_a_bom() {
        let file = "\u{FEFF}E-mail;Name;Notes\r\n\r\na@b.co;\"Ann; Jr\";\"two\nlines\"\r\n;;\r\nb@b.co;Bo\r\n";
        let p = preview(file.as_bytes()).unwrap();
        assert_eq!(p.headers, ["E-mail", "Name", "Notes"]);
        assert_eq!(p.delimiter, ";");
        assert_eq!(
            p.rows,
            vec![
                vec!["a@b.co", "Ann; Jr", "two\nlines"],
                vec!["b@b.co", "Bo"]
            ]
        );
        assert_eq!(p.guesses[0], ColumnTarget::Email);
        assert!(preview(b"").is_err());
        assert!(preview(b" , \n").is_err());
    }
}
