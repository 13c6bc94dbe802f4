// A program outside the SDK that uses it the way a host would, in header-only mode: start the
// emulator, sign in (ROPC), list the workspaces and the reports of the first one.
// Exits 0 only when it saw at least one report. Built by tests/consumer/cmake (find_package)
// and tests/consumer/meson (subproject); see scripts/test.
#include "report_line.hpp"

#include <pbi/pbi.hpp>
#include <pbi/testing/emulator.hpp>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>

#include <cstddef>
#include <exception>
#include <iostream>
#include <optional>
#include <string>

#if defined(PBI_SEPARATE_COMPILATION)
#error "the consumer checks header-only mode: do not define PBI_SEPARATE_COMPILATION"
#endif

namespace {

asio::awaitable<std::size_t> list_reports(pbi::powerbi::client& powerbi) {
    auto workspaces = co_await powerbi.async_list_workspaces(); // throws pbi::error
    std::cout << "consumer: " << workspaces.size() << " workspace(s)\n";
    if (workspaces.empty())
        co_return 0;
    const auto& ws = workspaces.front();
    auto reports = co_await powerbi.async_list_reports(ws.id);
    for (const auto& r : reports)
        std::cout << "  " << consumer::report_line(r) << '\n';
    std::cout << "consumer: " << reports.size() << " report(s) in '" << ws.name << "'\n";
    co_return reports.size();
}

} // namespace

int main() {
    try {
        // The emulator serves HTTPS on 127.0.0.1 with its own CA, on its own thread.
        pbi::testing::emulator emu;
        const auto& eo = emu.options();

        pbi::cloud cloud = pbi::cloud::preset(pbi::cloud_name::public_cloud);
        cloud.authority_host_origin = emu.origin();
        cloud.api_origin = emu.origin();

        pbi::entra::ropc_credential cred;
        cred.tenant_id = eo.tenant_id;
        cred.client_id = eo.client_id;
        cred.client_secret = pbi::secret(eo.client_secret);
        cred.username = eo.users.at(0).username;
        cred.password = pbi::secret(eo.users.at(0).password);

        pbi::http::client_options http_options;
        http_options.tls.extra_ca_pem.push_back(emu.ca_pem()); // trust the emulator's CA too
        pbi::powerbi::client_options api_options;
        api_options.api_origin = cloud.api_origin;

        asio::io_context io;
        pbi::http::client http(io.get_executor(), http_options);
        pbi::entra::token_source tokens(http, cred, pbi::entra::token_source_options::for_cloud(cloud));
        pbi::powerbi::client powerbi(http, tokens, api_options);

        std::optional<std::size_t> count;
        std::string failure;
        auto done = [&](std::exception_ptr e, std::size_t n) {
            // The source's proactive refresh timer and the pooled connection would keep
            // io.run() going: a host that is done says so.
            tokens.shutdown();
            http.close_idle();
            if (!e) {
                count = n;
                return;
            }
            try {
                std::rethrow_exception(e);
            } catch (const pbi::error& err) {
                failure = std::string(err.what()) + " [" + err.code().category().name() + ':' +
                          std::to_string(err.code().value()) + "]";
                std::cerr << err.get_diagnostics();
            } catch (const std::exception& err) {
                failure = err.what();
            }
        };
        asio::co_spawn(io, list_reports(powerbi), done);
        io.run();

        if (!count) {
            std::cerr << "consumer: FAILED: " << failure << '\n';
            return 1;
        }
        if (*count == 0) {
            std::cerr << "consumer: FAILED: the emulator's first workspace has no report\n";
            return 1;
        }
        std::cout << "consumer: ok\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "consumer: FAILED: " << e.what() << '\n';
        return 1;
    }
}
