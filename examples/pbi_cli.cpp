// pbi — command-line client of the pbi-async SDK: sign in, list Power BI content, mint embed
// tokens, and run the built-in emulator. See README.md ("The pbi CLI") for the contract:
// subcommands, PBI_* variables, --json, exit codes.
#include "cli_diagnose.hpp"
#include "cli_settings.hpp"

#include <pbi/pbi.hpp>
#include <pbi/testing/emulator.hpp>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace json = boost::json;
using pbi::diagnostics;

constexpr int exit_ok = 0, exit_usage = 2, exit_sign_in = 3, exit_powerbi = 4, exit_transport = 5;

const char* usage_text = R"(usage: pbi <command> [options]

commands:
  token [--show-token]                       sign in and describe the access token
  workspaces                                 list workspaces
  reports [--workspace ID]                   list reports (My workspace without --workspace)
  report --workspace ID --report ID          show one report
  pages --workspace ID --report ID           list a report's pages
  embed-token --workspace ID --report ID [--lifetime MINUTES]
                                             mint a View embed token for a report
  emulator [--port N] [--ca-out FILE]        run the emulator until interrupted
  demo                                       the main job, narrated: sign in, list, embed
  diagnose                                   check the configuration step by step: tenant,
                                             realm, sign-in, a Power BI call, clock skew

options: --json (machine-readable stdout), --help
configuration: PBI_TENANT_ID, PBI_CLIENT_ID, PBI_CLIENT_SECRET, PBI_USERNAME, PBI_PASSWORD,
  PBI_CLOUD, PBI_AUTHORITY_HOST, PBI_API_BASE, PBI_CA_FILE. Without PBI_TENANT_ID the CLI
  starts the built-in emulator. Exit codes: 0 ok, 2 usage/configuration, 3 sign-in failed,
  4 Power BI error, 5 network/TLS failure.
)";

struct arguments {
    std::string command;
    std::map<std::string, std::string> values; // --workspace, --report, --port, --ca-out, --lifetime
    bool json = false;
    bool show_token = false;
};

std::optional<std::string> parse_arguments(int argc, char** argv, arguments& a) {
    static const std::vector<std::string> with_value = {"--workspace", "--report", "--port", "--ca-out",
                                                        "--lifetime"};
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--json")
            a.json = true;
        else if (arg == "--show-token")
            a.show_token = true;
        else if (arg == "--help" || arg == "-h")
            a.command = "help";
        else if (std::find(with_value.begin(), with_value.end(), arg) != with_value.end()) {
            if (i + 1 >= argc || std::string_view(argv[i + 1]).rfind("--", 0) == 0)
                return arg + " needs a value";
            a.values[arg] = argv[++i];
        } else if (arg.rfind("--", 0) == 0)
            return "unknown option " + arg;
        else if (a.command.empty())
            a.command = arg;
        else
            return "unexpected argument '" + arg + "'";
    }
    if (a.command.empty())
        return "no command given";
    return std::nullopt;
}

