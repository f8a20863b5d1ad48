//! Line numbers for parsers ([`LockedPackage::line`](crate::model::LockedPackage::line)):
//! the 1-based line of a byte offset in a lockfile's text, counted forward as a parser walks its
//! entries in file order (each byte is counted once), the offset of a string a parser borrowed
//! from the text, and one-pass indexes of the entry keys of YAML (yarn berry, pnpm) and JSON
//! (Pipfile.lock) lockfiles, whose deserializers give no positions. Recording every package's
//! line costs a pass over the text (and at most one sort), never a search per package.

use std::collections::HashMap;

/// Counts lines up to increasing byte offsets of one text.
#[derive(Debug)]
pub(crate) struct LineCounter<'a> {
    text: &'a [u8],
    /// The offset counted up to.
    offset: usize,
    /// The 1-based line `offset` is on.
    line: usize,
}

impl<'a> LineCounter<'a> {
    /// A counter at the start of `text`.
    pub(crate) fn new(text: &'a str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line of byte `offset` (an offset past the end is on the last line). Offsets
    /// are expected in increasing order; an earlier one is counted again from the start.
    /// `None` only past `u32::MAX` lines.
    pub(crate) fn line(&mut self, offset: usize) -> Option<u32> {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        let newlines = count_newlines(&self.text[self.offset..offset]);
        self.offset = offset;
        // No overflow: a text holds fewer newlines than `usize::MAX`.
        self.line += newlines;
        u32::try_from(self.line).ok()
    }
}

/// The newlines in `bytes`, eight bytes at a time (a byte-at-a-time count was 2.2 million
/// instructions for an 800-package package-lock, a third of its parse).
fn count_newlines(bytes: &[u8]) -> usize {
    const LOW: u64 = u64::from_ne_bytes([0x7f; 8]);
    const NEWLINES: u64 = u64::from_ne_bytes([b'\n'; 8]);
    let chunks = bytes.chunks_exact(8);
    let rest = chunks.remainder();
    let mut count = 0;
    for chunk in chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        // Zero exactly in the bytes that hold a newline. A byte's high bit ends up set exactly
        // when the byte is zero: adding 0x7f to its low seven bits sets the high bit unless
        // they are all zero, and the byte's own high bit is or-ed in (no carry crosses bytes).
        let x = u64::from_ne_bytes(word) ^ NEWLINES;
        let zero = !(((x & LOW) + LOW) | x | LOW);
        count += zero.count_ones() as usize;
    }
    count + rest.iter().filter(|&&b| b == b'\n').count()
}

