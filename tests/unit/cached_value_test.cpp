// refresh::cached_value: single-flight fetches, refresh ahead of expiry, back-off, stops after
// permanent failures, invalidation, cancellation — on a manual clock with a scripted fetch.
#include <pbi/refresh/cached_value.hpp>
#include <pbi/testing/manual_clock.hpp>

#include <catch2/catch.hpp>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include <deque>
#include <set>
#include <thread>

using namespace std::chrono_literals;
using clock_type = pbi::testing::manual_clock;
using cache_type = pbi::refresh::cached_value<std::string, clock_type>;
using pbi::refresh::fetch_result;

namespace {

/// One scripted answer of the fake fetch.
struct step {
    std::error_code ec;
    std::optional<std::chrono::seconds> retry_after;
    bool stop_automatic = false;
    pbi::refresh::duration lifetime = 60min;
    bool fail_waiters_now = false;
};

/// A fetch function whose answers tests script; counts its calls; can be held open.
struct fake_fetch {
    explicit fake_fetch(asio::any_io_executor ex) : gate(ex) {
        gate.expires_at(asio::steady_timer::time_point::max());
    }

    int calls = 0;
    std::deque<step> script; // empty: succeed with "v<calls>", 60 min
    bool held = false;
    asio::steady_timer gate;

    void release() {
        held = false;
        gate.cancel();
    }

    cache_type::fetch_function function() {
        return [this](pbi::diagnostics& d) -> asio::awaitable<fetch_result<std::string>> {
            const int n = ++calls;
            while (held)
                co_await gate.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
            step s;
            if (!script.empty()) {
                s = script.front();
                script.pop_front();
            }
            fetch_result<std::string> r;
            r.ec = s.ec;
            r.stop_automatic = s.stop_automatic;
            r.fail_waiters_now = s.fail_waiters_now;
            if (s.retry_after)
                d.retry_after = s.retry_after;
            if (!s.ec) {
                r.value = "v" + std::to_string(n);
                r.lifetime = s.lifetime;
            } else {
                d.message = "scripted failure";
            }
            co_return r;
        };
    }
};

step failure(pbi::errc e, std::optional<std::chrono::seconds> retry_after = std::nullopt, bool stop = false) {
    return step{make_error_code(e), retry_after, stop};
}

step success_for(pbi::refresh::duration lifetime) {
    step s;
    s.lifetime = lifetime;
    return s;
}

pbi::refresh::cache_options no_jitter() {
    pbi::refresh::cache_options o;
    o.random = [] {
        return 0.0;
    };
    return o;
}

void run_a_little(asio::io_context& io, std::chrono::milliseconds d = 20ms) {
    io.restart();
    io.run_for(d);
}

/// Runs the loop until `done()` holds or 30 s of wall time pass: for work whose wall time
/// depends on the machine (10 000 completions under ThreadSanitizer on a busy CI runner).
template <class Predicate>
void run_until(asio::io_context& io, Predicate done) {
    const auto give_up = std::chrono::steady_clock::now() + 30s;
    while (!done() && std::chrono::steady_clock::now() < give_up)
        run_a_little(io);
}

/// Moves the manual clock and lets the timers that became due fire.
void advance_clock(asio::io_context& io, clock_type::duration d) {
    clock_type::advance(d);
    run_a_little(io);
}

struct outcome {
    std::error_code ec;
    std::shared_ptr<const std::string> value;
    pbi::diagnostics diag;
    bool done = false;
};

/// Starts an async_get whose result lands in `out` (a stable address owned by the test).
void start_get(cache_type& c, outcome& out, pbi::refresh::get_options o = {}) {
    c.async_get(o, out.diag, [&out](std::error_code ec, std::shared_ptr<const std::string> v) {
        out.ec = ec;
        out.value = std::move(v);
        out.done = true;
    });
}

outcome get_now(asio::io_context& io, cache_type& c, pbi::refresh::get_options o = {}) {
    outcome out;
    start_get(c, out, o);
    run_a_little(io);
    return out;
}

} // namespace

