// pbi-async — scenario benchmarks that span an io_context (benchmarks/README.md):
//   1. stampede: N coroutines await a cold token from the emulator (50 ms latency), against a
//      naive cache without single-flight (each miss fetches, as MSAL Python behaves);
//   2. refresh boundary: readers hammer try_get() across a background refresh;
//   3. many tokens: 10 000 cached values with proactive timers (memory, scheduler cost);
//   4. end to end: `list reports` through the keep-alive pool versus a new TLS connection per
//      request.
// Every figure is compared with a baseline measured in the same run. Exit status 1 when an
// invariant breaks (more than one token request, a waiter not resumed, a read finding no value
// during a refresh, a failed request), so the CI smoke run (--smoke) checks behaviour too.
//
//   pbi_bench_scenarios [--smoke]
#include <pbi/pbi.hpp>
#include <pbi/testing/emulator.hpp>
#include <pbi/testing/manual_clock.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>

#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

bool smoke = false;
int failures = 0;

void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "pbi_bench_scenarios: FAILED: %s\n", what);
        ++failures;
    }
}

double ms_since(steady::time_point t0, steady::time_point t1) {
    return std::chrono::duration<double, std::milli>(t1 - t0).count();
}

/// Bytes the main arena (and mmap) has handed out; the harness allocates on the main thread.
long long heap_in_use() {
    const auto m = mallinfo2();
    return static_cast<long long>(m.uordblks + m.hblkhd);
}

double process_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

pbi::http::client_options http_options(const pbi::testing::emulator& e) {
    pbi::http::client_options o;
    o.tls.extra_ca_pem.push_back(e.ca_pem());
    return o;
}

pbi::entra::token_source_options token_options(const pbi::testing::emulator& e) {
    pbi::entra::token_source_options o;
    o.authority_origin = e.origin();
    return o;
}

pbi::entra::ropc_credential ropc_for(const pbi::testing::emulator& emu) {
    pbi::entra::ropc_credential c;
    c.tenant_id = emu.options().tenant_id;
    c.client_id = emu.options().client_id;
    c.client_secret = pbi::secret(emu.options().client_secret);
    c.username = emu.options().users.at(0).username;
    c.password = pbi::secret(emu.options().users.at(0).password);
    return c;
}

/// Runs one coroutine on `io` (this thread) until it finishes, then stops the io_context (the
/// token source's refresh timers would keep it busy forever). Rethrows its exception.
void run_to_end(asio::io_context& io, asio::awaitable<void> a) {
    std::exception_ptr error;
    bool finished = false;
    auto done = [&](std::exception_ptr e) {
        error = e;
        finished = true;
        io.stop();
    };
    asio::co_spawn(io, std::move(a), done);
    io.restart();
    io.run_for(120s);
    if (error)
        std::rethrow_exception(error);
    check(finished, "a coroutine did not finish within 120 s");
}

/// One GET to a route that is not a token request, so the pool holds a TLS connection already.
asio::awaitable<void> warm_connection(pbi::http::client* http, std::string origin) {
    std::error_code ec;
    const auto u = pbi::http::url::parse(origin, ec);
    pbi::http::request req;
    req.target = "/warm-up";
    pbi::call_options o;
    pbi::diagnostics d;
    auto a = http->send(u, std::move(req), o, d);
    auto r = co_await std::move(a);
    check(!r.ec, "warm-up request");
}

// ============================================================================================
// 1. stampede
// ============================================================================================

struct stampede_state {
    int n = 0;
    int entered = 0, done = 0, ok = 0;
    long long heap_waiting = 0;
    std::uint64_t waits_when_measured = 0;
    steady::time_point t_end{};
    asio::io_context* io = nullptr;
};

asio::awaitable<void> single_flight_waiter(pbi::entra::token_source* src, stampede_state* s) {
    if (++s->entered == s->n) {
        // Runs after this coroutine has suspended in async_get: every waiter is registered.
        auto measure = [s, src] {
            s->heap_waiting = heap_in_use();
            s->waits_when_measured = src->counters().cache.waits;
        };
        asio::post(*s->io, measure);
    }
    try {
        auto a = src->async_get();
        auto h = co_await std::move(a);
        if (h)
            ++s->ok;
    } catch (const std::exception&) {
    }
    if (++s->done == s->n) {
        s->t_end = steady::now();
        s->io->stop();
    }
}

