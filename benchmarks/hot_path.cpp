// pbi-async — cached reads of a fresh token, side by side with the designs peers use
// (benchmarks/README.md). Google Benchmark; all baselines live in this binary and run in the
// same process, so compare ratios, not absolute times.
//
//   pbi_bench_hot_path [--smoke] [--iterations=N] [Google Benchmark flags]
//
// --smoke         tiny run for CI (--benchmark_min_time=0.01)
// --iterations=N  a fixed iteration count per case (for callgrind: Ir per call = difference of
//                 two runs with different N, divided by the difference of N)
#include <pbi/entra/access_token.hpp>
#include <pbi/refresh/cached_value.hpp>

#include <benchmark/benchmark.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <tuple>
#include <vector>

using namespace std::chrono_literals;

namespace {

/// A JWT-sized bearer token (the emulator issues 1.5–2.5 KB).
const std::string& token_text() {
    static const std::string text(2000, 'x');
    return text;
}

// --- baselines ---------------------------------------------------------------------------------

/// The floor: one acquire load of an atomic pointer.
std::atomic<const std::string*> floor_ptr{&token_text()};

/// std::atomic<std::shared_ptr<const T>> (libstdc++ 12: a lock bit in the control-block pointer).
std::atomic<std::shared_ptr<const std::string>>& atomic_shared() {
    static std::atomic<std::shared_ptr<const std::string>> p{
        std::make_shared<const std::string>(token_text())};
    return p;
}

/// A mutex and a copy of the token string.
struct mutex_cache {
    std::mutex m;
    std::string token = token_text();
    std::string get() {
        std::lock_guard lock(m);
        return token;
    }
};
mutex_cache& the_mutex_cache() {
    static mutex_cache c;
    return c;
}

/// The Azure SDK for C++ token cache (azure-core TokenCache): a shared_timed_mutex over a
/// std::map keyed by scope and tenant holding shared_ptr entries, a per-entry shared_timed_mutex,
/// an expiry check against the system clock, and a copy of the token returned by value.
class azure_style_cache {
public:
    struct access_token {
        std::string token;
        std::chrono::system_clock::time_point expires_on;
    };

    access_token get_token(const std::string& scope, const std::string& tenant,
                           std::chrono::system_clock::duration minimum_expiration,
                           const std::function<access_token()>& get_new_token) const {
        const auto item = get_or_create({scope, tenant});
        {
            std::shared_lock read(item->mutex);
            if (!should_refresh(item->token, minimum_expiration))
                return item->token;
        }
        std::unique_lock write(item->mutex); // refreshes under the write lock: readers block
        if (should_refresh(item->token, minimum_expiration))
            item->token = get_new_token();
        return item->token;
    }

private:
    struct key {
        std::string scope, tenant;
        bool operator<(const key& o) const { return std::tie(scope, tenant) < std::tie(o.scope, o.tenant); }
    };
    struct value {
        access_token token;
        mutable std::shared_timed_mutex mutex;
    };

    static bool should_refresh(const access_token& t, std::chrono::system_clock::duration min_exp) {
        return t.expires_on - min_exp <= std::chrono::system_clock::now();
    }

    std::shared_ptr<value> get_or_create(key k) const {
        {
            std::shared_lock read(mutex_);
            if (auto it = cache_.find(k); it != cache_.end())
                return it->second;
        }
        std::unique_lock write(mutex_);
        auto& slot = cache_[std::move(k)];
        if (!slot)
            slot = std::make_shared<value>();
        return slot;
    }

    mutable std::shared_timed_mutex mutex_;
    mutable std::map<key, std::shared_ptr<value>> cache_;
};

const std::string power_bi_scope = "https://analysis.windows.net/powerbi/api/.default";
std::string tenant(int i) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08d-2222-3333-4444-555555555555", i);
    return buf;
}

