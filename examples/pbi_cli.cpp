// pbi — command-line client of the pbi-async SDK: sign in, list Power BI content (workspaces,
// reports, dashboards, tiles, datasets), start dataset refreshes, mint embed tokens, export
// reports to files, and run the built-in emulator. See README.md ("The pbi CLI") for the contract:
// subcommands, PBI_* variables, --json, exit codes.
#include "cli_diagnose.hpp"
#include "cli_settings.hpp"

#include <pbi/pbi.hpp>
#include <pbi/testing/emulator.hpp>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
  dashboards --workspace ID                  list a workspace's dashboards
  tiles --workspace ID --dashboard ID        list a dashboard's tiles
  datasets [--workspace ID]                  list datasets and their row-level-security flags
                                             (My workspace without --workspace)
  refresh-dataset --workspace ID --dataset ID
                                             start a dataset refresh; print its request id
  embed-token --workspace ID --report ID [--lifetime MINUTES]
                                             mint a View embed token for a report
  embed-token [--report ID]... [--dataset ID]... [--target-workspace ID]...
              [--workspace ID] [--identity USER[:ROLE,...]] [--access-level View|Edit|Create]
              [--lifetime MINUTES]
                                             one embed token for several reports and datasets
                                             (v2); --workspace: where the reports are, their
                                             datasets are added; --identity: row-level security
                                             on the --dataset ids, else the reports' datasets
  export [--workspace ID] --report ID --format PNG|PDF|PPTX|... -o FILE
         [--page NAME]... [--filter EXPR]... [--timeout SECONDS] [--poll-interval SECONDS]
                                             export a report to FILE (-o -: stdout), print its
                                             type and size, progress on stderr; PNG, PDF, PPTX
                                             (paginated: PDF, ACCESSIBLEPDF, PPTX, XLSX, DOCX,
                                             CSV, XML, MHTML, IMAGE); --page: a name `pages`
                                             lists; --filter "Store/Territory eq 'NC'";
                                             --timeout: deadline, default 600;
                                             --poll-interval: when Power BI sends no
                                             Retry-After, default 5
  emulator [--port N] [--ca-out FILE]        run the emulator until interrupted
  demo                                       the main job, narrated: sign in, list, embed
  diagnose                                   check the configuration step by step: tenant,
                                             realm, sign-in, a Power BI call, clock skew

options: --json (machine-readable stdout), --help (pbi COMMAND --help: that command's usage);
  each command takes the options shown with it, each once except those marked ...; a value
  follows its option (--workspace ID) or joins it (--workspace=ID), and is never empty
configuration: PBI_TENANT_ID, PBI_CLIENT_ID, PBI_CLIENT_SECRET, PBI_USERNAME, PBI_PASSWORD,
  PBI_CLOUD, PBI_AUTHORITY_HOST, PBI_API_BASE, PBI_CA_FILE. Without PBI_TENANT_ID the CLI
  starts the built-in emulator. Exit codes: 0 ok, 2 usage/configuration, 3 sign-in failed,
  4 Power BI error, 5 network/TLS failure.
)";

struct arguments {
    std::string command;
    std::map<std::string, std::string> values; // --workspace, --report, --port, ...: the last one given
    std::map<std::string, std::vector<std::string>> lists; // every value of each option, in order
    std::vector<std::string> given; // the options with a value, in the order first given
    bool json = false;
    bool show_token = false;
    bool help = false; // --help or -h (or the command `help`): usage, exit 0
};

/// Reads the command line into `a`: `--opt VALUE` and `--opt=VALUE` alike. A usage message for
/// the first argument that cannot be read (the rest are still read: --help wins over errors).
std::optional<std::string> parse_arguments(int argc, char** argv, arguments& a) {
    static const std::vector<std::string> with_value = {
        "--workspace",        "--report",       "--port",    "--ca-out",
        "--lifetime",         "--dashboard",    "--dataset", "--identity",
        "--target-workspace", "--access-level", "--format",  "--page",
        "--filter",           "--timeout",      "-o",        "--poll-interval"};
    std::optional<std::string> error;
    auto fail = [&error](std::string message) {
        if (!error)
            error = std::move(message);
    };
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        std::optional<std::string> inline_value; // --opt=VALUE
        if (arg.rfind("--", 0) == 0) {
            if (const auto eq = arg.find('='); eq != std::string::npos) {
                inline_value = arg.substr(eq + 1);
                arg.resize(eq);
            }
        }
        const bool takes_value = std::find(with_value.begin(), with_value.end(), arg) != with_value.end();
        if (inline_value && !takes_value && (arg == "--json" || arg == "--show-token" || arg == "--help")) {
            a.json = a.json || arg == "--json"; // the failure machine-readable, as asked
            fail(arg + " takes no value (got '" + arg + "=" + *inline_value + "')");
            continue;
        }
        if (arg == "--json")
            a.json = true;
        else if (arg == "--show-token")
            a.show_token = true;
        else if (arg == "--help" || arg == "-h")
            a.help = true;
        else if (takes_value) {
            std::string value;
            if (inline_value)
                value = *inline_value;
            else if (i + 1 >= argc || std::string_view(argv[i + 1]).rfind("--", 0) == 0) {
                fail(arg + " needs a value");
                continue;
            } else
                value = argv[++i];
            if (value.empty()) { // no option gives an empty value a meaning: leave the option out
                fail(arg + " needs a value, not an empty one");
                continue;
            }
            auto& values = a.lists[arg];
            if (values.empty())
                a.given.push_back(arg);
            a.values[arg] = value;
            values.push_back(value);
        } else if (arg.rfind("--", 0) == 0)
            fail("unknown option " + std::string(argv[i]));
        else if (a.command.empty())
            a.command = arg;
        else if (a.command == "help" && !a.help) { // `pbi help COMMAND`: as pbi COMMAND --help
            a.command = arg;
            a.help = true;
        } else
            fail("unexpected argument '" + arg + "'");
    }
    if (a.command == "help") { // `pbi help`: as --help
        a.command.clear();
        a.help = true;
    }
    if (error)
        return error;
    if (a.command.empty() && !a.help)
        return "no command given";
    return std::nullopt;
}

/// The usage lines of one command (its entries in usage_text), or "" for an unknown command.
std::string command_usage(std::string_view name) {
    std::string_view text = usage_text;
    const auto begin = text.find("commands:\n");
    const auto end = text.find("\n\n", begin);
    std::istringstream lines(std::string(text.substr(begin, end - begin)));
    std::string out;
    bool in_block = false;
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("  ", 0) != 0)
            continue;
        if (line.size() > 2 && line[2] != ' ') { // a command's first line
            const auto word = line.substr(2, line.find(' ', 2) - 2);
            in_block = word == name;
        }
        if (in_block)
            out += line + '\n';
    }
    return out;
}