TEST_CASE("a cold cache sends one fetch for 10 000 waiters and all get the same value") {
    asio::io_context io;
    fake_fetch f(io.get_executor());
    f.held = true;
    cache_type c(io.get_executor(), f.function(), no_jitter());
    std::vector<outcome> outs(10'000);
    for (auto& o : outs)
        start_get(c, o);
    run_a_little(io);
    CHECK(f.calls == 1);
    CHECK(std::none_of(outs.begin(), outs.end(), [](auto& o) { return o.done; }));
    f.release();
    run_until(io, [&] { return std::all_of(outs.begin(), outs.end(), [](auto& o) { return o.done; }); });
    CHECK(f.calls == 1);
    CHECK(std::all_of(outs.begin(), outs.end(), [](auto& o) { return o.done && !o.ec && *o.value == "v1"; }));
    CHECK(c.counters().waits == 10'000);
}

TEST_CASE("a valid value is read by try_get without I/O, and try_get never starts a fetch") {
    asio::io_context io;
    fake_fetch f(io.get_executor());
    cache_type c(io.get_executor(), f.function(), no_jitter());
    CHECK(c.try_get() == nullptr);
    run_a_little(io);
    CHECK(f.calls == 0); // try_get on an empty cache does not fetch

    REQUIRE(get_now(io, c).value);
    for (int i = 0; i < 1000; ++i)
        REQUIRE(c.try_get() != nullptr);
    CHECK(*c.try_get() == "v1");
    advance_clock(io, 54min); // before refresh_at (55 min for a 60-minute value)
    CHECK(*c.try_get() == "v1");
    CHECK(f.calls == 1);
}

TEST_CASE("after refresh_at the old value is served while exactly one refresh runs") {
    asio::io_context io;
    fake_fetch f(io.get_executor());
    cache_type c(io.get_executor(), f.function(), no_jitter());
    REQUIRE(get_now(io, c).value);
    f.held = true;
    advance_clock(io, 56min); // past refresh_at, before the deadline (59 min)
    CHECK(f.calls == 2);
    std::vector<outcome> outs(100);
    for (auto& o : outs)
        start_get(c, o);
    run_a_little(io);
    CHECK(std::all_of(outs.begin(), outs.end(), [](auto& o) { return o.done && *o.value == "v1"; }));
    CHECK(*c.try_get() == "v1");
    CHECK(f.calls == 2);
    f.release();
    run_a_little(io);
    CHECK(*c.try_get() == "v2");
    CHECK(*get_now(io, c).value == "v2");
    CHECK(f.calls == 2);
}

TEST_CASE("the proactive timer refreshes with no caller present") {
    asio::io_context io;
    fake_fetch f(io.get_executor());
    cache_type c(io.get_executor(), f.function(), no_jitter());
    REQUIRE(get_now(io, c).value);
    advance_clock(io, 56min);
    CHECK(f.calls == 2);
    CHECK(*c.try_get() == "v2");
    CHECK(c.counters().refreshes_succeeded == 2);
}

TEST_CASE("a failing refresh keeps serving the old value and obeys back-off and Retry-After") {
    asio::io_context io;
    fake_fetch f(io.get_executor());
    cache_type c(io.get_executor(), f.function(), no_jitter());
    REQUIRE(get_now(io, c).value);
    f.script = {failure(pbi::errc::server_error), failure(pbi::errc::throttled, std::chrono::seconds(120))};

    advance_clock(io, 55min + 1s); // refresh #1 fails: back-off 30 s
    CHECK(f.calls == 2);
    CHECK(*c.try_get() == "v1");
    advance_clock(io, 29s);
    CHECK(f.calls == 2);
    advance_clock(io, 2s); // refresh #2: 429 with Retry-After 120 s (longer than the 60 s back-off)
    CHECK(f.calls == 3);
    CHECK(*c.try_get() == "v1");
    advance_clock(io, 119s);
    CHECK(f.calls == 3);
    CHECK(*get_now(io, c).value == "v1"); // callers never wait while a valid value exists
    advance_clock(io, 2s);                // refresh #3 succeeds
    CHECK(f.calls == 4);
    CHECK(*c.try_get() == "v4");
    CHECK(c.counters().backoffs == 2);
}

TEST_CASE("a cold fetch with waiters retries a transient failure within their deadline") {
    asio::io_context io;
    fake_fetch f(io.get_executor());
    cache_type c(io.get_executor(), f.function(), no_jitter());
    f.script = {failure(pbi::errc::server_error)};
    outcome out;
    start_get(c, out);
    run_a_little(io);
    CHECK(f.calls == 1);
    CHECK_FALSE(out.done);
    advance_clock(io, 1100ms); // the cold retry delay
    CHECK(f.calls == 2);
    REQUIRE(out.done);
    CHECK_FALSE(out.ec);
    CHECK(*out.value == "v2");
}

TEST_CASE("an answer the service does not give fails the cold waiters at once; the next caller retries") {
    asio::io_context io;
    fake_fetch f(io.get_executor());
    cache_type c(io.get_executor(), f.function(), no_jitter());
    auto unreadable = failure(pbi::errc::unexpected_json);
    unreadable.fail_waiters_now = true;
    f.script = {unreadable};
    outcome first, second;
    start_get(c, first);
    start_get(c, second);
    run_a_little(io);
    CHECK(f.calls == 1);
    REQUIRE(first.done); // not after retrying towards the 30 s deadline
    REQUIRE(second.done);
    CHECK(first.ec == pbi::errc::unexpected_json);
    CHECK(second.ec == pbi::errc::unexpected_json);
    advance_clock(io, 10s); // no caller waits: no attempt runs by itself
    CHECK(f.calls == 1);
    auto third = get_now(io, c); // past the back-off: a new attempt, which succeeds
    CHECK(f.calls == 2);
    CHECK_FALSE(third.ec);
}

TEST_CASE("a waiter whose deadline passes gets a timeout, not an endless wait") {
    asio::io_context io;
    fake_fetch f(io.get_executor());
    f.held = true;
    cache_type c(io.get_executor(), f.function(), no_jitter());
    outcome out;
    start_get(c, out, {pbi::refresh::duration::zero(), 5s});
    advance_clock(io, 6s);
    REQUIRE(out.done);
    CHECK(out.ec == pbi::errc::timeout);
    CHECK_FALSE(out.diag.message.empty());
    f.release();
    run_a_little(io);
    CHECK(*c.try_get() == "v1"); // the shared fetch went on
}

TEST_CASE("a waiter whose deadline passes during a retry is told why the attempt before it failed") {
    asio::io_context io;
    fake_fetch f(io.get_executor());
    f.script.push_back(failure(pbi::errc::timeout)); // "scripted failure"
    auto options = no_jitter();
    options.value_name = "access token";
    cache_type c(io.get_executor(), f.function(), options);
    outcome out;
    start_get(c, out, {pbi::refresh::duration::zero(), 30s});
    run_a_little(io);
    REQUIRE(f.calls == 1);
    CHECK_FALSE(out.done); // the retry is due before the caller's deadline
    f.held = true;
    advance_clock(io, 5s); // the retry starts and hangs
    REQUIRE(f.calls == 2);
    advance_clock(io, 26s);
    REQUIRE(out.done);
    CHECK(out.ec == pbi::errc::timeout);
    CHECK(out.diag.message.find("the request for a new access token was still running when the caller's "
                                "deadline passed") != std::string::npos);
    CHECK(out.diag.message.find("the attempt before it failed: scripted failure") != std::string::npos);
    f.release();
}

TEST_CASE("past the deadline with the endpoint failing, callers get the error until the back-off ends") {
    asio::io_context io;
    fake_fetch f(io.get_executor());
    cache_type c(io.get_executor(), f.function(), no_jitter());
    REQUIRE(get_now(io, c).value);
    for (int i = 0; i < 10; ++i)
        f.script.push_back(failure(pbi::errc::server_error));
    advance_clock(io, 55min + 1s); // fails, next attempt in 30 s
    advance_clock(io, 31s);        // fails, next attempt in 60 s
    CHECK(f.calls == 3);
    advance_clock(io, 4min); // past the 59-minute deadline; the retry due at 56:32 failed too
    const int calls = f.calls;
    CHECK(c.try_get() == nullptr);
    auto o = get_now(io, c, {pbi::refresh::duration::zero(), 1s}); // shorter than the back-off
    REQUIRE(o.done);
    CHECK(o.ec == pbi::errc::server_error);
    CHECK(o.diag.message == "scripted failure");
    CHECK(f.calls == calls);  // failing fast sent nothing
    advance_clock(io, 10min); // the back-off is over: a caller starts one new attempt
    auto later = get_now(io, c, {pbi::refresh::duration::zero(), 1s});
    CHECK(f.calls == calls + 1);
    CHECK(later.ec == pbi::errc::server_error);
}

TEST_CASE("a permanent failure stops automatic attempts: a simulated hour of callers sends a handful") {
    asio::io_context io;
    fake_fetch f(io.get_executor());
    cache_type c(io.get_executor(), f.function(), no_jitter());
    for (int i = 0; i < 100; ++i)
        f.script.push_back(failure(pbi::errc::invalid_credentials, std::nullopt, true));
    int errors = 0;
    for (int second = 0; second < 3600; ++second) {
        outcome out;
        start_get(c, out);
        io.restart();
        io.poll();
        io.run_for(1ms);
        clock_type::advance(1s);
        if (out.done && out.ec == pbi::errc::invalid_credentials)
            ++errors;
    }
    // Quiet periods of 5, 10, 20, 40 min: attempts at 0, 5, 15 and 35 minutes.
    CHECK(f.calls <= 5);
    CHECK(f.calls >= 3);
    CHECK(errors >= 3500);

    f.script.clear();
    c.reset(); // the credential was fixed
    auto o = get_now(io, c);
    CHECK_FALSE(o.ec);
    CHECK(*o.value == "v" + std::to_string(f.calls));
}

TEST_CASE("asking for a minimum remaining lifetime waits for one single-flight refresh") {
    asio::io_context io;
    fake_fetch f(io.get_executor());
    cache_type c(io.get_executor(), f.function(), no_jitter());
    REQUIRE(get_now(io, c).value);
    advance_clock(io, 45min); // 15 minutes left, refresh_at not reached
    CHECK(*get_now(io, c, {10min}).value == "v1");
    CHECK(f.calls == 1);
    std::vector<outcome> outs(100);
    for (auto& o : outs)
        start_get(c, o, {20min});
    run_a_little(io);
    CHECK(f.calls == 2);
    CHECK(std::all_of(outs.begin(), outs.end(), [](auto& o) { return o.done && *o.value == "v2"; }));
}

TEST_CASE("200 concurrent invalidations of the same value cause one refresh") {
    asio::io_context io;
    fake_fetch f(io.get_executor());
    cache_type c(io.get_executor(), f.function(), no_jitter());
    REQUIRE(get_now(io, c).value);
    const std::string* seen = c.try_get();
    std::vector<outcome> outs(200);
    for (auto& o : outs) {
        c.invalidate(seen);
        start_get(c, o);
    }
    run_a_little(io);
    CHECK(c.counters().invalidations == 1);
    CHECK(f.calls == 2);
    CHECK(std::all_of(outs.begin(), outs.end(), [](auto& o) { return o.done && *o.value == "v2"; }));
}

TEST_CASE("a cancelled waiter leaves at once and the shared fetch goes on for the others") {
    asio::io_context io;
    fake_fetch f(io.get_executor());
    f.held = true;
    cache_type c(io.get_executor(), f.function(), no_jitter());
    asio::cancellation_signal cancel;
    outcome leaving, staying;
    pbi::diagnostics d;
    c.async_get({}, d, asio::bind_cancellation_slot(cancel.slot(), [&](std::error_code ec, auto v) {
                    leaving.ec = ec;
                    leaving.value = v;
                    leaving.done = true;
                }));
    start_get(c, staying);
    run_a_little(io);
    cancel.emit(asio::cancellation_type::terminal);
    run_a_little(io);
    REQUIRE(leaving.done);
    CHECK(leaving.ec == asio::error::operation_aborted);
    CHECK_FALSE(staying.done);
    f.release();
    run_a_little(io);
    REQUIRE(staying.done);
    CHECK(*staying.value == "v1");
    CHECK(f.calls == 1);
}

TEST_CASE("shutdown completes every waiter with operation_aborted and refuses new calls") {
    asio::io_context io;
    fake_fetch f(io.get_executor());
    f.held = true;
    cache_type c(io.get_executor(), f.function(), no_jitter());
    std::vector<outcome> outs(50);
    for (auto& o : outs)
        start_get(c, o);
    run_a_little(io);
    c.shutdown();
    run_a_little(io);
    CHECK(std::all_of(outs.begin(), outs.end(),
                      [](auto& o) { return o.done && o.ec == asio::error::operation_aborted; }));
    CHECK(get_now(io, c).ec == asio::error::operation_aborted);
    f.release();
    run_a_little(io);
    CHECK(c.try_get() == nullptr);
}

TEST_CASE("destroying a cache with waiters and armed timers completes the waiters and leaks nothing") {
    asio::io_context io;
    fake_fetch f(io.get_executor());
    std::vector<outcome> outs(10);
    {
        cache_type warm(io.get_executor(), f.function(), no_jitter());
        REQUIRE(get_now(io, warm).value); // refresh and stale timers armed
    }
    {
        f.held = true;
        cache_type cold(io.get_executor(), f.function(), no_jitter());
        for (auto& o : outs)
            start_get(cold, o);
        run_a_little(io);
    }
    run_a_little(io);
    CHECK(std::all_of(outs.begin(), outs.end(),
                      [](auto& o) { return o.done && o.ec == asio::error::operation_aborted; }));
    f.release();
    run_a_little(io);
}

TEST_CASE("a new cache at a reused address never sees an old cache's value") {
    asio::io_context io;
    fake_fetch f(io.get_executor());
    std::set<std::uint64_t> ids;
    for (int i = 0; i < 50; ++i) {
        auto c = std::make_unique<cache_type>(io.get_executor(), f.function(), no_jitter());
        CHECK(ids.insert(c->id()).second);
        CHECK(c->try_get() == nullptr); // even when the allocator hands out the previous address
        auto got = get_now(io, *c);
        REQUIRE(got.value);
        CHECK(*c->try_get() == *got.value);
        CHECK(*c->try_get() == "v" + std::to_string(i + 1));
    }
}

TEST_CASE("a value living 4 minutes is fetched once per half-life, not on every call") {
    asio::io_context io;
    fake_fetch f(io.get_executor());
    for (int i = 0; i < 10; ++i)
        f.script.push_back(success_for(4min));
    cache_type c(io.get_executor(), f.function(), no_jitter());
    REQUIRE(get_now(io, c).value);
    for (int s = 0; s < 110; ++s) { // 110 s of calls every second
        CHECK(get_now(io, c).value);
        clock_type::advance(1s);
    }
    CHECK(f.calls == 1);
    advance_clock(io, 15s); // past 2 minutes: one proactive refresh
    CHECK(f.calls == 2);
}

TEST_CASE("a clock that jumps forward past the deadline makes the value stale, then one fetch") {
    asio::io_context io;
    fake_fetch f(io.get_executor());
    cache_type c(io.get_executor(), f.function(), no_jitter());
    REQUIRE(get_now(io, c).value);
    f.held = true; // the proactive refresh triggered by the jump stays in flight
    advance_clock(io, 5h);
    CHECK(c.try_get() == nullptr);
    CHECK(f.calls == 2);
    f.release();
    run_a_little(io);
    REQUIRE(c.try_get() != nullptr);
    CHECK(*c.try_get() == "v2");
}

TEST_CASE("a clock that jumps backward keeps serving the value") {
    asio::io_context io;
    fake_fetch f(io.get_executor());
    cache_type c(io.get_executor(), f.function(), no_jitter());
    REQUIRE(get_now(io, c).value);
    clock_type::set(clock_type::now() - 2h);
    run_a_little(io);
    CHECK(*c.try_get() == "v1");
    CHECK(*get_now(io, c).value == "v1");
    CHECK(f.calls == 1);
    clock_type::set(clock_type::now() + 2h);
}

TEST_CASE("events report refreshes and back-offs without values", "[events]") {
    asio::io_context io;
    fake_fetch f(io.get_executor());
    auto o = no_jitter();
    std::vector<pbi::refresh::cache_event> events;
    o.on_event = [&](const pbi::refresh::cache_event& e) {
        events.push_back(e);
    };
    cache_type c(io.get_executor(), f.function(), o);
    REQUIRE(get_now(io, c).value);
    f.script = {failure(pbi::errc::server_error)};
    advance_clock(io, 55min + 1s);
    using k = pbi::refresh::cache_event_kind;
    std::vector<k> kinds;
    for (auto& e : events)
        kinds.push_back(e.kind);
    CHECK(kinds ==
          std::vector<k>{k::refresh_started, k::refresh_succeeded, k::refresh_started, k::refresh_failed});
    CHECK(events.back().delay == 30s);
}

TEST_CASE("waiters on two threads share one fetch", "[concurrency]") {
    asio::io_context io(2);
    fake_fetch f(io.get_executor());
    cache_type c(io.get_executor(), f.function(), no_jitter());
    constexpr int n = 10'000;
    std::atomic<int> ok{0}, done{0};
    auto waiter = [&]() -> asio::awaitable<void> {
        pbi::diagnostics d;
        auto [ec, v] = co_await c.async_get({}, d, asio::experimental::as_tuple(asio::use_awaitable));
        if (!ec && v && *v == "v1")
            ++ok;
        if (++done == n)
            io.stop();
    };
    for (int i = 0; i < n; ++i)
        asio::co_spawn(io, waiter(), asio::detached);
    std::thread other([&] { io.run_for(10s); });
    io.run_for(10s);
    other.join();
    CHECK(done == n);
    CHECK(ok == n);
    CHECK(f.calls == 1);
}

TEST_CASE("try_get on two threads sees the same value and then the refreshed one", "[concurrency]") {
    asio::io_context io;
    fake_fetch f(io.get_executor());
    cache_type c(io.get_executor(), f.function(), no_jitter());
    REQUIRE(get_now(io, c).value);
    std::atomic<bool> stop{false};
    std::atomic<long> reads{0}, wrong{0};
    auto reader = [&] {
        while (!stop) {
            auto h = c.try_get_shared();
            if (!h || (*h != "v1" && *h != "v2"))
                ++wrong;
            ++reads;
        }
    };
    std::thread a(reader), b(reader);
    advance_clock(io, 56min); // refresh while both threads read
    while (reads < 100'000)
        std::this_thread::yield();
    stop = true;
    a.join();
    b.join();
    CHECK(wrong == 0);
    CHECK(*c.try_get() == "v2");
}