struct azure_fixture {
    azure_style_cache cache;
    std::string scope = power_bi_scope;
    std::string tenant_id = tenant(3);
    std::function<azure_style_cache::access_token()> fetch = [] {
        return azure_style_cache::access_token{token_text(), std::chrono::system_clock::now() + 1h};
    };
    azure_fixture() {
        for (int i = 0; i < 8; ++i) // a host with a few tenants' tokens in the process-wide cache
            cache.get_token(scope, tenant(i), 2min, fetch);
    }
};
azure_fixture& the_azure_fixture() {
    static azure_fixture f;
    return f;
}

// --- the code under test -----------------------------------------------------------------------

using cache_type = pbi::refresh::cached_value<pbi::entra::access_token>;

/// A cached_value holding a fresh 60-minute token; its io_context is not running (reads never
/// need it).
struct cache_fixture {
    asio::io_context io;
    cache_type cache{io.get_executor(), fetch_function()};

    cache_fixture() {
        pbi::diagnostics d;
        bool ok = false;
        cache.async_get(pbi::refresh::get_options{}, d, [&](std::error_code ec, cache_type::value_handle h) {
            ok = !ec && h;
            io.stop(); // the refresh timers would keep run() busy
        });
        io.run();
        if (!ok) {
            std::fprintf(stderr, "pbi_bench_hot_path: priming the cache failed\n");
            std::exit(1);
        }
    }

    static cache_type::fetch_function fetch_function() {
        return
            [](pbi::diagnostics&) -> asio::awaitable<pbi::refresh::fetch_result<pbi::entra::access_token>> {
                pbi::refresh::fetch_result<pbi::entra::access_token> r;
                r.value.token = pbi::secret(token_text());
                r.value.lifetime = 3600s;
                r.lifetime = 60min;
                co_return r;
            };
    }
};
cache_fixture& the_cache() {
    static cache_fixture f;
    return f;
}

// --- synchronous reads -------------------------------------------------------------------------

void bm_floor(benchmark::State& state) {
    for (auto _ : state)
        benchmark::DoNotOptimize(floor_ptr.load(std::memory_order_acquire));
}

void bm_atomic_shared_ptr(benchmark::State& state) {
    auto& p = atomic_shared();
    for (auto _ : state) {
        auto h = p.load(std::memory_order_acquire);
        benchmark::DoNotOptimize(h.get());
    }
}

void bm_mutex_copy(benchmark::State& state) {
    auto& c = the_mutex_cache();
    for (auto _ : state) {
        auto s = c.get();
        benchmark::DoNotOptimize(s.data());
    }
}

void bm_azure_style(benchmark::State& state) {
    auto& f = the_azure_fixture();
    for (auto _ : state) {
        auto t = f.cache.get_token(f.scope, f.tenant_id, 2min, f.fetch);
        benchmark::DoNotOptimize(t.token.data());
    }
}

void bm_try_get(benchmark::State& state) {
    auto& c = the_cache().cache;
    for (auto _ : state)
        benchmark::DoNotOptimize(c.try_get());
}

void bm_try_get_shared(benchmark::State& state) {
    auto& c = the_cache().cache;
    for (auto _ : state) {
        auto h = c.try_get_shared();
        benchmark::DoNotOptimize(h.get());
    }
}

// --- co_await: a loop of `batch` co_awaits inside one coroutine per benchmark batch ------------

constexpr std::int64_t batch = 1000;

asio::awaitable<int> ready_int(int v) {
    co_return v;
}

asio::awaitable<void> floor_loop(std::int64_t n) {
    int sum = 0;
    for (std::int64_t i = 0; i < n; ++i) {
        auto a = ready_int(static_cast<int>(i)); // named: no temporaries inside co_await (g++ 12)
        sum += co_await std::move(a);
    }
    benchmark::DoNotOptimize(sum);
}

/// asio's floor plus an owning handle: a coroutine returning a copy of a shared_ptr whose control
/// block belongs to this thread (what an owning async_get() must at least do).
asio::awaitable<std::shared_ptr<const std::string>>
ready_handle(const std::shared_ptr<const std::string>* h) {
    co_return *h;
}