/// The baseline for memory: the same coroutines parked on a timer (what a waiting coroutine
/// costs the application anyway).
asio::awaitable<void> parked_waiter(asio::steady_timer* gate, stampede_state* s) {
    if (++s->entered == s->n) {
        auto measure = [s] {
            s->heap_waiting = heap_in_use();
        };
        asio::post(*s->io, measure);
    }
    auto a = gate->async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    co_await std::move(a);
    if (++s->done == s->n)
        s->io->stop();
}

/// The naive cache: no single flight, every caller that finds it empty fetches.
struct naive_cache {
    std::shared_ptr<const pbi::entra::access_token> value;
};

asio::awaitable<void> naive_waiter(pbi::entra::token_grant* grant, naive_cache* cache, stampede_state* s) {
    ++s->entered;
    if (!cache->value) {
        pbi::diagnostics d;
        auto a = grant->fetch(d);
        auto r = co_await std::move(a);
        if (!r.ec)
            cache->value = std::make_shared<const pbi::entra::access_token>(std::move(r.value));
    }
    if (cache->value)
        ++s->ok;
    if (++s->done == s->n) {
        s->t_end = steady::now();
        s->io->stop();
    }
}

struct stampede_row {
    const char* design;
    int n;
    std::size_t token_requests;
    double total_ms, overhead_ms;
    double bytes_per_waiter = -1, sdk_bytes_per_waiter = -1;
    int ok;
};

constexpr auto stampede_latency = 50ms;

stampede_row stampede_single_flight(int n) {
    pbi::testing::emulator_options eo;
    eo.latency = stampede_latency;
    pbi::testing::emulator emu(eo);
    asio::io_context io(1);
    pbi::http::client http(io.get_executor(), http_options(emu));
    run_to_end(io, warm_connection(&http, emu.origin()));
    pbi::entra::token_source tokens(http, ropc_for(emu), token_options(emu));

    // Baseline memory: n coroutines parked on a timer.
    long long parked_bytes = 0;
    {
        asio::steady_timer gate(io, steady::time_point::max());
        stampede_state p;
        p.n = n;
        p.io = &io;
        const auto h0 = heap_in_use();
        for (int i = 0; i < n; ++i)
            asio::co_spawn(io, parked_waiter(&gate, &p), asio::detached);
        auto release = [&gate] {
            gate.cancel();
        };
        asio::post(io, release); // queued after the measurement that the last waiter posts
        io.restart();
        io.run_for(60s);
        parked_bytes = p.heap_waiting - h0;
    }

    stampede_state s;
    s.n = n;
    s.io = &io;
    const auto before = emu.request_count("token");
    const auto h0 = heap_in_use();
    for (int i = 0; i < n; ++i)
        asio::co_spawn(io, single_flight_waiter(&tokens, &s), asio::detached);
    const auto t0 = steady::now();
    io.restart();
    io.run_for(120s);
    stampede_row r{"single-flight (token_source)", n, emu.request_count("token") - before, 0, 0};
    r.ok = s.ok;
    r.total_ms = ms_since(t0, s.t_end);
    r.overhead_ms = r.total_ms - std::chrono::duration<double, std::milli>(stampede_latency).count();
    if (s.waits_when_measured == static_cast<std::uint64_t>(n)) {
        r.bytes_per_waiter = static_cast<double>(s.heap_waiting - h0) / n;
        r.sdk_bytes_per_waiter = static_cast<double>(s.heap_waiting - h0 - parked_bytes) / n;
    }
    check(s.done == n && s.ok == n, "stampede: every waiter resumes with a token");
    check(r.token_requests == 1, "stampede: exactly one token request");
    tokens.shutdown();
    return r;
}

stampede_row stampede_naive(int n) {
    pbi::testing::emulator_options eo;
    eo.latency = stampede_latency;
    pbi::testing::emulator emu(eo);
    asio::io_context io(1);
    pbi::http::client http(io.get_executor(), http_options(emu));
    run_to_end(io, warm_connection(&http, emu.origin()));
    auto now = [] {
        return steady::now();
    };
    pbi::entra::token_grant grant(http, ropc_for(emu), token_options(emu), now);
    naive_cache cache;
    stampede_state s;
    s.n = n;
    s.io = &io;
    for (int i = 0; i < n; ++i)
        asio::co_spawn(io, naive_waiter(&grant, &cache, &s), asio::detached);
    const auto t0 = steady::now();
    io.restart();
    io.run_for(120s);
    stampede_row r{"naive (each miss fetches)", n, emu.request_count("token"), 0, 0};
    r.ok = s.ok;
    r.total_ms = ms_since(t0, s.t_end);
    r.overhead_ms = r.total_ms - std::chrono::duration<double, std::milli>(stampede_latency).count();
    check(s.done == n, "naive stampede: every caller finishes");
    return r;
}

