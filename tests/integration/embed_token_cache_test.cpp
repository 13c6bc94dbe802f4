// embed_token_cache against the emulator: one GenerateToken per key however many screens ask.
#include "support.hpp"

#include <catch2/catch.hpp>

using pbi_test::as_tuple;
using pbi_test::stack;
namespace seed = pbi::testing::seed;

namespace {

struct cache_outcome {
    std::vector<pbi::powerbi::embed_token_cache::token_handle> tokens;
    std::error_code rls_error;
};

asio::awaitable<cache_outcome> screens(pbi::powerbi::embed_token_cache& cache) {
    cache_outcome out;
    pbi::powerbi::generate_token_request view;
    view.lifetime_in_minutes = 30;
    auto welcome = pbi::powerbi::embed_request::report(
        {seed::lobby_screens_workspace, seed::welcome_board_report}, view);
    auto dashboard = pbi::powerbi::embed_request::dashboard(
        {seed::lobby_screens_workspace, seed::lobby_overview_dashboard}, view);
    for (int screen = 0; screen < 5; ++screen) {
        out.tokens.push_back(co_await cache.async_get(welcome));
        out.tokens.push_back(co_await cache.async_get(dashboard));
    }
    auto sales = pbi::powerbi::embed_request::report(
        {seed::sales_floor_workspace, seed::sales_leaderboard_report}, view);
    pbi::diagnostics diag;
    auto op = cache.async_get(sales, diag, as_tuple);
    auto [ec, token] = co_await std::move(op);
    out.rls_error = ec;
    co_return out;
}

} // namespace

TEST_CASE("screens asking for the same embed token share one GenerateToken per key") {
    stack s;
    pbi::powerbi::embed_token_cache cache(s.powerbi, s.tokens);
    auto out = s.run(screens(cache));
    REQUIRE(out.tokens.size() == 10);
    for (std::size_t i = 2; i < out.tokens.size(); ++i)
        CHECK(out.tokens[i] == out.tokens[i % 2]); // the same cached token, not a copy
    CHECK(out.tokens[0]->token_id != out.tokens[1]->token_id);
    CHECK(out.tokens[0]->expiration <= std::chrono::system_clock::now() + std::chrono::minutes(31));
    CHECK(s.emu.request_count("generate_token") == 2); // welcome board, then the RLS report once
    CHECK(s.emu.request_count("dashboard_generate_token") == 1);
    CHECK(out.rls_error == pbi::errc::effective_identity_required);
    CHECK(cache.size() == 3);
    CHECK(cache.counters().refreshes_succeeded == 2);
    CHECK(s.emu.request_count("token") == 1); // a fresh Entra token covers the 30-minute lifetime
}

namespace {

asio::awaitable<pbi::powerbi::embed_token_cache::token_handle>
warm_then_mint(pbi::entra::token_source& tokens, pbi::powerbi::embed_token_cache& cache) {
    pbi::refresh::get_options any;               // named: no default argument inside a co_await (g++ 12)
    auto entra = co_await tokens.async_get(any); // an Entra token already in the cache
    pbi::powerbi::generate_token_request hour;
    hour.lifetime_in_minutes = 60;
    auto request = pbi::powerbi::embed_request::report(
        {seed::lobby_screens_workspace, seed::welcome_board_report}, hour);
    co_return co_await cache.async_get(request);
}

} // namespace

TEST_CASE("an embed token is minted with an Entra token that has the whole embed lifetime left") {
    pbi::testing::emulator_options eo;
    eo.min_token_lifetime = eo.max_token_lifetime = std::chrono::minutes(20); // shorter than the embed token
    stack s(eo);
    pbi::powerbi::embed_token_cache cache(s.powerbi, s.tokens);
    auto token = s.run(warm_then_mint(s.tokens, cache));
    // The cached Entra token had 20 minutes left, less than the 60 asked for: a new one was fetched
    // before GenerateToken (whose answer is still capped at the Entra token's expiry).
    CHECK(s.emu.request_count("token") == 2);
    CHECK(s.emu.request_count("generate_token") == 1);
    CHECK(token->expiration <= std::chrono::system_clock::now() + std::chrono::minutes(21));
}