/// What `pbi COMMAND --help` prints: the command's usage lines and the common options; every
/// command's usage (usage_text) for no command or an unknown one.
std::string help_for(std::string_view command) {
    const std::string lines = command_usage(command);
    if (lines.empty())
        return std::string(usage_text);
    return "usage: pbi " + std::string(command) + " [options]\n\n" + lines +
           "\noptions: --json (machine-readable stdout), --help; each option once except those marked ...;\n"
           "  --opt VALUE or --opt=VALUE. pbi --help: every command, the PBI_* variables and exit codes.\n";
}

/// A whole decimal number from `min` to `max` (no sign, space, unit or fraction), else nullopt.
std::optional<long long> whole_number(std::string_view text, long long min, long long max) {
    if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    long long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max)
        return std::nullopt;
    return value;
}

/// The options each command takes: once (`takes`) or repeated (`repeats`, shown with "..." in
/// the usage text). Any other option is a usage error naming it and the command.
struct command_spec {
    std::string_view name;
    std::vector<std::string_view> takes;
    std::vector<std::string_view> repeats;
};

const std::vector<command_spec>& command_specs() {
    static const std::vector<command_spec> specs = {
        {"token", {}, {}},
        {"workspaces", {}, {}},
        {"reports", {"--workspace"}, {}},
        {"report", {"--workspace", "--report"}, {}},
        {"pages", {"--workspace", "--report"}, {}},
        {"embed-token",
         {"--workspace", "--identity", "--access-level", "--lifetime"},
         {"--report", "--dataset", "--target-workspace"}},
        {"dashboards", {"--workspace"}, {}},
        {"tiles", {"--workspace", "--dashboard"}, {}},
        {"datasets", {"--workspace"}, {}},
        {"refresh-dataset", {"--workspace", "--dataset"}, {}},
        {"emulator", {"--port", "--ca-out"}, {}},
        {"demo", {}, {}},
        {"diagnose", {}, {}},
        {"export",
         {"--workspace", "--report", "--format", "-o", "--timeout", "--poll-interval"},
         {"--page", "--filter"}},
    };
    return specs;
}

const command_spec* find_command(std::string_view name) {
    for (const auto& spec : command_specs())
        if (spec.name == name)
            return &spec;
    return nullptr;
}

std::string printable(std::string_view text);

/// A usage message when `a` gives its command an option it does not take, or a single-valued
/// option twice (last-wins would silently drop a value).
std::optional<std::string> check_options(const arguments& a, const command_spec& spec) {
    auto has = [](const std::vector<std::string_view>& names, const std::string& name) {
        return std::find(names.begin(), names.end(), name) != names.end();
    };
    const std::string command(spec.name);
    for (const auto& name : a.given) {
        if (has(spec.repeats, name))
            continue;
        if (!has(spec.takes, name))
            return "pbi " + command + " does not take " + name + " (pbi --help lists each command's options)";
        const auto& values = a.lists.at(name);
        if (values.size() > 1)
            return name + " given twice ('" + printable(values[0]) + "', then '" + printable(values[1]) +
                   "'): pbi " + command + " takes it once";
    }
    if (a.show_token && spec.name != "token")
        return "pbi " + command + " does not take --show-token (only pbi token does)";
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

/// The most bytes of one server-provided text the CLI prints (a server may send 100 KB). Above the
/// SDK's own cut of a server's message (its first line, 2000 bytes and "..."), so that text passes
/// through unchanged; this cut is for what the SDK does not bound (a header's id, ...).
constexpr std::size_t max_server_text = 4096;

/// Server-provided text made safe to print: control characters (terminal escapes, line breaks;
/// C0, DEL and C1) replaced by '?', and at most max_server_text bytes (cut at a character
/// boundary), followed by " [... N more bytes]" when cut.
std::string printable(std::string_view text) {
    std::size_t keep = text.size();
    if (keep > max_server_text) {
        keep = max_server_text;
        while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xc0) == 0x80)
            --keep; // not inside a UTF-8 sequence
    }
    std::string out;
    out.reserve(keep + 32);
    for (std::size_t i = 0; i < keep; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            out += '?';
        } else if (c == 0xc2 && i + 1 < keep && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
            out += '?'; // U+0080..U+009F, e.g. the one-byte CSI
            ++i;
        } else {
            out += static_cast<char>(c);
        }
    }
    if (keep < text.size())
        out += " [... " + std::to_string(text.size() - keep) + " more bytes]";
    return out;
}

/// The SDK's hints name its own API (effective_identity, call_options, tls_options, ...); the
/// CLI's output names what a CLI user can change instead. `export_command`: `pbi export`, whose
/// deadline is --timeout (other commands' calls have the SDK's 30 s).
std::string cli_words(std::string text, bool export_command) {
    const std::pair<std::string_view, std::string_view> rules[] = {
        {"add an effective_identity (username, roles) whose datasets list that dataset",
         "give --identity USER[:ROLE,...] (it applies to the --dataset ids, else to the reports' datasets, "
         "found with --workspace)"},
        {"remove that dataset from the identity's datasets (or the identity itself)",
         "leave out --identity, or name with --dataset only datasets that use row-level security"},
        {"(export_options::max_resubmits)", "(pbi export resubmits a job once)"},
        {"raise export_options::max_file_bytes (the whole file is held in memory), or download", "download"},
        {"export_options::max_file_bytes", "the CLI's file size limit"},
        {"export_options::call", "--timeout SECONDS"},
        {"raise max_connections_per_origin or allow more time in call_options",
         export_command ? "allow more time with --timeout SECONDS" : "try again later"},
        {"allow more time in call_options",
         export_command ? "allow more time with --timeout SECONDS" : "try again later (each call has 30 s)"},
        {"give the call a longer deadline (call_options)",
         export_command ? "give the export a longer --timeout" : "try again later"},
        {"with tls_options::extra_ca_pem or extra_ca_files, e.g. from PBI_CA_FILE",
         "in a PEM file named by PBI_CA_FILE"},
        {"of the CA certificate in tls_options", "of the CA certificate in PBI_CA_FILE"},
        {"raise http::client_options::limits.max_body_bytes, or call_options::max_response_bytes for this "
         "call",
         "the CLI accepts no larger answer"},
        {"(HTTPS_PROXY / proxy_config)", "(HTTPS_PROXY)"},
        {", or in proxy_server::username and password", ""},
        {"as list_pages() gives it", "as pbi pages lists it"},
    };
    for (const auto& [sdk, cli] : rules)
        for (auto at = text.find(sdk); at != std::string::npos; at = text.find(sdk, at + cli.size()))
            text.replace(at, sdk.size(), cli);
    return text;
}

/// The diagnostics as the CLI prints them: hints in the CLI's words, every text printable and
/// bounded (printable()).
diagnostics for_display(const diagnostics& raw, bool export_command) {
    diagnostics d = raw;
    d.message = cli_words(std::move(d.message), export_command);
    d.hint = cli_words(std::move(d.hint), export_command);
    for (auto* text :
         {&d.error, &d.suberror, &d.trace_id, &d.correlation_id, &d.claims, &d.request_id,
          &d.powerbi_error_info, &d.client_request_id, &d.proxy, &d.server_message, &d.message, &d.hint})
        *text = printable(*text);
    for (auto& w : d.warnings)
        w = printable(w);
    return d;
}