void run_stampede() {
    const std::vector<int> sizes = smoke ? std::vector<int>{200} : std::vector<int>{1'000, 10'000, 100'000};
    const std::vector<int> naive_sizes = smoke ? std::vector<int>{20} : std::vector<int>{100, 1'000};
    std::vector<stampede_row> rows;
    for (int n : naive_sizes) {
        rows.push_back(stampede_single_flight(n));
        rows.push_back(stampede_naive(n));
    }
    for (int n : sizes)
        if (std::find(naive_sizes.begin(), naive_sizes.end(), n) == naive_sizes.end())
            rows.push_back(stampede_single_flight(n));
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.n < b.n; });

    std::printf("\n## 1. Stampede: N coroutines await a cold token; the emulator answers after %d ms\n\n",
                static_cast<int>(stampede_latency.count()));
    std::printf("| N | design | token requests | last resume − latency (ms) | per waiter (µs) | bytes/waiter "
                "(all) | bytes/waiter (SDK: all − parked coroutine) | requests vs single-flight |\n");
    std::printf("|---:|---|---:|---:|---:|---:|---:|---:|\n");
    for (const auto& r : rows) {
        std::size_t single = 0;
        for (const auto& x : rows)
            if (x.n == r.n && std::strncmp(x.design, "single", 6) == 0)
                single = x.token_requests;
        char bytes[32] = "-", sdk[32] = "-";
        if (r.bytes_per_waiter >= 0) {
            std::snprintf(bytes, sizeof bytes, "%.0f", r.bytes_per_waiter);
            std::snprintf(sdk, sizeof sdk, "%.0f", r.sdk_bytes_per_waiter);
        }
        std::printf("| %d | %s | %zu | %.1f | %.2f | %s | %s | %.0f× |\n", r.n, r.design, r.token_requests,
                    r.overhead_ms, r.overhead_ms * 1000.0 / r.n, bytes, sdk,
                    single ? static_cast<double>(r.token_requests) / single : 0.0);
    }
    std::printf(
        "\n(Times run from the first coroutine's start on one io_context thread; they include starting "
        "the N coroutines and one token round trip over an open TLS connection.)\n");
}

// ============================================================================================
// 2. refresh boundary
// ============================================================================================

/// Latencies: 1 ns buckets below 4096 ns, powers of two above; the maximum exactly.
struct histogram {
    std::array<std::uint64_t, 4096> fine{};
    std::array<std::uint64_t, 64> coarse{};
    std::uint64_t count = 0, max = 0;

    void add(std::uint64_t ns) {
        ++count;
        max = std::max(max, ns);
        if (ns < fine.size())
            ++fine[ns];
        else
            ++coarse[63 - __builtin_clzll(ns)];
    }
    void merge(const histogram& o) {
        for (std::size_t i = 0; i < fine.size(); ++i)
            fine[i] += o.fine[i];
        for (std::size_t i = 0; i < coarse.size(); ++i)
            coarse[i] += o.coarse[i];
        count += o.count;
        max = std::max(max, o.max);
    }
    double percentile(double p) const {
        const auto want = static_cast<std::uint64_t>(p * static_cast<double>(count));
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < fine.size(); ++i)
            if ((seen += fine[i]) > want)
                return static_cast<double>(i);
        for (std::size_t i = 0; i < coarse.size(); ++i)
            if ((seen += coarse[i]) > want)
                return static_cast<double>(std::uint64_t{1} << (i + 1)); // upper bound of the bucket
        return static_cast<double>(max);
    }
};

using manual_cache = pbi::refresh::cached_value<pbi::entra::access_token, pbi::testing::manual_clock>;