/// The byte offset of `part` in `text` when `part` is a slice of `text` (a string a parser
/// borrowed from the file: a JSON key without escapes), else `None`.
pub(crate) fn offset_in(text: &str, part: &str) -> Option<usize> {
    let start = (part.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    (start.checked_add(part.len())? <= text.len()).then_some(start)
}

/// The 1-based lines of byte offsets of `text` given in any order (one sort, one pass).
pub(crate) fn lines_at(text: &str, offsets: &[Option<usize>]) -> Vec<Option<u32>> {
    let mut order: Vec<(usize, usize)> = offsets
        .iter()
        .enumerate()
        .filter_map(|(index, offset)| offset.map(|offset| (offset, index)))
        .collect();
    order.sort_unstable();
    let mut lines = vec![None; offsets.len()];
    let mut counter = LineCounter::new(text);
    for (offset, index) in order {
        lines[index] = counter.line(offset);
    }
    lines
}

/// The key of a YAML block-mapping line, its indentation removed: `key:`, `key: value`,
/// `"key":`, `'key': {}` or an explicit `? key`. `None` for anything else (a comment, a list
/// item, a quoted key with escapes in it, which the parser unescaped and the text does not
/// spell the same).
pub(crate) fn yaml_key(content: &str) -> Option<&str> {
    let content = content.trim_end();
    if let Some(explicit) = content.strip_prefix("? ") {
        let key = explicit.trim();
        return match key.as_bytes().first() {
            Some(b'"' | b'\'') => quoted(key).filter(|(_, after)| after.is_empty()),
            _ => Some((key, "")),
        }
        .map(|(key, _)| key);
    }
    match content.as_bytes().first() {
        None | Some(b'#' | b'-' | b'[' | b'{') => None,
        Some(b'"' | b'\'') => {
            let (key, after) = quoted(content)?;
            (after == ":" || after.starts_with(": ")).then_some(key)
        }
        Some(_) => {
            let key = match content.find(": ") {
                Some(end) => &content[..end],
                None => content.strip_suffix(':')?,
            };
            (!key.is_empty()).then_some(key)
        }
    }
}

/// A quoted YAML scalar at the start of `text` (which starts with its quote) without escapes:
/// its content and what follows the closing quote.
fn quoted(text: &str) -> Option<(&str, &str)> {
    let quote = text.chars().next()?;
    let rest = &text[quote.len_utf8()..];
    let end = rest.find(quote)?;
    let (key, after) = (&rest[..end], &rest[end + quote.len_utf8()..]);
    // `\` escapes in double quotes, `''` in single quotes: spelled differently once parsed.
    let escaped =
        (quote == '"' && key.contains('\\')) || (quote == '\'' && after.starts_with('\''));
    (!escaped).then_some((key, after))
}

/// The 1-based line of each key of the second level of a JSON document (an entry of one of the
/// top-level sections), by (section, key): one pass over the text, the first line of a pair
/// written twice. Keys with escapes are left out (the parser unescaped them); text that is not
/// JSON gives whatever keys it seems to have, never a panic.
pub(crate) fn json_entry_lines(text: &str) -> HashMap<(&str, &str), u32> {
    let bytes = text.as_bytes();
    let mut lines = HashMap::new();
    let (mut depth, mut line, mut at) = (0usize, 1usize, 0usize);
    let mut section: Option<&str> = None;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'\n' => line += 1,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                let start = at + 1;
                let (mut end, mut escaped) = (start, false);
                while let Some(&byte) = bytes.get(end) {
                    match byte {
                        b'"' => break,
                        b'\\' => {
                            escaped = true;
                            end += 1;
                        }
                        b'\n' => line += 1,
                        _ => {}
                    }
                    end += 1;
                }
                let end = end.min(bytes.len());
                let is_key = bytes
                    .get(end + 1..)
                    .and_then(|rest| rest.iter().find(|b| !b.is_ascii_whitespace()))
                    == Some(&b':');
                if let (true, false, Some(key)) = (is_key, escaped, text.get(start..end)) {
                    match (depth, section) {
                        (1, _) => section = Some(key),
                        (2, Some(section)) => {
                            if let Ok(number) = u32::try_from(line) {
                                lines.entry((section, key)).or_insert(number);
                            }
                        }
                        _ => {}
                    }
                } else if is_key && depth == 1 {
                    section = None;
                }
                at = end;
            }
            _ => {}
        }
        at += 1;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newlines_are_counted_exactly_whatever_the_bytes_around_them() {
        let mut bytes: Vec<u8> = (0..=255u8).collect();
        bytes.extend(b"\n\n\x01\n\x0b\x09\x8a\n\xff\n");
        for start in 0..bytes.len() {
            for end in start..bytes.len().min(start + 40) {
                let slice = &bytes[start..end];
                let naive = slice.iter().filter(|&&b| b == b'\n').count();
                assert_eq!(count_newlines(slice), naive, "{start}..{end}");
            }
            let naive = bytes[start..].iter().filter(|&&b| b == b'\n').count();
            assert_eq!(count_newlines(&bytes[start..]), naive, "{start}..");
        }
    }

    #[test]
    fn lines_of_offsets_forward_and_back() {
        let text = "a\nbb\r\n\nccc";
        let mut lines = LineCounter::new(text);
        assert_eq!(lines.line(0), Some(1));
        assert_eq!(lines.line(1), Some(1));
        assert_eq!(lines.line(2), Some(2));
        assert_eq!(lines.line(7), Some(4));
        assert_eq!(lines.line(3), Some(2));
        assert_eq!(lines.line(6), Some(3));
        assert_eq!(lines.line(1000), Some(4));
    }

    #[test]
    fn json_entries_by_section() {
        let text = "{\n  \"_meta\": {\"a\": [{\"b\": 1}]},\n  \"default\": {\n    \"x\": {\"v\": \"a:b\"},\n    \"y\\u0041\": {},\n    \"z\" : {}\n  }\n}";
        let lines = json_entry_lines(text);
        assert_eq!(lines.get(&("default", "x")), Some(&4));
        assert_eq!(lines.get(&("default", "z")), Some(&6));
        assert_eq!(lines.get(&("_meta", "a")), Some(&2));
        assert_eq!(lines.len(), 3, "{lines:?}");
        for hostile in ["", "\"", "{\"", "{\"a\\", "{\"a\":{\"b\"", "}}}]]\"a\":"] {
            json_entry_lines(hostile);
        }
    }

    #[test]
    fn yaml_keys() {
        assert_eq!(yaml_key("ms@npm:2.1.3:"), Some("ms@npm:2.1.3"));
        assert_eq!(
            yaml_key("\"ms@npm:^2.1.3, ms@npm:^2.1.1\":\r"),
            Some("ms@npm:^2.1.3, ms@npm:^2.1.1")
        );
        assert_eq!(yaml_key("'@s/x@1.0.0': {}"), Some("@s/x@1.0.0"));
        assert_eq!(yaml_key("/ms/2.1.3:"), Some("/ms/2.1.3"));
        assert_eq!(yaml_key("version: 2.1.3"), Some("version"));
        assert_eq!(yaml_key("? \"a, b\""), Some("a, b"));
        assert_eq!(yaml_key("\"a\\\"b\":"), None);
        assert_eq!(yaml_key("'it''s':"), None);
        assert_eq!(yaml_key("# comment:"), None);
        assert_eq!(yaml_key("- item:"), None);
        assert_eq!(yaml_key("\""), None);
        assert_eq!(yaml_key("'é"), None);
        assert_eq!(yaml_key(":"), None);
        assert_eq!(yaml_key(""), None);
    }

    #[test]
    fn offsets_of_borrowed_parts_only() {
        let text = String::from("{\n  \"a\": 1\n}");
        let key = &text[5..6];
        assert_eq!(offset_in(&text, key), Some(5));
        assert_eq!(offset_in(&text, &String::from("a")), None);
        assert_eq!(
            lines_at(&text, &[Some(13), None, Some(5), Some(0)]),
            [Some(3), None, Some(2), Some(1)]
        );
    }

    proptest::proptest! {
        /// Lockfile text is hostile: finding lines in it never panics, whatever it holds.
        #[test]
        fn hostile_text_never_panics(
            text in "([{}\\[\\]\"'\\\\:, ?#\\-\\n\\r]|é|a|\\PC){0,60}",
            offsets in proptest::collection::vec(0usize..80, 0..8),
        ) {
            let lines = json_entry_lines(&text);
            proptest::prop_assert!(lines.values().all(|&line| line >= 1));
            for line in text.lines() {
                let _ = yaml_key(line);
                let _ = yaml_key(line.trim_start());
            }
            let offsets: Vec<Option<usize>> = offsets.into_iter().map(Some).collect();
            let lines = lines_at(&text, &offsets);
            proptest::prop_assert!(lines.iter().all(|line| line.is_some_and(|l| l >= 1)));
        }
    }
}
