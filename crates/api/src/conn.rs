//! Connections as a resource: caps per client address and in total, and time limits that close
//! connections which hold a slot without using it (slowloris, idle keep-alives, clients that do
//! not read). Shared by the HTTP server and the TCP flag server.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Sleep};

use crate::limits::TrustedProxies;

/// How many connections may be open, and for how long they may dawdle.
#[derive(Debug, Clone)]
pub struct ConnLimits {
    /// Open connections at most, over all addresses.
    pub total: usize,
    /// Open connections from one client address at most (trusted proxies are not capped).
    pub per_address: usize,
    /// Time from the first byte of a request to the end of its headers.
    pub header_timeout: Duration,
    /// Time with no byte read or written before a connection is closed.
    pub idle_timeout: Duration,
}

impl ConnLimits {
    /// HTTP defaults: 4,096 connections, 256 per address, 10 s for headers, 60 s idle (the event
    /// stream sends a keep-alive every 15 s, so open pages stay connected).
    pub fn http() -> Self {
        ConnLimits {
            total: 4096,
            per_address: 256,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
        }
    }
}

/// The address limits count by: an IPv4 address, or an IPv6 address's /64 (one host or home
/// network gets a whole /64 and can pick any address in it).
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Open connections counted per address; a [`Slot`] gives its place back when dropped.
#[derive(Clone)]
pub struct Slots(Arc<SlotsInner>);

struct SlotsInner {
    limits: ConnLimits,
    exempt: TrustedProxies,
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// One admitted connection.
pub struct Slot {
    slots: Slots,
    ip: IpAddr,
}

/// Why a connection was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The server holds its total already.
    Full,
    /// This address holds its share already.
    PerAddress,
}

impl Slots {
    /// Count connections under `limits`; `exempt` addresses are counted in the total only.
    pub fn new(limits: ConnLimits, exempt: TrustedProxies) -> Self {
        Slots(Arc::new(SlotsInner {
            limits,
            exempt,
            open: Mutex::new((0, HashMap::new())),
        }))
    }

    /// The limits in force.
    pub fn limits(&self) -> &ConnLimits {
        &self.0.limits
    }

    /// Take a place for a connection from `ip`.
    pub fn admit(&self, ip: IpAddr) -> Result<Slot, Refused> {
        let exempt = self.0.exempt.contains(ip);
        let ip = address_key(ip);
        let mut open = self.0.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.0 >= self.0.limits.total {
            return Err(Refused::Full);
        }
        let n = open.1.entry(ip).or_default();
        if !exempt && *n >= self.0.limits.per_address {
            return Err(Refused::PerAddress);
        }
        *n += 1;
        open.0 += 1;
        Ok(Slot {
            slots: self.clone(),
            ip,
        })
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.0.open.lock().unwrap_or_else(|e| e.into_inner()).0
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.slots.0.open.lock().unwrap_or_else(|e| e.into_inner());
        open.0 = open.0.saturating_sub(1);
        if let Some(n) = open.1.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.1.remove(&self.ip);
            }
        }
    }
}

/// Tell a refused client why, briefly, without holding up the accept loop.
pub fn refuse(mut sock: TcpStream, message: &'static [u8]) {
    tokio::spawn(async move {
        let _ = tokio::time::timeout(Duration::from_secs(2), sock.write_all(message)).await;
    });
}

/// The HTTP listener: admits connections under [`Slots`] and wraps each in [`TimedIo`].
pub struct HttpListener {
    inner: TcpListener,
    slots: Slots,
}

impl HttpListener {
    /// Listen on `inner` under `slots`.
    pub fn new(inner: TcpListener, slots: Slots) -> Self {
        HttpListener { inner, slots }
    }
}

