// pbi-async — regression tests from fuzzing (fuzz/fuzz_powerbi_models.cpp): a date the system
// clock cannot represent is refused instead of overflowing.
#include <pbi/powerbi/models.hpp>

#include <catch2/catch.hpp>

#include <chrono>

using pbi::powerbi::parse_datetime;

TEST_CASE("parse_datetime refuses dates outside the system clock's range", "[powerbi][models][fuzz]") {
    // Found by libFuzzer: "1012-07-29T17:58:19Z" overflowed the nanosecond conversion (UBSan).
    CHECK_FALSE(parse_datetime("1012-07-29T17:58:19Z"));
    CHECK_FALSE(parse_datetime("0000-01-01T00:00:00Z"));
    CHECK_FALSE(parse_datetime("9999-12-31T23:59:59.999999999-23:59"));
    CHECK_FALSE(parse_datetime("1600-01-01T00:00:00+23:59"));
    // Dates well inside the range still parse.
    CHECK(parse_datetime("1970-01-01T00:00:00Z") == std::chrono::system_clock::time_point{});
    CHECK(parse_datetime("2200-01-01T00:00:00Z"));
    CHECK(parse_datetime("1700-01-01T00:00:00Z"));
}

TEST_CASE("parse_embed_token refuses an expiration outside the clock's range", "[powerbi][models][fuzz]") {
    pbi::powerbi::embed_token token;
    const auto ec = pbi::powerbi::parse_embed_token(
        R"({"token":"H4sIAAAAAAAEAB2Wxa6EVgB","expiration":"1012-07-29T17:58:19Z"})", token);
    CHECK(ec);
}
