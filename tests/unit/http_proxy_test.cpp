// Specification of proxy selection (proxy URLs, HTTPS_PROXY / ALL_PROXY / NO_PROXY, loopback)
// and of the sans-io CONNECT exchange.
#include <pbi/error.hpp>
#include <pbi/exception.hpp>
#include <pbi/http/proxy.hpp>
#include <pbi/http/proxy_tunnel.hpp>

#include <catch2/catch.hpp>

#include <map>
#include <sstream>

using pbi::errc;
using pbi::http::no_proxy_matches;
using pbi::http::proxy_config;
using pbi::http::proxy_server;
using pbi::http::url;

namespace {

proxy_server parse_ok(std::string_view text) {
    std::error_code ec = errc::timeout; // parse must clear a stale code
    auto p = proxy_server::parse(text, ec);
    INFO(text);
    REQUIRE_FALSE(ec);
    return p;
}

url origin(std::string_view text) {
    std::error_code ec;
    auto u = url::parse(text, ec);
    REQUIRE_FALSE(ec);
    return u;
}

pbi::http::environment_reader env_of(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end())
            return std::nullopt;
        return it->second;
    };
}

proxy_config config_from(std::map<std::string, std::string> vars) {
    std::error_code ec;
    pbi::diagnostics diag;
    auto c = proxy_config::from_environment(env_of(std::move(vars)), ec, diag);
    REQUIRE_FALSE(ec);
    return c;
}

pbi::http::response answer(int status, std::string reason,
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
    pbi::http::response r;
    r.status = status;
    r.reason = std::move(reason);
    for (auto& [n, v] : headers)
        r.headers.add(n, v);
    return r;
}

std::string printed(const pbi::diagnostics& d) {
    std::ostringstream os;
    os << d;
    return os.str();
}

} // namespace

// ------------------------------------------------------------------ proxy URLs

TEST_CASE("a proxy URL gives scheme, host and port; without a scheme it is http", "[proxy]") {
    auto p = parse_ok("http://proxy.corp.example:3128");
    CHECK(p.scheme == "http");
    CHECK(p.host == "proxy.corp.example");
    CHECK(p.port == 3128);
    CHECK_FALSE(p.has_credentials());
    CHECK(p.display() == "http://proxy.corp.example:3128");

    auto bare = parse_ok("Proxy.Corp.Example:8080");
    CHECK(bare.scheme == "http");
    CHECK(bare.host == "proxy.corp.example");
    CHECK(bare.port == 8080);

    CHECK(parse_ok("http://proxy/").port == 80);
    CHECK(parse_ok("https://proxy").port == 443);
    CHECK(parse_ok("HTTPS://proxy:8443").scheme == "https");
    CHECK(parse_ok("http://10.0.0.1:3128/").host == "10.0.0.1");
    auto v6 = parse_ok("http://[fd00::1]:3128");
    CHECK(v6.host == "fd00::1");
    CHECK(v6.display() == "http://[fd00::1]:3128");
}

TEST_CASE("proxy credentials are percent-decoded and never displayed", "[proxy]") {
    auto p = parse_ok("http://svc%40corp:p%40ss%3Aw0rd%2F%25@proxy.corp:3128");
    CHECK(p.username == "svc@corp");
    CHECK(p.password.reveal() == "p@ss:w0rd/%");
    CHECK(p.has_credentials());
    CHECK(p.display() == "http://proxy.corp:3128");

    auto user_only = parse_ok("http://alice@proxy:3128");
    CHECK(user_only.username == "alice");
    CHECK(user_only.password.empty());

    // The user info ends at the last '@': an unencoded '@' in the password still works.
    auto raw_at = parse_ok("http://bob:p@ss@proxy:3128");
    CHECK(raw_at.username == "bob");
    CHECK(raw_at.password.reveal() == "p@ss");
    CHECK(raw_at.host == "proxy");
}