std::string iso_time(std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

/// Server-provided text with control characters (terminal escapes) replaced by '?'.
std::string printable(std::string_view text) {
    std::string out(text);
    for (auto& c : out)
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
            c = '?';
    return out;
}

/// A stable name for scripts: the pbi::errc enumerator, or "category:value" for OS errors.
std::string error_name(std::error_code ec) {
    if (ec.category() == pbi::error_category())
        return pbi::to_string(static_cast<pbi::errc>(ec.value()));
    return std::string(ec.category().name()) + ":" + std::to_string(ec.value());
}

/// A usage or configuration error: stderr, plus the --json failure object on stdout.
int usage_error(bool json_output, const std::string& message, bool with_usage = false) {
    std::cerr << "pbi: " << message << '\n';
    if (with_usage)
        std::cerr << '\n' << usage_text;
    if (json_output)
        std::cout << json::serialize(json::object{
                         {"ok", false},
                         {"failure",
                          json::object{{"error", "usage"}, {"source", "none"}, {"message", message}}}})
                  << '\n';
    return exit_usage;
}

int exit_code_for(std::error_code ec, const diagnostics& d) {
    if (d.source == pbi::failure_source::transport || ec == pbi::condition::transport)
        return exit_transport;
    if (d.source == pbi::failure_source::entra)
        return exit_sign_in;
    if (d.source == pbi::failure_source::powerbi)
        return exit_powerbi;
    if (ec == pbi::condition::configuration)
        return exit_usage;
    return exit_transport;
}

/// Prints a failure (stderr always; stdout as JSON with --json) and returns the exit code.
int report_failure(const arguments& args, const char* what, std::error_code ec, const diagnostics& d) {
    const std::string message = printable(d.message.empty() ? ec.message() : d.message);
    if (message.rfind(what, 0) == 0) // "sign-in failed: ..." already says what failed
        std::cerr << "pbi: " << message << '\n';
    else
        std::cerr << "pbi: " << what << " failed: " << message << '\n';
    std::cerr << "  error: " << error_name(ec) << " (" << ec.message() << ")\n";
    std::ostringstream details;
    details << d;
    std::istringstream lines(details.str());
    for (std::string line; std::getline(lines, line);)
        if (line.rfind("message:", 0) != 0)
            std::cerr << "  " << printable(line) << '\n';
    if (args.json) {
        json::object err{{"error", error_name(ec)},
                         {"error_text", ec.message()},
                         {"category", ec.category().name()},
                         {"code", ec.value()},
                         {"source", pbi::to_string(d.source)},
                         {"message", d.message},
                         {"hint", d.hint}};
        if (d.http_status)
            err["http_status"] = d.http_status;
        if (!d.error.empty())
            err["server_error"] = d.error;
        if (!d.error_codes.empty()) {
            json::array codes;
            for (auto c : d.error_codes)
                codes.push_back(c);
            err["aadsts"] = std::move(codes);
        }
        if (!d.request_id.empty())
            err["request_id"] = d.request_id;
        if (!d.trace_id.empty())
            err["trace_id"] = d.trace_id;
        if (!d.correlation_id.empty())
            err["correlation_id"] = d.correlation_id;
        if (d.retry_after)
            err["retry_after_seconds"] = d.retry_after->count();
        std::cout << json::serialize(json::object{{"ok", false}, {"failure", std::move(err)}}) << '\n';
    }
    return exit_code_for(ec, d);
}

std::optional<std::string> required(const arguments& a, const char* name) {
    auto it = a.values.find(name);
    if (it == a.values.end() || it->second.empty())
        return std::nullopt;
    return it->second;
}

json::object to_json(const pbi::powerbi::workspace& w) {
    json::object o{{"id", w.id},
                   {"name", w.name},
                   {"isReadOnly", w.is_read_only},
                   {"isOnDedicatedCapacity", w.is_on_dedicated_capacity}};
    if (w.capacity_id)
        o["capacityId"] = *w.capacity_id;
    if (w.type)
        o["type"] = *w.type;
    return o;
}

json::object to_json(const pbi::powerbi::report& r) {
    json::object o{{"id", r.id},
                   {"name", r.name},
                   {"reportType", r.report_type},
                   {"webUrl", r.web_url},
                   {"embedUrl", r.embed_url}};
    if (r.dataset_id)
        o["datasetId"] = *r.dataset_id;
    return o;
}

/// The objects one command works with, wired together.
struct session {
    session(asio::io_context& io, const pbi_cli::settings& s)
        : http(io.get_executor(), pbi_cli::http_options(s)),
          tokens(http, s.credential, pbi::entra::token_source_options::for_cloud(s.cloud)),
          powerbi(http, tokens, powerbi_options(s)) {}
    static pbi::powerbi::client_options powerbi_options(const pbi_cli::settings& s) {
        pbi::powerbi::client_options o;
        o.api_origin = s.cloud.api_origin;
        return o;
    }
    pbi::http::client http;
    pbi::entra::token_source tokens;
    pbi::powerbi::client powerbi;
};

asio::awaitable<int> run_token(session& s, const arguments& a) {
    diagnostics d;
    auto [ec, token] = co_await s.tokens.async_get(d, asio::experimental::as_tuple(asio::use_awaitable));
    if (ec)
        co_return report_failure(a, "sign-in", ec, d);
    const auto remaining = std::chrono::duration_cast<std::chrono::seconds>(token->expires_at -
                                                                            std::chrono::steady_clock::now());
    const auto expires_at = std::chrono::system_clock::now() + remaining;
    if (a.json) {
        json::object o{{"ok", true},
                       {"token_type", token->token_type},
                       {"length", token->token.reveal().size()},
                       {"expires_in", remaining.count()},
                       {"expires_at", iso_time(expires_at)},
                       {"scope", token->scope},
                       {"has_refresh_token", !token->refresh_token.empty()}};
        if (a.show_token)
            o["access_token"] = token->token.reveal();
        std::cout << json::serialize(o) << '\n';
    } else {
        std::cout << "signed in: " << token->token_type << " token of " << token->token.reveal().size()
                  << " bytes, expires in " << remaining.count() << " s (" << iso_time(expires_at) << ")\n";
        std::cout << "scopes: " << (token->scope.empty() ? "(none listed)" : token->scope) << '\n';
        std::cout << "refresh token: " << (token->refresh_token.empty() ? "no" : "yes (kept in memory)")
                  << '\n';
        if (a.show_token)
            std::cout << token->token.reveal() << '\n';
    }
    co_return exit_ok;
}

asio::awaitable<int> run_workspaces(session& s, const arguments& a) {
    diagnostics d;
    const pbi::powerbi::workspace_query all_workspaces;
    auto [ec, list] = co_await s.powerbi.async_list_workspaces(
        all_workspaces, d, asio::experimental::as_tuple(asio::use_awaitable));
    if (ec)
        co_return report_failure(a, "listing workspaces", ec, d);
    if (a.json) {
        json::array arr;
        for (auto& w : list)
            arr.push_back(to_json(w));
        std::cout << json::serialize(json::object{{"ok", true}, {"workspaces", std::move(arr)}}) << '\n';
    } else {
        for (auto& w : list)
            std::cout << w.id << "  " << w.name << (w.is_read_only ? "  (read-only)" : "") << '\n';
        std::cout << list.size() << " workspace(s)\n";
    }
    co_return exit_ok;
}

asio::awaitable<int> run_reports(session& s, const arguments& a) {
    diagnostics d;
    auto ws = required(a, "--workspace").value_or("");
    auto [ec, list] =
        co_await s.powerbi.async_list_reports(ws, d, asio::experimental::as_tuple(asio::use_awaitable));
    if (ec)
        co_return report_failure(a, "listing reports", ec, d);
    if (a.json) {
        json::array arr;
        for (auto& r : list)
            arr.push_back(to_json(r));
        std::cout << json::serialize(json::object{{"ok", true}, {"reports", std::move(arr)}}) << '\n';
    } else {
        for (auto& r : list)
            std::cout << r.id << "  " << r.name << "  [" << r.report_type << "]\n";
        std::cout << list.size() << " report(s) in " << (ws.empty() ? "My workspace" : ws) << '\n';
    }
    co_return exit_ok;
}

asio::awaitable<int> run_report(session& s, const arguments& a, pbi::powerbi::report_ref ref) {
    diagnostics d;
    auto [ec, r] =
        co_await s.powerbi.async_get_report(ref, d, asio::experimental::as_tuple(asio::use_awaitable));
    if (ec)
        co_return report_failure(a, "getting the report", ec, d);
    if (a.json)
        std::cout << json::serialize(json::object{{"ok", true}, {"report", to_json(r)}}) << '\n';
    else
        std::cout << "id: " << r.id << "\nname: " << r.name << "\ntype: " << r.report_type
                  << "\ndataset: " << r.dataset_id.value_or("(none: paginated report)")
                  << "\nweb: " << r.web_url << "\nembed: " << r.embed_url << '\n';
    co_return exit_ok;
}

asio::awaitable<int> run_pages(session& s, const arguments& a, pbi::powerbi::report_ref ref) {
    diagnostics d;
    auto [ec, pages] =
        co_await s.powerbi.async_list_pages(ref, d, asio::experimental::as_tuple(asio::use_awaitable));
    if (ec)
        co_return report_failure(a, "listing pages", ec, d);
    if (a.json) {
        json::array arr;
        for (auto& p : pages)
            arr.push_back(
                json::object{{"name", p.name}, {"displayName", p.display_name}, {"order", p.order}});
        std::cout << json::serialize(json::object{{"ok", true}, {"pages", std::move(arr)}}) << '\n';
    } else {
        for (auto& p : pages)
            std::cout << p.order << "  " << p.name << "  " << p.display_name << '\n';
    }
    co_return exit_ok;
}

asio::awaitable<int> run_embed_token(session& s, const arguments& a, pbi::powerbi::report_ref ref) {
    pbi::powerbi::generate_token_request req;
    if (auto l = required(a, "--lifetime")) {
        try {
            req.lifetime_in_minutes = std::stoi(*l);
            if (*req.lifetime_in_minutes <= 0)
                throw std::out_of_range("lifetime");
        } catch (...) {
            co_return usage_error(a.json, "--lifetime must be a number of minutes");
        }
    }
    diagnostics d;
    auto [ec, t] = co_await s.powerbi.async_generate_report_token(
        ref, req, d, asio::experimental::as_tuple(asio::use_awaitable));
    if (ec)
        co_return report_failure(a, "generating the embed token", ec, d);
    if (a.json)
        std::cout << json::serialize(json::object{{"ok", true},
                                                  {"token", t.token.reveal()},
                                                  {"tokenId", t.token_id},
                                                  {"expiration", iso_time(t.expiration)}})
                  << '\n';
    else
        std::cout << "embed token (id " << t.token_id << ", expires " << iso_time(t.expiration) << "):\n"
                  << t.token.reveal() << '\n';
    co_return exit_ok;
}

asio::awaitable<int> run_demo(session& s, const arguments& a) {
    using asio::experimental::as_tuple;
    auto say = [&](const std::string& line) {
        if (!a.json)
            std::cout << line << '\n';
    };
    diagnostics d;
    say("1. Signing in to Entra ID...");
    auto [tec, token] = co_await s.tokens.async_get(d, as_tuple(asio::use_awaitable));
    if (tec)
        co_return report_failure(a, "sign-in", tec, d);
    const auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(token->lifetime).count();
    say("   ok: a " + std::to_string(token->token.reveal().size()) + "-byte access token valid for " +
        std::to_string(lifetime) + " s");

    say("2. Listing workspaces...");
    const pbi::powerbi::workspace_query all_workspaces;
    auto [wec, workspaces] =
        co_await s.powerbi.async_list_workspaces(all_workspaces, d, as_tuple(asio::use_awaitable));
    if (wec)
        co_return report_failure(a, "listing workspaces", wec, d);
    for (auto& w : workspaces)
        say("   - " + w.name + " (" + w.id + ")");
    if (workspaces.empty()) {
        std::cerr << "pbi: the identity sees no workspace; nothing to embed\n";
        co_return exit_powerbi;
    }

    const auto& ws = workspaces.front();
    say("3. Listing reports in '" + ws.name + "'...");
    auto [rec, reports] = co_await s.powerbi.async_list_reports(ws.id, d, as_tuple(asio::use_awaitable));
    if (rec)
        co_return report_failure(a, "listing reports", rec, d);
    for (auto& r : reports)
        say("   - " + r.name + " [" + r.report_type + "]");
    auto it = std::find_if(reports.begin(), reports.end(), [](auto& r) { return !r.is_paginated(); });
    if (it == reports.end()) {
        std::cerr << "pbi: workspace '" << ws.name << "' has no Power BI report to embed\n";
        co_return exit_powerbi;
    }
    pbi::powerbi::report_ref ref{ws.id, it->id};

    say("4. Reading the pages of '" + it->name + "'...");
    auto [pec, pages] = co_await s.powerbi.async_list_pages(ref, d, as_tuple(asio::use_awaitable));
    if (pec)
        co_return report_failure(a, "listing pages", pec, d);
    for (auto& p : pages)
        say("   - " + p.display_name + " (" + p.name + ")");

    say("5. Minting a View embed token for '" + it->name + "'...");
    // Named, not `{}`: g++ 12 corrupts brace-initialised temporaries inside a co_await expression.
    const pbi::powerbi::generate_token_request view_only;
    auto [eec, embed] =
        co_await s.powerbi.async_generate_report_token(ref, view_only, d, as_tuple(asio::use_awaitable));
    if (eec)
        co_return report_failure(a, "generating the embed token", eec, d);
    say("   ok: token " + embed.token_id + " expires " + iso_time(embed.expiration));
    say("   embed URL: " + it->embed_url);

    auto c = s.http.counters();
    auto t = s.tokens.counters();
    say("Done: " + std::to_string(c.requests) + " HTTPS requests over " +
        std::to_string(c.connections_opened) + " TLS connection(s); " +
        std::to_string(t.grant.token_requests) + " token request(s).");
    if (a.json) {
        json::array pages_json;
        for (auto& p : pages)
            pages_json.push_back(json::object{{"name", p.name}, {"displayName", p.display_name}});
        std::cout << json::serialize(
                         json::object{{"ok", true},
                                      {"workspace", to_json(ws)},
                                      {"report", to_json(*it)},
                                      {"pages", std::move(pages_json)},
                                      {"embed_token", json::object{{"tokenId", embed.token_id},
                                                                   {"expiration", iso_time(embed.expiration)},
                                                                   {"token", embed.token.reveal()}}},
                                      {"https_requests", c.requests},
                                      {"tls_connections", c.connections_opened},
                                      {"token_requests", t.grant.token_requests}})
                  << '\n';
    }
    co_return exit_ok;
}

/// `pbi diagnose`: every step printed as ok / failed / warning / skipped with its hint; the exit
/// code is 0 when the configuration works, else that of the first failed step's class.
asio::awaitable<int> run_diagnose(session& s, const pbi_cli::settings& settings, const arguments& a) {
    if (!a.json)
        std::cout << "pbi diagnose: checking the configuration step by step\n";
    auto check = pbi_cli::diagnose(s.http, settings);
    auto report = co_await std::move(check);
    const auto* failed = report.first_failure();
    const int code = failed ? exit_code_for(failed->ec, failed->diag) : exit_ok;
    if (a.json) {
        auto o = pbi_cli::to_json(report);
        o["exit_code"] = code;
        std::cout << json::serialize(o) << '\n';
    } else {
        pbi_cli::print(std::cout, report);
        if (failed)
            std::cout << "result: the configuration does not work; first failed step: " << failed->name
                      << " (exit code " << code << ")\n";
        else
            std::cout << "result: the configuration works\n";
    }
    co_return code;
}

int run_emulator(const arguments& a) {
    pbi::testing::emulator_options o;
    if (auto p = required(a, "--port")) {
        try {
            int port = std::stoi(*p);
            if (port < 0 || port > 65535)
                throw std::out_of_range("port");
            o.port = static_cast<std::uint16_t>(port);
        } catch (...) {
            return usage_error(a.json, "--port must be a number from 0 to 65535");
        }
    }
    asio::io_context io;
    std::unique_ptr<pbi::testing::emulator> emu;
    try {
        emu = std::make_unique<pbi::testing::emulator>(io.get_executor(), o);
    } catch (const std::exception& e) {
        std::cerr << "pbi: the emulator could not start: " << e.what() << '\n';
        return exit_transport;
    }
    std::string ca_file =
        required(a, "--ca-out").value_or("/tmp/pbi-emulator-ca-" + std::to_string(emu->port()) + ".pem");
    {
        std::ofstream out(ca_file);
        out << emu->ca_pem();
        if (!out) {
            return usage_error(a.json, "cannot write the CA to " + ca_file);
        }
    }
    const auto& eo = emu->options();
    if (a.json) {
        std::cout << json::serialize(json::object{{"origin", emu->origin()},
                                                  {"port", emu->port()},
                                                  {"ca_file", ca_file},
                                                  {"tenant_id", eo.tenant_id},
                                                  {"client_id", eo.client_id},
                                                  {"client_secret", eo.client_secret},
                                                  {"username", eo.users.at(0).username},
                                                  {"password", eo.users.at(0).password}})
                  << std::endl;
    } else {
        std::cout << "# pbi emulator listening on " << emu->origin() << " (Ctrl-C to stop)\n"
                  << "# these are the emulator's own test credentials; paste into a shell:\n"
                  << "export PBI_TENANT_ID=" << eo.tenant_id << "\n"
                  << "export PBI_CLIENT_ID=" << eo.client_id << "\n"
                  << "export PBI_CLIENT_SECRET=" << eo.client_secret << "\n"
                  << "export PBI_USERNAME=" << eo.users.at(0).username << "\n"
                  << "export PBI_PASSWORD=" << eo.users.at(0).password << "\n"
                  << "export PBI_AUTHORITY_HOST=" << emu->origin() << "\n"
                  << "export PBI_API_BASE=" << emu->origin() << "\n"
                  << "export PBI_CA_FILE=" << ca_file << std::endl;
    }
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](std::error_code, int) {
        emu->stop();
        io.stop();
    });
    io.run();
    std::cerr << "pbi: emulator stopped\n";
    return exit_ok;
}

} // namespace