/// Prints the --json failure object of a failure that has no SDK diagnostics (a usage error, an
/// emulator that cannot start, an interrupted export): the keys every failure object has.
void print_json_failure(const std::string& error, const std::string& error_text, std::error_code ec,
                        pbi::failure_source source, const std::string& message, const std::string& hint) {
    std::cout << json::serialize(json::object{{"ok", false},
                                              {"failure", json::object{{"error", error},
                                                                       {"error_text", error_text},
                                                                       {"category", ec.category().name()},
                                                                       {"code", ec.value()},
                                                                       {"source", pbi::to_string(source)},
                                                                       {"message", message},
                                                                       {"hint", hint}}}})
              << std::endl;
}

constexpr std::string_view help_hint =
    "pbi --help lists the commands, pbi COMMAND --help a command's options";

/// A usage or configuration error: stderr, plus the --json failure object on stdout (error
/// "usage", the code of pbi::errc::invalid_argument). `hint`: what to do, else help_hint.
int usage_error(bool json_output, const std::string& message, std::string_view usage = {},
                std::string_view hint = help_hint) {
    std::cerr << "pbi: " << message << '\n';
    if (!usage.empty())
        std::cerr << '\n' << usage;
    if (json_output)
        print_json_failure("usage", "usage or configuration error", pbi::errc::invalid_argument,
                           pbi::failure_source::none, message, std::string(hint));
    return exit_usage;
}

constexpr std::string_view configuration_hint =
    "pbi --help lists the PBI_* variables; unset PBI_TENANT_ID to use the built-in emulator";

int exit_code_for(std::error_code ec, const diagnostics& d) {
    if (d.source == pbi::failure_source::transport || ec == pbi::condition::transport)
        return exit_transport;
    if (d.source == pbi::failure_source::entra)
        return exit_sign_in;
    // Power BI's answer (the report's type, the job's status) says no, even when the SDK is the
    // one that refuses.
    if (ec == pbi::errc::export_format_not_supported || ec == pbi::errc::export_failed)
        return exit_powerbi;
    if (d.source == pbi::failure_source::powerbi)
        return exit_powerbi;
    if (ec == pbi::condition::configuration)
        return exit_usage;
    return exit_transport;
}