asio::awaitable<void> handle_floor_loop(std::int64_t n) {
    thread_local const auto own = std::make_shared<const std::string>(token_text());
    for (std::int64_t i = 0; i < n; ++i) {
        auto a = ready_handle(&own);
        auto h = co_await std::move(a);
        benchmark::DoNotOptimize(h.get());
    }
}

asio::awaitable<void> async_get_loop(cache_type* c, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) {
        pbi::refresh::get_options o;
        auto a = c->async_get(o);
        auto h = co_await std::move(a);
        benchmark::DoNotOptimize(h.get());
    }
}

asio::awaitable<void> async_get_token_loop(cache_type* c, std::int64_t n) {
    pbi::diagnostics d;
    for (std::int64_t i = 0; i < n; ++i) {
        pbi::refresh::get_options o;
        auto a = c->async_get(o, d, asio::use_awaitable);
        auto h = co_await std::move(a);
        benchmark::DoNotOptimize(h.get());
    }
}

template <class MakeLoop>
void run_batches(benchmark::State& state, MakeLoop make_loop) {
    asio::io_context io(1); // one per benchmark thread: frames recycle through its thread cache
    while (state.KeepRunningBatch(batch)) {
        asio::co_spawn(io, make_loop(batch), asio::detached);
        io.restart();
        io.run();
    }
}

void bm_co_await_floor(benchmark::State& state) {
    run_batches(state, [](std::int64_t n) { return floor_loop(n); });
}

void bm_co_await_handle_floor(benchmark::State& state) {
    run_batches(state, [](std::int64_t n) { return handle_floor_loop(n); });
}

void bm_co_await_async_get(benchmark::State& state) {
    auto* c = &the_cache().cache;
    run_batches(state, [c](std::int64_t n) { return async_get_loop(c, n); });
}

void bm_co_await_async_get_token(benchmark::State& state) {
    auto* c = &the_cache().cache;
    run_batches(state, [c](std::int64_t n) { return async_get_token_loop(c, n); });
}

// --- registration, and a table of ratios after the run -----------------------------------------

struct bench_case {
    const char* name;
    const char* label;
    void (*fn)(benchmark::State&);
    bool threaded;
};

const bench_case cases[] = {
    {"floor_atomic_load", "floor: atomic acquire load", bm_floor, true},
    {"try_get", "cached_value::try_get()", bm_try_get, true},
    {"try_get_shared", "cached_value::try_get_shared()", bm_try_get_shared, true},
    {"atomic_shared_ptr", "atomic<shared_ptr<const T>>::load", bm_atomic_shared_ptr, true},
    {"mutex_copy", "std::mutex + token string copy", bm_mutex_copy, true},
    {"azure_style", "Azure SDK C++ style cache", bm_azure_style, true},
    {"co_await_floor", "co_await awaitable<int> (asio floor)", bm_co_await_floor, true},
    {"co_await_handle_floor", "co_await awaitable<shared_ptr> (floor + owning handle)",
     bm_co_await_handle_floor, true},
    {"co_await_async_get", "co_await async_get()", bm_co_await_async_get, true},
    {"co_await_async_get_token", "co_await async_get(o, diag, use_awaitable)", bm_co_await_async_get_token,
     true},
};

