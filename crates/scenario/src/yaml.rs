//! A YAML document as a tree of nodes that remember where they were written.
//!
//! Serde stops at the first error; an organiser fixing a scenario wants every problem at once,
//! each with its line and column. So the loader reads the YAML event stream into this tree and
//! then walks it by hand, collecting problems as it goes.

use std::collections::HashMap;

use granit_parser::{Event, Parser, ScalarStyle, Span};

/// A position in the source: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// Line, counting from 1.
    pub line: usize,
    /// Column, counting from 1.
    pub col: usize,
}

impl Pos {
    fn of(span: &Span) -> Self {
        Pos {
            line: span.start.line(),
            col: span.start.col() + 1,
        }
    }
}

/// One YAML node with its position.
#[derive(Debug, Clone)]
pub struct Node {
    /// Where the node starts.
    pub pos: Pos,
    /// What it holds.
    pub value: Value,
}

/// The shapes a YAML node can take once anchors are resolved.
#[derive(Debug, Clone)]
pub enum Value {
    /// `~`, `null` or an empty value.
    Null,
    /// Any scalar; `quoted` tells whether it was written in quotes (so `"10"` stays a string).
    Scalar {
        /// The text after escape processing.
        text: String,
        /// Whether the scalar was quoted or a block scalar.
        quoted: bool,
    },
    /// A sequence, in order.
    Seq(Vec<Node>),
    /// A mapping, in source order (duplicate keys are kept so they can be reported).
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// A short name of the node's shape, for error messages.
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "nothing",
            Value::Scalar { .. } => "a single value",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// A YAML syntax error: the document cannot be read at all past this point.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    /// Where the parser stopped.
    pub pos: Pos,
    /// What it said.
    pub message: String,
}

/// Most values a document may hold once its aliases are expanded. A national drill's scenario
/// has a few thousand; a "billion laughs" file of nested aliases would have billions.
pub const MAX_NODES: usize = 200_000;

/// Deepest nesting of lists and mappings.
pub const MAX_DEPTH: usize = 64;

/// Most bytes of text a document may hold once its aliases are expanded (an alias of a long
/// string copies the string).
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// Parse one YAML document into a node tree. An empty document gives `Value::Null`. A document
/// that expands to more than [`MAX_NODES`] values or nests deeper than [`MAX_DEPTH`] is refused
/// before it takes the memory.
pub fn parse(src: &str) -> Result<Node, SyntaxError> {
    let mut builder = Builder::default();
    for item in Parser::new_from_str(src) {
        let (event, span) = item.map_err(|e| SyntaxError {
            pos: Pos {
                line: e.marker().line(),
                col: e.marker().col() + 1,
            },
            message: e.info(),
        })?;
        builder.event(event, &span);
        if let Some(e) = builder.error.take() {
            return Err(e);
        }
        if builder.done.is_some() {
            break;
        }
    }
    Ok(builder.done.unwrap_or(Node {
        pos: Pos { line: 1, col: 1 },
        value: Value::Null,
    }))
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    /// Anchored nodes with the number of values and bytes of text each holds.
    anchors: HashMap<usize, (Node, Size)>,
    done: Option<Node>,
    /// Values and bytes built so far, aliases counted as the copies they are.
    total: Size,
    error: Option<SyntaxError>,
}

/// A collection being read; a mapping holds its key until the value arrives.
struct Frame {
    node: Node,
    anchor: usize,
    pending_key: Option<Node>,
    /// Values and bytes in this collection, itself included.
    size: Size,
}

/// How much a node holds: values, and bytes of text.
#[derive(Debug, Clone, Copy, Default)]
struct Size {
    values: usize,
    bytes: usize,
}

impl Size {
    fn add(self, other: Size) -> Size {
        Size {
            values: self.values.saturating_add(other.values),
            bytes: self.bytes.saturating_add(other.bytes),
        }
    }
}

/// A control character no scenario text may hold (what the API refuses in every field): any
/// below U+0020 but tab, line feed and carriage return, and DEL.
fn refused_control(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{7f}'
}