/// Prints a failure (stderr always; stdout as JSON with --json) and returns the exit code.
/// `export_id`: the job of an export that failed after it was submitted.
int report_failure(const arguments& args, const char* what, std::error_code ec, const diagnostics& raw,
                   const std::string& export_id = std::string()) {
    const diagnostics d = for_display(raw, args.command == "export");
    const std::string message = d.message.empty() ? ec.message() : d.message;
    if (message.rfind(what, 0) == 0) // "sign-in failed: ..." already says what failed
        std::cerr << "pbi: " << message << '\n';
    else
        std::cerr << "pbi: " << what << " failed: " << message << '\n';
    std::cerr << "  error: " << pbi::error_name(ec) << " (" << ec.message() << ")\n";
    if (!export_id.empty())
        std::cerr << "  export id: " << printable(export_id) << '\n';
    std::ostringstream details;
    details << d; // every text field already printable() (one line each, bounded)
    std::istringstream lines(details.str());
    for (std::string line; std::getline(lines, line);)
        if (line.rfind("message:", 0) != 0)
            std::cerr << "  " << line << '\n';
    if (args.json) {
        // Absent facts are left out, as http_status and the ids always were.
        json::object err{{"error", pbi::error_name(ec)},
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
        if (!d.suberror.empty())
            err["server_suberror"] = d.suberror;
        if (!d.server_message.empty())
            err["server_message"] = d.server_message;
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
        if (!d.powerbi_error_info.empty())
            err["powerbi_error_info"] = d.powerbi_error_info;
        if (!d.client_request_id.empty())
            err["client_request_id"] = d.client_request_id;
        if (d.attempts)
            err["attempts"] = d.attempts;
        if (d.retry_after)
            err["retry_after_seconds"] = d.retry_after->count();
        if (!export_id.empty())
            err["export_id"] = printable(export_id);
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

/// Reads the numeric option `name` into `out` (left as is when the option is not given): the whole
/// value a decimal number from `min` to `max`, else a usage message.
template <class Number>
std::optional<std::string> number_option(const arguments& a, const char* name, const char* unit,
                                         long long min, long long max, Number& out) {
    const auto text = required(a, name);
    if (!text)
        return std::nullopt;
    if (const auto n = whole_number(*text, min, max)) {
        out = static_cast<Number>(*n);
        return std::nullopt;
    }
    const std::string range = max == std::numeric_limits<int>::max()
                                  ? ", " + std::to_string(min) + " or more"
                                  : " from " + std::to_string(min) + " to " + std::to_string(max);
    return std::string(name) + " must be a whole number" + (*unit ? std::string(" of ") + unit : "") + range +
           " (got '" + printable(*text) + "')";
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

json::object to_json(const pbi::powerbi::dashboard& d) {
    return json::object{{"id", d.id},
                        {"displayName", d.display_name},
                        {"isReadOnly", d.is_read_only},
                        {"webUrl", d.web_url},
                        {"embedUrl", d.embed_url}};
}

json::object to_json(const pbi::powerbi::tile& t) {
    json::object o{{"id", t.id},
                   {"title", t.title},
                   {"embedUrl", t.embed_url},
                   {"rowSpan", t.row_span},
                   {"colSpan", t.col_span}};
    if (t.report_id)
        o["reportId"] = *t.report_id;
    if (t.dataset_id)
        o["datasetId"] = *t.dataset_id;
    return o;
}

json::object to_json(const pbi::powerbi::dataset& d) {
    json::object o{{"id", d.id},
                   {"name", d.name},
                   {"isRefreshable", d.is_refreshable},
                   {"isEffectiveIdentityRequired", d.is_effective_identity_required},
                   {"isEffectiveIdentityRolesRequired", d.is_effective_identity_roles_required}};
    if (d.configured_by)
        o["configuredBy"] = *d.configured_by;
    if (d.web_url)
        o["webUrl"] = *d.web_url;
    return o;
}

json::array to_json(const std::vector<std::string>& ids) {
    json::array a;
    for (const auto& id : ids)
        a.push_back(json::string(id));
    return a;
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

asio::awaitable<int> run_dashboards(session& s, const arguments& a, std::string workspace) {
    diagnostics d;
    auto op =
        s.powerbi.async_list_dashboards(workspace, d, asio::experimental::as_tuple(asio::use_awaitable));
    auto [ec, list] = co_await std::move(op);
    if (ec)
        co_return report_failure(a, "listing dashboards", ec, d);
    if (a.json) {
        json::array arr;
        for (auto& db : list)
            arr.push_back(to_json(db));
        std::cout << json::serialize(json::object{{"ok", true}, {"dashboards", std::move(arr)}}) << '\n';
    } else {
        for (auto& db : list)
            std::cout << db.id << "  " << printable(db.display_name)
                      << (db.is_read_only ? "  (read-only)" : "") << '\n';
        std::cout << list.size() << " dashboard(s) in " << workspace << '\n';
    }
    co_return exit_ok;
}

asio::awaitable<int> run_tiles(session& s, const arguments& a, pbi::powerbi::dashboard_ref ref) {
    using asio::experimental::as_tuple;
    diagnostics d;
    auto get = s.powerbi.async_get_dashboard(ref, d, as_tuple(asio::use_awaitable));
    auto [dec, dashboard] = co_await std::move(get);
    if (dec)
        co_return report_failure(a, "getting the dashboard", dec, d);
    auto list = s.powerbi.async_list_tiles(ref, d, as_tuple(asio::use_awaitable));
    auto [ec, tiles] = co_await std::move(list);
    if (ec)
        co_return report_failure(a, "listing tiles", ec, d);
    if (a.json) {
        json::array arr;
        for (auto& t : tiles)
            arr.push_back(to_json(t));
        std::cout << json::serialize(json::object{
                         {"ok", true}, {"dashboard", to_json(dashboard)}, {"tiles", std::move(arr)}})
                  << '\n';
    } else {
        for (auto& t : tiles) {
            std::cout << t.id << "  " << (t.title.empty() ? "(untitled)" : printable(t.title)) << "  "
                      << t.row_span << "x" << t.col_span;
            if (t.report_id)
                std::cout << "  report " << *t.report_id;
            if (t.dataset_id)
                std::cout << "  dataset " << *t.dataset_id;
            std::cout << '\n';
        }
        std::cout << tiles.size() << " tile(s) on dashboard '" << printable(dashboard.display_name) << "'\n";
    }
    co_return exit_ok;
}

/// The row-level-security flags of a dataset, in words.
std::string rls_words(const pbi::powerbi::dataset& ds) {
    if (ds.is_effective_identity_roles_required)
        return "RLS: identity and roles required";
    if (ds.is_effective_identity_required)
        return "RLS: identity required";
    return "no RLS";
}

asio::awaitable<int> run_datasets(session& s, const arguments& a) {
    diagnostics d;
    auto ws = required(a, "--workspace").value_or("");
    auto op = s.powerbi.async_list_datasets(ws, d, asio::experimental::as_tuple(asio::use_awaitable));
    auto [ec, list] = co_await std::move(op);
    if (ec)
        co_return report_failure(a, "listing datasets", ec, d);
    if (a.json) {
        json::array arr;
        for (auto& ds : list)
            arr.push_back(to_json(ds));
        std::cout << json::serialize(json::object{{"ok", true}, {"datasets", std::move(arr)}}) << '\n';
    } else {
        for (auto& ds : list)
            std::cout << ds.id << "  " << printable(ds.name) << "  (" << rls_words(ds)
                      << (ds.is_refreshable ? "; refreshable" : "") << ")\n";
        std::cout << list.size() << " dataset(s) in " << (ws.empty() ? "My workspace" : ws) << '\n';
    }
    co_return exit_ok;
}

asio::awaitable<int> run_refresh_dataset(session& s, const arguments& a, pbi::powerbi::dataset_ref ref) {
    diagnostics d;
    auto op = s.powerbi.async_refresh_dataset(ref, d, asio::experimental::as_tuple(asio::use_awaitable));
    auto [ec, started] = co_await std::move(op);
    if (ec)
        co_return report_failure(a, "starting the refresh", ec, d);
    if (a.json) {
        json::object o{{"ok", true}, {"requestId", started.request_id}, {"location", nullptr}};
        if (started.location)
            o["location"] = *started.location;
        std::cout << json::serialize(o) << '\n';
    } else {
        std::cout << "refresh accepted (202) for dataset " << ref.dataset_id << '\n'
                  << "request id: " << (started.request_id.empty() ? "(none)" : started.request_id) << '\n'
                  << "location: "
                  << (started.location ? printable(*started.location)
                                       : "(none: find the refresh in the history by its request id)")
                  << '\n';
    }
    co_return exit_ok;
}

/// What `pbi embed-token` will ask for, checked before anything is sent. One report in one
/// workspace (and no dataset or target workspace) is the v1 report token; anything else is v2.
struct embed_plan {
    bool v2 = false;
    pbi::powerbi::report_ref ref;            // v1
    pbi::powerbi::generate_token_request v1; // v1 body (identity datasets filled at run time)
    pbi::powerbi::generate_token_v2_request v2_body;
    std::string workspace;                      // v2: where the reports are looked up ("" = not)
    std::vector<std::string> explicit_datasets; // v2: the --dataset ids (an identity applies to them)
    std::optional<pbi::powerbi::effective_identity> identity;
};

/// Fills `plan` from the arguments; a usage message when they do not make a request.
std::optional<std::string> plan_embed_token(const arguments& a, embed_plan& plan) {
    auto list = [&](const char* name) {
        auto it = a.lists.find(name);
        return it == a.lists.end() ? std::vector<std::string>() : it->second;
    };
    const auto reports = list("--report"), datasets = list("--dataset"), targets = list("--target-workspace");
    const auto workspace = required(a, "--workspace");
    for (const auto* l : {&reports, &datasets, &targets})
        for (const auto& id : *l)
            if (id.empty())
                return std::string("embed-token: an empty id was given");
    if (reports.empty() && datasets.empty())
        return std::string(
            "embed-token needs --workspace ID and --report ID, or --report/--dataset IDs (v2)");
    plan.v2 = !(workspace && reports.size() == 1 && datasets.empty() && targets.empty());

    std::optional<int> lifetime;
    if (required(a, "--lifetime")) {
        int minutes = 0;
        if (auto err = number_option(a, "--lifetime", "minutes", 1, std::numeric_limits<int>::max(), minutes))
            return err;
        lifetime = minutes;
    }
    std::string level = "View";
    if (auto l = required(a, "--access-level")) {
        std::string lower;
        for (char c : *l)
            lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower == "view")
            level = "View";
        else if (lower == "edit")
            level = "Edit";
        else if (lower == "create")
            level = "Create";
        else
            return std::string("--access-level must be View, Edit or Create");
    }
    if (auto ids = list("--identity"); !ids.empty()) { // given once (check_options)
        const auto& spec = ids.front();
        pbi::powerbi::effective_identity identity;
        const auto colon = spec.find(':');
        identity.username = spec.substr(0, colon);
        if (identity.username.empty())
            return std::string("--identity needs a user name: USER[:ROLE1,ROLE2]");
        if (colon != std::string::npos) {
            // "USER:", "USER:a,,b" and "USER:a, " are typing mistakes, not requests for no role;
            // spaces around a role are dropped ("a, b"), those inside kept ("Floor 2").
            const std::string roles = spec.substr(colon + 1) + ',';
            for (std::size_t at = 0, comma; (comma = roles.find(',', at)) != std::string::npos;
                 at = comma + 1) {
                std::string_view role = std::string_view(roles).substr(at, comma - at);
                role.remove_prefix(std::min(role.size(), role.find_first_not_of(' ')));
                role.remove_suffix(role.size() - (role.find_last_not_of(' ') + 1)); // npos + 1 == 0
                if (role.empty())
                    return "--identity has an empty role name (role " +
                           std::to_string(identity.roles.size() + 1) + "): USER[:ROLE1,ROLE2]";
                identity.roles.emplace_back(role);
            }
        }
        plan.identity = std::move(identity);
    }

    // Both paths: a --target-workspace makes the request a v2 one.
    if (level == "Create" && targets.empty())
        return std::string("--access-level Create needs --target-workspace ID (where new content is saved)");
    if (!plan.v2) {
        plan.ref = {*workspace, reports.front()};
        plan.v1.access_level = level;
        plan.v1.lifetime_in_minutes = lifetime;
        return std::nullopt;
    }
    if (plan.identity && datasets.empty() && !workspace)
        return std::string("--identity needs --dataset IDs, or --workspace ID to find the reports' datasets");
    for (const auto& id : reports)
        plan.v2_body.reports.push_back({id, level != "View"});
    plan.v2_body.datasets = datasets;
    plan.explicit_datasets = datasets;
    plan.v2_body.target_workspaces = targets;
    plan.v2_body.lifetime_in_minutes = lifetime;
    plan.workspace = workspace.value_or("");
    return std::nullopt;
}

void print_embed_token(const arguments& a, const pbi::powerbi::embed_token& t, json::object extra = {}) {
    if (a.json) {
        json::object o{{"ok", true},
                       {"token", t.token.reveal()},
                       {"tokenId", t.token_id},
                       {"expiration", iso_time(t.expiration)}};
        for (auto& kv : extra)
            o[kv.key()] = kv.value();
        std::cout << json::serialize(o) << '\n';
    } else {
        std::cout << "embed token (id " << t.token_id << ", expires " << iso_time(t.expiration) << "):\n"
                  << t.token.reveal() << '\n';
    }
}

asio::awaitable<int> run_embed_token_v1(session& s, const arguments& a, embed_plan plan) {
    using asio::experimental::as_tuple;
    diagnostics d;
    if (plan.identity) { // the identity applies to the report's dataset
        auto get = s.powerbi.async_get_report(plan.ref, d, as_tuple(asio::use_awaitable));
        auto [rec, report] = co_await std::move(get);
        if (rec)
            co_return report_failure(a, "getting the report", rec, d);
        if (report.dataset_id)
            plan.identity->datasets.push_back(*report.dataset_id);
        plan.v1.identities.push_back(*plan.identity);
    }
    auto op = s.powerbi.async_generate_report_token(plan.ref, plan.v1, d, as_tuple(asio::use_awaitable));
    auto [ec, t] = co_await std::move(op);
    if (ec)
        co_return report_failure(a, "generating the embed token", ec, d);
    if (!plan.identity) { // the v1 output, exactly as it always was
        print_embed_token(a, t);
        co_return exit_ok;
    }
    // With --identity: say which identity the token carries, as the v2 output does.
    const auto& identity = *plan.identity;
    json::object extra;
    if (a.json)
        extra["identity"] = json::object{{"username", identity.username},
                                         {"roles", to_json(identity.roles)},
                                         {"datasets", to_json(identity.datasets)}};
    print_embed_token(a, t, std::move(extra));
    if (!a.json) {
        std::cout << "identity '" << printable(identity.username) << "'";
        if (!identity.roles.empty()) {
            std::cout << " with role(s) ";
            for (std::size_t i = 0; i < identity.roles.size(); ++i)
                std::cout << (i ? ", " : "") << printable(identity.roles[i]);
        }
        std::cout << " on " << identity.datasets.size() << " dataset(s)";
        for (std::size_t i = 0; i < identity.datasets.size(); ++i)
            std::cout << (i ? ", " : ": ") << identity.datasets[i];
        std::cout << '\n';
    }
    co_return exit_ok;
}

asio::awaitable<int> run_embed_token_v2(session& s, const arguments& a, embed_plan plan) {
    using asio::experimental::as_tuple;
    diagnostics d;
    auto& body = plan.v2_body;
    // The reports' datasets: Power BI expects them in `datasets`, and an identity without
    // --dataset applies to them.
    std::vector<std::string> report_datasets;
    if (!plan.workspace.empty()) {
        for (const auto& r : body.reports) {
            const pbi::powerbi::report_ref ref{plan.workspace, r.id};
            auto get = s.powerbi.async_get_report(ref, d, as_tuple(asio::use_awaitable));
            auto [rec, report] = co_await std::move(get);
            if (rec)
                co_return report_failure(a, "getting the report", rec, d);
            if (!report.dataset_id)
                continue; // a paginated report
            const std::string dataset_id = *report.dataset_id;
            auto add = [&dataset_id](std::vector<std::string>& ids) {
                for (const auto& id : ids)
                    if (pbi::powerbi::same_id(id, dataset_id))
                        return;
                ids.push_back(dataset_id);
            };
            add(report_datasets);
            add(body.datasets);
        }
    }
    json::object extra;
    if (plan.identity) {
        plan.identity->datasets = plan.explicit_datasets.empty() ? report_datasets : plan.explicit_datasets;
        body.identities.push_back(*plan.identity);
    }
    auto op = s.powerbi.async_generate_token(body, d, as_tuple(asio::use_awaitable));
    auto [ec, t] = co_await std::move(op);
    if (ec)
        co_return report_failure(a, "generating the embed token", ec, d);
    std::vector<std::string> report_ids;
    for (const auto& r : body.reports)
        report_ids.push_back(r.id);
    if (a.json) {
        extra["reports"] = to_json(report_ids);
        extra["datasets"] = to_json(body.datasets);
        extra["targetWorkspaces"] = to_json(body.target_workspaces);
        if (plan.identity)
            extra["identity"] = json::object{{"username", plan.identity->username},
                                             {"roles", to_json(plan.identity->roles)},
                                             {"datasets", to_json(plan.identity->datasets)}};
    }
    print_embed_token(a, t, std::move(extra));
    if (!a.json) {
        std::cout << "covers " << report_ids.size() << " report(s), " << body.datasets.size()
                  << " dataset(s), " << body.target_workspaces.size() << " target workspace(s)";
        if (plan.identity)
            std::cout << "; identity '" << printable(plan.identity->username) << "' on "
                      << plan.identity->datasets.size() << " dataset(s)";
        std::cout << '\n';
    }
    co_return exit_ok;
}

/// What `pbi export` will ask for, checked before anything is sent.
struct export_plan {
    pbi::powerbi::export_request request;
    std::chrono::seconds timeout{std::chrono::minutes(10)};
    std::chrono::seconds poll_interval{5}; ///< without a Retry-After; the SDK's default
    std::string output;                    ///< a file as given, or "-" for stdout
    std::string target; ///< the file written: `output`, or the regular file a symlink `output` names
    /// target + ".tmp", created (exclusively) by plan_export; empty for stdout. Removed on failure.
    std::string probe;
    int probe_fd = -1; ///< open for writing: the file is written to what this process created
    std::string hint;  ///< for a usage error about the output
};

/// What kind of file `mode` is, in words, for a refusal.
std::string file_kind(mode_t mode) {
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISDIR(mode))
        return "a directory";
    return "a special file";
}

/// Checks that the export can be written to `plan.output` before it runs, and creates the file it
/// is first written to (`FILE.tmp`), exclusively: a directory, a device, FIFO or socket, a missing
/// directory, a "directory" that is a file, a name too long, a read-only place (/proc), an existing
/// FILE.tmp all show here. A symlink to a regular file is followed: the export replaces that file
/// and the link stays. Sets target, probe and probe_fd; nullopt when FILE.tmp was created.
std::optional<std::string> prepare_output(export_plan& plan) {
    namespace fs = std::filesystem;
    const std::string& path = plan.output;
    const std::string where = "cannot write the export to '" + path + "': ";
    plan.hint = "choose another -o FILE, or -o - to write to stdout (which can be redirected anywhere)";
    std::error_code ec;
    plan.target = path;
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (S_ISLNK(st.st_mode)) {
            struct stat to {};
            if (::stat(path.c_str(), &to) != 0)
                return where + "it is a symbolic link to a missing or unreachable file";
            if (S_ISDIR(to.st_mode))
                return where + "it is a directory";
            if (!S_ISREG(to.st_mode))
                return where + "it is a symbolic link to " + file_kind(to.st_mode) +
                       ", not a regular file; use -o - to write to stdout and redirect it";
            plan.target = fs::canonical(path, ec).string();
            if (ec)
                return where + "cannot follow the symbolic link: " + ec.message();
        } else if (S_ISDIR(st.st_mode)) {
            return where + "it is a directory";
        } else if (!S_ISREG(st.st_mode)) {
            return where + "it is " + file_kind(st.st_mode) +
                   ", not a regular file; use -o - to write to stdout and redirect it";
        }
    }
    fs::path dir = fs::path(plan.target).parent_path();
    if (dir.empty())
        dir = ".";
    // The nearest ancestor that exists says whether a directory is missing or is a file.
    for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
        const auto pst = fs::status(p, ec);
        if (fs::exists(pst)) {
            if (!fs::is_directory(pst))
                return where + "'" + p.string() + "' is not a directory";
            if (p != dir)
                return where + "the directory '" + dir.string() + "' does not exist";
            break;
        }
        if (p == p.parent_path())
            break;
    }
    // Exclusively, never through a symlink: an existing FILE.tmp (another export's, a planted
    // link) is neither truncated, followed nor removed.
    const std::string tmp = plan.target + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
        const int err = errno;
        if (err == EEXIST) {
            plan.hint = "remove '" + tmp + "' (left by an export that was killed?) or choose another -o FILE";
            return where + "cannot create '" + tmp + "': it exists; remove it or choose another -o";
        }
        if (err == ENOENT && !fs::exists(dir, ec))
            return where + "the directory '" + dir.string() + "' does not exist";
        return where + "cannot create '" + tmp + "': " + std::strerror(err);
    }
    plan.probe = tmp;
    plan.probe_fd = fd;
    return std::nullopt;
}