const HTTP_BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 5\r\nConnection: close\r\nContent-Length: 103\r\n\r\n{\"error\":{\"code\":\"too_many_connections\",\"message\":\"too many open connections; try again in a moment\"}}";
const HTTP_PER_ADDRESS: &[u8] = b"HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: 5\r\nConnection: close\r\nContent-Length: 110\r\n\r\n{\"error\":{\"code\":\"too_many_connections\",\"message\":\"too many open connections from your address; close some\"}}";

impl axum::serve::Listener for HttpListener {
    type Io = TimedIo<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (sock, peer) = match self.inner.accept().await {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(error = %e, "cannot accept an HTTP connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            match self.slots.admit(peer.ip()) {
                Ok(slot) => {
                    let _ = sock.set_nodelay(true);
                    let limits = self.slots.limits();
                    let io =
                        TimedIo::new(sock, limits.header_timeout, limits.idle_timeout, Some(slot));
                    return (io, peer);
                }
                Err(Refused::Full) => refuse(sock, HTTP_BUSY),
                Err(Refused::PerAddress) => refuse(sock, HTTP_PER_ADDRESS),
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// The peer of an HTTP connection, as the handlers' connect info
/// (`into_make_service_with_connect_info::<Peer>()`).
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, HttpListener>>
    for Peer
{
    fn connect_info(stream: axum::serve::IncomingStream<'_, HttpListener>) -> Self {
        Peer(*stream.remote_addr())
    }
}

/// Where a connection is in the request cycle, as far as its bytes tell.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    /// Between requests: only the idle limit applies.
    Idle,
    /// Reading a request's headers since this instant.
    Headers(Instant),
    /// Headers read; the request is being handled and answered.
    Busy,
}

/// A connection with two clocks: a request's headers must arrive within `header_timeout` of its
/// first byte, and a connection with no traffic either way for `idle_timeout` is closed. A
/// response being written (an event stream's keep-alives, too) counts as traffic.
pub struct TimedIo<T> {
    inner: T,
    header_timeout: Duration,
    idle_timeout: Duration,
    last: Instant,
    phase: Phase,
    /// How many bytes of "\r\n\r\n" the last read ended with.
    tail: usize,
    timer: Pin<Box<Sleep>>,
    _slot: Option<Slot>,
}

impl<T> TimedIo<T> {
    /// Wrap `inner`; `slot` is released when the connection ends.
    pub fn new(
        inner: T,
        header_timeout: Duration,
        idle_timeout: Duration,
        slot: Option<Slot>,
    ) -> Self {
        let now = Instant::now();
        TimedIo {
            inner,
            header_timeout,
            idle_timeout,
            last: now,
            phase: Phase::Idle,
            tail: 0,
            timer: Box::pin(tokio::time::sleep_until(now + idle_timeout)),
            _slot: slot,
        }
    }

    fn deadline(&self) -> Instant {
        let idle = self.last + self.idle_timeout;
        match self.phase {
            Phase::Headers(since) => idle.min(since + self.header_timeout),
            _ => idle,
        }
    }

    /// Called when the inner side is not ready: fail once a clock has run out, else make sure
    /// the task is woken when the nearest one does.
    fn check(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        let deadline = self.deadline();
        if Instant::now() >= deadline {
            let what = if matches!(self.phase, Phase::Headers(_)) {
                "request headers took too long"
            } else {
                "connection idle for too long"
            };
            return Err(io::Error::new(io::ErrorKind::TimedOut, what));
        }
        if self.timer.deadline() != deadline {
            self.timer.as_mut().reset(deadline);
        }
        // Registers the waker; it cannot be ready, the deadline is in the future.
        let _ = self.timer.as_mut().poll(cx);
        Ok(())
    }

    /// Follow the request cycle through bytes read.
    fn saw(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.last = Instant::now();
        if self.phase == Phase::Idle {
            self.phase = Phase::Headers(self.last);
            self.tail = 0;
        }
        if let Phase::Headers(_) = self.phase {
            const END: &[u8] = b"\r\n\r\n";
            for b in bytes {
                self.tail = if *b == END[self.tail] {
                    self.tail + 1
                } else if *b == b'\r' {
                    1
                } else {
                    0
                };
                if self.tail == END.len() {
                    self.phase = Phase::Busy;
                    break;
                }
            }
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for TimedIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                this.saw(&buf.filled()[before..]);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => match this.check(cx) {
                Ok(()) => Poll::Pending,
                Err(e) => Poll::Ready(Err(e)),
            },
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for TimedIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_write(cx, data);
        this.written(polled, data, cx)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        let first = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map_or(&[][..], |b| &b[..]);
        this.written(polled, first, cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

impl<T> TimedIo<T> {
    /// Follow a write's outcome: bytes out are traffic, and an answer going out ends the
    /// request (the next bytes read start a new one) — except an interim `1xx` answer such as
    /// `100 Continue`, after which the request's body follows. A write that cannot proceed is
    /// subject to the clocks.
    fn written(
        &mut self,
        polled: Poll<io::Result<usize>>,
        data: &[u8],
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<usize>> {
        match polled {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    self.last = Instant::now();
                    self.phase = if data.starts_with(b"HTTP/1.1 1") {
                        Phase::Busy
                    } else {
                        Phase::Idle
                    };
                }
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => match self.check(cx) {
                Ok(()) => Poll::Pending,
                Err(e) => Poll::Ready(Err(e)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(per_address: usize, total: usize) -> Slots {
        Slots::new(
            ConnLimits {
                total,
                per_address,
                ..ConnLimits::http()
            },
            TrustedProxies(vec!["10.9.0.0/16".parse().unwrap()]),
        )
    }

    #[test]
    fn addresses_are_capped_and_slots_come_back() {
        let s = slots(2, 6);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let proxy: IpAddr = "10.9.0.1".parse().unwrap();
        let one = s.admit(a).unwrap();
        let _two = s.admit(a).unwrap();
        assert_eq!(s.admit(a).err(), Some(Refused::PerAddress));
        let _three = s.admit(b).unwrap();
        drop(one);
        let _four = s.admit(a).unwrap();
        // A trusted proxy carries many clients: only the total caps it.
        let _proxied: Vec<Slot> = (0..3).map(|_| s.admit(proxy).unwrap()).collect();
        assert_eq!(s.admit(b).err(), Some(Refused::Full));
        assert_eq!(s.open(), 6);
        // IPv6: a /64 is one address.
        let s = slots(2, 10);
        let _a = s.admit("2001:db8:1:2::1".parse().unwrap()).unwrap();
        let _b = s.admit("2001:db8:1:2:ffff::9".parse().unwrap()).unwrap();
        assert_eq!(
            s.admit("2001:db8:1:2:abcd::7".parse().unwrap()).err(),
            Some(Refused::PerAddress)
        );
        assert!(s.admit("2001:db8:1:3::1".parse().unwrap()).is_ok());
    }

    #[tokio::test]
    async fn slow_headers_and_idle_connections_are_closed() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let ms = Duration::from_millis;
        // Headers trickling in: closed once 400 ms have passed since their first byte, though
        // a byte arrives every 50 ms (well within the idle limit).
        let (mut client, server) = tokio::io::duplex(1024);
        let mut io = TimedIo::new(server, ms(400), ms(2000), None);
        let reader = tokio::spawn(async move {
            let mut buf = [0u8; 64];
            let mut total = 0;
            loop {
                match io.read(&mut buf).await {
                    Ok(0) => return Ok(total),
                    Ok(n) => total += n,
                    Err(e) => return Err((e.kind(), total)),
                }
            }
        });
        let started = Instant::now();
        for _ in 0..40 {
            if client.write_all(b"X").await.is_err() {
                break;
            }
            tokio::time::sleep(ms(50)).await;
        }
        let (kind, total) = reader.await.unwrap().unwrap_err();
        assert_eq!(kind, io::ErrorKind::TimedOut);
        assert!(total < 40, "read all {total} bytes: never timed out");
        assert!(started.elapsed() >= ms(400));

        // Complete headers, then silence: closed by the idle clock, not by the header clock.
        let (mut client, server) = tokio::io::duplex(1024);
        let mut io = TimedIo::new(server, ms(100), ms(600), None);
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 64];
        assert!(io.read(&mut buf).await.unwrap() > 0);
        let started = Instant::now();
        let err = io.read(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(
            started.elapsed() >= ms(550),
            "closed after {:?}",
            started.elapsed()
        );
    }

    #[tokio::test]
    async fn a_body_after_100_continue_is_not_held_to_the_header_clock() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let ms = Duration::from_millis;
        let (mut client, server) = tokio::io::duplex(4096);
        let mut io = TimedIo::new(server, ms(200), ms(2000), None);
        client
            .write_all(b"PUT /x HTTP/1.1\r\nExpect: 100-continue\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 256];
        assert!(io.read(&mut buf).await.unwrap() > 0);
        io.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .await
            .unwrap();
        // The body trickles in for longer than the header clock allows headers to.
        for _ in 0..6 {
            tokio::time::sleep(ms(100)).await;
            client.write_all(b"b").await.unwrap();
            assert_eq!(io.read(&mut buf).await.unwrap(), 1);
        }
        // The final answer ends the request; the next request's headers have the clock again.
        io.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await.unwrap();
        client.write_all(b"GET").await.unwrap();
        assert!(io.read(&mut buf).await.unwrap() > 0);
        let err = io.read(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    }
}
