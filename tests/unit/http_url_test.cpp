// Specification of pbi::http::url.
#include <pbi/error.hpp>
#include <pbi/http/url.hpp>

#include <catch2/catch.hpp>

using pbi::errc;
using pbi::http::url;

namespace {
url parse_ok(std::string_view text) {
    std::error_code ec = pbi::errc::timeout; // parse must clear a stale code
    auto u = url::parse(text, ec);
    INFO(text);
    REQUIRE_FALSE(ec);
    return u;
}
} // namespace

TEST_CASE("an https URL splits into scheme, host, default port and target") {
    const auto u = parse_ok("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
    CHECK(u.scheme == "https");
    CHECK(u.host == "login.microsoftonline.com");
    CHECK(u.port == 443);
    CHECK(u.target == "/contoso.onmicrosoft.com/oauth2/v2.0/token");
    CHECK(u.origin() == "https://login.microsoftonline.com");
    CHECK(u.host_header() == "login.microsoftonline.com");
}

TEST_CASE("scheme and host are lower-cased, the target is kept as given") {
    const auto u = parse_ok("HTTPS://API.PowerBI.COM/V1.0/MyOrg/Groups?$Filter=Name%20eq%20'A'");
    CHECK(u.scheme == "https");
    CHECK(u.host == "api.powerbi.com");
    CHECK(u.target == "/V1.0/MyOrg/Groups?$Filter=Name%20eq%20'A'");
}

TEST_CASE("an empty path becomes / and a bare query gets one") {
    CHECK(parse_ok("https://api.powerbi.com").target == "/");
    CHECK(parse_ok("https://api.powerbi.com/").target == "/");
    CHECK(parse_ok("https://api.powerbi.com?a=1").target == "/?a=1");
}

TEST_CASE("the fragment is dropped") {
    CHECK(parse_ok("https://h/a?b=c#frag").target == "/a?b=c");
    CHECK(parse_ok("https://h#frag").target == "/");
    CHECK(parse_ok("https://h:8443#frag").port == 8443);
}

TEST_CASE("http uses port 80 and explicit ports other than the default are shown") {
    auto u = parse_ok("http://example.com:8080/a?b=c");
    CHECK(u.scheme == "http");
    CHECK(u.port == 8080);
    CHECK(u.origin() == "http://example.com:8080");
    CHECK(u.host_header() == "example.com:8080");
    u = parse_ok("http://example.com/");
    CHECK(u.port == 80);
    CHECK(u.origin() == "http://example.com");
    u = parse_ok("https://example.com:443/");
    CHECK(u.origin() == "https://example.com");
    CHECK(u.host_header() == "example.com");
    u = parse_ok("http://example.com:443/");
    CHECK(u.origin() == "http://example.com:443");
    CHECK(parse_ok("https://127.0.0.1:1/").port == 1);
    CHECK(parse_ok("https://127.0.0.1:65535/").port == 65535);
    CHECK(parse_ok("https://127.0.0.1:65535/").host == "127.0.0.1");
}

TEST_CASE("an IPv6 literal is kept without brackets and shown with them") {
    auto u = parse_ok("https://[::1]:8443/x");
    CHECK(u.host == "::1");
    CHECK(u.port == 8443);
    CHECK(u.target == "/x");
    CHECK(u.origin() == "https://[::1]:8443");
    CHECK(u.host_header() == "[::1]:8443");
    u = parse_ok("https://[2001:DB8::1]");
    CHECK(u.host == "2001:db8::1");
    CHECK(u.port == 443);
    CHECK(u.origin() == "https://[2001:db8::1]");
    CHECK(u.host_header() == "[2001:db8::1]");
    CHECK(parse_ok("https://[::ffff:192.0.2.1]/").host == "::ffff:192.0.2.1");
}

TEST_CASE("malformed or unsupported URLs are invalid_url") {
    for (std::string_view text : {
             "",
             "api.powerbi.com/v1.0",
             "//api.powerbi.com/",
             "://api.powerbi.com/",
             "ftp://example.com/",
             "file:///etc/passwd",
             "httpss://example.com/",
             "https:/example.com/",
             "https://",
             "https:///path",
             "https://:443/",
             "https://?q",
             "https://user:secret@example.com/",
             "https://user@example.com/",
             "https://@example.com/",
             "https://example.com:0/",
             "https://example.com:65536/",
             "https://example.com:99999999999/",
             "https://example.com:12a/",
             "https://example.com:-1/",
             "https://example.com:/",
             "https://example.com: 443/",
             "https://[::1/",
             "https://[::1]x/",
             "https://[::1]:/",
             "https://[]/",
             "https://[example.com]/",
             "https://[fe80::1%25eth0]/",
             "https://[1:2:3:4:5:6:7:8:9]/",
             "https://[1::2::3]/",
             "https://[:::]/",
             "https://[12345::1]/",
             "https://::1/",
             "https://ex ample.com/",
             " https://example.com/",
             "https://example.com/ ",
             "https://example.com/a b",
             "https://example.com/a\r\nHost: x",
             "https://example.com/\xc3\xbc",
             "https://exa%6Dple.com/",
         }) {
        INFO('"' << text << '"');
        std::error_code ec;
        const auto u = url::parse(text, ec);
        CHECK(ec == errc::invalid_url);
        CHECK(ec == pbi::condition::configuration);
    }
}

TEST_CASE("redact_user_info masks everything up to the last '@' and leaves other text alone") {
    using pbi::http::redact_user_info;
    CHECK(redact_user_info("https://u:topsecretpw@127.0.0.1:1") == "https://***@127.0.0.1:1");
    CHECK(redact_user_info("http://me:pa/ss?w#rd@proxy:8080") == "http://***@proxy:8080");
    CHECK(redact_user_info("https://u:p@ss@host") == "https://***@host");
    CHECK(redact_user_info("u:pw@host:3128") == "***@host:3128"); // no scheme
    CHECK(redact_user_info("https://host:443") == "https://host:443");
    CHECK(redact_user_info("") == "");
}