/// Fills `plan` from the arguments; a usage message when they do not make an export.
std::optional<std::string> plan_export(const arguments& a, export_plan& plan) {
    auto report = required(a, "--report");
    auto format = required(a, "--format");
    auto output = required(a, "-o");
    if (!report || !format || !output)
        return std::string("export needs --report ID, --format FORMAT and -o FILE (--workspace ID: "
                           "where the report is, else My workspace)");
    auto parsed = pbi::powerbi::parse_export_format(*format);
    if (!parsed)
        return "--format must be PNG, PDF or PPTX (Power BI reports), or PDF, ACCESSIBLEPDF, PPTX, XLSX, "
               "DOCX, CSV, XML, MHTML or IMAGE (paginated reports); got '" +
               printable(*format) + "'";
    auto& r = plan.request;
    r.report = {required(a, "--workspace").value_or(""), *report};
    r.format = *parsed;
    if (auto it = a.lists.find("--page"); it != a.lists.end())
        for (const auto& name : it->second) {
            if (name.empty())
                return std::string("--page needs a page name, as `pbi pages` lists it");
            r.pages.push_back({name, std::nullopt, std::nullopt});
        }
    if (auto it = a.lists.find("--filter"); it != a.lists.end())
        for (const auto& filter : it->second) {
            if (filter.empty())
                return std::string("--filter needs an expression, e.g. \"Store/Territory eq 'NC'\"");
            r.report_level_filters.push_back(filter);
        }
    long long timeout = plan.timeout.count(), poll_interval = plan.poll_interval.count();
    if (auto err = number_option(a, "--timeout", "seconds", 1, 24 * 3600, timeout))
        return err;
    if (auto err = number_option(a, "--poll-interval", "seconds", 1, 600, poll_interval))
        return err;
    plan.timeout = std::chrono::seconds(timeout);
    plan.poll_interval = std::chrono::seconds(poll_interval);
    // No status poll could come before the deadline (without a shorter Retry-After from Power
    // BI): the job would be submitted only to time out.
    if (plan.timeout <= plan.poll_interval)
        return "--timeout " + std::to_string(plan.timeout.count()) +
               " s is not longer than the poll interval (--poll-interval " +
               std::to_string(plan.poll_interval.count()) + " s" +
               (required(a, "--poll-interval") ? "" : ", the default") +
               "): the export would time out before its first status poll; give a longer --timeout or a "
               "shorter --poll-interval";
    plan.output = *output;
    if (plan.output == "-") {
        if (a.json)
            return std::string("-o - writes the file to stdout, where --json writes its result: use one");
        return std::nullopt;
    }
    return prepare_output(plan);
}

