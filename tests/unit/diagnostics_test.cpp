// diagnostics: clock-skew detection from an answer's Date header, and what operator<< prints.
#include <pbi/diagnostics.hpp>
#include <pbi/http/date.hpp>

#include <catch2/catch.hpp>

#include <sstream>
#include <string>

using namespace std::chrono_literals;

namespace {

const auto local = *pbi::http::parse_http_date("Wed, 01 May 2024 10:00:00 GMT");

std::string printed(const pbi::diagnostics& d) {
    std::ostringstream os;
    os << d;
    return os.str();
}

} // namespace

TEST_CASE("an answer without a usable Date header records no clock skew") {
    pbi::diagnostics d;
    pbi::note_clock_skew(std::nullopt, local, d);
    pbi::note_clock_skew("yesterday", local, d);
    CHECK_FALSE(d.clock_skew);
    CHECK(d.warnings.empty());
}

TEST_CASE("a server clock within five minutes of this machine's is measured but not warned about") {
    pbi::diagnostics d;
    pbi::note_clock_skew("Wed, 01 May 2024 10:04:59 GMT", local, d);
    REQUIRE(d.clock_skew);
    CHECK(*d.clock_skew == 299s);
    CHECK(d.warnings.empty());
    CHECK(printed(d).find("clock") == std::string::npos);
}

TEST_CASE("a server clock ten minutes ahead warns that this machine's clock is behind") {
    pbi::diagnostics d;
    pbi::note_clock_skew("Wed, 01 May 2024 10:10:00 GMT", local, d);
    REQUIRE(d.clock_skew);
    CHECK(*d.clock_skew == 600s);
    REQUIRE(d.warnings.size() == 1);
    CHECK(d.warnings[0].find("10 min behind") != std::string::npos);
    CHECK(d.warnings[0].find("NTP") != std::string::npos);
    auto text = printed(d);
    CHECK(text.find("clock skew: +600 s") != std::string::npos);
    CHECK(text.find("warning: this machine's clock is 10 min behind") != std::string::npos);
}

TEST_CASE("a server clock behind this machine's warns that this machine's clock is ahead") {
    pbi::diagnostics d;
    pbi::note_clock_skew("Wed, 01 May 2024 08:54:30 GMT", local, d);
    REQUIRE(d.clock_skew);
    CHECK(*d.clock_skew == -(1h + 5min + 30s));
    REQUIRE(d.warnings.size() == 1);
    CHECK(d.warnings[0].find("1 h 5 min 30 s ahead of the server's") != std::string::npos);
}

TEST_CASE("a second answer replaces the clock warning instead of adding one") {
    pbi::diagnostics d;
    d.warnings.push_back("something else");
    pbi::note_clock_skew("Wed, 01 May 2024 10:10:00 GMT", local, d);
    pbi::note_clock_skew("Wed, 01 May 2024 10:20:00 GMT", local, d);
    REQUIRE(d.warnings.size() == 2);
    CHECK(d.warnings[0] == "something else");
    CHECK(d.warnings[1].find("20 min behind") != std::string::npos);
    pbi::note_clock_skew("Wed, 01 May 2024 10:00:01 GMT", local, d);
    CHECK(d.warnings.size() == 1);
    CHECK(*d.clock_skew == 1s);
}

TEST_CASE("clear() forgets the clock skew and the warnings") {
    pbi::diagnostics d;
    pbi::note_clock_skew("Wed, 01 May 2024 10:10:00 GMT", local, d);
    d.clear();
    CHECK_FALSE(d.clock_skew);
    CHECK(d.warnings.empty());
}

TEST_CASE("redact masks every occurrence of a secret in every text field, but not short strings") {
    pbi::diagnostics d;
    d.server_message = "AADSTS90014: body was grant_type=password&password=Hunter2-xyz&password=Hunter2-xyz";
    d.message = "echo: Hunter2-xyz";
    d.powerbi_error_info = "Bearer Hunter2-xyz";
    d.warnings.push_back("Hunter2-xyz");
    d.redact("Hunter2-xyz");
    std::ostringstream os;
    os << d;
    CHECK(os.str().find("Hunter2") == std::string::npos);
    CHECK(d.server_message ==
          "AADSTS90014: body was grant_type=password&password=********&password=********");
    d.message = "abc def";
    d.redact("abc");
    CHECK(d.message == "abc def");
}

TEST_CASE("redact masks the part of a long secret that survived a server text's excerpt") {
    const std::string token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + std::string(3000, 'q') + ".sig";
    pbi::diagnostics d;
    d.server_message = "bad header Bearer " + token.substr(0, 1990) + "...";
    d.request_id = token.substr(0, 200);
    d.redact(token);
    CHECK(d.server_message == "bad header Bearer ********...");
    CHECK(d.request_id == "********");
    d.message = "eyJ0eXAiOiJKV1Qi is only the common JWT header, eyJ0eXAiO less";
    d.redact(token);
    CHECK(d.message == "******** is only the common JWT header, eyJ0eXAiO less");
}
