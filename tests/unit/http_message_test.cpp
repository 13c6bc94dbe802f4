// Specification of the request serializer and response::keep_alive in pbi/http/message.hpp.
#include <pbi/http/message.hpp>

#include <catch2/catch.hpp>

using pbi::http::is_valid_header;
using pbi::http::is_valid_request;
using pbi::http::request;
using pbi::http::serialize;

TEST_CASE("a GET request serializes with Host first and no Content-Length") {
    request req;
    req.target = "/v1.0/myorg/groups?$top=10";
    req.headers.add("Accept", "application/json");
    req.headers.add("Authorization", "Bearer x");
    CHECK(serialize(req, "api.powerbi.com") == "GET /v1.0/myorg/groups?$top=10 HTTP/1.1\r\n"
                                               "Host: api.powerbi.com\r\n"
                                               "Accept: application/json\r\n"
                                               "Authorization: Bearer x\r\n"
                                               "\r\n");
}

TEST_CASE("a request with a body gets its Content-Length after the caller's headers") {
    request req;
    req.method = "POST";
    req.target = "/t/oauth2/v2.0/token";
    req.headers.add("Content-Type", "application/x-www-form-urlencoded");
    req.body = "grant_type=client_credentials";
    CHECK(serialize(req, "login.microsoftonline.com") ==
          "POST /t/oauth2/v2.0/token HTTP/1.1\r\nHost: login.microsoftonline.com\r\n"
          "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 29\r\n\r\n"
          "grant_type=client_credentials");
}

TEST_CASE("POST, PUT and PATCH without a body send Content-Length: 0") {
    for (const char* m : {"POST", "PUT", "PATCH"}) {
        request req;
        req.method = m;
        CHECK(serialize(req, "h") == std::string(m) + " / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
    }
    request del;
    del.method = "DELETE";
    CHECK(serialize(del, "h") == "DELETE / HTTP/1.1\r\nHost: h\r\n\r\n");
}

TEST_CASE("a caller's Content-Length or Host is not duplicated") {
    request req;
    req.method = "POST";
    req.headers.add("content-length", "3");
    req.headers.add("HOST", "evil.example");
    req.body = "abc";
    CHECK(serialize(req, "good.example:8443") ==
          "POST / HTTP/1.1\r\nHost: good.example:8443\r\ncontent-length: 3\r\n\r\nabc");
}

TEST_CASE("header names must be tokens and values free of CR, LF and other controls") {
    CHECK(is_valid_header("X-Ms-Client-Request-Id", "0f8fad5b-d9cb-469f-a165-70867728950e"));
    CHECK(is_valid_header("X", ""));
    CHECK(is_valid_header("X", "tab\tinside and \xc3\xbc obs-text"));
    CHECK_FALSE(is_valid_header("", "x"));
    CHECK_FALSE(is_valid_header("Bad Name", "x"));
    CHECK_FALSE(is_valid_header("Bad:Name", "x"));
    CHECK_FALSE(is_valid_header("X", "a\r\nInjected: 1"));
    CHECK_FALSE(is_valid_header("X", "a\nb"));
    CHECK_FALSE(is_valid_header("X", "a\rb"));
    CHECK_FALSE(is_valid_header("X", std::string("a\0b", 3)));
    CHECK_FALSE(is_valid_header("X", "del\x7f"));
}

TEST_CASE("a request with a space or control in its target or method is invalid") {
    request ok;
    ok.target = "/groups?$filter=name%20eq%20'x'";
    CHECK(is_valid_request(ok));
    request bad = ok;
    bad.target = "/a b";
    CHECK_FALSE(is_valid_request(bad));
    bad.target = "/a\r\nHost: x";
    CHECK_FALSE(is_valid_request(bad));
    bad.target = "";
    CHECK_FALSE(is_valid_request(bad));
    bad.target = "/\xc3\xbc";
    CHECK_FALSE(is_valid_request(bad));
    bad = ok;
    bad.method = "GET /x";
    CHECK_FALSE(is_valid_request(bad));
    bad = ok;
    bad.headers.add("X", "1\r\n");
    CHECK_FALSE(is_valid_request(bad));
}
