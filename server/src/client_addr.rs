//! Who a request comes from, decided once, here, for everything that needs it: the rate limits
//! (server functions, REST, the no-JavaScript forms), the sessions page and the request log all
//! read the [`Device`] this middleware attaches. Nothing else reads `X-Forwarded-For` or
//! `User-Agent`. Server functions read the same `Device` (through the request's parts), so the
//! UI crate holds no HTTP plumbing of its own.

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use domain::Device;
use http::HeaderMap;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// Reverse proxies whose `X-Forwarded-For` is believed (`MUBLOG_TRUSTED_PROXIES`): single
/// addresses or CIDR ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Arc<[IpNet]>);

impl TrustedProxies {
    /// Parses `10.0.0.1`, `10.0.0.0/8`, `::1` or `fd00::/8`; `Err` names the entry that is none.
    pub fn parse<'a>(entries: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let nets = entries
            .into_iter()
            .map(|entry| {
                let entry = entry.trim();
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| entry.to_owned())
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TrustedProxies(nets.into()))
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// The client of a request that reached us from `peer`: the peer itself, or, when the peer is
/// a trusted proxy, the right-most address in `X-Forwarded-For` (all its lines, joined) that
/// is not a trusted proxy. Addresses to the left of that one are the client's own claims and
/// are never believed. A malformed entry stops the walk at the last address we can vouch for.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let mut client = peer.to_canonical();
    if !trusted.contains(client) {
        return client;
    }
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|line| line.to_str().unwrap_or("").split(','))
        .map(str::trim)
        .filter(|hop| !hop.is_empty())
        .collect::<Vec<_>>();
    for hop in hops.into_iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>() else { break };
        client = ip.to_canonical();
        if !trusted.contains(client) {
            break;
        }
    }
    client
}

/// Attaches the request's [`Device`]: its address and user agent. Requests without a peer
/// address (a server started without connection info) have no address, and share the
/// "unknown" allowance of every limit.
pub async fn resolve(State(trusted): State<TrustedProxies>, mut req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(peer)| peer.ip());
    let ip = peer.map(|peer| client_address(peer, req.headers(), &trusted));
    let user_agent = req.headers().get(http::header::USER_AGENT).and_then(|v| v.to_str().ok());
    let device = Device { ip, user_agent: user_agent.unwrap_or_default().to_owned() };
    req.extensions_mut().insert(device);
    next.run(req).await
}

/// The [`Device`] [`resolve`] attached (a default one where it did not run).
pub fn device(extensions: &http::Extensions) -> Device {
    extensions.get::<Device>().cloned().unwrap_or_default()
}

/// The token of an `Authorization: Bearer` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    domain::auth::bearer_token(headers.get(http::header::AUTHORIZATION)?.to_str().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(lines: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for line in lines {
            headers.append("x-forwarded-for", line.parse().unwrap());
        }
        headers
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let trusted = TrustedProxies::parse(["10.0.0.1"]).unwrap();
        let claims = forwarded(&["198.51.100.7"]);
        assert_eq!(client_address(ip("203.0.113.5"), &claims, &trusted), ip("203.0.113.5"));
        assert_eq!(client_address(ip("203.0.113.5"), &claims, &TrustedProxies::default()), ip("203.0.113.5"));
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        let trusted = TrustedProxies::parse(["10.0.0.0/8", "::1"]).unwrap();
        // The client claims 1.2.3.4; nginx appends the address it saw; an inner proxy appends nginx.
        let headers = forwarded(&["1.2.3.4, 198.51.100.7", "10.0.0.2"]);
        assert_eq!(client_address(ip("10.0.0.1"), &headers, &trusted), ip("198.51.100.7"));
        assert_eq!(client_address(ip("::1"), &headers, &trusted), ip("198.51.100.7"));
        // IPv4-mapped peers count as their IPv4 address.
        assert_eq!(client_address(ip("::ffff:10.0.0.1"), &headers, &trusted), ip("198.51.100.7"));
        // Only proxies in the header: the left-most of them is as far as we can see.
        assert_eq!(client_address(ip("10.0.0.1"), &forwarded(&["10.0.0.3"]), &trusted), ip("10.0.0.3"));
        // No header: the proxy itself.
        assert_eq!(client_address(ip("10.0.0.1"), &HeaderMap::new(), &trusted), ip("10.0.0.1"));
        // Garbage stops the walk at the last hop a trusted proxy vouched for.
        let garbage = forwarded(&["198.51.100.7, not-an-ip, 10.0.0.2"]);
        assert_eq!(client_address(ip("10.0.0.1"), &garbage, &trusted), ip("10.0.0.2"));
    }

    #[test]
    fn entries_are_addresses_or_ranges() {
        assert!(TrustedProxies::parse(["127.0.0.1", "172.16.0.0/12", "fd00::/8", "::1"]).is_ok());
        assert_eq!(TrustedProxies::parse(["10.0.0.0/33"]).unwrap_err(), "10.0.0.0/33");
        assert_eq!(TrustedProxies::parse(["nginx"]).unwrap_err(), "nginx");
    }
}