manual_cache::fetch_function slow_token_fetch(std::atomic<int>* calls) {
    return
        [calls](pbi::diagnostics&) -> asio::awaitable<pbi::refresh::fetch_result<pbi::entra::access_token>> {
            const int n = ++*calls;
            auto ex = co_await asio::this_coro::executor;
            asio::steady_timer round_trip(ex, 50ms); // the token endpoint's latency, in real time
            auto wait = round_trip.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
            co_await std::move(wait);
            pbi::refresh::fetch_result<pbi::entra::access_token> r;
            r.value.token = pbi::secret(std::string(2000, static_cast<char>('a' + n % 26)));
            r.value.lifetime = 3600s;
            r.lifetime = 60min;
            co_return r;
        };
}

void run_refresh_boundary() {
    constexpr int readers = 2;
    const auto steady_phase = smoke ? 30ms : 300ms;
    asio::io_context io(1);
    std::atomic<int> calls{0};
    pbi::refresh::cache_options co;
    co.random = [] {
        return 0.0;
    };
    auto cache = std::make_unique<manual_cache>(io.get_executor(), slow_token_fetch(&calls), co);
    std::atomic<bool> primed{false};
    pbi::diagnostics d;
    auto on_primed = [&](std::error_code ec, manual_cache::value_handle h) {
        primed = !ec && h;
    };
    cache->async_get(pbi::refresh::get_options{}, d, on_primed);
    std::thread io_thread([&] { io.run(); });
    while (!primed)
        std::this_thread::sleep_for(1ms);

    // phase 0: warming up, 1: steady state, 2: across the refresh, 3: stop
    std::atomic<int> phase{0};
    struct reader_result {
        histogram h[3];
        std::uint64_t null_reads = 0, changes = 0;
    };
    std::vector<reader_result> results(readers);
    auto read_loop = [&](reader_result* out) {
        const pbi::entra::access_token* last = nullptr;
        auto t_prev = steady::now();
        for (int p; (p = phase.load(std::memory_order_relaxed)) < 3;) {
            const auto* t = cache->try_get();
            const auto t_now = steady::now();
            out->h[p].add(static_cast<std::uint64_t>((t_now - t_prev).count()));
            t_prev = t_now;
            if (!t)
                ++out->null_reads;
            else if (t != last) {
                ++out->changes;
                last = t;
            }
        }
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < readers; ++i)
        threads.emplace_back(read_loop, &results[i]);
    std::this_thread::sleep_for(20ms);
    phase = 1;
    std::this_thread::sleep_for(steady_phase);
    phase = 2;
    const auto t_refresh = steady::now();
    pbi::testing::manual_clock::advance(57min); // past refresh_at (55 min), before the deadline (59 min)
    while (cache->counters().refreshes_succeeded < 2 && steady::now() - t_refresh < 10s)
        std::this_thread::sleep_for(1ms);
    const double refresh_ms = ms_since(t_refresh, steady::now());
    std::this_thread::sleep_for(20ms);
    phase = 3;
    for (auto& t : threads)
        t.join();
    io.stop();
    io_thread.join();
    cache.reset();

    histogram steady_h, refresh_h;
    std::uint64_t nulls = 0, changes = 0;
    for (auto& r : results) {
        steady_h.merge(r.h[1]);
        refresh_h.merge(r.h[2]);
        nulls += r.null_reads;
        changes += r.changes;
    }
    check(nulls == 0, "refresh boundary: every read finds a value");
    check(calls == 2, "refresh boundary: one background refresh");

    std::printf("\n## 2. Refresh boundary: %d threads read try_get() while one refresh (50 ms round trip) "
                "runs\n\n",
                readers);
    std::printf(
        "| phase | reads | p50 ns | p99 ns | p99.9 ns | worst ns |\n|---|---:|---:|---:|---:|---:|\n");
    auto row = [](const char* name, const histogram& h) {
        std::printf("| %s | %llu | %.0f | %.0f | %.0f | %llu |\n", name,
                    static_cast<unsigned long long>(h.count), h.percentile(0.5), h.percentile(0.99),
                    h.percentile(0.999), static_cast<unsigned long long>(h.max));
    };
    row("steady state (baseline)", steady_h);
    row("across the refresh", refresh_h);
    std::printf(
        "\nRatios refresh/steady: p99 %.2f×, worst %.2f×. Refresh window %.1f ms; reads finding no value: "
        "%llu; value changes seen per reader: %.1f (first read + the new token). Each figure includes "
        "one steady_clock::now() (~20 ns); worst cases on this shared 2-core machine are scheduler "
        "preemption, in both phases.\n",
        refresh_h.percentile(0.99) / std::max(1.0, steady_h.percentile(0.99)),
        static_cast<double>(refresh_h.max) / std::max<double>(1.0, static_cast<double>(steady_h.max)),
        refresh_ms, static_cast<unsigned long long>(nulls), static_cast<double>(changes) / readers);
}