TEST_CASE("unusable proxy URLs are invalid_url", "[proxy]") {
    for (const char* text : {"socks5://proxy:1080", "ftp://proxy", "http://", "http://:3128",
                             "http://proxy:0", "http://proxy:99999", "http://us%zzer:pw@proxy:3128",
                             "http://pro xy:3128", "", "http://a%3Ab:pw@proxy:3128"}) {
        INFO(text);
        std::error_code ec;
        (void)proxy_server::parse(text, ec);
        CHECK(ec == errc::invalid_url);
    }
}

// ------------------------------------------------------------------ the environment

TEST_CASE("the proxy comes from https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY in that order", "[proxy]") {
    auto all = config_from({{"ALL_PROXY", "http://all-upper:1"},
                            {"all_proxy", "http://all-lower:2"},
                            {"HTTPS_PROXY", "http://https-upper:3"},
                            {"https_proxy", "http://https-lower:4"}});
    REQUIRE(all.server);
    CHECK(all.server->host == "https-lower");
    CHECK(all.source == "https_proxy");

    auto upper = config_from({{"ALL_PROXY", "http://all-upper:1"}, {"HTTPS_PROXY", "http://https-upper:3"}});
    CHECK(upper.server->host == "https-upper");
    CHECK(upper.source == "HTTPS_PROXY");

    auto fallback = config_from({{"ALL_PROXY", "http://all-upper:1"}, {"https_proxy", ""}});
    CHECK(fallback.server->host == "all-upper"); // an empty value counts as unset
    CHECK(fallback.source == "ALL_PROXY");

    auto http_only = config_from({{"http_proxy", "http://plain:3128"}, {"HTTP_PROXY", "http://plain:3128"}});
    CHECK_FALSE(http_only.server); // the SDK makes https calls only

    CHECK_FALSE(config_from({}).server);
}

TEST_CASE("the bypass list comes from no_proxy, then NO_PROXY; loopback bypass stays on", "[proxy]") {
    auto c = config_from({{"HTTPS_PROXY", "http://proxy:3128"}, {"NO_PROXY", "upper.example"}});
    CHECK(c.no_proxy == "upper.example");
    CHECK(c.bypass_loopback);
    auto both = config_from({{"no_proxy", "lower.example"}, {"NO_PROXY", "upper.example"}});
    CHECK(both.no_proxy == "lower.example");
}

TEST_CASE("a malformed proxy variable names the variable and masks its credentials", "[proxy]") {
    std::error_code ec;
    pbi::diagnostics diag;
    (void)proxy_config::from_environment(env_of({{"HTTPS_PROXY", "socks5://bob:hunter2@proxy:1080"}}), ec,
                                         diag);
    CHECK(ec == errc::invalid_url);
    CHECK(ec == pbi::condition::configuration);
    CHECK(diag.message.find("HTTPS_PROXY") != std::string::npos);
    CHECK(diag.message.find("socks5://***@proxy:1080") != std::string::npos);
    CHECK(printed(diag).find("hunter2") == std::string::npos);
    CHECK(printed(diag).find("bob") == std::string::npos);

    try {
        (void)proxy_config::from_environment(env_of({{"https_proxy", "http://bob:hunter2@bad host:1"}}));
        FAIL("expected pbi::error");
    } catch (const pbi::error& e) {
        CHECK(e.code() == errc::invalid_url);
        CHECK(std::string(e.what()).find("hunter2") == std::string::npos);
    }
}

TEST_CASE("a proxy password holding an unencoded '#', '/' or '?' is masked too", "[proxy]") {
    for (const char* value : {"http://pr0xyuser:Pr0xyPass#x@proxy.example:8080",
                              "http://u:pa/ss@proxy.example:99999", "http://u:pa?ss@proxy.example:bad"}) {
        std::error_code ec;
        pbi::diagnostics diag;
        (void)proxy_config::from_environment(env_of({{"HTTPS_PROXY", value}}), ec, diag);
        INFO(value);
        CHECK(ec == errc::invalid_url);
        const auto text = printed(diag);
        CHECK(text.find("Pass") == std::string::npos);
        CHECK(text.find("pa/ss") == std::string::npos);
        CHECK(text.find("pa?ss") == std::string::npos);
        CHECK(text.find("***@proxy.example") != std::string::npos);
    }
}

