#include <pbi/http/date.hpp>
#include <pbi/powerbi/embed_token_cache.hpp>

#include <catch2/catch.hpp>

using namespace pbi::powerbi;
using namespace std::chrono;

TEST_CASE("an embed token's lifetime is expiration minus the server's Date, not the local clock") {
    const auto server_now = sys_days{2024y / 7 / 29} + 17h;
    const auto local_now = server_now + 7min; // this machine's clock runs 7 minutes ahead
    auto t =
        embed_token_timing_of(server_now + 60min, pbi::http::format_http_date(server_now), local_now, 10min);
    CHECK(t.lifetime == duration_cast<pbi::refresh::duration>(60min));
    CHECK(t.refresh_in == duration_cast<pbi::refresh::duration>(50min));
}

TEST_CASE("a short embed token is renewed at half its lifetime") {
    const auto server_now = sys_days{2024y / 7 / 29} + 17h;
    auto t =
        embed_token_timing_of(server_now + 8min, pbi::http::format_http_date(server_now), server_now, 10min);
    CHECK(t.refresh_in == duration_cast<pbi::refresh::duration>(4min));
}

TEST_CASE("without a readable Date the lifetime counts from the local receive time, never below zero") {
    const auto now = sys_days{2024y / 7 / 29} + 17h;
    auto t = embed_token_timing_of(now + 30min, std::nullopt, now, 10min);
    CHECK(t.lifetime == duration_cast<pbi::refresh::duration>(30min));
    auto garbled = embed_token_timing_of(now + 30min, std::string_view("yesterday"), now, 10min);
    CHECK(garbled.lifetime == duration_cast<pbi::refresh::duration>(30min));
    auto expired = embed_token_timing_of(now - 1min, std::nullopt, now, 10min);
    CHECK(expired.lifetime == pbi::refresh::duration::zero());
}

TEST_CASE("embed requests with the same resources share a key; any difference makes another") {
    generate_token_request view;
    auto a = embed_request::report({"w", "r"}, view);
    auto b = embed_request::report({"w", "r"}, view);
    CHECK(a.key() == b.key());
    CHECK(a.lifetime == 60min);
    generate_token_request with_identity;
    with_identity.identities.push_back({"screen-7", {"Lobby"}, {"d"}, std::nullopt});
    with_identity.lifetime_in_minutes = 15;
    auto c = embed_request::report({"w", "r"}, with_identity);
    CHECK(c.key() != a.key());
    CHECK(c.lifetime == 15min);
    CHECK(embed_request::dashboard({"w", "r"}, view).key() != a.key());
    CHECK(embed_request::tile({"w", "d", "t"}, view).path == "/groups/w/dashboards/d/tiles/t/GenerateToken");
    generate_token_v2_request v2;
    v2.reports = {{"r", false}};
    CHECK(embed_request::v2(v2).path == "/GenerateToken");
}