/// Console output as usual; keeps the per-iteration runs for the table.
class table_reporter : public benchmark::ConsoleReporter {
public:
    struct result {
        std::string name;
        int threads;
        double cpu_ns; ///< CPU time per operation of one thread
        double real_ns;
    };
    std::vector<result> results;

    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const auto& r : runs) {
            if (r.error_occurred || r.run_type != Run::RT_Iteration)
                continue;
            // Google Benchmark sums CPU time over threads and iterations over threads: CPU time
            // per iteration is one thread's time per operation. Real time is divided by the
            // thread count, so it is wall time per operation of the whole process.
            const double iters = static_cast<double>(r.iterations);
            result x;
            x.name = r.run_name.function_name;
            x.threads = r.threads;
            x.cpu_ns = r.cpu_accumulated_time / iters * 1e9;
            x.real_ns = r.real_accumulated_time / iters * 1e9 * r.threads;
            results.push_back(x);
        }
    }

    /// The median over repetitions (--benchmark_repetitions) of one case.
    const result* find(const std::string& name, int threads) const {
        std::vector<const result*> reps;
        for (auto& r : results)
            if (r.name == name && r.threads == threads)
                reps.push_back(&r);
        if (reps.empty())
            return nullptr;
        std::sort(reps.begin(), reps.end(), [](auto* a, auto* b) { return a->cpu_ns < b->cpu_ns; });
        return reps[reps.size() / 2];
    }

    void print_table() const {
        const result* floor1 = find("floor_atomic_load", 1);
        const result* azure1 = find("azure_style", 1);
        const result* co1 = find("co_await_floor", 1);
        std::printf("\n## Cached read of a fresh token (CPU ns per call per thread, median of repetitions; "
                    "ratios from "
                    "this run)\n\n");
        std::printf("| case | 1 thread ns | 2 threads ns | 2T/1T | vs floor (1T) | Azure-style / case (1T) | "
                    "vs asio co_await floor (1T) |\n");
        std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
        for (const auto& c : cases) {
            const result* r1 = find(c.name, 1);
            const result* r2 = find(c.name, 2);
            if (!r1 && !r2)
                continue;
            auto cell = [](const result* r) {
                char b[32];
                if (r)
                    std::snprintf(b, sizeof b, "%.2f", r->cpu_ns);
                else
                    std::snprintf(b, sizeof b, "-");
                return std::string(b);
            };
            auto ratio = [](const result* a, const result* b) {
                char buf[32];
                if (a && b && b->cpu_ns > 0)
                    std::snprintf(buf, sizeof buf, "%.2f×", a->cpu_ns / b->cpu_ns);
                else
                    std::snprintf(buf, sizeof buf, "-");
                return std::string(buf);
            };
            const bool coroutine = std::strncmp(c.name, "co_await", 8) == 0;
            std::printf("| %s | %s | %s | %s | %s | %s | %s |\n", c.label, cell(r1).c_str(), cell(r2).c_str(),
                        ratio(r2, r1).c_str(), coroutine ? "-" : ratio(r1, floor1).c_str(),
                        coroutine ? "-" : ratio(azure1, r1).c_str(),
                        coroutine ? ratio(r1, co1).c_str() : "-");
        }
        std::printf("\nTargets: try_get() ≤ 3× floor, Azure-style / try_get() ≥ 100×, 2T/1T ≈ 1; "
                    "co_await async_get() ≤ 2× asio floor.\n");
    }
};

} // namespace

int main(int argc, char** argv) {
    bool smoke = false;
    long long iterations = 0;
    std::vector<char*> args;
    args.push_back(argv[0]);
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--smoke") == 0)
            smoke = true;
        else if (std::strncmp(argv[i], "--iterations=", 13) == 0)
            iterations = std::atoll(argv[i] + 13);
        else
            args.push_back(argv[i]);
    }
    static char min_time[] = "--benchmark_min_time=0.01";
    if (smoke)
        args.push_back(min_time);
    int n = static_cast<int>(args.size());
    args.push_back(nullptr);
    benchmark::Initialize(&n, args.data());
    if (benchmark::ReportUnrecognizedArguments(n, args.data()))
        return 1;

    for (const auto& c : cases) {
        auto* b = benchmark::RegisterBenchmark(c.name, c.fn);
        if (iterations > 0)
            b->Iterations(iterations);
        b->Threads(1);
        if (c.threaded)
            b->Threads(2);
    }
    table_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.print_table();
    benchmark::Shutdown();
    return 0;
}
