// signage_host — a digital-signage host on pbi-async, run against the built-in emulator for a
// simulated day: N screens across the emulator's reports each keep an embed token valid, every
// renewed token pushed to the screen (embed_token_cache::subscribe) before the old one expires.
//
//   signage_host [--screens N] [--hours H] [--embed-minutes M] [--entra-minutes E] [--short]
//
// The emulator's clock and the SDK's caches run on pbi::testing::manual_clock, so a day of
// short-lived tokens takes seconds. Prints one summary line; exits 1 when a renewal came late
// (after the screen's token had expired) or a screen ever held an expired token or none at all,
// 2 on bad arguments. README.md "Signage recipe" shows the same host on the real clock.
#include <pbi/pbi.hpp>
#include <pbi/testing/emulator.hpp>
#include <pbi/testing/manual_clock.hpp>

#include <asio/basic_waitable_timer.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using clock_type = pbi::testing::manual_clock;
using token_source = pbi::entra::basic_token_source<clock_type>;
using embed_cache = pbi::powerbi::basic_embed_token_cache<clock_type>;
using token_handle = embed_cache::token_handle;
using namespace std::chrono_literals;

struct settings {
    int screens = 200;
    int hours = 24;
    int embed_minutes = 10; ///< lifetimeInMinutes asked for: renewed every 5 minutes
    int entra_minutes = 30; ///< the emulator's access-token lifetime
};

const char* const usage =
    "usage: signage_host [--screens N] [--hours H] [--embed-minutes M] [--entra-minutes E] [--short]\n"
    "  Runs N screens (default 200) for H simulated hours (default 24) against the built-in\n"
    "  emulator on a manual clock, with M-minute embed tokens (default 10) and E-minute Entra\n"
    "  tokens (default 30). --short: 40 screens for 2 hours (CI). Exit 1 when a screen held an\n"
    "  expired token, got a renewal late or never got a token.\n";

std::optional<int> number(std::string_view text, int min, int max) {
    int v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || v < min || v > max)
        return std::nullopt;
    return v;
}