int main(int argc, char** argv) {
    arguments args;
    if (auto err = parse_arguments(argc, argv, args)) {
        bool json_output = false; // parsing may stop before --json: look for it directly
        for (int i = 1; i < argc; ++i)
            json_output = json_output || std::string_view(argv[i]) == "--json";
        return usage_error(json_output, *err, true);
    }
    if (args.command == "help") {
        std::cout << usage_text;
        return exit_ok;
    }
    static const std::vector<std::string> commands = {
        "token", "workspaces", "reports", "report", "pages", "embed-token", "emulator", "demo", "diagnose"};
    if (std::find(commands.begin(), commands.end(), args.command) == commands.end()) {
        return usage_error(args.json, "unknown command '" + args.command + "'", true);
    }
    if (args.command == "emulator")
        return run_emulator(args);

    pbi::powerbi::report_ref ref;
    if (args.command == "report" || args.command == "pages" || args.command == "embed-token") {
        auto ws = required(args, "--workspace");
        auto rep = required(args, "--report");
        if (!ws || !rep) {
            return usage_error(args.json, args.command + " needs --workspace ID and --report ID");
        }
        ref = {*ws, *rep};
    }

    // Configuration: PBI_* variables, or the built-in emulator when no tenant is configured.
    std::unique_ptr<pbi::testing::emulator> emulator;
    pbi_cli::settings settings;
    if (!pbi_cli::env("PBI_TENANT_ID")) {
        emulator = std::make_unique<pbi::testing::emulator>();
        settings = pbi_cli::settings_for(*emulator);
        std::cerr << "pbi: PBI_TENANT_ID is not set; using the built-in emulator at " << emulator->origin()
                  << '\n';
    } else if (auto err = pbi_cli::read_settings(settings)) {
        return usage_error(args.json, "configuration: " + *err);
    }

    asio::io_context io;
    std::optional<session> s;
    try {
        s.emplace(io, settings);
    } catch (const pbi::error& e) {
        return usage_error(args.json, std::string("configuration: ") + e.what());
    }
    int code = exit_transport;
    auto command = [&]() -> asio::awaitable<int> {
        if (args.command == "token")
            return run_token(*s, args);
        if (args.command == "workspaces")
            return run_workspaces(*s, args);
        if (args.command == "reports")
            return run_reports(*s, args);
        if (args.command == "report")
            return run_report(*s, args, ref);
        if (args.command == "pages")
            return run_pages(*s, args, ref);
        if (args.command == "embed-token")
            return run_embed_token(*s, args, ref);
        if (args.command == "diagnose")
            return run_diagnose(*s, settings, args);
        return run_demo(*s, args);
    };
    auto done = [&](std::exception_ptr e, int rc) {
        s->tokens.shutdown(); // its refresh timers would keep the io_context running
        s->http.close_idle();
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                std::cerr << "pbi: unexpected failure: " << ex.what() << '\n';
            }
            code = exit_transport;
        } else {
            code = rc;
        }
    };
    asio::co_spawn(io, command(), done);
    io.run();
    return code;
}
