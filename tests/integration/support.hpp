// Shared fixture for integration tests: an emulator plus the SDK objects pointed at it,
// all on one io_context that the test runs on its own thread (Catch2 is not thread-safe).
#pragma once

#include <pbi/pbi.hpp>
#include <pbi/testing/certificates.hpp>
#include <pbi/testing/emulator.hpp>

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

namespace pbi_test {

inline pbi::entra::ropc_credential ropc_for(const pbi::testing::emulator& emu) {
    pbi::entra::ropc_credential c;
    c.tenant_id = emu.options().tenant_id;
    c.client_id = emu.options().client_id;
    c.client_secret = pbi::secret(emu.options().client_secret);
    c.username = emu.options().users.at(0).username;
    c.password = pbi::secret(emu.options().users.at(0).password);
    return c;
}

inline pbi::entra::client_secret_credential service_principal_for(const pbi::testing::emulator& emu) {
    pbi::entra::client_secret_credential c;
    c.tenant_id = emu.options().tenant_id;
    c.client_id = emu.options().client_id;
    c.client_secret = pbi::secret(emu.options().client_secret);
    return c;
}

/// An emulator (own thread) and an SDK stack that trusts its CA.
struct stack {
    asio::io_context io; // first: the members below use its executor
    pbi::testing::emulator emu;
    pbi::http::client http;
    pbi::entra::token_source tokens;
    pbi::powerbi::client powerbi;

    enum class grant { password, client_credentials };

    explicit stack(pbi::testing::emulator_options eo = {}, grant g = grant::password)
        : emu(std::move(eo)), http(io.get_executor(), http_options(emu)),
          tokens(http,
                 g == grant::password ? pbi::entra::credential(ropc_for(emu))
                                      : pbi::entra::credential(service_principal_for(emu)),
                 token_options(emu)),
          powerbi(http, tokens, powerbi_options(emu)) {}

    static pbi::http::client_options http_options(const pbi::testing::emulator& e) {
        pbi::http::client_options o;
        o.tls.extra_ca_pem.push_back(e.ca_pem());
        return o;
    }
    /// Retries back off from 20 ms (not 500 ms), so that scripted 5xx and 429 answers cost little time.
    static pbi::powerbi::client_options powerbi_options(const pbi::testing::emulator& e) {
        pbi::powerbi::client_options o{e.origin()};
        o.retry.base_delay = std::chrono::milliseconds(20);
        return o;
    }
    static pbi::entra::token_source_options token_options(const pbi::testing::emulator& e) {
        pbi::entra::token_source_options o;
        o.authority_origin = e.origin();
        return o;
    }

    /// Runs a coroutine to completion on the io_context and returns its value; rethrows.
    template <class T>
    T run(asio::awaitable<T> a) {
        std::optional<T> out;
        std::exception_ptr error;
        bool finished = false;
        auto done = [&](std::exception_ptr e, T v) {
            error = e;
            if (!e)
                out.emplace(std::move(v));
            finished = true;
            io.stop(); // the token source's refresh timers would keep run_for() busy
        };
        asio::co_spawn(io, std::move(a), done);
        io.restart();
        io.run_for(std::chrono::seconds(60));
        if (error)
            std::rethrow_exception(error);
        if (!finished)
            throw std::runtime_error("the coroutine did not finish within 60 s");
        return std::move(*out);
    }

    /// Stops the SDK's own background work (the token source's timers) and closes the pooled
    /// connections, then runs the io_context. True when it runs out of work and every
    /// connection the client opened is closed: no timer, coroutine or connection was left
    /// behind by what the test did.
    bool leaves_nothing_behind() {
        tokens.shutdown();
        http.close_idle();
        io.restart();
        io.run_for(std::chrono::seconds(5));
        const auto c = http.counters();
        return io.stopped() && c.connections_opened == c.connections_closed;
    }
};

inline constexpr auto as_tuple = asio::experimental::as_tuple(asio::use_awaitable);

/// The outcome of a call that is expected to fail.
struct failure {
    std::error_code ec;
    pbi::diagnostics diag;
};

/// Signs in and returns the error and diagnostics.
inline asio::awaitable<failure> sign_in_failure(pbi::entra::token_source& tokens) {
    failure f;
    auto [ec, token] = co_await tokens.async_get(f.diag, as_tuple);
    f.ec = ec;
    co_return f;
}

/// What operator<< prints for diagnostics (what an operator's log would show).
inline std::string printed(const pbi::diagnostics& d) {
    std::ostringstream os;
    os << d;
    return os.str();
}

/// Emulator options whose wall clock follows `Clock` (a manual clock), starting at the real
/// time, with 60-minute tokens: tokens expire when the test moves the clock.
template <class Clock>
pbi::testing::emulator_options emulator_on_clock() {
    pbi::testing::emulator_options eo;
    eo.min_token_lifetime = eo.max_token_lifetime = std::chrono::seconds(3600);
    const auto wall0 = std::chrono::system_clock::now();
    const auto clock0 = Clock::now();
    eo.now = [wall0, clock0] {
        return wall0 + std::chrono::duration_cast<std::chrono::system_clock::duration>(Clock::now() - clock0);
    };
    return eo;
}

} // namespace pbi_test