/// Parses the command line; nullopt after printing why (or the usage for --help).
std::optional<settings> parse(int argc, char** argv, bool& help) {
    settings s;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        auto value = [&](int min, int max) -> std::optional<int> {
            if (i + 1 >= argc) {
                std::cerr << "signage_host: " << a << " needs a value\n" << usage;
                return std::nullopt;
            }
            auto v = number(argv[++i], min, max);
            if (!v)
                std::cerr << "signage_host: " << a << " takes a number from " << min << " to " << max
                          << ", not '" << argv[i] << "'\n";
            return v;
        };
        std::optional<int> v;
        if (a == "--help" || a == "-h") {
            help = true;
            std::cout << usage;
            return std::nullopt;
        } else if (a == "--short") {
            s.screens = 40;
            s.hours = 2;
            continue;
        } else if (a == "--screens") {
            if (!(v = value(1, 100'000)))
                return std::nullopt;
            s.screens = *v;
        } else if (a == "--hours") {
            if (!(v = value(1, 24 * 31)))
                return std::nullopt;
            s.hours = *v;
        } else if (a == "--embed-minutes") {
            if (!(v = value(2, 24 * 60)))
                return std::nullopt;
            s.embed_minutes = *v;
        } else if (a == "--entra-minutes") {
            if (!(v = value(5, 24 * 60)))
                return std::nullopt;
            s.entra_minutes = *v;
        } else {
            std::cerr << "signage_host: unknown argument '" << a << "'\n" << usage;
            return std::nullopt;
        }
    }
    if (s.entra_minutes <= s.embed_minutes) {
        std::cerr
            << "signage_host: Entra tokens must outlive embed tokens (--entra-minutes > --embed-minutes)\n";
        return std::nullopt;
    }
    return s;
}

/// The emulator, its clock following the manual clock from the real time on.
pbi::testing::emulator_options emulator_options(const settings& s) {
    pbi::testing::emulator_options eo;
    eo.min_token_lifetime = eo.max_token_lifetime = std::chrono::minutes(s.entra_minutes);
    const auto wall0 = std::chrono::system_clock::now();
    const auto clock0 = clock_type::now();
    eo.now = [wall0, clock0] {
        return wall0 +
               std::chrono::duration_cast<std::chrono::system_clock::duration>(clock_type::now() - clock0);
    };
    return eo;
}

/// One screen: the report it shows, the token its page holds, and what went wrong.
struct screen {
    std::string report_name;
    pbi::powerbi::embed_request request;
    token_handle held;
    bool held_expired = false;
    int late = 0;

    /// What a real host sends to the page: `report.setAccessToken(token)`.
    void set_access_token(token_handle token, std::chrono::system_clock::time_point now) {
        if (held && held->expiration <= now)
            ++late; // the page would have shown an error before this renewal arrived
        held = std::move(token);
    }
};

/// Screens spread over every report of the emulator's workspaces; a report on a dataset with
/// row-level security gets an identity per store (8 stores), so those screens need their own tokens.
std::vector<screen> screens_for(const pbi::testing::emulator& emu, const settings& s) {
    struct shown {
        pbi::powerbi::report_ref ref;
        std::string name;
        std::optional<std::string> rls_dataset;
    };
    std::vector<shown> reports;
    for (const auto& ws : emu.workspaces())
        for (const auto& r : ws.reports) {
            shown sh{{ws.id, r.id}, r.name, std::nullopt};
            for (const auto& ds : ws.datasets)
                if (ds.id == r.dataset_id && ds.effective_identity_required)
                    sh.rls_dataset = ds.id;
            reports.push_back(std::move(sh));
        }
    std::vector<screen> out;
    out.reserve(s.screens);
    for (int i = 0; i < s.screens; ++i) {
        const auto& r = reports[i % reports.size()];
        pbi::powerbi::generate_token_request view;
        view.lifetime_in_minutes = s.embed_minutes;
        if (r.rls_dataset) {
            const auto store = "store-" + std::to_string(i / reports.size() % 8);
            view.identities.push_back({store, {}, {*r.rls_dataset}, std::nullopt});
        }
        out.push_back({r.name, pbi::powerbi::embed_request::report(r.ref, view), nullptr});
    }
    return out;
}

/// Drives the io_context from this thread while the manual clock moves.
struct driver {
    asio::io_context& io;
    std::function<std::uint64_t()> fetches_in_flight;

    template <class Pred>
    bool run_until(Pred done) {
        const auto give_up = std::chrono::steady_clock::now() + 60s;
        while (!done() && std::chrono::steady_clock::now() < give_up) {
            if (io.stopped())
                io.restart();
            io.run_one_for(1ms);
        }
        return done();
    }
    bool flush() {
        bool ran = false;
        asio::post(io, [&] { ran = true; });
        return run_until([&] { return ran; });
    }
    /// Every timer due on the manual clock fired, the requests they started ended, and their
    /// tokens were delivered. False when that takes over a minute of real time.
    bool settle() {
        bool fired = false;
        asio::basic_waitable_timer<clock_type> due(io);
        due.expires_at(clock_type::now());
        due.async_wait([&](std::error_code) { fired = true; });
        return run_until([&] { return fired; }) && flush() &&
               run_until([&] { return fetches_in_flight() == 0; }) && flush();
    }
};

std::uint64_t in_flight(const pbi::refresh::cache_counters& c) {
    return c.refreshes_started - c.refreshes_succeeded - c.refreshes_failed;
}

} // namespace

int main(int argc, char** argv) {
    bool help = false;
    auto parsed = parse(argc, argv, help);
    if (!parsed)
        return help ? 0 : 2;
    const settings s = *parsed;
    const auto started = std::chrono::steady_clock::now();

    asio::io_context io;
    pbi::testing::emulator emu(emulator_options(s));
    pbi::http::client_options ho;
    ho.tls.extra_ca_pem.push_back(emu.ca_pem());
    pbi::http::client http(io.get_executor(), ho);
    pbi::entra::ropc_credential cred;
    cred.tenant_id = emu.options().tenant_id;
    cred.client_id = emu.options().client_id;
    cred.client_secret = pbi::secret(emu.options().client_secret);
    cred.username = emu.options().users.at(0).username;
    cred.password = pbi::secret(emu.options().users.at(0).password);
    pbi::entra::token_source_options to;
    to.authority_origin = emu.origin();
    token_source tokens(http, cred, to);
    pbi::powerbi::client_options po;
    po.api_origin = emu.origin();
    pbi::powerbi::client powerbi(http, tokens, po);
    embed_cache cache(powerbi, tokens);

    // Each screen subscribes to its report's token; screens showing the same request share it.
    auto screens = screens_for(emu, s);
    auto emulator_now = [&emu] {
        return emu.options().now();
    };
    std::vector<embed_cache::subscription> subscriptions;
    subscriptions.reserve(screens.size());
    for (auto& sc : screens)
        subscriptions.push_back(cache.subscribe(sc.request, [&sc, emulator_now](token_handle token) {
            sc.set_access_token(std::move(token), emulator_now());
        }));

    driver d{io, [&] {
                 return in_flight(cache.counters()) + in_flight(tokens.counters().cache);
             }};
    bool stuck = !d.settle();
    const auto step = std::chrono::minutes(1);
    const auto end = clock_type::now() + std::chrono::hours(s.hours);
    while (!stuck) {
        const auto now = emulator_now();
        for (auto& sc : screens)
            if (sc.held && sc.held->expiration <= now)
                sc.held_expired = true;
        if (clock_type::now() >= end)
            break;
        clock_type::advance(step);
        stuck = !d.settle();
    }

    int late = 0, expired = 0, without = 0;
    for (const auto& sc : screens) {
        late += sc.late;
        expired += sc.held_expired ? 1 : 0;
        without += sc.held ? 0 : 1;
    }
    const auto minted = emu.request_count("generate_token");
    const auto entra = emu.request_count("token");
    const auto keys = cache.size();
    subscriptions.clear();
    const auto real = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("signage: %d screens, %d simulated hours, %zu keys, embed %d min, Entra %d min: "
                "%zu embed tokens minted, %zu Entra token requests, %d late refreshes, %d screens held an "
                "expired token, %d screens without a token (%.1f s)\n",
                s.screens, s.hours, keys, s.embed_minutes, s.entra_minutes, minted, entra, late, expired,
                without, real);
    if (stuck) {
        std::fprintf(stderr, "signage_host: the SDK did not settle within a minute of real time\n");
        return 1;
    }
    return late == 0 && expired == 0 && without == 0 ? 0 : 1;
}