// ============================================================================================
// 3. many tokens
// ============================================================================================

using small_cache = pbi::refresh::cached_value<std::uint64_t, pbi::testing::manual_clock>;

asio::awaitable<void> empty_coroutine(int* count) {
    ++*count;
    co_return;
}

void run_many_tokens() {
    const int n = smoke ? 500 : 10'000;
    asio::io_context io(1);
    int fetches = 0;
    auto fetch = [&fetches](pbi::diagnostics&) -> asio::awaitable<pbi::refresh::fetch_result<std::uint64_t>> {
        pbi::refresh::fetch_result<std::uint64_t> r;
        r.value = static_cast<std::uint64_t>(++fetches);
        r.lifetime = 60min;
        co_return r;
    };
    auto run_until = [&io](auto done) {
        const auto give_up = steady::now() + 60s;
        while (!done() && steady::now() < give_up) {
            io.restart();
            io.run_for(1ms);
        }
        return done();
    };

    std::vector<pbi::diagnostics> diags(n);
    std::vector<std::unique_ptr<small_cache>> caches;
    caches.reserve(n);
    int primed = 0;
    const auto h0 = heap_in_use();
    for (int i = 0; i < n; ++i) {
        caches.push_back(std::make_unique<small_cache>(io.get_executor(), fetch)); // default options
        auto on_value = [&primed](std::error_code ec, small_cache::value_handle) {
            primed += !ec;
        };
        caches.back()->async_get(pbi::refresh::get_options{}, diags[i], on_value);
    }
    check(run_until([&] { return primed == n; }), "many tokens: every cache primed");
    const auto h1 = heap_in_use();
    const double bytes_per_entry = static_cast<double>(h1 - h0) / n;

    // Idle cost of the armed timers (the manual clock's timers poll every millisecond; with
    // steady_clock they would sleep until due).
    const auto idle_wall = smoke ? 50ms : 200ms;
    const double idle_cpu0 = process_cpu_seconds();
    io.restart();
    io.run_for(idle_wall);
    const double idle_cpu = process_cpu_seconds() - idle_cpu0;

    // One proactive refresh of every cache (default jitter spreads refresh_at over 49–55 min).
    const double cpu0 = process_cpu_seconds();
    const auto t0 = steady::now();
    pbi::testing::manual_clock::advance(57min);
    check(run_until([&] { return fetches == 2 * n; }), "many tokens: every cache refreshed once");
    io.restart();
    io.poll(); // finish the last finish_fetch
    const double refresh_cpu = process_cpu_seconds() - cpu0;
    const double refresh_wall = ms_since(t0, steady::now());
    std::uint64_t refreshed = 0;
    for (auto& c : caches)
        refreshed += c->counters().refreshes_succeeded;
    check(refreshed == static_cast<std::uint64_t>(2 * n), "many tokens: 2 successful fetches per cache");

    // Baseline: co_spawn of an empty coroutine, n times (the floor for "run one fetch").
    int ran = 0;
    const double b0 = process_cpu_seconds();
    for (int i = 0; i < n; ++i)
        asio::co_spawn(io, empty_coroutine(&ran), asio::detached);
    io.restart();
    io.poll();
    const double spawn_cpu = process_cpu_seconds() - b0;
    check(ran == n, "many tokens: baseline coroutines ran");
    caches.clear();

    const double per_refresh_us = refresh_cpu / n * 1e6;
    const double per_spawn_us = spawn_cpu / n * 1e6;
    std::printf("\n## 3. Many tokens: %d cached_value<uint64_t> with proactive timers (manual clock)\n\n", n);
    std::printf("| measure | value | baseline | ratio |\n|---|---:|---:|---:|\n");
    std::printf(
        "| heap bytes per cached value (value excluded; state, 3 timers, PRNG, handles) | %.0f | - | - |\n",
        bytes_per_entry);
    std::printf(
        "| CPU µs per proactive refresh (timer fires, fetch coroutine, re-arm) | %.2f | %.2f (co_spawn of "
        "an empty coroutine) | %.1f× |\n",
        per_refresh_us, per_spawn_us, per_refresh_us / std::max(1e-9, per_spawn_us));
    std::printf("| wall ms for all %d refreshes | %.1f | - | - |\n", n, refresh_wall);
    std::printf("| idle CPU %% with %d armed timers (manual-clock polling, 1 ms) | %.1f %% | - | - |\n",
                3 * n, idle_cpu / std::chrono::duration<double>(idle_wall).count() * 100.0);
}