// ------------------------------------------------------------------ NO_PROXY

TEST_CASE("NO_PROXY: a name matches itself and the names below it, with or without a leading dot",
          "[proxy]") {
    CHECK(no_proxy_matches("example.com", "example.com", 443));
    CHECK(no_proxy_matches("example.com", "www.example.com", 443));
    CHECK(no_proxy_matches(".example.com", "www.example.com", 443));
    CHECK(no_proxy_matches(".example.com", "example.com", 443));
    CHECK(no_proxy_matches("EXAMPLE.com", "api.example.com", 443));
    CHECK(no_proxy_matches("example.com.", "example.com", 443));
    CHECK(no_proxy_matches("example.com", "example.com.", 443));
    CHECK_FALSE(no_proxy_matches("example.com", "notexample.com", 443));
    CHECK_FALSE(no_proxy_matches("example.com", "example.com.evil.test", 443));
    CHECK_FALSE(no_proxy_matches("www.example.com", "example.com", 443));
}

TEST_CASE("NO_PROXY: lists are separated by commas and white space; empty entries are ignored", "[proxy]") {
    const std::string list = " internal.corp ,, .powerbi.test\tlocalhost  ";
    CHECK(no_proxy_matches(list, "wiki.internal.corp", 443));
    CHECK(no_proxy_matches(list, "api.powerbi.test", 443));
    CHECK(no_proxy_matches(list, "localhost", 443));
    CHECK_FALSE(no_proxy_matches(list, "api.powerbi.com", 443));
    CHECK_FALSE(no_proxy_matches("", "api.powerbi.com", 443));
    CHECK_FALSE(no_proxy_matches(" , ,", "api.powerbi.com", 443));
}

TEST_CASE("NO_PROXY: * matches every host", "[proxy]") {
    CHECK(no_proxy_matches("*", "api.powerbi.com", 443));
    CHECK(no_proxy_matches("*", "10.1.2.3", 443));
    CHECK(no_proxy_matches("example.com, *", "login.microsoftonline.com", 443));
}

TEST_CASE("NO_PROXY: IP addresses match addresses only, whatever their spelling", "[proxy]") {
    CHECK(no_proxy_matches("10.1.2.3", "10.1.2.3", 443));
    CHECK_FALSE(no_proxy_matches("10.1.2.3", "10.1.2.4", 443));
    CHECK(no_proxy_matches("fd00::1", "fd00:0:0::1", 443));
    CHECK(no_proxy_matches("[fd00::1]", "fd00::1", 443));
    CHECK(no_proxy_matches("10.1.2.3", "::ffff:10.1.2.3", 443));
    // Nothing is resolved: a name entry never matches an address and vice versa.
    CHECK_FALSE(no_proxy_matches("1.2.3", "10.1.2.3", 443));
    CHECK_FALSE(no_proxy_matches("10.1.2.3", "host.example", 443));
}

TEST_CASE("NO_PROXY: CIDR ranges match every address inside them", "[proxy]") {
    CHECK(no_proxy_matches("10.0.0.0/8", "10.200.3.4", 443));
    CHECK_FALSE(no_proxy_matches("10.0.0.0/8", "11.0.0.1", 443));
    CHECK(no_proxy_matches("192.168.16.0/20", "192.168.31.255", 443));
    CHECK_FALSE(no_proxy_matches("192.168.16.0/20", "192.168.32.0", 443));
    CHECK(no_proxy_matches("0.0.0.0/0", "8.8.8.8", 443));
    CHECK(no_proxy_matches("fd00::/8", "fd12:3456::1", 443));
    CHECK_FALSE(no_proxy_matches("fd00::/8", "fe80::1", 443));
    CHECK(no_proxy_matches("[2001:db8::]/32", "2001:db8:ffff::1", 443));
    CHECK_FALSE(no_proxy_matches("10.0.0.0/33", "10.0.0.1", 443)); // unusable: ignored
    CHECK_FALSE(no_proxy_matches("10.0.0.0/8", "ten.example", 443));
}