/// Writes `bytes` to plan.target through plan.probe (FILE.tmp, created and opened by
/// prepare_output) and a rename, so that the file is either whole or untouched (also when the
/// process is killed); an error message when it cannot.
/// On success plan.probe is cleared (the file is no longer FILE.tmp); on failure main removes it.
std::optional<std::string> write_whole_file(export_plan& plan, const std::string& bytes) {
    const std::string tmp = plan.probe;
    const int fd = plan.probe_fd;
    plan.probe_fd = -1;
    auto fail = [&](const std::string& what) {
        return what + ": " + std::strerror(errno);
    };
    for (std::size_t done = 0; done < bytes.size();) {
        const auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            auto message = fail("cannot write '" + tmp + "'");
            ::close(fd);
            return message;
        }
        done += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    if (::close(fd) != 0 || !synced)
        return fail("cannot write '" + tmp + "'");
    // What was checked before the export may have changed while it ran: still never rename over
    // a directory, device, FIFO or socket.
    struct stat st {};
    if (::lstat(plan.target.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
        return "'" + plan.target + "' is now " + file_kind(st.st_mode) + ", not a regular file; not replaced";
    if (std::rename(tmp.c_str(), plan.target.c_str()) != 0)
        return fail("cannot rename '" + tmp + "' to '" + plan.target + "'");
    plan.probe.clear();
    return std::nullopt;
}

/// `pbi export`: the export's progress on stderr while it polls, then the file at plan.output
/// and its type and size (stdout; stderr when the file itself goes to stdout).
/// `plan` is main's: write_whole_file clears its probe once renamed (main must not remove it).
asio::awaitable<int> run_export(session& s, const arguments& a, export_plan& plan) {
    using asio::experimental::as_tuple;
    const auto& r = plan.request;
    std::cerr << "pbi: exporting report " << printable(r.report.report_id) << " to "
              << pbi::powerbi::to_string(r.format) << " (deadline " << plan.timeout.count() << " s)\n";
    pbi::powerbi::export_options options;
    options.call.timeout = plan.timeout;
    // Used when Power BI sends no Retry-After (the 202 of ExportTo may have none).
    options.poll_interval = plan.poll_interval;
    options.on_progress = [](const pbi::powerbi::export_progress& p) {
        std::cerr << "pbi: export " << printable(p.export_id) << ": " << pbi::powerbi::to_string(p.state)
                  << ' ' << p.percent_complete << " % (attempt " << p.attempt << ", poll " << p.poll << ")\n";
    };
    diagnostics d;
    auto op = pbi::powerbi::async_export_report(s.powerbi, plan.request, std::move(options), d,
                                                as_tuple(asio::use_awaitable));
    auto [ec, file] = co_await std::move(op);
    if (ec) // after the submission, `file` names the job (its export_id)
        co_return report_failure(a, "exporting the report", ec, d, file.export_id);

    if (plan.output == "-") {
        std::cout.write(file.bytes.data(), static_cast<std::streamsize>(file.bytes.size()));
        std::cout.flush();
        if (!std::cout) {
            std::cerr << "pbi: cannot write the export to stdout\n";
            co_return exit_usage;
        }
    } else if (auto problem = write_whole_file(plan, file.bytes)) {
        co_return usage_error(a.json, "cannot write the export: " + *problem, {},
                              "choose another -o FILE, or -o - to write to stdout");
    }
    if (a.json) {
        std::cout << json::serialize(json::object{{"ok", true},
                                                  {"path", plan.output},
                                                  {"content_type", file.content_type},
                                                  {"bytes", file.bytes.size()},
                                                  {"file_extension", file.file_extension},
                                                  {"is_zip", file.is_zip},
                                                  {"export_id", file.export_id},
                                                  {"attempts", file.attempts},
                                                  {"polls", file.polls}})
                  << '\n';
        co_return exit_ok;
    }
    std::ostream& out = plan.output == "-" ? std::cerr : std::cout;
    out << "wrote " << (plan.output == "-" ? std::string("stdout") : plan.output) << ": "
        << (file.content_type.empty() ? std::string("(no content type)") : printable(file.content_type))
        << ", " << file.bytes.size() << " bytes"
        << (file.file_extension.empty() ? std::string() : " (" + printable(file.file_extension) + ")")
        << '\n';
    out << "export " << printable(file.export_id) << ": " << file.attempts << " submission(s), " << file.polls
        << " poll(s)\n";
    if (file.is_zip) {
        out << "note: a PNG export of several pages is a zip archive of one PNG per page";
        const auto zip = std::filesystem::path(plan.output).replace_extension(".zip").string();
        if (plan.output != "-" && zip != plan.output)
            out << "; name it " << zip << " (or export one --page for a single PNG)";
        out << '\n';
    }
    co_return exit_ok;
}

/// The demo found nothing to show: stderr, plus the --json failure object (error
/// "nothing_to_embed"); exit 4, as Power BI's answer is what stops it.
int demo_cannot_continue(const arguments& a, const std::string& message, const std::string& hint) {
    std::cerr << "pbi: " << message << "\n  hint: " << hint << '\n';
    if (a.json)
        print_json_failure("nothing_to_embed", "nothing to embed", pbi::errc::entity_not_found,
                           pbi::failure_source::powerbi, printable(message), hint);
    return exit_powerbi;
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
    if (workspaces.empty())
        co_return demo_cannot_continue(
            a, "the identity sees no workspace; nothing to embed",
            "add the user or the service principal to a workspace (Member or Admin)");

    const auto& ws = workspaces.front();
    say("3. Listing reports in '" + ws.name + "'...");
    auto [rec, reports] = co_await s.powerbi.async_list_reports(ws.id, d, as_tuple(asio::use_awaitable));
    if (rec)
        co_return report_failure(a, "listing reports", rec, d);
    for (auto& r : reports)
        say("   - " + r.name + " [" + r.report_type + "]");
    auto it = std::find_if(reports.begin(), reports.end(), [](auto& r) { return !r.is_paginated(); });
    if (it == reports.end())
        co_return demo_cannot_continue(a, "workspace '" + ws.name + "' has no Power BI report to embed",
                                       "publish a Power BI report to that workspace (paginated reports "
                                       "are not embedded by the demo)");
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
    say("For many screens, see examples/signage_host.cpp (build target signage_host).");
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
    for (auto& step : report.steps) { // the SDK's hints in the CLI's words
        step.detail = cli_words(std::move(step.detail), false);
        step.hint = cli_words(std::move(step.hint), false);
    }
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

/// The emulator could not start (its port is taken, no socket, ...): stderr, plus the --json
/// failure object; exit 5, as a network failure.
int emulator_failure(bool json_output, const std::exception& e) {
    const std::string message = std::string("the emulator could not start: ") + e.what();
    std::cerr << "pbi: " << message << '\n';
    if (json_output) {
        std::error_code ec = std::make_error_code(std::errc::io_error);
        if (const auto* se = dynamic_cast<const std::system_error*>(&e))
            ec = se->code();
        const bool in_use = ec == std::errc::address_in_use || ec.value() == EADDRINUSE;
        print_json_failure(pbi::error_name(ec), ec.message(), ec, pbi::failure_source::transport, message,
                           in_use ? "choose another --port, or --port 0 for any free one" : "");
    }
    return exit_transport;
}

int run_emulator(const arguments& a) {
    pbi::testing::emulator_options o;
    if (auto err = number_option(a, "--port", "", 0, 65535, o.port))
        return usage_error(a.json, *err, {}, "pbi emulator --help lists its options");
    asio::io_context io;
    std::unique_ptr<pbi::testing::emulator> emu;
    try {
        emu = std::make_unique<pbi::testing::emulator>(io.get_executor(), o);
    } catch (const std::exception& e) {
        return emulator_failure(a.json, e);
    }
    std::string ca_file =
        required(a, "--ca-out").value_or("/tmp/pbi-emulator-ca-" + std::to_string(emu->port()) + ".pem");
    {
        // Never through a symlink (the default path is in /tmp): a planted link must not make
        // this process overwrite the file it points to. A regular file is replaced.
        const int fd = ::open(ca_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        const std::string pem = emu->ca_pem();
        const int err = fd < 0 ? errno : 0;
        const bool written =
            fd >= 0 && ::write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size());
        if (fd >= 0)
            ::close(fd);
        if (!written) {
            emu->stop();
            return usage_error(a.json,
                               "cannot write the CA to " + ca_file +
                                   (err ? std::string(": ") + std::strerror(err) : ""),
                               {}, "choose another --ca-out FILE (a symbolic link is refused)");
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
    const auto parse_error = parse_arguments(argc, argv, args);
    if (args.help) { // `pbi --help`, `pbi COMMAND --help`: usage on stdout, exit 0
        std::cout << help_for(args.command);
        return exit_ok;
    }
    if (parse_error) // a known command's mistake shows that command's usage, else every command's
        return usage_error(args.json, *parse_error, help_for(args.command),
                           find_command(args.command) ? "pbi " + args.command + " --help lists its options"
                                                      : std::string(help_hint));
    const command_spec* spec = find_command(args.command);
    if (!spec)
        return usage_error(args.json, "unknown command '" + args.command + "'", usage_text);
    const std::string command_hint = "pbi " + args.command + " --help lists its options";
    if (auto err = check_options(args, *spec))
        return usage_error(args.json, *err, {}, command_hint);
    if (args.command == "emulator")
        return run_emulator(args);

    pbi::powerbi::report_ref ref;
    if (args.command == "report" || args.command == "pages") {
        auto ws = required(args, "--workspace");
        auto rep = required(args, "--report");
        if (!ws || !rep) {
            return usage_error(args.json, args.command + " needs --workspace ID and --report ID", {},
                               command_hint);
        }
        ref = {*ws, *rep};
    }
    embed_plan embed;
    if (args.command == "embed-token") {
        if (auto err = plan_embed_token(args, embed))
            return usage_error(args.json, *err, {}, command_hint);
    }
    std::string workspace_id;
    if (args.command == "dashboards") {
        auto ws = required(args, "--workspace");
        if (!ws)
            return usage_error(args.json, "dashboards needs --workspace ID", {}, command_hint);
        workspace_id = *ws;
    }
    pbi::powerbi::dashboard_ref dashboard;
    if (args.command == "tiles") {
        auto ws = required(args, "--workspace");
        auto db = required(args, "--dashboard");
        if (!ws || !db)
            return usage_error(args.json, "tiles needs --workspace ID and --dashboard ID", {}, command_hint);
        dashboard = {*ws, *db};
    }
    pbi::powerbi::dataset_ref dataset;
    if (args.command == "refresh-dataset") {
        auto ws = required(args, "--workspace");
        auto ds = required(args, "--dataset");
        if (!ws || !ds)
            return usage_error(args.json, "refresh-dataset needs --workspace ID and --dataset ID", {},
                               command_hint);
        dataset = {*ws, *ds};
    }
    export_plan export_job;
    // The export's FILE.tmp, created by plan_export as a check: removed on every failure (a
    // success has renamed it to FILE).
    struct remove_probe {
        const std::string& path;
        bool keep = false;
        ~remove_probe() {
            if (!path.empty() && !keep)
                ::unlink(path.c_str());
        }
    } probe{export_job.probe};
    if (args.command == "export") {
        if (auto err = plan_export(args, export_job))
            return usage_error(args.json, *err, {},
                               export_job.hint.empty() ? std::string_view(command_hint) : export_job.hint);
    }

    // Configuration: PBI_* variables, or the built-in emulator when no tenant is configured.
    std::unique_ptr<pbi::testing::emulator> emulator;
    pbi_cli::settings settings;
    if (pbi_cli::tenant_missing_beside_credentials()) { // a mistake, not "use the emulator"
        return usage_error(
            args.json,
            "configuration: PBI_TENANT_ID is set but empty while other PBI_* credentials are "
            "set: set it to the tenant's GUID or domain, or unset them all to use the built-in "
            "emulator",
            {}, configuration_hint);
    } else if (!pbi_cli::env("PBI_TENANT_ID")) {
        try {
            emulator = std::make_unique<pbi::testing::emulator>();
        } catch (const std::exception& e) {
            return emulator_failure(args.json, e);
        }
        settings = pbi_cli::settings_for(*emulator);
        std::cerr << "pbi: PBI_TENANT_ID is not set; using the built-in emulator at " << emulator->origin()
                  << '\n';
    } else if (auto err = pbi_cli::read_settings(settings)) {
        return usage_error(args.json, "configuration: " + *err, {}, configuration_hint);
    }

    asio::io_context io;
    std::optional<session> s;
    try {
        s.emplace(io, settings);
    } catch (const pbi::error& e) {
        return usage_error(args.json, std::string("configuration: ") + e.what(), {}, configuration_hint);
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
            return embed.v2 ? run_embed_token_v2(*s, args, embed) : run_embed_token_v1(*s, args, embed);
        if (args.command == "dashboards")
            return run_dashboards(*s, args, workspace_id);
        if (args.command == "tiles")
            return run_tiles(*s, args, dashboard);
        if (args.command == "datasets")
            return run_datasets(*s, args);
        if (args.command == "refresh-dataset")
            return run_refresh_dataset(*s, args, dataset);
        if (args.command == "diagnose")
            return run_diagnose(*s, settings, args);
        if (args.command == "export")
            return run_export(*s, args, export_job);
        return run_demo(*s, args);
    };
    // Ctrl-C (or a TERM, HUP or QUIT) during an export: remove FILE.tmp, say so (with --json the
    // failure object; this runs on the io_context, not in a signal handler), then die of the signal
    // as before.
    std::optional<asio::signal_set> interrupts;
    if (!export_job.probe.empty()) {
        interrupts.emplace(io, SIGINT, SIGTERM, SIGHUP);
        interrupts->add(SIGQUIT);
        interrupts->async_wait([&export_job, &args](std::error_code ec, int signal_number) {
            if (ec)
                return;
            const bool written = export_job.probe.empty(); // renamed to FILE already
            if (!written)
                ::unlink(export_job.probe.c_str());
            const char* name = signal_number == SIGINT    ? "SIGINT"
                               : signal_number == SIGTERM ? "SIGTERM"
                               : signal_number == SIGHUP  ? "SIGHUP"
                                                          : "SIGQUIT";
            const std::string message = std::string("the export was interrupted by ") + name + "; '" +
                                        export_job.output + (written ? "' was written" : "' was not written");
            std::cerr << "pbi: " << message << '\n';
            if (args.json)
                print_json_failure("interrupted", "interrupted by a signal",
                                   std::error_code(EINTR, std::generic_category()), pbi::failure_source::none,
                                   message, "");
            std::signal(signal_number, SIG_DFL);
            std::raise(signal_number);
        });
    }
    auto done = [&](std::exception_ptr e, int rc) {
        if (interrupts)
            interrupts->cancel();
        s->tokens.shutdown(); // its refresh timers would keep the io_context running
        s->http.close_idle();
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                std::cerr << "pbi: unexpected failure: " << ex.what() << '\n';
                if (args.json)
                    print_json_failure("unexpected", "unexpected failure", pbi::errc::invalid_argument,
                                       pbi::failure_source::none, printable(ex.what()), "");
            }
            code = exit_transport;
        } else {
            code = rc;
        }
    };
    asio::co_spawn(io, command(), done);
    io.run();
    probe.keep = code == exit_ok;
    return code;
}
