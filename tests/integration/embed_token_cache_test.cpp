// embed_token_cache against the emulator: one GenerateToken per key however many screens ask,
// renewals pushed to subscribers (latest value), idle keys evicted — on a manual clock.
#include "support.hpp"

#include <pbi/testing/manual_clock.hpp>

#include <catch2/catch.hpp>

#include <asio/basic_waitable_timer.hpp>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/bind_executor.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using namespace std::chrono_literals;
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

TEST_CASE("screens asking for the same embed token share one GenerateToken per key", "[embed_cache]") {
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

TEST_CASE("an embed token is minted with an Entra token that has the whole embed lifetime left",
          "[embed_cache]") {
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

// --- on the manual clock ------------------------------------------------------------------------

namespace {

using clock_type = pbi::testing::manual_clock;
using manual_source = pbi::entra::basic_token_source<clock_type>;
using manual_cache = pbi::powerbi::basic_embed_token_cache<clock_type>;
using token_handle = manual_cache::token_handle;

constexpr int embed_minutes = 20; // renewed every 10 minutes: min(10 min, lifetime / 2) ahead

pbi::entra::token_source_options token_options(const pbi::testing::emulator& emu) {
    auto o = stack::token_options(emu);
    o.cache.random = [] {
        return 0.0; // no jitter: renewals at predictable times
    };
    return o;
}

pbi::powerbi::embed_token_cache_options cache_options() {
    pbi::powerbi::embed_token_cache_options o;
    o.cache.random = [] {
        return 0.0;
    };
    return o;
}

pbi::powerbi::client_options powerbi_options(const pbi::testing::emulator& emu) {
    pbi::powerbi::client_options o;
    o.api_origin = emu.origin();
    return o;
}

/// The emulator (60-minute Entra tokens, its clock following the manual clock) and an SDK stack
/// on the manual clock, run from the test's thread.
struct manual_stack {
    asio::io_context io;
    pbi::testing::emulator emu{pbi_test::emulator_on_clock<clock_type>()};
    pbi::http::client http{io.get_executor(), stack::http_options(emu)};
    manual_source tokens{http, pbi_test::ropc_for(emu), token_options(emu)};
    pbi::powerbi::client powerbi{http, tokens, powerbi_options(emu)};
    manual_cache cache{powerbi, tokens, cache_options()};

    std::chrono::system_clock::time_point emulator_now() const { return emu.options().now(); }

    std::size_t generate_token_requests() const {
        return emu.request_count("generate_token") + emu.request_count("dashboard_generate_token") +
               emu.request_count("tile_generate_token") + emu.request_count("generate_token_v2");
    }

    /// Runs handlers one by one until `done()`; false after 20 s of real time.
    template <class Pred>
    bool run_until(Pred done) {
        const auto give_up = std::chrono::steady_clock::now() + 20s;
        while (!done() && std::chrono::steady_clock::now() < give_up) {
            if (io.stopped())
                io.restart();
            io.run_one_for(1ms);
        }
        return done();
    }

    /// Runs everything already queued (deliveries to subscribers, posted starts).
    void flush() {
        bool ran = false;
        asio::post(io, [&] { ran = true; });
        REQUIRE(run_until([&] { return ran; }));
    }

    std::uint64_t fetches_in_flight() const {
        auto in_flight = [](const pbi::refresh::cache_counters& c) {
            return c.refreshes_started - c.refreshes_succeeded - c.refreshes_failed;
        };
        return in_flight(cache.counters()) + in_flight(tokens.counters().cache);
    }

    /// Lets every timer due on the manual clock fire and every request it started finish.
    void settle() {
        bool fired = false;
        asio::basic_waitable_timer<clock_type> due(io);
        due.expires_at(clock_type::now()); // after (or with) every timer due now
        due.async_wait([&](std::error_code) { fired = true; });
        REQUIRE(run_until([&] { return fired; }));
        flush(); // timers due at the same instant may be queued just after ours
        REQUIRE(run_until([&] { return fetches_in_flight() == 0; }));
        flush();
    }

    void advance(clock_type::duration d) {
        clock_type::advance(d);
        settle();
    }

    /// Runs a coroutine to completion.
    template <class T>
    T run(asio::awaitable<T> a) {
        std::optional<T> out;
        std::exception_ptr error;
        asio::co_spawn(io, std::move(a), [&](std::exception_ptr e, T v) {
            error = e;
            if (!e)
                out.emplace(std::move(v));
        });
        REQUIRE(run_until([&] { return out || error; }));
        if (error)
            std::rethrow_exception(error);
        return std::move(*out);
    }
};

pbi::powerbi::generate_token_request view_for(std::optional<std::string> store) {
    pbi::powerbi::generate_token_request body;
    body.lifetime_in_minutes = embed_minutes;
    if (store)
        body.identities.push_back({*store, {}, {seed::sales_dataset}, std::nullopt});
    return body;
}

/// Key `k` of 50: four lobby keys (two reports, a dashboard, a tile), then one RLS key per
/// store, alternating a v1 report token and a v2 token (report + dataset).
pbi::powerbi::embed_request request_for_key(int k) {
    using pbi::powerbi::embed_request;
    switch (k) {
    case 0:
        return embed_request::report({seed::lobby_screens_workspace, seed::welcome_board_report},
                                     view_for({}));
    case 1:
        return embed_request::report({seed::lobby_screens_workspace, seed::building_metrics_report},
                                     view_for({}));
    case 2:
        return embed_request::dashboard({seed::lobby_screens_workspace, seed::lobby_overview_dashboard},
                                        view_for({}));
    case 3:
        return embed_request::tile(
            {seed::lobby_screens_workspace, seed::lobby_overview_dashboard, seed::welcome_tile},
            view_for({}));
    default:
        break;
    }
    const std::string store = "store-" + std::to_string(k / 2);
    if (k % 2 == 0)
        return embed_request::report({seed::sales_floor_workspace, seed::sales_leaderboard_report},
                                     view_for(store));
    pbi::powerbi::generate_token_v2_request v2;
    v2.reports.push_back({seed::regional_targets_report, false});
    v2.datasets.push_back(seed::sales_dataset);
    v2.identities.push_back({store, {}, {seed::sales_dataset}, std::nullopt});
    v2.lifetime_in_minutes = embed_minutes;
    return embed_request::v2(v2);
}

/// A screen: holds the last token pushed to it, and notes a renewal that came too late.
struct screen {
    token_handle held;
    int renewals = 0;
    int late = 0;
};

asio::awaitable<void> stream_screen(manual_cache::token_stream& stream, screen& s,
                                    std::function<std::chrono::system_clock::time_point()> now) {
    while (auto token = co_await stream.next()) {
        if (s.held && s.held->expiration <= now())
            ++s.late;
        if (s.held)
            ++s.renewals;
        s.held = std::move(token);
    }
}

} // namespace

TEST_CASE("embed tokens of 200 screens stay valid across 5 Entra-token lifetimes with one GenerateToken per "
          "key per renewal",
          "[embed_cache]") {
    manual_stack s;
    constexpr int keys = 50, screen_count = 200, streamed = 50;
    constexpr auto entra_lifetime = 60min, simulated = 5 * entra_lifetime, step = 1min;
    std::vector<screen> screens(screen_count);
    std::vector<manual_cache::subscription> subscriptions;
    std::vector<manual_cache::token_stream> streams;
    auto now = [&s] {
        return s.emulator_now();
    };
    for (int i = 0; i < screen_count - streamed; ++i) {
        auto& sc = screens[i];
        subscriptions.push_back(s.cache.subscribe(request_for_key(i % keys), [&sc, now](token_handle t) {
            if (sc.held && sc.held->expiration <= now())
                ++sc.late;
            if (sc.held)
                ++sc.renewals;
            sc.held = std::move(t);
        }));
    }
    streams.reserve(streamed);
    for (int i = screen_count - streamed; i < screen_count; ++i) {
        streams.push_back(s.cache.watch(request_for_key(i % keys)));
        asio::co_spawn(s.io, stream_screen(streams.back(), screens[i], now), asio::detached);
    }
    s.settle();

    int observations = 0, expired_held = 0, empty_screens = 0;
    auto observe = [&] {
        ++observations;
        for (auto& sc : screens) {
            if (!sc.held)
                ++empty_screens;
            else if (sc.held->expiration <= s.emulator_now())
                ++expired_held;
        }
    };
    observe();
    CHECK(s.generate_token_requests() == keys); // 200 screens, 50 keys: one mint each
    for (auto t = step; t <= simulated; t += step) {
        s.advance(step);
        observe();
    }

    // Renewed every lifetime / 2 = 10 minutes (no jitter): at 10, 20, ... 300 minutes.
    const int renewals = static_cast<int>(simulated / (std::chrono::minutes(embed_minutes) / 2));
    CHECK(observations == 301);
    CHECK(empty_screens == 0);
    CHECK(expired_held == 0);
    CHECK(s.generate_token_requests() == static_cast<std::size_t>(keys * (1 + renewals)));
    int late = 0, min_renewals = renewals, max_renewals = 0;
    std::set<std::string> distinct;
    for (auto& sc : screens) {
        late += sc.late;
        min_renewals = std::min(min_renewals, sc.renewals);
        max_renewals = std::max(max_renewals, sc.renewals);
        distinct.insert(sc.held->token_id);
    }
    CHECK(late == 0);
    CHECK(min_renewals == renewals); // every screen saw every renewal of its key
    CHECK(max_renewals == renewals);
    CHECK(distinct.size() == static_cast<std::size_t>(keys));
    // One Entra token per (60 − 20) minutes at most: each mint needs 20 minutes of it left.
    CHECK(s.emu.request_count("token") <= 1 + static_cast<std::size_t>(simulated / (entra_lifetime - 20min)));
    CHECK(s.cache.size() == static_cast<std::size_t>(keys));
    CHECK(s.cache.evictions() == 0);
    subscriptions.clear();
    streams.clear();
    s.flush(); // the streams' coroutines end
}

TEST_CASE("a subscriber gets each renewal; a slow stream reader gets only the newest token",
          "[embed_cache]") {
    manual_stack s;
    const auto request = request_for_key(0);
    std::vector<token_handle> pushed;
    auto sub = s.cache.subscribe(request, [&](token_handle t) { pushed.push_back(std::move(t)); });
    auto stream = s.cache.watch(request);
    s.settle();
    REQUIRE(pushed.size() == 1);
    auto first = s.run(stream.next());
    CHECK(first == pushed[0]);

    // Three renewals pass while the stream's reader does not ask.
    for (int i = 0; i < 30; ++i)
        s.advance(1min);
    REQUIRE(pushed.size() == 4);
    CHECK(std::set<std::string>{pushed[0]->token_id, pushed[1]->token_id, pushed[2]->token_id,
                                pushed[3]->token_id}
              .size() == 4);
    auto newest = s.run(stream.next());
    CHECK(newest == pushed.back()); // the intermediate tokens were skipped
    CHECK(newest == s.cache.try_get(request));

    // The next next() waits for the next renewal.
    token_handle after;
    bool done = false;
    auto wait_next = [&]() -> asio::awaitable<void> {
        after = co_await stream.next();
        done = true;
    };
    asio::co_spawn(s.io, wait_next(), asio::detached);
    s.flush();
    CHECK_FALSE(done);
    for (int i = 0; i < 10; ++i)
        s.advance(1min);
    REQUIRE(s.run_until([&] { return done; }));
    CHECK(after == pushed.back());
    CHECK(pushed.size() == 5);
    CHECK(s.generate_token_requests() == 5);

    // Ending the stream completes a pending next() with nullptr.
    done = false;
    asio::co_spawn(s.io, wait_next(), asio::detached);
    s.flush();
    stream.cancel();
    REQUIRE(s.run_until([&] { return done; }));
    CHECK(after == nullptr);
}

TEST_CASE("a stream's async_next completes through its handler and can be cancelled alone", "[embed_cache]") {
    manual_stack s;
    auto stream = s.cache.watch(request_for_key(0));
    s.settle();
    std::optional<std::pair<std::error_code, token_handle>> first;
    stream.async_next([&](std::error_code ec, token_handle t) { first.emplace(ec, std::move(t)); });
    REQUIRE(s.run_until([&] { return first.has_value(); }));
    CHECK_FALSE(first->first);
    CHECK(first->second == s.cache.try_get(request_for_key(0)));

    asio::cancellation_signal signal;
    std::optional<std::error_code> cancelled;
    stream.async_next(asio::bind_cancellation_slot(
        signal.slot(), [&](std::error_code ec, token_handle) { cancelled = ec; }));
    s.flush();
    CHECK_FALSE(cancelled);
    signal.emit(asio::cancellation_type::terminal);
    REQUIRE(s.run_until([&] { return cancelled.has_value(); }));
    CHECK(*cancelled == asio::error::operation_aborted);

    for (int i = 0; i < 10; ++i) // the stream goes on
        s.advance(1min);
    auto renewed = s.run(stream.next());
    REQUIRE(renewed != nullptr);
    CHECK(renewed->token_id != first->second->token_id);

    auto moved = std::move(stream); // a moved-from stream has ended
    std::optional<std::error_code> ended;
    stream.async_next(asio::bind_executor(s.io, [&](std::error_code ec, token_handle) { ended = ec; }));
    REQUIRE(s.run_until([&] { return ended.has_value(); }));
    CHECK(*ended == asio::error::operation_aborted);
    CHECK(moved.active());
}

TEST_CASE("a slow subscriber callback delays neither the cache nor other screens and gets the newest token",
          "[embed_cache][concurrency]") {
    manual_stack s;
    asio::io_context slow_io; // the slow screen's callbacks run on their own thread
    auto work = asio::make_work_guard(slow_io);
    std::thread slow_thread([&] { slow_io.run(); });

    const auto request = request_for_key(1);
    std::atomic<bool> release{false};
    std::atomic<int> slow_calls{0};
    std::mutex m;
    std::vector<token_handle> slow_got;
    auto slow = s.cache.subscribe(request, slow_io.get_executor(), [&](token_handle t) {
        {
            std::lock_guard lock(m);
            slow_got.push_back(std::move(t));
        }
        if (++slow_calls == 1) // the first call does not return for a while
            while (!release)
                std::this_thread::sleep_for(1ms);
    });
    std::vector<token_handle> fast_same_key, fast_other_key;
    auto fast1 = s.cache.subscribe(request, [&](token_handle t) { fast_same_key.push_back(std::move(t)); });
    auto fast2 = s.cache.subscribe(request_for_key(2), [&](token_handle t) { fast_other_key.push_back(t); });
    s.settle();
    REQUIRE(s.run_until([&] { return slow_calls.load() == 1; }));

    for (int i = 0; i < 30; ++i) // three renewals while the slow callback is stuck in its first call
        s.advance(1min);
    CHECK(fast_same_key.size() == 4);
    CHECK(fast_other_key.size() == 4);
    CHECK(s.generate_token_requests() == 8);
    CHECK(slow_calls.load() == 1);

    release = true;
    REQUIRE(s.run_until([&] { return slow_calls.load() == 2; }));
    slow.cancel(); // returns once no call runs; none starts after it
    const int calls = slow_calls.load();
    work.reset();
    slow_io.stop();
    slow_thread.join();
    CHECK(calls == 2);
    std::lock_guard lock(m);
    REQUIRE(slow_got.size() == 2);
    CHECK(slow_got[0] == fast_same_key[0]);
    CHECK(slow_got[1] == fast_same_key.back()); // only the newest, not the two in between
}

TEST_CASE("a key nobody used for two lifetimes is evicted, a subscribed one never; asking again mints again",
          "[embed_cache]") {
    manual_stack s;
    const auto read_once = request_for_key(0);  // "generate_token"
    const auto subscribed = request_for_key(2); // "dashboard_generate_token"
    auto first = s.run(s.cache.async_get(read_once));
    std::vector<token_handle> pushed;
    auto sub = s.cache.subscribe(subscribed, [&](token_handle t) { pushed.push_back(std::move(t)); });
    s.settle();
    CHECK(s.cache.size() == 2);

    // Renewals at 10, 20 and 30 minutes still happen (idle for less than 2 × 20 minutes) ...
    for (int i = 0; i < 39; ++i)
        s.advance(1min);
    CHECK(s.emu.request_count("generate_token") == 4);
    CHECK(s.cache.size() == 2);
    // ... the one due at 40 minutes does not: the key goes.
    s.advance(1min);
    CHECK(s.emu.request_count("generate_token") == 4);
    CHECK(s.cache.size() == 1);
    CHECK(s.cache.evictions() == 1);
    CHECK(s.cache.try_get(read_once) == nullptr);
    for (int i = 0; i < 40; ++i)
        s.advance(1min);
    CHECK(s.emu.request_count("generate_token") == 4); // no GenerateToken for an evicted key

    // The subscribed key was renewed all along (every 10 minutes for 80 minutes).
    CHECK(s.emu.request_count("dashboard_generate_token") == 9);
    CHECK(pushed.size() == 9);
    CHECK(s.cache.size() == 1);

    // Asking again mints again.
    auto again = s.run(s.cache.async_get(read_once));
    CHECK(again->token_id != first->token_id);
    CHECK(s.emu.request_count("generate_token") == 5);
    CHECK(s.cache.size() == 2);

    // Unsubscribed, the dashboard key is evicted two lifetimes later (renewals at +10, +20, +30).
    sub.cancel();
    for (int i = 0; i < 40; ++i)
        s.advance(1min);
    CHECK(s.emu.request_count("dashboard_generate_token") == 12);
    CHECK(s.emu.request_count("generate_token") == 8);
    CHECK(s.cache.evictions() == 3); // the report key (read at 80 minutes) went too
    CHECK(s.cache.size() == 0);
}

TEST_CASE("a reader that keeps reading keeps its key; destroying the cache ends subscriptions and streams",
          "[embed_cache]") {
    manual_stack s;
    const auto request = request_for_key(3); // "tile_generate_token"
    auto first = s.run(s.cache.async_get(request));
    for (int i = 0; i < 90; ++i) {
        s.advance(1min);
        CHECK(s.cache.try_get(request) != nullptr); // a screen polling try_get() is a reader
    }
    CHECK(s.cache.size() == 1);
    CHECK(s.emu.request_count("tile_generate_token") == 10);

    std::optional<manual_cache> other(std::in_place, s.powerbi, s.tokens, cache_options());
    auto stream = other->watch(request);
    int pushed = 0;
    auto sub = other->subscribe(request, [&](token_handle) { ++pushed; });
    REQUIRE(s.run_until([&] { return pushed == 1; })); // settle() counts s.cache's fetches only
    CHECK(s.emu.request_count("tile_generate_token") == 11);
    REQUIRE(s.run(stream.next()) != nullptr);
    other.reset(); // the subscription and the stream outlive the cache
    CHECK(s.run(stream.next()) == nullptr);
    sub.cancel();
    s.flush();
    CHECK(pushed == 1);
}

TEST_CASE("after an outage longer than a token's life, subscribers get a token again with nobody asking",
          "[embed_cache]") {
    manual_stack s;
    const auto request = request_for_key(0); // "generate_token"
    std::vector<token_handle> pushed;
    auto sub = s.cache.subscribe(request, [&](token_handle t) { pushed.push_back(std::move(t)); });
    s.settle();
    REQUIRE(pushed.size() == 1);

    pbi::testing::fault down;
    down.status = 503;
    down.body = R"({"error":{"code":"ServiceUnavailable"}})";
    s.emu.inject_fault("generate_token", down, 1000);
    for (int i = 0; i < 40; ++i) // renewals fail from 10 minutes on; the token expired at 20
        s.advance(1min);
    CHECK(pushed.size() == 1);
    CHECK(s.cache.try_get(request) == nullptr);
    const auto attempts = s.emu.request_count("generate_token");
    CHECK(attempts > 5);   // the cache kept trying ...
    CHECK(attempts <= 20); // ... backing off, not once a minute

    s.emu.clear_faults();
    for (int i = 0; i < 11 && pushed.size() == 1; ++i) // the back-off is at most 10 minutes
        s.advance(1min);
    REQUIRE(pushed.size() == 2);
    CHECK(pushed[1]->expiration > s.emulator_now());
    for (int i = 0; i < 10; ++i)
        s.advance(1min);
    CHECK(pushed.size() == 3); // and renewals go on
}