TEST_CASE("NO_PROXY: an entry with a port matches that port only", "[proxy]") {
    CHECK(no_proxy_matches("example.com:8443", "api.example.com", 8443));
    CHECK_FALSE(no_proxy_matches("example.com:8443", "api.example.com", 443));
    CHECK(no_proxy_matches("10.1.2.3:443", "10.1.2.3", 443));
    CHECK_FALSE(no_proxy_matches("10.1.2.3:443", "10.1.2.3", 8443));
    CHECK(no_proxy_matches("[fd00::1]:8443", "fd00::1", 8443));
    CHECK_FALSE(no_proxy_matches("[fd00::1]:8443", "fd00::1", 443));
    CHECK_FALSE(no_proxy_matches("example.com:http", "example.com", 80)); // unusable: ignored
}

TEST_CASE("proxy_for: loopback origins go directly unless configured otherwise", "[proxy]") {
    proxy_config c;
    CHECK(pbi::http::proxy_for(c, origin("https://api.powerbi.com")) == nullptr); // no server
    c.server = parse_ok("http://proxy:3128");
    CHECK(pbi::http::proxy_for(c, origin("https://api.powerbi.com")) == &*c.server);
    for (const char* o : {"https://localhost:8443", "https://127.0.0.1:1234", "https://127.9.8.7",
                          "https://[::1]:443", "https://emulator.localhost"}) {
        INFO(o);
        CHECK(pbi::http::proxy_for(c, origin(o)) == nullptr);
    }
    c.bypass_loopback = false;
    CHECK(pbi::http::proxy_for(c, origin("https://127.0.0.1:1234")) == &*c.server);
    CHECK(pbi::http::proxy_for(c, origin("https://localhost")) == &*c.server);

    CHECK(pbi::http::is_loopback_host("::ffff:127.0.0.1"));
    CHECK_FALSE(pbi::http::is_loopback_host("localhost.example.com"));
    CHECK_FALSE(pbi::http::is_loopback_host("10.0.0.1"));
}

TEST_CASE("proxy_for: NO_PROXY sends matching origins directly", "[proxy]") {
    proxy_config c =
        config_from({{"HTTPS_PROXY", "http://proxy:3128"}, {"NO_PROXY", ".corp.example,10.0.0.0/8"}});
    CHECK(pbi::http::proxy_for(c, origin("https://intranet.corp.example")) == nullptr);
    CHECK(pbi::http::proxy_for(c, origin("https://10.3.2.1:8443")) == nullptr);
    CHECK(pbi::http::proxy_for(c, origin("https://login.microsoftonline.com")) != nullptr);
    CHECK(pbi::http::proxy_for(c, origin("https://api.powerbi.com")) != nullptr);
}

// ------------------------------------------------------------------ CONNECT

