//! The fuzzer: a derive's worth of valid requests, then mutations of them.

use crate::raw::{self, *};

/// What a derive might be given.
const SOURCE: &str = r#"#[serde(rename_all = "camelCase")] pub struct Point<T: Clone> {
    #[serde(skip_serializing_if = "Option::is_none")] x: Option<T>, y: u32, name: String }"#;

/// splitmix64: a seed gives the same run on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() { None } else { Some(&items[self.below(items.len())]) }
    }
}

/// What the session knows: the messages it sent and got, and the handles it was given.
#[derive(Default)]
struct Session {
    case: u64,
    sent: usize,
    requests: Vec<Vec<u8>>,
    replies: Vec<Vec<u8>>,
    streams: Vec<u32>,
    given_away: Vec<u32>,
    spans: Vec<u32>,
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn put_handle(out: &mut Vec<u8>, handle: u32) {
    out.extend_from_slice(&handle.to_le_bytes());
}

fn request(tag: u8, args: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut out = vec![tag];
    args(&mut out);
    out
}

/// The handle an `Ok(Ok(handle))` or `Ok(handle)` reply carries.
fn handle_in(reply: &[u8], nested_result: bool) -> Option<u32> {
    let at = if nested_result { 2 } else { 1 };
    let ok = reply.first() == Some(&0) && (!nested_result || reply.get(1) == Some(&0));
    let bytes = reply.get(at..at + 4)?;
    ok.then(|| u32::from_le_bytes(bytes.try_into().unwrap()))
}

/// Reads token trees from an `Ok(Vec<TokenTree>)` reply, keeping their handles.
struct Trees<'a> {
    r: &'a [u8],
}

impl Trees<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if self.r.len() < n {
            return None;
        }
        let (head, rest) = self.r.split_at(n);
        self.r = rest;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|b| u32::from_le_bytes(b.try_into().unwrap()))
    }
    fn str(&mut self) -> Option<()> {
        let len = u64::from_le_bytes(self.take(8)?.try_into().unwrap());
        self.take(usize::try_from(len).ok()?).map(drop)
    }

    /// One tree: its span handles and its group's stream, if any.
    fn tree(&mut self, spans: &mut Vec<u32>, streams: &mut Vec<u32>) -> Option<()> {
        match self.u8()? {
            0 => {
                self.u8()?; // delimiter
                if self.u8()? == 0 {
                    streams.push(self.u32()?);
                }
                for _ in 0..3 {
                    spans.push(self.u32()?);
                }
            }
            1 => {
                self.take(2)?; // ch, joint
                spans.push(self.u32()?);
            }
            2 => {
                self.str()?;
                self.u8()?;
                spans.push(self.u32()?);
            }
            3 => {
                if matches!(self.u8()?, 5 | 7 | 9) {
                    self.u8()?; // the raw literal's `#` count
                }
                self.str()?;
                if self.u8()? == 0 {
                    self.str()?;
                }
                spans.push(self.u32()?);
            }
            _ => return None,
        }
        Some(())
    }
}

impl Session {
    fn send(&mut self, kind: &str, request: Vec<u8>) -> Vec<u8> {
        println!("fuzz {}.{} {kind} {}", self.case, self.sent, hex(&request));
        self.sent += 1;
        let reply = raw::dispatch(&request);
        self.requests.push(request);
        self.replies.push(reply.clone());
        reply
    }

    /// Pass a stream by value: the compiler owns it afterwards.
    fn give(&mut self, rng: &mut Rng) -> Option<u32> {
        if self.streams.is_empty() {
            return None;
        }
        let stream = self.streams.swap_remove(rng.below(self.streams.len()));
        self.given_away.push(stream);
        Some(stream)
    }

    fn span(&self, rng: &mut Rng) -> u32 {
        rng.pick(&self.spans).copied().unwrap_or(1)
    }