// ============================================================================================
// 4. end to end over loopback TLS
// ============================================================================================

struct e2e_result {
    std::uint64_t requests = 0, errors = 0, handshakes = 0;
    double seconds = 0;
};

asio::awaitable<void> list_reports_loop(pbi::powerbi::client* powerbi, pbi::http::client* http,
                                        bool reconnect, steady::duration duration, e2e_result* out) {
    const std::string workspace; // My workspace
    const auto opened0 = http->counters().connections_opened;
    const auto t0 = steady::now();
    while (steady::now() - t0 < duration) {
        pbi::diagnostics d;
        auto a = powerbi->list_reports(workspace, d);
        auto r = co_await std::move(a);
        if (r.ec || r.value.empty())
            ++out->errors;
        else
            ++out->requests;
        if (reconnect)
            http->close_idle(); // the next request opens a new TCP + TLS connection
    }
    out->seconds = std::chrono::duration<double>(steady::now() - t0).count();
    out->handshakes = http->counters().connections_opened - opened0;
}

void run_end_to_end() {
    const auto duration = smoke ? steady::duration(150ms) : steady::duration(2s);
    pbi::testing::emulator emu;
    asio::io_context io(1);
    pbi::http::client http(io.get_executor(), http_options(emu));
    pbi::entra::token_source tokens(http, ropc_for(emu), token_options(emu));
    pbi::powerbi::client_options po;
    po.api_origin = emu.origin();
    pbi::powerbi::client powerbi(http, tokens, po);

    e2e_result warm, pooled, fresh;
    run_to_end(io, list_reports_loop(&powerbi, &http, false, 1ms, &warm)); // token + connection
    run_to_end(io, list_reports_loop(&powerbi, &http, false, duration, &pooled));
    run_to_end(io, list_reports_loop(&powerbi, &http, true, duration, &fresh));
    tokens.shutdown();
    check(warm.errors + pooled.errors + fresh.errors == 0, "end to end: every list reports call succeeds");
    check(pooled.handshakes == 0, "end to end: the pool reuses its connection");

    const double pooled_rps = static_cast<double>(pooled.requests) / pooled.seconds;
    const double fresh_rps = static_cast<double>(fresh.requests) / fresh.seconds;
    std::printf("\n## 4. End to end: `list reports` over loopback TLS, one request at a time\n\n");
    std::printf(
        "| client | requests | requests/s | TLS handshakes | ratio (req/s) |\n|---|---:|---:|---:|---:|\n");
    std::printf("| keep-alive pool | %llu | %.0f | %llu | %.2f× |\n",
                static_cast<unsigned long long>(pooled.requests), pooled_rps,
                static_cast<unsigned long long>(pooled.handshakes), pooled_rps / fresh_rps);
    std::printf("| new connection per request (baseline) | %llu | %.0f | %llu | 1.00× |\n",
                static_cast<unsigned long long>(fresh.requests), fresh_rps,
                static_cast<unsigned long long>(fresh.handshakes));
}

} // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--smoke") == 0) {
            smoke = true;
        } else {
            std::fprintf(stderr, "usage: pbi_bench_scenarios [--smoke]\n");
            return 2;
        }
    }
    try {
        const auto t0 = steady::now();
        run_stampede();
        run_refresh_boundary();
        run_many_tokens();
        run_end_to_end();
        std::printf("\n(%s run, %.1f s; figures are from one run on this machine: compare ratios.)\n",
                    smoke ? "smoke" : "full", ms_since(t0, steady::now()) / 1000.0);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pbi_bench_scenarios: %s\n", e.what());
        return 1;
    }
    return failures ? 1 : 0;
}