TEST_CASE("base64 for Basic credentials follows RFC 4648", "[proxy]") {
    using pbi::http::detail::base64_encode;
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK(base64_encode("foo") == "Zm9v");
    CHECK(base64_encode("foob") == "Zm9vYg==");
    CHECK(base64_encode("Aladdin:open sesame") == "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

TEST_CASE("the CONNECT request names the origin's host and port, and carries Basic credentials when set",
          "[proxy]") {
    auto p = parse_ok("http://proxy:3128");
    const auto plain = pbi::http::make_connect_request(p, origin("https://api.powerbi.com"));
    CHECK(plain.reveal() ==
          std::string("CONNECT api.powerbi.com:443 HTTP/1.1\r\nHost: api.powerbi.com:443\r\n"
                      "User-Agent: pbi-async/") +
              pbi::version_string + "\r\n\r\n");

    auto with_creds = parse_ok("http://Aladdin:open%20sesame@proxy:3128");
    const auto authed = pbi::http::make_connect_request(with_creds, origin("https://[fd00::2]:8443/x"));
    CHECK(authed.reveal().rfind("CONNECT [fd00::2]:8443 HTTP/1.1\r\nHost: [fd00::2]:8443\r\n", 0) == 0);
    CHECK(authed.reveal().find("\r\nProxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n") !=
          std::string::npos);
    std::ostringstream os;
    os << authed;
    CHECK(os.str() == "********");
}

TEST_CASE("a 2xx answer to CONNECT opens the tunnel", "[proxy]") {
    pbi::diagnostics diag;
    auto p = parse_ok("http://proxy:3128");
    CHECK_FALSE(pbi::http::check_connect_response(answer(200, "Connection established"), p,
                                                  origin("https://api.powerbi.com"), diag));
    CHECK(diag.empty());
}

TEST_CASE("407 without credentials is proxy_auth_required and says how to give them", "[proxy]") {
    pbi::diagnostics diag;
    auto p = parse_ok("http://proxy:3128");
    auto ec = pbi::http::check_connect_response(
        answer(407, "Proxy Authentication Required", {{"Proxy-Authenticate", "Basic realm=\"corp\""}}), p,
        origin("https://api.powerbi.com"), diag);
    CHECK(ec == errc::proxy_auth_required);
    CHECK(ec == pbi::condition::configuration);
    CHECK(ec == pbi::condition::transport);
    CHECK(ec != pbi::condition::retryable);
    CHECK(diag.proxy_status == 407);
    CHECK(diag.proxy == "http://proxy:3128");
    CHECK(diag.source == pbi::failure_source::transport);
    CHECK(diag.message.find("requires authentication") != std::string::npos);
    CHECK(diag.hint.find("http://user:password@host:port") != std::string::npos);
}

TEST_CASE("407 with credentials says they were rejected, without showing them", "[proxy]") {
    pbi::diagnostics diag;
    auto p = parse_ok("http://svc:s3cr%40t@proxy:3128");
    auto ec = pbi::http::check_connect_response(
        answer(407, "Proxy Authentication Required",
               {{"Proxy-Authenticate", "Negotiate"}, {"Proxy-Authenticate", "NTLM"}}),
        p, origin("https://api.powerbi.com"), diag);
    CHECK(ec == errc::proxy_auth_required);
    CHECK(diag.message.find("rejected the credentials") != std::string::npos);
    CHECK(diag.hint.find("Negotiate, NTLM") != std::string::npos); // Basic is not on offer
    const std::string all = printed(diag);
    CHECK(all.find("s3cr") == std::string::npos);
    CHECK(all.find("svc") == std::string::npos);
}

TEST_CASE("403 and 502 from the proxy are proxy_refused with the proxy's status", "[proxy]") {
    auto p = parse_ok("http://proxy:3128");
    pbi::diagnostics forbidden;
    auto ec = pbi::http::check_connect_response(answer(403, "Forbidden"), p,
                                                origin("https://api.powerbi.com"), forbidden);
    CHECK(ec == errc::proxy_refused);
    CHECK(ec == pbi::condition::transport);
    CHECK(forbidden.proxy_status == 403);
    CHECK(forbidden.http_status == 0); // not the origin's answer
    CHECK(forbidden.message.find("refused to open a tunnel to api.powerbi.com:443 (403 Forbidden)") !=
          std::string::npos);
    CHECK(forbidden.hint.find("NO_PROXY") != std::string::npos);

    pbi::diagnostics bad_gateway;
    ec = pbi::http::check_connect_response(answer(502, "Bad Gateway"), p, origin("https://api.powerbi.com"),
                                           bad_gateway);
    CHECK(ec == errc::proxy_refused);
    CHECK(bad_gateway.proxy_status == 502);
    CHECK(bad_gateway.message.find("could not open a tunnel") != std::string::npos);
    CHECK(printed(bad_gateway).find("proxy status: 502") != std::string::npos);
}

TEST_CASE("an interim answer to CONNECT is a proxy protocol error", "[proxy]") {
    pbi::diagnostics diag;
    auto ec =
        pbi::http::check_connect_response(answer(101, "Switching Protocols"), parse_ok("http://proxy:3128"),
                                          origin("https://api.powerbi.com"), diag);
    CHECK(ec == errc::proxy_protocol_error);
}
