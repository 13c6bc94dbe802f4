#include <pbi/http/date.hpp>

#include <catch2/catch.hpp>

using namespace std::chrono;
using pbi::http::format_http_date;
using pbi::http::parse_http_date;

TEST_CASE("IMF-fixdate parses to the right instant") {
    auto t = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
    REQUIRE(t);
    CHECK(duration_cast<seconds>(t->time_since_epoch()).count() == 784111777);
}

TEST_CASE("the obsolete RFC 850 and asctime forms parse too") {
    auto expected = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
    CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == expected);
    CHECK(parse_http_date("Sun Nov  6 08:49:37 1994") == expected);
}

TEST_CASE("malformed HTTP dates are rejected") {
    for (const char* bad :
         {"", "Sun, 06 Nov 1994 08:49:37", "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 31 Feb 1994 08:49:37 GMT",
          "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT",
          "Sun, 06 Nov 1994 08:49:37 GMT trailing"})
        CHECK_FALSE(parse_http_date(bad));
}

TEST_CASE("format_http_date writes an IMF-fixdate that parses back") {
    auto t = sys_days{year{2024} / July / 29} + hours{17} + minutes{58} + seconds{19} + milliseconds{750};
    auto text = format_http_date(
        system_clock::time_point{duration_cast<system_clock::duration>(t.time_since_epoch())});
    CHECK(text == "Mon, 29 Jul 2024 17:58:19 GMT");
    auto back = parse_http_date(text);
    REQUIRE(back);
    CHECK(format_http_date(*back) == text);
    CHECK(format_http_date(system_clock::time_point{}) == "Thu, 01 Jan 1970 00:00:00 GMT");
}