impl Builder {
    fn event(&mut self, event: Event<'_>, span: &Span) {
        let pos = Pos::of(span);
        if self.error.is_some() {
            return;
        }
        match event {
            Event::Scalar(text, style, anchor, _tag) => {
                if let Some(c) = text.chars().find(|c| refused_control(*c)) {
                    self.error = Some(SyntaxError {
                        pos,
                        message: format!(
                            "a value holds the control character U+{:04X}; remove it",
                            c as u32
                        ),
                    });
                    return;
                }
                let size = Size {
                    values: 1,
                    bytes: text.len(),
                };
                let quoted = !matches!(style, ScalarStyle::Plain);
                let value = if !quoted && matches!(&*text, "" | "~" | "null" | "Null" | "NULL") {
                    Value::Null
                } else {
                    Value::Scalar {
                        text: text.into_owned(),
                        quoted,
                    }
                };
                if self.count(pos, size) {
                    self.finish(Node { pos, value }, size, anchor);
                }
            }
            Event::SequenceStart(_, anchor, _) => self.open(pos, Value::Seq(Vec::new()), anchor),
            Event::MappingStart(_, anchor, _) => self.open(pos, Value::Map(Vec::new()), anchor),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    self.finish(frame.node, frame.size, frame.anchor);
                }
            }
            Event::Alias(id) => {
                let size = self.anchors.get(&id).map_or(
                    Size {
                        values: 1,
                        bytes: 0,
                    },
                    |a| a.1,
                );
                if self.count(pos, size) {
                    let value = self
                        .anchors
                        .get(&id)
                        .map_or(Value::Null, |a| a.0.value.clone());
                    self.finish(Node { pos, value }, size, 0);
                }
            }
            _ => {}
        }
    }

    /// Count `n` more values at `pos`; false (and the error set) past the limits.
    fn count(&mut self, pos: Pos, n: Size) -> bool {
        self.total = self.total.add(n);
        let message = if self.total.values > MAX_NODES {
            format!(
                "the document expands to more than {MAX_NODES} values (aliases of aliases?); a scenario never needs that many"
            )
        } else if self.total.bytes > MAX_BYTES {
            format!(
                "the document expands to more than {} MiB of text (aliases of long values?); a scenario never needs that much",
                MAX_BYTES >> 20
            )
        } else {
            return true;
        };
        self.error = Some(SyntaxError { pos, message });
        false
    }

    fn open(&mut self, pos: Pos, value: Value, anchor: usize) {
        if self.stack.len() >= MAX_DEPTH {
            self.error = Some(SyntaxError {
                pos,
                message: format!("lists and mappings are nested more than {MAX_DEPTH} deep"),
            });
            return;
        }
        let one = Size {
            values: 1,
            bytes: 0,
        };
        if !self.count(pos, one) {
            return;
        }
        self.stack.push(Frame {
            node: Node { pos, value },
            anchor,
            pending_key: None,
            size: one,
        });
    }

    fn finish(&mut self, node: Node, size: Size, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        let Some(frame) = self.stack.last_mut() else {
            self.done = Some(node);
            return;
        };
        frame.size = frame.size.add(size);
        match &mut frame.node.value {
            Value::Seq(items) => items.push(node),
            Value::Map(pairs) => match frame.pending_key.take() {
                Some(key) => pairs.push((key, node)),
                None => frame.pending_key = Some(node),
            },
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_and_order() {
        let node = parse("a: 1\nb:\n  - x\n  - \"10\"\n").unwrap();
        let Value::Map(pairs) = node.value else {
            panic!("expected a map")
        };
        assert_eq!(pairs.len(), 2);
        assert_eq!(pairs[1].0.pos, Pos { line: 2, col: 1 });
        let Value::Seq(items) = &pairs[1].1.value else {
            panic!("expected a list")
        };
        assert_eq!(items[1].pos, Pos { line: 4, col: 5 });
        assert!(matches!(&items[1].value, Value::Scalar { quoted: true, text } if text == "10"));
    }

    #[test]
    fn syntax_error_has_position() {
        let err = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.pos.line >= 1);
        assert!(!err.message.is_empty());
    }

    #[test]
    fn alias_bombs_are_refused_before_they_expand() {
        // Each level doubles... tenfold: 10^9 values from 40 lines.
        let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            src.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let err = parse(&src).unwrap_err();
        assert!(
            err.message.contains("expands to more than"),
            "{}",
            err.message
        );
        assert!(err.pos.line <= 6, "stopped late, at line {}", err.pos.line);
    }

    #[test]
    fn aliases_of_long_strings_are_counted_by_their_bytes() {
        // 101 values, but 100,000 copies of a 1 MB string.
        let src = format!(
            "s: &s \"{}\"\nb: &b [{}]\nc: [{}]\n",
            "x".repeat(1_000_000),
            vec!["*s"; 100].join(", "),
            vec!["*b"; 1000].join(", ")
        );
        let err = parse(&src).unwrap_err();
        assert!(err.message.contains("MiB of text"), "{}", err.message);
    }

    #[test]
    fn escaped_control_characters_are_refused_where_they_are() {
        let err = parse("a: ok\nb: \"x\\0y\"\n").unwrap_err();
        assert!(err.message.contains("U+0000"), "{}", err.message);
        assert_eq!(err.pos.line, 2);
        assert!(parse("a: \"tab\\there\\nand a new line\"\n").is_ok());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let src = format!("{}x{}", "[".repeat(100), "]".repeat(100));
        let err = parse(&src).unwrap_err();
        assert!(err.message.contains("nested more than"), "{}", err.message);
        // Just under the limit is fine.
        let ok = format!("{}x{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn aliases_resolve() {
        let node = parse("a: &x {k: v}\nb: *x\n").unwrap();
        let Value::Map(pairs) = node.value else {
            panic!()
        };
        assert!(matches!(pairs[1].1.value, Value::Map(ref m) if m.len() == 1));
    }
}