    /// The valid requests of a derive, in a seeded order and number.
    fn valid(&mut self, rng: &mut Rng) {
        let reply = self.send("valid", request(TS_FROM_STR, |o| put_str(o, SOURCE)));
        let Some(parsed) = handle_in(&reply, true) else { return };
        // its trees first, as a derive walks its input: the spans the requests below use
        let reply = self.send("valid", request(TS_CLONE, |o| put_handle(o, parsed)));
        self.streams.push(parsed);
        if let Some(clone) = handle_in(&reply, false) {
            self.given_away.push(clone);
            let reply = self.send("valid", request(TS_INTO_TREES, |o| put_handle(o, clone)));
            self.learn_trees(&reply);
        }
        for _ in 0..12 + rng.below(12) {
            let span = self.span(rng);
            let other = self.span(rng);
            let stream = rng.pick(&self.streams).copied().unwrap_or(1);
            let message = match rng.below(16) {
                0 => request(TS_CLONE, |o| put_handle(o, stream)),
                1 => match self.give(rng) {
                    Some(given) => request(TS_INTO_TREES, |o| put_handle(o, given)),
                    None => continue,
                },
                2 => request(TS_TO_STRING, |o| put_handle(o, stream)),
                3 => request(SPAN_DEBUG, |o| put_handle(o, span)),
                4 => request(SPAN_SOURCE_TEXT, |o| put_handle(o, span)),
                5 | 6 => request([SPAN_JOIN, SPAN_RESOLVED_AT][rng.below(2)], |o| {
                    put_handle(o, span);
                    put_handle(o, other);
                }),
                7 => request(SPAN_SUBSPAN, |o| {
                    put_handle(o, span);
                    o.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 2]); // Included(0), Unbounded
                }),
                8 => request(SYMBOL_NORMALIZE_AND_VALIDATE_IDENT, |o| put_str(o, "naïve")),
                9 => request(LITERAL_FROM_STR, |o| put_str(o, "\"camelCase\"")),
                10 => request(TS_CONCAT_TREES, |o| {
                    o.push(1); // base: None
                    o.extend_from_slice(&3u64.to_le_bytes());
                    o.push(2); // Ident { sym, is_raw, span }
                    put_str(o, "impl");
                    o.push(0);
                    put_handle(o, span);
                    o.extend_from_slice(&[1, b'<', 1]); // Punct { ch, joint, span }
                    put_handle(o, other);
                    o.extend_from_slice(&[3, 4]); // Literal { kind: Str, symbol, suffix, span }
                    put_str(o, "x");
                    o.push(1);
                    put_handle(o, span);
                }),
                11 => match (self.give(rng), self.give(rng)) {
                    (Some(a), Some(b)) => request(TS_CONCAT_STREAMS, |o| {
                        o.push(1);
                        o.extend_from_slice(&2u64.to_le_bytes());
                        put_handle(o, a);
                        put_handle(o, b);
                    }),
                    _ => continue,
                },
                12 => request(TS_IS_EMPTY, |o| put_handle(o, stream)),
                13 => request(SPAN_LINE, |o| put_handle(o, span)),
                14 => match self.give(rng) {
                    Some(given) => request(TS_DROP, |o| put_handle(o, given)),
                    None => continue,
                },
                _ => request(TS_FROM_TOKEN_TREE, |o| {
                    o.push(2);
                    put_str(o, "Serialize");
                    o.push(0);
                    put_handle(o, span);
                }),
            };
            let tag = message[0];
            let reply = self.send("valid", message);
            match tag {
                TS_INTO_TREES => self.learn_trees(&reply),
                TS_CLONE | TS_CONCAT_TREES | TS_CONCAT_STREAMS | TS_FROM_TOKEN_TREE => {
                    self.streams.extend(handle_in(&reply, false));
                }
                _ => {}
            }
        }
    }

    /// The spans and streams of an `Ok(Vec<TokenTree>)` reply.
    fn learn_trees(&mut self, reply: &[u8]) {
        if reply.first() != Some(&0) {
            return;
        }
        let mut trees = Trees { r: &reply[1..] };
        let Some(n) = trees.take(8).map(|b| u64::from_le_bytes(b.try_into().unwrap())) else { return };
        for _ in 0..n {
            if trees.tree(&mut self.spans, &mut self.streams).is_none() {
                break;
            }
        }
    }

    /// A mutation of something the session sent or got.
    fn mutant(&mut self, rng: &mut Rng) -> (&'static str, Vec<u8>) {
        let known: Vec<u32> = self.streams.iter().chain(&self.given_away).chain(&self.spans).copied().collect();
        let mut message = rng.pick(&self.requests).cloned().unwrap_or_default();
        let kind = match rng.below(9) {
            0 => {
                for _ in 0..1 + rng.below(4) {
                    if !message.is_empty() {
                        let at = rng.below(message.len());
                        message[at] ^= 1 << rng.below(8);
                    }
                }
                "flip"
            }
            1 => {
                message.truncate(rng.below(message.len() + 1));
                "cut"
            }
            2 => {
                for _ in 0..1 + rng.below(16) {
                    message.push(rng.next() as u8);
                }
                "extend"
            }
            3 => {
                // a handle the message holds, replaced by another one the session knows
                // (given away, a span for a stream...), 0, or one never issued
                let replacement = match rng.below(3) {
                    0 => rng.pick(&known).copied().unwrap_or(0),
                    1 => 0,
                    _ => rng.next() as u32,
                };
                let windows: Vec<usize> = (1..message.len().saturating_sub(3))
                    .filter(|&i| known.contains(&u32::from_le_bytes(message[i..i + 4].try_into().unwrap())))
                    .collect();
                if let Some(&at) = rng.pick(&windows) {
                    message[at..at + 4].copy_from_slice(&replacement.to_le_bytes());
                }
                "handle"
            }
            4 => {
                message = rng.pick(&self.replies).cloned().unwrap_or_default();
                "replay"
            }
            5 => {
                message = (0..rng.below(64)).map(|_| rng.next() as u8).collect();
                "random"
            }
            6 => {
                if let Some(first) = message.first_mut() {
                    *first = rng.below(40) as u8;
                }
                "tag"
            }
            7 => {
                // a length (8 bytes) made huge
                if message.len() >= 9 {
                    let at = 1 + rng.below(message.len() - 8);
                    message[at..at + 8].copy_from_slice(&(rng.next() >> rng.below(64)).to_le_bytes());
                }
                "length"
            }
            _ => {
                // a request for a stream given away (freed, or taken by the compiler)
                let stream = rng.pick(&self.given_away).copied().unwrap_or(0xDEAD);
                message = request([TS_CLONE, TS_TO_STRING, TS_IS_EMPTY][rng.below(3)], |o| put_handle(o, stream));
                "freed"
            }
        };
        (kind, message)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().take(48).map(|b| format!("{b:02x}")).collect()
}

/// One expansion of `fuzz!`.
pub fn run(seed: u64, case: u64, messages: usize) {
    let mut rng = Rng(seed ^ case.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let mut session = Session { case, ..Session::default() };
    session.valid(&mut rng);
    // up to `messages`: some expansions reach their ending with every mutation served
    for _ in 0..rng.below(messages + 1) {
        let (kind, message) = session.mutant(&mut rng);
        session.send(kind, message);
    }
    match rng.below(10) {
        // a reply of its own, then the harness's: a second reply
        0 => raw::reply(&[0, 1]),
        // a mutated reply: `Ok(Some(stream))` with a stream it may not own, or bytes
        1 => {
            let stream = rng.pick(&session.given_away).copied().unwrap_or(0xDEAD);
            let mut reply = vec![0, 0];
            reply.extend_from_slice(&stream.to_le_bytes());
            raw::reply(&reply);
        }
        2 => {
            let reply = session.mutant(&mut rng).1;
            println!("fuzz {case}.{} reply {}", session.sent, hex(&reply));
            raw::reply(&reply);
        }
        _ => {}
    }
}
